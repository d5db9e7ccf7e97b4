/* GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH, after actions/runner's
   EnvFileKeyValuePairs and AddPathFileCommand and GitHub's documentation. */
#include "run/envfile.h"

#include <string.h>

#include "harness.h"

static int parse(struct vec *pairs, const char *text, struct err *err)
{
    run_env_pairs_release(pairs);
    *pairs = VEC_INIT(struct run_env_pair);
    *err = ERR_INIT;
    return run_envfile_parse(pairs, text, strlen(text), err);
}

static struct run_env_pair *at(struct vec *v, size_t i)
{
    return vec_at(v, i);
}

static void envfile_parses_both_forms(void)
{
    struct vec pairs = VEC_INIT(struct run_env_pair);
    struct err err;
    CHECK_INT(parse(&pairs,
                    "A=1\n\nB=x=y<<z\nJSON<<EOF\n{\n  \"a\": 1\n}\nEOF\nEMPTY<<EOF\nEOF\n"
                    "C=\r\nD<<ghadelimiter_1\nx\n\nghadelimiter_1",
                    &err),
              0);
    CHECK_INT(pairs.len, 6);
    CHECK_STR(at(&pairs, 0)->name, "A");
    CHECK_STR(at(&pairs, 0)->value, "1");
    CHECK_STR(at(&pairs, 1)->name, "B");
    CHECK_STR(at(&pairs, 1)->value, "x=y<<z");
    CHECK_STR(at(&pairs, 2)->name, "JSON");
    CHECK_STR(at(&pairs, 2)->value, "{\n  \"a\": 1\n}");
    CHECK_STR(at(&pairs, 3)->value, "");
    CHECK_STR(at(&pairs, 4)->value, "\r"); /* Linux runners split on LF only */
    CHECK_STR(at(&pairs, 5)->value, "x\n");
    run_env_pairs_release(&pairs);
}

static void envfile_reports_githubs_errors(void)
{
    struct vec pairs = VEC_INIT(struct run_env_pair);
    struct err err;
    CHECK_INT(parse(&pairs, "A=1\nnot a pair\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "Invalid format 'not a pair'");
    CHECK_INT(pairs.len, 0);
    CHECK_INT(parse(&pairs, "<<EOF\nx\nEOF\n", &err), ERR_INVALID);
    CHECK_STR(err.msg,
              "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty");
    CHECK_INT(parse(&pairs, "NAME<<\n", &err), ERR_INVALID);
    CHECK_INT(parse(&pairs, "V<<EOF\nline\nEOF2\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "Invalid value. Matching delimiter not found 'EOF'");
    /* The value's last line glued to the delimiter (no newline before it). */
    CHECK_INT(parse(&pairs, "V<<EOF\nlineEOF", &err), ERR_INVALID);
    CHECK_STR(err.msg, "Invalid value. EOF marker missing new line.");
    CHECK_INT(parse(&pairs, "=value\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "Invalid format '=value'. Name must not be empty");
    CHECK(run_envfile_refused("node_options") != NULL);
    CHECK(run_envfile_refused("PATH") == NULL);
    run_env_pairs_release(&pairs);
}

static void pathfile_prepends_last_first(void)
{
    struct vec pre = VEC_INIT(char *);
    const char *f1 = "/opt/a\n\n/opt/b\r\n";
    run_pathfile_apply(&pre, f1, strlen(f1));
    const char *f2 = "/opt/a\n";
    run_pathfile_apply(&pre, f2, strlen(f2));
    struct sbuf path = SBUF_INIT;
    run_path_render(&path, &pre, "/usr/bin:/bin");
    CHECK_STR(path.buf, "/opt/a:/opt/b:/usr/bin:/bin");
    sbuf_release(&path);
    run_path_release(&pre);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(envfile_parses_both_forms),
        TEST(envfile_reports_githubs_errors),
        TEST(pathfile_prepends_last_first),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
