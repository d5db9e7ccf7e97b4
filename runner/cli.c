#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"

void cli_runs_root(struct sbuf *out)
{
    const char *cache = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (cache && *cache)
        sbuf_addf(out, "%s/runnel/runs", cache);
    else
        sbuf_addf(out, "%s/.cache/runnel/runs", home && *home ? home : "/tmp");
}

bool cli_is_run_name(const char *name)
{
    /* 8 digits, '-', 6 digits, '-', 1 or more digits */
    for (size_t i = 0; i < 16; i++) {
        bool dash = i == 8 || i == 15;
        if (dash ? name[i] != '-' : !(name[i] >= '0' && name[i] <= '9'))
            return false;
    }
    size_t n = 0;
    while (name[16 + n] >= '0' && name[16 + n] <= '9')
        n++;
    return n > 0 && !name[16 + n];
}

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
