#ifndef UTIL_SBUF_H
#define UTIL_SBUF_H

/*
 * sbuf: the one growable string buffer (after git's strbuf).
 *
 * Invariants: `buf` is never NULL and always NUL-terminated at `len`; it may hold embedded NULs.
 * An sbuf that has never grown points at the shared read-only `sbuf_empty`, so SBUF_INIT costs
 * nothing and sbuf_release() on it is harmless.
 *
 * Lifecycle:
 *   1. struct sbuf sb = SBUF_INIT;
 *   2. sbuf_add*(&sb, ...)        appends; they return void and abort on out-of-memory
 *   3. either sbuf_release(&sb)   frees the bytes and resets to SBUF_INIT,
 *      or     p = sbuf_detach(&sb, &len)  hands the heap bytes to the caller (free with xfree)
 *
 * Untrusted input is read with sbuf_read_fd()/sbuf_read_file() under an explicit maximum size.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

extern char sbuf_empty[];

struct sbuf {
    char *buf;
    size_t len;   /* bytes used, not counting the terminating NUL */
    size_t alloc; /* bytes allocated; 0 while buf == sbuf_empty */
};

#define SBUF_INIT ((struct sbuf){.buf = sbuf_empty})

void sbuf_init(struct sbuf *sb, size_t hint);
void sbuf_release(struct sbuf *sb);
/* Returns the heap buffer (never NULL) and resets sb; stores the length in *len_out if not NULL. */
char *sbuf_detach(struct sbuf *sb, size_t *len_out);
/* Makes room for `extra` more bytes plus the NUL. */
void sbuf_grow(struct sbuf *sb, size_t extra);
/* Sets the length (must be <= len + available room) and writes the NUL. */
void sbuf_setlen(struct sbuf *sb, size_t len);
static inline void sbuf_reset(struct sbuf *sb)
{
    sbuf_setlen(sb, 0);
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends `n` copies of c. */
void sbuf_addchars(struct sbuf *sb, int c, size_t n);
/* Appends s with JSON string escaping, without the surrounding quotes. */
void sbuf_add_json_escaped(struct sbuf *sb, const char *s, size_t len);
/* Appends s with the five XML escapes (& < > " ' as entities), as .NET's SecurityElement.Escape. */
void sbuf_add_xml_escaped(struct sbuf *sb, const char *s, size_t len);

/* Removes trailing whitespace (space, \t, \r, \n). */
void sbuf_rtrim(struct sbuf *sb);
bool sbuf_ends_with(const struct sbuf *sb, const char *suffix);

/*
 * Appends everything readable from fd until EOF. Fails with ERR_INVALID ("... exceeds N bytes")
 * when more than `max` bytes would be read in total, ERR_IO on a read error. Retries EINTR.
 */
int sbuf_read_fd(struct sbuf *sb, int fd, size_t max, struct err *err);
/* Appends the contents of the file at path, under `max` as above. */
int sbuf_read_file(struct sbuf *sb, const char *path, size_t max, struct err *err);

#endif
