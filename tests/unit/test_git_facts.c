/*
 * Unit tests of git.h's repository facts. Every test builds a real repository with the git
 * command and checks what git.h reads against what git itself prints (rev-parse, merge-base,
 * rev-list, diff --name-status, for-each-ref, config, status), never against runnel's output.
 * The git command runs through src/exec/ (tests/cmake/git_facts.cmake links it).
 */

#include "harness.h"
#include "git_cmd.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "git/git.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"

/*
 * Runs `git -C dir args...` (NULL-terminated) with a fixed identity and dates and no system or
 * user configuration, and sets out (may be NULL) to its stdout without the trailing newlines.
 * Returns git's exit status, or -1 when it could not be run.
 */
__attribute__((sentinel)) static int git_run(struct sbuf *out, const char *dir, ...)
{
    const char *argv[32] = {"git", "-C", dir};
    size_t n = 3;
    va_list ap;
    va_start(ap, dir);
    for (const char *a; (a = va_arg(ap, const char *)) && n < 31;)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    static const char *const identity[] = {"GIT_AUTHOR_NAME=Mona Lisa",
                                           "GIT_AUTHOR_EMAIL=mona@example.com",
                                           "GIT_AUTHOR_DATE=1764446811 +0200",
                                           "GIT_COMMITTER_NAME=Hubot",
                                           "GIT_COMMITTER_EMAIL=hubot@example.com",
                                           "GIT_COMMITTER_DATE=1764450411 -0130",
                                           NULL};
    struct sbuf text = SBUF_INIT;
    int status = git_cmd(&text, identity, argv);
    if (out) {
        while (text.len && text.buf[text.len - 1] == '\n')
            sbuf_setlen(&text, text.len - 1);
        sbuf_reset(out);
        sbuf_add(out, text.buf, text.len);
    }
    sbuf_release(&text);
    return status;
}

/* True when git_run(out, dir, args..., NULL) succeeds. */
#define GIT_OK(out, dir, ...) (git_run(out, dir, __VA_ARGS__, NULL) == 0)

static bool write_text(const char *dir, const char *rel, const char *text)
{
    struct sbuf path = SBUF_INIT;
    struct sbuf parent = SBUF_INIT;
    struct err e = ERR_INIT;
    path_join(&path, dir, rel);
    path_dirname(&parent, path.buf);
    bool ok = fs_mkdirs(parent.buf, 0755, &e) == 0 &&
              fs_write_file(path.buf, text, strlen(text), &e) == 0;
    sbuf_release(&path);
    sbuf_release(&parent);
    return ok;
}

static bool commit_all(const char *dir, const char *message)
{
    return GIT_OK(NULL, dir, "add", "-A") &&
           GIT_OK(NULL, dir, "commit", "-q", "--allow-empty", "-m", message);
}

/* A fresh repository (branch main) at <tmp>/repo, its path in dir. */
static bool repo_make(struct sbuf *dir)
{
    path_join(dir, harness_tmpdir(), "repo");
    return GIT_OK(NULL, harness_tmpdir(), "init", "-q", "-b", "main", dir->buf);
}

/* A fresh repository whose main has ncommits commits, each changing f.txt. */
static bool repo_make_linear(struct sbuf *dir, size_t ncommits)
{
    if (!repo_make(dir))
        return false;
    struct sbuf text = SBUF_INIT;
    struct sbuf msg = SBUF_INIT;
    bool ok = true;
    for (size_t i = 0; i < ncommits && ok; i++) {
        sbuf_reset(&text);
        sbuf_reset(&msg);
        sbuf_addf(&text, "line %zu\n", i);
        sbuf_addf(&msg, "commit %zu", i);
        ok = write_text(dir->buf, "f.txt", text.buf) && commit_all(dir->buf, msg.buf);
    }
    sbuf_release(&text);
    sbuf_release(&msg);
    return ok;
}

static void head_is_what_rev_parse_and_symbolic_ref_say(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf ref = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 2));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    char commit[41];
    repo_head(commit, &ref, r);
    CHECK(GIT_OK(&want, dir.buf, "rev-parse", "HEAD"));
    CHECK_STR(commit, want.buf);
    CHECK(GIT_OK(&want, dir.buf, "symbolic-ref", "HEAD"));
    CHECK_STR(ref.buf, want.buf);

    /* detached: no branch, the same commit */
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "--detach", "HEAD~1"));
    sbuf_reset(&ref);
    repo_head(commit, &ref, r);
    CHECK(GIT_OK(&want, dir.buf, "rev-parse", "HEAD"));
    CHECK_STR(commit, want.buf);
    CHECK_STR(ref.buf, "");
    CHECK(git_run(NULL, dir.buf, "symbolic-ref", "-q", "HEAD", NULL) != 0);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&ref);
}

static void head_of_an_unborn_branch_has_a_ref_and_no_commit(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf ref = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    path_join(&dir, harness_tmpdir(), "repo");
    CHECK(GIT_OK(NULL, harness_tmpdir(), "init", "-q", "-b", "trunk", dir.buf));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    char commit[41];
    repo_head(commit, &ref, r);
    CHECK_STR(commit, "");
    CHECK(GIT_OK(&want, dir.buf, "symbolic-ref", "HEAD"));
    CHECK_STR(ref.buf, want.buf);
    CHECK(git_run(NULL, dir.buf, "rev-parse", "-q", "--verify", "HEAD", NULL) != 0);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&ref);
}

static void resolve_commit_agrees_with_rev_parse(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf spec = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 3));
    CHECK(GIT_OK(NULL, dir.buf, "tag", "-a", "-m", "release", "v1", "HEAD~1"));
    CHECK(GIT_OK(NULL, dir.buf, "tag", "light", "HEAD~2"));
    CHECK(GIT_OK(NULL, dir.buf, "branch", "side", "HEAD~1"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    static const char *const revs[] = {"HEAD", "HEAD~1", "HEAD^^",       "main",           "side",
                                       "v1",   "light",  "refs/tags/v1", "refs/heads/side"};
    char commit[41];
    for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]) && !harness_failed(); i++) {
        sbuf_reset(&spec);
        sbuf_addf(&spec, "%s^{commit}", revs[i]);
        CHECK(GIT_OK(&want, dir.buf, "rev-parse", "--verify", spec.buf));
        err_clear(&e);
        CHECK_INT(repo_resolve_commit(commit, r, revs[i], &e), 0);
        if (strcmp(commit, want.buf))
            harness_fail(__FILE__, __LINE__, "'%s' resolved to %s, git says %s", revs[i], commit,
                         want.buf);
    }
    /* an abbreviated id */
    CHECK(GIT_OK(&want, dir.buf, "rev-parse", "--short=9", "HEAD~1"));
    CHECK_INT(repo_resolve_commit(commit, r, want.buf, &e), 0);
    CHECK(GIT_OK(&want, dir.buf, "rev-parse", "HEAD~1"));
    CHECK_STR(commit, want.buf);

    CHECK(git_run(NULL, dir.buf, "rev-parse", "-q", "--verify", "nope^{commit}", NULL) != 0);
    CHECK_INT(repo_resolve_commit(commit, r, "nope", &e), ERR_NOTFOUND);
    CHECK_STR(e.msg, "unknown revision 'nope'");
    CHECK_INT(repo_resolve_commit(commit, r, "HEAD^{tree}", &e), ERR_INVALID);
    CHECK_STR(e.msg, "'HEAD^{tree}' does not name a commit");
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&spec);
}

/* Reads one field of a commit with git show -s --format=<fmt>. */
static bool show(struct sbuf *out, const char *dir, const char *fmt, const char *id)
{
    struct sbuf f = SBUF_INIT;
    sbuf_addf(&f, "--format=%s", fmt);
    bool ok = GIT_OK(out, dir, "show", "-s", f.buf, id);
    sbuf_release(&f);
    return ok;
}

static void commit_read_agrees_with_git_show(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf id = SBUF_INIT;
    struct repo *r = NULL;
    struct repo_commit c = {0};
    struct err e = ERR_INIT;
    CHECK(repo_make(&dir));
    CHECK(write_text(dir.buf, "a.txt", "a\n"));
    CHECK(commit_all(dir.buf, "subject line\n\nbody text\nsecond line\n"));
    CHECK(GIT_OK(&id, dir.buf, "rev-parse", "HEAD"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    CHECK_INT(repo_commit_read(&c, r, id.buf, &e), 0);
    CHECK_STR(c.id, id.buf);
    CHECK(show(&want, dir.buf, "%T", id.buf));
    CHECK_STR(c.tree, want.buf);
    CHECK_STR(c.parent, ""); /* a root commit */
    CHECK_INT(c.nparents, 0);
    CHECK(show(&want, dir.buf, "%an|%ae|%cn|%ce", id.buf));
    struct sbuf got = SBUF_INIT;
    sbuf_addf(&got, "%s|%s|%s|%s", c.author_name, c.author_email, c.committer_name,
              c.committer_email);
    int same = !strcmp(got.buf, want.buf);
    sbuf_release(&got);
    CHECK(same);
    CHECK(show(&want, dir.buf, "%ct", id.buf));
    struct sbuf t = SBUF_INIT;
    sbuf_addf(&t, "%lld", (long long)c.time);
    same = !strcmp(t.buf, want.buf);
    sbuf_release(&t);
    CHECK(same);
    /* the committer's offset, as git prints it (+hhmm / -hhmm) */
    CHECK(GIT_OK(&want, dir.buf, "show", "-s", "--date=format:%z", "--format=%cd", id.buf));
    int tz = c.tz_minutes < 0 ? -c.tz_minutes : c.tz_minutes;
    struct sbuf off = SBUF_INIT;
    sbuf_addf(&off, "%c%02d%02d", c.tz_minutes < 0 ? '-' : '+', tz / 60, tz % 60);
    same = !strcmp(off.buf, want.buf);
    sbuf_release(&off);
    CHECK(same);
    CHECK_INT(c.tz_minutes, -90); /* GIT_COMMITTER_DATE's -0130 */
    /* the message as stored: what follows the headers in git cat-file commit */
    CHECK(GIT_OK(&want, dir.buf, "cat-file", "commit", id.buf));
    const char *body = strstr(want.buf, "\n\n");
    CHECK(body != NULL);
    struct sbuf msg = SBUF_INIT;
    sbuf_addstr(&msg, c.message);
    while (msg.len && msg.buf[msg.len - 1] == '\n') /* git_run trimmed the stored newline */
        sbuf_setlen(&msg, msg.len - 1);
    same = !strcmp(msg.buf, body + 2);
    sbuf_release(&msg);
    CHECK(same);
    CHECK(str_has_suffix(c.message, "\n"));
    repo_commit_release(&c);

    /* a merge: two parents, the first is the one git lists first */
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "-b", "side"));
    CHECK(write_text(dir.buf, "b.txt", "b\n"));
    CHECK(commit_all(dir.buf, "side"));
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "main"));
    CHECK(write_text(dir.buf, "c.txt", "c\n"));
    CHECK(commit_all(dir.buf, "main"));
    CHECK(GIT_OK(NULL, dir.buf, "merge", "-q", "--no-ff", "-m", "merge side", "side"));
    CHECK(GIT_OK(&id, dir.buf, "rev-parse", "HEAD"));
    CHECK_INT(repo_commit_read(&c, r, id.buf, &e), 0);
    CHECK_INT(c.nparents, 2);
    CHECK(GIT_OK(&want, dir.buf, "rev-parse", "HEAD^1"));
    CHECK_STR(c.parent, want.buf);
    repo_commit_release(&c);

    CHECK_INT(repo_commit_read(&c, r, "0123456789012345678901234567890123456789", &e),
              ERR_NOTFOUND);
    CHECK_INT(repo_commit_read(&c, r, "HEAD", &e), ERR_NOTFOUND); /* ids only */
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&id);
}

static void merge_base_agrees_with_git_merge_base(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf a = SBUF_INIT;
    struct sbuf b = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 2));
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "-b", "feature"));
    CHECK(write_text(dir.buf, "g.txt", "feature\n"));
    CHECK(commit_all(dir.buf, "feature 1"));
    CHECK(commit_all(dir.buf, "feature 2"));
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "main"));
    CHECK(write_text(dir.buf, "h.txt", "main\n"));
    CHECK(commit_all(dir.buf, "main moves on"));
    CHECK(GIT_OK(&a, dir.buf, "rev-parse", "main"));
    CHECK(GIT_OK(&b, dir.buf, "rev-parse", "feature"));
    CHECK(GIT_OK(&want, dir.buf, "merge-base", a.buf, b.buf));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    char base[41];
    CHECK_INT(repo_merge_base(base, r, a.buf, b.buf, &e), 0);
    CHECK_STR(base, want.buf);

    /* unrelated histories: git merge-base exits 1, git.h says ERR_NOTFOUND */
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "--orphan", "other"));
    CHECK(commit_all(dir.buf, "unrelated"));
    CHECK(GIT_OK(&b, dir.buf, "rev-parse", "other"));
    CHECK_INT(git_run(NULL, dir.buf, "merge-base", a.buf, b.buf, NULL), 1);
    CHECK_INT(repo_merge_base(base, r, a.buf, b.buf, &e), ERR_NOTFOUND);
    CHECK(strstr(e.msg, "no common ancestor") != NULL);
    CHECK_INT(repo_merge_base(base, r, a.buf, "0123456789012345678901234567890123456789", &e),
              ERR_NOTFOUND);
    CHECK(strstr(e.msg, "unknown commit") != NULL);
    CHECK_INT(repo_merge_base(base, r, "main", a.buf, &e), ERR_INVALID);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&a);
    sbuf_release(&b);
    sbuf_release(&want);
}

/* The ids of a vector of char[41], one per line. */
static void ids_text(struct sbuf *out, const struct vec *ids)
{
    for (size_t i = 0; i < ids->len; i++)
        sbuf_addf(out, "%s%s", i ? "\n" : "", (const char *)vec_at(ids, i));
}

static void rev_list_agrees_with_git_rev_list(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf to = SBUF_INIT;
    struct sbuf hide = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct vec ids = VEC_INIT(char[41]);
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 5));
    CHECK(GIT_OK(&to, dir.buf, "rev-parse", "HEAD"));
    CHECK(GIT_OK(&hide, dir.buf, "rev-parse", "HEAD~3"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);

    struct sbuf not_hide = SBUF_INIT;
    sbuf_addf(&not_hide, "^%s", hide.buf);
    CHECK(GIT_OK(&want, dir.buf, "rev-list", "--topo-order", "--reverse", to.buf, not_hide.buf));
    sbuf_release(&not_hide);
    CHECK_INT(repo_rev_list(&ids, r, to.buf, hide.buf, &e), 0);
    ids_text(&got, &ids);
    CHECK_STR(got.buf, want.buf);
    CHECK_INT(ids.len, 3);

    /* nothing hidden: the whole history, root first */
    vec_clear(&ids);
    sbuf_reset(&got);
    CHECK(GIT_OK(&want, dir.buf, "rev-list", "--topo-order", "--reverse", to.buf));
    CHECK_INT(repo_rev_list(&ids, r, to.buf, NULL, &e), 0);
    ids_text(&got, &ids);
    CHECK_STR(got.buf, want.buf);
    CHECK_INT(ids.len, 5);

    /* a merged branch: what the merge brings in */
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "-b", "side", "HEAD~2"));
    CHECK(write_text(dir.buf, "s.txt", "side\n"));
    CHECK(commit_all(dir.buf, "side 1"));
    CHECK(commit_all(dir.buf, "side 2"));
    CHECK(GIT_OK(NULL, dir.buf, "checkout", "-q", "main"));
    CHECK(GIT_OK(NULL, dir.buf, "merge", "-q", "--no-ff", "-m", "merge side", "side"));
    CHECK(GIT_OK(&to, dir.buf, "rev-parse", "HEAD"));
    CHECK(GIT_OK(&hide, dir.buf, "rev-parse", "HEAD^1"));
    not_hide = SBUF_INIT;
    sbuf_addf(&not_hide, "^%s", hide.buf);
    CHECK(GIT_OK(&want, dir.buf, "rev-list", "--topo-order", "--reverse", to.buf, not_hide.buf));
    sbuf_release(&not_hide);
    vec_clear(&ids);
    sbuf_reset(&got);
    CHECK_INT(repo_rev_list(&ids, r, to.buf, hide.buf, &e), 0);
    ids_text(&got, &ids);
    CHECK_STR(got.buf, want.buf);
    CHECK_INT(ids.len, 3);

    /* several hidden tips, as `git rev-list to ^a ^b`: the merge minus both of its parents' */
    struct sbuf side = SBUF_INIT;
    CHECK(GIT_OK(&side, dir.buf, "rev-parse", "side~1"));
    const char *hides[] = {hide.buf, side.buf};
    vec_clear(&ids);
    sbuf_reset(&got);
    struct sbuf not_side = SBUF_INIT;
    not_hide = SBUF_INIT;
    sbuf_addf(&not_hide, "^%s", hide.buf);
    sbuf_addf(&not_side, "^%s", side.buf);
    CHECK(GIT_OK(&want, dir.buf, "rev-list", "--topo-order", "--reverse", to.buf, not_hide.buf,
                 not_side.buf));
    sbuf_release(&not_hide);
    sbuf_release(&not_side);
    CHECK_INT(repo_rev_list_hiding(&ids, r, to.buf, hides, 2, &e), 0);
    sbuf_release(&side);
    ids_text(&got, &ids);
    CHECK_STR(got.buf, want.buf);
    CHECK_INT(ids.len, 2);

    CHECK_INT(repo_rev_list(&ids, r, "HEAD", NULL, &e), ERR_INVALID); /* ids only */
    repo_free(r);
    vec_release(&ids);
    sbuf_release(&dir);
    sbuf_release(&to);
    sbuf_release(&hide);
    sbuf_release(&want);
    sbuf_release(&got);
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the lines of text in place (they are compared as sets). */
static void sort_lines(struct sbuf *text)
{
    const char *lines[64];
    size_t n = 0;
    struct sbuf copy = SBUF_INIT;
    sbuf_add(&copy, text->buf, text->len);
    for (char *p = copy.buf; *p && n < 64;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    qsort(lines, n, sizeof(lines[0]), cmp_lines);
    sbuf_reset(text);
    for (size_t i = 0; i < n; i++)
        sbuf_addf(text, "%s%s", i ? "\n" : "", lines[i]);
    sbuf_release(&copy);
}

/*
 * git diff --name-status -M output as "S old new" lines: the score of R100 dropped, one path
 * repeated for the other letters, and a type change (T) as the deletion and addition git.h
 * lists for it.
 */
static void name_status_lines(struct sbuf *out, const char *git_output)
{
    struct sbuf line = SBUF_INIT;
    for (const char *p = git_output; *p;) {
        size_t len = strcspn(p, "\n");
        sbuf_reset(&line);
        sbuf_add(&line, p, len);
        char *tab = strchr(line.buf, '\t');
        if (tab) {
            *tab = '\0';
            const char *old_path = tab + 1;
            const char *new_path = old_path;
            char *tab2 = strchr(old_path, '\t');
            if (tab2) {
                *tab2 = '\0';
                new_path = tab2 + 1;
            }
            if (line.buf[0] == 'T')
                sbuf_addf(out, "%sD %s %s\nA %s %s", out->len ? "\n" : "", old_path, new_path,
                          old_path, new_path);
            else
                sbuf_addf(out, "%s%c %s %s", out->len ? "\n" : "", line.buf[0], old_path, new_path);
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    sbuf_release(&line);
}

static void changes_text(struct sbuf *out, const struct vec *changes)
{
    vec_foreach (struct repo_diff_entry, ch, changes)
        sbuf_addf(out, "%s%c %s %s", out->len ? "\n" : "", ch->status, ch->old_path, ch->new_path);
}

static void diff_commits_agrees_with_git_diff_name_status(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf a = SBUF_INIT;
    struct sbuf b = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct vec changes = VEC_INIT(struct repo_diff_entry);
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    const char *long_text = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";
    CHECK(repo_make(&dir));
    CHECK(write_text(dir.buf, "kept.txt", "kept\n"));
    CHECK(write_text(dir.buf, "edit.txt", "before\n"));
    CHECK(write_text(dir.buf, "gone.txt", "gone\n"));
    CHECK(write_text(dir.buf, "docs/moved.md", long_text));
    CHECK(commit_all(dir.buf, "first"));
    CHECK(GIT_OK(&a, dir.buf, "rev-parse", "HEAD"));
    CHECK(write_text(dir.buf, "edit.txt", "after\n"));
    CHECK(GIT_OK(NULL, dir.buf, "rm", "-q", "gone.txt"));
    CHECK(write_text(dir.buf, "src/new.c", "int x;\n"));
    CHECK(GIT_OK(NULL, dir.buf, "mv", "docs/moved.md", "src/renamed.md"));
    /* a type change: the file becomes a symbolic link */
    struct sbuf link = SBUF_INIT;
    path_join(&link, dir.buf, "kept.txt");
    CHECK(GIT_OK(NULL, dir.buf, "rm", "-q", "kept.txt"));
    int lrc = symlink("edit.txt", link.buf);
    sbuf_release(&link);
    CHECK_INT(lrc, 0);
    CHECK(commit_all(dir.buf, "second"));
    CHECK(GIT_OK(&b, dir.buf, "rev-parse", "HEAD"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);

    CHECK(GIT_OK(&out, dir.buf, "diff", "--name-status", "-M", a.buf, b.buf));
    name_status_lines(&want, out.buf);
    sort_lines(&want);
    CHECK_INT(repo_diff_commits(&changes, r, a.buf, b.buf, &e), 0);
    changes_text(&got, &changes);
    sort_lines(&got);
    CHECK_STR(got.buf, want.buf);
    CHECK(strstr(got.buf, "R docs/moved.md src/renamed.md") != NULL);
    CHECK(strstr(out.buf, "T\tkept.txt") != NULL); /* what git says for the type change */

    /* from the empty tree: every file of the commit, added */
    repo_diff_release(&changes);
    changes = VEC_INIT(struct repo_diff_entry);
    sbuf_reset(&want);
    sbuf_reset(&got);
    struct sbuf empty = SBUF_INIT;
    CHECK(GIT_OK(&empty, dir.buf, "hash-object", "-t", "tree", "/dev/null"));
    CHECK(GIT_OK(&out, dir.buf, "diff", "--name-status", "-M", empty.buf, b.buf));
    sbuf_release(&empty);
    name_status_lines(&want, out.buf);
    sort_lines(&want);
    CHECK_INT(repo_diff_commits(&changes, r, NULL, b.buf, &e), 0);
    changes_text(&got, &changes);
    sort_lines(&got);
    CHECK_STR(got.buf, want.buf);

    CHECK_INT(repo_diff_commits(&changes, r, a.buf, "0123456789012345678901234567890123456789", &e),
              ERR_NOTFOUND);
    repo_diff_release(&changes);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&a);
    sbuf_release(&b);
    sbuf_release(&out);
    sbuf_release(&want);
    sbuf_release(&got);
}

/* "name symref target commit" per reference, one per line. */
static int ref_line(const struct repo_ref *ref, void *payload)
{
    struct sbuf *out = payload;
    sbuf_addf(out, "%s%s %s %s %s", out->len ? "\n" : "", ref->name,
              ref->symbolic ? ref->symbolic : "-", *ref->target ? ref->target : "-",
              *ref->commit ? ref->commit : "-");
    return 0;
}

static int count_and_stop(const struct repo_ref *ref, void *payload)
{
    (*(size_t *)payload)++;
    return 1;
}

/* What git says about the references under prefix, in ref_line's form. */
static bool git_refs(struct sbuf *out, const char *dir, const char *prefix)
{
    struct sbuf list = SBUF_INIT;
    struct sbuf one = SBUF_INIT;
    struct sbuf spec = SBUF_INIT;
    bool ok = GIT_OK(&list, dir, "for-each-ref", "--format=%(refname) %(symref)", prefix);
    struct sbuf line = SBUF_INIT;
    for (const char *p = list.buf; ok && *p;) {
        size_t len = strcspn(p, "\n");
        sbuf_reset(&line);
        sbuf_add(&line, p, len);
        const char *name = line.buf;
        const char *symref = "";
        char *sp = strchr(line.buf, ' '); /* always there: "%(refname) %(symref)" */
        if (sp) {
            *sp = '\0';
            symref = sp + 1;
        }
        sbuf_addf(out, "%s%s %s ", out->len ? "\n" : "", name, *symref ? symref : "-");
        if (*symref) {
            sbuf_addstr(out, "-");
        } else {
            ok = GIT_OK(&one, dir, "rev-parse", "--verify", name);
            sbuf_addstr(out, one.buf);
        }
        sbuf_reset(&spec);
        sbuf_addf(&spec, "%s^{commit}", name);
        ok = ok && GIT_OK(&one, dir, "rev-parse", "--verify", spec.buf);
        sbuf_addf(out, " %s", one.buf);
        p += len;
        if (*p == '\n')
            p++;
    }
    sbuf_release(&line);
    sbuf_release(&list);
    sbuf_release(&one);
    sbuf_release(&spec);
    return ok;
}

static void refs_foreach_agrees_with_for_each_ref(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 3));
    CHECK(GIT_OK(NULL, dir.buf, "branch", "feature", "HEAD~1"));
    CHECK(GIT_OK(NULL, dir.buf, "tag", "-a", "-m", "annotated", "v1", "HEAD~2"));
    CHECK(GIT_OK(NULL, dir.buf, "update-ref", "refs/remotes/origin/main", "HEAD~1"));
    CHECK(GIT_OK(NULL, dir.buf, "symbolic-ref", "refs/remotes/origin/HEAD",
                 "refs/remotes/origin/main"));
    /* packed and loose references both count */
    CHECK(GIT_OK(NULL, dir.buf, "pack-refs", "--all"));
    CHECK(GIT_OK(NULL, dir.buf, "tag", "light", "HEAD"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);

    CHECK(git_refs(&want, dir.buf, "refs/"));
    sort_lines(&want);
    CHECK_INT(repo_refs_foreach(r, "", ref_line, &got, &e), 0);
    sort_lines(&got);
    CHECK_STR(got.buf, want.buf);

    sbuf_reset(&want);
    sbuf_reset(&got);
    CHECK(git_refs(&want, dir.buf, "refs/tags/"));
    sort_lines(&want);
    CHECK_INT(repo_refs_foreach(r, "refs/tags/", ref_line, &got, &e), 0);
    sort_lines(&got);
    CHECK_STR(got.buf, want.buf);
    CHECK(strstr(got.buf, "refs/tags/v1 - ") != NULL);

    size_t calls = 0;
    CHECK_INT(repo_refs_foreach(r, "refs/", count_and_stop, &calls, &e), 0);
    CHECK_INT(calls, 1);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&got);
}

static void ref_lookups_agree_with_git(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make_linear(&dir, 1));
    CHECK(GIT_OK(NULL, dir.buf, "update-ref", "refs/remotes/origin/trunk", "HEAD"));
    CHECK(GIT_OK(NULL, dir.buf, "symbolic-ref", "refs/remotes/origin/HEAD",
                 "refs/remotes/origin/trunk"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);

    CHECK(git_run(NULL, dir.buf, "show-ref", "-q", "--verify", "refs/heads/main", NULL) == 0);
    CHECK(repo_ref_exists(r, "refs/heads/main"));
    CHECK(git_run(NULL, dir.buf, "show-ref", "-q", "--verify", "refs/heads/master", NULL) != 0);
    CHECK(!repo_ref_exists(r, "refs/heads/master"));

    CHECK(GIT_OK(&want, dir.buf, "symbolic-ref", "refs/remotes/origin/HEAD"));
    CHECK_INT(repo_ref_symbolic_target(&got, r, "refs/remotes/origin/HEAD", &e), 0);
    CHECK_STR(got.buf, want.buf);
    CHECK_INT(repo_ref_symbolic_target(&got, r, "refs/heads/main", &e), ERR_NOTFOUND);
    CHECK_INT(repo_ref_symbolic_target(&got, r, "refs/remotes/origin/nope", &e), ERR_NOTFOUND);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&got);
}

static void config_get_agrees_with_git_config(void)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    CHECK(repo_make(&dir));
    CHECK(GIT_OK(NULL, dir.buf, "remote", "add", "origin", "git@github.com:octo/hello.git"));
    CHECK(GIT_OK(NULL, dir.buf, "config", "user.name", "Mona Lisa Octocat"));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    static const char *const keys[] = {"remote.origin.url", "user.name", "core.bare"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        CHECK(GIT_OK(&want, dir.buf, "config", "--get", keys[i]));
        sbuf_reset(&got);
        CHECK_INT(repo_config_get(&got, r, keys[i], &e), 0);
        CHECK_STR(got.buf, want.buf);
    }
    CHECK_INT(git_run(NULL, dir.buf, "config", "--get", "runnel-test.unset", NULL), 1);
    CHECK_INT(repo_config_get(&got, r, "runnel-test.unset", &e), ERR_NOTFOUND);
    repo_free(r);
    sbuf_release(&dir);
    sbuf_release(&want);
    sbuf_release(&got);
}

/* git's verdict: does status list anything among tracked files? */
static bool git_dirty(const char *dir)
{
    struct sbuf out = SBUF_INIT;
    bool ok =
        GIT_OK(&out, dir, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules");
    bool dirty = ok && out.len > 0;
    sbuf_release(&out);
    return dirty;
}

static void is_dirty_agrees_with_git_status(void)
{
    struct sbuf dir = SBUF_INIT;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    bool dirty = true;
    CHECK(repo_make_linear(&dir, 1));
    CHECK_INT(repo_open(&r, dir.buf, &e), 0);
    CHECK_INT(repo_is_dirty(&dirty, r, &e), 0);
    CHECK(!dirty && !git_dirty(dir.buf));

    /* an untracked file does not count */
    CHECK(write_text(dir.buf, "untracked.txt", "new\n"));
    CHECK_INT(repo_is_dirty(&dirty, r, &e), 0);
    CHECK(!dirty && !git_dirty(dir.buf));

    /* a change to a tracked file does, in the work tree and once staged */
    CHECK(write_text(dir.buf, "f.txt", "changed\n"));
    CHECK_INT(repo_is_dirty(&dirty, r, &e), 0);
    CHECK(dirty && git_dirty(dir.buf));
    CHECK(GIT_OK(NULL, dir.buf, "add", "f.txt"));
    CHECK_INT(repo_is_dirty(&dirty, r, &e), 0);
    CHECK(dirty && git_dirty(dir.buf));
    repo_free(r);
    sbuf_release(&dir);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(head_is_what_rev_parse_and_symbolic_ref_say),
        TEST(head_of_an_unborn_branch_has_a_ref_and_no_commit),
        TEST(resolve_commit_agrees_with_rev_parse),
        TEST(commit_read_agrees_with_git_show),
        TEST(merge_base_agrees_with_git_merge_base),
        TEST(rev_list_agrees_with_git_rev_list),
        TEST(diff_commits_agrees_with_git_diff_name_status),
        TEST(refs_foreach_agrees_with_for_each_ref),
        TEST(ref_lookups_agree_with_git),
        TEST(config_get_agrees_with_git_config),
        TEST(is_dirty_agrees_with_git_status),
    };
    repo_global_init();
    int rc = harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
    repo_global_shutdown();
    return rc;
}
