/*
 * bench/cache driver: one save or restore through the actions/cache store (actions.h), as the
 * built-in does it, so run.sh can time it beside tar --zstd.
 *
 *   cache_bench save    CACHE_DIR WORKSPACE PATH KEY
 *   cache_bench restore CACHE_DIR WORKSPACE PATH KEY
 *
 * Prints the seconds taken on stdout; exit status 1 on failure (message on stderr).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions/actions.h"
#include "util/xalloc.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[1], "save") && strcmp(argv[1], "restore"))) {
        fputs("usage: cache_bench save|restore CACHE_DIR WORKSPACE PATH KEY\n", stderr);
        return 2;
    }
    const char *paths[] = {argv[4]};
    struct actions_cache_opts o = {
        .cache_dir = argv[2], .workspace = argv[3], .paths = paths, .npaths = 1, .key = argv[5]};
    struct err err = ERR_INIT;
    double t0 = now_s();
    int rc;
    if (!strcmp(argv[1], "save")) {
        rc = actions_cache_save(&o, &err);
    } else {
        char *matched = NULL;
        rc = actions_cache_restore(&matched, &o, &err);
        if (rc == 0 && !matched)
            rc = err_set(&err, ERR_NOTFOUND, "cache miss for key '%s'", argv[5]);
        xfree(matched);
    }
    double t1 = now_s();
    if (rc < 0) {
        fprintf(stderr, "cache_bench: %s\n", err.msg);
        return 1;
    }
    printf("%.3f\n", t1 - t0);
    return 0;
}
