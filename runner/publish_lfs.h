#ifndef RUNNER_PUBLISH_LFS_H
#define RUNNER_PUBLISH_LFS_H

/*
 * The Git LFS upload that `runnel publish` hands to src/git/ for HTTP(S) remotes: the LFS batch
 * API (https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md) with the "basic"
 * transfer, over src/http/. It lives in runner/ because it joins two modules that may not use
 * each other (git: util + libgit2; http: util + libcurl); it moves next to the Hugging Face LFS
 * code once that lands, so that both use one implementation.
 *
 *   1. struct publish_lfs l = {0};     publish_lfs_upload() creates the HTTP client lazily
 *   2. repo_publish_opts.lfs_upload = publish_lfs_upload, .lfs_payload = &l
 *   3. publish_lfs_release(&l)
 */

#include "git/git.h"

struct http_client;

struct publish_lfs {
    struct http_client *client; /* owned; NULL until the first upload */
};

/* repo_lfs_upload_fn: uploads obj to url's LFS endpoint (<url>[.git]/info/lfs). */
int publish_lfs_upload(const struct repo_lfs_object *obj, const char *url, const char *token,
                       void *payload, struct err *err);
void publish_lfs_release(struct publish_lfs *l);

#endif
