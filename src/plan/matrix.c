/*
 * Matrix expansion, as GitHub documents it ("Using a matrix for your jobs"):
 *  1. the vectors (every key but include/exclude) make the cartesian product, the first key
 *     varying slowest: os: [a, b], node: [1, 2] gives (a,1) (a,2) (b,1) (b,2);
 *  2. each `exclude` entry removes every combination it matches partially (all of its keys equal);
 *  3. then each `include` entry is merged into every original combination whose *original*
 *     (vector) values it does not change; values added by earlier includes may be overwritten.
 *     An entry that fits no original combination becomes a new combination of its own, and such
 *     added combinations are never merged into by later entries (the docs' fruit/animal example:
 *     `fruit: banana` and `fruit: banana, animal: cat` stay two legs);
 *  4. more than 256 combinations is an error with the reference's text.
 * act's --matrix k:v filter is applied last (job-index keeps the unfiltered position, as the
 * legs would be numbered on GitHub); values are compared as strings, several values given for
 * one key are alternatives, keys a leg lacks do not filter it.
 */

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "util/glob.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"

/* Product size beyond which the combinations are not even built (the limit error is certain). */
#define MATRIX_BUILD_CAP 65536

static bool val_deep_eq(const struct val *a, const struct val *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return a->b == b->b;
    case VAL_NUMBER:
        return a->num == b->num || (isnan(a->num) && isnan(b->num));
    case VAL_STRING:
        return a->s.len == b->s.len && !memcmp(a->s.p, b->s.p, a->s.len);
    case VAL_ARRAY:
        if (a->arr->len != b->arr->len)
            return false;
        for (size_t i = 0; i < a->arr->len; i++) {
            if (!val_deep_eq(&a->arr->items[i], &b->arr->items[i]))
                return false;
        }
        return true;
    case VAL_OBJECT:
        if (a->obj->len != b->obj->len)
            return false;
        for (size_t i = 0; i < a->obj->len; i++) {
            const struct val_member *m = &a->obj->members[i];
            const struct val *o = val_object_find(b->obj, m->key.p, m->key.len);
            if (!o || !val_deep_eq(&m->value, o))
                return false;
        }
        return true;
    }
    return false;
}

static bool is_directive(const struct val_member *m)
{
    return str_eqi_cstr(m->key, "include") || str_eqi_cstr(m->key, "exclude");
}

static struct val obj_copy_shallow(struct arena *a, const struct val *src)
{
    struct val o = val_new_object(a);
    if (src && src->kind == VAL_OBJECT) {
        for (size_t i = 0; i < src->obj->len; i++)
            val_object_set(a, o, src->obj->members[i].key.p, src->obj->members[i].key.len,
                           src->obj->members[i].value);
    }
    return o;
}

static void suffix_value(struct sbuf *sb, const struct val *v, bool *first)
{
    if (v->kind == VAL_OBJECT) {
        for (size_t i = 0; i < v->obj->len; i++)
            suffix_value(sb, &v->obj->members[i].value, first);
        return;
    }
    if (v->kind == VAL_ARRAY) {
        for (size_t i = 0; i < v->arr->len; i++)
            suffix_value(sb, &v->arr->items[i], first);
        return;
    }
    if (!*first)
        sbuf_addstr(sb, ", ");
    *first = false;
    val_to_sbuf(sb, v);
}

static const char *leg_suffix(struct arena *a, const struct val *m)
{
    if (m->kind != VAL_OBJECT || m->obj->len == 0)
        return "";
    struct sbuf sb = SBUF_INIT;
    bool first = true;
    sbuf_addch(&sb, '(');
    suffix_value(&sb, m, &first);
    sbuf_addch(&sb, ')');
    const char *s = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return s;
}

static bool leg_selected(const struct val *m, const struct plan_kv *filter, size_t n)
{
    if (!n || m->kind != VAL_OBJECT)
        return true;
    bool ok = true;
    /* group the filter by key: a leg passes a key when one of its values matches */
    for (size_t i = 0; i < n && ok; i++) {
        bool seen_before = false;
        for (size_t j = 0; j < i; j++)
            seen_before = seen_before || !str_casecmp(filter[j].name, filter[i].name);
        if (seen_before)
            continue;
        const struct val *v = val_object_find(m->obj, filter[i].name, strlen(filter[i].name));
        if (!v)
            continue;
        struct sbuf s = SBUF_INIT;
        val_to_sbuf(&s, v);
        bool any = false;
        for (size_t j = i; j < n; j++) {
            if (!str_casecmp(filter[j].name, filter[i].name) && !strcmp(filter[j].value, s.buf))
                any = true;
        }
        sbuf_release(&s);
        ok = any;
    }
    return ok;
}

static int limit_error(struct err *err, const struct wf_job *job, size_t count)
{
    const struct wf_token *pos = job->strategy;
    err_set(err, ERR_INVALID,
            "Strategy for job '%s' produced %zu configurations which exceeds the maximum of %d "
            "configurations",
            job->id && job->id->str ? job->id->str : "", count, PLAN_MATRIX_MAX);
    if (pos && pos->line)
        err_prefix(err, "(Line: %zu, Col: %zu): ", pos->line, pos->col);
    return ERR_INVALID;
}

static int bad(struct err *err, const struct wf_token *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct err *err, const struct wf_token *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, ERR_INVALID, fmt, ap);
    va_end(ap);
    if (pos && pos->line)
        err_prefix(err, "(Line: %zu, Col: %zu): ", pos->line, pos->col);
    return ERR_INVALID;
}

/*
 * Evaluates the leg's runs-on and maps its labels to a runner. A runs-on that cannot be evaluated
 * is the job's error (ERR_INVALID, GitHub fails the job with the evaluation's message); labels
 * that map to nothing only leave the leg without a runner.
 */
static int map_leg(struct plan_leg *leg, struct arena *a, const struct wf_job *job,
                   const struct plan_matrix_opts *opts, const struct val *ctxv, struct err *err)
{
    leg->runs_on = val_null();
    if (!job->runs_on || job->kind == WF_JOB_REUSABLE) {
        leg->runner = "host";
        return 0;
    }
    struct expr_ctx ec = EXPR_CTX_INIT;
    ec.contexts = ctxv;
    int rc = plan_eval_token(&leg->runs_on, a, job->runs_on, &ec, err);
    if (rc)
        return rc;
    const char *why = NULL;
    leg->runner = opts->plan ? plan_runner_for(opts->plan, &leg->runs_on, a, &why) : "host";
    if (!leg->runner)
        leg->skip = why;
    return 0;
}

int plan_matrix_expand(struct plan_matrix *out, struct arena *a, const struct wf_job *job,
                       const struct plan_matrix_opts *opts, struct err *err)
{
    memset(out, 0, sizeof(*out));
    out->fail_fast = true;
    struct val ctxv = obj_copy_shallow(a, opts->contexts);
    struct expr_ctx ec = EXPR_CTX_INIT;
    ec.contexts = &ctxv;
    struct val strategy = val_null();
    struct val matrix = val_null();
    struct vec combos = VEC_INIT(struct val);
    struct vec originals = VEC_INIT(struct val); /* vector-only values of each combination */
    int rc = 0;

    if (job->strategy) {
        rc = plan_eval_token(&strategy, a, job->strategy, &ec, err);
        if (rc)
            goto done;
    }
    if (strategy.kind == VAL_OBJECT) {
        const struct val *ff = val_object_find(strategy.obj, "fail-fast", 9);
        if (ff && ff->kind != VAL_NULL)
            out->fail_fast = val_is_truthy(ff);
        const struct val *mp = val_object_find(strategy.obj, "max-parallel", 12);
        if (mp && mp->kind != VAL_NULL) {
            double d = val_to_number(mp);
            out->max_parallel = isnan(d) || d < 1 ? 0 : (long)d;
        }
        const struct val *m = val_object_find(strategy.obj, "matrix", 6);
        if (m)
            matrix = *m;
    } else if (strategy.kind != VAL_NULL) {
        rc = bad(err, job->strategy, "Unexpected value '%s' for strategy: expected a mapping",
                 val_kind_name(strategy.kind));
        goto done;
    }

    if (matrix.kind == VAL_NULL) {
        out->legs = arena_alloc(a, sizeof(struct plan_leg));
        out->nlegs = 1;
        out->total = 1;
        out->legs[0].matrix = val_null();
        out->legs[0].suffix = "";
        rc = map_leg(&out->legs[0], a, job, opts, &ctxv, err);
        goto done;
    }
    out->has_matrix = true;
    const struct wf_token *mpos = job->strategy ? wf_tok_get(job->strategy, "matrix") : NULL;
    if (!mpos)
        mpos = job->strategy;
    if (matrix.kind != VAL_OBJECT) {
        rc = bad(err, mpos, "Unexpected type '%s' for the matrix: expected a mapping",
                 val_kind_name(matrix.kind));
        goto done;
    }

    /* act: an expression item of a vector that yields an array contributes its elements
       (`[a, ${{ fromJSON('[b, c]') }}]` is three values). */
    const struct wf_token *mtok = job->strategy ? wf_tok_get(job->strategy, "matrix") : NULL;
    for (size_t i = 0; mtok && mtok->kind == WF_TOK_MAPPING && i < matrix.obj->len; i++) {
        struct val_member *m = &matrix.obj->members[i];
        const struct wf_token *vt = wf_tok_get(mtok, m->key.p);
        if (!vt || vt->kind != WF_TOK_SEQUENCE || m->value.kind != VAL_ARRAY ||
            m->value.arr->len != vt->nitems)
            continue;
        struct val flat = val_new_array(a);
        for (size_t k = 0; k < vt->nitems; k++) {
            struct val item = m->value.arr->items[k];
            if (vt->items[k]->kind == WF_TOK_EXPR && item.kind == VAL_ARRAY) {
                for (size_t e = 0; e < item.arr->len; e++)
                    val_array_push(a, flat, item.arr->items[e]);
            } else {
                val_array_push(a, flat, item);
            }
        }
        m->value = flat;
    }

    /* 1. the product of the vectors */
    size_t nvec = 0;
    double product = 1;
    for (size_t i = 0; i < matrix.obj->len; i++) {
        const struct val_member *m = &matrix.obj->members[i];
        if (is_directive(m))
            continue;
        if (m->value.kind != VAL_ARRAY) {
            rc = bad(err, mpos, "Matrix vector '%s' must be a sequence", m->key.p);
            goto done;
        }
        if (m->value.arr->len == 0) {
            rc = bad(err, mpos, "Matrix vector '%s' does not contain any values", m->key.p);
            goto done;
        }
        nvec++;
        product *= (double)m->value.arr->len;
    }
    if (product > MATRIX_BUILD_CAP) {
        rc = limit_error(err, job, product > 1e18 ? (size_t)-1 : (size_t)product);
        goto done;
    }
    if (nvec > 0) {
        size_t count = (size_t)product;
        for (size_t c = 0; c < count; c++) {
            struct val combo = val_new_object(a);
            /* mixed-radix digits, the last vector varying fastest */
            size_t rem = c;
            size_t div = count;
            for (size_t i = 0; i < matrix.obj->len; i++) {
                const struct val_member *m = &matrix.obj->members[i];
                if (is_directive(m))
                    continue;
                div /= m->value.arr->len;
                size_t digit = rem / div;
                rem %= div;
                val_object_set(a, combo, m->key.p, m->key.len, m->value.arr->items[digit]);
            }
            vec_append(&combos, &combo);
        }
    }

    /* 2. exclude */
    const struct val *exclude = val_object_find(matrix.obj, "exclude", 7);
    if (exclude && exclude->kind == VAL_ARRAY) {
        for (size_t c = 0; c < combos.len;) {
            const struct val *combo = vec_at(&combos, c);
            bool drop = false;
            for (size_t e = 0; e < exclude->arr->len && !drop; e++) {
                const struct val *ex = &exclude->arr->items[e];
                if (ex->kind != VAL_OBJECT)
                    continue;
                bool all = true;
                for (size_t k = 0; k < ex->obj->len && all; k++) {
                    const struct val_member *em = &ex->obj->members[k];
                    const struct val *cv = val_object_find(combo->obj, em->key.p, em->key.len);
                    all = cv && val_deep_eq(cv, &em->value);
                }
                drop = all;
            }
            if (drop)
                vec_remove(&combos, c);
            else
                c++;
        }
    } else if (exclude && exclude->kind != VAL_NULL) {
        rc = bad(err, mpos, "Unexpected type '%s' for matrix exclude: expected a sequence",
                 val_kind_name(exclude->kind));
        goto done;
    }
    for (size_t c = 0; c < combos.len; c++) {
        struct val copy = obj_copy_shallow(a, vec_at(&combos, c));
        vec_append(&originals, &copy);
    }
    size_t noriginal = combos.len;

    /* 3. include */
    const struct val *include = val_object_find(matrix.obj, "include", 7);
    if (include && include->kind == VAL_ARRAY) {
        for (size_t e = 0; e < include->arr->len; e++) {
            const struct val *in = &include->arr->items[e];
            if (in->kind != VAL_OBJECT) {
                rc = bad(err, mpos,
                         "Unexpected type '%s' for a matrix include entry: expected "
                         "a mapping",
                         val_kind_name(in->kind));
                goto done;
            }
            bool merged = false;
            for (size_t c = 0; c < noriginal; c++) {
                const struct val *orig = vec_at(&originals, c);
                bool fits = true;
                for (size_t k = 0; k < in->obj->len && fits; k++) {
                    const struct val_member *im = &in->obj->members[k];
                    const struct val *ov = val_object_find(orig->obj, im->key.p, im->key.len);
                    fits = !ov || val_deep_eq(ov, &im->value);
                }
                if (!fits)
                    continue;
                const struct val *combo = vec_at(&combos, c);
                for (size_t k = 0; k < in->obj->len; k++)
                    val_object_set(a, *combo, in->obj->members[k].key.p,
                                   in->obj->members[k].key.len, in->obj->members[k].value);
                merged = true;
            }
            if (!merged) {
                struct val added = obj_copy_shallow(a, in);
                vec_append(&combos, &added);
            }
        }
    } else if (include && include->kind != VAL_NULL) {
        rc = bad(err, mpos, "Unexpected type '%s' for matrix include: expected a sequence",
                 val_kind_name(include->kind));
        goto done;
    }
    if (nvec == 0 && combos.len == 0) {
        rc = bad(err, mpos, "Matrix must define at least one vector");
        goto done;
    }

    /* 4. the limit, then the legs */
    if (combos.len > PLAN_MATRIX_MAX) {
        rc = limit_error(err, job, combos.len);
        goto done;
    }
    out->total = combos.len;
    out->legs = combos.len ? arena_alloc(a, combos.len * sizeof(struct plan_leg)) : NULL;
    for (size_t c = 0; c < combos.len; c++) {
        const struct val *m = vec_at(&combos, c);
        if (!leg_selected(m, opts->filter, opts->nfilter))
            continue;
        struct plan_leg *leg = &out->legs[out->nlegs++];
        memset(leg, 0, sizeof(*leg));
        leg->matrix = *m;
        leg->index = c;
        leg->suffix = leg_suffix(a, m);
        struct val lctx = obj_copy_shallow(a, &ctxv);
        val_object_set(a, lctx, "matrix", 6, *m);
        struct val st = val_new_object(a);
        val_object_set(a, st, "fail-fast", 9, val_bool(out->fail_fast));
        val_object_set(a, st, "job-index", 9, val_number((double)c));
        val_object_set(a, st, "job-total", 9, val_number((double)combos.len));
        val_object_set(
            a, st, "max-parallel", 12,
            val_number(out->max_parallel ? (double)out->max_parallel : (double)combos.len));
        val_object_set(a, lctx, "strategy", 8, st);
        rc = map_leg(leg, a, job, opts, &lctx, err);
        if (rc)
            goto done;
    }

done:
    vec_release(&combos);
    vec_release(&originals);
    return rc;
}

/* ---- does a token read a context? ---- */

static bool expr_reads(const struct expr *e, const char *name)
{
    if (!e)
        return false;
    if (e->kind == EXPR_CONTEXT && str_eqi_cstr(e->name, name))
        return true;
    for (size_t i = 0; i < e->n_args; i++) {
        if (expr_reads(e->args[i], name))
            return true;
    }
    return false;
}

static bool tok_reads(const struct wf_token *t, const char *name, struct arena *scratch)
{
    if (!t)
        return false;
    if (t->kind == WF_TOK_EXPR || t->kind == WF_TOK_INSERT) {
        struct expr *e = NULL;
        struct err err = ERR_INIT;
        if (plan_expr_parse(&e, scratch, t->str, t->len, false, &err))
            return false;
        return expr_reads(e, name);
    }
    for (size_t i = 0; i < t->nitems; i++) {
        if (tok_reads(t->items[i], name, scratch))
            return true;
    }
    for (size_t i = 0; i < t->npairs; i++) {
        if (tok_reads(t->pairs[i].key, name, scratch) ||
            tok_reads(t->pairs[i].value, name, scratch))
            return true;
    }
    return false;
}

bool plan_token_reads(const struct wf_token *t, const char *context)
{
    struct arena scratch = ARENA_INIT;
    bool r = tok_reads(t, context, &scratch);
    arena_release(&scratch);
    return r;
}

bool plan_matrix_needs_needs(const struct wf_job *job)
{
    return plan_token_reads(job->strategy, "needs") || plan_token_reads(job->runs_on, "needs");
}

/* ---- runs-on label mapping ---- */

static void collect_labels(struct vec *labels, const struct val *v)
{
    if (v->kind == VAL_STRING) {
        const char *s = v->s.p;
        vec_append(labels, &s);
    } else if (v->kind == VAL_ARRAY) {
        for (size_t i = 0; i < v->arr->len; i++)
            collect_labels(labels, &v->arr->items[i]);
    } else if (v->kind == VAL_OBJECT) {
        const struct val *g = val_object_find(v->obj, "group", 5);
        if (g)
            collect_labels(labels, g);
        const struct val *l = val_object_find(v->obj, "labels", 6);
        if (l)
            collect_labels(labels, l);
    }
}

static bool is_unmapped_value(const char *v)
{
    return !v || !*v || !str_casecmp(v, "skip") || !str_casecmp(v, "none");
}

const char *plan_runner_for(const struct plan *p, const struct val *runs_on, struct arena *a,
                            const char **why)
{
    struct vec labels = VEC_INIT(const char *);
    collect_labels(&labels, runs_on);
    const char *result = NULL;
    *why = NULL;
    if (labels.len == 0) {
        *why = "runs-on names no runner label";
        goto done;
    }
    for (size_t i = 0; i < labels.len; i++) {
        const char *label = *(const char **)vec_at(&labels, i);
        const char *mapped = NULL;
        /* the last mapping wins, so -P given later overrides the defaults */
        for (size_t j = p->nplatforms; j-- > 0;) {
            const char *name = p->platforms[j].name;
            bool hit = strpbrk(name, "*?[")
                           ? glob_match_str(name, label, GLOB_FILTER | GLOB_CASEFOLD)
                           : !str_casecmp(name, label);
            if (hit) {
                mapped = p->platforms[j].value;
                break;
            }
        }
        if (is_unmapped_value(mapped)) {
            struct sbuf sb = SBUF_INIT;
            sbuf_addf(&sb, "no runner for label '%s' (map it with -P %s=host)", label, label);
            *why = arena_strndup(a, sb.buf, sb.len);
            sbuf_release(&sb);
            result = NULL;
            goto done;
        }
        if (!result)
            result = mapped;
    }
done:
    vec_release(&labels);
    return result;
}
