/*
 * Unit tests of src/git/ through git.h. The end-to-end behaviour (remotes by path and over
 * HTTP, races, LFS, the user's repository left untouched) is in tests/e2e/git_publish.sh.
 */

#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "git/git.h"
#include "util/path.h"
#include "util/sbuf.h"

static void open_outside_a_repository_is_notfound(void)
{
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK_INT(repo_open(&r, harness_tmpdir(), &e), ERR_NOTFOUND);
    CHECK(strstr(e.msg, "not a git repository") != NULL);
    CHECK(r == NULL);
}

static void publish_needs_a_working_tree(void)
{
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    struct sbuf dir = SBUF_INIT;
    path_join(&dir, harness_tmpdir(), "bare.git");
    CHECK_INT(repo_init_bare(&r, dir.buf, &e), 0);
    CHECK(repo_workdir(r) == NULL);
    const char *paths[] = {"results"};
    struct repo_publish_opts o = {.branch = "models", .paths = paths, .npaths = 1};
    struct repo_publish_result res;
    int rc = repo_publish(r, &o, &res, &e);
    repo_free(r);
    sbuf_release(&dir);
    CHECK_INT(rc, ERR_INVALID);
    CHECK_STR(e.msg, "publish needs a repository with a working tree");
}

static void publish_rejects_bad_branch_names(void)
{
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    struct sbuf dir = SBUF_INIT;
    path_join(&dir, harness_tmpdir(), "bare.git");
    CHECK_INT(repo_init_bare(&r, dir.buf, &e), 0);
    const char *paths[] = {"x"};
    /* each refused by `git check-ref-format --branch` (git 2.39) */
    static const char *const bad[] = {"a..b", "-x", "a b",  "x.lock",    "a~1",
                                      "HEAD", "-",  "a//b", "refs/../x", "a@{1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) && !harness_failed(); i++) {
        struct repo_publish_opts o = {.branch = bad[i], .paths = paths, .npaths = 1};
        struct repo_publish_result res;
        err_clear(&e);
        struct sbuf want = SBUF_INIT;
        sbuf_addf(&want, "'%s' is not a valid branch name", bad[i]);
        if (repo_publish(r, &o, &res, &e) != ERR_INVALID || strcmp(e.msg, want.buf))
            harness_fail(__FILE__, __LINE__, "branch '%s': %s", bad[i], e.msg);
        sbuf_release(&want);
    }
    repo_free(r);
    sbuf_release(&dir);
}

static void list_of_a_missing_branch_is_notfound(void)
{
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    struct sbuf dir = SBUF_INIT;
    path_join(&dir, harness_tmpdir(), "bare.git");
    CHECK_INT(repo_init_bare(&r, dir.buf, &e), 0);
    struct vec versions = VEC_INIT(struct repo_version);
    struct repo_source_opts src = {.branch = "models"};
    int rc = repo_list(&versions, r, &src, &e);
    repo_versions_release(&versions);
    repo_free(r);
    sbuf_release(&dir);
    CHECK_INT(rc, ERR_NOTFOUND);
    CHECK_STR(e.msg, "branch 'models' not found in 'the local repository'");
}

static void get_of_an_unknown_version_is_notfound(void)
{
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    struct sbuf dir = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    path_join(&dir, harness_tmpdir(), "bare.git");
    path_join(&out, harness_tmpdir(), "out");
    CHECK_INT(repo_init_bare(&r, dir.buf, &e), 0);
    const char *paths[] = {"."};
    struct repo_get_opts o = {
        .version = "deadbeef", .paths = paths, .npaths = 1, .out_dir = out.buf};
    int rc = repo_get(NULL, r, &o, &e);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&out);
    CHECK_INT(rc, ERR_NOTFOUND);
    CHECK_STR(e.msg, "version 'deadbeef' not found");
}

static void provenance_comes_from_the_environment(void)
{
    setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567", 1);
    setenv("GITHUB_RUN_NUMBER", "42", 1);
    setenv("GITHUB_JOB", "", 1); /* empty counts as unset */
    unsetenv("GITHUB_WORKFLOW");
    struct repo_provenance p;
    repo_provenance_from_env(&p);
    CHECK_STR(p.sha, "0123456789abcdef0123456789abcdef01234567");
    CHECK_STR(p.run_number, "42");
    CHECK(p.job == NULL);
    CHECK(p.workflow == NULL);
    unsetenv("GITHUB_SHA");
    unsetenv("GITHUB_RUN_NUMBER");
    unsetenv("GITHUB_JOB");
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(open_outside_a_repository_is_notfound), TEST(publish_needs_a_working_tree),
        TEST(publish_rejects_bad_branch_names),      TEST(list_of_a_missing_branch_is_notfound),
        TEST(get_of_an_unknown_version_is_notfound), TEST(provenance_comes_from_the_environment),
    };
    repo_global_init();
    int rc = harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
    repo_global_shutdown();
    return rc;
}
