#include "exec/exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/internal.h"
#include "util/path.h"
#include "util/xalloc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

double proc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void proc_close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

void proc_resolve(struct sbuf *out, const char *prog, const char *const *envp)
{
    if (strchr(prog, '/')) {
        sbuf_addstr(out, prog);
        return;
    }
    const char *path = DEFAULT_PATH;
    for (size_t i = 0; envp && envp[i]; i++) {
        if (!strncmp(envp[i], "PATH=", 5)) {
            path = envp[i] + 5;
            break;
        }
    }
    if (fs_search_path(out, path, prog))
        return;
    sbuf_addstr(out, prog); /* execve reports ENOENT with the name the user gave */
}

/*
 * The child between fork and execve: only async-signal-safe system calls (B7.1). Failures go
 * back over the close-on-exec status pipe as {stage, errno}; then _exit(127), never exit().
 */
static _Noreturn void child_fail(int status_fd, int stage)
{
    struct spawn_failure f = {.stage = stage, .errnum = errno};
    ssize_t n = write(status_fd, &f, sizeof(f));
    (void)n;
    _exit(127);
}

static _Noreturn void child_exec(const struct spawn_plan *pl, int status_fd)
{
    /* B7.2: every handler back to the default (ignored ones too: a step must see SIGPIPE). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);

    /* B7.3: own session and process group, so the whole tree can be signalled as one. */
    if (setsid() < 0)
        child_fail(status_fd, SPAWN_STAGE_SETSID);

    /* Move the sources above 2 first so that dup2 onto 0-2 never clobbers a later source. */
    int tmp[3];
    for (int i = 0; i < 3; i++) {
        tmp[i] = fcntl(pl->fd[i], F_DUPFD_CLOEXEC, 3);
        if (tmp[i] < 0)
            child_fail(status_fd, SPAWN_STAGE_DUP2);
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(tmp[i], i) < 0)
            child_fail(status_fd, SPAWN_STAGE_DUP2);
    }
    /* closefrom(3), keeping only the status pipe (close-on-exec, so exec closes it). */
    if (status_fd > 3)
        syscall(SYS_close_range, 3u, (unsigned)status_fd - 1, 0u);
    syscall(SYS_close_range, (unsigned)status_fd + 1, ~0u, 0u);

    if (pl->landlock_abi >= 6 && sandbox_landlock_scope_signals() < 0)
        child_fail(status_fd, SPAWN_STAGE_LANDLOCK);

    if (pl->cwd && chdir(pl->cwd) < 0)
        child_fail(status_fd, SPAWN_STAGE_CHDIR);

    /* A step starts with no blocked signals, whatever the engine had blocked. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(pl->path, pl->argv, pl->envp);
    child_fail(status_fd, SPAWN_STAGE_EXEC);
}

pid_t proc_spawn_plan(const struct spawn_plan *pl, struct spawn_failure *fail)
{
    int st[2];
    memset(fail, 0, sizeof(*fail));
    if (pipe2(st, O_CLOEXEC) < 0) {
        fail->errnum = errno;
        return -1;
    }
    /* B7.2: block every signal around fork so no handler runs in the child before reset. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(pl, st[1]);
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(st[1]);
    if (pid < 0) {
        close(st[0]);
        fail->errnum = fork_errno;
        return -1;
    }
    struct spawn_failure f;
    ssize_t n;
    do {
        n = read(st[0], &f, sizeof(f));
    } while (n < 0 && errno == EINTR);
    close(st[0]);
    if (n == (ssize_t)sizeof(f)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        *fail = f;
        return -1;
    }
    return pid; /* EOF: execve succeeded and closed the pipe */
}

int proc_spawn_error(struct err *err, const struct spawn_failure *fail, const char *prog,
                     const char *cwd)
{
    const char *why = strerror(fail->errnum);
    switch (fail->stage) {
    case SPAWN_STAGE_EXEC:
        return err_set(err, ERR_NOTFOUND, "cannot run '%s': %s", prog, why);
    case SPAWN_STAGE_CHDIR:
        return err_set(err, ERR_NOTFOUND, "cannot change to directory '%s': %s", cwd ? cwd : "",
                       why);
    case SPAWN_STAGE_DUP2:
        return err_set(err, ERR_IO, "cannot set up the standard streams of '%s': %s", prog, why);
    case SPAWN_STAGE_LANDLOCK:
        return err_set(err, ERR_IO, "cannot scope the signals of '%s': %s", prog, why);
    case SPAWN_STAGE_SETSID:
        return err_set(err, ERR_IO, "cannot start a session for '%s': %s", prog, why);
    default:
        return err_set(err, ERR_IO, "cannot fork for '%s': %s", prog, why);
    }
}

void proc_result_from_status(struct proc_result *res, int status)
{
    res->exited = WIFEXITED(status);
    res->code = res->exited ? WEXITSTATUS(status) : 0;
    res->signaled = WIFSIGNALED(status);
    res->signal = res->signaled ? WTERMSIG(status) : 0;
}

int proc_start(struct proc *p, const struct proc_opts *o, struct err *err)
{
    int rc = 0;
    int devnull = -1;
    int out[2] = {-1, -1};
    int errp[2] = {-1, -1};
    struct sbuf path = SBUF_INIT;
    static const char *const empty_env[] = {NULL};

    if (!o->argv || !o->argv[0])
        BUG("proc_start without argv");
    *p = PROC_INIT;
    if (o->stdin_fd < 0 || (o->stdout_fd < 0 && !(o->flags & PROC_CAPTURE_STDOUT)) ||
        (o->stderr_fd < 0 && !(o->flags & (PROC_CAPTURE_STDERR | PROC_MERGE_STDERR)))) {
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0) {
            rc = err_errno(err, "cannot open '/dev/null'");
            goto done;
        }
    }
    if ((o->flags & PROC_CAPTURE_STDOUT) && pipe2(out, O_CLOEXEC) < 0) {
        rc = err_errno(err, "cannot create a pipe");
        goto done;
    }
    if ((o->flags & PROC_CAPTURE_STDERR) && !(o->flags & PROC_MERGE_STDERR) &&
        pipe2(errp, O_CLOEXEC) < 0) {
        rc = err_errno(err, "cannot create a pipe");
        goto done;
    }
    const char *const *envp = o->envp ? o->envp : empty_env;
    proc_resolve(&path, o->argv[0], envp);

    struct spawn_plan pl = {.path = path.buf,
                            .argv = (char *const *)o->argv,
                            .envp = (char *const *)envp,
                            .cwd = o->cwd};
    pl.fd[0] = o->stdin_fd >= 0 ? o->stdin_fd : devnull;
    pl.fd[1] = out[1] >= 0 ? out[1] : o->stdout_fd >= 0 ? o->stdout_fd : devnull;
    if (o->flags & PROC_MERGE_STDERR)
        pl.fd[2] = pl.fd[1];
    else
        pl.fd[2] = errp[1] >= 0 ? errp[1] : o->stderr_fd >= 0 ? o->stderr_fd : devnull;

    double t0 = proc_now();
    struct spawn_failure fail;
    pid_t pid = proc_spawn_plan(&pl, &fail);
    if (pid < 0) {
        rc = proc_spawn_error(err, &fail, o->argv[0], o->cwd);
        goto done;
    }
    p->pid = pid;
    p->started_at = t0;
    p->is_running = true;
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    p->out_fd = out[0];
    out[0] = -1;
    p->err_fd = errp[0];
    errp[0] = -1;

done:
    proc_close_fd(&devnull);
    proc_close_fd(&out[0]);
    proc_close_fd(&out[1]);
    proc_close_fd(&errp[0]);
    proc_close_fd(&errp[1]);
    sbuf_release(&path);
    return rc;
}

int proc_poll_fd(const struct proc *p)
{
    if (p->sandbox)
        return sandbox_proc_poll_fd(p);
    return p->pidfd;
}

static void finish(struct proc *p, int status)
{
    proc_result_from_status(&p->result, status);
    p->result.seconds = proc_now() - p->started_at;
    p->is_running = false;
    proc_close_fd(&p->pidfd);
}

int proc_try_wait(struct proc *p, bool *done, struct err *err)
{
    *done = !p->is_running;
    if (!p->is_running)
        return 0;
    if (p->sandbox) {
        int rc = sandbox_proc_try_wait(p, done, err);
        if (*done)
            p->result.seconds = proc_now() - p->started_at;
        return rc;
    }
    int status;
    pid_t r;
    do {
        r = waitpid(p->pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return err_errno(err, "cannot wait for process %d", (int)p->pid);
    if (r == p->pid) {
        finish(p, status);
        *done = true;
    }
    return 0;
}

int proc_signal(struct proc *p, int sig, struct err *err)
{
    if (!p->is_running)
        return 0;
    if (p->sandbox)
        return sandbox_proc_signal(p, sig, err);
    /*
     * The child called setsid(), so its pid is its process group: signal the group first (the
     * tree that stayed in it), then the process itself through its pidfd in case it changed
     * group. The leader is not reaped yet, so its pid cannot have been reused.
     */
    if (kill(-p->pid, sig) < 0 && errno != ESRCH)
        return err_errno(err, "cannot signal process group %d", (int)p->pid);
    if (p->pidfd >= 0)
        syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0);
    return 0;
}

/* Waits up to seconds for the process to end; true when it did. */
static bool wait_until_done(struct proc *p, double seconds, struct err *err)
{
    double deadline = proc_now() + seconds;
    for (;;) {
        bool done = false;
        if (proc_try_wait(p, &done, err) < 0 || done)
            return done;
        double left = deadline - proc_now();
        if (left <= 0)
            return false;
        struct pollfd pfd = {.fd = proc_poll_fd(p), .events = POLLIN};
        int ms = (int)(left * 1000) + 1;
        if (pfd.fd < 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        } else {
            poll(&pfd, 1, ms > 50 ? 50 : ms);
        }
    }
}

/*
 * True while a process of group pgid is alive. Zombies do not count: orphans are reaped by
 * whichever init adopted them, which may be slow to do it (or never do it in a container whose
 * pid 1 does not reap), and a zombie holds nothing.
 */
static bool group_has_live_members(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (!d)
        return false;
    bool live = false;
    struct dirent *de;
    while (!live && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300];
        char buf[512];
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        const char *rp = strrchr(buf, ')'); /* the command name may hold spaces */
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z' && state != 'X')
            live = true;
    }
    closedir(d);
    return live;
}

int proc_kill(struct proc *p, double grace_s, struct err *err)
{
    if (!p->is_running)
        return 0;
    int rc = proc_signal(p, SIGTERM, err);
    if (rc < 0)
        return rc;
    if (grace_s > 0 && wait_until_done(p, grace_s, err))
        goto done;
    rc = proc_signal(p, SIGKILL, err);
    if (rc < 0)
        return rc;
    if (wait_until_done(p, 5.0, err))
        goto done;
    if (p->sandbox) {
        sandbox_proc_abandon(p);
        goto done;
    }
    /* SIGKILL cannot be ignored: only an uninterruptible sleep delays it. Reap blocking. */
    int status;
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
    }
    finish(p, status);
done:
    /* Whatever is left of the group once the leader is gone; then wait (bounded) until the
       group is empty, so that "killed" means gone when we return. */
    if (!p->sandbox && p->pid > 0) {
        double until = proc_now() + 2.0;
        while (kill(-p->pid, SIGKILL) == 0 && group_has_live_members(p->pid) &&
               proc_now() < until) {
            struct timespec ts = {0, 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

static void read_pipe(int *fd, int stream, const struct proc_wait_opts *w, bool *got)
{
    char buf[65536];
    ssize_t n;
    do {
        n = read(*fd, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *got = true;
        if (w->on_output)
            w->on_output(stream, buf, (size_t)n, w->payload);
        return;
    }
    if (n < 0 && errno == EAGAIN)
        return;
    proc_close_fd(fd); /* EOF or error: the stream is over */
}

int proc_wait(struct proc *p, const struct proc_wait_opts *w, struct err *err)
{
    double grace = w->grace_s > 0 ? w->grace_s : 5.0;
    double deadline = w->timeout_s > 0 ? p->started_at + w->timeout_s : 0;
    for (;;) {
        struct pollfd pfd[4];
        int idx_proc = -1, idx_out = -1, idx_err = -1, idx_cancel = -1;
        int n = 0;
        if (p->is_running && proc_poll_fd(p) >= 0) {
            idx_proc = n;
            pfd[n++] = (struct pollfd){.fd = proc_poll_fd(p), .events = POLLIN};
        }
        if (p->out_fd >= 0) {
            idx_out = n;
            pfd[n++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
        }
        if (p->err_fd >= 0) {
            idx_err = n;
            pfd[n++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
        }
        if (p->is_running && w->cancel_fd >= 0) {
            idx_cancel = n;
            pfd[n++] = (struct pollfd){.fd = w->cancel_fd, .events = POLLIN};
        }
        if (!p->is_running && idx_out < 0 && idx_err < 0)
            break;
        int ms = -1;
        if (!p->is_running) {
            ms = 0; /* only drain what is already there: a background child may hold the pipe */
        } else if (deadline > 0) {
            double left = deadline - proc_now();
            ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
        }
        if (p->is_running && idx_proc < 0 && (ms < 0 || ms > 50))
            ms = 50; /* no pidfd (very old kernel): poll the wait status */
        int r = poll(pfd, (nfds_t)n, ms);
        if (r < 0 && errno != EINTR)
            return err_errno(err, "cannot poll");
        bool got = false;
        if (r > 0) {
            if (idx_out >= 0 && pfd[idx_out].revents)
                read_pipe(&p->out_fd, 1, w, &got);
            if (idx_err >= 0 && pfd[idx_err].revents)
                read_pipe(&p->err_fd, 2, w, &got);
            if (idx_cancel >= 0 && pfd[idx_cancel].revents) {
                p->result.cancelled = true;
                int rc = proc_kill(p, grace, err);
                if (rc < 0)
                    return rc;
                continue;
            }
        }
        if (p->is_running) {
            bool done = false;
            int rc = proc_try_wait(p, &done, err);
            if (rc < 0)
                return rc;
            if (!done && deadline > 0 && proc_now() >= deadline) {
                p->result.timed_out = true;
                rc = proc_kill(p, grace, err);
                if (rc < 0)
                    return rc;
            }
        } else if (r == 0 || !got) {
            if (r == 0)
                break;
        }
    }
    proc_close_fd(&p->out_fd);
    proc_close_fd(&p->err_fd);
    return 0;
}

void proc_release(struct proc *p)
{
    if (p->is_running) {
        struct err err = ERR_INIT;
        proc_kill(p, 0, &err);
    }
    proc_close_fd(&p->pidfd);
    proc_close_fd(&p->out_fd);
    proc_close_fd(&p->err_fd);
}
