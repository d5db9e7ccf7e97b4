#ifndef GITHUB_GITHUB_H
#define GITHUB_GITHUB_H

/*
 * github: the GitHub REST calls runnel makes for reports: comments on pull requests, issues and
 * commits (created, or updated in place through a watermark), the pull request of a commit, and
 * check runs. It speaks through src/http (retries on 429/5xx with Retry-After); on top of that
 * it waits out GitHub's secondary rate limit (403 with Retry-After or x-ratelimit-remaining: 0)
 * and turns 403 "Resource not accessible by integration" into the `permissions:` the workflow
 * needs. The token is sent, never put in a message.
 *
 * Lifecycle:
 *   1. gh_new(&g, &(struct gh_opts){.api_url = ..., .token = ..., .repo = "o/r"}, &err)
 *   2. gh_target_parse(&t, "auto", &err); gh_target_resolve(g, &t, sha, event_pr, &err)
 *      (auto/pr become pr/N or commit/SHA)
 *   3. gh_comment_post(g, &url, &t, &(struct gh_comment){.body = ..., .update = ...}, &err)
 *      or gh_check_run_create(g, &url, &(struct gh_check_run){...}, &err)
 *   4. gh_free(g)
 *
 * Ownership: strings in the option structs are borrowed for the call. URLs come back appended to
 * a caller's sbuf.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/sbuf.h"

struct http_clock;

/* A line about one request for --verbose (method, path, status, attempts; never the token). */
typedef void (*gh_log_fn)(const char *line, void *payload);

struct gh_opts {
    const char *api_url;            /* NULL: https://api.github.com (GITHUB_API_URL in a run) */
    const char *token;              /* required */
    const char *repo;               /* "owner/name" */
    const struct http_clock *clock; /* NULL: real time; tests inject one */
    unsigned max_attempts;          /* per request, 0: 5 */
    unsigned max_wait_ms;           /* longest rate-limit wait honoured, 0: 120000 */
    gh_log_fn log;                  /* NULL: quiet */
    void *log_payload;
};

struct gh;

int gh_new(struct gh **out, const struct gh_opts *o, struct err *err);
void gh_free(struct gh *g);

enum gh_target_kind {
    GH_TARGET_AUTO,   /* the PR of the commit if there is one, else the commit */
    GH_TARGET_PR,     /* the PR of the commit; an error when there is none */
    GH_TARGET_COMMIT, /* a commit comment */
    GH_TARGET_ISSUE,  /* an issue (or PR) by number, as issue/N */
};

struct gh_target {
    enum gh_target_kind kind;
    long number;  /* PR or issue number; 0 = not known yet */
    char sha[41]; /* commit; "" = not known yet */
};

/* Parses CML's --target: auto, pr, commit, pr/N, issue/N, commit/SHA. */
int gh_target_parse(struct gh_target *out, const char *spec, struct err *err);

/*
 * Makes an auto or pr target concrete. With event_pr > 0 (the event payload's PR) that is the
 * PR; otherwise GET /repos/{o}/{r}/commits/{sha}/pulls and take the first open one. With none,
 * auto becomes a commit comment on sha and pr fails with ERR_NOTFOUND. A commit target without
 * a sha takes `sha`.
 */
int gh_target_resolve(struct gh *g, struct gh_target *t, const char *sha, long event_pr,
                      struct err *err);

struct gh_comment {
    const char *body;       /* the whole comment, watermark included */
    const char *marker;     /* for update: gh_watermark_marker's text; a comment matches when
                               its body holds it followed by a sha and " -->" (the same LABEL,
                               exactly) */
    const char *marker_alt; /* another accepted marker (CML's watermark), or NULL */
    bool update;            /* PATCH the last matching comment; POST when none matches */
};

/*
 * Creates (or updates) the comment. Listing for update walks every page (per_page=100, following
 * Link: rel="next"), so a watermark beyond the first page is found. Appends the comment's
 * html_url to url_out. Sets *updated_out (when not NULL) to whether an existing one was changed.
 */
int gh_comment_post(struct gh *g, struct sbuf *url_out, bool *updated_out,
                    const struct gh_target *t, const struct gh_comment *c, struct err *err);

struct gh_check_run {
    const char *name;       /* check name shown in the PR; required */
    const char *head_sha;   /* required */
    const char *status;     /* queued, in_progress, completed (default) */
    const char *conclusion; /* success (default), failure, neutral, cancelled, skipped, timed_out */
    const char *title;      /* output.title; default = name */
    const char *summary;    /* output.summary (markdown), cut at GitHub's 65535 characters */
};

/* POST /repos/{o}/{r}/check-runs. Appends the check run's html_url to url_out. */
int gh_check_run_create(struct gh *g, struct sbuf *url_out, const struct gh_check_run *c,
                        struct err *err);

/*
 * runnel's comment watermark: an HTML comment GitHub keeps in the body but does not show, so no
 * image is fetched from anyone's host:  <!-- runnel watermark: LABEL | SHA -->
 * LABEL is the --watermark-title after {workflow} and {run} were replaced ("--" in it becomes
 * "- -" so the comment cannot end early).
 * gh_watermark appends the whole watermark; gh_watermark_marker appends the part that `update`
 * looks for (everything before the sha), and gh_watermark_cml_marker the part of CML's own
 * watermark ![](https://cml.dev/watermark.png#SHA "CML watermark LABEL") that CML's update
 * matches, so `update` also takes over a comment CML posted.
 */
void gh_watermark(struct sbuf *out, const char *label, const char *sha);
void gh_watermark_marker(struct sbuf *out, const char *label);
void gh_watermark_cml_marker(struct sbuf *out, const char *label);

/*
 * Extracts "owner/name" from a remote URL (https://host/o/r.git, git@host:o/r.git,
 * ssh://git@host/o/r, with "user:password@" before the host in either form, as util/url.h reads
 * it). Appends to out; ERR_INVALID when the URL has no owner/name (the message shows the URL
 * without its password).
 */
int gh_repo_from_url(struct sbuf *out, const char *url, struct err *err);

#endif
