/*
 * hub: path normalisation (expected values from huggingface_hub's _validate_path_in_repo and
 * upload_folder), the Space card rules (the Hub's Spaces configuration reference), the token file
 * location (huggingface_hub constants.py), and the embedded file:// hub end to end, on the git
 * operations runnel itself passes (runner/hub_git.c, built in by tests/cmake/hub.cmake).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/hub.h"
#include "hub_git.h"
#include "util/path.h"

static void normalize_strips_leading_slash_and_dot_slash(void)
{
    static const char *in[] = {"/Model", "./a/b.txt", "/./x", "a//b", "a/./b", "Model/"};
    static const char *out[] = {"Model", "a/b.txt", "x", "a/b", "a/b", "Model"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        struct err err = ERR_INIT;
        int rc = hub_normalize_path(&sb, in[i], &err);
        bool same = rc == 0 && !strcmp(sb.buf, out[i]);
        sbuf_release(&sb);
        CHECK(same);
    }
}

static void normalize_refuses_dotdot_git_and_empty(void)
{
    static const char *bad[] = {"",
                                ".",
                                "..",
                                "../x",
                                "a/../b",
                                "x/..",
                                ".git/config",
                                "a/.git",
                                "sub/.cache/huggingface/x",
                                "/",
                                "./"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        struct err err = ERR_INIT;
        int rc = hub_normalize_path(&sb, bad[i], &err);
        size_t len = sb.len;
        sbuf_release(&sb);
        CHECK_INT(rc, ERR_INVALID);
        CHECK_INT(len, 0);
    }
}

#define CARD_OK "---\ntitle: T\nemoji: 🚀\ncolorFrom: blue\ncolorTo: red\nsdk: gradio\n"

static int card(const char *text, struct err *err)
{
    return hub_check_space_card(text, strlen(text), err);
}

static void card_accepts_documented_fields(void)
{
    struct err err = ERR_INIT;
    CHECK_INT(card(CARD_OK
                   "sdk_version: 4.44.1\napp_file: src/app.py\npinned: false\n"
                   "tags:\n  - ml\n  - demo\nmodels: [a/b, c/d]\nshort_description: x\n---\n"
                   "# body\n",
                   &err),
              0);
    CHECK_INT(card("---\nsdk: docker\napp_port: 7860\n---\n", &err), 0);
    CHECK_INT(card("\xEF\xBB\xBF---\r\nsdk: \"static\"\r\n---\r\n", &err), 0);
}

static void card_rejects_bad_values_with_positions(void)
{
    struct err err = ERR_INIT;
    CHECK_INT(card("---\ntitle: x\nsdk: flask\n---\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "README.md:3:6: 'sdk' must be one of gradio, streamlit, docker, static");
    CHECK_INT(card("---\ntitle: x\n---\n", &err), ERR_INVALID);
    CHECK(strstr(err.msg, "has no 'sdk'"));
    CHECK_INT(card(CARD_OK "colorFrom: teal\n---\n", &err), ERR_INVALID);
    CHECK(strstr(err.msg, "duplicate key 'colorFrom'"));
    CHECK_INT(card("---\nsdk: docker\napp_port: http\n---\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "README.md:3:11: 'app_port' must be a port number from 1 to 65535");
    CHECK_INT(card("---\nsdk: gradio\napp_file: ../app.py\n---\n", &err), ERR_INVALID);
    CHECK(strstr(err.msg, "'app_file' must be a relative path"));
    CHECK_INT(card("---\nsdk: gradio\npinned: yes\n---\n", &err), ERR_INVALID);
    CHECK_INT(card("---\nsdk: gradio\nsdk_version: latest\n---\n", &err), ERR_INVALID);
    CHECK_INT(card("---\nsdk: gradio\n", &err), ERR_INVALID);
    CHECK(strstr(err.msg, "no closing '---'"));
    CHECK_INT(card("# just markdown\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "README.md:1:1: no YAML front matter: a Space card starts with '---'");
    CHECK_INT(card("---\nsdk gradio\n---\n", &err), ERR_INVALID);
    CHECK_STR(err.msg, "README.md:2:1: expected 'key: value'");
}

/* short_description: "at most 60 characters" (the Hub's Spaces configuration reference); a
 * character is not a byte, so 60 'é' (120 bytes of UTF-8) fit and 61 do not. */
static void card_counts_short_description_in_characters(void)
{
    struct err err = ERR_INIT;
    struct sbuf text = SBUF_INIT;
    int rc[4];
    const char *const fill[] = {"x", "\xC3\xA9", "\xF0\x9F\x9A\x80", "x"};
    const size_t count[] = {60, 60, 60, 61};
    for (size_t t = 0; t < 4; t++) {
        sbuf_reset(&text);
        sbuf_addstr(&text, "---\nsdk: gradio\nshort_description: ");
        for (size_t i = 0; i < count[t]; i++)
            sbuf_addstr(&text, fill[t]);
        sbuf_addstr(&text, "\n---\n");
        rc[t] = card(text.buf, &err);
    }
    sbuf_reset(&text);
    sbuf_addstr(&text, "---\nsdk: gradio\nshort_description: \"");
    for (size_t i = 0; i < 61; i++)
        sbuf_addstr(&text, "\xC3\xA9");
    sbuf_addstr(&text, "\"\n---\n");
    int rc_long = card(text.buf, &err);
    sbuf_release(&text);
    CHECK_INT(rc[0], 0);
    CHECK_INT(rc[1], 0);
    CHECK_INT(rc[2], 0);
    CHECK_INT(rc[3], ERR_INVALID);
    CHECK_INT(rc_long, ERR_INVALID);
    CHECK(strstr(err.msg, "'short_description' must be at most 60 characters") != NULL);
}

static void token_path_follows_huggingface_hub(void)
{
    struct sbuf p = SBUF_INIT;
    setenv("HOME", "/home/u", 1);
    unsetenv("HF_TOKEN_PATH");
    unsetenv("HF_HOME");
    unsetenv("XDG_CACHE_HOME");
    hub_token_path(&p);
    CHECK_STR(p.buf, "/home/u/.cache/huggingface/token");
    sbuf_reset(&p);
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/xdg/huggingface/token");
    sbuf_reset(&p);
    setenv("HF_HOME", "/hf", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/hf/token");
    sbuf_reset(&p);
    setenv("HF_TOKEN_PATH", "/t/tok", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/t/tok");
    sbuf_release(&p);
    unsetenv("HF_TOKEN_PATH");
    unsetenv("HF_HOME");
    unsetenv("XDG_CACHE_HOME");
}

/* constants.py expands HF_HOME, HF_TOKEN_PATH (and the XDG default) with
 * os.path.expandvars(os.path.expanduser(...)); a workflow's env: passes '~/.hf' as it is. */
static void token_path_expands_tilde_and_variables(void)
{
    struct sbuf p = SBUF_INIT;
    setenv("HOME", "/home/u", 1);
    setenv("RUNNEL_T_DIR", "/data", 1);
    unsetenv("RUNNEL_T_UNSET");
    unsetenv("HF_TOKEN_PATH");
    unsetenv("XDG_CACHE_HOME");
    setenv("HF_HOME", "~/.hf", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/home/u/.hf/token");
    sbuf_reset(&p);
    setenv("HF_HOME", "$RUNNEL_T_DIR/hf", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/data/hf/token");
    sbuf_reset(&p);
    setenv("HF_HOME", "${RUNNEL_T_DIR}x/$RUNNEL_T_UNSET/${RUNNEL_T_UNSET}/$/a$", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/datax/$RUNNEL_T_UNSET/${RUNNEL_T_UNSET}/$/a$/token");
    sbuf_reset(&p);
    unsetenv("HF_HOME");
    setenv("XDG_CACHE_HOME", "~/cache", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/home/u/cache/huggingface/token");
    sbuf_reset(&p);
    setenv("HF_TOKEN_PATH", "~/tok", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/home/u/tok");
    sbuf_reset(&p);
    /* "~name" is that user's home; an unknown user stays as it is (posixpath.expanduser). */
    setenv("HF_TOKEN_PATH", "~root/tok", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/root/tok");
    sbuf_reset(&p);
    setenv("HF_TOKEN_PATH", "~no-such-user-xq/tok", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "~no-such-user-xq/tok");
    sbuf_reset(&p);
    setenv("HOME", "/", 1);
    setenv("HF_TOKEN_PATH", "~", 1);
    hub_token_path(&p);
    CHECK_STR(p.buf, "/");
    sbuf_release(&p);
    unsetenv("HF_TOKEN_PATH");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("RUNNEL_T_DIR");
}

static void token_save_then_load_private(void)
{
    struct sbuf path = SBUF_INIT;
    struct sbuf tok = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&path, harness_tmpdir(), "hf/token");
    setenv("HF_TOKEN_PATH", path.buf, 1);
    unsetenv("HF_TOKEN");
    CHECK_INT(hub_token_save("hf_abc", &err), 0);
    struct stat st;
    CHECK_INT(stat(path.buf, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(hub_token_load(&tok, &err), 0);
    CHECK_STR(tok.buf, "hf_abc");
    sbuf_reset(&tok);
    setenv("HF_TOKEN", "hf_env", 1);
    CHECK_INT(hub_token_load(&tok, &err), 0);
    CHECK_STR(tok.buf, "hf_env");
    unsetenv("HF_TOKEN");
    unsetenv("HF_TOKEN_PATH");
    sbuf_release(&path);
    sbuf_release(&tok);
}

static void repo_types_parse(void)
{
    enum hub_repo_type t;
    CHECK(hub_repo_type_parse("space", &t) && t == HUB_REPO_SPACE);
    CHECK(hub_repo_type_parse("datasets", &t) && t == HUB_REPO_DATASET);
    CHECK(hub_repo_type_parse("model", &t) && t == HUB_REPO_MODEL);
    CHECK(!hub_repo_type_parse("bucket", &t));
}

static void file_hub_commits_once_and_skips_unchanged(void)
{
    struct sbuf dir = SBUF_INIT, endpoint = SBUF_INIT, f = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&dir, harness_tmpdir(), "src");
    CHECK_INT(fs_mkdirs(dir.buf, 0755, &err), 0);
    path_join(&f, dir.buf, "a.txt");
    CHECK_INT(fs_write_file(f.buf, "hello\n", 6, &err), 0);
    sbuf_addf(&endpoint, "file://%s/hub", harness_tmpdir());
    struct hub *h = NULL;
    CHECK_INT(
        hub_new(&h, &(struct hub_opts){.endpoint = endpoint.buf, .git = &cli_hub_git_ops}, &err),
        0);
    struct hub_upload_item item = {.local = dir.buf, .remote = "data"};
    struct hub_upload_opts o = {.repo = {.type = HUB_REPO_DATASET, .id = "me/ds"},
                                .items = &item,
                                .n_items = 1,
                                .create = true,
                                .summary = "first"};
    struct hub_upload_result r1 = HUB_UPLOAD_RESULT_INIT, r2 = HUB_UPLOAD_RESULT_INIT;
    int rc1 = hub_upload(h, &o, &r1, &err);
    int rc2 = hub_upload(h, &o, &r2, &err);
    struct sbuf tip = SBUF_INIT;
    int rc3 = hub_revision(h, &o.repo, "main", &tip, &err);
    CHECK_INT(rc1, 0);
    CHECK_INT(rc2, 0);
    CHECK_INT(rc3, 0);
    CHECK_INT(r1.n_regular, 1);
    CHECK_INT(r2.n_unchanged, 1);
    CHECK_INT(r2.commit_oid.len, 0);
    CHECK_STR(tip.buf, r1.commit_oid.buf);
    hub_upload_result_release(&r1);
    hub_upload_result_release(&r2);
    hub_free(h);
    sbuf_release(&tip);
    sbuf_release(&dir);
    sbuf_release(&endpoint);
    sbuf_release(&f);
}

static void upload_refuses_two_files_for_one_path(void)
{
    struct sbuf a = SBUF_INIT, b = SBUF_INIT, endpoint = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&a, harness_tmpdir(), "one.txt");
    path_join(&b, harness_tmpdir(), "two.txt");
    CHECK_INT(fs_write_file(a.buf, "1\n", 2, &err), 0);
    CHECK_INT(fs_write_file(b.buf, "2\n", 2, &err), 0);
    sbuf_addf(&endpoint, "file://%s/dup-hub", harness_tmpdir());
    struct hub *h = NULL;
    CHECK_INT(
        hub_new(&h, &(struct hub_opts){.endpoint = endpoint.buf, .git = &cli_hub_git_ops}, &err),
        0);
    struct hub_upload_item items[] = {{.local = a.buf, .remote = "x.txt"},
                                      {.local = b.buf, .remote = "./x.txt"}};
    struct hub_upload_opts o = {
        .repo = {.id = "me/m"}, .items = items, .n_items = 2, .create = true};
    struct hub_upload_result r = HUB_UPLOAD_RESULT_INIT;
    CHECK_INT(hub_upload(h, &o, &r, &err), ERR_INVALID);
    CHECK(strstr(err.msg, "both go to 'x.txt' in the repo") != NULL);
    CHECK(strstr(err.msg, "one.txt") != NULL);
    hub_upload_result_release(&r);
    hub_free(h);
    sbuf_release(&a);
    sbuf_release(&b);
    sbuf_release(&endpoint);
}

/*
 * Another writer for the race tests: before each of the next `left` commits the embedded hub
 * makes, it commits on the same parent itself (adding other<n>.txt, and deleting old.txt the
 * first time), so the branch has moved when the upload's own commit comes.
 */
static struct {
    int left;
    int raced;
} race;

static int racing_commit(char sha_out[41], void *repo, const struct hub_git_commit *c,
                         struct err *err)
{
    if (race.left > 0 && c->parent) {
        race.left--;
        race.raced++;
        char name[32];
        snprintf(name, sizeof(name), "other%d.txt", race.raced);
        struct hub_git_change ch[] = {
            {.kind = HUB_GIT_ADD_DATA, .path = name, .data = "theirs\n", .len = 7},
            {.kind = HUB_GIT_DELETE, .path = "old.txt"},
        };
        struct hub_git_commit theirs = {.branch = c->branch,
                                        .parent = c->parent,
                                        .message = "a racing commit\n",
                                        .changes = ch,
                                        .n_changes = race.raced == 1 ? 2 : 1};
        char sha[41];
        int rc = cli_hub_git_ops.commit(sha, repo, &theirs, err);
        if (rc < 0)
            return rc;
    }
    return cli_hub_git_ops.commit(sha_out, repo, c, err);
}

static void add_name(const char *path, const char *oid, uint64_t size, unsigned mode, void *payload)
{
    struct sbuf *names = payload;
    sbuf_addf(names, "%s%s", names->len ? " " : "", path);
}

/* The files of main in the embedded hub's repo for me/race, space-separated, into names. */
static int race_tree(struct sbuf *names, const char *root, struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    void *r = NULL;
    sbuf_addf(&dir, "%s/models/me/race.git", root);
    int rc = cli_hub_git_ops.open(&r, dir.buf, NULL, err);
    if (rc == 0)
        rc = cli_hub_git_ops.ls_tree(r, "main", add_name, names, err);
    if (r)
        cli_hub_git_ops.close(r);
    sbuf_release(&dir);
    return rc;
}

/* When the branch moves between the upload's read of it and its commit, the upload plans again
 * on the new tip (old.txt, which it meant to delete, is gone already) and commits on top. */
static void file_hub_plans_again_when_the_branch_moved(void)
{
    struct sbuf dir = SBUF_INIT, root = SBUF_INIT, endpoint = SBUF_INIT, f = SBUF_INIT;
    struct sbuf names = SBUF_INIT, tip = SBUF_INIT;
    struct err err = ERR_INIT;
    struct hub_git_ops ops = cli_hub_git_ops;
    ops.commit = racing_commit;
    path_join(&dir, harness_tmpdir(), "race-src");
    path_join(&root, harness_tmpdir(), "race-hub");
    sbuf_addf(&endpoint, "file://%s", root.buf);
    CHECK_INT(fs_mkdirs(dir.buf, 0755, &err), 0);
    path_join(&f, dir.buf, "a.txt");
    CHECK_INT(fs_write_file(f.buf, "a\n", 2, &err), 0);
    sbuf_reset(&f);
    path_join(&f, dir.buf, "old.txt");
    CHECK_INT(fs_write_file(f.buf, "old\n", 4, &err), 0);
    struct hub *h = NULL;
    CHECK_INT(hub_new(&h, &(struct hub_opts){.endpoint = endpoint.buf, .git = &ops}, &err), 0);
    struct hub_upload_item item = {.local = dir.buf};
    static const char *const del[] = {"old.txt"};
    struct hub_upload_opts o = {.repo = {.id = "me/race"}, .items = &item, .n_items = 1};
    o.create = true;
    struct hub_upload_result r0 = HUB_UPLOAD_RESULT_INIT, r1 = HUB_UPLOAD_RESULT_INIT;
    struct hub_upload_result r2 = HUB_UPLOAD_RESULT_INIT, r3 = HUB_UPLOAD_RESULT_INIT;
    int rc0 = hub_upload(h, &o, &r0, &err);

    /* One race: planned again, committed on top of the other writer's commit. */
    unlink(f.buf);
    sbuf_reset(&f);
    path_join(&f, dir.buf, "new.txt");
    CHECK_INT(fs_write_file(f.buf, "new\n", 4, &err), 0);
    o.delete_patterns = del;
    o.n_delete = 1;
    race.left = 1;
    int rc1 = hub_upload(h, &o, &r1, &err);
    int rc_tree = race_tree(&names, root.buf, &err);

    /* An expected parent the caller gave fails at once. */
    sbuf_reset(&f);
    path_join(&f, dir.buf, "new2.txt");
    CHECK_INT(fs_write_file(f.buf, "new2\n", 5, &err), 0);
    CHECK_INT(hub_revision(h, &o.repo, "main", &tip, &err), 0);
    o.parent_commit = tip.buf;
    race.left = 1;
    int rc2 = hub_upload(h, &o, &r2, &err);
    struct err err2 = err;

    /* A branch that keeps moving: a few attempts, then a clear error. */
    o.parent_commit = NULL;
    race.left = 100;
    int rc3 = hub_upload(h, &o, &r3, &err);
    int raced3 = 100 - race.left;
    race.left = 0;

    CHECK_INT(rc0, 0);
    CHECK_INT(rc1, 0);
    CHECK_INT(rc_tree, 0);
    CHECK_STR(names.buf, ".gitattributes a.txt new.txt other1.txt");
    CHECK_INT(r1.n_deleted, 0);
    CHECK_INT(r1.n_regular, 1);
    CHECK_INT(r1.n_unchanged, 1);
    CHECK_INT(rc2, ERR_FAIL);
    CHECK(strstr(err2.msg, "moved while uploading (parent commit mismatch)") != NULL);
    CHECK_INT(rc3, ERR_FAIL);
    CHECK_INT(raced3, 5);
    CHECK(strstr(err.msg, "gave up after 5 attempts: ") == err.msg);
    hub_upload_result_release(&r0);
    hub_upload_result_release(&r1);
    hub_upload_result_release(&r2);
    hub_upload_result_release(&r3);
    hub_free(h);
    sbuf_release(&dir);
    sbuf_release(&root);
    sbuf_release(&endpoint);
    sbuf_release(&f);
    sbuf_release(&names);
    sbuf_release(&tip);
}

static void file_hub_without_git_ops_is_an_error(void)
{
    struct sbuf endpoint = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&endpoint, "file://%s/no-git", harness_tmpdir());
    struct hub *h = NULL;
    int rc = hub_new(&h, &(struct hub_opts){.endpoint = endpoint.buf}, &err);
    sbuf_release(&endpoint);
    CHECK_INT(rc, ERR_INVALID);
    CHECK(h == NULL);
    CHECK(strstr(err.msg, "the embedded file:// hub needs git operations") != NULL);
    /* An HTTP hub needs none. */
    CHECK_INT(hub_new(&h, &(struct hub_opts){.endpoint = "http://127.0.0.1:9"}, &err), 0);
    hub_free(h);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(normalize_strips_leading_slash_and_dot_slash),
        TEST(normalize_refuses_dotdot_git_and_empty),
        TEST(card_accepts_documented_fields),
        TEST(card_rejects_bad_values_with_positions),
        TEST(card_counts_short_description_in_characters),
        TEST(token_path_follows_huggingface_hub),
        TEST(token_path_expands_tilde_and_variables),
        TEST(token_save_then_load_private),
        TEST(repo_types_parse),
        TEST(file_hub_commits_once_and_skips_unchanged),
        TEST(upload_refuses_two_files_for_one_path),
        TEST(file_hub_without_git_ops_is_an_error),
        TEST(file_hub_plans_again_when_the_branch_moved),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
