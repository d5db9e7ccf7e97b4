#ifndef RUNNER_GITHUB_CTX_H
#define RUNNER_GITHUB_CTX_H

/*
 * What `comment`, `check` and the `cml` alias need to know before talking to GitHub, inferred the
 * way CML infers it (../shared/reference/cml.md, 1.3):
 *   token   --token, else REPO_TOKEN, repo_token, GITHUB_TOKEN
 *   repo    --repo (owner/name or a URL), else GITHUB_REPOSITORY, else the origin remote
 *   api     GITHUB_API_URL, else https://<host>/api/v3 for a --repo URL not on github.com,
 *           else https://api.github.com
 *   sha     --commit-sha, else pull_request.head.sha of a pull_request(_target) event payload,
 *           else GITHUB_SHA, else HEAD of the repository around the current directory
 *   pr      pull_request.number of a pull_request(_target) event payload (GITHUB_EVENT_PATH)
 * Everything is read from the environment and .git; nothing is printed here.
 */

#include <stdbool.h>

#include "util/err.h"
#include "util/sbuf.h"

struct cli_gh {
    struct sbuf token; /* never printed */
    struct sbuf repo;
    struct sbuf api;
    struct sbuf sha;
    long event_pr; /* 0 when the event carries no pull request */
};

struct cli_gh_opts {
    const char *token;      /* --token, or NULL */
    const char *repo;       /* --repo, or NULL */
    const char *commit_sha; /* --commit-sha, or NULL */
    bool need_sha;          /* fail when no sha can be found */
};

int cli_gh_load(struct cli_gh *ctx, const struct cli_gh_opts *o, struct err *err);
void cli_gh_release(struct cli_gh *ctx);
/* gh_log_fn for --verbose: the line on stderr. */
void cli_gh_log(const char *line, void *payload);

#endif
