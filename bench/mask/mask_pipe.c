/*
 * bench/mask driver (built only for the benchmark, by run.sh): streams stdin to stdout through
 * runnel's secret masker, as the step runner (src/run/step.c) streams a step's output.
 *
 *   mask_pipe mask SECRETS_FILE     one secret per line, registered with run_masker_add
 *   mask_pipe gen BYTES SECRETS_FILE [N]   writes BYTES of log-like text to stdout, with one of
 *                                   the first N secrets embedded about every 64 KiB
 *   mask_pipe secrets N             writes N random secrets of 16-40 characters, one a line
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/mask.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"

static void write_all(const char *p, size_t n, void *payload)
{
    (void)payload;
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int load_secrets(struct sbuf *sb, const char *path)
{
    struct err err = ERR_INIT;
    if (sbuf_read_file(sb, path, 1u << 26, &err) < 0) {
        fprintf(stderr, "mask_pipe: %s\n", err.msg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "secrets")) {
        long n = strtol(argv[2], NULL, 10);
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        for (long i = 0; i < n; i++) {
            int len = 16 + (int)(next_rand() % 25);
            for (int j = 0; j < len; j++)
                putchar(abc[next_rand() % 64]);
            putchar('\n');
        }
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "gen")) {
        long long total = strtoll(argv[2], NULL, 10);
        struct sbuf secrets = SBUF_INIT;
        if (load_secrets(&secrets, argv[3]) < 0)
            return 1;
        long nuse = argc >= 5 ? strtol(argv[4], NULL, 10) : 1000;
        struct vec lines = VEC_INIT(char *);
        for (char *p = secrets.buf; *p;) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            *(char **)vec_push(&lines) = p;
            if (!nl)
                break;
            p = nl + 1;
        }
        static const char *const words[] = {"compiling",
                                            "src/main.c",
                                            "warning:",
                                            "unused",
                                            "variable",
                                            "[ok]",
                                            "test",
                                            "passed",
                                            "in",
                                            "0.02s",
                                            "npm",
                                            "install",
                                            "added",
                                            "packages",
                                            "from",
                                            "the",
                                            "lockfile",
                                            "Downloading",
                                            "https://example.org/pkg.tar.gz",
                                            "100%",
                                            "done"};
        size_t nwords = sizeof(words) / sizeof(words[0]);
        struct sbuf buf = SBUF_INIT;
        long long written = 0, line_no = 0, next_secret = 65536;
        while (written < total) {
            sbuf_reset(&buf);
            while (buf.len < 65536) {
                sbuf_addf(&buf, "2026-11-29T20:%02lld:%02lld.%03lldZ ", line_no / 60 % 60,
                          line_no % 60, line_no % 1000);
                int nw = 4 + (int)(next_rand() % 10);
                for (int i = 0; i < nw; i++) {
                    sbuf_addstr(&buf, words[next_rand() % nwords]);
                    sbuf_addch(&buf, ' ');
                }
                if (written + (long long)buf.len >= next_secret && lines.len) {
                    long k =
                        (long)(next_rand() %
                               (unsigned long)(nuse < (long)lines.len ? nuse : (long)lines.len));
                    sbuf_addstr(&buf, *(char **)vec_at(&lines, (size_t)k));
                    next_secret += 65536;
                }
                sbuf_addch(&buf, '\n');
                line_no++;
            }
            size_t n = buf.len;
            if ((long long)n > total - written)
                n = (size_t)(total - written);
            write_all(buf.buf, n, NULL);
            written += (long long)n;
        }
        sbuf_release(&buf);
        vec_release(&lines);
        sbuf_release(&secrets);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "mask")) {
        struct sbuf secrets = SBUF_INIT;
        if (load_secrets(&secrets, argv[2]) < 0)
            return 1;
        struct run_masker *m;
        run_masker_new(&m);
        for (char *p = secrets.buf; *p;) {
            char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            run_masker_add(m, p, len);
            if (!nl)
                break;
            p = nl + 1;
        }
        fprintf(stderr, "mask_pipe: %zu patterns from the secrets and their encoded forms\n",
                run_masker_count(m));
        struct run_mask_stream s;
        run_mask_stream_init(&s, m, write_all, NULL);
        static char buf[1 << 16];
        for (;;) {
            ssize_t n = read(0, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                perror("read");
                return 1;
            }
            if (n == 0)
                break;
            run_mask_stream_write(&s, buf, (size_t)n);
        }
        run_mask_stream_finish(&s);
        run_mask_stream_release(&s);
        run_masker_free(m);
        sbuf_release(&secrets);
        return 0;
    }
    fprintf(stderr, "usage: mask_pipe secrets N | gen BYTES SECRETS [N] | mask SECRETS\n");
    return 2;
}
