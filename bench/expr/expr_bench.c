/*
 * In-process throughput of runnel's expression engine on GitHub's conformance expressions:
 * every case is lexed, parsed and evaluated (contexts already loaded, as in ts_bench.mjs), many
 * times over, with one scratch arena reset after each evaluation. Prints evaluations per second
 * and the resident set size after the warm-up and at the end, which must not grow with the
 * number of evaluations.
 *
 * usage: expr_bench CONFORMANCE_DIR SECONDS
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "expr/expr.h"
#include "util/json.h"
#include "util/xalloc.h"

struct bench_case {
    char *src;
    size_t len;
    struct val contexts;
    const char **names;
    size_t n_names;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Current resident set size in kB, from /proc/self/statm. */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0;
    long resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * 4;
}

/* CPU seconds (user + system) this process has used. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: expr_bench CONFORMANCE_DIR SECONDS\n");
        return 2;
    }
    double seconds = strtod(argv[2], NULL);
    struct arena ctx_arena = ARENA_INIT;
    struct bench_case *cases = NULL;
    size_t n = 0;
    size_t alloc = 0;
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    char *files[256];
    size_t nf = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nf < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".json"))
            files[nf++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(files, nf, sizeof(files[0]), cmp_str);
    for (size_t i = 0; i < nf; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", argv[1], files[i]);
        cJSON *root = NULL;
        struct err err = ERR_INIT;
        if (json_load(&root, path, 16u << 20, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        for (const cJSON *g = root->child; g; g = g->next) {
            for (const cJSON *c = g->child; c; c = c->next) {
                if (n == alloc) {
                    alloc = alloc ? alloc * 2 : 1024;
                    cases = xreallocarray(cases, alloc, sizeof(*cases));
                }
                const char *src = json_get_str(c, "expr");
                /* EXPR_BENCH_ONLY=TEXT keeps the cases whose expression contains TEXT. */
                const char *only = getenv("EXPR_BENCH_ONLY");
                if (only && (!src || !strstr(src, only)))
                    continue;
                struct bench_case *bc = &cases[n++];
                bc->src = xstrdup(src ? src : "");
                bc->len = strlen(bc->src);
                const cJSON *jc = cJSON_GetObjectItemCaseSensitive(c, "contexts");
                bc->contexts = jc ? val_from_json(&ctx_arena, jc) : val_new_object(&ctx_arena);
                bc->n_names = bc->contexts.obj->len;
                bc->names = xcalloc(bc->n_names + 1, sizeof(*bc->names));
                for (size_t k = 0; k < bc->n_names; k++)
                    bc->names[k] = bc->contexts.obj->members[k].key.p;
            }
        }
        cJSON_Delete(root);
        xfree(files[i]);
    }

    struct arena scratch = ARENA_INIT;
    if (getenv("EXPR_BENCH_PROFILE")) {
        /* Where the time goes: the ten slowest cases, 200 evaluations each. */
        double *cost = xcalloc(n, sizeof(*cost));
        for (size_t i = 0; i < n; i++) {
            double t0 = now();
            for (int r = 0; r < 200; r++) {
                struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
                po.contexts = cases[i].names;
                po.n_contexts = cases[i].n_names;
                struct expr_ctx ctx = EXPR_CTX_INIT;
                ctx.contexts = &cases[i].contexts;
                struct err err;
                struct expr *e = NULL;
                struct val v;
                if (expr_parse(&e, &scratch, cases[i].src, cases[i].len, &po, &err) == 0)
                    (void)expr_eval(&v, &scratch, e, &ctx, &err);
                arena_reset(&scratch);
            }
            cost[i] = (now() - t0) / 200;
        }
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += cost[i];
        printf("one round: %.1f us\n", total * 1e6);
        const char *top_env = getenv("EXPR_BENCH_TOP");
        long top = top_env ? strtol(top_env, NULL, 10) : 10;
        for (long k = 0; k < top; k++) {
            size_t best = 0;
            for (size_t i = 1; i < n; i++) {
                if (cost[i] > cost[best])
                    best = i;
            }
            printf("%8.2f us  %.80s\n", cost[best] * 1e6, cases[best].src);
            cost[best] = -1;
        }
        xfree(cost);
    }
    size_t evals = 0;
    size_t errors = 0;
    long rss_warm = 0;
    long rss_mid = 0; /* at half time: with rss_end, shows whether memory still grows */
    double cpu_start = cpu_seconds();
    double start = now();
    double warm_end = start + (seconds > 4 ? 1.0 : seconds / 4);
    bool warm = false;
    double t = start;
    size_t rounds = 0;
    double best = 0;
    double window_start = start;
    size_t window_evals = 0;
    /* EXPR_BENCH_ROUNDS=N runs exactly N rounds (for instruction counts under callgrind). */
    const char *fixed = getenv("EXPR_BENCH_ROUNDS");
    size_t max_rounds = fixed ? strtoul(fixed, NULL, 10) : SIZE_MAX;
    while (fixed ? rounds < max_rounds : t - start < seconds) {
        for (size_t i = 0; i < n; i++) {
            struct bench_case *bc = &cases[i];
            struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
            po.contexts = bc->names;
            po.n_contexts = bc->n_names;
            struct expr_ctx ctx = EXPR_CTX_INIT;
            ctx.contexts = &bc->contexts;
            struct err err;
            struct expr *e = NULL;
            struct val v;
            if (expr_parse(&e, &scratch, bc->src, bc->len, &po, &err) < 0 ||
                expr_eval(&v, &scratch, e, &ctx, &err) < 0)
                errors++;
            arena_reset(&scratch);
        }
        evals += n;
        rounds++;
        t = now();
        /* The best half-second window: the machine is shared, so preemption shows as noise. */
        if (t - window_start >= 0.5) {
            double r = (double)(evals - window_evals) / (t - window_start);
            if (r > best)
                best = r;
            window_start = t;
            window_evals = evals;
        }
        if (!rss_mid && t - start >= seconds / 2)
            rss_mid = rss_kb();
        if (!warm && t >= warm_end) {
            warm = true;
            rss_warm = rss_kb();
        }
    }
    double elapsed = t - start;
    double cpu = cpu_seconds() - cpu_start;
    long rss_end = rss_kb();
    if (best == 0)
        best = (double)evals / elapsed;
    printf("runnel in-process: %zu evaluations (%zu cases x %zu rounds, %zu errors each round) in "
           "%.2f s = %.0f evals/s on average, %.0f evals/s in the best half second; RSS after "
           "warm-up %ld kB, at half time %ld kB, at end %ld kB\n",
           evals, n, rounds, errors / (rounds ? rounds : 1), elapsed, (double)evals / elapsed, best,
           rss_warm, rss_mid, rss_end);
    printf("runnel in-process: %.2f CPU seconds = %.0f evals per CPU second\n", cpu,
           (double)evals / cpu);
    printf("RUNNEL_RATE=%.0f RUNNEL_BEST=%.0f RUNNEL_CPU_RATE=%.0f RUNNEL_RSS_WARM=%ld "
           "RUNNEL_RSS_MID=%ld RUNNEL_RSS_END=%ld\n",
           (double)evals / elapsed, best, (double)evals / cpu, rss_warm, rss_mid, rss_end);
    for (size_t i = 0; i < n; i++) {
        xfree(cases[i].src);
        xfree(cases[i].names);
    }
    xfree(cases);
    arena_release(&scratch);
    arena_release(&ctx_arena);
    return 0;
}
