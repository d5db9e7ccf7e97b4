/*
 * The sandbox: one init process per job, cloned into fresh namespaces, that starts each step on
 * request. Setting up namespaces and mounts costs 5-7 ms on the project's machines
 * (../shared/reference/sandbox-findings.md); doing it once per job and forking each step from
 * the init makes a step cost about what a plain fork+exec costs.
 *
 * The parent (engine) side is in this file; what runs inside the init is in sandbox_init.c.
 * They talk over a SOCK_SEQPACKET socket pair (struct sandbox_msg, fds passed with SCM_RIGHTS).
 */
#include "exec/exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/internal.h"
#include "exec/sandbox_internal.h"
#include "util/path.h"
#include "util/vec.h"
#include "util/str.h"
#include "util/xalloc.h"

/* ---------------------------------------------------------------- levels and probing ---- */

int sandbox_level_parse(enum sandbox_level *out, const char *s, struct err *err)
{
    if (!strcmp(s, "strict"))
        *out = SANDBOX_STRICT;
    else if (!strcmp(s, "default"))
        *out = SANDBOX_DEFAULT;
    else if (!strcmp(s, "none"))
        *out = SANDBOX_NONE;
    else
        return err_set(err, ERR_INVALID,
                       "unknown sandbox level '%s' (expected strict, default or none)", s);
    return 0;
}

const char *sandbox_level_name(enum sandbox_level level)
{
    switch (level) {
    case SANDBOX_NONE:
        return "none";
    case SANDBOX_DEFAULT:
        return "default";
    case SANDBOX_STRICT:
        return "strict";
    }
    return "?";
}

const char *sandbox_tier_name(enum sandbox_tier tier)
{
    switch (tier) {
    case SANDBOX_TIER_USERNS:
        return "namespaces with a user namespace";
    case SANDBOX_TIER_NS:
        return "namespaces";
    case SANDBOX_TIER_RESTRICT:
        return "no namespaces";
    case SANDBOX_TIER_NONE:
        return "none";
    }
    return "?";
}

/* Tries unshare(flags) in a throw-away child; returns 0 or the errno it failed with. */
static int probe_unshare(int flags)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(flags) == 0 ? 0 : (errno & 0xff));
    if (pid < 0)
        return errno;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

static int read_int_file(const char *path, int fallback)
{
    struct err err = ERR_INIT;
    struct sbuf sb = SBUF_INIT;
    long v = fallback;
    if (sbuf_read_file(&sb, path, 64, &err) == 0) {
        sbuf_rtrim(&sb);
        if (!str_to_long(sb.buf, &v))
            v = fallback;
    }
    sbuf_release(&sb);
    return (int)v;
}

/*
 * Removes the empty /tmp/runnel-root-* folders that a runnel killed with SIGKILL left behind
 * (sandbox_free removes its own). Only the user's own and only those unchanged for a minute: a
 * root is a mount point only between its mkdtemp and the init's pivot_root, which takes
 * milliseconds, and is an empty, unused folder on the host after that.
 */
static void sweep_stale_roots(void)
{
    DIR *d = opendir("/tmp");
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    for (size_t n = 0; n < 4096 && (de = readdir(d)); n++) {
        struct stat st;
        if (strncmp(de->d_name, "runnel-root-", 12) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() && now - st.st_mtime > 60)
            unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR); /* fails, harmlessly, unless empty */
    }
    closedir(d);
}

int sandbox_host_new(struct sandbox_host **out, enum sandbox_level level, struct err *err)
{
    struct sandbox_host *h = xcalloc(1, sizeof(*h));
    h->level = level;
    h->is_root = geteuid() == 0;
    h->cap_last = read_int_file("/proc/sys/kernel/cap_last_cap", 40);
    h->why = SBUF_INIT;
    if (level == SANDBOX_NONE) {
        h->tier = h->probed_tier = SANDBOX_TIER_NONE;
        *out = h;
        return 0;
    }
    h->landlock_abi = sandbox_landlock_abi();
    struct err serr = ERR_INIT;
    if (sandbox_seccomp_compile(&h->seccomp, level == SANDBOX_STRICT, false, &serr) < 0)
        sbuf_addf(&h->why, "; no seccomp: %s", serr.msg);

    int ns = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
    int e;
    if (h->is_root) {
        e = probe_unshare(ns);
        h->tier = e == 0 ? SANDBOX_TIER_NS : SANDBOX_TIER_RESTRICT;
    } else {
        e = probe_unshare(ns | CLONE_NEWUSER);
        h->tier = e == 0 ? SANDBOX_TIER_USERNS : SANDBOX_TIER_RESTRICT;
    }
    if (e)
        sbuf_addf(&h->why, "; no namespaces: unshare: %s", strerror(e));
    if (h->tier == SANDBOX_TIER_RESTRICT && !h->landlock_abi && !h->seccomp.filter) {
        h->tier = SANDBOX_TIER_NONE;
        sbuf_addstr(&h->why, "; no Landlock either");
    }
    h->probed_tier = h->tier;
    if (h->tier <= SANDBOX_TIER_NS)
        sweep_stale_roots();
    if (level == SANDBOX_STRICT && h->tier > SANDBOX_TIER_NS) {
        int rc = err_set(err, ERR_FAIL, "the strict sandbox needs namespaces%s", h->why.buf);
        sandbox_host_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void sandbox_host_free(struct sandbox_host *h)
{
    if (!h)
        return;
    sandbox_seccomp_release(&h->seccomp);
    sandbox_seccomp_release(&h->seccomp_no_inet);
    sbuf_release(&h->why);
    xfree(h);
}

enum sandbox_tier sandbox_host_tier(const struct sandbox_host *h)
{
    return h->tier;
}

int sandbox_host_set_tier(struct sandbox_host *h, enum sandbox_tier tier, struct err *err)
{
    if (tier < h->probed_tier)
        return err_set(err, ERR_INVALID, "sandbox tier '%s' is not available here",
                       sandbox_tier_name(tier));
    if (tier == SANDBOX_TIER_USERNS && h->is_root)
        return err_set(err, ERR_INVALID, "a user namespace is only used when not root");
    h->tier = tier;
    return 0;
}

void sandbox_host_describe(const struct sandbox_host *h, struct sbuf *out)
{
    sbuf_addf(out, "sandbox %s: %s", sandbox_level_name(h->level), sandbox_tier_name(h->tier));
    if (h->tier == SANDBOX_TIER_NONE) {
        if (h->level != SANDBOX_NONE)
            sbuf_addf(out, " (warning: steps run unsandboxed%s)", h->why.buf);
        return;
    }
    sbuf_addstr(out, ", no_new_privs, capabilities dropped, rlimits");
    if (h->seccomp.filter)
        sbuf_addf(out, ", seccomp (%zu instructions)", h->seccomp.len);
    if (h->landlock_abi)
        sbuf_addf(out, ", Landlock ABI %d", h->landlock_abi);
    else
        sbuf_addstr(out, ", no Landlock");
    if (h->why.len)
        sbuf_addf(out, " (%s)", h->why.buf + 2);
}

/* ------------------------------------------------------------------ the mount plan ---- */

static void op_add(struct sandbox_plan *pl, enum sandbox_op_kind kind, const char *src,
                   const char *dst, const char *fstype, unsigned long flags, const char *data)
{
    struct sandbox_op *op = vec_push(&pl->ops);
    op->kind = kind;
    op->src = src ? xstrdup(src) : NULL;
    op->dst = dst ? xstrdup(dst) : NULL;
    op->fstype = fstype;
    op->flags = flags;
    op->data = data;
}

/* Appends mkdir ops for every component of the in-sandbox path `path` under root. */
static void op_mkdirs(struct sandbox_plan *pl, const char *path)
{
    struct sbuf p = SBUF_INIT;
    sbuf_addstr(&p, pl->root);
    for (const char *s = path; *s;) {
        while (*s == '/')
            s++;
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0)
            break;
        sbuf_addch(&p, '/');
        sbuf_add(&p, s, n);
        op_add(pl, SANDBOX_MKDIR, NULL, p.buf, NULL, 0, NULL);
        s += n;
    }
    sbuf_release(&p);
}

static void under_root(struct sbuf *out, const struct sandbox_plan *pl, const char *path)
{
    sbuf_reset(out);
    sbuf_addstr(out, pl->root);
    if (path[0] != '/')
        sbuf_addch(out, '/');
    sbuf_addstr(out, path);
}

/* Binds host path at the same path inside; a file gets an empty file as its mount point. */
static void op_bind(struct sandbox_plan *pl, const char *path, bool ro)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return; /* optional paths that do not exist here are skipped */
    struct sbuf dst = SBUF_INIT;
    under_root(&dst, pl, path);
    if (S_ISDIR(st.st_mode)) {
        op_mkdirs(pl, path);
    } else {
        struct sbuf parent = SBUF_INIT;
        path_dirname(&parent, path);
        op_mkdirs(pl, parent.buf);
        sbuf_release(&parent);
        op_add(pl, SANDBOX_TOUCH, NULL, dst.buf, NULL, 0, NULL);
    }
    op_add(pl, ro ? SANDBOX_BIND_RO : SANDBOX_BIND, path, dst.buf, NULL, 0, NULL);
    sbuf_release(&dst);
}

static void op_mount(struct sandbox_plan *pl, const char *fstype, const char *path,
                     unsigned long flags, const char *data)
{
    struct sbuf dst = SBUF_INIT;
    op_mkdirs(pl, path);
    under_root(&dst, pl, path);
    op_add(pl, SANDBOX_MOUNT, fstype, dst.buf, fstype, flags, data);
    sbuf_release(&dst);
}

static void op_symlink(struct sandbox_plan *pl, const char *target, const char *path)
{
    struct sbuf dst = SBUF_INIT;
    under_root(&dst, pl, path);
    op_add(pl, SANDBOX_SYMLINK, target, dst.buf, NULL, 0, NULL);
    sbuf_release(&dst);
}

static void add_str(struct vec *v, const char *s)
{
    char **slot = vec_push(v);
    *slot = xstrdup(s);
}

static void plan_build(struct sandbox_plan *pl, const struct sandbox_host *h,
                       const struct sandbox_opts *o)
{
    static const char *const sys_dirs[] = {"/usr", "/etc", "/opt", "/var/lib", NULL};
    static const char *const usr_links[] = {"/bin",   "/sbin",   "/lib", "/lib32",
                                            "/lib64", "/libx32", NULL};
    static const char *const devs[] = {"/dev/null",    "/dev/zero", "/dev/full", "/dev/random",
                                       "/dev/urandom", "/dev/tty",  NULL};
    bool with_ns = h->tier <= SANDBOX_TIER_NS;

    pl->ops = VEC_INIT(struct sandbox_op);
    pl->rw = VEC_INIT(char *);
    pl->dev = VEC_INIT(char *);
    if (with_ns) {
        /* The order matters: the private /tmp and /dev come before the binds so that a
           workspace under /tmp is bound on top of the fresh tmpfs, not hidden by it. */
        op_add(pl, SANDBOX_MOUNT, "tmpfs", pl->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
        op_mount(pl, "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777");
        op_mount(pl, "tmpfs", "/dev", MS_NOSUID | MS_NOEXEC, "mode=0755");
        /* The host's own device nodes: bound read-only, so that a step (root in the namespace
           tier) cannot chmod, chown or touch the host's /dev/null. A device on a read-only
           mount still opens for writing: only the node's metadata is refused (EROFS). */
        for (size_t i = 0; devs[i]; i++)
            op_bind(pl, devs[i], true);
        op_mount(pl, "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620");
        op_mount(pl, "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV, "mode=1777");
        op_symlink(pl, "pts/ptmx", "/dev/ptmx");
        op_symlink(pl, "/proc/self/fd", "/dev/fd");
        op_symlink(pl, "/proc/self/fd/0", "/dev/stdin");
        op_symlink(pl, "/proc/self/fd/1", "/dev/stdout");
        op_symlink(pl, "/proc/self/fd/2", "/dev/stderr");
        op_mount(pl, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        for (size_t i = 0; sys_dirs[i]; i++)
            op_bind(pl, sys_dirs[i], true);
        if (h->level != SANDBOX_STRICT)
            op_bind(pl, "/sys", true);
        /* Merged /usr: /bin -> usr/bin and friends are symlinks to recreate. */
        for (size_t i = 0; usr_links[i]; i++) {
            char target[256];
            ssize_t n = readlink(usr_links[i], target, sizeof(target) - 1);
            if (n > 0) {
                target[n] = '\0';
                op_symlink(pl, target, usr_links[i]);
            } else {
                op_bind(pl, usr_links[i], true);
            }
        }
        /* /etc/resolv.conf is often a link into /run (systemd-resolved, as on GitHub's
           Ubuntu images): bind its target so that name resolution keeps working. */
        char *resolv = realpath("/etc/resolv.conf", NULL);
        if (resolv && strncmp(resolv, "/etc/", 5) && strncmp(resolv, "/usr/", 5))
            op_bind(pl, resolv, true);
        xfree(resolv);
        /* The empty home first: the binds below may lie inside it (runnel's default run
           directory, the workspaces in it and the action cache are under ~/.cache). */
        if (o->home && strcmp(o->home, "/")) {
            if (o->home_dir) {
                struct sbuf dst = SBUF_INIT;
                op_mkdirs(pl, o->home);
                under_root(&dst, pl, o->home);
                op_add(pl, SANDBOX_BIND, o->home_dir, dst.buf, NULL, 0, NULL);
                sbuf_release(&dst);
            } else {
                op_mount(pl, "tmpfs", o->home, MS_NOSUID | MS_NODEV, "mode=0700");
            }
            add_str(&pl->rw, o->home);
        }
        for (size_t i = 0; o->ro_paths && o->ro_paths[i]; i++)
            op_bind(pl, o->ro_paths[i], true);
        op_bind(pl, o->workspace, false);
        op_bind(pl, o->temp_dir, false);
        for (size_t i = 0; o->rw_paths && o->rw_paths[i]; i++)
            op_bind(pl, o->rw_paths[i], false);
        add_str(&pl->rw, "/tmp");
        add_str(&pl->rw, "/dev/shm");
        add_str(&pl->rw, "/dev/pts");
    } else {
        add_str(&pl->rw, "/tmp");
        add_str(&pl->rw, "/var/tmp");
        add_str(&pl->rw, "/dev/shm");
        add_str(&pl->rw, "/dev/pts");
    }
    add_str(&pl->rw, o->workspace);
    add_str(&pl->rw, o->temp_dir);
    for (size_t i = 0; o->rw_paths && o->rw_paths[i]; i++)
        add_str(&pl->rw, o->rw_paths[i]);
    for (size_t i = 0; devs[i]; i++)
        add_str(&pl->dev, devs[i]);
    /* NULL-terminate the path lists for sandbox_landlock_apply. */
    *(char **)vec_push(&pl->rw) = NULL;
    *(char **)vec_push(&pl->dev) = NULL;
}

static void plan_release(struct sandbox_plan *pl)
{
    vec_foreach (struct sandbox_op, op, &pl->ops) {
        xfree(op->src);
        xfree(op->dst);
    }
    vec_release(&pl->ops);
    vec_foreach (char *, s, &pl->rw)
        xfree(*s);
    vec_foreach (char *, s, &pl->dev)
        xfree(*s);
    vec_release(&pl->rw);
    vec_release(&pl->dev);
    xfree(pl->root);
}

/* ---------------------------------------------------------------- the control channel ---- */

int sandbox_msg_send(int fd, const struct sandbox_msg *m, const int *fds, size_t nfds)
{
    struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
    union {
        char buf[CMSG_SPACE(sizeof(int) * SANDBOX_MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do {
        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

ssize_t sandbox_msg_recv(int fd, struct sandbox_msg *m, int *fds, size_t *nfds, int flags)
{
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    union {
        char buf[CMSG_SPACE(sizeof(int) * SANDBOX_MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do {
        n = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (nfds)
        *nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int tmp[SANDBOX_MAX_FDS];
        memcpy(tmp, CMSG_DATA(c), k * sizeof(int));
        for (size_t i = 0; i < k; i++) {
            if (fds && nfds && *nfds < SANDBOX_MAX_FDS)
                fds[(*nfds)++] = tmp[i];
            else
                close(tmp[i]);
        }
    }
    if (n > 0 && n != (ssize_t)sizeof(*m)) {
        errno = EPROTO;
        return -1;
    }
    return n;
}

/* Reads one message, waiting at most timeout_s (< 0: forever). 0, or -1 with errno set. */
static int recv_wait(struct sandbox *sb, struct sandbox_msg *m, int *fds, size_t *nfds,
                     double timeout_s)
{
    struct pollfd pfd = {.fd = sb->ctl, .events = POLLIN};
    int ms = timeout_s < 0 ? -1 : (int)(timeout_s * 1000);
    int r;
    do {
        r = poll(&pfd, 1, ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    ssize_t n = sandbox_msg_recv(sb->ctl, m, fds, nfds, 0);
    if (n == 0)
        errno = EPIPE;
    return n > 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------ cgroups ---- */

/* Writes s to dir/file. */
static int cg_write(const char *dir, const char *file, const char *s)
{
    struct sbuf p = SBUF_INIT;
    sbuf_addf(&p, "%s/%s", dir, file);
    int fd = open(p.buf, O_WRONLY | O_CLOEXEC);
    sbuf_release(&p);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, s, strlen(s));
    close(fd);
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The engine's own cgroup path for controller (v1 name, or "" for the v2 line). */
static bool own_cgroup(struct sbuf *out, const char *controller)
{
    struct err err = ERR_INIT;
    struct sbuf sb = SBUF_INIT;
    bool found = false;
    if (sbuf_read_file(&sb, "/proc/self/cgroup", 1 << 16, &err) < 0)
        goto done;
    for (char *line = sb.buf; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2) {
            *c2 = '\0';
            const char *ctrls = c1 + 1;
            bool match = controller[0] ? false : ctrls[0] == '\0';
            for (const char *s = ctrls; controller[0] && *s;) {
                size_t n = strcspn(s, ",");
                if (n == strlen(controller) && !strncmp(s, controller, n))
                    match = true;
                s += n + (s[n] == ',');
            }
            if (match) {
                sbuf_addstr(out, c2 + 1);
                found = true;
                break;
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
done:
    sbuf_release(&sb);
    return found;
}

/*
 * Puts the init into cgroups with the job's limits: v2 when the engine's cgroup delegates the
 * controllers, else v1 per controller (nested under the engine's own cgroups), else none.
 */
static void cgroup_setup(struct sandbox *sb, const struct sandbox_limits *l)
{
    if (!l->memory_max && !l->pids_max && l->cpus <= 0)
        return;
    static unsigned counter;
    char name[64];
    snprintf(name, sizeof(name), "runnel-%d-%u", (int)getpid(), counter++);
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", (int)sb->init_pid);
    char val[64];

    /* v2: needs the controllers listed in our cgroup's subtree_control. */
    struct sbuf own = SBUF_INIT;
    struct sbuf dir = SBUF_INIT;
    struct sbuf ctl = SBUF_INIT;
    struct err err = ERR_INIT;
    if (own_cgroup(&own, "")) {
        /* Pure v2 hosts mount it at /sys/fs/cgroup, hybrid ones at /sys/fs/cgroup/unified. */
        const char *mnt = fs_is_file("/sys/fs/cgroup/cgroup.controllers")
                              ? "/sys/fs/cgroup"
                              : "/sys/fs/cgroup/unified";
        struct sbuf st = SBUF_INIT;
        sbuf_addf(&dir, "%s%s", mnt, strcmp(own.buf, "/") ? own.buf : "");
        sbuf_addf(&st, "%s/cgroup.subtree_control", dir.buf);
        bool ok = sbuf_read_file(&ctl, st.buf, 4096, &err) == 0 &&
                  (!l->memory_max || strstr(ctl.buf, "memory")) &&
                  (!l->pids_max || strstr(ctl.buf, "pids")) &&
                  (l->cpus <= 0 || strstr(ctl.buf, "cpu"));
        sbuf_release(&st);
        if (ok) {
            sbuf_addf(&dir, "/%s", name);
            if (mkdir(dir.buf, 0755) == 0) {
                bool good = true;
                if (l->memory_max) {
                    snprintf(val, sizeof(val), "%llu", (unsigned long long)l->memory_max);
                    good &= cg_write(dir.buf, "memory.max", val) == 0;
                }
                if (l->pids_max) {
                    snprintf(val, sizeof(val), "%llu", (unsigned long long)l->pids_max);
                    good &= cg_write(dir.buf, "pids.max", val) == 0;
                }
                if (l->cpus > 0) {
                    snprintf(val, sizeof(val), "%ld 100000", (long)(l->cpus * 100000));
                    good &= cg_write(dir.buf, "cpu.max", val) == 0;
                }
                good &= cg_write(dir.buf, "cgroup.procs", pid) == 0;
                if (good) {
                    sb->cg_dirs[sb->n_cg++] = xstrdup(dir.buf);
                    sb->cg_backend = "cgroup v2";
                    goto done;
                }
                rmdir(dir.buf);
            }
        }
    }
    /* v1: one hierarchy per controller. */
    static const char *const ctrl[] = {"memory", "pids", "cpu"};
    for (size_t i = 0; i < 3; i++) {
        if ((i == 0 && !l->memory_max) || (i == 1 && !l->pids_max) || (i == 2 && l->cpus <= 0))
            continue;
        sbuf_reset(&own);
        if (!own_cgroup(&own, ctrl[i]))
            continue;
        sbuf_reset(&dir);
        sbuf_addf(&dir, "/sys/fs/cgroup/%s%s/%s", ctrl[i], strcmp(own.buf, "/") ? own.buf : "",
                  name);
        if (mkdir(dir.buf, 0755) < 0)
            continue;
        bool good = true;
        if (i == 0) {
            snprintf(val, sizeof(val), "%llu", (unsigned long long)l->memory_max);
            good = cg_write(dir.buf, "memory.limit_in_bytes", val) == 0;
        } else if (i == 1) {
            snprintf(val, sizeof(val), "%llu", (unsigned long long)l->pids_max);
            good = cg_write(dir.buf, "pids.max", val) == 0;
        } else {
            snprintf(val, sizeof(val), "%ld", (long)(l->cpus * 100000));
            good = cg_write(dir.buf, "cpu.cfs_period_us", "100000") == 0 &&
                   cg_write(dir.buf, "cpu.cfs_quota_us", val) == 0;
        }
        if (good && cg_write(dir.buf, "cgroup.procs", pid) == 0) {
            sb->cg_dirs[sb->n_cg++] = xstrdup(dir.buf);
            sb->cg_backend = "cgroup v1";
        } else {
            rmdir(dir.buf);
        }
    }
done:
    if (!sb->n_cg)
        sb->cg_backend = "no cgroup limits (not delegated here)";
    sbuf_release(&own);
    sbuf_release(&dir);
    sbuf_release(&ctl);
}

/* ------------------------------------------------------------------- the sandbox ---- */

static int sandbox_new_at(struct sandbox **out, struct sandbox_host *h,
                          const struct sandbox_opts *o, struct err *err)
{
    int rc = 0;
    int sv[2] = {-1, -1};
    int devnull = -1;
    struct sandbox *sb = xcalloc(1, sizeof(*sb));
    sb->host = h;
    sb->tier = h->tier;
    sb->network = o->network;
    sb->ctl = -1;
    sb->init_pidfd = -1;
    sb->cg_backend = "no cgroup limits";
    if (!o->workspace || !o->temp_dir)
        BUG("sandbox_new without a workspace or temp dir");
    if (sb->tier == SANDBOX_TIER_NONE) {
        *out = sb;
        return 0;
    }

    struct sandbox_plan *pl = &sb->plan;
    struct sbuf root = SBUF_INIT;
    if (sb->tier <= SANDBOX_TIER_NS) {
        if (fs_mkdtemp(&root, "/tmp/runnel-root-XXXXXX", err) < 0) {
            rc = err->code;
            goto done;
        }
        pl->root = sbuf_detach(&root, NULL);
    }
    plan_build(pl, h, o);
    pl->hostname = o->hostname ? o->hostname : "runnel";
    pl->limits = o->limits;
    pl->keep_background = o->keep_background;
    pl->cap_last = h->cap_last;
    pl->landlock_abi = h->landlock_abi;
    pl->seccomp = &h->seccomp;
    pl->scope_signals = sb->tier == SANDBOX_TIER_RESTRICT;
    pl->block_tcp = sb->tier == SANDBOX_TIER_RESTRICT && o->network == SANDBOX_NET_NONE;
    /* Landlock only knows TCP: without a network namespace, seccomp keeps UDP, raw and every
       other family but unix sockets from network none. */
    if (pl->block_tcp && h->seccomp.filter && !h->seccomp_no_inet_tried) {
        struct err serr = ERR_INIT;
        h->seccomp_no_inet_tried = true;
        if (sandbox_seccomp_compile(&h->seccomp_no_inet, h->level == SANDBOX_STRICT, true, &serr) <
            0)
            sbuf_addf(&h->why, "; network none allows UDP: %s", serr.msg);
    }
    if (pl->block_tcp && h->seccomp_no_inet.filter) {
        pl->seccomp = &h->seccomp_no_inet;
        pl->no_inet = true;
    }
    if (sb->tier == SANDBOX_TIER_USERNS) {
        snprintf(pl->uid_map, sizeof(pl->uid_map), "0 %d 1\n", (int)geteuid());
        snprintf(pl->gid_map, sizeof(pl->gid_map), "0 %d 1\n", (int)getegid());
    }
    pl->clone_flags = 0;
    if (sb->tier <= SANDBOX_TIER_NS) {
        pl->clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
        if (o->network == SANDBOX_NET_NONE)
            pl->clone_flags |= CLONE_NEWNET;
        if (sb->tier == SANDBOX_TIER_USERNS)
            pl->clone_flags |= CLONE_NEWUSER;
    }

    /* Without a pid namespace the steps see runnel itself in /proc, as the same user: non-
       dumpable, its environment and memory need CAP_SYS_PTRACE, which no step has (Landlock
       denies them too, but this tier may be seccomp alone). Not with a user namespace: the
       init inherits it, and a non-dumpable process cannot write its uid_map. */
    if (sb->tier == SANDBOX_TIER_RESTRICT && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        rc = err_errno(err, "cannot make runnel non-dumpable");
        goto done;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = err_errno(err, "cannot create the sandbox control socket");
        goto done;
    }
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        rc = err_errno(err, "cannot open '/dev/null'");
        goto done;
    }
    pl->ctl_fd = sv[1];
    pl->devnull_fd = devnull;

    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    /* A fork-like clone (no new stack): the child continues here as pid 1 of its namespace. */
    pid_t pid =
        (pid_t)syscall(SYS_clone, (unsigned long)pl->clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        sandbox_init_main(pl); /* never returns */
    int clone_errno = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        errno = clone_errno;
        rc = err_errno(err, "cannot clone the sandbox init");
        goto done;
    }
    proc_close_fd(&sv[1]);
    sb->ctl = sv[0];
    sv[0] = -1;
    sb->init_pid = pid;
    sb->init_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

    cgroup_setup(sb, &o->limits);
    struct sandbox_msg go = {.type = SANDBOX_GO};
    struct sandbox_msg reply;
    if (sandbox_msg_send(sb->ctl, &go, NULL, 0) < 0 || recv_wait(sb, &reply, NULL, NULL, 30) < 0) {
        rc = err_errno(err, "the sandbox init did not start");
        goto done;
    }
    if (reply.type == SANDBOX_FAILED) {
        const char *what =
            reply.a >= 0 && reply.a < SANDBOX_STAGE_COUNT ? sandbox_stage_names[reply.a] : "setup";
        errno = reply.b;
        rc = err_errno(err, "cannot set up the sandbox (%s)", what);
        goto done;
    }
    if (reply.type != SANDBOX_READY) {
        rc = err_set(err, ERR_IO, "sandbox init sent an unexpected message %d", reply.type);
        goto done;
    }
    *out = sb;
    sb = NULL;
done:
    sbuf_release(&root);
    proc_close_fd(&sv[0]);
    proc_close_fd(&sv[1]);
    proc_close_fd(&devnull);
    sandbox_free(sb);
    return rc;
}

/*
 * The probe only tries unshare(); building the sandbox can still fail on a host (a mount that a
 * security module refuses, a Landlock or seccomp error). With the default level the run then
 * falls back to the next tier for good, and the reason joins what sandbox_host_describe() says.
 */
int sandbox_new(struct sandbox **out, struct sandbox_host *h, const struct sandbox_opts *o,
                struct err *err)
{
    for (;;) {
        struct err tier_err = ERR_INIT;
        int rc = sandbox_new_at(out, h, o, &tier_err);
        if (rc == 0)
            return 0;
        if (h->level != SANDBOX_DEFAULT || h->tier == SANDBOX_TIER_NONE) {
            *err = tier_err;
            return rc;
        }
        sbuf_addf(&h->why, "; fell back from %s: %s", sandbox_tier_name(h->tier), tier_err.msg);
        if (h->tier < SANDBOX_TIER_RESTRICT && (h->landlock_abi || h->seccomp.filter))
            h->tier = SANDBOX_TIER_RESTRICT;
        else
            h->tier = SANDBOX_TIER_NONE;
    }
}

enum sandbox_tier sandbox_tier(const struct sandbox *sb)
{
    return sb->tier;
}

void sandbox_describe(const struct sandbox *sb, struct sbuf *out)
{
    sbuf_addstr(out, sandbox_tier_name(sb->tier));
    if (sb->tier == SANDBOX_TIER_NONE)
        return;
    sbuf_addf(out, ", network %s", sb->network == SANDBOX_NET_NONE ? "none" : "host");
    if (sb->network == SANDBOX_NET_NONE && sb->tier == SANDBOX_TIER_RESTRICT) {
        if (sb->plan.no_inet)
            sbuf_addf(out, " (seccomp: unix sockets only%s)",
                      sb->host->landlock_abi >= 4 ? "; Landlock TCP rules" : "");
        else
            sbuf_addstr(out, sb->host->landlock_abi >= 4
                                 ? " (Landlock TCP rules: no TCP, but UDP is not blocked)"
                                 : " (not enforced: no seccomp, no Landlock ABI 4)");
    }
    sbuf_addf(out, ", %s", sb->cg_backend);
}

/* Serialises argv, envp and cwd into a memfd the init reads (no size limit on the socket). */
static int write_request(int *fd_out, const struct proc_opts *o, struct err *err)
{
    struct sbuf b = SBUF_INIT;
    size_t argc = 0, envc = 0;
    while (o->argv[argc])
        argc++;
    while (o->envp && o->envp[envc])
        envc++;
    sbuf_addf(&b, "%zu%c%zu%c", argc, 0, envc, 0);
    sbuf_addstr(&b, o->cwd ? o->cwd : "");
    sbuf_addch(&b, 0);
    for (size_t i = 0; i < argc; i++) {
        sbuf_addstr(&b, o->argv[i]);
        sbuf_addch(&b, 0);
    }
    for (size_t i = 0; i < envc; i++) {
        sbuf_addstr(&b, o->envp[i]);
        sbuf_addch(&b, 0);
    }
    int rc = 0;
    int fd = memfd_create("runnel-step", MFD_CLOEXEC);
    if (fd < 0) {
        rc = err_errno(err, "cannot create a memfd");
        goto done;
    }
    size_t off = 0;
    while (off < b.len) {
        ssize_t n = write(fd, b.buf + off, b.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = err_errno(err, "cannot write the step request");
            close(fd);
            goto done;
        }
        off += (size_t)n;
    }
    *fd_out = fd;
done:
    sbuf_release(&b);
    return rc;
}

int sandbox_start(struct sandbox *sb, struct proc *p, const struct proc_opts *o, struct err *err)
{
    if (sb->tier == SANDBOX_TIER_NONE)
        return proc_start(p, o, err);
    if (sb->running)
        return err_set(err, ERR_INVALID, "the sandbox is already running a process");
    if (sb->is_broken)
        return err_set(err, ERR_IO, "the sandbox init has gone away");
    if (!o->argv || !o->argv[0])
        BUG("sandbox_start without argv");

    int rc = 0;
    int req = -1;
    int devnull = -1;
    int out[2] = {-1, -1};
    int errp[2] = {-1, -1};
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
    rc = write_request(&req, o, err);
    if (rc < 0)
        goto done;
    int fds[4];
    fds[0] = req;
    fds[1] = o->stdin_fd >= 0 ? o->stdin_fd : devnull;
    fds[2] = out[1] >= 0 ? out[1] : o->stdout_fd >= 0 ? o->stdout_fd : devnull;
    if (o->flags & PROC_MERGE_STDERR)
        fds[3] = fds[2];
    else
        fds[3] = errp[1] >= 0 ? errp[1] : o->stderr_fd >= 0 ? o->stderr_fd : devnull;

    double t0 = proc_now();
    struct sandbox_msg m = {.type = SANDBOX_START};
    struct sandbox_msg reply;
    if (sandbox_msg_send(sb->ctl, &m, fds, 4) < 0 || recv_wait(sb, &reply, NULL, NULL, 30) < 0) {
        sb->is_broken = true;
        rc = err_errno(err, "cannot reach the sandbox init");
        goto done;
    }
    if (reply.type != SANDBOX_STARTED) {
        sb->is_broken = true;
        rc = err_set(err, ERR_IO, "sandbox init sent an unexpected message %d", reply.type);
        goto done;
    }
    if (reply.a <= 0) {
        struct spawn_failure f = {.stage = reply.b, .errnum = reply.c};
        rc = proc_spawn_error(err, &f, o->argv[0], o->cwd);
        goto done;
    }
    p->pid = 0; /* the pid inside the sandbox means nothing out here */
    p->sandbox = sb;
    p->is_running = true;
    p->started_at = t0;
    p->out_fd = out[0];
    out[0] = -1;
    p->err_fd = errp[0];
    errp[0] = -1;
    sb->running = p;
done:
    proc_close_fd(&req);
    proc_close_fd(&devnull);
    proc_close_fd(&out[0]);
    proc_close_fd(&out[1]);
    proc_close_fd(&errp[0]);
    proc_close_fd(&errp[1]);
    return rc;
}

int sandbox_proc_poll_fd(const struct proc *p)
{
    return p->sandbox->ctl;
}

static void proc_done(struct proc *p, int status)
{
    proc_result_from_status(&p->result, status);
    p->is_running = false;
    if (p->sandbox->running == p)
        p->sandbox->running = NULL;
}

int sandbox_proc_try_wait(struct proc *p, bool *done, struct err *err)
{
    struct sandbox *sb = p->sandbox;
    *done = false;
    for (;;) {
        struct sandbox_msg m;
        ssize_t n = sandbox_msg_recv(sb->ctl, &m, NULL, NULL, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) {
            sb->is_broken = true;
            proc_done(p, SIGKILL); /* a wait status meaning "killed by SIGKILL" */
            *done = true;
            return err_set(err, ERR_IO, "the sandbox init has gone away");
        }
        if (m.type == SANDBOX_EXITED) {
            proc_done(p, m.a);
            *done = true;
            return 0;
        }
    }
}

int sandbox_proc_signal(struct proc *p, int sig, struct err *err)
{
    struct sandbox_msg m = {.type = SANDBOX_SIGNAL, .a = sig, .b = sig == SIGKILL};
    if (sandbox_msg_send(p->sandbox->ctl, &m, NULL, 0) < 0) {
        p->sandbox->is_broken = true;
        return err_errno(err, "cannot reach the sandbox init");
    }
    return 0;
}

void sandbox_proc_abandon(struct proc *p)
{
    /* The init did not report the step's end after SIGKILL: kill the init, and with it the
       whole pid namespace. The sandbox cannot be used again. */
    struct sandbox *sb = p->sandbox;
    if (sb->init_pidfd >= 0)
        syscall(SYS_pidfd_send_signal, sb->init_pidfd, SIGKILL, NULL, 0);
    else if (sb->init_pid > 0)
        kill(sb->init_pid, SIGKILL);
    sb->is_broken = true;
    proc_done(p, SIGKILL);
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    if (sb->running)
        sandbox_proc_abandon(sb->running);
    /* Closing the control socket tells the init to kill everything and leave. */
    proc_close_fd(&sb->ctl);
    if (sb->init_pid > 0) {
        struct pollfd pfd = {.fd = sb->init_pidfd, .events = POLLIN};
        if (sb->init_pidfd < 0 || poll(&pfd, 1, 2000) <= 0)
            kill(sb->init_pid, SIGKILL);
        int status;
        while (waitpid(sb->init_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    proc_close_fd(&sb->init_pidfd);
    for (size_t i = 0; i < sb->n_cg; i++) {
        rmdir(sb->cg_dirs[i]);
        xfree(sb->cg_dirs[i]);
    }
    if (sb->plan.root)
        rmdir(sb->plan.root);
    plan_release(&sb->plan);
    xfree(sb);
}
