/*
 * The seccomp filter: a deny list in the spirit of Docker's default profile, compiled once per
 * run with libseccomp and exported as classic BPF, so that starting a sandbox only loads the
 * raw program (compiling costs about 1 ms; see ../shared/reference/sandbox-findings.md).
 * Denied calls fail with EPERM; calls from a foreign architecture (32-bit entry points) kill
 * the process, libseccomp's default for architectures the filter was not built for.
 */
#include "exec/internal.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef RUNNEL_HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "util/xalloc.h"

/* Kernel, module, clock, swap, accounting and mount administration: never needed by a step. */
static const char *const deny_default[] = {"kexec_load",
                                           "kexec_file_load",
                                           "init_module",
                                           "finit_module",
                                           "delete_module",
                                           "reboot",
                                           "swapon",
                                           "swapoff",
                                           "mount",
                                           "umount2",
                                           "pivot_root",
                                           "move_mount",
                                           "open_tree",
                                           "fsopen",
                                           "fsconfig",
                                           "fsmount",
                                           "fspick",
                                           "mount_setattr",
                                           "open_by_handle_at",
                                           "bpf",
                                           "userfaultfd",
                                           "acct",
                                           "settimeofday",
                                           "clock_settime",
                                           "clock_adjtime",
                                           "adjtimex",
                                           "iopl",
                                           "ioperm",
                                           "syslog",
                                           "quotactl",
                                           "lookup_dcookie",
                                           "vhangup",
                                           "uselib",
                                           "keyctl",
                                           "add_key",
                                           "request_key",
                                           "perf_event_open",
                                           "nfsservctl",
                                           "kcmp",
                                           "setdomainname",
                                           "sethostname",
                                           NULL};

/* strict also forbids debugging and making new namespaces. */
static const char *const deny_strict[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns", "personality", NULL};

bool sandbox_seccomp_available(void)
{
#ifdef RUNNEL_HAVE_SECCOMP
    return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
#else
    return false;
#endif
}

#ifdef RUNNEL_HAVE_SECCOMP
static int add_denies(scmp_filter_ctx ctx, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (r < 0)
            return r;
    }
    return 0;
}
#endif

/* network none without a network namespace: io_uring can open sockets (IORING_OP_SOCKET). */
static const char *const deny_no_inet[] = {"io_uring_setup", "io_uring_enter", "io_uring_register",
                                           NULL};

int sandbox_seccomp_compile(struct sandbox_bpf *out, bool strict, bool no_inet, struct err *err)
{
    memset(out, 0, sizeof(*out));
#ifdef RUNNEL_HAVE_SECCOMP
    int rc = 0;
    int fd = -1;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return err_set(err, ERR_FAIL, "cannot initialise the seccomp filter");
    int r = add_denies(ctx, deny_default);
    if (r == 0 && strict) {
        r = add_denies(ctx, deny_strict);
        /* clone() with any namespace flag (one rule per flag; rules for one call are OR'ed).
           clone3 passes its flags in memory where the filter cannot see them, so it reports
           ENOSYS and glibc falls back to clone(). */
        static const int ns_flags[] = {CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWPID,   CLONE_NEWNET,
                                       CLONE_NEWIPC, CLONE_NEWUTS,  CLONE_NEWCGROUP};
        for (size_t i = 0; r == 0 && i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
            scmp_datum_t f = (scmp_datum_t)ns_flags[i];
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
        }
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    }
    if (r == 0 && no_inet) {
        /* Only unix sockets: TCP, UDP, raw and every other family fail with EPERM (Landlock
           handles TCP alone). Loopback goes too: there is no private one without a namespace. */
        r = add_denies(ctx, deny_no_inet);
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                                 SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    }
    if (r < 0) {
        rc = err_set(err, ERR_FAIL, "cannot build the seccomp filter: %s", strerror(-r));
        goto done;
    }
    fd = memfd_create("runnel-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        rc = err_errno(err, "cannot create a memfd for the seccomp filter");
        goto done;
    }
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0) {
        rc = err_set(err, ERR_FAIL, "cannot export the seccomp filter: %s", strerror(-r));
        goto done;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % (off_t)sizeof(struct sock_filter)) {
        rc = err_set(err, ERR_FAIL, "seccomp filter has a bad size %ld", (long)size);
        goto done;
    }
    out->filter = xmalloc((size_t)size);
    if (pread(fd, out->filter, (size_t)size, 0) != size) {
        rc = err_errno(err, "cannot read the seccomp filter back");
        sandbox_seccomp_release(out);
        goto done;
    }
    out->len = (size_t)size / sizeof(struct sock_filter);
done:
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
    return rc;
#else
    (void)strict;
    (void)no_inet;
    return err_set(err, ERR_NOTFOUND, "runnel was built without libseccomp");
#endif
}

void sandbox_seccomp_release(struct sandbox_bpf *prog)
{
    xfree(prog->filter);
    prog->filter = NULL;
    prog->len = 0;
}

int sandbox_seccomp_load(const struct sandbox_bpf *prog)
{
    if (!prog->filter)
        return -ENOSYS;
    struct sock_fprog fp = {.len = (unsigned short)prog->len, .filter = prog->filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
        return -errno;
    return 0;
}
