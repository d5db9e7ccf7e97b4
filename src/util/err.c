#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void mark_truncated(struct err *e, int n)
{
    if (n >= (int)sizeof(e->msg))
        memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
}

int err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
    e->code = code;
    mark_truncated(e, vsnprintf(e->msg, sizeof(e->msg), fmt, ap));
    return code;
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int err_errno(struct err *e, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, ERR_IO, fmt, ap);
    va_end(ap);
    size_t len = strlen(e->msg);
    int n = snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(saved));
    mark_truncated(e, (int)len + n);
    errno = saved;
    return ERR_IO;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
    char old[ERR_MSG_MAX];
    memcpy(old, e->msg, sizeof(old));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof(e->msg)) {
        mark_truncated(e, n);
        return;
    }
    int m = snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, "%s", old);
    mark_truncated(e, n + m);
}

void err_clear(struct err *e)
{
    e->code = ERR_OK;
    e->msg[0] = '\0';
}
