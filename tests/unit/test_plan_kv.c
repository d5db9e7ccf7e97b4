/*
 * --secret-file / --env-file / --var-file parsing (act reads dotenv with godotenv and YAML by
 * extension), checked on the act conformance case `secrets` (its .secrets and .env, whose
 * workflow expects MY_SECRET=top-secret, a 3-line MULTILINE_SECRET and JSON_SECRET verbatim),
 * and runs-on label mapping (defaults ubuntu-*, self-hosted, linux, x64; -P adds or unmaps).
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "plan/plan.h"
#include "util/path.h"
#include "util/sbuf.h"

static const char *find(const struct vec *v, const char *name)
{
    const char *r = NULL;
    for (size_t i = 0; i < v->len; i++) {
        const struct plan_kv *kv = vec_at(v, i);
        if (!strcmp(kv->name, name))
            r = kv->value;
    }
    return r;
}

static void kv_act_secrets_case(void)
{
    struct sbuf p = SBUF_INIT;
    sbuf_addf(&p, "%s/conformance/act/secrets/.secrets", harness_shared_dir());
    struct arena a = ARENA_INIT;
    struct vec v = VEC_INIT(struct plan_kv);
    struct err err = ERR_INIT;
    int rc = plan_kv_file_load(&v, &a, p.buf, &err);
    sbuf_release(&p);
    CHECK_INT(rc, 0);
    CHECK_INT(v.len, 3);
    CHECK_STR(find(&v, "MY_SECRET"), "top-secret");
    CHECK_STR(find(&v, "MULTILINE_SECRET"), "foo\nbar\nbaz");
    CHECK_STR(find(&v, "JSON_SECRET"), "{\"foo\": \"bar\"}");
    vec_release(&v);
    arena_release(&a);
}

static void kv_dotenv_forms(void)
{
    const char *dir = harness_tmpdir();
    struct sbuf p = SBUF_INIT;
    path_join(&p, dir, "x.env");
    const char *text = "# comment\n"
                       "export A=1\n"
                       "B = spaced value   # trailing comment\n"
                       "C='single $HOME \\n stays'\n"
                       "D=\"two\nlines\"\n"
                       "E: colon form\n"
                       "F=\n"
                       "G=a#b\n";
    struct err err = ERR_INIT;
    CHECK_INT(fs_write_file(p.buf, text, strlen(text), &err), 0);
    struct arena a = ARENA_INIT;
    struct vec v = VEC_INIT(struct plan_kv);
    int rc = plan_kv_file_load(&v, &a, p.buf, &err);
    CHECK_INT(rc, 0);
    CHECK_STR(find(&v, "A"), "1");
    CHECK_STR(find(&v, "B"), "spaced value");
    CHECK_STR(find(&v, "C"), "single $HOME \\n stays");
    CHECK_STR(find(&v, "D"), "two\nlines");
    CHECK_STR(find(&v, "E"), "colon form");
    CHECK_STR(find(&v, "F"), "");
    CHECK_STR(find(&v, "G"), "a#b");
    vec_release(&v);
    /* unterminated quote: an error naming the file and line */
    const char *bad = "OK=1\nX=\"never closed\n";
    CHECK_INT(fs_write_file(p.buf, bad, strlen(bad), &err), 0);
    v = VEC_INIT(struct plan_kv);
    rc = plan_kv_file_load(&v, &a, p.buf, &err);
    CHECK_INT(rc, ERR_INVALID);
    CHECK(strstr(err.msg, "x.env:2: unterminated double-quoted value") != NULL);
    vec_release(&v);
    /* YAML by extension */
    sbuf_reset(&p);
    path_join(&p, dir, "s.yml");
    const char *yml = "TOKEN: abc\nMULTI: |\n  l1\n  l2\nNUM: 3\n";
    CHECK_INT(fs_write_file(p.buf, yml, strlen(yml), &err), 0);
    v = VEC_INIT(struct plan_kv);
    rc = plan_kv_file_load(&v, &a, p.buf, &err);
    CHECK_INT(rc, 0);
    CHECK_STR(find(&v, "TOKEN"), "abc");
    CHECK_STR(find(&v, "MULTI"), "l1\nl2\n");
    CHECK_STR(find(&v, "NUM"), "3");
    vec_release(&v);
    sbuf_release(&p);
    arena_release(&a);
}

static void runner_label_mapping(void)
{
    static const struct plan_kv platforms[] = {
        {"ubuntu-*", "host"}, {"self-hosted", "host"}, {"linux", "host"},
        {"x64", "host"},      {"gpu", "host"},         {"ubuntu-18.04", "skip"},
    };
    struct plan p = {0};
    p.platforms = (struct plan_kv *)platforms;
    p.nplatforms = sizeof(platforms) / sizeof(platforms[0]);
    struct arena a = ARENA_INIT;
    const char *why = NULL;
    struct val s = val_string(&a, "ubuntu-latest", 13);
    CHECK_STR(plan_runner_for(&p, &s, &a, &why), "host");
    s = val_string(&a, "UBUNTU-22.04", 12); /* labels are case-insensitive */
    CHECK_STR(plan_runner_for(&p, &s, &a, &why), "host");
    s = val_string(&a, "macos-latest", 12);
    CHECK(plan_runner_for(&p, &s, &a, &why) == NULL);
    CHECK(strstr(why, "'macos-latest'") != NULL);
    s = val_string(&a, "ubuntu-18.04", 12); /* unmapped by a later -P ...=skip */
    CHECK(plan_runner_for(&p, &s, &a, &why) == NULL);
    /* a list needs every label: [self-hosted, linux, gpu] runs, [self-hosted, windows] not */
    struct val l = val_new_array(&a);
    val_array_push(&a, l, val_string(&a, "self-hosted", 11));
    val_array_push(&a, l, val_string(&a, "linux", 5));
    val_array_push(&a, l, val_string(&a, "gpu", 3));
    CHECK_STR(plan_runner_for(&p, &l, &a, &why), "host");
    val_array_push(&a, l, val_string(&a, "windows", 7));
    CHECK(plan_runner_for(&p, &l, &a, &why) == NULL);
    CHECK(strstr(why, "'windows'") != NULL);
    /* group/labels form */
    struct val g = val_new_object(&a);
    struct val labels = val_new_array(&a);
    val_array_push(&a, labels, val_string(&a, "linux", 5));
    val_object_set(&a, g, "labels", 6, labels);
    CHECK_STR(plan_runner_for(&p, &g, &a, &why), "host");
    val_object_set(&a, g, "group", 5, val_string(&a, "big-runners", 11));
    CHECK(plan_runner_for(&p, &g, &a, &why) == NULL);
    arena_release(&a);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(kv_act_secrets_case),
        TEST(kv_dotenv_forms),
        TEST(runner_label_mapping),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
