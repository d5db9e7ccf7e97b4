#ifndef UTIL_ERR_H
#define UTIL_ERR_H

/*
 * The error convention (docs/style.md, B4).
 *
 * A function that can fail returns int: 0 on success or a negative enum err_code, and takes a
 * `struct err *err` as its last parameter (never NULL). The lowest level that knows the facts sets
 * the message once with err_set(); callers pass the code up unchanged and may add context in front
 * with err_prefix(). Messages are one line, lowercase first word, no final period.
 *
 * struct err lives on the caller's stack; it owns no heap memory.
 */

#include <stdarg.h>

enum err_code {
    ERR_OK = 0,
    ERR_FAIL = -1,
    ERR_NOTFOUND = -2,
    ERR_INVALID = -3,
    ERR_IO = -4,
    ERR_TIMEOUT = -5,
    ERR_CANCELLED = -6,
};

#define ERR_MSG_MAX 512

struct err {
    enum err_code code;
    char msg[ERR_MSG_MAX]; /* NUL-terminated; truncated with "..." when too long */
};

#define ERR_INIT ((struct err){.code = ERR_OK})

/* Sets code and message; returns code so callers can write `return err_set(...)`. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Like err_set with ERR_IO, appending ": strerror(errno)" (errno read at the call). */
int err_errno(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts formatted context in front of the existing message. The code is unchanged. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Back to ERR_OK with an empty message. */
void err_clear(struct err *e);

#endif
