#include "util/sbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

char sbuf_empty[1];

void sbuf_init(struct sbuf *sb, size_t hint)
{
    *sb = SBUF_INIT;
    if (hint)
        sbuf_grow(sb, hint);
}

void sbuf_release(struct sbuf *sb)
{
    if (sb->alloc)
        xfree(sb->buf);
    *sb = SBUF_INIT;
}

char *sbuf_detach(struct sbuf *sb, size_t *len_out)
{
    if (!sb->alloc)
        sbuf_grow(sb, 0);
    char *p = sb->buf;
    if (len_out)
        *len_out = sb->len;
    *sb = SBUF_INIT;
    return p;
}

void sbuf_grow(struct sbuf *sb, size_t extra)
{
    if (extra > SIZE_MAX - sb->len - 1)
        BUG("sbuf size overflow");
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return;
    size_t alloc = sb->alloc ? sb->alloc : 16;
    while (alloc < need)
        alloc = alloc < SIZE_MAX / 2 ? alloc * 2 : need;
    if (!sb->alloc) {
        sb->buf = xmalloc(alloc);
        sb->buf[0] = '\0';
    } else {
        sb->buf = xrealloc(sb->buf, alloc);
    }
    sb->alloc = alloc;
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
    if (!sb->alloc) {
        if (len)
            BUG("sbuf_setlen beyond an empty buffer");
        return;
    }
    if (len >= sb->alloc)
        BUG("sbuf_setlen beyond allocation");
    sb->len = len;
    sb->buf[len] = '\0';
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
    if (!len)
        return;
    sbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sbuf_setlen(sb, sb->len + len);
}

void sbuf_addstr(struct sbuf *sb, const char *s)
{
    sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, int c)
{
    sbuf_grow(sb, 1);
    sb->buf[sb->len] = (char)c;
    sbuf_setlen(sb, sb->len + 1);
}

void sbuf_addchars(struct sbuf *sb, int c, size_t n)
{
    if (!n)
        return;
    sbuf_grow(sb, n);
    memset(sb->buf + sb->len, c, n);
    sbuf_setlen(sb, sb->len + n);
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    sbuf_grow(sb, 64);
    int n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        BUG("vsnprintf failed for format '%s'", fmt);
    if ((size_t)n >= sb->alloc - sb->len) {
        sbuf_grow(sb, (size_t)n);
        n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
    }
    sbuf_setlen(sb, sb->len + (size_t)n);
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void sbuf_add_xml_escaped(struct sbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&':
            sbuf_addstr(sb, "&amp;");
            break;
        case '<':
            sbuf_addstr(sb, "&lt;");
            break;
        case '>':
            sbuf_addstr(sb, "&gt;");
            break;
        case '"':
            sbuf_addstr(sb, "&quot;");
            break;
        case '\'':
            sbuf_addstr(sb, "&apos;");
            break;
        default:
            sbuf_addch(sb, s[i]);
        }
    }
}

void sbuf_add_json_escaped(struct sbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            sbuf_add(sb, "\\\"", 2);
            break;
        case '\\':
            sbuf_add(sb, "\\\\", 2);
            break;
        case '\n':
            sbuf_add(sb, "\\n", 2);
            break;
        case '\r':
            sbuf_add(sb, "\\r", 2);
            break;
        case '\t':
            sbuf_add(sb, "\\t", 2);
            break;
        case '\b':
            sbuf_add(sb, "\\b", 2);
            break;
        case '\f':
            sbuf_add(sb, "\\f", 2);
            break;
        default:
            if (c < 0x20)
                sbuf_addf(sb, "\\u%04x", c);
            else
                sbuf_addch(sb, c);
        }
    }
}

void sbuf_rtrim(struct sbuf *sb)
{
    size_t len = sb->len;
    while (len && strchr(" \t\r\n", sb->buf[len - 1]))
        len--;
    if (sb->alloc)
        sbuf_setlen(sb, len);
}

bool sbuf_ends_with(const struct sbuf *sb, const char *suffix)
{
    size_t n = strlen(suffix);
    return n <= sb->len && !memcmp(sb->buf + sb->len - n, suffix, n);
}

int sbuf_read_fd(struct sbuf *sb, int fd, size_t max, struct err *err)
{
    size_t start = sb->len;
    for (;;) {
        sbuf_grow(sb, 8192);
        size_t room = sb->alloc - sb->len - 1;
        ssize_t n = read(fd, sb->buf + sb->len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sbuf_setlen(sb, start);
            return err_errno(err, "cannot read");
        }
        if (n == 0)
            return 0;
        if (sb->len + (size_t)n - start > max) {
            sbuf_setlen(sb, start);
            return err_set(err, ERR_INVALID, "input exceeds %zu bytes", max);
        }
        sbuf_setlen(sb, sb->len + (size_t)n);
    }
}

int sbuf_read_file(struct sbuf *sb, const char *path, size_t max, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    int rc = sbuf_read_fd(sb, fd, max, err);
    close(fd);
    if (rc < 0)
        err_prefix(err, "'%s': ", path);
    return rc;
}
