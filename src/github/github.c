#include "github/github.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "http/http.h"
#include "util/json.h"
#include "util/str.h"
#include "util/url.h"
#include "util/xalloc.h"

#define GH_DEFAULT_API "https://api.github.com"
#define GH_MAX_RESPONSE (32u << 20)
#define GH_MAX_PAGES 1000u    /* 100 000 comments: more than any real thread */
#define GH_SUMMARY_MAX 65535u /* check-run output.summary limit */

struct gh {
    struct http_client *http;
    char *api;   /* without a trailing '/' */
    char *token; /* owned copy; never printed */
    char *repo;
    const struct http_clock *clock;
    unsigned max_attempts;
    unsigned max_wait_ms;
    gh_log_fn log;
    void *log_payload;
};

int gh_new(struct gh **out, const struct gh_opts *o, struct err *err)
{
    if (!o->token || !*o->token)
        return err_set(err, ERR_INVALID, "no GitHub token");
    if (!o->repo || !strchr(o->repo, '/'))
        return err_set(err, ERR_INVALID, "repository '%s' is not owner/name",
                       o->repo ? o->repo : "");
    struct gh *g = xcalloc(1, sizeof(*g));
    struct http_client_opts ho = {.clock = o->clock};
    ho.retry.max_attempts = o->max_attempts;
    int rc = http_client_new(&g->http, &ho, err);
    if (rc) {
        xfree(g);
        return rc;
    }
    const char *api = o->api_url && *o->api_url ? o->api_url : GH_DEFAULT_API;
    size_t n = strlen(api);
    while (n > 0 && api[n - 1] == '/')
        n--;
    g->api = xstrndup(api, n);
    g->token = xstrdup(o->token);
    g->repo = xstrdup(o->repo);
    g->clock = o->clock;
    g->max_attempts = o->max_attempts ? o->max_attempts : 5;
    g->max_wait_ms = o->max_wait_ms ? o->max_wait_ms : 120000;
    g->log = o->log;
    g->log_payload = o->log_payload;
    *out = g;
    return 0;
}

void gh_free(struct gh *g)
{
    if (!g)
        return;
    http_client_free(g->http);
    if (g->token) {
        /* The token should not outlive its use in freed memory either. */
        memset(g->token, 0, strlen(g->token));
        xfree(g->token);
    }
    xfree(g->api);
    xfree(g->repo);
    xfree(g);
}

static void sleep_ms(const struct gh *g, uint64_t ms)
{
    if (g->clock && g->clock->sleep_ms) {
        g->clock->sleep_ms(ms, g->clock->payload);
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* GitHub's "message" (and first "errors[].message") from an error body, or the raw excerpt. */
static void error_text(struct sbuf *out, const struct http_response *r)
{
    cJSON *j = NULL;
    struct err ignored = ERR_INIT;
    if (json_parse(&j, r->body.buf, r->body.len, &ignored) == 0 && cJSON_IsObject(j)) {
        const char *msg = json_get_str(j, "message");
        if (msg)
            sbuf_addstr(out, msg);
        const cJSON *errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
        const cJSON *first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : NULL;
        const char *detail = first ? json_get_str(first, "message") : NULL;
        if (detail)
            sbuf_addf(out, " (%s)", detail);
    }
    cJSON_Delete(j);
    if (!out->len) {
        size_t n = 0;
        while (n < r->body.len && n < 200 && r->body.buf[n] != '\n')
            n++;
        sbuf_add(out, r->body.buf, n);
    }
}

/*
 * How long GitHub asks us to wait on a rate-limited response, in ms, or -1 when the response is
 * not a rate limit. Secondary limits come as 403 (or 429) with Retry-After, primary ones with
 * x-ratelimit-remaining: 0 and the reset time in epoch seconds.
 */
static int64_t rate_limit_wait(const struct http_response *r)
{
    if (r->status != 403 && r->status != 429)
        return -1;
    const char *ra = http_response_header(r, "retry-after");
    uint64_t ms;
    if (ra && http_parse_retry_after(ra, (int64_t)time(NULL), &ms))
        return (int64_t)ms;
    const char *remaining = http_response_header(r, "x-ratelimit-remaining");
    const char *reset = http_response_header(r, "x-ratelimit-reset");
    long reset_at;
    if (remaining && !strcmp(remaining, "0") && reset && str_to_long(reset, &reset_at)) {
        int64_t wait = (int64_t)reset_at - (int64_t)time(NULL);
        return wait > 0 ? wait * 1000 : 1000;
    }
    return -1;
}

/*
 * One REST call with GitHub's conventions. `path` is relative to the API root (or a full URL
 * from a Link header). `permission` is what a workflow token needs for this call, named in the
 * message when GitHub answers "Resource not accessible by integration".
 */
static int gh_call(struct gh *g, struct http_response *r, const char *method, const char *path,
                   const char *json_body, const char *permission, struct err *err)
{
    struct sbuf url = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    int rc = 0;
    if (str_has_prefix(path, "http://") || str_has_prefix(path, "https://"))
        sbuf_addstr(&url, path);
    else
        sbuf_addf(&url, "%s%s", g->api, path);
    /* For messages: the path without the host, and without the query string. */
    const char *shown = path;
    if (str_has_prefix(path, g->api))
        shown = path + strlen(g->api);
    size_t shown_len = strcspn(shown, "?");

    static const struct http_header headers[] = {
        {"Accept", "application/vnd.github+json"},
        {"X-GitHub-Api-Version", "2022-11-28"},
    };
    struct http_request req = {
        .method = method,
        .url = url.buf,
        .headers = headers,
        .n_headers = 2,
        .bearer_token = g->token,
        .content_type = json_body ? "application/json" : NULL,
        .body = json_body,
        .body_len = json_body ? strlen(json_body) : 0,
        .max_response = GH_MAX_RESPONSE,
    };
    for (unsigned attempt = 1;; attempt++) {
        rc = http_do(g->http, &req, r, err);
        if (rc) {
            err_prefix(err, "%s %.*s: ", method, (int)shown_len, shown);
            goto done;
        }
        if (g->log) {
            struct sbuf line = SBUF_INIT;
            sbuf_addf(&line, "github: %s %.*s -> %ld (%u attempt%s)", method, (int)shown_len, shown,
                      r->status, r->attempts, r->attempts == 1 ? "" : "s");
            g->log(line.buf, g->log_payload);
            sbuf_release(&line);
        }
        /* http already retried 429 and 5xx; GitHub's secondary limit also comes as 403. */
        int64_t wait = r->status == 403 ? rate_limit_wait(r) : -1;
        if (wait < 0 || attempt >= g->max_attempts)
            break;
        if ((uint64_t)wait > g->max_wait_ms) {
            rc = err_set(err, ERR_FAIL,
                         "%s %.*s: GitHub rate limit: asked to wait %lld s, more than %u s", method,
                         (int)shown_len, shown, (long long)(wait / 1000), g->max_wait_ms / 1000);
            goto done;
        }
        sleep_ms(g, (uint64_t)wait);
    }
    if (r->status >= 200 && r->status < 300)
        goto done;

    error_text(&text, r);
    if (r->status == 403 && strstr(text.buf, "Resource not accessible by integration")) {
        rc = err_set(err, ERR_FAIL,
                     "%s %.*s: HTTP 403: Resource not accessible by integration: the token "
                     "lacks a permission; add 'permissions: %s' to the workflow or job (a pull "
                     "request from a fork always gets a read-only token)",
                     method, (int)shown_len, shown, permission);
    } else if (r->status == 401) {
        rc = err_set(err, ERR_FAIL, "%s %.*s: HTTP 401: %s: the token was refused", method,
                     (int)shown_len, shown, text.buf);
    } else if (rate_limit_wait(r) >= 0) {
        rc = err_set(err, ERR_FAIL, "%s %.*s: HTTP %ld: still rate limited after %u attempts: %s",
                     method, (int)shown_len, shown, r->status, g->max_attempts, text.buf);
    } else if (r->status == 404) {
        rc = err_set(err, ERR_NOTFOUND,
                     "%s %.*s: HTTP 404: %s (does repository '%s' exist, and may the token see "
                     "it?)",
                     method, (int)shown_len, shown, text.buf, g->repo);
    } else {
        rc = err_set(err, ERR_FAIL, "%s %.*s: HTTP %ld: %s", method, (int)shown_len, shown,
                     r->status, text.buf);
    }
done:
    sbuf_release(&url);
    sbuf_release(&text);
    return rc;
}

static int parse_json(cJSON **out, const struct http_response *r, const char *what, struct err *err)
{
    int rc = json_parse(out, r->body.buf, r->body.len, err);
    if (rc)
        err_prefix(err, "%s: unreadable response: ", what);
    return rc;
}

int gh_target_parse(struct gh_target *out, const char *spec, struct err *err)
{
    memset(out, 0, sizeof(*out));
    const char *slash = strchr(spec, '/');
    size_t head = slash ? (size_t)(slash - spec) : strlen(spec);
    struct str kind = str_make(spec, head);
    if (str_eq_cstr(kind, "auto") && !slash) {
        out->kind = GH_TARGET_AUTO;
        return 0;
    }
    if (str_eq_cstr(kind, "pr") || str_eq_cstr(kind, "issue")) {
        out->kind = str_eq_cstr(kind, "pr") ? GH_TARGET_PR : GH_TARGET_ISSUE;
        if (!slash) {
            if (out->kind == GH_TARGET_ISSUE)
                return err_set(err, ERR_INVALID, "target 'issue' needs a number: issue/N");
            return 0;
        }
        long n;
        if (!str_to_long(slash + 1, &n) || n <= 0)
            return err_set(err, ERR_INVALID, "target '%s': '%s' is not a number", spec, slash + 1);
        out->number = n;
        return 0;
    }
    if (str_eq_cstr(kind, "commit")) {
        out->kind = GH_TARGET_COMMIT;
        if (!slash)
            return 0;
        size_t n = strlen(slash + 1);
        if (n < 4 || n > 40 || strspn(slash + 1, "0123456789abcdefABCDEF") != n)
            return err_set(err, ERR_INVALID, "target '%s': '%s' is not a commit sha", spec,
                           slash + 1);
        memcpy(out->sha, slash + 1, n + 1);
        return 0;
    }
    return err_set(err, ERR_INVALID,
                   "unknown target '%s' (auto, pr, commit, pr/N, issue/N, commit/SHA)", spec);
}

static void set_sha(struct gh_target *t, const char *sha)
{
    size_t n = strlen(sha);
    if (n > 40)
        n = 40;
    memcpy(t->sha, sha, n);
    t->sha[n] = '\0';
}

int gh_target_resolve(struct gh *g, struct gh_target *t, const char *sha, long event_pr,
                      struct err *err)
{
    int rc = 0;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf path = SBUF_INIT;
    cJSON *list = NULL;

    if (t->kind == GH_TARGET_COMMIT) {
        if (!t->sha[0]) {
            if (!sha || !*sha)
                return err_set(err, ERR_INVALID, "no commit sha for a commit comment");
            set_sha(t, sha);
        }
        return 0;
    }
    if (t->kind == GH_TARGET_ISSUE || t->number > 0)
        return 0;
    if (event_pr > 0) {
        t->kind = GH_TARGET_PR;
        t->number = event_pr;
        return 0;
    }
    if (!sha || !*sha)
        return err_set(err, ERR_INVALID, "no commit sha to find the pull request from");
    sbuf_addf(&path, "/repos/%s/commits/%s/pulls?per_page=100", g->repo, sha);
    rc = gh_call(g, &r, "GET", path.buf, NULL, "pull-requests: read", err);
    if (rc)
        goto done;
    rc = parse_json(&list, &r, "pull requests of the commit", err);
    if (rc)
        goto done;
    for (const cJSON *pr = cJSON_IsArray(list) ? list->child : NULL; pr; pr = pr->next) {
        const char *state = json_get_str(pr, "state");
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(pr, "number");
        if (state && !strcmp(state, "open") && cJSON_IsNumber(num)) {
            t->kind = GH_TARGET_PR;
            t->number = (long)num->valuedouble;
            goto done;
        }
    }
    if (t->kind == GH_TARGET_PR) {
        rc = err_set(err, ERR_NOTFOUND, "PR for commit sha \"%s\" not found", sha);
        goto done;
    }
    t->kind = GH_TARGET_COMMIT;
    set_sha(t, sha);
done:
    cJSON_Delete(list);
    http_response_release(&r);
    sbuf_release(&path);
    return rc;
}

static const char *permission_for(const struct gh_target *t)
{
    switch (t->kind) {
    case GH_TARGET_COMMIT:
        return "contents: write";
    case GH_TARGET_ISSUE:
        return "issues: write";
    default:
        return "pull-requests: write";
    }
}

/*
 * Whether body holds runnel's watermark whose marker (gh_watermark_marker: everything before the
 * sha) is `marker`, followed by the sha and " -->" and nothing else. A bare strstr would also
 * take "<!-- runnel watermark: nightly | extra | SHA -->" for the label "nightly", while cli.md
 * promises the comment whose watermark has the same LABEL.
 */
static bool has_watermark(const char *body, const char *marker)
{
    size_t n = strlen(marker);
    for (const char *p = strstr(body, marker); p; p = strstr(p + 1, marker)) {
        const char *q = p + n;
        while (isalnum((unsigned char)*q))
            q++;
        if (str_has_prefix(q, " -->"))
            return true;
    }
    return false;
}

/* Walks every page of the target's comments; *id_out is the last one matching, or 0. */
static int find_marked(struct gh *g, double *id_out, const struct gh_target *t,
                       const struct gh_comment *c, struct err *err)
{
    int rc = 0;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    cJSON *page = NULL;
    *id_out = 0;

    if (t->kind == GH_TARGET_COMMIT)
        sbuf_addf(&url, "/repos/%s/commits/%s/comments?per_page=100", g->repo, t->sha);
    else
        sbuf_addf(&url, "/repos/%s/issues/%ld/comments?per_page=100", g->repo, t->number);
    for (unsigned n = 0; n < GH_MAX_PAGES; n++) {
        rc = gh_call(g, &r, "GET", url.buf, NULL, permission_for(t), err);
        if (rc)
            goto done;
        cJSON_Delete(page);
        page = NULL;
        rc = parse_json(&page, &r, "comments", err);
        if (rc)
            goto done;
        for (const cJSON *it = cJSON_IsArray(page) ? page->child : NULL; it; it = it->next) {
            const char *body = json_get_str(it, "body");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
            if (!body || !cJSON_IsNumber(id))
                continue;
            if (has_watermark(body, c->marker) || (c->marker_alt && strstr(body, c->marker_alt)))
                *id_out = id->valuedouble;
        }
        sbuf_reset(&url);
        rc = http_next_link(&url, &r, g->api, "comments", err);
        if (rc <= 0)
            goto done; /* the last page, or a next page off the API (the token stays here) */
    }
    rc = err_set(err, ERR_FAIL, "more than %u pages of comments", GH_MAX_PAGES);
done:
    cJSON_Delete(page);
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

static int add_html_url(struct sbuf *out, const struct http_response *r, struct err *err)
{
    cJSON *j = NULL;
    int rc = parse_json(&j, r, "response", err);
    if (rc)
        return rc;
    const char *u = json_get_str(j, "html_url");
    sbuf_addstr(out, u ? u : "");
    cJSON_Delete(j);
    return 0;
}

int gh_comment_post(struct gh *g, struct sbuf *url_out, bool *updated_out,
                    const struct gh_target *t, const struct gh_comment *c, struct err *err)
{
    int rc = 0;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf path = SBUF_INIT;
    char *json = NULL;
    cJSON *body = cJSON_CreateObject();
    double id = 0;

    if (t->kind == GH_TARGET_COMMIT ? !t->sha[0] : t->number <= 0)
        BUG("gh_comment_post on an unresolved target");
    if (c->update && c->marker) {
        rc = find_marked(g, &id, t, c, err);
        if (rc)
            goto done;
    }
    cJSON_AddStringToObject(body, "body", c->body);
    json = cJSON_PrintUnformatted(body);
    if (id > 0) {
        if (t->kind == GH_TARGET_COMMIT)
            sbuf_addf(&path, "/repos/%s/comments/%.0f", g->repo, id);
        else
            sbuf_addf(&path, "/repos/%s/issues/comments/%.0f", g->repo, id);
        rc = gh_call(g, &r, "PATCH", path.buf, json, permission_for(t), err);
    } else {
        if (t->kind == GH_TARGET_COMMIT)
            sbuf_addf(&path, "/repos/%s/commits/%s/comments", g->repo, t->sha);
        else
            sbuf_addf(&path, "/repos/%s/issues/%ld/comments", g->repo, t->number);
        rc = gh_call(g, &r, "POST", path.buf, json, permission_for(t), err);
    }
    if (rc)
        goto done;
    rc = add_html_url(url_out, &r, err);
    if (updated_out)
        *updated_out = id > 0;
done:
    cJSON_free(json);
    cJSON_Delete(body);
    http_response_release(&r);
    sbuf_release(&path);
    return rc;
}

static void utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int gh_check_run_create(struct gh *g, struct sbuf *url_out, const struct gh_check_run *c,
                        struct err *err)
{
    int rc = 0;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf path = SBUF_INIT;
    struct sbuf summary = SBUF_INIT;
    char *json = NULL;
    cJSON *body = cJSON_CreateObject();
    char now[32];

    if (!c->name || !c->head_sha)
        BUG("gh_check_run_create without name or head_sha");
    const char *status = c->status ? c->status : "completed";
    utc_now(now, sizeof(now));
    cJSON_AddStringToObject(body, "name", c->name);
    cJSON_AddStringToObject(body, "head_sha", c->head_sha);
    cJSON_AddStringToObject(body, "status", status);
    cJSON_AddStringToObject(body, "started_at", now);
    if (!strcmp(status, "completed")) {
        cJSON_AddStringToObject(body, "conclusion", c->conclusion ? c->conclusion : "success");
        cJSON_AddStringToObject(body, "completed_at", now);
    }
    cJSON *output = cJSON_AddObjectToObject(body, "output");
    cJSON_AddStringToObject(output, "title", c->title ? c->title : c->name);
    const char *s = c->summary ? c->summary : "";
    /*
     * GitHub's limit counts characters, not bytes (as for comments): a summary of 40,000 'é'
     * (80,000 bytes) fits. Count code points (UTF-8 lead bytes); past the limit keep whole
     * characters and say so, the note included in the limit.
     */
    static const char cut[] = "\n\n(cut: longer than GitHub's 65535 characters)";
    size_t chars = 0, keep = 0;
    for (size_t i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (chars == GH_SUMMARY_MAX - (sizeof(cut) - 1))
            keep = i; /* where the cut summary ends: before this character */
        chars++;
    }
    if (chars > GH_SUMMARY_MAX) {
        sbuf_add(&summary, s, keep);
        sbuf_addstr(&summary, cut);
        s = summary.buf;
    }
    cJSON_AddStringToObject(output, "summary", s);
    json = cJSON_PrintUnformatted(body);
    sbuf_addf(&path, "/repos/%s/check-runs", g->repo);
    rc = gh_call(g, &r, "POST", path.buf, json, "checks: write", err);
    if (!rc)
        rc = add_html_url(url_out, &r, err);
    cJSON_free(json);
    cJSON_Delete(body);
    http_response_release(&r);
    sbuf_release(&path);
    sbuf_release(&summary);
    return rc;
}

int gh_repo_from_url(struct sbuf *out, const char *url, struct err *err)
{
    /* The path after the host, in either form: host/o/r or host:o/r, credentials or not. */
    struct url_parts u;
    bool network = url_split(&u, url);
    struct str rest = u.path;
    while (rest.len && rest.p[0] == '/') {
        rest.p++;
        rest.len--;
    }
    while (rest.len && rest.p[rest.len - 1] == '/')
        rest.len--;
    if (rest.len >= 4 && !memcmp(rest.p + rest.len - 4, ".git", 4))
        rest.len -= 4;
    const char *slash = rest.len ? memchr(rest.p, '/', rest.len) : NULL;
    if (!network || !slash || slash == rest.p || (size_t)(slash - rest.p) + 1 >= rest.len ||
        memchr(slash + 1, '/', rest.len - (size_t)(slash - rest.p) - 1)) {
        struct sbuf shown = SBUF_INIT;
        url_add_display(&shown, url); /* never the password */
        int rc = err_set(err, ERR_INVALID, "remote URL '%s' has no owner/name", shown.buf);
        sbuf_release(&shown);
        return rc;
    }
    sbuf_add(out, rest.p, rest.len);
    return 0;
}

static void add_label(struct sbuf *out, const char *label)
{
    for (const char *p = label; *p; p++) {
        if (*p == '\n' || *p == '\r')
            sbuf_addch(out, ' ');
        else if (p[0] == '-' && p[1] == '-')
            sbuf_addstr(out, "- ");
        else
            sbuf_addch(out, *p);
    }
}

void gh_watermark_marker(struct sbuf *out, const char *label)
{
    sbuf_addstr(out, "<!-- runnel watermark: ");
    add_label(out, label ? label : "");
    sbuf_addstr(out, " | ");
}

void gh_watermark(struct sbuf *out, const char *label, const char *sha)
{
    gh_watermark_marker(out, label);
    sbuf_addf(out, "%s -->", sha ? sha : "");
}

void gh_watermark_cml_marker(struct sbuf *out, const char *label)
{
    /* CML escapes what GitHub would escape in an image title: _ * [ < */
    sbuf_addstr(out, "\"CML watermark");
    if (label && *label) {
        sbuf_addch(out, ' ');
        for (const char *p = label; *p; p++) {
            if (strchr("_*[<", *p))
                sbuf_addch(out, '\\');
            sbuf_addch(out, *p);
        }
    }
    sbuf_addstr(out, "\")");
}
