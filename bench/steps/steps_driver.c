/*
 * bench/steps driver (built only for the benchmark, by run.sh). The workflow runner does not
 * exist yet, so this drives runnel's exec module the way the step runner will for a job of N
 * `run: true` steps: one sandbox per job, then per step a script file written into the job's
 * temp directory and `bash --noprofile --norc -eo pipefail <script>` started in the sandbox
 * with stdout and stderr captured, waited for with a timeout.
 *
 *   steps_driver LEVEL N      LEVEL is strict, default or none
 * Prints "setup <seconds>" and "steps <seconds>" (wall clock) on stdout.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "util/path.h"
#include "util/sbuf.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void discard(int stream, const char *data, size_t len, void *payload)
{
    (void)stream;
    (void)data;
    (void)len;
    (void)payload;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: steps_driver strict|default|none N\n");
        return 2;
    }
    struct err err = ERR_INIT;
    enum sandbox_level level;
    if (sandbox_level_parse(&level, argv[1], &err) < 0) {
        fprintf(stderr, "steps_driver: %s\n", err.msg);
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    struct sbuf root = SBUF_INIT, ws = SBUF_INIT, tmp = SBUF_INIT, script = SBUF_INIT;
    if (fs_mkdtemp(&root, "/tmp/runnel-bench-steps-XXXXXX", &err) < 0) {
        fprintf(stderr, "steps_driver: %s\n", err.msg);
        return 1;
    }
    sbuf_addf(&ws, "%s/ws", root.buf);
    sbuf_addf(&tmp, "%s/tmp", root.buf);
    fs_mkdirs(ws.buf, 0755, &err);
    fs_mkdirs(tmp.buf, 0700, &err);

    double t0 = now();
    struct sandbox_host *host = NULL;
    struct sandbox *sb = NULL;
    struct sandbox_opts so = {.workspace = ws.buf, .temp_dir = tmp.buf};
    if (sandbox_host_new(&host, level, &err) < 0 || sandbox_new(&sb, host, &so, &err) < 0) {
        fprintf(stderr, "steps_driver: %s\n", err.msg);
        return 1;
    }
    double t1 = now();
    struct sbuf d = SBUF_INIT;
    sandbox_host_describe(host, &d);
    fprintf(stderr, "%s\n", d.buf);
    sbuf_release(&d);

    const char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "CI=true",
                                "GITHUB_ACTIONS=true", NULL};
    for (long i = 0; i < n; i++) {
        sbuf_reset(&script);
        sbuf_addf(&script, "%s/step-XXXXXX.sh", tmp.buf);
        int fd = mkstemps(script.buf, 3);
        if (fd < 0 || write(fd, "true\n", 5) != 5) {
            perror("steps_driver: script");
            return 1;
        }
        close(fd);
        const char *const av[] = {"bash",     "--noprofile", "--norc", "-eo",
                                  "pipefail", script.buf,    NULL};
        struct proc p = PROC_INIT;
        struct proc_opts o = PROC_OPTS_INIT;
        o.argv = av;
        o.envp = envp;
        o.cwd = ws.buf;
        o.flags = PROC_CAPTURE_STDOUT | PROC_CAPTURE_STDERR;
        if (sandbox_start(sb, &p, &o, &err) < 0) {
            fprintf(stderr, "steps_driver: %s\n", err.msg);
            return 1;
        }
        struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
        w.timeout_s = 60;
        w.on_output = discard;
        if (proc_wait(&p, &w, &err) < 0 || !p.result.exited || p.result.code != 0) {
            fprintf(stderr, "steps_driver: step %ld failed %s\n", i, err.msg);
            return 1;
        }
        proc_release(&p);
        unlink(script.buf);
    }
    double t2 = now();
    sandbox_free(sb);
    sandbox_host_free(host);
    fs_remove_tree(root.buf, &err);
    printf("setup %.6f\nsteps %.6f\n", t1 - t0, t2 - t1);
    sbuf_release(&root);
    sbuf_release(&ws);
    sbuf_release(&tmp);
    sbuf_release(&script);
    return 0;
}
