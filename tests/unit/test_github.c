/*
 * github: the parts that need no server (targets, remote URLs, watermarks). The REST calls are
 * exercised against the loopback GitHub in tests/github/test_github.py.
 */
#include "harness.h"

#include "github/github.h"

static void targets_parse_as_cml_spells_them(void)
{
    struct gh_target t;
    struct err err = ERR_INIT;
    CHECK_INT(gh_target_parse(&t, "auto", &err), 0);
    CHECK_INT(t.kind, GH_TARGET_AUTO);
    CHECK_INT(gh_target_parse(&t, "pr", &err), 0);
    CHECK_INT(t.kind, GH_TARGET_PR);
    CHECK_INT(t.number, 0);
    CHECK_INT(gh_target_parse(&t, "pr/42", &err), 0);
    CHECK_INT(t.number, 42);
    CHECK_INT(gh_target_parse(&t, "issue/7", &err), 0);
    CHECK_INT(t.kind, GH_TARGET_ISSUE);
    CHECK_INT(gh_target_parse(&t, "commit", &err), 0);
    CHECK_STR(t.sha, "");
    CHECK_INT(gh_target_parse(&t, "commit/0123abcd", &err), 0);
    CHECK_STR(t.sha, "0123abcd");
    CHECK_INT(gh_target_parse(&t, "pr/x", &err), ERR_INVALID);
    CHECK_INT(gh_target_parse(&t, "issue", &err), ERR_INVALID);
    CHECK_INT(gh_target_parse(&t, "commit/xyz!", &err), ERR_INVALID);
    CHECK_INT(gh_target_parse(&t, "branch/main", &err), ERR_INVALID);
    CHECK(strstr(err.msg, "unknown target 'branch/main'"));
}

static void repo_from_remote_urls(void)
{
    static const char *const ok[][2] = {
        {"https://github.com/octo/demo.git", "octo/demo"},
        {"https://x-access-token:secret@github.com/octo/demo", "octo/demo"},
        {"git@github.com:octo/demo.git", "octo/demo"},
        {"ssh://git@github.com/octo/demo/", "octo/demo"},
        {"https://ghe.example.com/team/models.git", "team/models"},
        /* credentials before the host, in the scp-like form too */
        {"user:sekret@gh.example.com:o/r.git", "o/r"},
        {"user:p@s/s@gh.example.com:o/r", "o/r"},
        {"https://user:sekret@gh.example.com/o/r.git", "o/r"},
    };
    struct err err = ERR_INIT;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        int rc = gh_repo_from_url(&sb, ok[i][0], &err);
        CHECK_INT(rc, 0);
        CHECK_STR(sb.buf, ok[i][1]);
        sbuf_release(&sb);
    }
    struct sbuf sb = SBUF_INIT;
    CHECK_INT(gh_repo_from_url(&sb, "https://github.com/octo", &err), ERR_INVALID);
    CHECK_INT(gh_repo_from_url(&sb, "/srv/git/a/b/c", &err), ERR_INVALID);
    /* the message shows the URL without its password */
    CHECK_INT(gh_repo_from_url(&sb, "user:sekret@gh.example.com:o", &err), ERR_INVALID);
    CHECK_STR(err.msg, "remote URL 'gh.example.com:o' has no owner/name");
    CHECK_INT(gh_repo_from_url(&sb, "https://u:sekret@gh.example.com/o", &err), ERR_INVALID);
    CHECK_STR(err.msg, "remote URL 'https://gh.example.com/o' has no owner/name");
    sbuf_release(&sb);
}

static void watermarks(void)
{
    struct sbuf wm = SBUF_INIT, marker = SBUF_INIT, cml = SBUF_INIT;
    gh_watermark(&wm, "nightly --> x", "abc");
    gh_watermark_marker(&marker, "nightly --> x");
    /* the label cannot close the HTML comment early */
    CHECK_STR(wm.buf, "<!-- runnel watermark: nightly - -> x | abc -->");
    CHECK(strstr(wm.buf, marker.buf) == wm.buf);
    /* CML's title escaping (src/watermark.js): _ * [ < */
    gh_watermark_cml_marker(&cml, "my_run*[<");
    CHECK_STR(cml.buf, "\"CML watermark my\\_run\\*\\[\\<\")");
    sbuf_reset(&cml);
    gh_watermark_cml_marker(&cml, "");
    CHECK_STR(cml.buf, "\"CML watermark\")");
    sbuf_release(&wm);
    sbuf_release(&marker);
    sbuf_release(&cml);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(targets_parse_as_cml_spells_them),
        TEST(repo_from_remote_urls),
        TEST(watermarks),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
