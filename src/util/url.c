#include "util/url.h"

#include <string.h>

bool url_split(struct url_parts *out, const char *url)
{
    memset(out, 0, sizeof(*out));
    const char *scheme = strstr(url, "://");
    const char *at = NULL, *host, *end;
    if (scheme) {
        const char *auth = scheme + 3;
        end = auth + strcspn(auth, "/?#");
        for (const char *c = auth; c < end; c++) {
            if (*c == '@')
                at = c;
        }
        host = at ? at + 1 : auth;
        if (at)
            out->user = str_make(auth, (size_t)(at - auth));
    } else {
        const char *colon = strchr(url, ':');
        const char *slash = strchr(url, '/');
        if (!colon || (slash && slash < colon))
            return false; /* a local path */
        const char *last_colon = strrchr(url, ':');
        for (const char *c = url; c < last_colon; c++) {
            if (*c == '@')
                at = c;
        }
        host = at ? at + 1 : url;
        end = strchr(host, ':');
        if (at)
            out->user = str_make(url, (size_t)(at - url));
        out->scp = true;
    }
    if (out->user.p) {
        const char *colon = memchr(out->user.p, ':', out->user.len);
        if (colon) {
            out->password = str_make(colon + 1, (size_t)(out->user.p + out->user.len - colon - 1));
            out->user.len = (size_t)(colon - out->user.p);
        }
    }
    out->host = str_make(host, (size_t)(end - host));
    out->path = str_make(out->scp ? end + 1 : end, strlen(out->scp ? end + 1 : end));
    return true;
}

void url_add_display(struct sbuf *out, const char *url)
{
    struct url_parts u;
    if (!url_split(&u, url) || !u.user.p || (u.scp && !u.password.p)) {
        sbuf_addstr(out, url);
        return;
    }
    sbuf_add(out, url, (size_t)(u.user.p - url)); /* the scheme, or nothing */
    sbuf_addstr(out, u.host.p);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void url_percent_decode(struct sbuf *out, const char *s)
{
    for (; *s; s++) {
        if (s[0] == '%' && hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
            sbuf_addch(out, (char)(hex_digit(s[1]) * 16 + hex_digit(s[2])));
            s += 2;
        } else {
            sbuf_addch(out, *s);
        }
    }
}
