#include "publish_lfs.h"

#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http/http.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/sbuf.h"
#include "util/str.h"

#define LFS_MEDIA "application/vnd.git-lfs+json"
#define LFS_MAX_JSON (1u << 20)
#define LFS_MAX_HEADERS 16

/* "https://x-access-token:T@host/o/r" -> "https://host/o/r" and the credentials it carried. */
static void split_url(struct sbuf *clean, struct sbuf *userinfo, const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (scheme && at && (!slash || at < slash)) {
        sbuf_add(clean, url, (size_t)(host - url));
        sbuf_addstr(clean, at + 1);
        sbuf_add(userinfo, host, (size_t)(at - host));
    } else {
        sbuf_addstr(clean, url);
    }
}

/* git-lfs's default endpoint: <url>/info/lfs when url ends in .git, else <url>.git/info/lfs. */
static void endpoint(struct sbuf *out, const char *clean_url)
{
    sbuf_addstr(out, clean_url);
    while (out->len && out->buf[out->len - 1] == '/')
        sbuf_setlen(out, out->len - 1);
    if (!sbuf_ends_with(out, ".git"))
        sbuf_addstr(out, ".git");
    sbuf_addstr(out, "/info/lfs");
}

/* "Basic base64(user:token)", with user x-access-token unless the token says "user:token". */
static void basic_auth(struct sbuf *out, const char *token, const char *userinfo)
{
    struct sbuf cred = SBUF_INIT;
    if (token && strchr(token, ':'))
        sbuf_addstr(&cred, token);
    else if (token)
        sbuf_addf(&cred, "x-access-token:%s", token);
    else
        sbuf_addstr(&cred, userinfo);
    sbuf_addstr(out, "Basic ");
    base64_encode(out, cred.buf, cred.len);
    sbuf_release(&cred);
}

static int upload_action(struct publish_lfs *l, const struct repo_lfs_object *obj,
                         const cJSON *action, struct err *err)
{
    const char *href = json_get_str(action, "href");
    if (!href)
        return err_set(err, ERR_INVALID, "LFS batch answer has an upload action without href");
    struct http_header headers[LFS_MAX_HEADERS];
    size_t n = 0;
    const cJSON *hdrs = cJSON_GetObjectItemCaseSensitive(action, "header");
    for (const cJSON *h = hdrs ? hdrs->child : NULL; h && n < LFS_MAX_HEADERS; h = h->next) {
        if (cJSON_IsString(h) && h->string)
            headers[n++] = (struct http_header){.name = h->string, .value = h->valuestring};
    }
    struct http_response resp = HTTP_RESPONSE_INIT;
    int rc = http_do(l->client,
                     &(struct http_request){.method = "PUT",
                                            .url = href,
                                            .headers = headers,
                                            .n_headers = n,
                                            .content_type = "application/octet-stream",
                                            .body_path = obj->path,
                                            .body_size = obj->size},
                     &resp, err);
    if (!rc)
        rc = http_check_status(&resp, "LFS upload", err);
    http_response_release(&resp);
    return rc;
}

int publish_lfs_upload(const struct repo_lfs_object *obj, const char *url, const char *token,
                       void *payload, struct err *err)
{
    struct publish_lfs *l = payload;
    struct sbuf clean = SBUF_INIT;
    struct sbuf userinfo = SBUF_INIT;
    struct sbuf batch = SBUF_INIT;
    struct sbuf auth = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    struct http_response resp = HTTP_RESPONSE_INIT;
    cJSON *root = NULL;
    int rc = 0;

    if (!l->client) {
        rc = http_client_new(&l->client, NULL, err);
        if (rc)
            goto done;
    }
    split_url(&clean, &userinfo, url);
    endpoint(&batch, clean.buf);
    sbuf_addstr(&batch, "/objects/batch");
    sbuf_addf(&body,
              "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"hash_algo\":\"sha256\","
              "\"objects\":[{\"oid\":\"%s\",\"size\":%llu}]}",
              obj->oid, (unsigned long long)obj->size);
    struct http_header headers[2] = {{.name = "Accept", .value = LFS_MEDIA}};
    size_t nh = 1;
    if (token || userinfo.len) {
        basic_auth(&auth, token, userinfo.buf);
        headers[nh++] = (struct http_header){.name = "Authorization", .value = auth.buf};
    }
    rc = http_do(l->client,
                 &(struct http_request){.method = "POST",
                                        .url = batch.buf,
                                        .headers = headers,
                                        .n_headers = nh,
                                        .content_type = LFS_MEDIA,
                                        .body = body.buf,
                                        .body_len = body.len,
                                        .max_response = LFS_MAX_JSON},
                 &resp, err);
    if (rc)
        goto done;
    if (resp.status == 404 || resp.status == 405 || resp.status == 501) {
        rc = err_set(err, ERR_INVALID,
                     "'%s' has no Git LFS endpoint (the batch API answered HTTP %ld); the file is "
                     "%llu bytes, over the large-file threshold, and is not published",
                     clean.buf, resp.status, (unsigned long long)obj->size);
        goto done;
    }
    if (resp.status == 401 || resp.status == 403) {
        rc = err_set(err, ERR_FAIL, "LFS authentication failed at '%s' (HTTP %ld)", clean.buf,
                     resp.status);
        goto done;
    }
    rc = http_check_status(&resp, "LFS batch", err);
    if (rc)
        goto done;
    rc = json_parse(&root, resp.body.buf, resp.body.len, err);
    if (rc) {
        err_prefix(err, "LFS batch answer: ");
        goto done;
    }
    const cJSON *objects = cJSON_GetObjectItemCaseSensitive(root, "objects");
    const cJSON *o = cJSON_IsArray(objects) ? cJSON_GetArrayItem(objects, 0) : NULL;
    if (!o) {
        rc = err_set(err, ERR_INVALID, "LFS batch answer has no objects");
        goto done;
    }
    const cJSON *oerr = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (oerr) {
        const char *m = json_get_str(oerr, "message");
        rc = err_set(err, ERR_FAIL, "LFS server refused the object: %s", m ? m : "no message");
        goto done;
    }
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(o, "actions");
    const cJSON *upload = actions ? cJSON_GetObjectItemCaseSensitive(actions, "upload") : NULL;
    if (!upload)
        goto done; /* the server has it already */
    rc = upload_action(l, obj, upload, err);
    if (rc)
        goto done;
    const cJSON *verify = cJSON_GetObjectItemCaseSensitive(actions, "verify");
    const char *vhref = verify ? json_get_str(verify, "href") : NULL;
    if (vhref) {
        struct http_header vh[LFS_MAX_HEADERS + 1] = {{.name = "Accept", .value = LFS_MEDIA}};
        size_t n = 1;
        const cJSON *hdrs = cJSON_GetObjectItemCaseSensitive(verify, "header");
        for (const cJSON *h = hdrs ? hdrs->child : NULL; h && n <= LFS_MAX_HEADERS; h = h->next) {
            if (cJSON_IsString(h) && h->string)
                vh[n++] = (struct http_header){.name = h->string, .value = h->valuestring};
        }
        sbuf_reset(&body);
        sbuf_addf(&body, "{\"oid\":\"%s\",\"size\":%llu}", obj->oid, (unsigned long long)obj->size);
        http_response_release(&resp);
        rc = http_do(l->client,
                     &(struct http_request){.method = "POST",
                                            .url = vhref,
                                            .headers = vh,
                                            .n_headers = n,
                                            .content_type = LFS_MEDIA,
                                            .body = body.buf,
                                            .body_len = body.len},
                     &resp, err);
        if (!rc)
            rc = http_check_status(&resp, "LFS verify", err);
    }
done:
    cJSON_Delete(root);
    http_response_release(&resp);
    sbuf_release(&clean);
    sbuf_release(&userinfo);
    sbuf_release(&batch);
    sbuf_release(&auth);
    sbuf_release(&body);
    return rc;
}

void publish_lfs_release(struct publish_lfs *l)
{
    http_client_free(l->client);
    l->client = NULL;
}
