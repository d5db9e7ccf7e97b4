#include "github_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "github/github.h"
#include "util/json.h"
#include "util/path.h"
#include "util/str.h"
#include "util/url.h"
#include "util/xalloc.h"

#define GIT_FILE_MAX (4u << 20)

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The .git directory around the current directory (a "gitdir:" file followed), appended to out. */
static bool find_git_dir(struct sbuf *out)
{
    struct sbuf dir = SBUF_INIT, probe = SBUF_INIT;
    bool found = false;
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return false;
    sbuf_addstr(&dir, cwd);
    /* getcwd's buffer comes from libc's malloc: hand it back through the project's name. */
    xfree(cwd);
    for (int depth = 0; depth < 64; depth++) {
        sbuf_reset(&probe);
        path_join(&probe, dir.buf, ".git");
        if (fs_is_dir(probe.buf)) {
            sbuf_addstr(out, probe.buf);
            found = true;
            break;
        }
        if (fs_is_file(probe.buf)) {
            struct sbuf f = SBUF_INIT;
            struct err e = ERR_INIT;
            if (!sbuf_read_file(&f, probe.buf, GIT_FILE_MAX, &e) &&
                str_has_prefix(f.buf, "gitdir:")) {
                sbuf_rtrim(&f);
                struct str p = str_trim(str_from(f.buf + 7));
                char *gd = str_dup(p);
                path_join(out, dir.buf, gd);
                xfree(gd);
                found = true;
            }
            sbuf_release(&f);
            break;
        }
        if (!strcmp(dir.buf, "/"))
            break;
        struct sbuf parent = SBUF_INIT;
        path_dirname(&parent, dir.buf);
        sbuf_reset(&dir);
        sbuf_addstr(&dir, parent.buf);
        sbuf_release(&parent);
    }
    sbuf_release(&dir);
    sbuf_release(&probe);
    return found;
}

/* url = ... of [remote "origin"] in .git/config. */
static bool origin_url(struct sbuf *out, const char *git_dir)
{
    struct sbuf path = SBUF_INIT, cfg = SBUF_INIT;
    struct err e = ERR_INIT;
    bool found = false, in_origin = false;
    path_join(&path, git_dir, "config");
    if (sbuf_read_file(&cfg, path.buf, GIT_FILE_MAX, &e))
        goto done;
    for (char *line = cfg.buf; line && *line;) {
        char *nl = strchr(line, '\n');
        struct str l = str_trim(str_make(line, nl ? (size_t)(nl - line) : strlen(line)));
        if (l.len && l.p[0] == '[') {
            in_origin = str_starts_with(l, "[remote \"origin\"]");
        } else if (in_origin && str_starts_with(l, "url")) {
            const char *eq = memchr(l.p, '=', l.len);
            if (eq) {
                struct str v = str_trim(str_make(eq + 1, l.len - (size_t)(eq + 1 - l.p)));
                sbuf_add(out, v.p, v.len);
                found = true;
                break;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
done:
    sbuf_release(&path);
    sbuf_release(&cfg);
    return found;
}

/* The commit HEAD points at: a detached sha, a loose ref, or a packed ref. */
static bool head_sha(struct sbuf *out, const char *git_dir)
{
    struct sbuf path = SBUF_INIT, head = SBUF_INIT, ref = SBUF_INIT;
    struct err e = ERR_INIT;
    bool found = false;
    path_join(&path, git_dir, "HEAD");
    if (sbuf_read_file(&head, path.buf, GIT_FILE_MAX, &e))
        goto done;
    sbuf_rtrim(&head);
    if (!str_has_prefix(head.buf, "ref: ")) {
        if (head.len == 40) {
            sbuf_addstr(out, head.buf);
            found = true;
        }
        goto done;
    }
    const char *name = head.buf + 5;
    sbuf_reset(&path);
    path_join(&path, git_dir, name);
    if (!sbuf_read_file(&ref, path.buf, GIT_FILE_MAX, &e)) {
        sbuf_rtrim(&ref);
        if (ref.len == 40) {
            sbuf_addstr(out, ref.buf);
            found = true;
        }
        goto done;
    }
    sbuf_reset(&path);
    sbuf_reset(&ref);
    path_join(&path, git_dir, "packed-refs");
    if (sbuf_read_file(&ref, path.buf, GIT_FILE_MAX, &e))
        goto done;
    for (char *line = ref.buf; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 41 && line[40] == ' ' && len - 41 == strlen(name) &&
            !memcmp(line + 41, name, len - 41)) {
            sbuf_add(out, line, 40);
            found = true;
            break;
        }
        line = nl ? nl + 1 : NULL;
    }
done:
    sbuf_release(&path);
    sbuf_release(&head);
    sbuf_release(&ref);
    return found;
}

/* The pull request number and head sha of a pull_request(_target) event payload. */
static int read_event(struct cli_gh *ctx, struct sbuf *event_sha, struct err *err)
{
    const char *name = env("GITHUB_EVENT_NAME");
    const char *path = env("GITHUB_EVENT_PATH");
    if (!name || !path || (strcmp(name, "pull_request") && strcmp(name, "pull_request_target")))
        return 0;
    cJSON *payload = NULL;
    int rc = json_load(&payload, path, 64u << 20, err);
    if (rc)
        return rc;
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(payload, "pull_request");
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(pr, "number");
    if (cJSON_IsNumber(num))
        ctx->event_pr = (long)num->valuedouble;
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(pr, "head");
    const char *sha = json_get_str(head, "sha");
    if (sha)
        sbuf_addstr(event_sha, sha);
    cJSON_Delete(payload);
    return 0;
}

int cli_gh_load(struct cli_gh *ctx, const struct cli_gh_opts *o, struct err *err)
{
    int rc = 0;
    struct sbuf git_dir = SBUF_INIT, url = SBUF_INIT, event_sha = SBUF_INIT;
    ctx->token = SBUF_INIT;
    ctx->repo = SBUF_INIT;
    ctx->api = SBUF_INIT;
    ctx->sha = SBUF_INIT;
    ctx->event_pr = 0;
    bool have_git = find_git_dir(&git_dir);

    const char *token = o->token;
    if (!token)
        token = env("REPO_TOKEN");
    if (!token)
        token = env("repo_token");
    if (!token)
        token = env("GITHUB_TOKEN");
    if (!token) {
        rc = err_set(err, ERR_INVALID,
                     "token not found: pass --token or set REPO_TOKEN or GITHUB_TOKEN");
        goto done;
    }
    sbuf_addstr(&ctx->token, token);

    const char *api = env("GITHUB_API_URL");
    struct url_parts u;
    if (o->repo && url_split(&u, o->repo)) {
        /* a URL, or the scp-like host:o/r: user:token@ before the host (CML's --repo with
         * credentials) is not part of the API address, which reaches every error message that
         * names a request */
        sbuf_addstr(&url, o->repo);
        if (!api && !str_eq_cstr(u.host, "github.com"))
            sbuf_addf(&ctx->api, "https://%.*s/api/v3", (int)u.host.len, u.host.p);
    } else if (o->repo) {
        sbuf_addstr(&ctx->repo, o->repo);
    } else if (env("GITHUB_REPOSITORY")) {
        sbuf_addstr(&ctx->repo, env("GITHUB_REPOSITORY"));
    } else if (!have_git || !origin_url(&url, git_dir.buf)) {
        rc = err_set(err, ERR_INVALID,
                     "repository unknown: pass --repo owner/name or set GITHUB_REPOSITORY "
                     "(no origin remote here)");
        goto done;
    }
    if (url.len) {
        rc = gh_repo_from_url(&ctx->repo, url.buf, err);
        if (rc)
            goto done;
    }
    if (!ctx->api.len)
        sbuf_addstr(&ctx->api, api ? api : "https://api.github.com");

    rc = read_event(ctx, &event_sha, err);
    if (rc)
        goto done;
    if (o->commit_sha)
        sbuf_addstr(&ctx->sha, o->commit_sha);
    else if (event_sha.len)
        sbuf_addstr(&ctx->sha, event_sha.buf);
    else if (env("GITHUB_SHA"))
        sbuf_addstr(&ctx->sha, env("GITHUB_SHA"));
    else if (have_git)
        head_sha(&ctx->sha, git_dir.buf);
    if (o->need_sha && !ctx->sha.len) {
        rc = err_set(err, ERR_INVALID,
                     "commit sha unknown: pass --commit-sha or set GITHUB_SHA (no git HEAD here)");
        goto done;
    }
done:
    sbuf_release(&git_dir);
    sbuf_release(&url);
    sbuf_release(&event_sha);
    if (rc)
        cli_gh_release(ctx);
    return rc;
}

void cli_gh_release(struct cli_gh *ctx)
{
    if (ctx->token.len)
        memset(ctx->token.buf, 0, ctx->token.len);
    sbuf_release(&ctx->token);
    sbuf_release(&ctx->repo);
    sbuf_release(&ctx->api);
    sbuf_release(&ctx->sha);
}

void cli_gh_log(const char *line, void *payload)
{
    fprintf(stderr, "runnel: %s\n", line);
}
