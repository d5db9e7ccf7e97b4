/*
 * runnel expr: evaluates ${{ }} expressions (docs/cli.md, "runnel expr").
 *
 *   runnel expr 'EXPR' [--context FILE.json] [--workspace DIR] [--status STATUS]
 *       prints the value: strings raw, everything else as JSON (toJSON's layout)
 *   runnel expr --jsonl [--workspace DIR] [--status STATUS]
 *       reads {"expr": ..., "contexts": {...}} lines on stdin, writes one line per case in the
 *       shape of GitHub's conformance data: {"result": {"kind": ..., "value": ...}} or
 *       {"err": {"kind": "lexing"|"parsing"|"evaluation", "value": "<message>"}}
 *
 * The top-level keys of the contexts are the only named values allowed, as in GitHub's
 * conformance harness. --workspace allows hashFiles() over that directory; --status allows the
 * status functions and says what the job status is (success, failure or cancelled).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "expr/expr.h"
#include "util/json.h"
#include "util/xalloc.h"

#define EXPR_CONTEXT_MAX (64u << 20) /* bytes of a --context file */
#define EXPR_LINE_MAX (64u << 20)    /* bytes of one --jsonl input line */

struct expr_cli {
    const char *workspace;
    bool has_status;
    enum expr_status status;
    const char *functions[5];
    size_t n_functions;
};

static void usage(FILE *out)
{
    fputs("usage: runnel expr 'EXPR' [--context FILE.json] [--workspace DIR] [--status STATUS]\n"
          "       runnel expr --jsonl [--workspace DIR] [--status STATUS]   (cases on stdin)\n"
          "STATUS is success, failure or cancelled (allows success(), failure(), cancelled(),\n"
          "always()); --workspace allows hashFiles() over DIR\n",
          out);
}

static const char *err_kind_name(enum expr_err_kind k)
{
    switch (k) {
    case EXPR_ERR_LEXING:
        return "lexing";
    case EXPR_ERR_PARSING:
        return "parsing";
    default:
        return "evaluation";
    }
}

static void setup(const struct expr_cli *cli, struct expr_parse_opts *po, struct expr_ctx *ctx,
                  struct expr_diag *diag)
{
    po->functions = cli->functions;
    po->n_functions = cli->n_functions;
    po->diag_out = diag;
    ctx->workspace = cli->workspace;
    ctx->status = cli->status;
    ctx->diag_out = diag;
}

/* Evaluates one {"expr", "contexts"} case and appends its result line (without newline). */
static bool run_case(struct sbuf *out, struct arena *a, const struct expr_cli *cli, const cJSON *c)
{
    const cJSON *jexpr = cJSON_GetObjectItemCaseSensitive(c, "expr");
    if (!cJSON_IsString(jexpr)) {
        sbuf_addstr(out, "{\"err\":{\"kind\":\"input\",\"value\":\"no \\\"expr\\\" string\"}}");
        return false;
    }
    const cJSON *jctx = cJSON_GetObjectItemCaseSensitive(c, "contexts");
    struct val contexts = cJSON_IsObject(jctx) ? val_from_json(a, jctx) : val_new_object(a);
    struct expr_diag diag = {0};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    struct expr_ctx ctx = EXPR_CTX_INIT;
    setup(cli, &po, &ctx, &diag);
    ctx.contexts = &contexts;
    struct val v;
    struct err err; /* filled on failure; zeroing 512 bytes per line is measurable */
    const char *src = jexpr->valuestring;
    if (expr_eval_str(&v, a, src, strlen(src), &po, &ctx, &err) < 0) {
        sbuf_addf(out, "{\"err\":{\"kind\":\"%s\",\"value\":\"", err_kind_name(diag.kind));
        sbuf_add_json_escaped(out, err.msg, strlen(err.msg));
        sbuf_addstr(out, "\"}}");
        return true;
    }
    sbuf_addf(out, "{\"result\":{\"kind\":\"%s\",\"value\":", val_kind_name(v.kind));
    val_to_json_sbuf(out, &v, false);
    sbuf_addstr(out, "}}");
    return true;
}

static int run_jsonl(const struct expr_cli *cli)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    struct arena a = ARENA_INIT;
    struct sbuf out = SBUF_INIT;
    int status = CLI_OK;
    size_t lineno = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        sbuf_reset(&out);
        cJSON *c = NULL;
        struct err err; /* set wherever it is read below */
        if ((size_t)n > EXPR_LINE_MAX) {
            err_set(&err, ERR_INVALID, "line %zu exceeds %u bytes", lineno, EXPR_LINE_MAX);
            status = CLI_FAIL;
        } else if (json_parse(&c, line, (size_t)n, &err) < 0) {
            err_prefix(&err, "line %zu: ", lineno);
            status = CLI_FAIL;
        }
        if (c) {
            if (!run_case(&out, &a, cli, c))
                status = CLI_FAIL;
        } else {
            sbuf_addstr(&out, "{\"err\":{\"kind\":\"input\",\"value\":\"");
            sbuf_add_json_escaped(&out, err.msg, strlen(err.msg));
            sbuf_addstr(&out, "\"}}");
        }
        sbuf_addch(&out, '\n');
        fwrite(out.buf, 1, out.len, stdout);
        cJSON_Delete(c);
        arena_reset(&a);
    }
    if (ferror(stdin)) {
        cli_error("reading standard input: %s", strerror(errno));
        status = CLI_USAGE;
    }
    xfree(line);
    sbuf_release(&out);
    arena_release(&a);
    fflush(stdout);
    return status;
}

static int run_one(const struct expr_cli *cli, const char *src, const char *context_file)
{
    struct arena a = ARENA_INIT;
    struct sbuf out = SBUF_INIT;
    cJSON *json = NULL;
    struct err err = ERR_INIT;
    int status = CLI_OK;
    struct val contexts = val_new_object(&a);
    if (context_file) {
        if (json_load(&json, context_file, EXPR_CONTEXT_MAX, &err) < 0) {
            cli_error_err(NULL, &err);
            status = CLI_USAGE;
            goto done;
        }
        if (!cJSON_IsObject(json)) {
            cli_error("%s: the contexts must be a JSON object", context_file);
            status = CLI_USAGE;
            goto done;
        }
        contexts = val_from_json(&a, json);
    }
    struct expr_diag diag = {0};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    struct expr_ctx ctx = EXPR_CTX_INIT;
    setup(cli, &po, &ctx, &diag);
    ctx.contexts = &contexts;
    struct val v;
    if (expr_eval_str(&v, &a, src, strlen(src), &po, &ctx, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    if (v.kind == VAL_STRING)
        sbuf_add(&out, v.s.p, v.s.len);
    else
        val_to_json_sbuf(&out, &v, true);
    sbuf_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stdout);
done:
    cJSON_Delete(json);
    sbuf_release(&out);
    arena_release(&a);
    return status;
}

int cli_cmd_expr(int argc, char **argv)
{
    struct expr_cli cli = {0};
    const char *context_file = NULL;
    const char *src = NULL;
    bool jsonl = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(arg, "--jsonl")) {
            jsonl = true;
        } else if (!strcmp(arg, "--context") || !strcmp(arg, "--workspace") ||
                   !strcmp(arg, "--status")) {
            if (i + 1 >= argc) {
                cli_error("'%s' needs a value", arg);
                return CLI_USAGE;
            }
            const char *value = argv[++i];
            if (!strcmp(arg, "--context")) {
                context_file = value;
            } else if (!strcmp(arg, "--workspace")) {
                if (cli.workspace) {
                    cli_error("'--workspace' given twice");
                    return CLI_USAGE;
                }
                cli.workspace = value;
                cli.functions[cli.n_functions++] = "hashFiles";
            } else if (!strcmp(value, "success") || !strcmp(value, "failure") ||
                       !strcmp(value, "cancelled")) {
                if (cli.has_status) {
                    cli_error("'--status' given twice");
                    return CLI_USAGE;
                }
                cli.has_status = true;
                cli.status = !strcmp(value, "success")   ? EXPR_STATUS_SUCCESS
                             : !strcmp(value, "failure") ? EXPR_STATUS_FAILURE
                                                         : EXPR_STATUS_CANCELLED;
                cli.functions[cli.n_functions++] = "success";
                cli.functions[cli.n_functions++] = "failure";
                cli.functions[cli.n_functions++] = "cancelled";
                cli.functions[cli.n_functions++] = "always";
            } else {
                cli_error("unknown status '%s' (success, failure or cancelled)", value);
                return CLI_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] == '-') {
            cli_error("unknown option '%s'", arg);
            usage(stderr);
            return CLI_USAGE;
        } else if (!src) {
            src = arg;
        } else {
            cli_error("one expression at a time (got '%s' after '%s')", arg, src);
            return CLI_USAGE;
        }
    }
    if (jsonl) {
        if (src || context_file) {
            cli_error("'--jsonl' reads the expressions and contexts from standard input");
            return CLI_USAGE;
        }
        return run_jsonl(&cli);
    }
    if (!src) {
        usage(stderr);
        return CLI_USAGE;
    }
    return run_one(&cli, src, context_file);
}
