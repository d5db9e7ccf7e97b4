#ifndef EXEC_INTERNAL_H
#define EXEC_INTERNAL_H

/* Declarations shared by the files of exec/ (not part of its public API). */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "exec/exec.h"
#include "util/sbuf.h"

/* Where a child failed before execve; sent over the status pipe. */
enum spawn_stage {
    SPAWN_STAGE_SETSID = 1,
    SPAWN_STAGE_DUP2,
    SPAWN_STAGE_CHDIR,
    SPAWN_STAGE_EXEC,
    SPAWN_STAGE_LANDLOCK,
};

struct spawn_failure {
    int stage; /* enum spawn_stage */
    int errnum;
};

/* Everything a child needs, prepared before fork (B7.1). All fds must be valid. */
struct spawn_plan {
    const char *path; /* resolved program path */
    char *const *argv;
    char *const *envp;
    const char *cwd;  /* NULL: stay */
    int fd[3];        /* become the child's 0, 1, 2 */
    int landlock_abi; /* >= 6: the child enters its own Landlock signal scope */
};

/*
 * Forks and execs plan. Returns the pid (> 0), or -1 with *fail filled (fail->stage 0 and
 * errnum set when fork or pipe2 failed). A child that failed before exec has been reaped.
 */
pid_t proc_spawn_plan(const struct spawn_plan *plan, struct spawn_failure *fail);

/* Fills err with a message for a failed spawn of prog. Returns the code it set. */
int proc_spawn_error(struct err *err, const struct spawn_failure *fail, const char *prog,
                     const char *cwd);

/* Resolves prog against PATH in envp (or a default PATH). Appends the result to out. */
void proc_resolve(struct sbuf *out, const char *prog, const char *const *envp);

/* CLOCK_MONOTONIC in seconds. */
double proc_now(void);

/* Closes *fd when >= 0 and sets it to -1. */
void proc_close_fd(int *fd);

/* Sandboxed processes: the proc_* calls forward to these when p->sandbox is set. */
int sandbox_proc_poll_fd(const struct proc *p);
int sandbox_proc_try_wait(struct proc *p, bool *done, struct err *err);
int sandbox_proc_signal(struct proc *p, int sig, struct err *err);
void sandbox_proc_abandon(struct proc *p);

/* Landlock (landlock.c): the ABI version, 0 when unavailable. */
int sandbox_landlock_abi(void);

/*
 * Applies a Landlock ruleset allowing writes only beneath rw_paths (NULL-terminated) and to the
 * character devices in dev_paths; with block_tcp (ABI >= 4) also denies TCP bind/connect; with
 * scope_signals (ABI >= 6) denies signalling processes outside the domain. Async-signal-safe:
 * only system calls. Returns 0 or -errno.
 */
int sandbox_landlock_apply(int abi, const char *const *rw_paths, const char *const *dev_paths,
                           bool block_tcp, bool scope_signals);

/*
 * Puts the caller in a nested Landlock domain that only scopes signals (ABI >= 6): it can no
 * longer signal processes outside it, such as the sandbox init. Async-signal-safe.
 */
int sandbox_landlock_scope_signals(void);

/* Seccomp (seccomp.c): a compiled classic-BPF filter. */
struct sandbox_bpf {
    void *filter; /* struct sock_filter array, xmalloc'd */
    size_t len;   /* number of instructions */
};

/*
 * Compiles the deny list; with strict also namespace creation and ptrace; with no_inet (network
 * none without a network namespace) also every socket but AF_UNIX ones, and io_uring, which can
 * make sockets the filter never sees. 0 or err.
 */
int sandbox_seccomp_compile(struct sandbox_bpf *out, bool strict, bool no_inet, struct err *err);
void sandbox_seccomp_release(struct sandbox_bpf *prog);
/* Loads the filter into the calling thread (no_new_privs must be set). 0 or -errno. */
int sandbox_seccomp_load(const struct sandbox_bpf *prog);
bool sandbox_seccomp_available(void);

#endif
