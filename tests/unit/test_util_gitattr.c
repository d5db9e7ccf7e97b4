/*
 * gitattr_escape_path() against what `git lfs track --filename` (git-lfs 3.3.0) writes into
 * .gitattributes for the same names, and the cases where git-lfs's output is not read back by
 * git as the same file (a backslash, a tab, a leading '!' or '"'), checked against git's
 * documented pattern rules (gitignore(5): "\!" for a literal leading '!'; gitattributes(5):
 * a pattern in double quotes is read C-style). The e2e test git_publish.sh checks the result with
 * `git check-attr` itself.
 */
#include "harness.h"

#include "util/gitattr.h"
#include "util/sbuf.h"

static void check_escape(const char *path, const char *want, const char *file, int line)
{
    struct sbuf out = SBUF_INIT;
    gitattr_escape_path(&out, path);
    if (strcmp(out.buf, want))
        harness_fail(file, line, "'%s' escaped as '%s', want '%s'", path, out.buf, want);
    struct sbuf back = SBUF_INIT;
    bool literal = gitattr_unescape_path(&back, out.buf);
    bool spaces = strpbrk(path, "\t\n\r") != NULL; /* read back as ' ' */
    if (!literal || (!spaces && strcmp(back.buf, path)))
        harness_fail(file, line, "'%s' read back as '%s'", out.buf, back.buf);
    sbuf_release(&out);
    sbuf_release(&back);
}
#define ESCAPE(path, want) check_escape(path, want, __FILE__, __LINE__)

static void escape_matches_git_lfs_track_filename(void)
{
    /* git lfs track --filename NAME, the .gitattributes line's pattern */
    ESCAPE("d[1].bin", "d\\[1\\].bin");
    ESCAPE("a*b.bin", "a\\*b.bin");
    ESCAPE("q?.bin", "q\\?.bin");
    ESCAPE("sp ace.bin", "sp[[:space:]]ace.bin");
    ESCAPE("sub dir/e.bin", "sub[[:space:]]dir/e.bin");
    ESCAPE("x/#h.bin", "x/\\#h.bin");
    ESCAPE("#lead.bin", "\\#lead.bin");
    ESCAPE("a#b.bin", "a\\#b.bin");
    ESCAPE("x!y.bin", "x!y.bin");
    ESCAPE("q\"uo.bin", "q\"uo.bin");
    ESCAPE("br{a}.bin", "br{a}.bin");
    ESCAPE("c,d;e$f'g~h%i^j.bin", "c,d;e$f'g~h%i^j.bin");
    ESCAPE("plain/model.bin", "plain/model.bin");
}

static void escape_covers_what_git_lfs_gets_wrong(void)
{
    /* git-lfs turns '\' into '/' (a Windows path); on Linux it is a character of the name */
    ESCAPE("back\\sl.bin", "back\\\\sl.bin");
    /* git-lfs writes a tab or newline as it is, which ends the pattern (or the line) */
    ESCAPE("tab\tt.bin", "tab[[:space:]]t.bin");
    ESCAPE("new\nline.bin", "new[[:space:]]line.bin");
    /* a leading '!' would be a negative pattern, which .gitattributes ignores */
    ESCAPE("!lead.bin", "\\!lead.bin");
    /* a leading '"' would make git read a C-quoted pattern */
    ESCAPE("\"lead.bin", "\\\"lead.bin");
}

static void unescape_refuses_wildcards(void)
{
    struct sbuf out = SBUF_INIT;
    CHECK(!gitattr_unescape_path(&out, "*.bin"));
    sbuf_reset(&out);
    CHECK(!gitattr_unescape_path(&out, "d[1].bin"));
    sbuf_reset(&out);
    CHECK(!gitattr_unescape_path(&out, "a?.bin"));
    sbuf_reset(&out);
    CHECK(gitattr_unescape_path(&out, "models/d\\[1\\].bin"));
    CHECK_STR(out.buf, "models/d[1].bin");
    sbuf_release(&out);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(escape_matches_git_lfs_track_filename),
        TEST(escape_covers_what_git_lfs_gets_wrong),
        TEST(unescape_refuses_wildcards),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
