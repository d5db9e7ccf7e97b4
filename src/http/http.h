#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

/*
 * http: the project's one HTTP client, a thin wrapper over libcurl (the only module that includes
 * curl.h). It adds what every caller (GitHub REST, the Hugging Face Hub, dispatchers) needs:
 *   - retries with exponential backoff on 429, 5xx (except 501) and dropped or refused
 *     connections, honouring Retry-After (seconds or an HTTP date), under an attempts budget;
 *   - request bodies from memory or streamed from a slice of a file (never read whole);
 *   - responses into an sbuf under a maximum size (curl's "toobig" rule) or streamed to a file;
 *   - a bearer token that is sent but never appears in an error message (URLs in messages lose
 *     their query string, which for presigned URLs carries credentials);
 *   - connect and stall timeouts; a clock/sleep seam so tests check backoff without sleeping.
 *
 * Lifecycle:
 *   1. struct http_client *c; http_client_new(&c, &(struct http_client_opts){...}, err);
 *      one client per thread; it reuses connections between requests (http_client_clone makes
 *      another with the same settings for a second thread)
 *   2. struct http_response r = HTTP_RESPONSE_INIT;
 *      http_do(c, &(struct http_request){.method = "POST", .url = u, ...}, &r, err);
 *      returns 0 when a response arrived (any status: the caller judges r.status; see
 *      http_check_status), or a negative err_code when no response could be had after retries
 *   3. read r.status, r.body, http_response_header(&r, "etag")
 *   4. http_response_release(&r) (also before reusing r for another request)
 *   5. http_client_free(c)
 *
 * Ownership: everything in struct http_request is borrowed for the duration of http_do().
 * The response owns its body and headers until http_response_release().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"

/* The default cap on a response body read into memory (8 MiB). */
#define HTTP_MAX_BODY_DEFAULT (8u << 20)

/* The test seam: where time comes from and how waiting happens. Both in milliseconds. */
struct http_clock {
    uint64_t (*now_ms)(void *payload); /* monotonic milliseconds */
    void (*sleep_ms)(uint64_t ms, void *payload);
    void *payload;
};

/*
 * When to try again. Zero fields take the defaults shown. An attempt is retried when it got
 * 429, 500, 502, 503, 504 (and any other 5xx but 501), or a transport error (refused, reset,
 * timed out, empty reply). The wait before retry n (1-based) is base_delay_ms * 2^(n-1) capped at
 * max_delay_ms, or Retry-After when the response carried one (capped at max_retry_after_ms).
 */
struct http_retry {
    unsigned max_attempts;       /* total attempts including the first; default 5; 1 = no retry */
    unsigned base_delay_ms;      /* default 500 */
    unsigned max_delay_ms;       /* default 30000 */
    unsigned max_retry_after_ms; /* default 120000; a longer Retry-After fails at once */
};

struct http_client_opts {
    const char *user_agent;         /* default "runnel/<version>" */
    unsigned connect_timeout_ms;    /* default 30000 */
    unsigned stall_timeout_ms;      /* abort an attempt that moves no byte for this long; 60000 */
    struct http_retry retry;        /* the default policy for every request */
    const struct http_clock *clock; /* NULL: the real monotonic clock and nanosleep */
};

struct http_header {
    const char *name;
    const char *value;
};

/* Called while a body is being sent; totals in bytes (total 0 when unknown). */
typedef void (*http_progress_fn)(uint64_t sent, uint64_t total, void *payload);

struct http_request {
    const char *method; /* "GET" when NULL */
    const char *url;
    const struct http_header *headers; /* extra headers, n_headers of them */
    size_t n_headers;
    const char *bearer_token; /* sent as "Authorization: Bearer ..."; never in messages */
    const char *content_type; /* Content-Type of the body, when there is one */

    /* The body: at most one of memory (body, body_len) or a file slice (body_path). */
    const void *body;
    size_t body_len;
    const char *body_path;
    uint64_t body_offset; /* first byte of the slice */
    uint64_t body_size;   /* bytes of the slice; UINT64_MAX = to the end of the file */

    /* The response body goes to response_path (created/truncated) when set, else into memory. */
    const char *response_path;
    size_t
        max_response; /* cap for either; 0 = HTTP_MAX_BODY_DEFAULT; exceeding fails ERR_INVALID */

    const struct http_retry *retry; /* NULL = the client's policy */
    unsigned timeout_ms;       /* whole-attempt limit; 0 = none (stall timeout still applies) */
    http_progress_fn progress; /* optional, for uploads */
    void *progress_payload;
};

struct http_response_header {
    char *name;  /* owned; as received */
    char *value; /* owned; surrounding whitespace removed */
};

struct http_response {
    long status;        /* HTTP status of the final attempt; 0 when none arrived */
    struct sbuf body;   /* empty when the body went to response_path */
    struct vec headers; /* struct http_response_header, of the final response only */
    unsigned attempts;  /* how many attempts were made */
    uint64_t waited_ms; /* total time spent waiting between attempts */
};

#define HTTP_RESPONSE_INIT                                                                         \
    ((struct http_response){.body = SBUF_INIT, .headers = VEC_INIT(struct http_response_header)})

struct http_client;

/* Creates a client. Fails only if libcurl cannot be initialised. Free with http_client_free. */
int http_client_new(struct http_client **out, const struct http_client_opts *opts, struct err *err);
/*
 * Creates a client with c's settings (user agent, timeouts, retry policy, clock) and connections
 * of its own, for another thread to use. Call it from the thread that owns c, before the other
 * thread starts. The clock is shared: a test clock used from several threads must be thread-safe
 * (the real one is). Fails as http_client_new. Free with http_client_free.
 */
int http_client_clone(struct http_client **out, const struct http_client *c, struct err *err);
void http_client_free(struct http_client *c);

/*
 * Performs req with retries. Returns 0 when an HTTP response arrived (whatever its status; a
 * retryable status that persists through every attempt is returned as the final response).
 * Errors: ERR_IO when no response came (connection refused, reset, timeout, TLS), with the
 * curl error text; ERR_INVALID for a bad request (both body kinds) or a response over the cap;
 * ERR_IO when body_path cannot be read or response_path written. resp is reset first.
 */
int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp,
            struct err *err);

/* The value of the first response header called name (case-insensitive), or NULL. Borrowed. */
const char *http_response_header(const struct http_response *resp, const char *name);
void http_response_release(struct http_response *resp);

/*
 * Fails with ERR_FAIL and a message "'<what>': HTTP <status>: <first line of body>" unless
 * 200 <= status < 300. The body excerpt is at most 200 bytes. Returns 0 on a 2xx.
 */
int http_check_status(const struct http_response *resp, const char *what, struct err *err);

/*
 * Appends the URL of the rel="next" link in the response's Link header (RFC 8288), the way GitHub
 * and the Hugging Face Hub give the next page of a list. Returns 1 when there is one, 0 (appending
 * nothing) when there is none. The token goes with the next request, so a next page that is not
 * under base (base itself, or base followed by '/' or '?') is refused: ERR_FAIL, "the next page
 * of <what> is not under '<base>'".
 */
int http_next_link(struct sbuf *out, const struct http_response *resp, const char *base,
                   const char *what, struct err *err);

/* Appends s percent-encoded for use as one URL path segment or query value (RFC 3986). */
void http_url_escape(struct sbuf *out, const char *s);

/*
 * Parses a Retry-After value (delta seconds or an HTTP date) into milliseconds from now_unix
 * (seconds since the epoch). Returns false when it is not a valid value.
 */
bool http_parse_retry_after(const char *value, int64_t now_unix, uint64_t *ms_out);

#endif
