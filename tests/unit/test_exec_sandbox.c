/*
 * The sandbox: what a step can and cannot do. Each test skips, with a printed reason, when the
 * host lacks what it needs.
 */
#include "exec/exec.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"

static const char *const path_env[] = {"PATH=/usr/bin:/bin", NULL};

struct fixture {
    struct sandbox_host *host;
    struct sandbox *sb;
    struct sbuf ws, tmp;
};

static void skip(const char *why)
{
    printf("  skipped: %s\n", why);
}

/* Sets up host + sandbox under the test's tmpdir; false (and prints why) when unavailable. */
static bool setup(struct fixture *f, enum sandbox_tier tier, enum sandbox_network net,
                  const struct sandbox_limits *limits)
{
    struct err err = ERR_INIT;
    memset(f, 0, sizeof(*f));
    f->ws = SBUF_INIT;
    f->tmp = SBUF_INIT;
    if (sandbox_host_new(&f->host, SANDBOX_DEFAULT, &err) < 0) {
        skip(err.msg);
        return false;
    }
    if (sandbox_host_tier(f->host) > tier) {
        struct sbuf d = SBUF_INIT;
        sandbox_host_describe(f->host, &d);
        skip(d.buf);
        sbuf_release(&d);
        return false;
    }
    if (sandbox_host_set_tier(f->host, tier, &err) < 0) {
        skip(err.msg);
        return false;
    }
    sbuf_addf(&f->ws, "%s/ws", harness_tmpdir());
    sbuf_addf(&f->tmp, "%s/tmp", harness_tmpdir());
    fs_mkdirs(f->ws.buf, 0755, &err);
    fs_mkdirs(f->tmp.buf, 0755, &err);
    struct sandbox_opts o = {.workspace = f->ws.buf, .temp_dir = f->tmp.buf, .network = net};
    if (limits)
        o.limits = *limits;
    if (sandbox_new(&f->sb, f->host, &o, &err) < 0) {
        harness_fail(__FILE__, __LINE__, "sandbox_new: %s", err.msg);
        return false;
    }
    return true;
}

static void teardown(struct fixture *f)
{
    sandbox_free(f->sb);
    sandbox_host_free(f->host);
    sbuf_release(&f->ws);
    sbuf_release(&f->tmp);
}

static void collect(int stream, const char *data, size_t len, void *payload)
{
    sbuf_add(payload, data, len);
}

/* Runs a shell script in the sandbox; stdout+stderr into out; returns the exit code or -sig. */
static int step(struct fixture *f, const char *script, struct sbuf *out, double timeout)
{
    struct err err = ERR_INIT;
    struct proc p = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    const char *const av[] = {"sh", "-c", script, NULL};
    o.argv = av;
    o.envp = path_env;
    o.cwd = f->ws.buf;
    o.flags = PROC_CAPTURE_STDOUT | PROC_MERGE_STDERR;
    if (sandbox_start(f->sb, &p, &o, &err) < 0) {
        harness_fail(__FILE__, __LINE__, "sandbox_start: %s", err.msg);
        return -1000;
    }
    struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
    w.timeout_s = timeout;
    w.grace_s = 0.2;
    w.on_output = collect;
    w.payload = out;
    if (proc_wait(&p, &w, &err) < 0)
        harness_fail(__FILE__, __LINE__, "proc_wait: %s", err.msg);
    proc_release(&p);
    if (p.result.timed_out)
        return -999;
    return p.result.exited ? p.result.code : -p.result.signal;
}

static void sandbox_runs_many_steps(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    struct sbuf out = SBUF_INIT;
    for (int i = 0; i < 20; i++) {
        sbuf_reset(&out);
        CHECK_INT(step(&f, "echo hello; exit 4", &out, 10), 4);
        CHECK_STR(out.buf, "hello\n");
    }
    sbuf_reset(&out);
    CHECK_INT(step(&f, "kill -9 $$", &out, 10), -SIGKILL);
    sbuf_release(&out);
    struct sbuf d = SBUF_INIT;
    sandbox_host_describe(f.host, &d);
    printf("  %s; ", d.buf);
    sbuf_reset(&d);
    sandbox_describe(f.sb, &d);
    printf("%s\n", d.buf);
    sbuf_release(&d);
done:
    teardown(&f);
}

static void sandbox_reports_exec_failure(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    struct err err = ERR_INIT;
    struct proc p = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    const char *const av[] = {"runnel-no-such-program", NULL};
    o.argv = av;
    o.envp = path_env;
    CHECK_INT(sandbox_start(f.sb, &p, &o, &err), ERR_NOTFOUND);
    CHECK(strstr(err.msg, "cannot run 'runnel-no-such-program'"));
    /* the sandbox stays usable */
    struct sbuf out = SBUF_INIT;
    CHECK_INT(step(&f, "echo ok", &out, 10), 0);
    CHECK_STR(out.buf, "ok\n");
    sbuf_release(&out);
done:
    teardown(&f);
}

/* Writes are confined to the workspace, the temp dir and a private /tmp. */
static void check_write_confinement(struct fixture *f, bool private_tmp)
{
    struct sbuf out = SBUF_INIT;
    struct sbuf script = SBUF_INIT;
    struct sbuf outside = SBUF_INIT;
    char cwd[4096];
    /* Outside the workspace and temp dir, and not under /tmp (which is private or allowed):
       the build directory, unless the tree itself lives under /tmp; then /var/cache. */
    CHECK(getcwd(cwd, sizeof(cwd)));
    if (strncmp(cwd, "/tmp/", 5) && strncmp(cwd, "/var/tmp/", 9))
        sbuf_addf(&outside, "%s/runnel-outside-probe", cwd);
    else
        sbuf_addf(&outside, "/var/cache/runnel-outside-probe-%d", (int)getpid());
    const char *const targets[] = {"/etc/runnel-probe", "/usr/runnel-probe",
                                   "/var/lib/runnel-probe", outside.buf, NULL};
    for (size_t i = 0; targets[i]; i++) {
        sbuf_reset(&script);
        sbuf_reset(&out);
        sbuf_addf(&script, "echo x > '%s'", targets[i]);
        CHECK(step(f, script.buf, &out, 10) != 0);
        CHECK(!fs_exists(targets[i]));
    }
    /* No way around it through a link planted in the workspace, or through /proc. */
    struct stat before, after;
    CHECK(stat("/etc/passwd", &before) == 0);
    sbuf_reset(&out);
    CHECK(step(f, "ln -sf /etc/passwd ws-link && echo x >> ws-link", &out, 10) != 0);
    sbuf_reset(&out);
    CHECK(step(f, "echo x >> /proc/self/root/etc/passwd", &out, 10) != 0);
    sbuf_reset(&out);
    CHECK(step(f, "echo evil > /proc/sys/kernel/hostname", &out, 10) != 0);
    CHECK(stat("/etc/passwd", &after) == 0);
    CHECK_INT(after.st_size, before.st_size);
    CHECK_INT(after.st_mtime, before.st_mtime);
    sbuf_reset(&script);
    sbuf_addf(&script, "echo in-ws > ws-file && echo in-tmp > '%s/t' && mkdir d && rm ws-file",
              f->tmp.buf);
    sbuf_reset(&out);
    CHECK_INT(step(f, script.buf, &out, 10), 0);
    sbuf_reset(&script);
    sbuf_addf(&script, "%s/t", f->tmp.buf);
    CHECK(fs_is_file(script.buf));
    sbuf_reset(&script);
    sbuf_addf(&script, "%s/d", f->ws.buf);
    CHECK(fs_is_dir(script.buf));
    if (private_tmp) {
        sbuf_reset(&out);
        CHECK_INT(step(f, "echo x > /tmp/runnel-private-probe && cat /tmp/runnel-private-probe",
                       &out, 10),
                  0);
        CHECK(!fs_exists("/tmp/runnel-private-probe"));
    }
    sbuf_release(&out);
    sbuf_release(&script);
    sbuf_release(&outside);
}

static void sandbox_confines_writes(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    check_write_confinement(&f, true);
done:
    teardown(&f);
}

static void sandbox_without_namespaces_confines_writes(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_RESTRICT, SANDBOX_NET_HOST, NULL))
        goto done;
    check_write_confinement(&f, false);
done:
    teardown(&f);
}

/* A host process the step tries to see and signal. */
static void check_host_processes_unreachable(struct fixture *f)
{
    struct err err = ERR_INIT;
    struct proc victim = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    const char *const av[] = {"sleep", "30", NULL};
    o.argv = av;
    o.envp = path_env;
    CHECK_INT(proc_start(&victim, &o, &err), 0);
    struct sbuf script = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    sbuf_addf(&script, "kill -TERM %d; kill -KILL %d; kill -KILL -1; true", (int)victim.pid,
              (int)victim.pid);
    step(f, script.buf, &out, 10);
    bool done = false;
    CHECK_INT(proc_try_wait(&victim, &done, &err), 0);
    CHECK(!done);
    CHECK_INT(kill(victim.pid, 0), 0);
    proc_release(&victim);
    sbuf_release(&script);
    sbuf_release(&out);
}

static void sandbox_hides_host_processes(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    check_host_processes_unreachable(&f);
    /* Only the init and the step itself are visible. */
    struct sbuf out = SBUF_INIT;
    CHECK_INT(step(&f, "cd /proc && echo [0-9]*", &out, 10), 0);
    CHECK(str_has_prefix(out.buf, "1 ") && !strchr(out.buf + 2, ' ')); /* init and the step */
    sbuf_release(&out);
done:
    teardown(&f);
}

static void sandbox_without_namespaces_cannot_signal_host(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_RESTRICT, SANDBOX_NET_HOST, NULL))
        goto done;
    check_host_processes_unreachable(&f);
done:
    teardown(&f);
}

/*
 * The init is a clone of runnel holding every secret of the run: a step (the same uid) must not
 * read its environment, its memory or its map through /proc, nor runnel's arguments in its
 * cmdline; nor, without a pid namespace, those of runnel itself (engine_pid).
 */
static void check_init_hidden(struct fixture *f, pid_t engine_pid)
{
    struct sbuf script = SBUF_INIT;
    struct sbuf out = SBUF_INIT;
    sbuf_addstr(&script, "for p in $PPID");
    if (engine_pid > 0)
        sbuf_addf(&script, " %d", (int)engine_pid);
    sbuf_addstr(&script, "; do "
                         "cat /proc/$p/environ >/dev/null 2>&1 && echo $p-environ; "
                         "head -c1 /proc/$p/maps >/dev/null 2>&1 && echo $p-maps; "
                         "(: < /proc/$p/mem) 2>/dev/null && echo $p-mem; "
                         "done; "
                         "test -z \"$(tr -d '\\0' < /proc/$PPID/cmdline)\" || echo init-cmdline; "
                         "echo done");
    CHECK_INT(step(f, script.buf, &out, 10), 0);
    CHECK_STR(out.buf, "done\n");
    sbuf_release(&out);
    sbuf_release(&script);
}

static void sandbox_init_memory_is_hidden_from_steps(void)
{
    struct fixture f;
    if (setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        check_init_hidden(&f, 0);
    teardown(&f);
}

static void sandbox_without_namespaces_hides_runnel_memory(void)
{
    struct fixture f;
    if (setup(&f, SANDBOX_TIER_RESTRICT, SANDBOX_NET_HOST, NULL))
        check_init_hidden(&f, getpid());
    teardown(&f);
}

/*
 * The sandbox's device nodes are the host's: a step (root in the namespace tier) must not change
 * the host's /dev/null (mode, times) through them, while writing to it keeps working.
 */
static void sandbox_device_nodes_are_read_only(void)
{
    struct fixture f;
    struct stat before, after;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    CHECK(stat("/dev/null", &before) == 0);
    struct sbuf out = SBUF_INIT;
    int rc = step(&f,
                  "chmod 0667 /dev/null 2>/dev/null && echo chmod; "
                  "touch -d 2001-01-01 /dev/null 2>/dev/null && echo touch; "
                  "chown 1:1 /dev/zero 2>/dev/null && echo chown; "
                  "echo x > /dev/null && echo write-ok",
                  &out, 10);
    CHECK(stat("/dev/null", &after) == 0);
    if (after.st_mode != before.st_mode || after.st_mtim.tv_sec != before.st_mtim.tv_sec) {
        /* Put the host's node back before failing. */
        chmod("/dev/null", before.st_mode & 07777);
        struct timespec ts[2] = {before.st_atim, before.st_mtim};
        utimensat(AT_FDCWD, "/dev/null", ts, 0);
    }
    CHECK_INT(rc, 0);
    CHECK_STR(out.buf, "write-ok\n");
    CHECK_INT((int)(after.st_mode & 07777), (int)(before.st_mode & 07777));
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    sbuf_release(&out);
done:
    teardown(&f);
}

/* Opens a listener on 127.0.0.1 outside the sandbox; returns its fd, the port in *port. */
static int listener(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

/* A UDP socket on 127.0.0.1 outside the sandbox; returns its fd, the port in *port. */
static int udp_listener(int *port)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

/* Datagrams waiting on s (drained). */
static int udp_received(int s)
{
    char buf[64];
    int n = 0;
    while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
        n++;
    return n;
}

/* TCP and UDP to a host listener on 127.0.0.1: reachable with network host, not with none. */
static void check_network(enum sandbox_tier tier)
{
    int port = 0, uport = 0;
    int s = listener(&port);
    int u = udp_listener(&uport);
    CHECK(s >= 0 && u >= 0);
    struct sbuf script = SBUF_INIT, udp = SBUF_INIT;
    sbuf_addf(&script, "exec bash -c 'echo hi > /dev/tcp/127.0.0.1/%d'", port);
    sbuf_addf(&udp, "exec bash -c 'echo hi > /dev/udp/127.0.0.1/%d'", uport);
    struct fixture f;
    if (setup(&f, tier, SANDBOX_NET_HOST, NULL)) {
        struct sbuf out = SBUF_INIT;
        CHECK_INT(step(&f, script.buf, &out, 10), 0); /* the control: shared network works */
        CHECK_INT(step(&f, udp.buf, &out, 10), 0);
        CHECK_INT(udp_received(u), 1);
        sbuf_release(&out);
    }
    teardown(&f);
    if (setup(&f, tier, SANDBOX_NET_NONE, NULL)) {
        struct sbuf out = SBUF_INIT;
        CHECK(step(&f, script.buf, &out, 10) != 0);
        step(&f, udp.buf, &out, 10);
        CHECK_INT(udp_received(u), 0);
        sbuf_release(&out);
        if (tier == SANDBOX_TIER_NS) {
            sbuf_init(&out, 0);
            CHECK_INT(
                step(&f, "cat /sys/class/net/lo/operstate /proc/net/dev | grep -c :", &out, 10), 0);
            CHECK_STR(out.buf, "1\n"); /* only lo */
            sbuf_release(&out);
        }
        sbuf_init(&out, 0);
        sandbox_describe(f.sb, &out);
        printf("  %s\n", out.buf);
        sbuf_release(&out);
    }
    teardown(&f);
    close(s);
    close(u);
    sbuf_release(&script);
    sbuf_release(&udp);
}

static void sandbox_network_none_cannot_reach_loopback_listener(void)
{
    check_network(SANDBOX_TIER_NS);
}

/* Without a network namespace, seccomp allows unix sockets only (Landlock knows only TCP). */
static void sandbox_network_none_without_namespaces(void)
{
    struct err err = ERR_INIT;
    struct sandbox_host *h = NULL;
    if (sandbox_host_new(&h, SANDBOX_DEFAULT, &err) < 0) {
        skip(err.msg);
        return;
    }
    struct sbuf d = SBUF_INIT;
    sandbox_host_describe(h, &d);
    bool seccomp = strstr(d.buf, "seccomp (") != NULL;
    sandbox_host_free(h);
    sbuf_release(&d);
    if (!seccomp) {
        skip("no seccomp filter here");
        return;
    }
    check_network(SANDBOX_TIER_RESTRICT);
}

static void sandbox_cannot_regain_privileges(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    struct sbuf out = SBUF_INIT;
    CHECK_INT(step(&f,
                   "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "
                   "/proc/self/status | tr -s '\\t' ' '",
                   &out, 10),
              0);
    CHECK_STR(out.buf, "CapInh: 0000000000000000\nCapPrm: 0000000000000000\n"
                       "CapEff: 0000000000000000\nCapBnd: 0000000000000000\n"
                       "CapAmb: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2\n");
    /* No way back: mounting, remounting the root writable, chroot, loading modules. */
    const char *const attempts[] = {"mount -t tmpfs none /mnt",
                                    "mount -o remount,rw /",
                                    "chroot / true",
                                    "unshare -m true",
                                    "hostname evil",
                                    "chmod u+s /usr/bin/env",
                                    NULL};
    for (size_t i = 0; attempts[i]; i++) {
        sbuf_reset(&out);
        if (step(&f, attempts[i], &out, 10) == 0)
            harness_fail(__FILE__, __LINE__, "'%s' succeeded in the sandbox", attempts[i]);
    }
    sbuf_release(&out);
done:
    teardown(&f);
}

/* Counts host processes whose command line contains marker. */
static int count_marked(const char *marker)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        char path[300], buf[4096];
        snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        for (ssize_t i = 0; i < len; i++) {
            if (!buf[i])
                buf[i] = ' ';
        }
        if (len > 0) {
            buf[len] = '\0';
            if (strstr(buf, marker))
                n++;
        }
    }
    if (d)
        closedir(d);
    return n;
}

static void sandbox_background_processes_do_not_survive_the_step(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    char marker[64], script[512];
    snprintf(marker, sizeof(marker), "1000.%d3", (int)getpid());
    snprintf(script, sizeof(script),
             "sleep %s & setsid sleep %s & (sleep %s &) ; nohup sleep %s >/dev/null 2>&1 &", marker,
             marker, marker, marker);
    struct sbuf out = SBUF_INIT;
    CHECK_INT(step(&f, script, &out, 10), 0);
    CHECK_INT(count_marked(marker), 0);
    sbuf_reset(&out);
    CHECK_INT(step(&f, "cd /proc && echo [0-9]*", &out, 10), 0);
    CHECK(str_has_prefix(out.buf, "1 ") && !strchr(out.buf + 2, ' ')); /* init and the step */
    sbuf_release(&out);
done:
    teardown(&f);
}

static void check_timeouts_leave_nothing(enum sandbox_tier tier)
{
    struct fixture f;
    if (!setup(&f, tier, SANDBOX_NET_HOST, NULL))
        goto done;
    char marker[64], script[512];
    snprintf(marker, sizeof(marker), "1000.%d%d", (int)getpid(), (int)tier);
    snprintf(script, sizeof(script),
             "sleep %s & setsid sleep %s & trap '' TERM; echo started; sleep %s; wait", marker,
             marker, marker);
    struct sbuf out = SBUF_INIT;
    for (int i = 0; i < 100; i++) {
        sbuf_reset(&out);
        CHECK_INT(step(&f, script, &out, 0.25), -999);
        CHECK_STR(out.buf, "started\n"); /* the tree was there when the timeout struck */
        CHECK_INT(count_marked(marker), 0);
    }
    sbuf_release(&out);
done:
    teardown(&f);
}

static void sandbox_timeout_leaves_no_process_100_times(void)
{
    check_timeouts_leave_nothing(SANDBOX_TIER_NS);
}

static void sandbox_without_namespaces_timeout_leaves_no_process_100_times(void)
{
    check_timeouts_leave_nothing(SANDBOX_TIER_RESTRICT);
}

static void sandbox_cancel_leaves_no_process(void)
{
    struct fixture f;
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, NULL))
        goto done;
    char marker[64], script[512];
    snprintf(marker, sizeof(marker), "1000.%d5", (int)getpid());
    snprintf(script, sizeof(script), "setsid sleep %s & sleep %s; wait", marker, marker);
    int cancel[2];
    CHECK(pipe(cancel) == 0);
    for (int i = 0; i < 100; i++) {
        struct err err = ERR_INIT;
        struct proc p = PROC_INIT;
        struct proc_opts o = PROC_OPTS_INIT;
        const char *const av[] = {"sh", "-c", script, NULL};
        o.argv = av;
        o.envp = path_env;
        CHECK_INT(sandbox_start(f.sb, &p, &o, &err), 0);
        CHECK(write(cancel[1], "x", 1) == 1);
        struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
        w.cancel_fd = cancel[0];
        w.grace_s = 0.1;
        CHECK_INT(proc_wait(&p, &w, &err), 0);
        char c;
        CHECK(read(cancel[0], &c, 1) == 1);
        proc_release(&p);
        CHECK(p.result.cancelled);
        CHECK(p.result.signaled);
        CHECK_INT(count_marked(marker), 0);
    }
    close(cancel[0]);
    close(cancel[1]);
done:
    teardown(&f);
}

static void sandbox_applies_rlimits(void)
{
    struct fixture f;
    struct sandbox_limits l = {.nofile = 64, .memory_max = 256u << 20, .pids_max = 100};
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, &l))
        goto done;
    struct sbuf out = SBUF_INIT;
    CHECK_INT(step(&f, "ulimit -n", &out, 10), 0);
    CHECK_STR(out.buf, "64\n");
    struct sbuf d = SBUF_INIT;
    sandbox_describe(f.sb, &d);
    printf("  %s\n", d.buf);
    sbuf_release(&d);
    sbuf_release(&out);
done:
    teardown(&f);
}

static void sandbox_cgroup_limits_processes(void)
{
    struct fixture f;
    struct sandbox_limits l = {.pids_max = 8};
    if (!setup(&f, SANDBOX_TIER_NS, SANDBOX_NET_HOST, &l))
        goto done;
    struct sbuf d = SBUF_INIT;
    sandbox_describe(f.sb, &d);
    bool has_cgroup = strstr(d.buf, "cgroup v") != NULL;
    sbuf_release(&d);
    if (!has_cgroup) {
        skip("no delegated cgroup with the pids controller here");
        goto done;
    }
    struct sbuf out = SBUF_INIT;
    /* dash reports a failed fork at once (bash would retry with back-off). */
    int rc =
        step(&f, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 5 & done; echo survived", &out, 20);
    CHECK(rc != 0 || !strstr(out.buf, "survived"));
    CHECK(strstr(out.buf, "fork"));
    sbuf_release(&out);
done:
    teardown(&f);
}

/*
 * Not root: the sandbox uses a user namespace. When the tests run as root, the test runs this
 * binary again as nobody (65534) through proc_start, and the child does the checks.
 */
static void sandbox_user_namespace_when_not_root(void)
{
    const char *dir = getenv("RUNNEL_TEST_UNPRIV_DIR");
    if (geteuid() == 0 && !dir) {
        struct err err = ERR_INIT;
        struct sbuf d = SBUF_INIT, env = SBUF_INIT;
        sbuf_addf(&d, "%s/unpriv", harness_tmpdir());
        CHECK_INT(fs_mkdirs(d.buf, 0777, &err), 0);
        CHECK(chmod(d.buf, 0777) == 0);
        CHECK(chmod(harness_tmpdir(), 0755) == 0);
        sbuf_addf(&env, "RUNNEL_TEST_UNPRIV_DIR=%s", d.buf);
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        CHECK(n > 0);
        self[n] = '\0';
        const char *const av[] = {self, "sandbox_user_namespace_when_not_root", NULL};
        const char *const envp[] = {env.buf, "PATH=/usr/bin:/bin", "TMPDIR=/tmp",
                                    "ASAN_OPTIONS=detect_leaks=0", NULL};
        struct proc p = PROC_INIT;
        struct proc_opts o = PROC_OPTS_INIT;
        o.argv = av;
        o.envp = envp;
        o.stdout_fd = 1;
        o.stderr_fd = 2;
        /* From /: the user-namespace tier has been seen to fail its mounts when the engine's
           working directory is under the host's /tmp (a build tree there). */
        o.cwd = "/";
        CHECK_INT(proc_start(&p, &o, &err), 0);
        struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
        w.timeout_s = 120;
        CHECK_INT(proc_wait(&p, &w, &err), 0);
        proc_release(&p);
        CHECK(p.result.exited);
        CHECK_INT(p.result.code, 0);
        sbuf_release(&d);
        sbuf_release(&env);
        return;
    }
    if (geteuid() == 0) {
        CHECK(setgroups(0, NULL) == 0);
        CHECK(setgid(65534) == 0);
        CHECK(setuid(65534) == 0);
        /* setuid() from root leaves the process non-dumpable (its /proc files owned by root);
           a user's normal login process is dumpable, which the uid_map write needs. */
        CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
    }
    struct err err = ERR_INIT;
    struct sandbox_host *host = NULL;
    if (sandbox_host_new(&host, SANDBOX_DEFAULT, &err) < 0) {
        skip(err.msg);
        return;
    }
    if (sandbox_host_tier(host) != SANDBOX_TIER_USERNS) {
        struct sbuf d = SBUF_INIT;
        sandbox_host_describe(host, &d);
        skip(d.buf);
        sbuf_release(&d);
        sandbox_host_free(host);
        return;
    }
    struct fixture f = {.host = host, .ws = SBUF_INIT, .tmp = SBUF_INIT};
    sbuf_addf(&f.ws, "%s/ws", dir ? dir : harness_tmpdir());
    sbuf_addf(&f.tmp, "%s/tmp", dir ? dir : harness_tmpdir());
    CHECK_INT(fs_mkdirs(f.ws.buf, 0755, &err), 0);
    CHECK_INT(fs_mkdirs(f.tmp.buf, 0755, &err), 0);
    struct sandbox_opts so = {.workspace = f.ws.buf, .temp_dir = f.tmp.buf};
    if (sandbox_new(&f.sb, host, &so, &err) < 0) {
        harness_fail(__FILE__, __LINE__, "sandbox_new: %s", err.msg);
        teardown(&f);
        return;
    }
    struct sbuf out = SBUF_INIT;
    int rc = step(&f, "id -u; cat /proc/self/uid_map | tr -s ' '; echo ok > in-ws", &out, 10);
    char want[64];
    snprintf(want, sizeof(want), "0\n 0 %d 1\n", (int)getuid());
    bool good = rc == 0 && !strcmp(out.buf, want);
    if (!good)
        harness_fail(__FILE__, __LINE__, "step gave %d: '%s', expected '%s'", rc, out.buf, want);
    check_write_confinement(&f, true);
    check_init_hidden(&f, 0);
    sbuf_reset(&out);
    CHECK(step(&f, "mount -t tmpfs none /tmp", &out, 10) != 0);
    sbuf_release(&out);
    teardown(&f);
}

/* A sandbox that cannot be built at the probed tier falls back (default) or fails (strict). */
static void sandbox_default_falls_back_when_setup_fails(void)
{
    struct err err = ERR_INIT;
    struct sandbox_host *h = NULL;
    struct sandbox *sb = NULL;
    if (!fs_is_file("/etc/hostname")) {
        skip("no /etc/hostname to make the mounts fail with");
        return;
    }
    CHECK_INT(sandbox_host_new(&h, SANDBOX_DEFAULT, &err), 0);
    if (sandbox_host_tier(h) > SANDBOX_TIER_NS) {
        skip("no namespaces here");
        sandbox_host_free(h);
        return;
    }
    struct sbuf ws = SBUF_INIT;
    sbuf_addf(&ws, "%s", harness_tmpdir());
    /* A writable file inside the read-only /etc bind cannot get its mount point. */
    static const char *const rw[] = {"/etc/hostname", NULL};
    struct sandbox_opts o = {.workspace = ws.buf, .temp_dir = ws.buf, .rw_paths = rw};
    int rc = sandbox_new(&sb, h, &o, &err);
    struct sbuf d = SBUF_INIT;
    sandbox_host_describe(h, &d);
    printf("  %s\n", d.buf);
    bool fell_back = rc == 0 && sandbox_tier(sb) >= SANDBOX_TIER_RESTRICT &&
                     strstr(d.buf, "fell back from namespaces") != NULL;
    sandbox_free(sb);
    sandbox_host_free(h);
    sbuf_release(&d);
    CHECK(fell_back);

    h = NULL;
    sb = NULL;
    CHECK_INT(sandbox_host_new(&h, SANDBOX_STRICT, &err), 0);
    rc = sandbox_new(&sb, h, &o, &err);
    sandbox_free(sb);
    sandbox_host_free(h);
    sbuf_release(&ws);
    CHECK_INT(rc, ERR_IO);
    CHECK(strstr(err.msg, "cannot set up the sandbox (mounts)"));
}

static void sandbox_level_parse_rejects_unknown(void)
{
    struct err err = ERR_INIT;
    enum sandbox_level l;
    CHECK_INT(sandbox_level_parse(&l, "strict", &err), 0);
    CHECK_INT(l, SANDBOX_STRICT);
    CHECK_INT(sandbox_level_parse(&l, "paranoid", &err), ERR_INVALID);
    CHECK_STR(err.msg, "unknown sandbox level 'paranoid' (expected strict, default or none)");
}

/*
 * The home is an empty tmpfs, yet what lies inside it on the host and is bound into the sandbox
 * stays visible: runnel's default run directory (and so the workspace) and the action cache are
 * under ~/.cache. Everything else of the home stays hidden.
 */
static void sandbox_home_keeps_binds_inside_it(void)
{
    struct err err = ERR_INIT;
    struct sandbox_host *host = NULL;
    if (sandbox_host_new(&host, SANDBOX_DEFAULT, &err) < 0) {
        skip(err.msg);
        return;
    }
    if (sandbox_host_tier(host) > SANDBOX_TIER_NS) {
        skip("no mount namespace here");
        sandbox_host_free(host);
        return;
    }
    struct fixture f = {.host = host, .ws = SBUF_INIT, .tmp = SBUF_INIT};
    struct sbuf home = SBUF_INIT, tool = SBUF_INIT, secret = SBUF_INIT, script = SBUF_INIT;
    sbuf_addf(&home, "%s/home", harness_tmpdir());
    sbuf_addf(&f.ws, "%s/.cache/runs/1/ws", home.buf);
    sbuf_addf(&f.tmp, "%s/.cache/runs/1/tmp", home.buf);
    sbuf_addf(&tool, "%s/.cache/actions/tool", home.buf);
    sbuf_addf(&secret, "%s/secret", home.buf);
    CHECK_INT(fs_mkdirs(f.ws.buf, 0755, &err), 0);
    CHECK_INT(fs_mkdirs(f.tmp.buf, 0755, &err), 0);
    CHECK_INT(fs_mkdirs(tool.buf, 0755, &err), 0);
    CHECK_INT(fs_write_file(secret.buf, "s", 1, &err), 0);
    struct sbuf tool_file = SBUF_INIT;
    sbuf_addf(&tool_file, "%s/main.js", tool.buf);
    CHECK_INT(fs_write_file(tool_file.buf, "tool\n", 5, &err), 0);
    const char *ro[] = {tool.buf, NULL};
    struct sandbox_opts so = {
        .workspace = f.ws.buf, .temp_dir = f.tmp.buf, .ro_paths = ro, .home = home.buf};
    if (sandbox_new(&f.sb, host, &so, &err) < 0) {
        harness_fail(__FILE__, __LINE__, "sandbox_new: %s", err.msg);
    } else {
        struct sbuf out = SBUF_INIT;
        sbuf_addf(&script,
                  "echo in-ws > in-ws && cat in-ws && cat %s && "
                  "(test -e %s && echo secret-visible || echo secret-hidden) && "
                  "( (echo x > %s/x) 2>/dev/null && echo tool-writable || echo tool-read-only)",
                  tool_file.buf, secret.buf, tool.buf);
        CHECK_INT(step(&f, script.buf, &out, 10), 0);
        CHECK_STR(out.buf, "in-ws\ntool\nsecret-hidden\ntool-read-only\n");
        sbuf_release(&out);
    }
    teardown(&f);
    sbuf_release(&home);
    sbuf_release(&tool);
    sbuf_release(&tool_file);
    sbuf_release(&secret);
    sbuf_release(&script);
}

/* A runnel killed with SIGKILL leaves an empty /tmp/runnel-root-*: the next run removes it. */
static void sandbox_host_removes_stale_roots(void)
{
    char old[] = "/tmp/runnel-root-XXXXXX", fresh[] = "/tmp/runnel-root-XXXXXX",
         full[] = "/tmp/runnel-root-XXXXXX";
    CHECK(mkdtemp(old) && mkdtemp(fresh) && mkdtemp(full));
    struct sbuf inside = SBUF_INIT;
    sbuf_addf(&inside, "%s/f", full);
    struct err err = ERR_INIT;
    CHECK_INT(fs_write_file(inside.buf, "", 0, &err), 0);
    struct timespec past[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    CHECK(utimensat(AT_FDCWD, old, past, 0) == 0 && utimensat(AT_FDCWD, full, past, 0) == 0);
    struct sandbox_host *h = NULL;
    if (sandbox_host_new(&h, SANDBOX_DEFAULT, &err) < 0) {
        skip(err.msg);
    } else if (sandbox_host_tier(h) > SANDBOX_TIER_NS) {
        skip("no namespaces here: runnel makes no root folders");
    } else {
        CHECK(!fs_exists(old));
        CHECK(fs_is_dir(fresh));
        CHECK(fs_is_file(inside.buf));
    }
    sandbox_host_free(h);
    unlink(inside.buf);
    rmdir(old);
    rmdir(fresh);
    rmdir(full);
    sbuf_release(&inside);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(sandbox_level_parse_rejects_unknown),
        TEST(sandbox_runs_many_steps),
        TEST(sandbox_reports_exec_failure),
        TEST(sandbox_confines_writes),
        TEST(sandbox_without_namespaces_confines_writes),
        TEST(sandbox_hides_host_processes),
        TEST(sandbox_without_namespaces_cannot_signal_host),
        TEST(sandbox_init_memory_is_hidden_from_steps),
        TEST(sandbox_without_namespaces_hides_runnel_memory),
        TEST(sandbox_device_nodes_are_read_only),
        TEST(sandbox_network_none_cannot_reach_loopback_listener),
        TEST(sandbox_network_none_without_namespaces),
        TEST(sandbox_cannot_regain_privileges),
        TEST(sandbox_background_processes_do_not_survive_the_step),
        TEST(sandbox_timeout_leaves_no_process_100_times),
        TEST(sandbox_without_namespaces_timeout_leaves_no_process_100_times),
        TEST(sandbox_cancel_leaves_no_process),
        TEST(sandbox_applies_rlimits),
        TEST(sandbox_cgroup_limits_processes),
        TEST(sandbox_user_namespace_when_not_root),
        TEST(sandbox_default_falls_back_when_setup_fails),
        TEST(sandbox_home_keeps_binds_inside_it),
        TEST(sandbox_host_removes_stale_roots),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
