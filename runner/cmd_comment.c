/*
 * runnel comment create|update FILE: post a markdown file as a pull-request, issue or commit
 * comment, compatible with CML's `cml comment create/update` (../shared/reference/cml.md, 1.4).
 *
 * The body is FILE + "\n\n" + runnel's watermark (an invisible HTML comment). `update` replaces
 * the last comment carrying the same watermark (or CML's), looking through every page of
 * comments. Local files the markdown links to are never sent to a third-party host: they are
 * committed to --publish-branch by the git capability and linked by commit sha; without it (or
 * when that fails) runnel says which links stay local and notes them in place of the images.
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git/git.h"
#include "github/github.h"
#include "github_ctx.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define COMMENT_FILE_MAX (4u << 20)
#define GITHUB_COMMENT_MAX 65536u /* characters GitHub accepts in a comment body */

static void usage(FILE *out)
{
    fputs("usage: runnel comment create|update FILE [options]\n"
          "      --target T            auto (default), pr, commit, pr/N, issue/N, commit/SHA\n"
          "      --watermark-title T   label of the watermark; {workflow} and {run} replaced\n"
          "      --rm-watermark        no watermark (create only)\n"
          "      --publish-branch B    commit linked local images to branch B and link them\n"
          "      --no-publish          leave local links as they are, silently\n"
          "      --commit-sha S        commit (default: the PR head, GITHUB_SHA or HEAD)\n"
          "      --token T             default: REPO_TOKEN, repo_token or GITHUB_TOKEN\n"
          "      --repo R              owner/name or URL (default: GITHUB_REPOSITORY, origin)\n"
          "      --dry-run             print the target and body; post nothing\n"
          "  -v, --verbose           one line per GitHub request (never the token)\n"
          "Prints the comment's URL.\n",
          out);
}

/* GitHub counts characters, not bytes. */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Replaces {workflow} and {run} in a watermark label, as CML does. */
static void expand_label(struct sbuf *out, const char *label)
{
    const char *workflow = getenv("GITHUB_WORKFLOW");
    const char *run = getenv("GITHUB_RUN_ID");
    for (const char *p = label; *p;) {
        if (str_has_prefix(p, "{workflow}")) {
            sbuf_addstr(out, workflow ? workflow : "");
            p += 10;
        } else if (str_has_prefix(p, "{run}")) {
            sbuf_addstr(out, run ? run : "");
            p += 5;
        } else {
            sbuf_addch(out, *p++);
        }
    }
}

/*
 * ---- links in the markdown ----
 *
 * The CommonMark parts that decide which text is a link: code (fenced blocks opened by ``` or
 * ~~~, and code spans) holds no links, so an example `![x](plot.png)` in a code block is left as
 * written; a destination is <...> (spaces allowed, as `cml publish` writes a path with spaces) or
 * a run without spaces and with balanced parentheses; backslash escapes an ASCII punctuation
 * character; an optional title in "...", '...' or (...) follows. Indented code blocks are not
 * recognised (in a list item the same indentation is a paragraph).
 */

/* Whether md[i..] opens (or, with need > 0, closes) a fence line: up to 3 spaces, then at least
 * 3 (or `need`) backticks or tildes. Returns the run's length, 0 when it is no fence. */
static size_t fence_at(const char *md, size_t i, size_t end, char *ch, size_t need)
{
    size_t k = 0;
    while (k < 3 && i < end && md[i] == ' ') {
        i++;
        k++;
    }
    if (i >= end || (md[i] != '`' && md[i] != '~') || (need && md[i] != *ch))
        return 0;
    char c = md[i];
    size_t n = 0;
    while (i < end && md[i] == c) {
        i++;
        n++;
    }
    if (n < 3 || n < need)
        return 0;
    if (need) { /* a closing fence has nothing after it but spaces */
        while (i < end && (md[i] == ' ' || md[i] == '\t' || md[i] == '\r'))
            i++;
        return i == end ? n : 0;
    }
    if (c == '`' && memchr(md + i, '`', end - i)) /* a backtick fence's info has no backtick */
        return 0;
    *ch = c;
    return n;
}

static bool is_blank_line(const char *md, size_t i, size_t end)
{
    for (; i < end; i++) {
        if (md[i] != ' ' && md[i] != '\t' && md[i] != '\r')
            return false;
    }
    return true;
}

/* A run of backticks in a paragraph. */
struct tick_run {
    size_t pos, len;
    bool escaped; /* preceded by a backslash escape: cannot open a span */
};

/*
 * Marks the code spans of the paragraph md[from..to): a run of k backticks opens a span that the
 * next run of exactly k closes; an opener without one is text. Each run's next run of the same
 * length is found once, from the right, so this is linear whatever the backticks.
 */
static void mark_code_spans(char *code, const char *md, size_t from, size_t to)
{
    struct vec runs = VEC_INIT(struct tick_run);
    size_t max_len = 0;
    for (size_t i = from; i < to; i++) {
        bool escaped = false;
        if (md[i] == '\\' && i + 1 < to && ispunct((unsigned char)md[i + 1])) {
            if (md[i + 1] != '`') {
                i++;
                continue;
            }
            escaped = true;
            i++;
        }
        if (md[i] != '`')
            continue;
        struct tick_run *r = vec_push(&runs);
        r->pos = i;
        r->escaped = escaped;
        while (i < to && md[i] == '`')
            i++;
        r->len = i - r->pos;
        if (r->len > max_len)
            max_len = r->len;
        i--;
    }
    if (runs.len) {
        const struct tick_run *run = runs.items;
        size_t *next = xcalloc(runs.len, sizeof(*next));
        size_t *last = xcalloc(max_len + 1, sizeof(*last)); /* index + 1, 0 for none */
        for (size_t i = runs.len; i-- > 0;) {
            next[i] = last[run[i].len];
            last[run[i].len] = i + 1;
        }
        for (size_t i = 0; i < runs.len; i++) {
            if (run[i].escaped || !next[i])
                continue;
            const struct tick_run *close = &run[next[i] - 1];
            memset(code + run[i].pos, 1, close->pos + close->len - run[i].pos);
            i = next[i] - 1;
        }
        xfree(next);
        xfree(last);
    }
    vec_release(&runs);
}

/* Marks the bytes of md (length n) that are code; the caller frees the returned array. */
static char *code_map(const char *md, size_t n)
{
    char *code = xcalloc(n + 1, 1);
    /* fenced code blocks, line by line; an unclosed fence runs to the end */
    char ch = 0;
    size_t open = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(md + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - md) : n;
        size_t next = nl ? end + 1 : n;
        if (open) {
            memset(code + i, 1, next - i);
            if (fence_at(md, i, end, &ch, open))
                open = 0;
        } else {
            open = fence_at(md, i, end, &ch, 0);
            if (open)
                memset(code + i, 1, next - i);
        }
        i = next;
    }
    /* code spans, paragraph by paragraph (non-blank lines outside fenced blocks) */
    size_t para = SIZE_MAX;
    for (size_t i = 0; i <= n;) {
        const char *nl = i < n ? memchr(md + i, '\n', n - i) : NULL;
        size_t end = nl ? (size_t)(nl - md) : n;
        bool breaks = i == n || code[i] || is_blank_line(md, i, end);
        if (breaks && para != SIZE_MAX) {
            mark_code_spans(code, md, para, i);
            para = SIZE_MAX;
        } else if (!breaks && para == SIZE_MAX) {
            para = i;
        }
        if (i == n)
            break;
        i = nl ? end + 1 : n;
    }
    return code;
}

/* A link's parts, as offsets into the markdown. */
struct md_link {
    size_t dest;     /* first byte of the destination (after '<' when angled) */
    size_t dest_len; /* its bytes, escapes included */
    size_t end;      /* one past the closing ')' */
};

/*
 * Parses the inline link whose "](" is at md[i]. Returns false when what follows is no link
 * destination and title closed by ')'.
 */
static bool parse_link(struct md_link *out, const char *md, size_t n, size_t i)
{
    size_t j = i + 2;
    if (j < n && md[j] == '<') {
        out->dest = ++j;
        while (j < n && md[j] != '>') {
            if (md[j] == '\n' || md[j] == '<')
                return false;
            j += md[j] == '\\' && j + 1 < n ? 2 : 1;
        }
        if (j >= n)
            return false;
        out->dest_len = j - out->dest;
        j++;
    } else {
        int depth = 0;
        out->dest = j;
        while (j < n && (unsigned char)md[j] > ' ') {
            if (md[j] == '\\' && j + 1 < n) {
                j += 2;
                continue;
            }
            if (md[j] == '(')
                depth++;
            else if (md[j] == ')' && depth-- == 0)
                break;
            j++;
        }
        out->dest_len = j - out->dest;
    }
    while (j < n && (md[j] == ' ' || md[j] == '\t' || md[j] == '\n'))
        j++;
    if (j < n && (md[j] == '"' || md[j] == '\'' || md[j] == '(')) {
        char close = md[j] == '(' ? ')' : md[j];
        for (j++; j < n && md[j] != close; j++) {
            if (md[j] == '\\' && j + 1 < n)
                j++;
        }
        if (j >= n)
            return false;
        j++;
        while (j < n && (md[j] == ' ' || md[j] == '\t' || md[j] == '\n'))
            j++;
    }
    if (j >= n || md[j] != ')')
        return false;
    out->end = j + 1;
    return true;
}

/* The destination with backslash escapes removed: the path it names. */
static void link_path(struct sbuf *out, const char *md, const struct md_link *l)
{
    sbuf_reset(out);
    for (size_t i = l->dest; i < l->dest + l->dest_len; i++) {
        if (md[i] == '\\' && i + 1 < l->dest + l->dest_len && ispunct((unsigned char)md[i + 1]))
            i++;
        sbuf_addch(out, md[i]);
    }
}

/* Whether a link target names a file next to the markdown (relative, no scheme, existing). */
static bool is_local_file(const char *t, const char *md_dir)
{
    if (!*t || strstr(t, "://") || t[0] == '#' || t[0] == '/' || str_has_prefix(t, "data:") ||
        str_has_prefix(t, "mailto:"))
        return false;
    struct sbuf path = SBUF_INIT;
    path_join(&path, md_dir, t);
    bool local = fs_is_file(path.buf);
    sbuf_release(&path);
    return local;
}

/*
 * Finds the next link at or after *pos outside code whose destination is a local file. Sets
 * *at to its "](", *link to its parts and path to the file as written (relative to md_dir).
 * Returns false when there is none.
 */
static bool next_local_link(size_t *at, struct md_link *link, struct sbuf *path, const char *md,
                            size_t n, const char *code, size_t pos, const char *md_dir)
{
    for (const char *p = strstr(md + pos, "]("); p; p = strstr(p + 2, "](")) {
        size_t i = (size_t)(p - md);
        if (code[i] || !parse_link(link, md, n, i))
            continue;
        link_path(path, md, link);
        if (is_local_file(path->buf, md_dir)) {
            *at = i;
            return true;
        }
    }
    return false;
}

/*
 * Lists the local files the markdown links to (images and links whose target is a relative path
 * to an existing file, resolved against the markdown file's folder, as CML resolves them), each
 * once, as normalized paths and as the quoted list for the user.
 */
static void local_links(struct vec *paths, struct sbuf *names, const char *md, const char *code,
                        const char *md_dir)
{
    size_t n = strlen(md), at, pos = 0;
    struct md_link l;
    struct sbuf path = SBUF_INIT;
    while (next_local_link(&at, &l, &path, md, n, code, pos, md_dir)) {
        pos = at + 2;
        struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
        path_join(&joined, md_dir, path.buf);
        path_normalize(&norm, joined.buf);
        sbuf_release(&joined);
        bool dup = false;
        vec_foreach (char *, q, paths)
            dup = dup || !strcmp(*q, norm.buf);
        if (dup) {
            sbuf_release(&norm);
            continue;
        }
        sbuf_addf(names, "%s'%s'", paths->len ? ", " : "", path.buf);
        *(char **)vec_push(paths) = sbuf_detach(&norm, NULL);
    }
    sbuf_release(&path);
}

/*
 * Copies the markdown, replacing each image of a local file that could not be published by a
 * short note, so the comment shows no broken image (CML leaves them broken, cml#1422). Code is
 * copied as it is.
 */
static void unpublished_images(struct sbuf *out, const char *md, const char *code,
                               const char *md_dir)
{
    size_t n = strlen(md), at, pos = 0, copied = 0;
    struct md_link l;
    struct sbuf path = SBUF_INIT;
    while (next_local_link(&at, &l, &path, md, n, code, pos, md_dir)) {
        pos = at + 2;
        /* the '[' that opens the link text (brackets nest); an image when '!' precedes it */
        size_t img = at;
        int depth = 0;
        bool open = false;
        while (img > copied && !code[img - 1]) {
            img--;
            if (img > 0 && md[img - 1] == '\\')
                continue;
            if (md[img] == ']') {
                depth++;
            } else if (md[img] == '[' && depth-- == 0) {
                open = true;
                break;
            }
        }
        if (!open || img == 0 || md[img - 1] != '!' || img - 1 < copied)
            continue; /* a link, not an image: kept */
        img--;
        sbuf_add(out, md + copied, img - copied);
        sbuf_addf(out, "*(image `%s` not published)*", path.buf);
        copied = l.end;
        pos = l.end;
    }
    sbuf_addstr(out, md + copied);
    sbuf_release(&path);
}

/* A path as URL text: bytes outside RFC 3986's unreserved set and '/' are percent-encoded. */
static void add_url_path(struct sbuf *out, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            sbuf_addch(out, (char)*p);
        else
            sbuf_addf(out, "%%%02X", *p);
    }
}

/*
 * Commits the local files the markdown links to onto `branch` (repo_publish: a commit on the
 * branch's tip, pushed by compare-and-swap, never touching the work tree) and rewrites each link
 * to https://github.com/O/R/blob/<commit>/<path>?raw=true, which GitHub serves to whoever may
 * read the repository (private ones included).
 */
static int publish_links(struct sbuf *out, struct sbuf *commit_out, const char *md,
                         const char *code, const struct vec *paths, const char *md_dir,
                         const char *branch, const struct cli_gh *ctx, struct err *err)
{
    int rc = 0;
    struct repo *r = NULL;
    struct sbuf prefix = SBUF_INIT, base = SBUF_INIT, path = SBUF_INIT;
    struct repo_publish_result res;

    repo_global_init();
    rc = repo_open(&r, ".", err);
    if (rc)
        goto done;
    struct repo_provenance prov;
    repo_provenance_from_env(&prov);
    struct repo_publish_opts po = {.branch = branch,
                                   .paths = (const char *const *)paths->items,
                                   .npaths = paths->len,
                                   .message = "runnel report images",
                                   .token = ctx->token.buf,
                                   .prov = &prov};
    rc = repo_publish(r, &po, &res, err);
    if (rc)
        goto done;
    sbuf_addstr(commit_out, res.commit);
    /* the paths in the commit are relative to the work tree's top */
    char *cwd = getcwd(NULL, 0);
    const char *wd = repo_workdir(r);
    if (cwd && wd && str_has_prefix(cwd, wd)) /* wd ends with '/' */
        sbuf_addf(&prefix, "%s/", cwd + strlen(wd));
    xfree(cwd);
    const char *server = getenv("GITHUB_SERVER_URL");
    sbuf_addf(&base, "%s/%s/blob/%s/", server && *server ? server : "https://github.com",
              ctx->repo.buf, res.commit);
    /* rewrite: copy md, replacing each local destination by its URL (no space, no parenthesis:
     * it fits both destination forms) */
    size_t n = strlen(md), at, pos = 0, copied = 0;
    struct md_link l;
    while (next_local_link(&at, &l, &path, md, n, code, pos, md_dir)) {
        struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
        path_join(&joined, md_dir, path.buf);
        path_normalize(&norm, joined.buf);
        sbuf_add(out, md + copied, l.dest - copied);
        sbuf_addstr(out, base.buf);
        add_url_path(out, prefix.buf);
        add_url_path(out, norm.buf);
        sbuf_addstr(out, "?raw=true");
        sbuf_release(&joined);
        sbuf_release(&norm);
        copied = l.dest + l.dest_len;
        pos = l.end;
    }
    sbuf_addstr(out, md + copied);
done:
    repo_free(r);
    repo_global_shutdown();
    sbuf_release(&prefix);
    sbuf_release(&base);
    sbuf_release(&path);
    return rc;
}

int cli_cmd_comment(int argc, char **argv)
{
    enum {
        OPT_TARGET = 256,
        OPT_WM_TITLE,
        OPT_RM_WM,
        OPT_PUB_BRANCH,
        OPT_NO_PUBLISH,
        OPT_PUBLISH,
        OPT_PUBLISH_URL,
        OPT_NATIVE,
        OPT_SHA,
        OPT_TOKEN,
        OPT_REPO,
        OPT_DRY,
        OPT_PR,
        OPT_UPDATE,
        OPT_WATCH,
        OPT_DRIVER,
        OPT_LOG,
        OPT_TRIGGER,
    };
    static const struct option longopts[] = {
        {"target", required_argument, NULL, OPT_TARGET},
        {"watermark-title", required_argument, NULL, OPT_WM_TITLE},
        {"rm-watermark", no_argument, NULL, OPT_RM_WM},
        {"publish-branch", required_argument, NULL, OPT_PUB_BRANCH},
        {"no-publish", no_argument, NULL, OPT_NO_PUBLISH},
        {"publish", no_argument, NULL, OPT_PUBLISH},
        {"publish-url", required_argument, NULL, OPT_PUBLISH_URL},
        {"publish-native", no_argument, NULL, OPT_NATIVE},
        {"native", no_argument, NULL, OPT_NATIVE},
        {"commit-sha", required_argument, NULL, OPT_SHA},
        {"head-sha", required_argument, NULL, OPT_SHA},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"driver-token", required_argument, NULL, OPT_TOKEN},
        {"repo", required_argument, NULL, OPT_REPO},
        {"dry-run", no_argument, NULL, OPT_DRY},
        {"pr", no_argument, NULL, OPT_PR},
        {"update", no_argument, NULL, OPT_UPDATE},
        {"watch", no_argument, NULL, OPT_WATCH},
        {"driver", required_argument, NULL, OPT_DRIVER},
        {"log", required_argument, NULL, OPT_LOG},
        {"trigger-file", required_argument, NULL, OPT_TRIGGER},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *target_spec = "auto", *wm_title = "", *publish_branch = NULL;
    bool rm_watermark = false, no_publish = false, dry_run = false, update = false;
    struct cli_gh_opts go = {.need_sha = false};
    struct cli_gh ctx = {0};
    bool have_ctx = false;
    struct gh *g = NULL;
    struct err err = ERR_INIT;
    struct sbuf md = SBUF_INIT, body = SBUF_INIT, label = SBUF_INIT, marker = SBUF_INIT,
                cml_marker = SBUF_INIT, url = SBUF_INIT, links = SBUF_INIT, dir = SBUF_INIT;
    struct vec paths = VEC_INIT(char *);
    char *code = NULL;
    int ret = CLI_OK;
    bool verbose = false;
    int c;

    if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "update"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return CLI_OK;
        }
        usage(stderr);
        return CLI_USAGE;
    }
    update = !strcmp(argv[1], "update");
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TARGET:
            target_spec = optarg;
            break;
        case OPT_WM_TITLE:
            wm_title = optarg;
            break;
        case OPT_RM_WM:
            rm_watermark = true;
            break;
        case OPT_PUB_BRANCH:
            publish_branch = optarg;
            break;
        case OPT_NO_PUBLISH:
            no_publish = true;
            break;
        case OPT_PUBLISH:
        case OPT_LOG:
        case OPT_TRIGGER:
            break;
        case OPT_PUBLISH_URL:
            cli_error("--publish-url is not supported: runnel never sends report files to a "
                      "third-party host; use --publish-branch");
            return CLI_USAGE;
        case OPT_NATIVE:
            cli_error("--native: GitHub has no API for attaching files to comments; use "
                      "--publish-branch");
            return CLI_USAGE;
        case OPT_SHA:
            go.commit_sha = optarg;
            break;
        case OPT_TOKEN:
            go.token = optarg;
            break;
        case OPT_REPO:
            go.repo = optarg;
            break;
        case OPT_DRY:
            dry_run = true;
            break;
        case OPT_PR:
            target_spec = "pr";
            break;
        case OPT_UPDATE:
            update = true;
            break;
        case OPT_WATCH:
            cli_error("--watch is not supported: run 'runnel comment update' after each change");
            return CLI_USAGE;
        case OPT_DRIVER:
            if (strcmp(optarg, "github")) {
                cli_error("--driver '%s': only github is supported", optarg);
                return CLI_USAGE;
            }
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("comment %s needs exactly one markdown FILE", update ? "update" : "create");
        return CLI_USAGE;
    }
    const char *file = argv[optind];
    if (rm_watermark && update) {
        cli_error("--rm-watermark cannot be used with update: the watermark is how the comment "
                  "is found again");
        return CLI_USAGE;
    }
    struct gh_target target;
    if (gh_target_parse(&target, target_spec, &err)) {
        cli_error_err(NULL, &err);
        return CLI_USAGE;
    }
    if (sbuf_read_file(&md, file, COMMENT_FILE_MAX, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    go.need_sha = !rm_watermark || target.kind != GH_TARGET_ISSUE;
    if (cli_gh_load(&ctx, &go, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    have_ctx = true;

    /* Linked local files: published with git when this build can, else said so, once. */
    path_dirname(&dir, file);
    code = code_map(md.buf, md.len);
    local_links(&paths, &links, md.buf, code, dir.buf);
    size_t n_links = paths.len;
    bool published = false;
    if (n_links && !no_publish && publish_branch && !dry_run) {
        struct sbuf rewritten = SBUF_INIT;
        struct sbuf commit = SBUF_INIT;
        if (publish_links(&rewritten, &commit, md.buf, code, &paths, dir.buf, publish_branch, &ctx,
                          &err)) {
            cli_error_err("publish", &err);
            err_clear(&err);
        } else {
            fprintf(stderr, "runnel: published %s to branch '%s' at %s\n", links.buf,
                    publish_branch, commit.buf);
            sbuf_addstr(&body, rewritten.buf);
            published = true;
        }
        sbuf_release(&rewritten);
        sbuf_release(&commit);
    }
    if (n_links && !no_publish && !published) {
        fprintf(stderr,
                "runnel: note: %s links %zu local file%s (%s) that %s, so they stay local files "
                "and the comment says so in place of each image; the report's tables carry the "
                "same numbers (--no-publish posts the file as it is)\n",
                file, n_links, n_links == 1 ? "" : "s", links.buf,
                dry_run          ? "a dry run does not publish"
                : publish_branch ? "could not be published"
                                 : "need --publish-branch BRANCH to be published");
        unpublished_images(&body, md.buf, code, dir.buf);
    } else if (!published) {
        sbuf_addstr(&body, md.buf);
    }
    expand_label(&label, wm_title);
    if (!rm_watermark) {
        sbuf_addstr(&body, "\n\n");
        gh_watermark(&body, label.buf, ctx.sha.buf);
    }
    gh_watermark_marker(&marker, label.buf);
    gh_watermark_cml_marker(&cml_marker, label.buf);
    size_t chars = utf8_chars(body.buf, body.len);
    if (chars > GITHUB_COMMENT_MAX) {
        cli_error("%s: the comment would be %zu characters, more than GitHub's %u", file, chars,
                  GITHUB_COMMENT_MAX);
        ret = CLI_FAIL;
        goto done;
    }

    if (gh_new(&g,
               &(struct gh_opts){.api_url = ctx.api.buf,
                                 .token = ctx.token.buf,
                                 .repo = ctx.repo.buf,
                                 .log = verbose ? cli_gh_log : NULL},
               &err) ||
        gh_target_resolve(g, &target, ctx.sha.buf, ctx.event_pr, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_FAIL;
        goto done;
    }
    if (dry_run) {
        if (target.kind == GH_TARGET_COMMIT)
            printf("target: commit/%s\n", target.sha);
        else
            printf("target: %s/%ld\n", target.kind == GH_TARGET_ISSUE ? "issue" : "pr",
                   target.number);
        printf("%s\n", body.buf);
        goto done;
    }
    bool updated = false;
    struct gh_comment cm = {
        .body = body.buf, .marker = marker.buf, .marker_alt = cml_marker.buf, .update = update};
    if (gh_comment_post(g, &url, &updated, &target, &cm, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_FAIL;
        goto done;
    }
    printf("%s\n", url.buf);
done:
    gh_free(g);
    if (have_ctx)
        cli_gh_release(&ctx);
    sbuf_release(&md);
    sbuf_release(&body);
    sbuf_release(&label);
    sbuf_release(&marker);
    sbuf_release(&cml_marker);
    sbuf_release(&url);
    sbuf_release(&links);
    sbuf_release(&dir);
    vec_foreach (char *, q, &paths)
        xfree(*q);
    vec_release(&paths);
    xfree(code);
    return ret;
}
