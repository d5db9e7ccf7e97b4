/*
 * The Hub's HTTP API (../shared/reference/hf-hub-api.md has the protocol and its sources in
 * huggingface_hub and huggingface.js). Every call goes through http_do, so 429/5xx and dropped
 * connections are retried with backoff and Retry-After is honoured.
 */
#include "hub/internal.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "util/base64.h"
#include "util/json.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define PREUPLOAD_CHUNK 256 /* files per preupload call, as huggingface_hub */
#define LFS_BATCH_CHUNK 256 /* objects per LFS batch call */
#define MAX_TREE_PAGES 1000

static const char *type_plural(enum hub_repo_type t)
{
    switch (t) {
    case HUB_REPO_DATASET:
        return "datasets";
    case HUB_REPO_SPACE:
        return "spaces";
    case HUB_REPO_MODEL:
        break;
    }
    return "models";
}

/* endpoint + "/api/<type>s/<id>/<what>" with an optional escaped revision after it. */
static void api_url(struct sbuf *u, struct hub *h, const struct hub_repo *repo, const char *what,
                    const char *rev)
{
    sbuf_addf(u, "%s/api/%s/%s/%s", h->endpoint, type_plural(repo->type), repo->id, what);
    if (rev) {
        sbuf_addch(u, '/');
        http_url_escape(u, rev);
    }
}

static const struct http_header lfs_headers[] = {
    {"Accept", "application/vnd.git-lfs+json"},
};

/* Sends one request to the Hub API with the token; JSON body when body != NULL. */
static int call(struct hub *h, const char *method, const char *url, const char *ctype,
                const struct sbuf *body, struct http_response *r, struct err *err)
{
    struct http_request req = {
        .method = method,
        .url = url,
        .bearer_token = h->token,
        .content_type = body ? (ctype ? ctype : "application/json") : NULL,
        .body = body ? body->buf : NULL,
        .body_len = body ? body->len : 0,
        .max_response = HUB_MAX_JSON,
    };
    if (ctype && !strcmp(ctype, "application/vnd.git-lfs+json")) {
        req.headers = lfs_headers;
        req.n_headers = 1;
    }
    return http_do(h->http, &req, r, err);
}

/* The Hub's error text: the "error" member of a JSON body, else the body's first line. */
static int hub_status_error(const struct http_response *r, const char *what, struct err *err)
{
    cJSON *j = NULL;
    struct err ignored = ERR_INIT;
    if (r->body.len && json_parse(&j, r->body.buf, r->body.len, &ignored) == 0) {
        const char *msg = json_get_str(j, "error");
        if (!msg)
            msg = json_get_str(j, "message");
        if (msg) {
            err_set(err, ERR_FAIL, "%s: HTTP %ld: %s", what, r->status, msg);
            cJSON_Delete(j);
            return ERR_FAIL;
        }
    }
    cJSON_Delete(j);
    http_check_status(r, what, err);
    return ERR_FAIL;
}

static int parse_json(cJSON **out, const struct http_response *r, const char *what, struct err *err)
{
    int rc = json_parse(out, r->body.buf, r->body.len, err);
    if (rc < 0)
        err_prefix(err, "%s: bad JSON from the Hub: ", what);
    return rc;
}

/* A 200 answer's JSON string member `key`, appended to out; other statuses are errors. */
static int answer_string(struct sbuf *out, const struct http_response *r, const char *what,
                         const char *key, struct err *err)
{
    if (r->status != 200)
        return hub_status_error(r, what, err);
    cJSON *j = NULL;
    int rc = parse_json(&j, r, what, err);
    if (rc < 0)
        return rc;
    const char *v = json_get_str(j, key);
    if (v)
        sbuf_addstr(out, v);
    else
        rc = err_set(err, ERR_FAIL, "%s: the Hub's answer has no '%s'", what, key);
    cJSON_Delete(j);
    return rc;
}

static int remote_whoami(struct hub *h, struct sbuf *name_out, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    int rc;
    if (!h->token) {
        rc = err_set(err, ERR_NOTFOUND, "no token: set HF_TOKEN, pass --token or log in");
        goto done;
    }
    sbuf_addf(&url, "%s/api/whoami-v2", h->endpoint);
    rc = call(h, "GET", url.buf, NULL, NULL, &r, err);
    if (rc < 0)
        goto done;
    if (r.status == 401) {
        /* huggingface_hub's whoami says "Invalid user token." on a 401. */
        rc = err_set(err, ERR_FAIL,
                     "invalid user token: the Hub at '%s' rejected the token (HTTP 401): check "
                     "HF_TOKEN, --token or the token file",
                     h->endpoint);
        goto done;
    }
    rc = answer_string(name_out, &r, "whoami", "name", err);
done:
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

static int remote_revision(struct hub *h, const struct hub_repo *repo, const char *rev,
                           struct sbuf *sha_out, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    api_url(&url, h, repo, "revision", rev);
    int rc = call(h, "GET", url.buf, NULL, NULL, &r, err);
    if (rc < 0)
        goto done;
    if (r.status == 404) {
        rc = err_set(err, ERR_NOTFOUND, "%s '%s' has no revision '%s'",
                     hub_repo_type_name(repo->type), repo->id, rev);
        goto done;
    }
    rc = answer_string(sha_out, &r, "revision", "sha", err);
done:
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

static int remote_create_repo(struct hub *h, const struct hub_repo *repo,
                              const struct hub_create_opts *o, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    cJSON *j = cJSON_CreateObject();
    const char *slash = strchr(repo->id, '/');
    if (slash) {
        char *org = xstrndup(repo->id, (size_t)(slash - repo->id));
        cJSON_AddStringToObject(j, "organization", org);
        xfree(org);
        cJSON_AddStringToObject(j, "name", slash + 1);
    } else {
        cJSON_AddStringToObject(j, "name", repo->id);
    }
    if (repo->type != HUB_REPO_MODEL)
        cJSON_AddStringToObject(j, "type", hub_repo_type_name(repo->type));
    if (repo->type == HUB_REPO_SPACE)
        cJSON_AddStringToObject(j, "sdk", o->space_sdk ? o->space_sdk : "gradio");
    cJSON_AddBoolToObject(j, "private", o->is_private);
    json_add(&body, j);
    sbuf_addf(&url, "%s/api/repos/create", h->endpoint);
    int rc = call(h, "POST", url.buf, "application/json", &body, &r, err);
    if (rc < 0)
        goto done;
    if (r.status == 409 && o->exist_ok)
        goto done;
    if ((r.status == 401 || r.status == 402 || r.status == 403) && o->exist_ok) {
        /* As huggingface_hub: a token that may not create may still write an existing repo. */
        struct sbuf sha = SBUF_INIT;
        struct err e2 = ERR_INIT;
        int rc2 = remote_revision(h, repo, "main", &sha, &e2);
        sbuf_release(&sha);
        if (rc2 == 0)
            goto done;
    }
    if (r.status < 200 || r.status >= 300)
        rc = hub_status_error(&r, "create repo", err);
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    sbuf_release(&body);
    return rc;
}

static int remote_create_branch(struct hub *h, const struct hub_repo *repo, const char *branch,
                                const char *from, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    api_url(&url, h, repo, "branch", branch);
    sbuf_addstr(&body, "{\"startingPoint\":\"");
    sbuf_add_json_escaped(&body, from, strlen(from));
    sbuf_addstr(&body, "\"}");
    int rc = call(h, "POST", url.buf, "application/json", &body, &r, err);
    if (rc == 0 && r.status != 409 && (r.status < 200 || r.status >= 300))
        rc = hub_status_error(&r, "create branch", err);
    http_response_release(&r);
    sbuf_release(&url);
    sbuf_release(&body);
    return rc;
}

static int remote_create_tag(struct hub *h, const struct hub_repo *repo, const char *rev,
                             const char *tag, const char *message, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "tag", tag);
    if (message)
        cJSON_AddStringToObject(j, "message", message);
    json_add(&body, j);
    api_url(&url, h, repo, "tag", rev);
    int rc = call(h, "POST", url.buf, "application/json", &body, &r, err);
    if (rc == 0 && (r.status < 200 || r.status >= 300))
        rc = hub_status_error(&r, "create tag", err);
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    sbuf_release(&body);
    return rc;
}

/* GET .../refs ({"branches": [...], "tags": [{"name", "ref", "targetCommit"}], ...}, as
 * huggingface_hub's list_repo_refs reads it): the commit the tag names. */
static int remote_tag_commit(struct hub *h, const struct hub_repo *repo, const char *tag,
                             struct sbuf *sha_out, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    cJSON *j = NULL;
    api_url(&url, h, repo, "refs", NULL);
    int rc = call(h, "GET", url.buf, NULL, NULL, &r, err);
    if (rc < 0)
        goto done;
    if (r.status != 200) {
        rc = hub_status_error(&r, "list refs", err);
        goto done;
    }
    rc = parse_json(&j, &r, "list refs", err);
    if (rc < 0)
        goto done;
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(j, "tags"))
    {
        const char *name = json_get_str(item, "name");
        const char *target = json_get_str(item, "targetCommit");
        if (name && target && !strcmp(name, tag)) {
            sbuf_addstr(sha_out, target);
            goto done;
        }
    }
    rc = err_set(err, ERR_NOTFOUND, "%s '%s' has no tag '%s'", hub_repo_type_name(repo->type),
                 repo->id, tag);
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

static struct hub_file *find_file(struct hub_file *files, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(files[i].path, path))
            return &files[i];
    }
    return NULL;
}

static int preupload_chunk(struct hub *h, const char *url, struct hub_file *files, size_t n,
                           struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf body = SBUF_INIT;
    cJSON *j = NULL;
    sbuf_addstr(&body, "{\"files\":[");
    for (size_t i = 0; i < n; i++) {
        sbuf_addstr(&body, i ? ",{\"path\":\"" : "{\"path\":\"");
        sbuf_add_json_escaped(&body, files[i].path, strlen(files[i].path));
        sbuf_addf(&body, "\",\"size\":%llu,\"sample\":\"", (unsigned long long)files[i].size);
        base64_encode(&body, files[i].sample, files[i].sample_len);
        sbuf_addstr(&body, "\"}");
    }
    sbuf_addstr(&body, "]}");
    int rc = call(h, "POST", url, "application/json", &body, &r, err);
    if (rc < 0)
        goto done;
    if (r.status != 200) {
        rc = hub_status_error(&r, "preupload", err);
        goto done;
    }
    rc = parse_json(&j, &r, "preupload", err);
    if (rc < 0)
        goto done;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "files");
    const cJSON *item;
    cJSON_ArrayForEach(item, arr)
    {
        const char *path = json_get_str(item, "path");
        struct hub_file *f = path ? find_file(files, n, path) : NULL;
        if (!f)
            continue;
        const char *mode = json_get_str(item, "uploadMode");
        f->is_lfs = mode && !strcmp(mode, "lfs");
        f->should_ignore = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "shouldIgnore"));
        const char *oid = json_get_str(item, "oid");
        xfree(f->remote_oid);
        f->remote_oid = oid ? xstrdup(oid) : NULL;
    }
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&body);
    return rc;
}

static int remote_preupload(struct hub *h, const struct hub_repo *repo, const char *rev,
                            struct hub_file *files, size_t n, struct err *err)
{
    struct sbuf url = SBUF_INIT;
    api_url(&url, h, repo, "preupload", rev);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += PREUPLOAD_CHUNK)
        rc = preupload_chunk(h, url.buf, files + i,
                             n - i < PREUPLOAD_CHUNK ? n - i : PREUPLOAD_CHUNK, err);
    sbuf_release(&url);
    return rc;
}

static int remote_list_files(struct hub *h, const struct hub_repo *repo, const char *rev,
                             struct vec *paths_out, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    int rc = 0;
    api_url(&url, h, repo, "tree", rev);
    sbuf_addstr(&url, "?recursive=true");
    for (int page = 0; page < MAX_TREE_PAGES; page++) {
        cJSON *j = NULL;
        rc = call(h, "GET", url.buf, NULL, NULL, &r, err);
        if (rc < 0)
            break;
        if (r.status != 200) {
            rc = hub_status_error(&r, "list files", err);
            break;
        }
        rc = parse_json(&j, &r, "list files", err);
        if (rc < 0)
            break;
        const cJSON *item;
        cJSON_ArrayForEach(item, j)
        {
            const char *type = json_get_str(item, "type");
            const char *path = json_get_str(item, "path");
            if (type && path && !strcmp(type, "file")) {
                char **slot = vec_push(paths_out);
                *slot = xstrdup(path);
            }
        }
        cJSON_Delete(j);
        sbuf_reset(&url);
        rc = http_next_link(&url, &r, h->endpoint, "files", err);
        if (rc <= 0)
            break; /* the last page, or a next page off the Hub (the token stays here) */
    }
    if (rc > 0)
        rc = 0; /* MAX_TREE_PAGES read */
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

/* Progress of a basic upload: http reports the bytes of its one request. */
struct progress_relay {
    struct hub *h;
    const struct hub_file *f;
};

static void relay_progress(uint64_t sent, uint64_t total, void *payload)
{
    struct progress_relay *pr = payload;
    struct hub_progress p = {.path = pr->f->path, .done = sent, .total = pr->f->size};
    pr->h->progress(&p, pr->h->progress_payload);
}

/* Extra headers of an action, except chunk_size and the part URLs of multipart. */
static void action_headers(struct vec *out, const cJSON *header)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, header)
    {
        if (!cJSON_IsString(item) || !strcmp(item->string, "chunk_size"))
            continue;
        struct http_header *hh = vec_push(out);
        hh->name = item->string;
        hh->value = item->valuestring;
    }
}

static int upload_basic(struct hub *h, const struct hub_file *f, const cJSON *upload,
                        struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct vec hdrs = VEC_INIT(struct http_header);
    const char *href = json_get_str(upload, "href");
    if (!href)
        return err_set(err, ERR_FAIL, "LFS batch: upload action for '%s' has no href", f->path);
    action_headers(&hdrs, cJSON_GetObjectItemCaseSensitive(upload, "header"));
    struct progress_relay pr = {.h = h, .f = f};
    /* Presigned storage URLs carry their own credentials: no bearer token goes there. */
    struct http_request req = {.method = "PUT",
                               .url = href,
                               .headers = hdrs.items,
                               .n_headers = hdrs.len,
                               .body_path = f->local,
                               .body_size = UINT64_MAX,
                               .progress = h->progress ? relay_progress : NULL,
                               .progress_payload = &pr};
    int rc = http_do(h->http, &req, &r, err);
    if (rc == 0)
        rc = http_check_status(&r, "LFS upload", err);
    if (rc < 0)
        err_prefix(err, "'%s': ", f->path);
    http_response_release(&r);
    vec_release(&hdrs);
    return rc;
}

/*
 * Multipart state for resuming: <state_dir>/<oid>.multipart holds the completion URL on its
 * first line, then one "<part> <etag>" line per part the server acknowledged. A later run whose
 * batch answer has the same completion URL skips those parts.
 */
static void state_path(struct sbuf *out, struct hub *h, const char *oid)
{
    path_join(out, h->state_dir, oid);
    sbuf_addstr(out, ".multipart");
}

static void load_parts(struct hub *h, const char *oid, const char *href, char **etags,
                       size_t nparts)
{
    if (!h->state_dir)
        return;
    struct sbuf path = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    struct err ignored = ERR_INIT;
    state_path(&path, h, oid);
    if (fs_is_file(path.buf) && sbuf_read_file(&text, path.buf, 16u << 20, &ignored) == 0) {
        char *line = text.buf;
        char *nl = strchr(line, '\n');
        if (nl && (size_t)(nl - line) == strlen(href) && !strncmp(line, href, strlen(href))) {
            for (line = nl + 1; (nl = strchr(line, '\n')); line = nl + 1) {
                *nl = '\0';
                char *sp = strchr(line, ' ');
                long part;
                if (!sp)
                    continue;
                *sp = '\0';
                if (str_to_long(line, &part) && part >= 1 && (size_t)part <= nparts && sp[1]) {
                    xfree(etags[part - 1]);
                    etags[part - 1] = xstrdup(sp + 1);
                }
            }
        }
    }
    sbuf_release(&path);
    sbuf_release(&text);
}

static void save_part(struct hub *h, const char *oid, const char *href, size_t part,
                      const char *etag, bool first)
{
    if (!h->state_dir)
        return;
    struct sbuf path = SBUF_INIT;
    struct sbuf line = SBUF_INIT;
    struct err ignored = ERR_INIT;
    fs_mkdirs(h->state_dir, 0700, &ignored);
    state_path(&path, h, oid);
    if (first) {
        sbuf_addf(&line, "%s\n", href);
        fs_write_file(path.buf, line.buf, line.len, &ignored);
        sbuf_reset(&line);
    }
    if (etag) {
        sbuf_addf(&line, "%zu %s\n", part, etag);
        fs_append_file(path.buf, line.buf, line.len, &ignored);
    }
    sbuf_release(&path);
    sbuf_release(&line);
}

static void forget_parts(struct hub *h, const char *oid)
{
    if (!h->state_dir)
        return;
    struct sbuf path = SBUF_INIT;
    state_path(&path, h, oid);
    unlink(path.buf);
    sbuf_release(&path);
}

static int lfs_verify(struct hub *h, const struct hub_file *f, const cJSON *verify, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf body = SBUF_INIT;
    const char *href = json_get_str(verify, "href");
    if (!href)
        return err_set(err, ERR_FAIL, "LFS batch: verify action for '%s' has no href", f->path);
    sbuf_addf(&body, "{\"oid\":\"%s\",\"size\":%llu}", f->oid, (unsigned long long)f->size);
    int rc = call(h, "POST", href, "application/vnd.git-lfs+json", &body, &r, err);
    if (rc == 0 && (r.status < 200 || r.status >= 300)) {
        rc = hub_status_error(&r, "LFS verify", err);
        err_prefix(err, "'%s': ", f->path);
    }
    http_response_release(&r);
    sbuf_release(&body);
    return rc;
}

/*
 * One multipart upload in progress. Its parts are sent by up to h->parallel_parts senders, each
 * with its own http client (so its own connection) and, but for the first, its own thread. A
 * sender takes the lowest part not yet taken, streams it from disk (http reads the file slice
 * with pread into libcurl's buffer: memory does not grow with part or file size), and records its
 * ETag. After a failure no new part is taken; the error kept is that of the lowest failed part.
 */
struct part_upload {
    struct hub *h;
    const struct hub_file *f;
    const cJSON *header; /* the part URLs, "00001" ... */
    const char *href;    /* the completion URL, also the key of the resume state */
    uint64_t chunk;
    size_t nparts;
    pthread_mutex_t lock; /* guards the fields below, etags, the state file and progress calls */
    char **etags;         /* [nparts] (owned); set for the parts the server has */
    size_t next;          /* the lowest part index no sender has taken */
    uint64_t done;        /* bytes of the parts the server has */
    uint64_t sending[HUB_MAX_PARALLEL_PARTS]; /* bytes sent so far of each sender's part */
    size_t failed;  /* 1-based number of the lowest failed part; 0 when none failed */
    struct err err; /* its error */
};

struct part_sender {
    struct part_upload *u;
    struct http_client *http;
    size_t slot; /* index in u->sending */
};

static uint64_t part_len(const struct part_upload *u, size_t i)
{
    uint64_t off = (uint64_t)i * u->chunk;
    return u->f->size - off < u->chunk ? u->f->size - off : u->chunk;
}

/* Reports the file's progress; u->lock held. */
static void report_parts(struct part_upload *u)
{
    uint64_t done = u->done;
    for (size_t i = 0; i < HUB_MAX_PARALLEL_PARTS; i++)
        done += u->sending[i];
    struct hub_progress p = {.path = u->f->path, .done = done, .total = u->f->size};
    u->h->progress(&p, u->h->progress_payload);
}

static void part_progress(uint64_t sent, uint64_t total, void *payload)
{
    struct part_sender *s = payload;
    pthread_mutex_lock(&s->u->lock);
    s->u->sending[s->slot] = sent;
    report_parts(s->u);
    pthread_mutex_unlock(&s->u->lock);
}

/* Sends part i (0-based); its ETag goes to etag_out (owned). */
static int send_part(struct part_sender *s, size_t i, char **etag_out, struct err *err)
{
    struct part_upload *u = s->u;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf key = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&key, "%05zu", i + 1);
    const char *part_url = json_get_str(u->header, key.buf);
    if (!part_url) {
        rc = err_set(err, ERR_FAIL, "LFS batch: no URL for part %zu of '%s'", i + 1, u->f->path);
        goto done;
    }
    struct http_request req = {.method = "PUT",
                               .url = part_url,
                               .body_path = u->f->local,
                               .body_offset = (uint64_t)i * u->chunk,
                               .body_size = part_len(u, i),
                               .progress = u->h->progress ? part_progress : NULL,
                               .progress_payload = s};
    rc = http_do(s->http, &req, &r, err);
    if (rc == 0)
        rc = http_check_status(&r, "LFS part upload", err);
    if (rc < 0) {
        err_prefix(err, "'%s' part %zu: ", u->f->path, i + 1);
        goto done;
    }
    const char *etag = http_response_header(&r, "etag");
    if (!etag) {
        rc = err_set(err, ERR_FAIL, "'%s' part %zu: the storage server sent no ETag", u->f->path,
                     i + 1);
        goto done;
    }
    *etag_out = xstrdup(etag);
done:
    http_response_release(&r);
    sbuf_release(&key);
    return rc;
}

/* A sender's loop: takes parts until none is left or one has failed. */
static void *send_parts(void *payload)
{
    struct part_sender *s = payload;
    struct part_upload *u = s->u;
    for (;;) {
        pthread_mutex_lock(&u->lock);
        while (u->next < u->nparts && u->etags[u->next])
            u->next++; /* resumed: the server has it */
        size_t i = u->next;
        bool stop = i >= u->nparts || u->failed;
        if (!stop)
            u->next++;
        pthread_mutex_unlock(&u->lock);
        if (stop)
            break;

        char *etag = NULL;
        struct err err = ERR_INIT;
        int rc = send_part(s, i, &etag, &err);

        pthread_mutex_lock(&u->lock);
        u->sending[s->slot] = 0;
        if (rc == 0) {
            u->etags[i] = etag;
            u->done += part_len(u, i);
            save_part(u->h, u->f->oid, u->href, i + 1, etag, false);
            if (u->h->progress)
                report_parts(u);
        } else if (!u->failed || i + 1 < u->failed) {
            u->failed = i + 1;
            u->err = err;
        }
        pthread_mutex_unlock(&u->lock);
    }
    return NULL;
}

/*
 * Sends every part the server lacks, from up to h->parallel_parts senders. When it lacks them
 * all, the resume state is started afresh first.
 */
static int send_missing_parts(struct part_upload *u, struct err *err)
{
    struct hub *h = u->h;
    struct part_sender senders[HUB_MAX_PARALLEL_PARTS];
    pthread_t threads[HUB_MAX_PARALLEL_PARTS];
    size_t missing = 0;
    for (size_t i = 0; i < u->nparts; i++) {
        if (u->etags[i])
            u->done += part_len(u, i);
        else
            missing++;
    }
    if (missing == u->nparts) /* nothing to resume from: start the state file afresh */
        save_part(h, u->f->oid, u->href, 0, NULL, true);
    if (h->progress) {
        pthread_mutex_lock(&u->lock);
        report_parts(u);
        pthread_mutex_unlock(&u->lock);
    }
    size_t n = missing < h->parallel_parts ? missing : h->parallel_parts;
    size_t started = 1;
    senders[0] = (struct part_sender){.u = u, .http = h->http, .slot = 0};
    for (size_t k = 1; k < n; k++) {
        struct err ignored = ERR_INIT;
        if (!h->part_http[k] && http_client_clone(&h->part_http[k], h->http, &ignored) < 0)
            break; /* fewer senders will do */
        senders[k] = (struct part_sender){.u = u, .http = h->part_http[k], .slot = k};
        if (pthread_create(&threads[k], NULL, send_parts, &senders[k]) != 0)
            break;
        started++;
    }
    if (missing)
        send_parts(&senders[0]);
    for (size_t k = 1; k < started; k++)
        pthread_join(threads[k], NULL);
    if (u->failed) {
        *err = u->err;
        return err->code;
    }
    return 0;
}

static int upload_multipart(struct hub *h, const struct hub_file *f, const cJSON *upload,
                            const cJSON *verify, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf body = SBUF_INIT;
    struct part_upload u = {.h = h, .f = f, .err = ERR_INIT};
    int rc = 0;
    pthread_mutex_init(&u.lock, NULL);
    u.href = json_get_str(upload, "href");
    u.header = cJSON_GetObjectItemCaseSensitive(upload, "header");
    const char *chunk_str = json_get_str(u.header, "chunk_size");
    long chunk = 0;
    if (!u.href || !chunk_str || !str_to_long(chunk_str, &chunk) || chunk <= 0) {
        rc = err_set(err, ERR_FAIL, "LFS batch: bad multipart action for '%s'", f->path);
        goto done;
    }
    u.chunk = (uint64_t)chunk;
    u.nparts = (size_t)((f->size + u.chunk - 1) / u.chunk);
    size_t listed = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, u.header)
    {
        long n;
        if (str_to_long(item->string, &n) && n >= 1)
            listed++;
    }
    if (listed != u.nparts) {
        rc = err_set(err, ERR_FAIL, "LFS batch: '%s' needs %zu parts of %ld bytes, got %zu URLs",
                     f->path, u.nparts, chunk, listed);
        goto done;
    }
    u.etags = xcalloc(u.nparts ? u.nparts : 1, sizeof(*u.etags));
    load_parts(h, f->oid, u.href, u.etags, u.nparts);
    rc = send_missing_parts(&u, err);
    if (rc < 0)
        goto done;

    /* Completion: {"oid": ..., "parts": [{"partNumber": 1, "etag": ...}, ...]}, in part order. */
    sbuf_addf(&body, "{\"oid\":\"%s\",\"parts\":[", f->oid);
    for (size_t i = 0; i < u.nparts; i++) {
        sbuf_addf(&body, "%s{\"partNumber\":%zu,\"etag\":\"", i ? "," : "", i + 1);
        sbuf_add_json_escaped(&body, u.etags[i], strlen(u.etags[i]));
        sbuf_addstr(&body, "\"}");
    }
    sbuf_addstr(&body, "]}");
    rc = call(h, "POST", u.href, "application/vnd.git-lfs+json", &body, &r, err);
    if (rc == 0 && (r.status < 200 || r.status >= 300) && verify) {
        /* A completion can fail only because an earlier attempt completed and its answer was
         * lost (our retry, or libcurl's own resend on a reused connection that died): if the
         * server now has the object, the upload is done. */
        struct err e2 = ERR_INIT;
        if (lfs_verify(h, f, verify, &e2) == 0) {
            forget_parts(h, f->oid);
            goto done;
        }
    }
    if (rc == 0 && (r.status < 200 || r.status >= 300)) {
        rc = hub_status_error(&r, "LFS multipart completion", err);
        /* The server refused the parts we listed (it may have expired the upload): start afresh
         * next time rather than resuming from the same saved ETags forever. */
        forget_parts(h, f->oid);
    }
    if (rc < 0) {
        err_prefix(err, "'%s': ", f->path);
        goto done;
    }
    forget_parts(h, f->oid);
done:
    for (size_t i = 0; u.etags && i < u.nparts; i++)
        xfree(u.etags[i]);
    xfree(u.etags);
    pthread_mutex_destroy(&u.lock);
    http_response_release(&r);
    sbuf_release(&body);
    return rc;
}

static const struct hub_file *find_oid(struct hub_file *const *files, size_t n, const char *oid)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(files[i]->oid, oid))
            return files[i];
    }
    return NULL;
}

static int batch_chunk(struct hub *h, const struct hub_repo *repo, const char *rev,
                       struct hub_file *const *files, size_t n, size_t *n_sent, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    cJSON *j = NULL;
    sbuf_addf(&url, "%s/%s%s.git/info/lfs/objects/batch", h->endpoint, hub_url_prefix(repo->type),
              repo->id);
    sbuf_addstr(&body, "{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],"
                       "\"objects\":[");
    for (size_t i = 0; i < n; i++)
        sbuf_addf(&body, "%s{\"oid\":\"%s\",\"size\":%llu}", i ? "," : "", files[i]->oid,
                  (unsigned long long)files[i]->size);
    sbuf_addstr(&body, "],\"hash_algo\":\"sha256\",\"ref\":{\"name\":\"");
    sbuf_add_json_escaped(&body, rev, strlen(rev));
    sbuf_addstr(&body, "\"}}");
    int rc = call(h, "POST", url.buf, "application/vnd.git-lfs+json", &body, &r, err);
    if (rc < 0)
        goto done;
    if (r.status != 200) {
        rc = hub_status_error(&r, "LFS batch", err);
        goto done;
    }
    rc = parse_json(&j, &r, "LFS batch", err);
    if (rc < 0)
        goto done;
    const cJSON *obj;
    cJSON_ArrayForEach(obj, cJSON_GetObjectItemCaseSensitive(j, "objects"))
    {
        const char *oid = json_get_str(obj, "oid");
        const struct hub_file *f = oid ? find_oid(files, n, oid) : NULL;
        if (!f)
            continue;
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, "error");
        if (e) {
            const char *msg = json_get_str(e, "message");
            rc = err_set(err, ERR_FAIL, "LFS batch refused '%s': %s", f->path,
                         msg ? msg : "no message");
            goto done;
        }
        const cJSON *actions = cJSON_GetObjectItemCaseSensitive(obj, "actions");
        const cJSON *upload = cJSON_GetObjectItemCaseSensitive(actions, "upload");
        if (!upload)
            continue; /* the server already has these bytes */
        const cJSON *header = cJSON_GetObjectItemCaseSensitive(upload, "header");
        if (cJSON_GetObjectItemCaseSensitive(header, "chunk_size")) {
            rc = upload_multipart(h, f, upload, cJSON_GetObjectItemCaseSensitive(actions, "verify"),
                                  err);
        } else {
            rc = upload_basic(h, f, upload, err);
        }
        if (rc < 0)
            goto done;
        const cJSON *verify = cJSON_GetObjectItemCaseSensitive(actions, "verify");
        if (verify) {
            rc = lfs_verify(h, f, verify, err);
            if (rc < 0)
                goto done;
        }
        (*n_sent)++;
    }
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    sbuf_release(&body);
    return rc;
}

static int remote_upload_lfs(struct hub *h, const struct hub_repo *repo, const char *rev,
                             struct hub_file *const *files, size_t n, size_t *n_sent,
                             struct err *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += LFS_BATCH_CHUNK)
        rc = batch_chunk(h, repo, rev, files + i, n - i < LFS_BATCH_CHUNK ? n - i : LFS_BATCH_CHUNK,
                         n_sent, err);
    return rc;
}

static void add_path_value(struct sbuf *b, const char *key, const char *path)
{
    sbuf_addf(b, "{\"key\":\"%s\",\"value\":{\"path\":\"", key);
    sbuf_add_json_escaped(b, path, strlen(path));
    sbuf_addch(b, '"');
}

static int remote_commit(struct hub *h, const struct hub_repo *repo, const char *rev,
                         struct hub_commit *c, struct hub_upload_result *res, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    struct sbuf content = SBUF_INIT;
    cJSON *j = NULL;
    int rc = 0;

    sbuf_addstr(&body, "{\"key\":\"header\",\"value\":{\"summary\":\"");
    sbuf_add_json_escaped(&body, c->summary, strlen(c->summary));
    sbuf_addstr(&body, "\",\"description\":\"");
    if (c->description)
        sbuf_add_json_escaped(&body, c->description, strlen(c->description));
    sbuf_addch(&body, '"');
    if (c->parent)
        sbuf_addf(&body, ",\"parentCommit\":\"%s\"", c->parent);
    sbuf_addstr(&body, "}}\n");
    vec_foreach (struct hub_op, op, &c->ops) {
        if (op->kind == HUB_OP_DELETE_FILE) {
            add_path_value(&body, "deletedFile", op->path);
            sbuf_addstr(&body, "}}\n");
        } else if (op->kind == HUB_OP_DELETE_FOLDER) {
            add_path_value(&body, "deletedFolder", op->path);
            sbuf_addstr(&body, "}}\n");
        } else if (op->file->is_lfs) {
            add_path_value(&body, "lfsFile", op->file->path);
            sbuf_addf(&body, ",\"algo\":\"sha256\",\"oid\":\"%s\",\"size\":%llu}}\n", op->file->oid,
                      (unsigned long long)op->file->size);
        } else {
            sbuf_reset(&content);
            rc = sbuf_read_file(&content, op->file->local, (size_t)1 << 30, err);
            if (rc < 0)
                goto done;
            if (content.len != op->file->size) {
                rc = err_set(err, ERR_IO, "'%s' changed while being uploaded", op->file->local);
                goto done;
            }
            add_path_value(&body, "file", op->file->path);
            sbuf_addstr(&body, ",\"encoding\":\"base64\",\"content\":\"");
            base64_encode(&body, content.buf, content.len);
            sbuf_addstr(&body, "\"}}\n");
        }
    }
    api_url(&url, h, repo, "commit", rev);
    rc = call(h, "POST", url.buf, "application/x-ndjson", &body, &r, err);
    if (rc < 0)
        goto done;
    if (r.status == 412 && r.attempts > 1) {
        /* The commit was retried: an earlier attempt may have landed and lost its answer. */
        struct sbuf tip = SBUF_INIT;
        struct err e2 = ERR_INIT;
        remote_revision(h, repo, rev, &tip, &e2);
        rc = err_set(err, ERR_FAIL,
                     "commit: HTTP 412 on a retry: an earlier attempt whose answer was lost may "
                     "have committed; '%s' is now at %s",
                     rev, tip.len ? tip.buf : "an unknown commit");
        sbuf_release(&tip);
        goto done;
    }
    if (r.status == 412) {
        rc = hub_status_error(&r, "commit", err);
        err_prefix(err, "'%s' moved while uploading (parent commit mismatch): ", rev);
        c->moved = true;
        goto done;
    }
    if (r.status < 200 || r.status >= 300) {
        rc = hub_status_error(&r, "commit", err);
        goto done;
    }
    rc = parse_json(&j, &r, "commit", err);
    if (rc < 0)
        goto done;
    const char *oid = json_get_str(j, "commitOid");
    const char *curl = json_get_str(j, "commitUrl");
    if (!oid) {
        rc = err_set(err, ERR_FAIL, "commit: the Hub's answer has no 'commitOid'");
        goto done;
    }
    sbuf_addstr(&res->commit_oid, oid);
    if (curl)
        sbuf_addstr(&res->commit_url, curl);
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    sbuf_release(&body);
    sbuf_release(&content);
    return rc;
}

int hub_space_runtime(struct hub *h, const char *space_id, struct sbuf *stage_out, struct err *err)
{
    if (!h->http)
        return err_set(err, ERR_INVALID, "a file:// hub runs no Spaces");
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    cJSON *j = NULL;
    sbuf_addf(&url, "%s/api/spaces/%s/runtime", h->endpoint, space_id);
    int rc = call(h, "GET", url.buf, NULL, NULL, &r, err);
    if (rc < 0)
        goto done;
    if (r.status != 200) {
        rc = hub_status_error(&r, "space runtime", err);
        goto done;
    }
    rc = parse_json(&j, &r, "space runtime", err);
    if (rc < 0)
        goto done;
    const char *stage = json_get_str(j, "stage");
    sbuf_addstr(stage_out, stage ? stage : "UNKNOWN");
done:
    cJSON_Delete(j);
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

int hub_space_restart(struct hub *h, const char *space_id, bool factory, struct err *err)
{
    if (!h->http)
        return err_set(err, ERR_INVALID, "a file:// hub runs no Spaces");
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf url = SBUF_INIT;
    sbuf_addf(&url, "%s/api/spaces/%s/restart%s", h->endpoint, space_id,
              factory ? "?factory=true" : "");
    int rc = call(h, "POST", url.buf, NULL, NULL, &r, err);
    if (rc == 0 && (r.status < 200 || r.status >= 300))
        rc = hub_status_error(&r, "space restart", err);
    http_response_release(&r);
    sbuf_release(&url);
    return rc;
}

const struct hub_backend hub_remote_backend = {
    .whoami = remote_whoami,
    .create_repo = remote_create_repo,
    .revision = remote_revision,
    .create_branch = remote_create_branch,
    .create_tag = remote_create_tag,
    .tag_commit = remote_tag_commit,
    .preupload = remote_preupload,
    .list_files = remote_list_files,
    .upload_lfs = remote_upload_lfs,
    .commit = remote_commit,
};
