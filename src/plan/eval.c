/*
 * Template-token evaluation: the runner's TemplateEvaluator in small. The workflow loader has
 * already validated every expression against the contexts its key allows, so here every named
 * value is accepted and the status functions too (runs-on, strategy and names never use them,
 * but a token may come from any key the executor evaluates).
 */

#include <string.h>

#include "internal.h"
#include "util/sbuf.h"

static const char *const step_functions[] = {"hashFiles", "success", "failure", "cancelled",
                                             "always"};
static const char *const job_if_functions[] = {"success(0,MAX)", "failure(0,MAX)", "cancelled",
                                               "always"};

int plan_expr_parse(struct expr **out, struct arena *a, const char *src, size_t len, bool is_job_if,
                    struct err *err)
{
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.allow_any_context = true;
    po.functions = is_job_if ? job_if_functions : step_functions;
    po.n_functions = is_job_if ? sizeof(job_if_functions) / sizeof(job_if_functions[0])
                               : sizeof(step_functions) / sizeof(step_functions[0]);
    return expr_parse(out, a, src, len, &po, err);
}

static int eval_expr(struct val *out, struct arena *a, const struct wf_token *t,
                     const struct expr_ctx *ctx, struct err *err)
{
    struct expr *e = NULL;
    int rc = plan_expr_parse(&e, a, t->str, t->len, false, err);
    if (rc)
        return rc;
    return expr_eval(out, a, e, ctx, err);
}

static void locate(struct err *err, const struct wf_token *t)
{
    if (t && t->line)
        err_prefix(err, "(Line: %zu, Col: %zu): ", t->line, t->col);
}

int plan_eval_token(struct val *out, struct arena *a, const struct wf_token *t,
                    const struct expr_ctx *ctx, struct err *err)
{
    if (!t) {
        *out = val_null();
        return 0;
    }
    switch (t->kind) {
    case WF_TOK_STRING:
        *out = val_string(a, t->str ? t->str : "", t->str ? t->len : 0);
        return 0;
    case WF_TOK_BOOL:
        *out = val_bool(t->boolean);
        return 0;
    case WF_TOK_NUMBER:
        *out = val_number(t->number);
        return 0;
    case WF_TOK_NULL:
        *out = val_null();
        return 0;
    case WF_TOK_EXPR:
    case WF_TOK_INSERT: {
        int rc = eval_expr(out, a, t, ctx, err);
        if (rc)
            locate(err, t);
        return rc;
    }
    case WF_TOK_SEQUENCE: {
        struct val arr = val_new_array(a);
        for (size_t i = 0; i < t->nitems; i++) {
            struct val item;
            int rc = plan_eval_token(&item, a, t->items[i], ctx, err);
            if (rc)
                return rc;
            /* an expression item that yields a sequence is spliced in, as the runner's
             * template evaluator does (act's evalmatrix-merge-array case) */
            if (t->items[i]->kind == WF_TOK_EXPR && item.kind == VAL_ARRAY) {
                for (size_t k = 0; k < item.arr->len; k++)
                    val_array_push(a, arr, item.arr->items[k]);
                continue;
            }
            val_array_push(a, arr, item);
        }
        *out = arr;
        return 0;
    }
    case WF_TOK_MAPPING: {
        struct val obj = val_new_object(a);
        for (size_t i = 0; i < t->npairs; i++) {
            const struct wf_token *k = t->pairs[i].key;
            struct val v;
            int rc = plan_eval_token(&v, a, t->pairs[i].value, ctx, err);
            if (rc)
                return rc;
            if (k->kind == WF_TOK_INSERT) {
                if (v.kind != VAL_OBJECT) {
                    err_set(err, ERR_INVALID, "Expected a mapping for ${{ insert }}, got %s",
                            val_kind_name(v.kind));
                    locate(err, k);
                    return ERR_INVALID;
                }
                for (size_t m = 0; m < v.obj->len; m++)
                    val_object_set(a, obj, v.obj->members[m].key.p, v.obj->members[m].key.len,
                                   v.obj->members[m].value);
                continue;
            }
            struct val kv;
            rc = plan_eval_token(&kv, a, k, ctx, err);
            if (rc)
                return rc;
            struct sbuf ks = SBUF_INIT;
            val_to_sbuf(&ks, &kv);
            val_object_set(a, obj, ks.buf, ks.len, v);
            sbuf_release(&ks);
        }
        *out = obj;
        return 0;
    }
    }
    *out = val_null();
    return 0;
}

void plan_obj_str(struct arena *a, struct val obj, const char *key, const char *value)
{
    val_object_set(a, obj, key, strlen(key),
                   val_string(a, value ? value : "", value ? strlen(value) : 0));
}
