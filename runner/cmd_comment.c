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

/* Whether a link target names a file next to the markdown (relative, no scheme, existing). */
static bool is_local_file(const char *target, size_t n, const char *md_dir)
{
    if (!n)
        return false;
    char *t = xstrndup(target, n);
    bool local = false;
    if (!strstr(t, "://") && t[0] != '#' && t[0] != '/' && !str_has_prefix(t, "data:") &&
        !str_has_prefix(t, "mailto:")) {
        struct sbuf path = SBUF_INIT;
        path_join(&path, md_dir, t);
        local = fs_is_file(path.buf);
        sbuf_release(&path);
    }
    xfree(t);
    return local;
}

/* The target of the link whose "](" is at p: start and length (angle brackets dropped). */
static const char *link_target(const char *p, size_t *len)
{
    const char *t = p + 2;
    bool angle = *t == '<';
    if (angle)
        t++;
    *len = strcspn(t, angle ? ">\n" : " )\n\t");
    return t;
}

/*
 * Lists the local files the markdown links to (images and links whose target is a relative path
 * to an existing file, resolved against the markdown file's folder, as CML resolves them).
 */
static void local_links(struct sbuf *names, size_t *count, const char *md, const char *md_dir)
{
    *count = 0;
    for (const char *p = strstr(md, "]("); p; p = strstr(p + 2, "](")) {
        size_t n;
        const char *t = link_target(p, &n);
        if (is_local_file(t, n, md_dir)) {
            sbuf_addf(names, "%s'%.*s'", *count ? ", " : "", (int)n, t);
            (*count)++;
        }
    }
}

/*
 * Copies the markdown, replacing each image of a local file that could not be published by a
 * short note, so the comment shows no broken image (CML leaves them broken, cml#1422).
 */
static void unpublished_images(struct sbuf *out, const char *md, const char *md_dir)
{
    const char *p = md;
    for (const char *img = strstr(p, "!["); img; img = strstr(p, "![")) {
        const char *close = strstr(img + 2, "](");
        const char *nl = strchr(img, '\n');
        size_t n = 0;
        const char *t = close ? link_target(close, &n) : NULL;
        const char *end = t ? strchr(t + n, ')') : NULL;
        if (!close || !end || (nl && nl < end) || !is_local_file(t, n, md_dir)) {
            const char *upto = end && !(nl && nl < end) ? end + 1 : img + 2;
            sbuf_add(out, p, (size_t)(upto - p));
            p = upto;
            continue;
        }
        sbuf_add(out, p, (size_t)(img - p));
        sbuf_addf(out, "*(image `%.*s` not published)*", (int)n, t);
        p = end + 1;
    }
    sbuf_addstr(out, p);
}

/*
 * Commits the local files the markdown links to onto `branch` (repo_publish: a commit on the
 * branch's tip, pushed by compare-and-swap, never touching the work tree) and rewrites each link
 * to https://github.com/O/R/blob/<commit>/<path>?raw=true, which GitHub serves to whoever may
 * read the repository (private ones included).
 */
static int publish_links(struct sbuf *out, struct sbuf *commit_out, const char *md,
                         const char *md_dir, const char *branch, const struct cli_gh *ctx,
                         struct err *err)
{
    int rc = 0;
    struct repo *r = NULL;
    struct vec paths = VEC_INIT(char *);
    struct sbuf prefix = SBUF_INIT, base = SBUF_INIT;
    struct repo_publish_result res;

    for (const char *p = strstr(md, "]("); p; p = strstr(p + 2, "](")) {
        size_t n;
        const char *t = link_target(p, &n);
        if (!is_local_file(t, n, md_dir))
            continue;
        struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
        char *tt = xstrndup(t, n);
        path_join(&joined, md_dir, tt);
        path_normalize(&norm, joined.buf);
        xfree(tt);
        sbuf_release(&joined);
        bool dup = false;
        vec_foreach (char *, q, &paths)
            dup = dup || !strcmp(*q, norm.buf);
        if (dup) {
            sbuf_release(&norm);
            continue;
        }
        *(char **)vec_push(&paths) = sbuf_detach(&norm, NULL);
    }
    repo_global_init();
    rc = repo_open(&r, ".", err);
    if (rc)
        goto done;
    struct repo_provenance prov;
    repo_provenance_from_env(&prov);
    struct repo_publish_opts po = {.branch = branch,
                                   .paths = (const char *const *)paths.items,
                                   .npaths = paths.len,
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
    /* rewrite: copy md, replacing each local target */
    const char *p = md;
    for (const char *q = strstr(p, "]("); q; q = strstr(p, "](")) {
        size_t n;
        const char *t = link_target(q, &n);
        sbuf_add(out, p, (size_t)(t - p));
        if (is_local_file(t, n, md_dir)) {
            struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
            char *tt = xstrndup(t, n);
            path_join(&joined, md_dir, tt);
            path_normalize(&norm, joined.buf);
            sbuf_addf(out, "%s%s%s?raw=true", base.buf, prefix.buf, norm.buf);
            xfree(tt);
            sbuf_release(&joined);
            sbuf_release(&norm);
        } else {
            sbuf_add(out, t, n);
        }
        p = t + n;
    }
    sbuf_addstr(out, p);
done:
    vec_foreach (char *, q, &paths)
        xfree(*q);
    vec_release(&paths);
    repo_free(r);
    repo_global_shutdown();
    sbuf_release(&prefix);
    sbuf_release(&base);
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
    size_t n_links = 0;
    path_dirname(&dir, file);
    local_links(&links, &n_links, md.buf, dir.buf);
    bool published = false;
    if (n_links && !no_publish && publish_branch && !dry_run) {
        struct sbuf rewritten = SBUF_INIT;
        struct sbuf commit = SBUF_INIT;
        if (publish_links(&rewritten, &commit, md.buf, dir.buf, publish_branch, &ctx, &err)) {
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
        unpublished_images(&body, md.buf, dir.buf);
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
    return ret;
}
