#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/str.h"
#include "util/xalloc.h"

struct http_client {
    CURL *easy; /* one handle, reset per request, so live connections are reused */
    char *user_agent;
    unsigned connect_timeout_ms;
    unsigned stall_timeout_ms;
    struct http_retry retry;
    struct http_clock clock;
};

static uint64_t real_now_ms(void *payload)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void real_sleep_ms(uint64_t ms, void *payload)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static struct http_retry retry_with_defaults(struct http_retry r)
{
    if (!r.max_attempts)
        r.max_attempts = 5;
    if (!r.base_delay_ms)
        r.base_delay_ms = 500;
    if (!r.max_delay_ms)
        r.max_delay_ms = 30000;
    if (!r.max_retry_after_ms)
        r.max_retry_after_ms = 120000;
    return r;
}

int http_client_new(struct http_client **out, const struct http_client_opts *opts, struct err *err)
{
    static const struct http_client_opts no_opts = {0};
    if (!opts)
        opts = &no_opts;
    /* libcurl counts init/cleanup pairs; each client holds one. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(err, ERR_FAIL, "cannot initialise libcurl");
    CURL *easy = curl_easy_init();
    if (!easy) {
        curl_global_cleanup();
        return err_set(err, ERR_FAIL, "cannot create a libcurl handle");
    }
    struct http_client *c = xcalloc(1, sizeof(*c));
    c->easy = easy;
    c->user_agent = xstrdup(opts->user_agent ? opts->user_agent : "runnel/" RUNNEL_VERSION);
    c->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms : 30000;
    c->stall_timeout_ms = opts->stall_timeout_ms ? opts->stall_timeout_ms : 60000;
    c->retry = retry_with_defaults(opts->retry);
    if (opts->clock) {
        c->clock = *opts->clock;
    } else {
        c->clock = (struct http_clock){.now_ms = real_now_ms, .sleep_ms = real_sleep_ms};
    }
    *out = c;
    return 0;
}

int http_client_clone(struct http_client **out, const struct http_client *c, struct err *err)
{
    struct http_client_opts opts = {.user_agent = c->user_agent,
                                    .connect_timeout_ms = c->connect_timeout_ms,
                                    .stall_timeout_ms = c->stall_timeout_ms,
                                    .retry = c->retry,
                                    .clock = &c->clock};
    return http_client_new(out, &opts, err);
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->easy);
    xfree(c->user_agent);
    xfree(c);
    curl_global_cleanup();
}

static void headers_clear(struct vec *headers)
{
    vec_foreach (struct http_response_header, h, headers) {
        xfree(h->name);
        xfree(h->value);
    }
    vec_clear(headers);
}

void http_response_release(struct http_response *resp)
{
    sbuf_release(&resp->body);
    headers_clear(&resp->headers);
    vec_release(&resp->headers);
    resp->status = 0;
    resp->attempts = 0;
    resp->waited_ms = 0;
}

const char *http_response_header(const struct http_response *resp, const char *name)
{
    vec_foreach (struct http_response_header, h, &resp->headers) {
        if (!str_casecmp(h->name, name))
            return h->value;
    }
    return NULL;
}

/* State shared with the libcurl callbacks during one attempt. */
struct transfer {
    const struct http_request *req;
    struct http_response *resp;
    /* request body */
    int in_fd;
    uint64_t body_size;
    uint64_t body_pos;
    bool read_failed;
    int read_errno;
    /* response body */
    int out_fd;
    size_t max_response;
    uint64_t received;
    bool too_big;
    bool write_failed;
    int write_errno;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct transfer *t = userdata;
    size_t room = size * nitems;
    uint64_t left = t->body_size - t->body_pos;
    size_t n = left < room ? (size_t)left : room;
    if (!n)
        return 0;
    if (t->in_fd < 0) {
        memcpy(buf, (const char *)t->req->body + t->body_pos, n);
        t->body_pos += n;
        return n;
    }
    ssize_t got;
    do {
        got = pread(t->in_fd, buf, n, (off_t)(t->req->body_offset + t->body_pos));
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        /* A file that shrank under us is as bad as a read error: the size was promised. */
        t->read_failed = true;
        t->read_errno = got < 0 ? errno : 0;
        return CURL_READFUNC_ABORT;
    }
    t->body_pos += (uint64_t)got;
    return (size_t)got;
}

static int seek_cb(void *userdata, curl_off_t offset, int origin)
{
    struct transfer *t = userdata;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > t->body_size)
        return CURL_SEEKFUNC_CANTSEEK;
    t->body_pos = (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nmemb;
    if (t->received + n > t->max_response) {
        t->too_big = true;
        return 0;
    }
    t->received += n;
    if (t->out_fd < 0) {
        sbuf_add(&t->resp->body, data, n);
        return n;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(t->out_fd, data + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            t->write_failed = true;
            t->write_errno = errno;
            return 0;
        }
        done += (size_t)w;
    }
    return n;
}

static size_t header_cb(char *data, size_t size, size_t nitems, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nitems;
    struct str line = str_trim(str_make(data, n));
    /* A new status line starts a new response (100 Continue, redirects): keep only the last. */
    if (str_starts_with(line, "HTTP/")) {
        headers_clear(&t->resp->headers);
        return n;
    }
    const char *colon = memchr(line.p, ':', line.len);
    if (!colon)
        return n;
    struct http_response_header *h = vec_push(&t->resp->headers);
    h->name = str_dup(str_trim(str_make(line.p, (size_t)(colon - line.p))));
    h->value = str_dup(str_trim(str_make(colon + 1, line.len - (size_t)(colon + 1 - line.p))));
    return n;
}

static int progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct transfer *t = userdata;
    if (t->req->progress)
        t->req->progress((uint64_t)ulnow, (uint64_t)ultotal, t->req->progress_payload);
    return 0;
}

/* The URL without its query string and fragment: presigned URLs carry credentials there. */
static void add_safe_url(struct sbuf *out, const char *url)
{
    size_t n = strcspn(url, "?#");
    sbuf_add(out, url, n);
}

static bool status_is_retryable(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status < 600);
}

static bool curl_code_is_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static bool method_is(const char *method, const char *m)
{
    return !strcmp(method, m);
}

/* One attempt. Returns the CURLcode; fills resp->status. */
static CURLcode attempt_once(struct http_client *c, struct transfer *t, char *errbuf)
{
    const struct http_request *req = t->req;
    const char *method = req->method ? req->method : "GET";
    CURL *h = c->easy;
    struct curl_slist *hdrs = NULL;
    struct sbuf line = SBUF_INIT;

    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)((c->stall_timeout_ms + 999) / 1000));
    if (req->timeout_ms)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (req->progress) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
    }

    /* No "Expect: 100-continue" round trip before bodies. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (req->bearer_token) {
        sbuf_addf(&line, "Authorization: Bearer %s", req->bearer_token);
        hdrs = curl_slist_append(hdrs, line.buf);
        sbuf_reset(&line);
    }
    if (req->content_type) {
        sbuf_addf(&line, "Content-Type: %s", req->content_type);
        hdrs = curl_slist_append(hdrs, line.buf);
        sbuf_reset(&line);
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        sbuf_addf(&line, "%s: %s", req->headers[i].name, req->headers[i].value);
        hdrs = curl_slist_append(hdrs, line.buf);
        sbuf_reset(&line);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    bool has_body = req->body_path || req->body;
    if (has_body || method_is(method, "POST") || method_is(method, "PUT") ||
        method_is(method, "PATCH")) {
        t->body_pos = 0;
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(h, CURLOPT_READDATA, t);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, t);
        if (method_is(method, "PUT")) {
            curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->body_size);
        } else {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_size);
            if (!method_is(method, "POST"))
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (method_is(method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!method_is(method, "GET")) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    errbuf[0] = '\0';
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    t->resp->status = status;
    /* Detach our slist before freeing it so the reused handle holds no dangling pointer. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    sbuf_release(&line);
    return cc;
}

bool http_parse_retry_after(const char *value, int64_t now_unix, uint64_t *ms_out)
{
    if (!value)
        return false;
    struct str v = str_trim(str_from(value));
    if (!v.len)
        return false;
    char *copy = str_dup(v);
    bool ok = false;
    long secs;
    if (str_to_long(copy, &secs)) {
        if (secs >= 0) {
            *ms_out = (uint64_t)secs * 1000u;
            ok = true;
        }
    } else {
        time_t when = curl_getdate(copy, NULL);
        if (when != (time_t)-1) {
            int64_t delta = (int64_t)when - now_unix;
            *ms_out = delta > 0 ? (uint64_t)delta * 1000u : 0;
            ok = true;
        }
    }
    xfree(copy);
    return ok;
}

static uint64_t backoff_ms(const struct http_retry *r, unsigned attempt)
{
    uint64_t d = r->base_delay_ms;
    for (unsigned i = 1; i < attempt && d < r->max_delay_ms; i++)
        d *= 2;
    return d < r->max_delay_ms ? d : r->max_delay_ms;
}

static int open_body(struct transfer *t, const struct http_request *req, struct err *err)
{
    if (req->body_path) {
        t->in_fd = open(req->body_path, O_RDONLY | O_CLOEXEC);
        if (t->in_fd < 0)
            return err_errno(err, "cannot open '%s'", req->body_path);
        off_t end = lseek(t->in_fd, 0, SEEK_END);
        if (end < 0)
            return err_errno(err, "cannot seek '%s'", req->body_path);
        if (req->body_offset > (uint64_t)end)
            return err_set(err, ERR_INVALID, "offset %llu is past the end of '%s'",
                           (unsigned long long)req->body_offset, req->body_path);
        uint64_t avail = (uint64_t)end - req->body_offset;
        if (req->body_size == UINT64_MAX) {
            t->body_size = avail;
        } else if (req->body_size > avail) {
            return err_set(err, ERR_INVALID, "'%s' is shorter than the %llu bytes to send",
                           req->body_path, (unsigned long long)req->body_size);
        } else {
            t->body_size = req->body_size;
        }
    } else {
        t->body_size = req->body ? req->body_len : 0;
    }
    return 0;
}

int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp,
            struct err *err)
{
    struct transfer t = {.req = req, .resp = resp, .in_fd = -1, .out_fd = -1};
    struct sbuf where = SBUF_INIT;
    char errbuf[CURL_ERROR_SIZE];
    int rc = 0;

    http_response_release(resp);
    sbuf_addf(&where, "%s ", req->method ? req->method : "GET");
    add_safe_url(&where, req->url);
    if (req->body && req->body_path) {
        rc = err_set(err, ERR_INVALID, "'%s': both a memory and a file body", where.buf);
        goto done;
    }
    rc = open_body(&t, req, err);
    if (rc < 0)
        goto done;
    t.max_response = req->max_response ? req->max_response : HTTP_MAX_BODY_DEFAULT;
    struct http_retry policy = req->retry ? retry_with_defaults(*req->retry) : c->retry;

    for (unsigned attempt = 1;; attempt++) {
        sbuf_reset(&resp->body);
        headers_clear(&resp->headers);
        resp->status = 0;
        resp->attempts = attempt;
        t.received = 0;
        t.too_big = t.read_failed = t.write_failed = false;
        if (req->response_path) {
            if (t.out_fd >= 0)
                close(t.out_fd);
            t.out_fd = open(req->response_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (t.out_fd < 0) {
                rc = err_errno(err, "cannot create '%s'", req->response_path);
                goto done;
            }
        }

        CURLcode cc = attempt_once(c, &t, errbuf);
        if (t.too_big) {
            rc = err_set(err, ERR_INVALID, "'%s': response exceeds %zu bytes", where.buf,
                         t.max_response);
            goto done;
        }
        if (t.read_failed) {
            errno = t.read_errno;
            rc = t.read_errno
                     ? err_errno(err, "cannot read '%s'", req->body_path)
                     : err_set(err, ERR_IO, "'%s' shrank while being sent", req->body_path);
            goto done;
        }
        if (t.write_failed) {
            errno = t.write_errno;
            rc = err_errno(err, "cannot write '%s'", req->response_path);
            goto done;
        }

        bool last = attempt >= policy.max_attempts;
        uint64_t delay = backoff_ms(&policy, attempt);
        if (cc == CURLE_OK) {
            if (!status_is_retryable(resp->status) || last)
                goto done;
            uint64_t ra;
            if (http_parse_retry_after(http_response_header(resp, "retry-after"),
                                       (int64_t)time(NULL), &ra)) {
                if (ra > policy.max_retry_after_ms)
                    goto done; /* the caller reports the status; waiting that long is not ours */
                delay = ra;
            }
        } else if (!curl_code_is_retryable(cc) || last) {
            rc = err_set(err, ERR_IO, "'%s': %s%s", where.buf,
                         errbuf[0] ? errbuf : curl_easy_strerror(cc),
                         attempt > 1 ? " (after retries)" : "");
            goto done;
        }
        c->clock.sleep_ms(delay, c->clock.payload);
        resp->waited_ms += delay;
    }

done:
    if (t.in_fd >= 0)
        close(t.in_fd);
    if (t.out_fd >= 0)
        close(t.out_fd);
    sbuf_release(&where);
    return rc;
}

int http_check_status(const struct http_response *resp, const char *what, struct err *err)
{
    if (resp->status >= 200 && resp->status < 300)
        return 0;
    struct sbuf excerpt = SBUF_INIT;
    for (size_t i = 0; i < resp->body.len && excerpt.len < 200; i++) {
        unsigned char ch = (unsigned char)resp->body.buf[i];
        if (ch == '\n' || ch == '\r')
            break;
        sbuf_addch(&excerpt, ch < 0x20 || ch == 0x7f ? '?' : ch);
    }
    if (excerpt.len) {
        err_set(err, ERR_FAIL, "'%s': HTTP %ld: %s", what, resp->status, excerpt.buf);
    } else {
        err_set(err, ERR_FAIL, "'%s': HTTP %ld", what, resp->status);
    }
    sbuf_release(&excerpt);
    return ERR_FAIL;
}

/* True when url is base or lies under it (base followed by '/' or '?'). */
static bool url_under(const char *url, const char *base)
{
    size_t n = strlen(base);
    return strncmp(url, base, n) == 0 && (url[n] == '\0' || url[n] == '/' || url[n] == '?');
}

int http_next_link(struct sbuf *out, const struct http_response *resp, const char *base,
                   const char *what, struct err *err)
{
    const char *p = http_response_header(resp, "link");
    while (p && (p = strchr(p, '<'))) {
        const char *gt = strchr(p, '>');
        if (!gt)
            return 0;
        /* This link's parameters run from its '>' to the next ',' (or the end). */
        const char *comma = strchr(gt, ',');
        const char *rel = strstr(gt, "rel=\"next\"");
        if (rel && (!comma || rel < comma)) {
            size_t at = out->len;
            sbuf_add(out, p + 1, (size_t)(gt - p - 1));
            if (!url_under(out->buf + at, base)) {
                sbuf_setlen(out, at);
                return err_set(err, ERR_FAIL, "the next page of %s is not under '%s'", what, base);
            }
            return 1;
        }
        p = comma;
    }
    return 0;
}

void http_url_escape(struct sbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            sbuf_addch(out, ch);
        } else {
            sbuf_addch(out, '%');
            sbuf_addch(out, hex[ch >> 4]);
            sbuf_addch(out, hex[ch & 15]);
        }
    }
}
