/*
 * The sandbox init: what runs inside the clone made by sandbox_new(). It builds the sandbox in
 * one fixed order (B7.10), then serves the engine's requests until the control socket closes.
 *
 * Set-up order and why:
 *   1. fds: only the control socket and /dev/null on 0-2 survive (closefrom)
 *   2. user namespace maps (when not root): map the engine's uid to 0 inside, so that the
 *      mounts below are allowed; setgroups is denied first as the kernel requires
 *   3. non-dumpable, runnel's arguments and environment wiped (hide_memory): the steps run as
 *      our uid and must not read our memory through /proc; then wait for GO: the engine has
 *      placed us in the job's cgroups meanwhile
 *   4. mounts, in the plan's order, on a tmpfs that becomes the root (pivot_root); the old
 *      root is detached and the new root made read-only
 *   5. lo up in a fresh network namespace; the hostname
 *   6. rlimits (they can only be lowered here: root lacks CAP_SYS_RESOURCE on these hosts)
 *   7. Landlock (sets no_new_privs, which it requires); writes only to the workspace, the
 *      temp dir, /tmp and a few devices
 *   8. capabilities: the bounding set, the ambient set, then permitted/effective/inheritable;
 *      with an empty bounding set even uid 0 gains nothing from execve
 *   9. seccomp last, because its deny list forbids the mount calls above
 * Every step the init forks inherits all of this; starting one costs a fork and an execve.
 *
 * The engine is single-threaded and the init never calls execve itself, so the init is an
 * ordinary single-threaded process after the clone and may allocate; the steps it starts go
 * through proc_spawn_plan(), whose child only makes async-signal-safe calls.
 */
#include "exec/sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/str.h"
#include "util/xalloc.h"

const char *const sandbox_stage_names[SANDBOX_STAGE_COUNT] = {
    "user namespace", "mounts",       "pivot_root", "network", "hostname",
    "rlimits",        "capabilities", "Landlock",   "seccomp", "init"};

/* mount_setattr (Linux 5.12); defined here because Debian 12's headers lack it. */
#define SANDBOX_SYS_MOUNT_SETATTR 442
#define SANDBOX_MOUNT_ATTR_RDONLY 0x00000001ull
#define SANDBOX_AT_RECURSIVE 0x8000

struct sandbox_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};

#define CTL_FD 3

static _Noreturn void fail(int stage)
{
    struct sandbox_msg m = {.type = SANDBOX_FAILED, .a = stage, .b = errno};
    sandbox_msg_send(CTL_FD, &m, NULL, 0);
    _exit(1);
}

static int write_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Makes the mount at dst read-only. mount_setattr changes only the read-only bit (and can
 * recurse into submounts); the older remount must repeat the mount's locked flags, read with
 * statvfs, or a user namespace gets EPERM.
 */
static int make_readonly(const char *dst, bool recursive)
{
    struct sandbox_mount_attr a = {.attr_set = SANDBOX_MOUNT_ATTR_RDONLY};
    if (syscall(SANDBOX_SYS_MOUNT_SETATTR, AT_FDCWD, dst, recursive ? SANDBOX_AT_RECURSIVE : 0, &a,
                sizeof(a)) == 0)
        return 0;
    struct statvfs sv;
    if (statvfs(dst, &sv) < 0)
        return -1;
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY;
    if (sv.f_flag & ST_NOSUID)
        fl |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        fl |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        fl |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        fl |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        fl |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        fl |= MS_RELATIME;
    return mount(NULL, dst, NULL, fl, NULL);
}

/*
 * The init is a clone of runnel: its memory holds every secret of the run (other jobs' too) and
 * its argument and environment areas are runnel's (GH_TOKEN, HF_TOKEN, `-s NAME=value`). The
 * steps run as the same uid, so they could read /proc/<init>/environ, mem and maps. Being
 * non-dumpable makes those files need CAP_SYS_PTRACE in the init's original user namespace,
 * which no step has; /proc/<pid>/cmdline stays readable by anyone, so the argument and
 * environment strings are wiped too (fields 48-51 of /proc/self/stat, Linux 3.5).
 */
static void hide_memory(void)
{
    char buf[2048];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    const char *p = NULL;
    if (n > 0) {
        buf[n] = '\0';
        p = strrchr(buf, ')'); /* comm may hold spaces and parentheses: fields start after it */
    }
    unsigned long v[4] = {0, 0, 0, 0};
    for (int field = 2; p && *p && field < 52;) {
        if (*p == ' ') {
            field++;
            p++;
            if (field >= 48 && field <= 51)
                v[field - 48] = strtoul(p, NULL, 10);
            continue;
        }
        p++;
    }
    /* arg_start, arg_end, env_start, env_end: runnel's own stack, writable */
    if (v[0] && v[1] > v[0])
        memset((void *)v[0], 0, v[1] - v[0]);
    if (v[2] && v[3] > v[2])
        memset((void *)v[2], 0, v[3] - v[2]);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void run_ops(const struct sandbox_plan *pl)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail(SANDBOX_STAGE_MOUNTS);
    vec_foreach (const struct sandbox_op, op, &pl->ops) {
        int r = 0;
        switch (op->kind) {
        case SANDBOX_MKDIR:
            r = mkdir(op->dst, 0755);
            if (r < 0 && errno == EEXIST)
                r = 0;
            break;
        case SANDBOX_TOUCH:
            r = open(op->dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            if (r >= 0)
                r = close(r);
            break;
        case SANDBOX_BIND:
        case SANDBOX_BIND_RO:
            r = mount(op->src, op->dst, NULL, MS_BIND | MS_REC, NULL);
            if (r == 0 && op->kind == SANDBOX_BIND_RO)
                r = make_readonly(op->dst, true);
            break;
        case SANDBOX_MOUNT:
            r = mount(op->src, op->dst, op->fstype, op->flags, op->data);
            break;
        case SANDBOX_SYMLINK:
            r = symlink(op->src, op->dst);
            if (r < 0 && errno == EEXIST)
                r = 0;
            break;
        }
        if (r < 0)
            fail(SANDBOX_STAGE_MOUNTS);
    }
    /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only ours. */
    if (chdir(pl->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
        umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        fail(SANDBOX_STAGE_PIVOT);
    if (make_readonly("/", false) < 0)
        fail(SANDBOX_STAGE_PIVOT);
}

static void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        fail(SANDBOX_STAGE_NET);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        fail(SANDBOX_STAGE_NET);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        fail(SANDBOX_STAGE_NET);
    close(s);
}

static void lower_limit(int resource, uint64_t value)
{
    struct rlimit rl;
    if (!value || getrlimit(resource, &rl) < 0)
        return;
    rlim_t v = value == UINT64_MAX ? 0 : (rlim_t)value;
    if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max)
        v = rl.rlim_max;
    rl.rlim_cur = v;
    rl.rlim_max = v;
    if (setrlimit(resource, &rl) < 0)
        fail(SANDBOX_STAGE_RLIMITS);
}

static void drop_caps(int cap_last)
{
    for (int c = 0; c <= cap_last; c++) {
        /* Without CAP_SETPCAP (not root, no user namespace) there is nothing to drop. */
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
            fail(SANDBOX_STAGE_CAPS);
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0)
        fail(SANDBOX_STAGE_CAPS);
}

/* ------------------------------------------------------------------ the init loop ---- */

struct init_state {
    const struct sandbox_plan *pl;
    bool is_pid1; /* in a pid namespace: kill(-1) reaches exactly the sandbox */
    pid_t step;   /* the running step's pid (and process group), or 0 */
};

/* Without a pid namespace: signal every process whose parent is us (orphans come to us as
   the subreaper), and their groups. */
static int signal_children(int sig)
{
    int found = 0;
    pid_t self = getpid();
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        long pid;
        if (!str_to_long(de->d_name, &pid) || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        const char *rp = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
        long ppid = 0;
        char state;
        if (!rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2 || ppid != self)
            continue;
        kill((pid_t)pid, sig);
        found++;
    }
    closedir(d);
    return found;
}

static void kill_everything(struct init_state *st, int sig)
{
    if (st->is_pid1) {
        kill(-1, sig); /* from pid 1: every process in the namespace except us */
        return;
    }
    if (st->step > 0)
        kill(-st->step, sig);
    signal_children(sig);
}

/* Kills what is left and reaps it all (bounded: SIGKILL cannot be caught). */
static void kill_and_reap_all(struct init_state *st)
{
    for (int round = 0; round < 1000; round++) {
        kill_everything(st, SIGKILL);
        int status;
        pid_t r = waitpid(-1, &status, 0);
        if (r < 0 && errno == ECHILD)
            return;
    }
}

static void reap(struct init_state *st)
{
    for (;;) {
        int status;
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r <= 0)
            return;
        if (r != st->step || st->step == 0)
            continue;
        /* The step's main process has ended: nothing it started may outlive it. */
        if (!st->pl->keep_background)
            kill_and_reap_all(st);
        st->step = 0;
        struct sandbox_msg m = {.type = SANDBOX_EXITED, .a = status};
        sandbox_msg_send(CTL_FD, &m, NULL, 0);
    }
}

/* The request memfd: "argc\0envc\0cwd\0" then argv strings then envp strings. */
static void start_step(struct init_state *st, const int *fds, size_t nfds)
{
    struct sandbox_msg reply = {.type = SANDBOX_STARTED};
    char *buf = NULL;
    char **argv = NULL;
    char **envp = NULL;
    struct sbuf path = SBUF_INIT;
    if (nfds != 4 || st->step) {
        reply.c = st->step ? EBUSY : EPROTO;
        goto done;
    }
    struct stat sst;
    if (fstat(fds[0], &sst) < 0 || sst.st_size < 4) {
        reply.c = EPROTO;
        goto done;
    }
    size_t size = (size_t)sst.st_size;
    buf = xmalloc(size + 1);
    if (pread(fds[0], buf, size, 0) != (ssize_t)size) {
        reply.c = EPROTO;
        goto done;
    }
    buf[size] = '\0';
    char *p = buf, *end = buf + size;
    long argc = 0, envc = 0;
    if (!str_to_long(p, &argc) || argc < 1 || argc > 1000000)
        goto bad;
    p += strlen(p) + 1;
    if (p >= end || !str_to_long(p, &envc) || envc < 0 || envc > 1000000)
        goto bad;
    p += strlen(p) + 1;
    if (p >= end)
        goto bad;
    const char *cwd = *p ? p : NULL;
    p += strlen(p) + 1;
    argv = xcalloc((size_t)argc + 1, sizeof(char *));
    envp = xcalloc((size_t)envc + 1, sizeof(char *));
    for (long i = 0; i < argc; i++) {
        if (p >= end)
            goto bad;
        argv[i] = p;
        p += strlen(p) + 1;
    }
    for (long i = 0; i < envc; i++) {
        if (p >= end)
            goto bad;
        envp[i] = p;
        p += strlen(p) + 1;
    }
    proc_resolve(&path, argv[0], (const char *const *)envp);
    struct spawn_plan sp = {.path = path.buf, .argv = argv, .envp = envp, .cwd = cwd};
    /* Without a pid namespace, a step must not be able to signal the init (kill -1). */
    if (!st->is_pid1 && st->pl->scope_signals)
        sp.landlock_abi = st->pl->landlock_abi;
    sp.fd[0] = fds[1];
    sp.fd[1] = fds[2];
    sp.fd[2] = fds[3];
    struct spawn_failure f;
    pid_t pid = proc_spawn_plan(&sp, &f);
    if (pid < 0) {
        reply.b = f.stage;
        reply.c = f.errnum;
        goto done;
    }
    st->step = pid;
    reply.a = pid;
    goto done;
bad:
    reply.c = EPROTO;
done:
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    sbuf_release(&path);
    xfree(argv);
    xfree(envp);
    xfree(buf);
    sandbox_msg_send(CTL_FD, &reply, NULL, 0);
}

static _Noreturn void serve(struct init_state *st)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        fail(SANDBOX_STAGE_INIT);
    struct sandbox_msg ready = {.type = SANDBOX_READY};
    sandbox_msg_send(CTL_FD, &ready, NULL, 0);
    for (;;) {
        struct pollfd pfd[2] = {{.fd = CTL_FD, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[1].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) > 0) {
            }
            reap(st);
        }
        if (pfd[0].revents) {
            struct sandbox_msg m;
            int fds[SANDBOX_MAX_FDS];
            size_t nfds = 0;
            ssize_t n = sandbox_msg_recv(CTL_FD, &m, fds, &nfds, 0);
            if (n <= 0)
                break; /* the engine closed the socket (sandbox_free) or died */
            if (m.type == SANDBOX_START) {
                start_step(st, fds, nfds);
                continue;
            }
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
            if (m.type == SANDBOX_SIGNAL) {
                if (m.b)
                    kill_everything(st, m.a);
                else if (st->step > 0)
                    kill(-st->step, m.a);
            }
        }
    }
    kill_and_reap_all(st);
    _exit(0);
}

_Noreturn void sandbox_init_main(const struct sandbox_plan *pl)
{
    /* B7.2: default handlers; keep SIGCHLD blocked for the signalfd, nothing else. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

    /* 1. fds: the control socket on 3, /dev/null on 0-2, nothing else. */
    int ctl = fcntl(pl->ctl_fd, F_DUPFD_CLOEXEC, 10);
    if (ctl < 0)
        _exit(1);
    for (int i = 0; i < 3; i++)
        dup2(pl->devnull_fd, i);
    if (dup3(ctl, CTL_FD, O_CLOEXEC) < 0)
        _exit(1);
    syscall(SYS_close_range, (unsigned)CTL_FD + 1, ~0u, 0u);

    struct init_state st = {.pl = pl, .is_pid1 = (pl->clone_flags & CLONE_NEWPID) != 0};

    /* 2. user namespace maps. Only a dumpable process may write them: the engine is not after
       it ran a sandbox without namespaces (a fall-back never goes back, so only tests do that);
       no step exists yet, and hide_memory() follows at once. */
    if (pl->clone_flags & CLONE_NEWUSER) {
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
            prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (write_file("/proc/self/setgroups", "deny") < 0 ||
            write_file("/proc/self/uid_map", pl->uid_map) < 0 ||
            write_file("/proc/self/gid_map", pl->gid_map) < 0)
            fail(SANDBOX_STAGE_USERNS);
    }

    /* After the maps: the kernel lets only a dumpable process write them. */
    hide_memory();

    /* 3. wait for GO. */
    struct sandbox_msg go;
    if (sandbox_msg_recv(CTL_FD, &go, NULL, NULL, 0) <= 0 || go.type != SANDBOX_GO)
        _exit(1);

    /* 4. the file system view. */
    if (pl->root)
        run_ops(pl);
    else if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        fail(SANDBOX_STAGE_INIT);

    /* 5. network and hostname. */
    if (pl->clone_flags & CLONE_NEWNET)
        loopback_up();
    if ((pl->clone_flags & CLONE_NEWUTS) && sethostname(pl->hostname, strlen(pl->hostname)) < 0)
        fail(SANDBOX_STAGE_HOSTNAME);

    /* 6. rlimits. */
    lower_limit(RLIMIT_NOFILE, pl->limits.nofile);
    lower_limit(RLIMIT_NPROC, pl->limits.nproc);
    lower_limit(RLIMIT_FSIZE, pl->limits.fsize);
    lower_limit(RLIMIT_CORE, pl->limits.core);

    /* 7. no_new_privs and Landlock. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail(SANDBOX_STAGE_CAPS);
    if (pl->landlock_abi > 0) {
        int r = sandbox_landlock_apply(pl->landlock_abi, (const char *const *)pl->rw.items,
                                       (const char *const *)pl->dev.items, pl->block_tcp,
                                       pl->scope_signals);
        if (r < 0) {
            errno = -r;
            fail(SANDBOX_STAGE_LANDLOCK);
        }
    }

    /* 8. capabilities. */
    drop_caps(pl->cap_last);

    /* Still non-dumpable after the credential changes above (a changed uid would reset it). */
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        fail(SANDBOX_STAGE_INIT);

    /* 9. seccomp. */
    if (pl->seccomp->filter) {
        int r = sandbox_seccomp_load(pl->seccomp);
        if (r < 0) {
            errno = -r;
            fail(SANDBOX_STAGE_SECCOMP);
        }
    }
    serve(&st);
}
