/*
 * libFuzzer target over what `runnel expr` does: parse and evaluate an expression against a
 * fixed set of contexts, and split the same bytes as a template and as an if: condition.
 * Input: the expression bytes; when a NUL byte is present, what follows it is a JSON object
 * used as the contexts instead of the built-in ones.
 *
 * Seed corpus: the expressions of ../shared/conformance/expressions/, written one per file by
 * fuzz/expr_seed.sh. Run:
 *   fuzz/expr_seed.sh /tmp/expr-corpus
 *   build-fuzz/fuzz/expr_fuzz -max_total_time=600 -rss_limit_mb=2048 /tmp/expr-corpus
 */
#include <stdint.h>
#include <string.h>

#include "expr/expr.h"
#include "util/json.h"

static const char default_contexts[] =
    "{\"github\":{\"event_name\":\"push\",\"ref\":\"refs/heads/main\",\"event\":{\"issue\":"
    "{\"labels\":[{\"name\":\"bug\"},{\"name\":\"docs\"}]}},\"sha\":\"abc\"},"
    "\"matrix\":{\"os\":[\"linux\",\"mac\"],\"n\":3,\"x\":null},\"env\":{\"A\":\"1\",\"b\":true},"
    "\"steps\":{\"s1\":{\"outputs\":{\"v\":\"0x10\"},\"outcome\":\"success\"}},\"arr\":[[1,2],"
    "{\"a\":{\"b\":[3]}},\"s\",-0.5]}";

static const char *const status_fns[] = {"success", "failure", "cancelled", "always"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    size_t len = size;
    const char *json = default_contexts;
    size_t json_len = sizeof(default_contexts) - 1;
    const void *nul = memchr(data, 0, size);
    if (nul) {
        len = (size_t)((const uint8_t *)nul - data);
        json = src + len + 1;
        json_len = size - len - 1;
    }
    struct arena a = ARENA_INIT;
    struct err err = ERR_INIT;
    cJSON *j = NULL;
    struct val contexts = val_new_object(&a);
    if (json_parse(&j, json, json_len, &err) == 0 && cJSON_IsObject(j))
        contexts = val_from_json(&a, j);
    cJSON_Delete(j);

    struct expr_diag diag = {0};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.functions = status_fns;
    po.n_functions = 4;
    po.diag_out = &diag;
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.contexts = &contexts;
    ctx.status = (enum expr_status)(size % 3);
    ctx.diag_out = &diag;
    struct val v;
    if (expr_eval_str(&v, &a, src, len, &po, &ctx, &err) == 0) {
        struct sbuf sb = SBUF_INIT;
        val_to_sbuf(&sb, &v);
        val_to_json_sbuf(&sb, &v, true);
        cJSON *back = val_to_json(&v);
        cJSON_Delete(back);
        sbuf_release(&sb);
    }

    po.allow_any_context = true;
    struct expr_template *t = NULL;
    if (expr_template_parse(&t, &a, src, len, &po, &err) == 0)
        (void)expr_template_eval(&v, &a, t, &ctx, &err);
    struct expr *e = NULL;
    if (expr_if_parse(&e, &a, src, len, &po, &err) == 0)
        (void)expr_eval(&v, &a, e, &ctx, &err);
    arena_release(&a);
    return 0;
}
