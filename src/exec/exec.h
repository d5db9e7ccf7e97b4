#ifndef EXEC_EXEC_H
#define EXEC_EXEC_H

/*
 * exec: starting processes, waiting for them, killing their whole tree, and the sandbox that
 * steps run in. This module holds the only fork()/clone() in the tree and all Linux-specific
 * code (namespaces, seccomp, Landlock, rlimits, cgroups).
 *
 * A process that ends badly (non-zero exit, signal, timeout) is data, not an error: it is
 * reported in struct proc_result. struct err is only for the engine failing (cannot fork,
 * cannot set up the sandbox, the program to run does not exist).
 *
 * Plain processes (no sandbox):
 *   1. struct proc p = PROC_INIT;
 *      struct proc_opts o = PROC_OPTS_INIT; o.argv = av; o.envp = env; o.cwd = dir; ...
 *   2. proc_start(&p, &o, &err)          everything is prepared before fork; the child calls
 *                                        setsid(), dup2s its stdio, closes every other fd, chdirs
 *                                        and execs; an exec failure comes back as an err
 *   3. either proc_wait(&p, &wopts, &err) to block until the process ends (with a timeout, a
 *      cancel fd and a callback for captured output), or drive it from your own poll() loop:
 *      proc_poll_fd(&p) becomes readable when the process may have ended, proc_try_wait()
 *      collects the result without blocking, proc_signal()/proc_kill() end the tree
 *   4. read p.result
 *   5. proc_release(&p)                  closes the fds (and kills and reaps a process that is
 *                                        still running)
 *
 * Sandboxed processes (one sandbox per job, many steps in it):
 *   1. sandbox_host_new(&host, SANDBOX_DEFAULT, &err)   once per run: probes what the kernel
 *      offers, picks the strongest tier the level allows and compiles the seccomp filter;
 *      sandbox_host_describe() says what is in force (log it once per run)
 *   2. sandbox_new(&sb, host, &sopts, &err)    once per job: clones an init process into fresh
 *      namespaces, builds the file system view, applies no_new_privs, the capability drop,
 *      rlimits, Landlock and seccomp to the init, and waits until it is ready
 *   3. sandbox_start(sb, &p, &o, &err)         per step: the init starts the step (a cheap fork
 *      inside the sandbox, which inherits every restriction); then use the proc_* calls above
 *   4. sandbox_free(sb)                        kills everything still running inside and removes
 *      the sandbox's scratch directories
 *   5. sandbox_host_free(host)
 *
 * Ownership: the caller owns struct proc (usually on its stack) and the fds it passes in
 * proc_opts (they are duplicated into the child, never closed). The read ends of captured
 * pipes belong to the proc and are closed by proc_release(). Strings in the option structs are
 * borrowed for the duration of the call.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"
#include "util/sbuf.h"

struct sandbox;
struct sandbox_host;

enum proc_flags {
    PROC_CAPTURE_STDOUT = 1u << 0, /* stdout goes to a pipe; read it from proc.out_fd */
    PROC_CAPTURE_STDERR = 1u << 1, /* stderr goes to a pipe; read it from proc.err_fd */
    PROC_MERGE_STDERR = 1u << 2,   /* stderr goes wherever stdout goes */
};

struct proc_opts {
    /*
     * argv[0] is the program: a path, or a name looked up in the PATH of envp (or
     * /usr/local/bin:/usr/bin:/bin when envp has none). NULL-terminated.
     */
    const char *const *argv;
    /* The complete environment, NULL-terminated; NULL means empty. Never inherited (B7.5). */
    const char *const *envp;
    const char *cwd; /* working directory; NULL keeps the caller's (or / in a sandbox) */
    int stdin_fd;    /* -1: /dev/null */
    int stdout_fd;   /* -1: /dev/null unless PROC_CAPTURE_STDOUT */
    int stderr_fd;   /* -1: /dev/null unless PROC_CAPTURE_STDERR or PROC_MERGE_STDERR */
    unsigned flags;  /* enum proc_flags */
};

#define PROC_OPTS_INIT ((struct proc_opts){.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1})

/* How a process ended. Exactly one of exited/signaled is true once the process is reaped. */
struct proc_result {
    bool exited;    /* it called exit(): see code */
    int code;       /* exit status 0-255 when exited */
    bool signaled;  /* it was killed by a signal: see signal */
    int signal;     /* the signal number when signaled */
    bool timed_out; /* we killed it because its timeout passed */
    bool cancelled; /* we killed it because the cancel fd became readable */
    double seconds; /* wall-clock run time from start to reaping */
};

struct proc {
    pid_t pid;               /* in the caller's pid namespace; 0 before start (or when sandboxed) */
    int pidfd;               /* pidfd of a plain process; -1 for a sandboxed one */
    int out_fd;              /* read end of the stdout pipe with PROC_CAPTURE_STDOUT, else -1 */
    int err_fd;              /* read end of the stderr pipe with PROC_CAPTURE_STDERR, else -1 */
    struct sandbox *sandbox; /* borrowed: the sandbox that runs it, or NULL */
    bool is_running;         /* started and not yet reaped */
    double started_at;       /* CLOCK_MONOTONIC seconds */
    struct proc_result result; /* valid once is_running turned false after a start */
};

#define PROC_INIT ((struct proc){.pidfd = -1, .out_fd = -1, .err_fd = -1})

/*
 * Starts a plain (unsandboxed) process. Returns 0, or ERR_NOTFOUND when the program cannot be
 * found or executed (the message names it and says why), ERR_IO when fork or pipes fail.
 */
int proc_start(struct proc *p, const struct proc_opts *o, struct err *err);

/*
 * The fd that becomes readable when the process may have ended (a pidfd, or the sandbox's
 * control socket). Poll it together with out_fd/err_fd, then call proc_try_wait().
 */
int proc_poll_fd(const struct proc *p);

/*
 * Collects the result without blocking. Sets *done to true (and fills p->result) when the
 * process has ended. Returns 0, or ERR_IO when the sandbox init went away.
 */
int proc_try_wait(struct proc *p, bool *done, struct err *err);

/*
 * Sends sig to the process's whole tree: its process group outside a sandbox; inside a sandbox
 * the step's process group for SIGTERM and every process in the sandbox for SIGKILL.
 */
int proc_signal(struct proc *p, int sig, struct err *err);

/*
 * Ends the tree: SIGTERM, up to grace_s seconds for the process to leave, then SIGKILL; then
 * reaps it, and (outside a sandbox) waits until no live process is left in its group. Blocks
 * for at most grace_s + 7 seconds (SIGKILL only waits on uninterruptible sleeps). 0 or ERR_IO.
 */
int proc_kill(struct proc *p, double grace_s, struct err *err);

/* Where proc_wait sends captured output: stream is 1 or 2; data is borrowed for the call. */
typedef void (*proc_output_fn)(int stream, const char *data, size_t len, void *payload);

struct proc_wait_opts {
    double timeout_s;         /* <= 0: no timeout; fractions allowed */
    double grace_s;           /* SIGTERM to SIGKILL on timeout or cancel; <= 0 means 5 s */
    int cancel_fd;            /* -1, or an fd that becomes readable to request cancellation */
    proc_output_fn on_output; /* NULL discards captured output */
    void *payload;            /* passed to on_output */
};

#define PROC_WAIT_OPTS_INIT ((struct proc_wait_opts){.cancel_fd = -1})

/*
 * Blocks until the process has ended, forwarding captured output to on_output until the pipes
 * reach EOF (or, once the process has ended, until they have nothing more to read). On timeout
 * or cancel it kills the tree (proc_kill) and sets result.timed_out or result.cancelled.
 * Returns 0 (the result is in p->result) or ERR_IO.
 */
int proc_wait(struct proc *p, const struct proc_wait_opts *w, struct err *err);

/* Closes the fds; a process still running is killed with SIGKILL and reaped. Idempotent. */
void proc_release(struct proc *p);

/* Fills *res from a waitpid status. */
void proc_result_from_status(struct proc_result *res, int status);

/* ------------------------------------------------------------------------------------------ */
/* The sandbox                                                                                */

/* What the user asks for (--sandbox). */
enum sandbox_level {
    SANDBOX_NONE,    /* plain processes */
    SANDBOX_DEFAULT, /* the strongest tier available, falling back in order, with a warning */
    SANDBOX_STRICT,  /* namespaces are required (fails instead of falling back); also forbids
                        new namespaces, ptrace and /sys inside */
};

/* What is in force after probing, strongest first. */
enum sandbox_tier {
    SANDBOX_TIER_USERNS,   /* user + mount + pid + ipc + uts (+ net) namespaces, not root */
    SANDBOX_TIER_NS,       /* mount + pid + ipc + uts (+ net) namespaces, as root */
    SANDBOX_TIER_RESTRICT, /* no namespaces: Landlock, seccomp, no_new_privs, rlimits */
    SANDBOX_TIER_NONE,     /* plain processes */
};

enum sandbox_network {
    SANDBOX_NET_HOST, /* share the host's network (the default, as on GitHub) */
    SANDBOX_NET_NONE, /* a network namespace with only lo (or Landlock TCP rules without one) */
};

/* Parses "strict", "default" or "none". Returns 0 or ERR_INVALID naming the bad value. */
int sandbox_level_parse(enum sandbox_level *out, const char *s, struct err *err);
const char *sandbox_level_name(enum sandbox_level level);
const char *sandbox_tier_name(enum sandbox_tier tier);

/*
 * Probes the host once per run and compiles the seccomp filter. Fails (ERR_FAIL) only for
 * SANDBOX_STRICT when namespaces are unavailable; SANDBOX_DEFAULT falls back tier by tier.
 */
int sandbox_host_new(struct sandbox_host **out, enum sandbox_level level, struct err *err);
void sandbox_host_free(struct sandbox_host *host);
enum sandbox_tier sandbox_host_tier(const struct sandbox_host *host);
/* Appends one line saying the level, the tier and each mechanism in force (or why not). */
void sandbox_host_describe(const struct sandbox_host *host, struct sbuf *out);
/* Forces a weaker tier than the probe found (tests and the fall-back path use it). */
int sandbox_host_set_tier(struct sandbox_host *host, enum sandbox_tier tier, struct err *err);

/* Resource limits; 0 leaves a limit as inherited. */
struct sandbox_limits {
    uint64_t nofile;     /* RLIMIT_NOFILE (open files) */
    uint64_t nproc;      /* RLIMIT_NPROC (processes of the user) */
    uint64_t fsize;      /* RLIMIT_FSIZE, bytes */
    uint64_t core;       /* RLIMIT_CORE, bytes; UINT64_MAX for "0" */
    uint64_t memory_max; /* cgroup memory limit, bytes */
    uint64_t pids_max;   /* cgroup process limit */
    double cpus;         /* cgroup CPU quota in CPUs (1.5 = one and a half) */
};

struct sandbox_opts {
    const char *workspace;       /* writable, bound at the same path; required */
    const char *temp_dir;        /* writable, bound at the same path (RUNNER_TEMP); required */
    const char *const *rw_paths; /* more writable paths, NULL-terminated, or NULL */
    const char *const *ro_paths; /* more read-only paths (tool caches, the runnel binary) */
    enum sandbox_network network;
    const char *home;     /* a fresh, empty, writable directory (tmpfs) at this path for the
                             steps' HOME, as GitHub's runners have one; NULL: none */
    const char *home_dir; /* with home: this host directory is bound writable there instead of
                             a tmpfs, so that the engine sees what steps leave in their home
                             (actions/cache of ~/.npm); it should start empty */
    const char *hostname; /* NULL: "runnel" */
    struct sandbox_limits limits;
    /*
     * false (the default): when a step's main process ends, the init kills everything else
     * the step left running, so nothing a step starts survives it. true: background processes
     * live on until sandbox_free(), as GitHub's runner keeps them until the job ends.
     */
    bool keep_background;
};

/*
 * Starts a sandbox for one job. With tier NONE nothing is started and sandbox_start() is
 * proc_start(). When building the sandbox fails at the host's tier and the level is default,
 * the host falls back to the next tier for the rest of the run (sandbox_host_describe() then
 * says why) and this tries again. Returns 0, or ERR_IO/ERR_FAIL with the stage that failed.
 */
int sandbox_new(struct sandbox **out, struct sandbox_host *host, const struct sandbox_opts *o,
                struct err *err);

/*
 * Starts one process inside the sandbox (one at a time: ERR_INVALID while another runs). The
 * fds in o are passed to the init, which gives them to the step. On success p->sandbox is set
 * and the proc_* calls work as for plain processes.
 */
int sandbox_start(struct sandbox *sb, struct proc *p, const struct proc_opts *o, struct err *err);

enum sandbox_tier sandbox_tier(const struct sandbox *sb);
/* Appends what is in force for this sandbox (tier, network, cgroup backend). */
void sandbox_describe(const struct sandbox *sb, struct sbuf *out);

/* Kills everything inside, reaps the init and removes the scratch root. Accepts NULL. */
void sandbox_free(struct sandbox *sb);

#endif
