/*
 * What GitHub's shared conformance cases do not cover: status functions as jobs, steps and
 * composite actions see them, the if: rule, hashFiles, templates, the limits, positions and
 * the value API the workflow loader uses. Expected values come from GitHub's documentation and
 * the runner's behaviour (cited at each test), or from an independent computation (the
 * hashFiles digests were computed with Python's hashlib, see hash_files_*).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr/expr.h"
#include "harness.h"
#include "util/path.h"

static const char *const all_status[] = {"success", "failure", "cancelled", "always"};

/* Evaluates src with the given contexts JSON (or none) and options; returns 0 or the code. */
static int eval_with(struct sbuf *out, const char *src, const char *contexts_json,
                     const struct expr_parse_opts *po_in, const struct expr_ctx *ctx_in,
                     struct err *err)
{
    struct arena a = ARENA_INIT;
    struct expr_parse_opts po = po_in ? *po_in : EXPR_PARSE_OPTS_INIT;
    struct expr_ctx ctx = ctx_in ? *ctx_in : EXPR_CTX_INIT;
    struct val contexts = val_new_object(&a);
    cJSON *j = NULL;
    if (contexts_json) {
        j = cJSON_Parse(contexts_json);
        if (!j)
            return -100;
        contexts = val_from_json(&a, j);
        cJSON_Delete(j);
    }
    ctx.contexts = &contexts;
    struct val v;
    int rc = expr_eval_str(&v, &a, src, strlen(src), &po, &ctx, err);
    if (rc == 0) {
        sbuf_addf(out, "%s:", val_kind_name(v.kind));
        if (v.kind == VAL_STRING)
            sbuf_add(out, v.s.p, v.s.len);
        else
            val_to_json_sbuf(out, &v, false);
    }
    arena_release(&a);
    return rc;
}

static bool eval_if(const char *cond, enum expr_status status, struct err *err, int *rc)
{
    struct arena a = ARENA_INIT;
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.functions = all_status;
    po.n_functions = 4;
    po.allow_any_context = true;
    struct expr *e = NULL;
    bool truth = false;
    *rc = expr_if_parse(&e, &a, cond, strlen(cond), &po, err);
    if (*rc == 0) {
        struct expr_ctx ctx = EXPR_CTX_INIT;
        ctx.status = status;
        struct val v;
        *rc = expr_eval(&v, &a, e, &ctx, err);
        truth = *rc == 0 && val_is_truthy(&v);
    }
    arena_release(&a);
    return truth;
}

/*
 * docs.github.com "Status check functions": success() is true when no previous step failed or
 * was cancelled, failure() when any previous step failed, cancelled() when the workflow was
 * cancelled, always() always. A step without a status function runs only on success.
 */
static void status_functions_in_step_if(void)
{
    struct err err = ERR_INIT;
    int rc = 0;
    CHECK(eval_if("true", EXPR_STATUS_SUCCESS, &err, &rc));
    CHECK(!eval_if("true", EXPR_STATUS_FAILURE, &err, &rc));
    CHECK(!eval_if("true", EXPR_STATUS_CANCELLED, &err, &rc));
    CHECK(eval_if("failure()", EXPR_STATUS_FAILURE, &err, &rc));
    CHECK(!eval_if("failure()", EXPR_STATUS_SUCCESS, &err, &rc));
    CHECK(eval_if("always()", EXPR_STATUS_CANCELLED, &err, &rc));
    CHECK(eval_if("cancelled()", EXPR_STATUS_CANCELLED, &err, &rc));
    CHECK(!eval_if("success()", EXPR_STATUS_CANCELLED, &err, &rc));
    /* "${{ }}" around a condition changes nothing; the implied success() still applies */
    CHECK(!eval_if("${{ 1 == 1 }}", EXPR_STATUS_FAILURE, &err, &rc));
    CHECK(eval_if("${{ failure() || 0 }}", EXPR_STATUS_FAILURE, &err, &rc));
    /* a status function anywhere, even under !, means no implied success() */
    CHECK(eval_if("!cancelled()", EXPR_STATUS_FAILURE, &err, &rc));
    CHECK_INT(rc, 0);
}

/* The job's if: sees the needed jobs' results; the caller decides, through status_fn. */
struct job_view {
    bool any_needed_failed;
    bool run_cancelled;
};

static bool job_status(enum expr_func fn, const struct val *args, size_t n_args, void *payload)
{
    const struct job_view *jv = payload;
    /* success('name'): the named needed job only ("lint" succeeded in these tests) */
    if (n_args == 1 && args[0].kind == VAL_STRING && !strcmp(args[0].s.p, "lint"))
        return fn == EXPR_FN_SUCCESS;
    switch (fn) {
    case EXPR_FN_SUCCESS:
        return !jv->any_needed_failed && !jv->run_cancelled;
    case EXPR_FN_FAILURE:
        return jv->any_needed_failed;
    case EXPR_FN_CANCELLED:
        return jv->run_cancelled;
    default:
        return true;
    }
}

static void status_functions_in_job_and_composite_contexts(void)
{
    struct arena a = ARENA_INIT;
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    static const char *const job_ctx[] = {"github", "needs", "vars", "inputs"};
    po.contexts = job_ctx;
    po.n_contexts = 4;
    po.functions = all_status;
    po.n_functions = 4;
    struct err err = ERR_INIT;
    struct expr *e = NULL;
    const char *cond = "needs.build.result == 'failure'";
    CHECK_INT(expr_if_parse(&e, &a, cond, strlen(cond), &po, &err), 0);
    struct job_view jv = {.any_needed_failed = true};
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.status_fn = job_status;
    ctx.payload = &jv;
    struct val v;
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(!val_is_truthy(&v)); /* implied success() is false once a needed job failed */
    CHECK_INT(expr_if_parse(&e, &a, "failure()", 9, &po, &err), 0);
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(val_is_truthy(&v));
    /* composite action steps see the composite's own status, again through the callback */
    jv = (struct job_view){.any_needed_failed = false};
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(!val_is_truthy(&v));
    /* job-level status functions may name needed jobs when the caller allows arguments */
    static const char *const job_fns[] = {"success(0,MAX)", "failure(0,MAX)", "cancelled",
                                          "always"};
    po.functions = job_fns;
    CHECK_INT(expr_if_parse(&e, &a, "success('lint')", 15, &po, &err), 0);
    jv = (struct job_view){.any_needed_failed = true};
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(val_is_truthy(&v));
    CHECK(expr_if_parse(&e, &a, "cancelled('lint')", 17, &po, &err) < 0);
    CHECK_STR(err.msg, "Too many parameters supplied: 'cancelled'. Located at position 1 within "
                       "expression: cancelled('lint')");
    po.functions = all_status;
    /* jobs.<id>.if cannot see steps: the loader leaves it out of the allowed names */
    struct expr_diag diag = {0};
    po.diag_out = &diag;
    CHECK(expr_if_parse(&e, &a, "steps.x.outcome", 15, &po, &err) < 0);
    CHECK_STR(err.msg, "Unrecognized named-value: 'steps'. Located at position 1 within "
                       "expression: steps.x.outcome");
    CHECK_INT(diag.kind, EXPR_ERR_PARSING);
    CHECK_INT(diag.pos, 1);
    /* status functions are not allowed where the caller does not list them (env:, with:) */
    po.n_functions = 0;
    CHECK(expr_parse(&e, &a, "1 && success()", 14, &po, &err) < 0);
    CHECK_STR(err.msg, "Unrecognized function: 'success'. Located at position 6 within "
                       "expression: 1 && success()");
    CHECK_INT(diag.offset, 5);
    arena_release(&a);
}

static void write_file(const char *dir, const char *name, const char *content)
{
    struct sbuf p = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&p, "%s/%s", dir, name);
    struct sbuf d = SBUF_INIT;
    path_dirname(&d, p.buf);
    fs_mkdirs(d.buf, 0755, &err);
    fs_write_file(p.buf, content, strlen(content), &err);
    sbuf_release(&d);
    sbuf_release(&p);
}

static int hash(struct sbuf *out, const char *ws, const char *src, struct err *err)
{
    static const char *const fns[] = {"hashFiles"};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.functions = fns;
    po.n_functions = 1;
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.workspace = ws;
    sbuf_reset(out);
    return eval_with(out, src, NULL, &po, &ctx, err);
}

/*
 * The runner's hashFiles: sha256 of each matched file's sha256 digest, files in the order of a
 * depth-first walk with sorted entries ('b/c.txt' before 'b.txt'). Expected digests from
 *   python3 -c 'import hashlib; o=hashlib.sha256(); [o.update(hashlib.sha256(c).digest())
 *               for c in (b"alpha\n", ...)]; print(o.hexdigest())'
 */
static void hash_files_patterns_negation_and_order(void)
{
    struct sbuf ws = SBUF_INIT;
    sbuf_addf(&ws, "%s/ws", harness_tmpdir());
    write_file(ws.buf, "a.txt", "alpha\n");
    write_file(ws.buf, "b/c.txt", "charlie\n");
    write_file(ws.buf, "b/d.md", "delta\n");
    write_file(ws.buf, "b.txt", "bravo\n");
    write_file(harness_tmpdir(), "outside.txt", "outside\n");
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    CHECK_INT(hash(&out, ws.buf, "hashFiles('**/*.txt')", &err), 0);
    CHECK_STR(out.buf, "String:d15c0f2c3aa2682b30ad7e0447fd94c906e3d8491700f017259e67f5f90e3e6e");
    CHECK_INT(hash(&out, ws.buf, "hashFiles('**/*.txt', '!b/**')", &err), 0);
    CHECK_STR(out.buf, "String:cf25e9b2c827c5b5acd2ca079f4c9cbb5cea16c8ab0ce1bdeac10037b6960d72");
    CHECK_INT(hash(&out, ws.buf, "hashFiles('a.txt', 'b/*.md')", &err), 0);
    CHECK_STR(out.buf, "String:9d8f0c27e94dfb1e35c9a35d8d1ce7e32b030968d5fb4666bef8a6ca3e2d2e5b");
    /* one argument holding several lines is several patterns, '#' lines are comments */
    CHECK_INT(hash(&out, ws.buf, "hashFiles(format('a.txt{0}# c{0}b/*.md', '\n'))", &err), 0);
    CHECK_STR(out.buf, "String:9d8f0c27e94dfb1e35c9a35d8d1ce7e32b030968d5fb4666bef8a6ca3e2d2e5b");
    /* a directory stands for everything below it */
    CHECK_INT(hash(&out, ws.buf, "hashFiles('b')", &err), 0);
    CHECK_STR(out.buf, "String:010eeccb0d031703a131fbadd576dff2b8808a03a305732cc6a1aa58a28eadca");
    sbuf_release(&out);
    sbuf_release(&ws);
}

static void hash_files_no_match_and_outside_workspace_give_empty(void)
{
    struct sbuf ws = SBUF_INIT;
    sbuf_addf(&ws, "%s/ws", harness_tmpdir());
    write_file(ws.buf, "a.txt", "alpha\n");
    write_file(harness_tmpdir(), "outside.txt", "outside\n");
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    CHECK_INT(hash(&out, ws.buf, "hashFiles('*.md')", &err), 0);
    CHECK_STR(out.buf, "String:");
    CHECK_INT(hash(&out, ws.buf, "hashFiles('../outside.txt')", &err), 0);
    CHECK_STR(out.buf, "String:");
    struct sbuf src = SBUF_INIT;
    sbuf_addf(&src, "hashFiles('%s/outside.txt')", harness_tmpdir());
    CHECK_INT(hash(&out, ws.buf, src.buf, &err), 0);
    CHECK_STR(out.buf, "String:");
    /* an absolute pattern inside the workspace works like a relative one */
    sbuf_reset(&src);
    sbuf_addf(&src, "hashFiles('%s/a.txt') == hashFiles('a.txt')", ws.buf);
    CHECK_INT(hash(&out, ws.buf, src.buf, &err), 0);
    CHECK_STR(out.buf, "Boolean:true");
    sbuf_release(&src);
    sbuf_release(&out);
    sbuf_release(&ws);
}

static int template_eval(struct sbuf *out, const char *s, const char *contexts_json,
                         struct err *err)
{
    struct arena a = ARENA_INIT;
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.allow_any_context = true;
    cJSON *j = cJSON_Parse(contexts_json);
    struct val contexts = val_from_json(&a, j);
    cJSON_Delete(j);
    struct expr_template *t = NULL;
    int rc = expr_template_parse(&t, &a, s, strlen(s), &po, err);
    if (rc == 0) {
        struct expr_ctx ctx = EXPR_CTX_INIT;
        ctx.contexts = &contexts;
        struct val v;
        rc = expr_template_eval(&v, &a, t, &ctx, err);
        if (rc == 0) {
            sbuf_addf(out, "%s:", val_kind_name(v.kind));
            if (v.kind == VAL_STRING)
                sbuf_add(out, v.s.p, v.s.len);
            else
                val_to_json_sbuf(out, &v, false);
        }
    }
    arena_release(&a);
    return rc;
}

/* docs.github.com "Expressions": ${{ }} parts are substituted; a lone one keeps its type. */
static void templates_mix_text_and_several_expressions(void)
{
    const char *ctx = "{\"matrix\":{\"os\":\"linux\",\"n\":3},\"inc\":[1,2]}";
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    CHECK_INT(template_eval(&out, "build-${{ matrix.os }}-${{matrix.n}} of ${{ 0.5 }}", ctx, &err),
              0);
    CHECK_STR(out.buf, "String:build-linux-3 of 0.5");
    sbuf_reset(&out);
    CHECK_INT(template_eval(&out, "${{ fromJSON('{\"a\":[1,true]}') }}", ctx, &err), 0);
    CHECK_STR(out.buf, "Object:{\"a\":[1,true]}");
    sbuf_reset(&out);
    /* surrounding space makes it a string; arrays convert as 'Array' */
    CHECK_INT(template_eval(&out, " ${{ inc }}", ctx, &err), 0);
    CHECK_STR(out.buf, "String: Array");
    sbuf_reset(&out);
    /* '}}' inside a string literal does not close the expression */
    CHECK_INT(template_eval(&out, "x${{ format('{0}}}', 'y') }}z", ctx, &err), 0);
    CHECK_STR(out.buf, "String:xy}z");
    sbuf_reset(&out);
    CHECK_INT(template_eval(&out, "no expressions {{ here }}", ctx, &err), 0);
    CHECK_STR(out.buf, "String:no expressions {{ here }}");
    sbuf_reset(&out);
    CHECK(template_eval(&out, "a ${{ matrix.os", ctx, &err) < 0);
    CHECK_STR(err.msg, "The expression is not closed. An unescaped ${{ sequence was found, but "
                       "the closing }} sequence was not found.");
    CHECK(template_eval(&out, "a ${{  }} b", ctx, &err) < 0);
    CHECK_STR(err.msg, "An expression was expected");
    sbuf_release(&out);
}

static void template_parse_error_offset_is_in_the_template(void)
{
    struct arena a = ARENA_INIT;
    struct expr_diag diag = {0};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    static const char *const names[] = {"github"};
    po.contexts = names;
    po.n_contexts = 1;
    po.diag_out = &diag;
    struct err err = ERR_INIT;
    struct expr_template *t = NULL;
    const char *s = "echo ${{ github.sha }} ${{ secrets.foo }}";
    CHECK(expr_template_parse(&t, &a, s, strlen(s), &po, &err) < 0);
    CHECK_STR(err.msg, "Unrecognized named-value: 'secrets'. Located at position 1 within "
                       "expression: secrets.foo");
    CHECK_INT(diag.pos, 1);
    CHECK_INT(diag.offset, 27); /* byte offset of "secrets" in s */
    arena_release(&a);
}

static void deep_nesting_and_limits(void)
{
    struct sbuf src = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    /* each ! is one level below the expression's own: 49 pass, 50 exceed depth 50 */
    sbuf_addchars(&src, '!', 49);
    sbuf_addstr(&src, "false");
    CHECK_INT(eval_with(&out, src.buf, NULL, NULL, NULL, &err), 0);
    CHECK_STR(out.buf, "Boolean:true");
    sbuf_reset(&src);
    sbuf_addchars(&src, '!', 50);
    sbuf_addstr(&src, "false");
    CHECK(eval_with(&out, src.buf, NULL, NULL, NULL, &err) < 0);
    CHECK(strstr(err.msg, "Exceeded max expression depth 50") != NULL);
    /* parentheses count too */
    sbuf_reset(&src);
    sbuf_addchars(&src, '(', 60);
    sbuf_addch(&src, '1');
    sbuf_addchars(&src, ')', 60);
    CHECK(eval_with(&out, src.buf, NULL, NULL, NULL, &err) < 0);
    CHECK(strstr(err.msg, "Exceeded max expression depth 50") != NULL);
    /* 21000 characters are allowed, 21001 are not */
    sbuf_reset(&src);
    sbuf_addch(&src, '\'');
    sbuf_addchars(&src, 'x', 20998);
    sbuf_addch(&src, '\'');
    sbuf_reset(&out);
    CHECK_INT(eval_with(&out, src.buf, NULL, NULL, NULL, &err), 0);
    sbuf_reset(&src);
    sbuf_addch(&src, '\'');
    sbuf_addchars(&src, 'x', 20999);
    sbuf_addch(&src, '\'');
    CHECK(eval_with(&out, src.buf, NULL, NULL, NULL, &err) < 0);
    CHECK_STR(err.msg, "Exceeded max expression length 21000");
    /* the memory limit stops a result that doubles and doubles */
    const char *big = "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                      "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                      "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                      "'0123456789'))))))";
    CHECK(eval_with(&out, big, NULL, NULL, NULL, &err) < 0);
    CHECK_STR(err.msg, "The maximum allowed memory size was exceeded");
    sbuf_release(&src);
    sbuf_release(&out);
}

/* C#'s Double.ToString("G15", InvariantCulture), as the runner converts numbers to strings. */
static void numbers_print_like_the_csharp_runner(void)
{
    static const struct {
        double num;
        const char *text;
    } cases[] = {
        {123456789012345678.0, "1.23456789012346E+17"},
        {-0.0000001, "-1E-07"},
        {0.1 + 0.2, "0.3"},
        {-0.0, "0"},
        {1e21, "1E+21"},
        {1e15, "1E+15"},
        {999999999999999.0, "999999999999999"},
        {0.0001, "0.0001"},
        {0.00001, "1E-05"},
        {1.5, "1.5"},
        {-2, "-2"},
        {3.14159265358979323, "3.14159265358979"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        val_number_to_sbuf(&sb, cases[i].num);
        CHECK_STR(sb.buf, cases[i].text);
        sbuf_release(&sb);
    }
}

/*
 * Short decimals take a path without printf; printf's %.15G is the reference ("G15" and %.15G
 * agree in this range), and toJSON's shortest round trip must give the same digits.
 */
static void short_decimals_print_like_printf_g15(void)
{
    unsigned long long seed = 88172645463325252ull;
    size_t bad = 0;
    for (int i = 0; i < 200000; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        /* a decimal of 1..15 digits with the point somewhere: m / 10^k */
        int digits = 1 + (int)(seed % 15);
        long long m = (long long)((seed >> 8) % 1000000000000000ull);
        for (int d = 15; d > digits; d--)
            m /= 10;
        int k = (int)((seed >> 4) % 19);
        double num = (double)m;
        for (int j = 0; j < k; j++)
            num /= 10;
        if (seed & 1)
            num = -num;
        if (i % 7 == 0) /* and plain doubles too, mostly left to printf */
            num = (double)(seed >> 11) / (double)(1ull << (seed % 60));
        char want[64];
        snprintf(want, sizeof(want), "%.15G", num);
        struct sbuf sb = SBUF_INIT;
        val_number_to_sbuf(&sb, num);
        if (strcmp(sb.buf, want) && num != 0 && bad++ < 5)
            fprintf(stderr, "  %.17g: %s, printf says %s\n", num, sb.buf, want);
        /* toJSON: the shortest of %.15G, %.16G, %.17G that reads back */
        if (num != floor(num)) {
            for (int prec = 15; prec <= 17; prec++) {
                snprintf(want, sizeof(want), "%.*G", prec, num);
                if (strtod(want, NULL) == num)
                    break;
            }
            struct val v = val_number(num);
            sbuf_reset(&sb);
            val_to_json_sbuf(&sb, &v, false);
            if (strcmp(sb.buf, want) && bad++ < 5)
                fprintf(stderr, "  toJSON(%.17g): %s, expected %s\n", num, sb.buf, want);
        }
        sbuf_release(&sb);
    }
    CHECK_INT(bad, 0);
}

/*
 * toJSON() of the same object twice reuses the text but still counts it twice against the
 * memory limit, as the C# runner counts every string it makes: {"a": 1} is 12 characters,
 * 2 * 12 + 26 = 50 bytes each.
 */
static void to_json_twice_is_charged_twice(void)
{
    struct arena a = ARENA_INIT;
    struct val ctxs = val_new_object(&a);
    struct val o = val_new_object(&a);
    val_object_set(&a, o, "a", 1, val_number(1));
    val_object_set(&a, ctxs, "o", 1, o);
    static const char src[] = "tojson(o) == tojson(o)";
    size_t limits[] = {99, 100};
    for (size_t i = 0; i < 2; i++) {
        struct expr_ctx ctx = EXPR_CTX_INIT;
        ctx.contexts = &ctxs;
        ctx.max_memory = limits[i];
        struct err err = ERR_INIT;
        struct val v;
        int rc = expr_eval_str(&v, &a, src, sizeof(src) - 1, NULL, &ctx, &err);
        if (i == 0) {
            CHECK(rc < 0);
            CHECK(strstr(err.msg, "maximum allowed memory size") != NULL);
        } else {
            CHECK_INT(rc, 0);
            CHECK(v.kind == VAL_BOOL && v.b);
        }
    }
    arena_release(&a);
}

static void objects_keep_order_and_ignore_case(void)
{
    struct arena a = ARENA_INIT;
    struct val o = val_new_object(&a);
    char key[16];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof(key), "Key%d", i);
        val_object_set(&a, o, key, strlen(key), val_number(i));
    }
    val_object_set(&a, o, "KEY7", 4, val_string(&a, "seven", 5));
    CHECK_INT(o.obj->len, 40);
    CHECK_STR(o.obj->members[7].key.p, "Key7"); /* first spelling kept */
    const struct val *v = val_object_find(o.obj, "key7", 4);
    CHECK(v && v->kind == VAL_STRING);
    v = val_object_find(o.obj, "kEy39", 5);
    CHECK(v && v->kind == VAL_NUMBER && v->num == 39);
    CHECK(val_object_find(o.obj, "key40", 5) == NULL);
    cJSON *j = val_to_json(&o);
    CHECK(j != NULL);
    struct val back = val_from_json(&a, j);
    cJSON_Delete(j);
    CHECK_INT(back.obj->len, 40);
    CHECK_STR(back.obj->members[39].key.p, "Key39");
    arena_release(&a);
}

/* Positions count characters as the C# runner does (UTF-16 units), not bytes. */
static void error_positions_count_characters(void)
{
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    CHECK(eval_with(&out, "'é😊' == 1 2", NULL, NULL, NULL, &err) < 0);
    CHECK_STR(err.msg, "Unexpected symbol: '2'. Located at position 12 within expression: "
                       "'é😊' == 1 2");
    sbuf_release(&out);
}

/*
 * GitHub turns an if: with text around ${{ }} into a format() string, whose truth is that of a
 * non-empty string; braces in the text are literal.
 */
static void if_with_text_around_an_expression_is_a_string(void)
{
    struct arena a = ARENA_INIT;
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    struct err err = ERR_INIT;
    struct expr *e = NULL;
    const char *cond = "a{b} ${{ 1 == 2 }}";
    CHECK_INT(expr_if_parse(&e, &a, cond, strlen(cond), &po, &err), 0);
    struct expr_ctx ctx = EXPR_CTX_INIT;
    struct val v;
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(v.kind == VAL_STRING); /* success() && (...) gives the last operand */
    CHECK_STR(v.s.p, "a{b} false");
    CHECK(val_is_truthy(&v));
    arena_release(&a);
}

/* The evaluator's string-to-number rule (C# ExpressionUtility.ParseNumber). */
static void strings_convert_to_numbers_like_the_runner(void)
{
    CHECK(val_parse_number("", 0) == 0);
    CHECK(val_parse_number("  42  ", 6) == 42);
    CHECK(val_parse_number("0x1F", 4) == 31);
    CHECK(val_parse_number("0o17", 4) == 15);
    CHECK(val_parse_number("-1.5e3", 6) == -1500);
    CHECK(val_parse_number("-Infinity", 9) < -1e308);
    CHECK(val_parse_number("1e", 2) != val_parse_number("1e", 2)); /* NaN */
    CHECK(val_parse_number("-0x1", 4) != val_parse_number("-0x1", 4));
    CHECK(val_parse_number("12abc", 5) != val_parse_number("12abc", 5));
    CHECK(val_parse_number("123456789012345678", 18) == 123456789012345678.0);
}

/* Lookups through the callback, for callers that keep contexts elsewhere. */
static bool lookup_env(struct val *out, const char *name, size_t len, void *payload)
{
    if (len != 3 || strncasecmp(name, "env", 3) != 0)
        return false;
    *out = *(const struct val *)payload;
    return true;
}

static void named_values_can_come_from_a_lookup_callback(void)
{
    struct arena a = ARENA_INIT;
    struct val env = val_new_object(&a);
    val_object_set(&a, env, "CI", 2, val_string(&a, "true", 4));
    static const char *const names[] = {"env"};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.contexts = names;
    po.n_contexts = 1;
    struct err err = ERR_INIT;
    struct expr *e = NULL;
    CHECK_INT(expr_parse(&e, &a, "ENV.ci == 'TRUE'", 16, &po, &err), 0);
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.lookup = lookup_env;
    ctx.payload = &env;
    struct val v;
    CHECK_INT(expr_eval(&v, &a, e, &ctx, &err), 0);
    CHECK(v.kind == VAL_BOOL && v.b);
    arena_release(&a);
}

/* toJSON escapes as JSON.stringify does (expected text from Python's json.dumps). */
static void to_json_escapes_strings_like_json_stringify(void)
{
    static const char raw[] = "quote\" back\\ nl\n tab\t ctl\x01\x1f bell\x07 "
                              "long-run-of-safe-chars-0123456789abcdef \"\"\\\\ end\x7f é😊";
    static const char want[] = "\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001\\u001f bell\\u0007 "
                               "long-run-of-safe-chars-0123456789abcdef \\\"\\\"\\\\\\\\ end\x7f "
                               "é😊\"";
    struct sbuf sb = SBUF_INIT;
    for (size_t cut = 0; cut < 9; cut++) {
        /* the same text shifted against 8-byte words */
        struct sbuf in = SBUF_INIT;
        sbuf_addchars(&in, 'x', cut);
        sbuf_add(&in, raw, sizeof(raw) - 1);
        struct val v = val_string_borrowed(in.buf, in.len);
        sbuf_reset(&sb);
        val_to_json_sbuf(&sb, &v, true);
        struct sbuf exp = SBUF_INIT;
        sbuf_addch(&exp, '"');
        sbuf_addchars(&exp, 'x', cut);
        sbuf_addstr(&exp, want + 1);
        bool same = !strcmp(sb.buf, exp.buf);
        sbuf_release(&exp);
        sbuf_release(&in);
        CHECK(same);
    }
    sbuf_release(&sb);
}

/* GitHub's workflow-parser case errors-unclosed-tokens: an unclosed call names its last token. */
static void parse_unclosed_call_names_last_token(void)
{
    struct arena a = ARENA_INIT;
    struct expr *e = NULL;
    struct err err = ERR_INIT;
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    const char *src = "contains('a', 'b'";
    CHECK_INT(expr_parse(&e, &a, src, strlen(src), &po, &err), ERR_INVALID);
    CHECK_STR(err.msg, "Unexpected end of expression: ''b''. Located at position 15 within "
                       "expression: contains('a', 'b'");
    arena_release(&a);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(parse_unclosed_call_names_last_token),
        TEST(status_functions_in_step_if),
        TEST(status_functions_in_job_and_composite_contexts),
        TEST(hash_files_patterns_negation_and_order),
        TEST(hash_files_no_match_and_outside_workspace_give_empty),
        TEST(templates_mix_text_and_several_expressions),
        TEST(template_parse_error_offset_is_in_the_template),
        TEST(deep_nesting_and_limits),
        TEST(numbers_print_like_the_csharp_runner),
        TEST(short_decimals_print_like_printf_g15),
        TEST(to_json_twice_is_charged_twice),
        TEST(objects_keep_order_and_ignore_case),
        TEST(error_positions_count_characters),
        TEST(if_with_text_around_an_expression_is_a_string),
        TEST(strings_convert_to_numbers_like_the_runner),
        TEST(named_values_can_come_from_a_lookup_callback),
        TEST(to_json_escapes_strings_like_json_stringify),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
