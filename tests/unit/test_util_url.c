/*
 * util/url: the parts of a remote address and the form shown to users, for both git forms, with
 * and without credentials. A password never reaches the display form.
 */
#include "harness.h"

#include <string.h>

#include "util/sbuf.h"
#include "util/url.h"

static bool slice_is(struct str s, const char *want)
{
    if (!want)
        return s.p == NULL;
    return s.p && s.len == strlen(want) && !memcmp(s.p, want, s.len);
}

static void url_split_reads_both_forms(void)
{
    static const struct {
        const char *url, *user, *password, *host, *path;
        bool scp;
    } cases[] = {
        {"https://github.com/o/r.git", NULL, NULL, "github.com", "/o/r.git", false},
        {"https://x-access-token:tok@github.com/o/r", "x-access-token", "tok", "github.com", "/o/r",
         false},
        {"https://u:p%40ss@ghe.example.com:8443/o/r", "u", "p%40ss", "ghe.example.com:8443", "/o/r",
         false},
        {"ssh://git@github.com/o/r/", "git", NULL, "github.com", "/o/r/", false},
        {"git@github.com:o/r.git", "git", NULL, "github.com", "o/r.git", true},
        {"user:sekret@gh.example.com:o/r.git", "user", "sekret", "gh.example.com", "o/r.git", true},
        /* a password holding '@', ':' or '/': the last '@' a ':' follows ends it */
        {"user:p@s:s/w@gh.example.com:o/r", "user", "p@s:s/w", "gh.example.com", "o/r", true},
        {"gh.example.com:o/r", NULL, NULL, "gh.example.com", "o/r", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct url_parts u;
        CHECK(url_split(&u, cases[i].url));
        CHECK(u.scp == cases[i].scp);
        CHECK(slice_is(u.user, cases[i].user));
        CHECK(slice_is(u.password, cases[i].password));
        CHECK(slice_is(u.host, cases[i].host));
        CHECK(slice_is(u.path, cases[i].path));
    }
    struct url_parts u;
    CHECK(!url_split(&u, "/srv/git/o/r"));
    CHECK(!url_split(&u, "./a:b"));
    CHECK(!url_split(&u, "relative/dir"));
}

static void url_display_drops_the_password(void)
{
    static const char *const cases[][2] = {
        {"https://x-access-token:tok@github.com/o/r", "https://github.com/o/r"},
        {"https://user@github.com/o/r", "https://github.com/o/r"},
        {"user:sekret@gh.example.com:o/r.git", "gh.example.com:o/r.git"},
        {"user:p@s:s/w@gh.example.com:o/r", "gh.example.com:o/r"},
        {"git@github.com:o/r.git", "git@github.com:o/r.git"}, /* the SSH login stays */
        {"/srv/git/o/r", "/srv/git/o/r"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        url_add_display(&sb, cases[i][0]);
        CHECK_STR(sb.buf, cases[i][1]);
        sbuf_release(&sb);
    }
}

/* RFC 3986 section 2.1: "%" HEXDIG HEXDIG is one octet, either case; anything else is literal. */
static void url_percent_decode_reads_pct_encoded(void)
{
    static const char *const cases[][2] = {
        {"p%40ss", "p@ss"}, {"a%2Fb%2fc", "a/b/c"}, {"100%", "100%"},
        {"%4", "%4"},       {"%zz%41", "%zzA"},     {"plain", "plain"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        url_percent_decode(&sb, cases[i][0]);
        CHECK_STR(sb.buf, cases[i][1]);
        sbuf_release(&sb);
    }
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(url_split_reads_both_forms),
        TEST(url_display_drops_the_password),
        TEST(url_percent_decode_reads_pct_encoded),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
