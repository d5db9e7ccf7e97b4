/*
 * The runnel side of bench/parse: load and validate (schema, expressions, conversion) every
 * workflow file named on the command line, over and over for SECONDS, files read into memory
 * first (as the Node side does). Prints files/s and MB/s.
 *   parse_bench SECONDS FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/sbuf.h"
#include "util/xalloc.h"
#include "workflow/workflow.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: parse_bench SECONDS FILE...\n");
        return 2;
    }
    double seconds = strtod(argv[1], NULL);
    size_t n = (size_t)argc - 2;
    struct sbuf *texts = xcalloc(n, sizeof(struct sbuf));
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        struct err err = ERR_INIT;
        texts[i] = SBUF_INIT;
        if (sbuf_read_file(&texts[i], argv[i + 2], 64u << 20, &err) < 0) {
            fprintf(stderr, "parse_bench: %s\n", err.msg);
            return 2;
        }
        bytes += texts[i].len;
    }
    size_t rounds = 0, errors = 0;
    double start = now(), elapsed = 0;
    do {
        for (size_t i = 0; i < n; i++) {
            struct wf *wf = NULL;
            struct err err = ERR_INIT;
            struct wf_load_opts o = WF_LOAD_OPTS_INIT;
            o.keep_invalid = true;
            wf_parse(&wf, argv[i + 2], texts[i].buf, texts[i].len, &o, &err);
            if (wf && wf->diags.len)
                errors++;
            wf_free(wf);
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    double files = (double)rounds * (double)n / elapsed;
    printf("runnel: %zu rounds of %zu files in %.2fs: %.2f files/s, %.1f MB/s (%zu invalid per "
           "round)\n",
           rounds, n, elapsed, files, (double)rounds * (double)bytes / elapsed / 1e6,
           errors / rounds);
    printf("RUNNEL_RATE=%.3f\n", files);
    for (size_t i = 0; i < n; i++)
        sbuf_release(&texts[i]);
    xfree(texts);
    return 0;
}
