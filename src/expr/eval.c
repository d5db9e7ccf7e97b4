/*
 * The evaluator and the built-in functions, after languageservices expressions/src/evaluator.ts
 * and the C# runner's Sdk/Functions where the two differ in what users see.
 */
#include "expr/expr.h"

#include <math.h>
#include <string.h>

#include "expr/internal.h"
#include "util/json.h"
#include "util/xalloc.h"

struct evaluator {
    struct arena *a;
    const struct expr_ctx *ctx;
    struct err *err;
    size_t memory; /* bytes of strings made so far, counted as the C# runner counts them */
    size_t max_memory;
    const void *json_of;  /* the array or object toJSON() wrote last, and its text: values */
    struct str json_text; /* do not change during an evaluation, so the text can be reused */
};

static int eval_fail(struct evaluator *ev, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int eval_fail(struct evaluator *ev, enum err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(ev->err, code, fmt, ap);
    va_end(ap);
    if (ev->ctx->diag_out)
        *ev->ctx->diag_out = (struct expr_diag){.kind = EXPR_ERR_EVALUATION};
    return code;
}

/*
 * Counts a new string of len bytes against the memory limit. The C# runner counts UTF-16
 * characters (two bytes each) plus an object overhead for every value it holds.
 */
static int charge(struct evaluator *ev, size_t len)
{
    ev->memory += 2 * len + 26;
    if (ev->memory > ev->max_memory)
        return eval_fail(ev, ERR_INVALID, "The maximum allowed memory size was exceeded");
    return 0;
}

static int make_string(struct evaluator *ev, struct val *out, struct sbuf *sb)
{
    int rc = charge(ev, sb->len);
    if (rc < 0)
        return rc;
    *out = val_string(ev->a, sb->buf, sb->len);
    return 0;
}

/*
 * Results are written field by field: a struct val built aside and copied into *out stalls
 * store forwarding (it was the evaluator's hottest line). Only the kind's own field is set.
 */
static inline void set_bool(struct val *out, bool b)
{
    out->kind = VAL_BOOL;
    out->b = b;
}

static inline void set_null(struct val *out)
{
    out->kind = VAL_NULL;
}

static int eval(struct evaluator *ev, const struct expr *e, struct val *out);

/* ---- index access -------------------------------------------------------------------------- */

/* How an index value addresses: as a key (primitives as strings) and as an integer. */
struct index {
    bool star;
    bool has_str;
    struct str str;
    bool has_int;
    size_t i;
};

static void make_index(struct evaluator *ev, struct index *ix, const struct val *v,
                       struct sbuf *scratch)
{
    if (v->kind == VAL_STRING) {
        ix->has_str = true;
        ix->str = v->s;
    } else if (v->kind != VAL_ARRAY && v->kind != VAL_OBJECT) {
        sbuf_reset(scratch);
        val_to_sbuf(scratch, v);
        ix->has_str = true;
        ix->str = str_make(arena_strndup(ev->a, scratch->buf, scratch->len), scratch->len);
    }
    double f = val_to_number(v);
    if (!isnan(f) && isfinite(f) && f >= 0) {
        f = floor(f);
        if (f < (double)SIZE_MAX) {
            ix->has_int = true;
            ix->i = (size_t)f;
        }
    }
}

static struct val new_filtered(struct evaluator *ev)
{
    struct val v = val_new_array(ev->a);
    v.arr->is_filtered = true;
    return v;
}

static void add_all(struct evaluator *ev, struct val fa, const struct val *container)
{
    if (container->kind == VAL_ARRAY) {
        for (size_t i = 0; i < container->arr->len; i++)
            val_array_push(ev->a, fa, container->arr->items[i]);
    } else {
        for (size_t i = 0; i < container->obj->len; i++)
            val_array_push(ev->a, fa, container->obj->members[i].value);
    }
}

static struct val access(struct evaluator *ev, const struct val *obj, const struct index *ix)
{
    if (obj->kind == VAL_ARRAY && obj->arr->is_filtered) {
        struct val fa = new_filtered(ev);
        for (size_t k = 0; k < obj->arr->len; k++) {
            const struct val *item = &obj->arr->items[k];
            if (item->kind == VAL_OBJECT) {
                if (ix->star) {
                    add_all(ev, fa, item);
                } else if (ix->has_str) {
                    const struct val *v = val_object_find(item->obj, ix->str.p, ix->str.len);
                    if (v)
                        val_array_push(ev->a, fa, *v);
                }
            } else if (item->kind == VAL_ARRAY) {
                if (ix->star)
                    add_all(ev, fa, item);
                else if (ix->has_int && ix->i < item->arr->len)
                    val_array_push(ev->a, fa, item->arr->items[ix->i]);
            }
        }
        return fa;
    }
    if (obj->kind == VAL_ARRAY) {
        if (ix->star) {
            struct val fa = new_filtered(ev);
            add_all(ev, fa, obj);
            return fa;
        }
        if (ix->has_int && ix->i < obj->arr->len)
            return obj->arr->items[ix->i];
        return val_null();
    }
    if (obj->kind == VAL_OBJECT) {
        if (ix->star) {
            struct val fa = new_filtered(ev);
            add_all(ev, fa, obj);
            return fa;
        }
        if (ix->has_str) {
            const struct val *v = val_object_find(obj->obj, ix->str.p, ix->str.len);
            if (v)
                return *v;
        }
        return val_null();
    }
    return ix->star ? new_filtered(ev) : val_null();
}

static int eval_index(struct evaluator *ev, const struct expr *e, struct val *out)
{
    struct index ix = {.star = e->args[1] == NULL};
    struct val obj;
    int rc = eval(ev, e->args[0], &obj);
    if (rc < 0)
        return rc;
    if (!ix.star) {
        const struct expr *k = e->args[1];
        struct val key;
        if (k->kind == EXPR_LITERAL && k->literal.kind == VAL_STRING) {
            key = k->literal; /* the common a.b case, without a detour */
        } else {
            rc = eval(ev, k, &key);
            if (rc < 0)
                return rc;
        }
        if (key.kind == VAL_STRING && obj.kind == VAL_OBJECT) {
            const struct val *v = val_object_find(obj.obj, key.s.p, key.s.len);
            if (v)
                *out = *v;
            else
                set_null(out);
            return 0;
        }
        if (key.kind == VAL_NUMBER && obj.kind == VAL_ARRAY && !obj.arr->is_filtered) {
            /* a[0]: the integer part of a finite, non-negative number (else null) */
            double f = key.num;
            bool ok = f >= 0 && f < (double)obj.arr->len; /* false for NaN */
            *out = ok ? obj.arr->items[(size_t)f] : val_null();
            return 0;
        }
        if (obj.kind != VAL_ARRAY && obj.kind != VAL_OBJECT) {
            set_null(out); /* nothing to index (the key was still evaluated, for errors) */
            return 0;
        }
        if (key.kind == VAL_NUMBER && obj.kind == VAL_OBJECT) {
            /* a number names a member by its string form: no allocation */
            char buf[VAL_NUMBER_CHARS];
            size_t n = val_number_to_chars(buf, key.num);
            const struct val *v = val_object_find(obj.obj, buf, n);
            if (v)
                *out = *v;
            else
                set_null(out);
            return 0;
        }
        struct sbuf sb = SBUF_INIT;
        make_index(ev, &ix, &key, &sb);
        sbuf_release(&sb);
    }
    *out = access(ev, &obj, &ix);
    return 0;
}

static int eval_context(struct evaluator *ev, const struct expr *e, struct val *out)
{
    const struct expr_ctx *ctx = ev->ctx;
    if (ctx->contexts && ctx->contexts->kind == VAL_OBJECT) {
        const struct val *v = val_object_find(ctx->contexts->obj, e->name.p, e->name.len);
        if (v) {
            *out = *v;
            return 0;
        }
    }
    if (ctx->lookup && ctx->lookup(out, e->name.p, e->name.len, ctx->payload))
        return 0;
    set_null(out);
    return 0;
}

/* ---- functions ----------------------------------------------------------------------------- */

static bool is_primitive(const struct val *v)
{
    return v->kind != VAL_ARRAY && v->kind != VAL_OBJECT;
}

/* The string form of a primitive, borrowed when it is a string already. */
static struct str as_str(struct evaluator *ev, const struct val *v, struct sbuf *sb)
{
    if (v->kind == VAL_STRING)
        return v->s;
    sbuf_reset(sb);
    val_to_sbuf(sb, v);
    return str_make(sb->buf, sb->len);
}

static int fn_contains(struct evaluator *ev, struct val *args, struct val *out)
{
    const struct val *l = &args[0];
    const struct val *r = &args[1];
    bool found = false;
    if (is_primitive(l)) {
        if (is_primitive(r)) {
            struct sbuf a = SBUF_INIT;
            struct sbuf b = SBUF_INIT;
            found = expr_casefind(as_str(ev, l, &a), as_str(ev, r, &b)) >= 0;
            sbuf_release(&a);
            sbuf_release(&b);
        }
    } else if (l->kind == VAL_ARRAY) {
        for (size_t i = 0; i < l->arr->len && !found; i++)
            found = val_equals(r, &l->arr->items[i]);
    }
    set_bool(out, found);
    return 0;
}

static int fn_affix(struct evaluator *ev, struct val *args, struct val *out, bool prefix)
{
    if (!is_primitive(&args[0]) || !is_primitive(&args[1])) {
        set_bool(out, false);
        return 0;
    }
    struct sbuf a = SBUF_INIT;
    struct sbuf b = SBUF_INIT;
    struct str s = as_str(ev, &args[0], &a);
    struct str x = as_str(ev, &args[1], &b);
    set_bool(out, prefix ? expr_case_prefix(s, x) : expr_case_suffix(s, x));
    sbuf_release(&a);
    sbuf_release(&b);
    return 0;
}

/*
 * One pass of format() over f: with dst NULL it checks the format string and counts the bytes
 * of the result into *size; with dst it writes them. args[i] is the string form of argument i
 * (after the format string), n of them.
 */
static int format_pass(struct evaluator *ev, struct str fs, const struct str *args, size_t n,
                       char *dst, size_t *size)
{
    const char *f = fs.p;
    size_t len = fs.len;
    size_t index = 0;
    size_t w = 0;
#define EMIT(p, k)                                                                                 \
    do {                                                                                           \
        if (dst)                                                                                   \
            memcpy(dst + w, (p), (k));                                                             \
        w += (k);                                                                                  \
    } while (0)
    while (index < len) {
        const char *lb = memchr(f + index, '{', len - index);
        const char *rb = memchr(f + index, '}', len - index);
        long lbrace = lb ? lb - f : -1;
        long rbrace = rb ? rb - f : -1;
        if (lbrace >= 0 && (rbrace < 0 || rbrace > lbrace)) {
            if ((size_t)lbrace + 1 < len && f[lbrace + 1] == '{') {
                EMIT(f + index, (size_t)lbrace - index + 1);
                index = (size_t)lbrace + 2;
                continue;
            }
            if (rbrace > lbrace + 1) {
                size_t k = (size_t)lbrace + 1;
                size_t arg = 0;
                size_t digits = 0;
                while (k < len && f[k] >= '0' && f[k] <= '9') {
                    if (arg < 100000)
                        arg = arg * 10 + (size_t)(f[k] - '0');
                    k++;
                    digits++;
                }
                if (digits) {
                    if (arg >= n)
                        return eval_fail(ev, ERR_INVALID,
                                         "The following format string references more arguments "
                                         "than were supplied: %.*s",
                                         (int)len, f);
                    EMIT(f + index, (size_t)lbrace - index);
                    EMIT(args[arg].p, args[arg].len);
                    index = (size_t)rbrace + 1;
                    continue;
                }
            }
            return eval_fail(ev, ERR_INVALID, "The following format string is invalid: %.*s",
                             (int)len, f);
        } else if (rbrace >= 0) {
            if ((size_t)rbrace + 1 < len && f[rbrace + 1] == '}') {
                EMIT(f + index, (size_t)rbrace - index + 1);
                index = (size_t)rbrace + 2;
            } else {
                return eval_fail(ev, ERR_INVALID, "The following format string is invalid: %.*s",
                                 (int)len, f);
            }
        } else {
            EMIT(f + index, len - index);
            break;
        }
    }
#undef EMIT
    *size = w;
    return 0;
}

/*
 * format(): {N} placeholders, {{ and }} escapes, GitHub's two error messages. The result is
 * measured first, so that one over the memory limit is refused before it is built, and then
 * written straight into the arena.
 */
static int fn_format(struct evaluator *ev, struct val *args, size_t n, struct val *out)
{
    struct sbuf fsb = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    struct str fs = as_str(ev, &args[0], &fsb);
    struct str small[8];
    struct str *strs = n - 1 <= 8 ? small : arena_alloc_raw(ev->a, (n - 1) * sizeof(*strs));
    for (size_t i = 1; i < n; i++) {
        if (args[i].kind == VAL_STRING) {
            strs[i - 1] = args[i].s;
        } else {
            sbuf_reset(&tmp);
            val_to_sbuf(&tmp, &args[i]);
            strs[i - 1] = str_make(arena_strndup(ev->a, tmp.buf, tmp.len), tmp.len);
        }
    }
    size_t size = 0;
    int rc = format_pass(ev, fs, strs, n - 1, NULL, &size);
    if (rc == 0)
        rc = charge(ev, size);
    if (rc == 0) {
        char *dst = arena_alloc_raw(ev->a, size + 1);
        rc = format_pass(ev, fs, strs, n - 1, dst, &size);
        dst[size] = '\0';
        *out = val_string_borrowed(dst, size);
    }
    sbuf_release(&fsb);
    sbuf_release(&tmp);
    return rc;
}

static int fn_join(struct evaluator *ev, struct val *args, size_t n, struct val *out)
{
    struct sbuf res = SBUF_INIT;
    int rc = 0;
    if (is_primitive(&args[0])) {
        val_to_sbuf(&res, &args[0]);
    } else if (args[0].kind == VAL_ARRAY) {
        struct sbuf sep = SBUF_INIT;
        if (n > 1 && is_primitive(&args[1]))
            val_to_sbuf(&sep, &args[1]);
        else
            sbuf_addch(&sep, ',');
        for (size_t i = 0; i < args[0].arr->len; i++) {
            if (i)
                sbuf_add(&res, sep.buf, sep.len);
            val_to_sbuf(&res, &args[0].arr->items[i]);
            if (res.len > ev->max_memory)
                break;
        }
        sbuf_release(&sep);
    }
    rc = make_string(ev, out, &res);
    sbuf_release(&res);
    return rc;
}

static int fn_to_json(struct evaluator *ev, struct val *args, struct val *out)
{
    const void *container = args[0].kind == VAL_ARRAY    ? (const void *)args[0].arr
                            : args[0].kind == VAL_OBJECT ? (const void *)args[0].obj
                                                         : NULL;
    if (container && container == ev->json_of) {
        int rc = charge(ev, ev->json_text.len);
        if (rc == 0)
            *out = val_string_borrowed(ev->json_text.p, ev->json_text.len);
        return rc;
    }
    /* Past half the limit the text is not kept: 2 bytes a character fail the charge. */
    struct expr_json j;
    expr_json_render(&j, &args[0], true, ev->max_memory / 2 + 1);
    int rc = charge(ev, j.len);
    if (rc == 0) {
        *out = val_string(ev->a, j.p, j.len);
        if (container) {
            ev->json_of = container;
            ev->json_text = out->s;
        }
    }
    expr_json_done(&j);
    return rc;
}

static int fn_from_json(struct evaluator *ev, struct val *args, struct val *out)
{
    struct sbuf sb = SBUF_INIT;
    struct str s = as_str(ev, &args[0], &sb);
    struct err jerr; /* set by expr_json_read on failure; not zeroed (512 bytes, a hot path) */
    int rc = 0;
    if (str_trim(s).len == 0) {
        rc = eval_fail(ev, ERR_INVALID, "Error parsing fromJson: empty input");
        goto done;
    }
    rc = charge(ev, s.len);
    if (rc < 0)
        goto done;
    if (expr_json_read(out, ev->a, s.p, s.len, &jerr) < 0)
        rc = eval_fail(ev, ERR_INVALID, "Error parsing fromJson: %s", jerr.msg);
done:
    sbuf_release(&sb);
    return rc;
}

static bool status_truth(const struct expr_ctx *ctx, enum expr_func fn, const struct val *args,
                         size_t n_args)
{
    if (ctx->status_fn)
        return ctx->status_fn(fn, args, n_args, ctx->payload);
    switch (fn) {
    case EXPR_FN_SUCCESS:
        return ctx->status == EXPR_STATUS_SUCCESS;
    case EXPR_FN_FAILURE:
        return ctx->status == EXPR_STATUS_FAILURE;
    case EXPR_FN_CANCELLED:
        return ctx->status == EXPR_STATUS_CANCELLED;
    default:
        return true;
    }
}

static int eval_call(struct evaluator *ev, const struct expr *e, struct val *out)
{
    if (e->func == EXPR_FN_CASE) {
        /* Lazily, pair by pair: a later predicate is not evaluated once one is true. */
        for (size_t i = 0; i + 1 < e->n_args; i += 2) {
            struct val pred;
            int rc = eval(ev, e->args[i], &pred);
            if (rc < 0)
                return rc;
            if (pred.kind != VAL_BOOL)
                return eval_fail(ev, ERR_INVALID,
                                 "case predicate must evaluate to a boolean value");
            if (pred.b)
                return eval(ev, e->args[i + 1], out);
        }
        return eval(ev, e->args[e->n_args - 1], out);
    }
    struct val small[4];
    struct val *args = e->n_args <= 4 ? small : arena_alloc_raw(ev->a, e->n_args * sizeof(*args));
    for (size_t i = 0; i < e->n_args; i++) {
        int rc = eval(ev, e->args[i], &args[i]);
        if (rc < 0)
            return rc;
    }
    switch (e->func) {
    case EXPR_FN_CONTAINS:
        return fn_contains(ev, args, out);
    case EXPR_FN_STARTS_WITH:
        return fn_affix(ev, args, out, true);
    case EXPR_FN_ENDS_WITH:
        return fn_affix(ev, args, out, false);
    case EXPR_FN_FORMAT:
        return fn_format(ev, args, e->n_args, out);
    case EXPR_FN_JOIN:
        return fn_join(ev, args, e->n_args, out);
    case EXPR_FN_TO_JSON:
        return fn_to_json(ev, args, out);
    case EXPR_FN_FROM_JSON:
        return fn_from_json(ev, args, out);
    case EXPR_FN_HASH_FILES: {
        if (!ev->ctx->workspace)
            return eval_fail(ev, ERR_INVALID, "hashFiles() is not available here: no workspace");
        struct sbuf sb = SBUF_INIT;
        int rc = expr_hash_files(&sb, ev->ctx->workspace, args, e->n_args, ev->err);
        if (rc == 0)
            rc = make_string(ev, out, &sb);
        else if (ev->ctx->diag_out)
            *ev->ctx->diag_out = (struct expr_diag){.kind = EXPR_ERR_EVALUATION};
        sbuf_release(&sb);
        return rc;
    }
    case EXPR_FN_SUCCESS:
    case EXPR_FN_FAILURE:
    case EXPR_FN_CANCELLED:
    case EXPR_FN_ALWAYS:
        set_bool(out, status_truth(ev->ctx, e->func, args, e->n_args));
        return 0;
    case EXPR_FN_CASE:
        break;
    }
    BUG("unknown function %d", (int)e->func);
}

/* ---- the tree walk ------------------------------------------------------------------------- */

static int eval(struct evaluator *ev, const struct expr *e, struct val *out)
{
    int rc = 0;
    switch (e->kind) {
    case EXPR_LITERAL:
        *out = e->literal;
        return 0;
    case EXPR_CONTEXT:
        return eval_context(ev, e, out);
    case EXPR_INDEX:
        return eval_index(ev, e, out);
    case EXPR_CALL:
        return eval_call(ev, e, out);
    case EXPR_NOT: {
        struct val v;
        rc = eval(ev, e->args[0], &v);
        if (rc < 0)
            return rc;
        set_bool(out, !val_is_truthy(&v));
        return 0;
    }
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->n_args; i++) {
            rc = eval(ev, e->args[i], out);
            if (rc < 0)
                return rc;
            bool truthy = val_is_truthy(out);
            if (e->kind == EXPR_AND ? !truthy : truthy)
                break;
        }
        return 0;
    default: {
        struct val l;
        struct val r;
        rc = eval(ev, e->args[0], &l);
        if (rc < 0)
            return rc;
        rc = eval(ev, e->args[1], &r);
        if (rc < 0)
            return rc;
        bool b = false;
        switch (e->kind) {
        case EXPR_EQ:
            b = val_equals(&l, &r);
            break;
        case EXPR_NE:
            b = !val_equals(&l, &r);
            break;
        case EXPR_LT:
            b = val_less(&l, &r);
            break;
        case EXPR_LE:
            b = val_equals(&l, &r) || val_less(&l, &r);
            break;
        case EXPR_GT:
            b = val_greater(&l, &r);
            break;
        case EXPR_GE:
            b = val_equals(&l, &r) || val_greater(&l, &r);
            break;
        default:
            BUG("unknown node kind %d", (int)e->kind);
        }
        set_bool(out, b);
        return 0;
    }
    }
}

int expr_eval(struct val *out, struct arena *scratch, const struct expr *e,
              const struct expr_ctx *ctx, struct err *err)
{
    static const struct expr_ctx none = {.contexts = NULL};
    struct evaluator ev = {.a = scratch, .ctx = ctx ? ctx : &none, .err = err};
    ev.max_memory = ev.ctx->max_memory ? ev.ctx->max_memory : EXPR_MAX_MEMORY;
    struct val v;
    int rc = eval(&ev, e, &v);
    if (rc < 0)
        return rc; /* *out stays as it was */
    /* member by member, as set_bool wrote them (a whole-struct copy would stall) */
    out->kind = v.kind;
    switch (v.kind) {
    case VAL_NULL:
        break;
    case VAL_BOOL:
        out->b = v.b;
        break;
    case VAL_NUMBER:
        out->num = v.num;
        break;
    case VAL_STRING:
        out->s.p = v.s.p;
        out->s.len = v.s.len;
        break;
    case VAL_ARRAY:
        out->arr = v.arr;
        break;
    case VAL_OBJECT:
        out->obj = v.obj;
        break;
    }
    return 0;
}

int expr_eval_str(struct val *out, struct arena *scratch, const char *src, size_t len,
                  const struct expr_parse_opts *opts, const struct expr_ctx *ctx, struct err *err)
{
    struct expr_parse_opts po = opts ? *opts : EXPR_PARSE_OPTS_INIT;
    const char **names = NULL;
    int rc = 0;
    if (ctx && ctx->contexts && ctx->contexts->kind == VAL_OBJECT && !po.contexts) {
        const struct val_object *o = ctx->contexts->obj;
        names = xcalloc(o->len + 1, sizeof(*names));
        for (size_t i = 0; i < o->len; i++)
            names[i] = o->members[i].key.p;
        po.contexts = names;
        po.n_contexts = o->len;
    }
    struct expr *e = NULL;
    rc = expr_parse(&e, scratch, src, len, &po, err);
    if (rc == 0)
        rc = expr_eval(out, scratch, e, ctx, err);
    xfree(names);
    return rc;
}
