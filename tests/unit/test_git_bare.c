/*
 * Bare repositories read and written directly (git.h's last section). Every expected value comes
 * from the git command run on the same repository (ls-tree, cat-file, rev-parse, hash-object,
 * fsck), never from runnel itself. The fixture is made by git too: a working repository committed
 * with git and cloned bare.
 */

#include "harness.h"
#include "git_cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "git/git.h"
#include "util/path.h"
#include "util/sbuf.h"

#define GIT_MAX_ARGS 16

/*
 * Runs `git args...` (NULL-terminated) with HOME in the test's folder and no system config; its
 * stdout is appended to out when out is not NULL. Returns git's exit status, -1 when it did not
 * run.
 */
static int git(struct sbuf *out, ...)
{
    const char *argv[GIT_MAX_ARGS + 2] = {"git"};
    size_t n = 1;
    va_list ap;
    va_start(ap, out);
    for (const char *a; (a = va_arg(ap, const char *)) && n <= GIT_MAX_ARGS;)
        argv[n++] = a;
    va_end(ap);
    static const char *const identity[] = {
        "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test",
        "GIT_COMMITTER_EMAIL=test@example.com", NULL};
    return git_cmd(out, identity, argv);
}

/* git's answer with the final newline removed, into out (reset first). */
static int git_line(struct sbuf *out, const char *gitdir, const char *a, const char *b)
{
    sbuf_reset(out);
    int rc = git(out, "--git-dir", gitdir, a, b, NULL);
    sbuf_rtrim(out);
    return rc;
}

static void write_file(const char *dir, const char *rel, const void *data, size_t len)
{
    struct sbuf path = SBUF_INIT;
    struct sbuf parent = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&path, dir, rel);
    path_dirname(&parent, path.buf);
    if (fs_mkdirs(parent.buf, 0755, &err) < 0 || fs_write_file(path.buf, data, len, &err) < 0)
        fprintf(stderr, "write_file: %s\n", err.msg);
    sbuf_release(&path);
    sbuf_release(&parent);
}

/*
 * The fixture, made with git: main has two commits; v1 is an annotated tag of the first; branch
 * "other" is at the first commit and a lightweight tag "other" at the second (a branch wins).
 * Files: an executable, a symbolic link, a binary blob, nested folders, a name with a space and
 * names that sort around a folder ("dir-x.txt" < "dir/" < "dir0"). The bare clone's path goes to
 * bare_out.
 */
static bool make_fixture(struct sbuf *bare_out)
{
    struct sbuf work = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    path_join(&work, harness_tmpdir(), "work");
    path_join(bare_out, harness_tmpdir(), "fixture.git");
    write_file(work.buf, "README.md", "hello\n", 6);
    write_file(work.buf, "bin/run.sh", "#!/bin/sh\necho hi\n", 18);
    path_join(&path, work.buf, "bin/run.sh");
    chmod(path.buf, 0755);
    write_file(work.buf, "dir/x.txt", "x\n", 2);
    write_file(work.buf, "dir/sub/y.bin", "a\0b\0c", 5);
    write_file(work.buf, "dir-x.txt", "dash\n", 5);
    write_file(work.buf, "dir0", "zero\n", 5);
    write_file(work.buf, "folder/a.txt", "a\n", 2);
    write_file(work.buf, "folder/deep/b.txt", "b\n", 2);
    write_file(work.buf, "with space.txt", "space\n", 6);
    sbuf_reset(&path);
    path_join(&path, work.buf, "link");
    bool ok = symlink("README.md", path.buf) == 0;
    const char *w = work.buf;
    ok = ok && git(NULL, "-C", w, "init", "-q", "-b", "main", NULL) == 0;
    ok = ok && git(NULL, "-C", w, "add", "-A", NULL) == 0;
    ok = ok && git(NULL, "-C", w, "commit", "-qm", "first", NULL) == 0;
    ok = ok && git(NULL, "-C", w, "tag", "-a", "v1", "-m", "version one", NULL) == 0;
    ok = ok && git(NULL, "-C", w, "branch", "other", NULL) == 0;
    write_file(work.buf, "README.md", "hello again\n", 12);
    ok = ok && git(NULL, "-C", w, "commit", "-qam", "second", NULL) == 0;
    ok = ok && git(NULL, "-C", w, "tag", "other", NULL) == 0;
    ok = ok && git(NULL, "clone", "-q", "--bare", w, bare_out->buf, NULL) == 0;
    sbuf_release(&work);
    sbuf_release(&path);
    return ok;
}

static void open_bare_creates_with_the_initial_branch(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    path_join(&dir, harness_tmpdir(), "models/me/new.git");
    CHECK_INT(repo_open_bare(&r, dir.buf, "main", &e), 0);
    repo_free(r);
    r = NULL;
    CHECK_INT(git_line(&out, dir.buf, "symbolic-ref", "HEAD"), 0);
    CHECK_STR(out.buf, "refs/heads/main");
    CHECK_INT(git_line(&out, dir.buf, "rev-parse", "--is-bare-repository"), 0);
    CHECK_STR(out.buf, "true");
    /* Opening it again opens what is there. */
    CHECK_INT(repo_open_bare(&r, dir.buf, NULL, &e), 0);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&out);
}

static void open_bare_without_a_branch_never_creates(void)
{
    struct sbuf dir = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    path_join(&dir, harness_tmpdir(), "missing.git");
    CHECK_INT(repo_open_bare(&r, dir.buf, NULL, &e), ERR_NOTFOUND);
    CHECK(r == NULL);
    CHECK(!fs_exists(dir.buf));
    /* A folder that is not a repository is a failure, not a missing repository. */
    CHECK_INT(repo_open_bare(&r, harness_tmpdir(), NULL, &e), ERR_FAIL);
    CHECK(r == NULL);
    sbuf_release(&dir);
}

static void resolve_matches_rev_parse(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    char sha[41];
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    static const char *const revs[][2] = {
        {"main", "main"},
        {"v1", "v1^{commit}"},
        {"main~1", "main~1"},
        {"other", "refs/heads/other"}, /* the branch, not the tag of the same name */
    };
    for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]) && !harness_failed(); i++) {
        CHECK_INT(git_line(&want, bare.buf, "rev-parse", revs[i][1]), 0);
        CHECK_INT(repo_resolve(sha, r, revs[i][0], &e), 0);
        CHECK_STR(sha, want.buf);
    }
    /* A commit id, and a prefix of one. */
    CHECK_INT(git_line(&want, bare.buf, "rev-parse", "main"), 0);
    CHECK_INT(repo_resolve(sha, r, want.buf, &e), 0);
    CHECK_STR(sha, want.buf);
    sbuf_setlen(&want, 10);
    CHECK_INT(repo_resolve(sha, r, want.buf, &e), 0);
    CHECK(!strncmp(sha, want.buf, 10));
    CHECK_INT(repo_resolve(sha, r, "nope", &e), ERR_NOTFOUND);
    CHECK_STR(e.msg, "no revision 'nope'");
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&want);
}

/* Appends each file as `git ls-tree -r -l -z` prints it. */
static void ls_line(const char *path, const char *oid, uint64_t size, unsigned mode, void *payload)
{
    struct sbuf *out = payload;
    sbuf_addf(out, "%06o blob %s %7llu\t%s", mode, oid, (unsigned long long)size, path);
    sbuf_addch(out, '\0');
}

static bool same_bytes(const struct sbuf *a, const struct sbuf *b)
{
    return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

static void ls_tree_matches_git_ls_tree(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    static const char *const revs[] = {"main", "v1"};
    for (size_t i = 0; i < 2 && !harness_failed(); i++) {
        sbuf_reset(&want);
        sbuf_reset(&got);
        CHECK_INT(git(&want, "--git-dir", bare.buf, "ls-tree", "-r", "-l", "-z", revs[i], NULL), 0);
        CHECK_INT(repo_ls_tree(r, revs[i], ls_line, &got, &e), 0);
        if (!same_bytes(&got, &want))
            harness_fail(__FILE__, __LINE__, "ls-tree %s differs:\n%s\nexpected:\n%s", revs[i],
                         got.buf, want.buf);
    }
    CHECK_INT(repo_ls_tree(r, "nope", ls_line, &got, &e), ERR_NOTFOUND);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&want);
    sbuf_release(&got);
}

static void read_blob_matches_cat_file(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct sbuf oid = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    static const char *const specs[] = {"main:dir/sub/y.bin", "v1:README.md", "main:link"};
    for (size_t i = 0; i < 3 && !harness_failed(); i++) {
        sbuf_reset(&want);
        sbuf_reset(&got);
        CHECK_INT(git(&want, "--git-dir", bare.buf, "cat-file", "blob", specs[i], NULL), 0);
        CHECK_INT(repo_read_blob(&got, r, specs[i], &e), 0);
        CHECK(same_bytes(&got, &want));
    }
    /* By blob id. */
    CHECK_INT(git_line(&oid, bare.buf, "rev-parse", "main:README.md"), 0);
    sbuf_reset(&want);
    sbuf_reset(&got);
    CHECK_INT(git(&want, "--git-dir", bare.buf, "cat-file", "blob", oid.buf, NULL), 0);
    CHECK_INT(repo_read_blob(&got, r, oid.buf, &e), 0);
    CHECK(same_bytes(&got, &want));
    CHECK_INT(repo_read_blob(&got, r, "main:nope", &e), ERR_NOTFOUND);
    CHECK_INT(repo_read_blob(&got, r, "main:dir", &e), ERR_NOTFOUND); /* a tree */
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&want);
    sbuf_release(&got);
    sbuf_release(&oid);
}

static void commit_changes_writes_what_git_reads(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf big = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf tip = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    char sha[41];
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    CHECK_INT(git_line(&tip, bare.buf, "rev-parse", "main"), 0);

    /* A file of a few MiB, streamed from disk into the object database. */
    path_join(&big, harness_tmpdir(), "big.bin");
    struct sbuf data = SBUF_INIT;
    for (size_t i = 0; i < (3u << 20) / 16; i++)
        sbuf_addf(&data, "%015zx\n", i);
    CHECK_INT(fs_write_file(big.buf, data.buf, data.len, &e), 0);
    sbuf_release(&data);

    const struct repo_change changes[] = {
        {.kind = REPO_CHANGE_ADD_DATA, .path = "new/a.txt", .data = "new\n", .len = 4},
        {.kind = REPO_CHANGE_ADD_FILE, .path = "big.bin", .file = big.buf},
        {.kind = REPO_CHANGE_ADD_DATA, .path = "README.md", .data = "replaced\n", .len = 9},
        {.kind = REPO_CHANGE_DELETE, .path = "dir/x.txt"},
        {.kind = REPO_CHANGE_DELETE_FOLDER, .path = "folder/"},
    };
    struct repo_commit_opts o = {.branch = "main",
                                 .parent = tip.buf,
                                 .message = "summary\n\nbody\n",
                                 .changes = changes,
                                 .nchanges = sizeof(changes) / sizeof(changes[0])};
    CHECK_INT(repo_commit_changes(sha, r, &o, &e), 0);

    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "main"), 0);
    CHECK_STR(sha, out.buf);
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "main^"), 0);
    CHECK_STR(out.buf, tip.buf);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "ls-tree", "-r", "--name-only", "main", NULL), 0);
    CHECK_STR(out.buf, "README.md\nbig.bin\nbin/run.sh\ndir-x.txt\ndir/sub/y.bin\ndir0\nlink\n"
                       "new/a.txt\nwith space.txt\n");
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "cat-file", "blob", "main:new/a.txt", NULL), 0);
    CHECK_STR(out.buf, "new\n");
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "main:big.bin"), 0);
    sbuf_reset(&want);
    CHECK_INT(git(&want, "hash-object", big.buf, NULL), 0);
    sbuf_rtrim(&want);
    CHECK_STR(out.buf, want.buf);
    /* The files not touched keep their modes and blobs (the executable, the link). */
    sbuf_reset(&out);
    sbuf_reset(&want);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "ls-tree", "main", "bin/run.sh", "link", NULL), 0);
    CHECK_INT(git(&want, "--git-dir", bare.buf, "ls-tree", "main^", "bin/run.sh", "link", NULL), 0);
    CHECK(strstr(out.buf, "100755 blob ") && strstr(out.buf, "120000 blob "));
    CHECK_STR(out.buf, want.buf);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "cat-file", "commit", "main", NULL), 0);
    CHECK(strstr(out.buf, "\nauthor runnel <runnel@localhost> ") != NULL);
    CHECK(sbuf_ends_with(&out, "\n\nsummary\n\nbody\n"));
    CHECK_INT(git(NULL, "--git-dir", bare.buf, "fsck", "--strict", "--no-progress", NULL), 0);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&big);
    sbuf_release(&out);
    sbuf_release(&want);
    sbuf_release(&tip);
}

static void commit_refuses_a_branch_that_moved(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf old = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    char first[41];
    char second[41];
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    CHECK_INT(git_line(&old, bare.buf, "rev-parse", "main"), 0);
    const struct repo_change add = {
        .kind = REPO_CHANGE_ADD_DATA, .path = "n.txt", .data = "n\n", .len = 2};
    struct repo_commit_opts o = {
        .branch = "main", .parent = old.buf, .message = "one", .changes = &add, .nchanges = 1};
    CHECK_INT(repo_commit_changes(first, r, &o, &e), 0);
    /* Built on the old tip again: someone else moved the branch in between. */
    CHECK_INT(repo_commit_changes(second, r, &o, &e), ERR_FAIL);
    CHECK(strstr(e.msg, "branch 'main' moved") != NULL);
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "main"), 0);
    CHECK_STR(out.buf, first);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&old);
    sbuf_release(&out);
}

static void commit_refuses_to_delete_a_missing_file(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf old = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    char sha[41];
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    CHECK_INT(git_line(&old, bare.buf, "rev-parse", "main"), 0);
    static const char *const missing[] = {"nope.txt", "dir"}; /* "dir" is a folder */
    for (size_t i = 0; i < 2 && !harness_failed(); i++) {
        const struct repo_change del = {.kind = REPO_CHANGE_DELETE, .path = missing[i]};
        struct repo_commit_opts o = {
            .branch = "main", .parent = old.buf, .message = "m", .changes = &del, .nchanges = 1};
        CHECK_INT(repo_commit_changes(sha, r, &o, &e), ERR_NOTFOUND);
        struct sbuf want = SBUF_INIT;
        sbuf_addf(&want, "cannot delete '%s': no such file", missing[i]);
        bool same = !strcmp(e.msg, want.buf);
        sbuf_release(&want);
        CHECK(same);
    }
    /* A folder that is not there deletes nothing and is no error. */
    const struct repo_change del = {.kind = REPO_CHANGE_DELETE_FOLDER, .path = "nope"};
    struct repo_commit_opts o = {
        .branch = "main", .parent = old.buf, .message = "m", .changes = &del, .nchanges = 1};
    CHECK_INT(repo_commit_changes(sha, r, &o, &e), 0);
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "main^{tree}"), 0);
    struct sbuf want = SBUF_INIT;
    int rc = git_line(&want, bare.buf, "rev-parse", "main^^{tree}");
    bool same = !strcmp(out.buf, want.buf);
    sbuf_release(&want);
    CHECK_INT(rc, 0);
    CHECK(same);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&old);
    sbuf_release(&out);
}

static void first_commit_needs_a_new_branch(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    char sha[41];
    path_join(&dir, harness_tmpdir(), "first.git");
    CHECK_INT(repo_open_bare(&r, dir.buf, "main", &e), 0);
    const struct repo_change add = {
        .kind = REPO_CHANGE_ADD_DATA, .path = ".gitattributes", .data = "*.bin -text\n", .len = 12};
    struct repo_commit_opts o = {
        .branch = "main", .message = "initial commit", .changes = &add, .nchanges = 1};
    CHECK_INT(repo_commit_changes(sha, r, &o, &e), 0);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", dir.buf, "rev-list", "--count", "main", NULL), 0);
    CHECK_STR(out.buf, "1\n");
    CHECK_INT(git_line(&out, dir.buf, "rev-parse", "HEAD"), 0);
    CHECK_STR(out.buf, sha);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", dir.buf, "cat-file", "blob", "main:.gitattributes", NULL), 0);
    CHECK_STR(out.buf, "*.bin -text\n");
    /* The message is taken as it is: no newline added. */
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", dir.buf, "cat-file", "commit", "main", NULL), 0);
    CHECK(sbuf_ends_with(&out, "\n\ninitial commit"));
    CHECK_INT(repo_commit_changes(sha, r, &o, &e), ERR_FAIL);
    CHECK_STR(e.msg, "branch 'main' already exists");
    o.branch = "a..b";
    CHECK_INT(repo_commit_changes(sha, r, &o, &e), ERR_INVALID);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&out);
}

static void branch_create_from_a_revision_keeps_an_existing_one(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    CHECK_INT(repo_branch_create(r, "feature", "v1", &e), 0);
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "refs/heads/feature"), 0);
    CHECK_INT(git_line(&want, bare.buf, "rev-parse", "v1^{commit}"), 0);
    CHECK_STR(out.buf, want.buf);
    CHECK_INT(repo_branch_create(r, "feature", "main", &e), 0);
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "refs/heads/feature"), 0);
    CHECK_STR(out.buf, want.buf);
    CHECK_INT(repo_branch_create(r, "x", "nope", &e), ERR_NOTFOUND);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&out);
    sbuf_release(&want);
}

static void tag_create_lightweight_or_annotated(void)
{
    struct sbuf bare = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct err e = ERR_INIT;
    struct repo *r = NULL;
    CHECK(make_fixture(&bare));
    CHECK_INT(repo_open_bare(&r, bare.buf, NULL, &e), 0);
    CHECK_INT(repo_tag_create(r, "light", "main~1", NULL, &e), 0);
    CHECK_INT(repo_tag_create(r, "notes", "main", "release notes\n", &e), 0);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "cat-file", "-t", "light", NULL), 0);
    sbuf_rtrim(&out);
    CHECK_STR(out.buf, "commit");
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "light"), 0);
    CHECK_INT(git_line(&want, bare.buf, "rev-parse", "main~1"), 0);
    CHECK_STR(out.buf, want.buf);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "cat-file", "-t", "notes", NULL), 0);
    sbuf_rtrim(&out);
    CHECK_STR(out.buf, "tag");
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "notes^{commit}"), 0);
    CHECK_INT(git_line(&want, bare.buf, "rev-parse", "main"), 0);
    CHECK_STR(out.buf, want.buf);
    sbuf_reset(&out);
    CHECK_INT(git(&out, "--git-dir", bare.buf, "tag", "-l", "--format=%(contents)%(taggername)",
                  "notes", NULL),
              0);
    CHECK_STR(out.buf, "release notes\nrunnel\n");
    CHECK_INT(repo_tag_create(r, "light", "main", NULL, &e), ERR_FAIL);
    CHECK_STR(e.msg, "tag 'light' already exists");
    CHECK_INT(git_line(&out, bare.buf, "rev-parse", "light"), 0);
    CHECK_INT(git_line(&want, bare.buf, "rev-parse", "main~1"), 0);
    CHECK_STR(out.buf, want.buf);
    repo_free(r);
    sbuf_release(&bare);
    sbuf_release(&out);
    sbuf_release(&want);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(open_bare_creates_with_the_initial_branch),
        TEST(open_bare_without_a_branch_never_creates),
        TEST(resolve_matches_rev_parse),
        TEST(ls_tree_matches_git_ls_tree),
        TEST(read_blob_matches_cat_file),
        TEST(commit_changes_writes_what_git_reads),
        TEST(commit_refuses_a_branch_that_moved),
        TEST(commit_refuses_to_delete_a_missing_file),
        TEST(first_commit_needs_a_new_branch),
        TEST(branch_create_from_a_revision_keeps_an_existing_one),
        TEST(tag_create_lightweight_or_annotated),
    };
    repo_global_init();
    int rc = harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
    repo_global_shutdown();
    return rc;
}
