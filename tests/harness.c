#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/path.h"
#include "util/sbuf.h"

static bool current_failed;
static struct sbuf tmpdir = {.buf = sbuf_empty};

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    current_failed = true;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool harness_failed(void)
{
    return current_failed;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

const char *harness_shared_dir(void)
{
    return env_or("RUNNEL_SHARED", "../shared");
}

const char *harness_source_dir(void)
{
    return env_or("RUNNEL_SOURCE_DIR", ".");
}

const char *harness_runnel(void)
{
    return env_or("RUNNEL_BIN", "runnel");
}

const char *harness_tmpdir(void)
{
    if (tmpdir.len)
        return tmpdir.buf;
    struct err err = ERR_INIT;
    struct sbuf t = SBUF_INIT;
    sbuf_addf(&t, "%s/runnel-test-XXXXXX", env_or("TMPDIR", "/tmp"));
    if (fs_mkdtemp(&tmpdir, t.buf, &err) < 0) {
        fprintf(stderr, "harness: %s\n", err.msg);
        abort();
    }
    sbuf_release(&t);
    return tmpdir.buf;
}

int harness_main(int argc, char **argv, const struct harness_test *tests, size_t n)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (filter && !strstr(tests[i].name, filter))
            continue;
        current_failed = false;
        tests[i].fn();
        printf("%s %s\n", current_failed ? "FAIL" : "ok  ", tests[i].name);
        fflush(stdout);
        if (tmpdir.len) {
            struct err err = ERR_INIT;
            if (!current_failed)
                fs_remove_tree(tmpdir.buf, &err);
            else
                fprintf(stderr, "  kept %s\n", tmpdir.buf);
            sbuf_release(&tmpdir);
        }
        current_failed ? failed++ : passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
