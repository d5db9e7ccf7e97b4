/*
 * http against a tiny loopback server run on a thread of this process. The server answers each
 * connection with the next scripted reply (or drops it without a reply), records what it received,
 * and stops after its script or after 10 s without a connection.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define MAX_REPLIES 8

struct recorded {
    char method[16];
    char path[256];
    struct sbuf head; /* the request line and headers as received */
    struct sbuf body;
};

struct server {
    int fd;
    int port;
    const char *replies[MAX_REPLIES]; /* full raw responses; NULL = drop the connection */
    size_t n_replies;
    struct recorded got[MAX_REPLIES];
    size_t n_got;
    pthread_t thread;
};

static void read_request(int fd, struct recorded *r)
{
    char buf[65536];
    size_t want_body = 0;
    bool in_body = false;
    for (int rounds = 0; rounds < 100000; rounds++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            return;
        if (in_body) {
            sbuf_add(&r->body, buf, (size_t)n);
        } else {
            sbuf_add(&r->head, buf, (size_t)n);
            char *end = strstr(r->head.buf, "\r\n\r\n");
            if (!end)
                continue;
            size_t head_len = (size_t)(end - r->head.buf) + 4;
            sbuf_add(&r->body, r->head.buf + head_len, r->head.len - head_len);
            sbuf_setlen(&r->head, head_len);
            in_body = true;
            sscanf(r->head.buf, "%15s %255s", r->method, r->path);
            const char *cl = strcasestr(r->head.buf, "\r\ncontent-length:");
            if (cl) {
                long v = 0;
                char num[32] = {0};
                sscanf(cl + 17, " %31[0-9]", num);
                if (str_to_long(num, &v))
                    want_body = (size_t)v;
            }
        }
        if (r->body.len >= want_body)
            return;
    }
}

static void *serve(void *arg)
{
    struct server *s = arg;
    for (size_t i = 0; i < s->n_replies; i++) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            break;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            break;
        struct recorded *r = &s->got[s->n_got++];
        read_request(c, r);
        if (s->replies[i]) {
            const char *reply = s->replies[i];
            size_t len = strlen(reply);
            for (size_t off = 0; off < len;) {
                ssize_t w = write(c, reply + off, len - off);
                if (w <= 0)
                    break;
                off += (size_t)w;
            }
        }
        close(c);
    }
    return NULL;
}

static void server_start(struct server *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s->fd, (struct sockaddr *)&a, sizeof(a));
    listen(s->fd, 8);
    socklen_t len = sizeof(a);
    getsockname(s->fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    for (size_t i = 0; i < MAX_REPLIES; i++) {
        s->got[i].head = SBUF_INIT;
        s->got[i].body = SBUF_INIT;
    }
    pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(struct server *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* Frees what the server recorded; called once a test has read it. */
static void server_release(struct server *s)
{
    for (size_t i = 0; i < MAX_REPLIES; i++) {
        sbuf_release(&s->got[i].head);
        sbuf_release(&s->got[i].body);
    }
}

/* The fake clock: never sleeps, records what it was asked to wait. */
struct fake_clock {
    uint64_t now;
    uint64_t sleeps[8];
    size_t n_sleeps;
};

static uint64_t fake_now(void *payload)
{
    return ((struct fake_clock *)payload)->now;
}

static void fake_sleep(uint64_t ms, void *payload)
{
    struct fake_clock *f = payload;
    if (f->n_sleeps < 8)
        f->sleeps[f->n_sleeps++] = ms;
    f->now += ms;
}

static struct http_client *client_with(struct fake_clock *fc)
{
    static struct http_clock clk;
    clk = (struct http_clock){.now_ms = fake_now, .sleep_ms = fake_sleep, .payload = fc};
    struct http_client *c = NULL;
    struct err err = ERR_INIT;
    if (http_client_new(&c, &(struct http_client_opts){.clock = &clk}, &err) < 0)
        return NULL;
    return c;
}

static void url_of(struct sbuf *u, const struct server *s, const char *path)
{
    sbuf_addf(u, "http://127.0.0.1:%d%s", s->port, path);
}

#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"abc\"\r\nX-Two:  v2 \r\n\r\nhello"

static void get_reads_status_body_and_headers(void)
{
    struct server s = {.replies = {OK_HELLO}, .n_replies = 1};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/x?y=1");
    int rc = http_do(c, &(struct http_request){.url = u.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.buf, "hello");
    CHECK_STR(http_response_header(&r, "etag"), "\"abc\"");
    CHECK_STR(http_response_header(&r, "X-TWO"), "v2");
    CHECK(http_response_header(&r, "missing") == NULL);
    CHECK_STR(s.got[0].method, "GET");
    CHECK_STR(s.got[0].path, "/x?y=1");
    CHECK_INT(r.attempts, 1);
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void post_sends_body_token_and_headers(void)
{
    struct server s = {.replies = {"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"},
                       .n_replies = 1};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/api/repos/create");
    struct http_header h[] = {{"Accept", "application/vnd.git-lfs+json"}};
    int rc = http_do(c,
                     &(struct http_request){.method = "POST",
                                            .url = u.buf,
                                            .bearer_token = "hf_secret",
                                            .content_type = "application/json",
                                            .headers = h,
                                            .n_headers = 1,
                                            .body = "{\"a\":1}",
                                            .body_len = 7},
                     &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 201);
    CHECK_STR(s.got[0].method, "POST");
    CHECK_STR(s.got[0].body.buf, "{\"a\":1}");
    CHECK(strcasestr(s.got[0].head.buf, "\r\nAuthorization: Bearer hf_secret\r\n"));
    CHECK(strcasestr(s.got[0].head.buf, "\r\nContent-Type: application/json\r\n"));
    CHECK(strcasestr(s.got[0].head.buf, "\r\nAccept: application/vnd.git-lfs+json\r\n"));
    CHECK(!strcasestr(s.got[0].head.buf, "Expect:"));
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void retries_503_with_exponential_backoff(void)
{
    struct server s = {.replies = {"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n",
                                   "HTTP/1.1 502 Bad\r\nContent-Length: 0\r\n\r\n", OK_HELLO},
                       .n_replies = 3};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/r");
    int rc = http_do(c, &(struct http_request){.url = u.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.attempts, 3);
    CHECK_INT(fc.n_sleeps, 2);
    CHECK_INT(fc.sleeps[0], 500);
    CHECK_INT(fc.sleeps[1], 1000);
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void clone_keeps_user_agent_retry_policy_and_clock(void)
{
    struct server s = {.replies = {"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", OK_HELLO},
                       .n_replies = 2};
    struct fake_clock fc = {0};
    struct http_clock clk = {.now_ms = fake_now, .sleep_ms = fake_sleep, .payload = &fc};
    struct http_client *c = NULL;
    struct http_client *c2 = NULL;
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    server_start(&s);
    CHECK_INT(http_client_new(&c,
                              &(struct http_client_opts){.user_agent = "ua-test/1",
                                                         .retry = {.base_delay_ms = 40},
                                                         .clock = &clk},
                              &err),
              0);
    CHECK_INT(http_client_clone(&c2, c, &err), 0);
    http_client_free(c); /* the clone owns copies of the settings */
    url_of(&u, &s, "/c");
    int rc = http_do(c2, &(struct http_request){.url = u.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(fc.n_sleeps, 1);
    CHECK_INT(fc.sleeps[0], 40);
    CHECK(strstr(s.got[1].head.buf, "User-Agent: ua-test/1\r\n") != NULL);
    http_response_release(&r);
    http_client_free(c2);
    server_release(&s);
    sbuf_release(&u);
}

static void honours_retry_after_on_429(void)
{
    struct server s = {
        .replies = {"HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n",
                    OK_HELLO},
        .n_replies = 2};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/r");
    int rc = http_do(c, &(struct http_request){.url = u.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(fc.n_sleeps, 1);
    CHECK_INT(fc.sleeps[0], 7000);
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void dropped_connection_is_retried_and_body_resent(void)
{
    struct server s = {.replies = {NULL, OK_HELLO}, .n_replies = 2};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/part");
    int rc = http_do(
        c, &(struct http_request){.method = "PUT", .url = u.buf, .body = "abc", .body_len = 3}, &r,
        &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.attempts, 2);
    CHECK_STR(s.got[0].body.buf, "abc");
    CHECK_STR(s.got[1].body.buf, "abc");
    CHECK_STR(s.got[1].method, "PUT");
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void not_found_is_not_retried(void)
{
    struct server s = {.replies = {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nno\nsecond"},
                       .n_replies = 1};
    struct fake_clock fc = {0};
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    url_of(&u, &s, "/nope");
    int rc = http_do(c, &(struct http_request){.url = u.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_INT(r.status, 404);
    CHECK_INT(r.attempts, 1);
    CHECK_INT(http_check_status(&r, "lookup", &err), ERR_FAIL);
    CHECK_STR(err.msg, "'lookup': HTTP 404: no");
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void file_slice_is_streamed_as_body(void)
{
    struct server s = {.replies = {OK_HELLO}, .n_replies = 1};
    struct fake_clock fc = {0};
    struct sbuf path = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&path, harness_tmpdir(), "data.bin");
    CHECK_INT(fs_write_file(path.buf, "0123456789", 10, &err), 0);
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    url_of(&u, &s, "/slice");
    int rc = http_do(
        c,
        &(struct http_request){
            .method = "PUT", .url = u.buf, .body_path = path.buf, .body_offset = 3, .body_size = 4},
        &r, &err);
    server_stop(&s);
    CHECK_INT(rc, 0);
    CHECK_STR(s.got[0].body.buf, "3456");
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
    sbuf_release(&path);
}

static void response_over_cap_fails_and_file_sink_works(void)
{
    struct server s = {.replies = {OK_HELLO, OK_HELLO}, .n_replies = 2};
    struct fake_clock fc = {0};
    struct sbuf path = SBUF_INIT;
    struct sbuf got = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&path, harness_tmpdir(), "out.bin");
    server_start(&s);
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    url_of(&u, &s, "/big");
    int rc = http_do(c, &(struct http_request){.url = u.buf, .max_response = 4}, &r, &err);
    int rc2 = http_do(c, &(struct http_request){.url = u.buf, .response_path = path.buf}, &r, &err);
    server_stop(&s);
    CHECK_INT(rc, ERR_INVALID);
    CHECK(strstr(err.msg, "exceeds 4 bytes"));
    CHECK_INT(rc2, 0);
    CHECK_INT(r.body.len, 0);
    CHECK_INT(sbuf_read_file(&got, path.buf, 100, &err), 0);
    CHECK_STR(got.buf, "hello");
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
    sbuf_release(&path);
    sbuf_release(&got);
}

static void refused_connection_error_hides_token_and_query(void)
{
    /* A port that was just closed: nothing listens there. */
    struct server s = {.n_replies = 0};
    server_start(&s);
    int port = s.port;
    server_stop(&s);
    struct fake_clock fc = {0};
    struct http_client *c = client_with(&fc);
    struct http_response r = HTTP_RESPONSE_INIT;
    struct sbuf u = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&u, "http://127.0.0.1:%d/up?X-Amz-Signature=sig123", port);
    struct http_retry once = {.max_attempts = 2};
    int rc =
        http_do(c, &(struct http_request){.url = u.buf, .bearer_token = "hf_tok", .retry = &once},
                &r, &err);
    CHECK_INT(rc, ERR_IO);
    CHECK_INT(r.attempts, 2);
    CHECK(strstr(err.msg, "/up"));
    CHECK(!strstr(err.msg, "sig123"));
    CHECK(!strstr(err.msg, "hf_tok"));
    http_response_release(&r);
    http_client_free(c);
    server_release(&s);
    sbuf_release(&u);
}

static void retry_after_parses_seconds_and_dates(void)
{
    uint64_t ms = 0;
    CHECK(http_parse_retry_after("120", 0, &ms));
    CHECK_INT(ms, 120000);
    /* RFC 9110's example date is 1445412480 seconds after the epoch. */
    CHECK(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30, &ms));
    CHECK_INT(ms, 30000);
    CHECK(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30, &ms));
    CHECK_INT(ms, 0);
    CHECK(!http_parse_retry_after("soon", 0, &ms));
    CHECK(!http_parse_retry_after("-5", 0, &ms));
    CHECK(!http_parse_retry_after("", 0, &ms));
}

/* http_next_link over a response whose Link header is link: 1, 0 or an error code. */
static int next_link_under(struct sbuf *out, const char *link, const char *base, struct err *err)
{
    struct http_response r = HTTP_RESPONSE_INIT;
    struct http_response_header *h = vec_push(&r.headers);
    h->name = xstrdup("Link");
    h->value = xstrdup(link);
    sbuf_reset(out);
    int rc = http_next_link(out, &r, base, "things", err);
    http_response_release(&r);
    return rc;
}

static bool next_link_of(struct sbuf *out, const char *link, const char *base)
{
    struct err err = ERR_INIT;
    return next_link_under(out, link, base, &err) == 1;
}

static void next_link_finds_rel_next_among_links(void)
{
    struct sbuf u = SBUF_INIT;
    /* GitHub's form: next is not the first link. */
    CHECK(next_link_of(&u,
                       "<https://api.x/r?page=1>; rel=\"prev\", "
                       "<https://api.x/r?page=3>; rel=\"next\", "
                       "<https://api.x/r?page=9>; rel=\"last\"",
                       "https://api.x"));
    CHECK_STR(u.buf, "https://api.x/r?page=3");
    /* The Hub's form: one link. */
    CHECK(next_link_of(&u, "<https://hub.x/api/models/a/b/tree/main?cursor=abc>; rel=\"next\"",
                       "https://hub.x"));
    CHECK_STR(u.buf, "https://hub.x/api/models/a/b/tree/main?cursor=abc");
    /* No next link, or a next link without its closing angle bracket. */
    CHECK(!next_link_of(&u, "<https://api.x/r?page=1>; rel=\"prev\"", "https://api.x"));
    CHECK_INT(u.len, 0);
    CHECK(!next_link_of(&u, "<https://api.x/r?page=1>; rel=\"first\", <broken; rel=\"next\"",
                        "https://api.x"));
    CHECK_INT(u.len, 0);
    struct http_response none = HTTP_RESPONSE_INIT;
    struct err err = ERR_INIT;
    CHECK_INT(http_next_link(&u, &none, "https://api.x", "things", &err), 0);
    sbuf_release(&u);
}

/* The token goes with the next request: a next page elsewhere is refused, not followed. */
static void next_link_off_the_base_is_refused(void)
{
    struct sbuf u = SBUF_INIT;
    static const char *const foreign[] = {
        "<https://evil.x/r?page=2>; rel=\"next\"",
        "<https://api.x.evil.x/r?page=2>; rel=\"next\"", /* the base as a prefix of a host */
        "<http://api.x/r?page=2>; rel=\"next\"",         /* another scheme */
    };
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        struct err err = ERR_INIT;
        CHECK(next_link_under(&u, foreign[i], "https://api.x", &err) < 0);
        CHECK_STR(err.msg, "the next page of things is not under 'https://api.x'");
        CHECK_INT(u.len, 0);
    }
    sbuf_release(&u);
}

static void url_escape_quotes_everything_but_unreserved(void)
{
    struct sbuf sb = SBUF_INIT;
    http_url_escape(&sb, "refs/pr/1 a~b");
    CHECK_STR(sb.buf, "refs%2Fpr%2F1%20a~b");
    sbuf_release(&sb);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(get_reads_status_body_and_headers),
        TEST(post_sends_body_token_and_headers),
        TEST(retries_503_with_exponential_backoff),
        TEST(clone_keeps_user_agent_retry_policy_and_clock),
        TEST(honours_retry_after_on_429),
        TEST(dropped_connection_is_retried_and_body_resent),
        TEST(not_found_is_not_retried),
        TEST(file_slice_is_streamed_as_body),
        TEST(response_over_cap_fails_and_file_sink_works),
        TEST(refused_connection_error_hides_token_and_query),
        TEST(retry_after_parses_seconds_and_dates),
        TEST(next_link_finds_rel_next_among_links),
        TEST(next_link_off_the_base_is_refused),
        TEST(url_escape_quotes_everything_but_unreserved),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
