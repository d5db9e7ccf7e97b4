#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "util/sbuf.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("runnel: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_error_err(const char *prefix, const struct err *err)
{
    if (prefix)
        fprintf(stderr, "runnel: %s: %s\n", prefix, err->msg);
    else
        fprintf(stderr, "runnel: %s\n", err->msg);
}

void cli_show_location(const char *path, size_t line, size_t col)
{
    struct sbuf sb = SBUF_INIT;
    struct err err = ERR_INIT;
    if (!line || sbuf_read_file(&sb, path, 64u << 20, &err) < 0) {
        sbuf_release(&sb);
        return;
    }
    const char *p = sb.buf;
    for (size_t l = 1; l < line && p; l++) {
        p = memchr(p, '\n', (size_t)(sb.buf + sb.len - p));
        if (p)
            p++;
    }
    if (p && p < sb.buf + sb.len) {
        const char *end = memchr(p, '\n', (size_t)(sb.buf + sb.len - p));
        int len = (int)(end ? end - p : sb.buf + sb.len - p);
        if (len > 200)
            len = 200;
        fprintf(stderr, "  %.*s\n  ", len, p);
        for (size_t i = 1; i < col && i < 200; i++)
            fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
        fputs("^\n", stderr);
    }
    sbuf_release(&sb);
}

int cli_not_yet(const char *command)
{
    cli_error("'%s' is not available in this build yet (see docs/cli.md)", command);
    return CLI_USAGE;
}
