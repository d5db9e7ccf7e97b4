/*
 * GitHub's shared expression cases (../shared/conformance/expressions/ (every .json file), from
 * actions/languageservices 0.3.61), judged as the reference harness judges them
 * (../shared/conformance/NOTICE.md): the top-level keys of `contexts` are the only named
 * values; a result passes when its kind matches and its JSON equals the expected JSON (numbers
 * compared as numbers, object key order significant); an error passes when its kind matches and
 * the message contains the expected text. Every case is run, the five marked skip:[typescript]
 * included (they hold the C# behaviour). The test prints the pass count and fails below
 * EXPR_CONFORMANCE_MIN.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "harness.h"
#include "util/json.h"
#include "util/xalloc.h"

#define EXPR_CONFORMANCE_MIN 1020 /* all of them */

static bool json_equal(const struct val *v, const cJSON *j)
{
    switch (v->kind) {
    case VAL_NULL:
        return cJSON_IsNull(j);
    case VAL_BOOL:
        return cJSON_IsBool(j) && (bool)cJSON_IsTrue(j) == v->b;
    case VAL_NUMBER:
        return cJSON_IsNumber(j) &&
               (j->valuedouble == v->num || (isnan(v->num) && isnan(j->valuedouble)));
    case VAL_STRING:
        return cJSON_IsString(j) && strlen(j->valuestring) == v->s.len &&
               memcmp(j->valuestring, v->s.p, v->s.len) == 0;
    case VAL_ARRAY: {
        if (!cJSON_IsArray(j) || (size_t)cJSON_GetArraySize(j) != v->arr->len)
            return false;
        size_t i = 0;
        for (const cJSON *c = j->child; c; c = c->next, i++) {
            if (!json_equal(&v->arr->items[i], c))
                return false;
        }
        return true;
    }
    case VAL_OBJECT: {
        if (!cJSON_IsObject(j) || (size_t)cJSON_GetArraySize(j) != v->obj->len)
            return false;
        size_t i = 0;
        for (const cJSON *c = j->child; c; c = c->next, i++) {
            const struct val_member *m = &v->obj->members[i];
            if (strcmp(m->key.p, c->string) != 0 || !json_equal(&m->value, c))
                return false;
        }
        return true;
    }
    }
    return false;
}

static const char *err_kind_name(enum expr_err_kind k)
{
    switch (k) {
    case EXPR_ERR_LEXING:
        return "lexing";
    case EXPR_ERR_PARSING:
        return "parsing";
    case EXPR_ERR_EVALUATION:
        return "evaluation";
    default:
        return "none";
    }
}

/* Runs one case; returns true when it passes, printing why when it does not. */
static bool run_case(const char *file, const char *name, const cJSON *c)
{
    const char *src = json_get_str(c, "expr");
    const cJSON *contexts = cJSON_GetObjectItemCaseSensitive(c, "contexts");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "result");
    const cJSON *want_err = cJSON_GetObjectItemCaseSensitive(c, "err");
    if (!src)
        return false;
    struct arena a = ARENA_INIT;
    struct val ctxv = contexts ? val_from_json(&a, contexts) : val_new_object(&a);
    struct expr_diag diag = {0};
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.diag_out = &diag;
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.contexts = &ctxv;
    ctx.diag_out = &diag;
    struct val v;
    struct err err = ERR_INIT;
    int rc = expr_eval_str(&v, &a, src, strlen(src), &po, &ctx, &err);
    bool ok = false;
    struct sbuf got = SBUF_INIT;
    if (rc == 0) {
        sbuf_addf(&got, "%s ", val_kind_name(v.kind));
        val_to_json_sbuf(&got, &v, false);
        ok = want && !strcmp(json_get_str(want, "kind"), val_kind_name(v.kind)) &&
             json_equal(&v, cJSON_GetObjectItemCaseSensitive(want, "value"));
    } else {
        sbuf_addf(&got, "error %s: %s", err_kind_name(diag.kind), err.msg);
        const char *kind = want_err ? json_get_str(want_err, "kind") : NULL;
        const char *msg = want_err ? json_get_str(want_err, "value") : NULL;
        ok = kind && msg && !strcmp(kind, err_kind_name(diag.kind)) && strstr(err.msg, msg);
    }
    if (!ok) {
        char *exp = cJSON_PrintUnformatted(want ? want : want_err);
        printf("FAIL %s / %s: %s\n  expected %s\n  got      %s\n", file, name, src, exp ? exp : "?",
               got.buf);
        cJSON_free(exp);
    }
    sbuf_release(&got);
    arena_release(&a);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void conformance_expressions_pass(void)
{
    struct sbuf dir = SBUF_INIT;
    sbuf_addf(&dir, "%s/conformance/expressions", harness_shared_dir());
    DIR *d = opendir(dir.buf);
    CHECK(d != NULL);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".json"))
            names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    size_t total = 0;
    size_t passed = 0;
    for (size_t i = 0; i < n; i++) {
        struct sbuf path = SBUF_INIT;
        sbuf_addf(&path, "%s/%s", dir.buf, names[i]);
        cJSON *root = NULL;
        struct err err = ERR_INIT;
        if (json_load(&root, path.buf, 16u << 20, &err) < 0) {
            printf("FAIL %s\n", err.msg);
        } else {
            for (const cJSON *group = root->child; group; group = group->next) {
                for (const cJSON *c = group->child; c; c = c->next) {
                    total++;
                    if (run_case(names[i], group->string, c))
                        passed++;
                }
            }
        }
        cJSON_Delete(root);
        sbuf_release(&path);
        xfree(names[i]);
    }
    sbuf_release(&dir);
    printf("expression conformance: %zu of %zu cases pass\n", passed, total);
    CHECK_INT(total, 1020);
    CHECK(passed >= EXPR_CONFORMANCE_MIN);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {TEST(conformance_expressions_pass)};
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
