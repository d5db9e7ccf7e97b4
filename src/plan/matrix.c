/*
 * Matrix expansion as GitHub does it (docs.github.com, "Running variations of jobs in a
 * workflow"): the cartesian product of the vectors (first key outermost), minus every
 * combination an `exclude` entry matches partially, then each `include` entry is merged into
 * every original combination whose original values it does not contradict (values it added
 * itself may be overwritten by later entries), or appended as a new combination when it fits
 * none. At most 256 combinations.
 */
#include "plan/plan.h"

#include <math.h>
#include <string.h>

#include "util/str.h"

/* ---- tokens to values ---- */

struct conv {
    struct arena *a;
    const struct val *ctx;
    bool deferred;
    const char *deferred_expr;
    struct err *err;
    int rc;
};

static struct val eval_expr(struct conv *cv, const char *src)
{
    const char *names[64];
    size_t n = 0;
    if (cv->ctx && cv->ctx->kind == VAL_OBJECT) {
        for (size_t i = 0; i < cv->ctx->obj->len && n < 64; i++)
            names[n++] = cv->ctx->obj->members[i].key.p;
    }
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.contexts = names;
    po.n_contexts = n;
    struct expr *e = NULL;
    struct err perr = ERR_INIT;
    if (expr_parse(&e, cv->a, src, strlen(src), &po, &perr) < 0) {
        /* a context not known before running (needs, matrix of another job): later */
        cv->deferred = true;
        cv->deferred_expr = src;
        return val_null();
    }
    struct expr_ctx ec = EXPR_CTX_INIT;
    ec.contexts = cv->ctx;
    struct val v = val_null();
    if (expr_eval(&v, cv->a, e, &ec, cv->err) < 0) {
        cv->rc = ERR_INVALID;
        return val_null();
    }
    return v;
}

static struct val tok_val(struct conv *cv, const struct wf_token *t)
{
    switch (t->kind) {
    case WF_TOK_STRING:
        return val_string(cv->a, t->str, t->len);
    case WF_TOK_NUMBER:
        return val_number(t->number);
    case WF_TOK_BOOL:
        return val_bool(t->boolean);
    case WF_TOK_NULL:
    case WF_TOK_INSERT:
        return val_null();
    case WF_TOK_EXPR:
        return eval_expr(cv, t->str);
    case WF_TOK_SEQUENCE: {
        struct val arr = val_new_array(cv->a);
        for (size_t i = 0; i < t->nitems; i++)
            val_array_push(cv->a, arr, tok_val(cv, t->items[i]));
        return arr;
    }
    case WF_TOK_MAPPING: {
        struct val obj = val_new_object(cv->a);
        for (size_t i = 0; i < t->npairs; i++) {
            struct val k = tok_val(cv, t->pairs[i].key);
            struct sbuf ks = SBUF_INIT;
            val_to_sbuf(&ks, &k);
            val_object_set(cv->a, obj, ks.buf, ks.len, tok_val(cv, t->pairs[i].value));
            sbuf_release(&ks);
        }
        return obj;
    }
    }
    return val_null();
}

/* ---- expansion ---- */

static bool deep_equal(const struct val *x, const struct val *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return x->b == y->b;
    case VAL_NUMBER:
        return x->num == y->num || (isnan(x->num) && isnan(y->num));
    case VAL_STRING:
        return x->s.len == y->s.len && memcmp(x->s.p, y->s.p, x->s.len) == 0;
    case VAL_ARRAY:
        if (x->arr->len != y->arr->len)
            return false;
        for (size_t i = 0; i < x->arr->len; i++) {
            if (!deep_equal(&x->arr->items[i], &y->arr->items[i]))
                return false;
        }
        return true;
    case VAL_OBJECT:
        if (x->obj->len != y->obj->len)
            return false;
        for (size_t i = 0; i < x->obj->len; i++) {
            const struct val_member *m = &x->obj->members[i];
            const struct val *o = val_object_find(y->obj, m->key.p, m->key.len);
            if (!o || !deep_equal(&m->value, o))
                return false;
        }
        return true;
    }
    return false;
}

static struct val obj_copy(struct arena *a, const struct val *o)
{
    struct val r = val_new_object(a);
    for (size_t i = 0; i < o->obj->len; i++)
        val_object_set(a, r, o->obj->members[i].key.p, o->obj->members[i].key.len,
                       o->obj->members[i].value);
    return r;
}

/* Every key of `entry` that is also set in `combo` has the same value there. */
static bool entry_matches(const struct val *entry, const struct val *combo,
                          const struct val *only_keys)
{
    for (size_t i = 0; i < entry->obj->len; i++) {
        const struct val_member *m = &entry->obj->members[i];
        if (only_keys && !val_object_find(only_keys->obj, m->key.p, m->key.len))
            continue;
        const struct val *v = val_object_find(combo->obj, m->key.p, m->key.len);
        if (!v || !deep_equal(v, &m->value))
            return false;
    }
    return true;
}

int plan_matrix_expand(struct plan_matrix *out, struct arena *a, const struct wf_token *strategy,
                       const struct val *ctx, struct err *err)
{
    memset(out, 0, sizeof(*out));
    struct conv cv = {.a = a, .ctx = ctx, .err = err};
    const struct wf_token *mt = wf_tok_get(strategy, "matrix");
    if (!mt) {
        out->legs = arena_alloc(a, sizeof(struct plan_leg));
        out->legs[0].values = val_new_object(a);
        out->nlegs = 1;
        return 0;
    }
    struct val m = tok_val(&cv, mt);
    if (cv.rc < 0)
        return cv.rc;
    if (cv.deferred) {
        out->deferred = true;
        out->deferred_expr = cv.deferred_expr;
        return 0;
    }
    if (m.kind != VAL_OBJECT)
        return err_set(err, ERR_INVALID, "the matrix must be a mapping, not %s",
                       val_kind_name(m.kind));

    /* vectors: every key but include and exclude, in order */
    struct val original_keys = val_new_object(a);
    struct vec combos = VEC_INIT(struct val);
    const struct val *include = NULL;
    const struct val *exclude = NULL;
    size_t nvectors = 0;
    int rc = 0;
    struct val first = val_new_object(a);
    vec_append(&combos, &first);
    for (size_t i = 0; i < m.obj->len; i++) {
        const struct val_member *mem = &m.obj->members[i];
        if (str_casecmp(mem->key.p, "include") == 0) {
            include = &mem->value;
            continue;
        }
        if (str_casecmp(mem->key.p, "exclude") == 0) {
            exclude = &mem->value;
            continue;
        }
        if (mem->value.kind != VAL_ARRAY) {
            rc = err_set(err, ERR_INVALID, "Matrix vector '%s' must be a sequence", mem->key.p);
            goto done;
        }
        if (mem->value.arr->len == 0) {
            rc = err_set(err, ERR_INVALID, "Matrix vector '%s' does not contain any values",
                         mem->key.p);
            goto done;
        }
        val_object_set(a, original_keys, mem->key.p, mem->key.len, val_bool(true));
        nvectors++;
        /* product: the first key is the outermost loop */
        struct vec next = VEC_INIT(struct val);
        vec_foreach (struct val, c, &combos) {
            for (size_t j = 0; j < mem->value.arr->len; j++) {
                struct val nc = obj_copy(a, c);
                val_object_set(a, nc, mem->key.p, mem->key.len, mem->value.arr->items[j]);
                vec_append(&next, &nc);
                if (next.len > PLAN_MATRIX_MAX * 64) {
                    vec_release(&next);
                    rc = err_set(err, ERR_INVALID,
                                 "The matrix generates more than %d jobs, GitHub's maximum",
                                 PLAN_MATRIX_MAX);
                    goto done;
                }
            }
        }
        vec_release(&combos);
        combos = next;
    }
    if (nvectors == 0)
        vec_clear(&combos);

    if (exclude && exclude->kind == VAL_ARRAY) {
        for (size_t e = 0; e < exclude->arr->len; e++) {
            const struct val *ex = &exclude->arr->items[e];
            if (ex->kind != VAL_OBJECT) {
                rc = err_set(err, ERR_INVALID, "a matrix exclude entry must be a mapping");
                goto done;
            }
            for (size_t c = combos.len; c-- > 0;) {
                if (entry_matches(ex, &((struct val *)combos.items)[c], NULL))
                    vec_remove(&combos, c);
            }
        }
    }
    size_t noriginal = combos.len;
    if (include && include->kind == VAL_ARRAY) {
        for (size_t n = 0; n < include->arr->len; n++) {
            const struct val *in = &include->arr->items[n];
            if (in->kind != VAL_OBJECT) {
                rc = err_set(err, ERR_INVALID, "a matrix include entry must be a mapping");
                goto done;
            }
            bool merged = false;
            for (size_t c = 0; c < noriginal; c++) {
                struct val *combo = &((struct val *)combos.items)[c];
                if (!entry_matches(in, combo, &original_keys))
                    continue;
                for (size_t k = 0; k < in->obj->len; k++) {
                    const struct val_member *mem = &in->obj->members[k];
                    if (!val_object_find(original_keys.obj, mem->key.p, mem->key.len))
                        val_object_set(a, *combo, mem->key.p, mem->key.len, mem->value);
                }
                merged = true;
            }
            if (!merged) {
                struct val nc = obj_copy(a, in);
                vec_append(&combos, &nc);
            }
        }
    }
    if (combos.len > PLAN_MATRIX_MAX) {
        rc = err_set(err, ERR_INVALID, "The matrix generates %zu jobs, more than GitHub's %d",
                     combos.len, PLAN_MATRIX_MAX);
        goto done;
    }
    out->legs = arena_alloc(a, sizeof(struct plan_leg) * (combos.len + 1));
    for (size_t i = 0; i < combos.len; i++) {
        out->legs[i].values = ((struct val *)combos.items)[i];
        out->legs[i].index = i;
    }
    out->nlegs = combos.len;
done:
    vec_release(&combos);
    return rc;
}
