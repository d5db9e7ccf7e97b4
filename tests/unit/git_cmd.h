#ifndef TESTS_GIT_CMD_H
#define TESTS_GIT_CMD_H

/*
 * The git command for the tests of src/git/, which check what git.h reads and writes against
 * what git itself prints. Run through src/exec/ (the test links rn_exec, tests/cmake/git*.cmake),
 * with HOME in the test's folder, no system configuration, the C locale and the identity the
 * caller adds in extra_env.
 */

#include <stdio.h>

#include "exec/exec.h"
#include "harness.h"
#include "util/sbuf.h"

#define GIT_CMD_OUTPUT_MAX (64u << 20)

/*
 * Runs git with argv (argv[0] is "git"; NULL-terminated) and the NULL-terminated extra_env;
 * appends its stdout to out when out is not NULL. Returns git's exit status, -1 (said on stderr)
 * when it did not run or did not finish within a minute.
 */
static inline int git_cmd(struct sbuf *out, const char *const *extra_env, const char *const *argv)
{
    const char *envp[24];
    size_t n = 0;
    struct sbuf home = SBUF_INIT;
    sbuf_addf(&home, "HOME=%s", harness_tmpdir());
    envp[n++] = home.buf;
    envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    envp[n++] = "GIT_CONFIG_NOSYSTEM=1";
    envp[n++] = "LC_ALL=C";
    for (size_t i = 0; extra_env && extra_env[i] && n < 23; i++)
        envp[n++] = extra_env[i];
    envp[n] = NULL;
    struct proc p = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    o.argv = argv;
    o.envp = envp;
    o.flags = PROC_CAPTURE_STDOUT;
    struct err err = ERR_INIT;
    struct sbuf sink = SBUF_INIT;
    int status = -1;
    if (proc_start(&p, &o, &err) == 0 &&
        sbuf_read_fd(out ? out : &sink, p.out_fd, GIT_CMD_OUTPUT_MAX, &err) == 0) {
        struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
        w.timeout_s = 60;
        if (proc_wait(&p, &w, &err) == 0 && p.result.exited)
            status = p.result.code;
    }
    if (status < 0)
        fprintf(stderr, "git %s: %s\n", argv[1] ? argv[1] : "", err.msg);
    proc_release(&p);
    sbuf_release(&sink);
    sbuf_release(&home);
    return status;
}

#endif
