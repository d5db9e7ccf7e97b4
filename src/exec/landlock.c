/*
 * Landlock, through raw system calls. Debian 12's kernel headers stop at ABI 2-3, so the
 * constants and structures of later ABIs are defined here (values from the kernel's
 * include/uapi/linux/landlock.h; the ABI only ever grows).
 */
#include "exec/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_SYS_CREATE_RULESET 444
#define LL_SYS_ADD_RULE 445
#define LL_SYS_RESTRICT_SELF 446

#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

/* File system rights (ABI 1 unless noted). */
#define LL_FS_EXECUTE (1ull << 0)
#define LL_FS_WRITE_FILE (1ull << 1)
#define LL_FS_READ_FILE (1ull << 2)
#define LL_FS_READ_DIR (1ull << 3)
#define LL_FS_REMOVE_DIR (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR (1ull << 6)
#define LL_FS_MAKE_DIR (1ull << 7)
#define LL_FS_MAKE_REG (1ull << 8)
#define LL_FS_MAKE_SOCK (1ull << 9)
#define LL_FS_MAKE_FIFO (1ull << 10)
#define LL_FS_MAKE_BLOCK (1ull << 11)
#define LL_FS_MAKE_SYM (1ull << 12)
#define LL_FS_REFER (1ull << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14) /* ABI 3 */
/* Network rights (ABI 4). */
#define LL_NET_BIND_TCP (1ull << 0)
#define LL_NET_CONNECT_TCP (1ull << 1)
/* Scopes (ABI 6). */
#define LL_SCOPE_SIGNAL (1ull << 1)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int sandbox_landlock_abi(void)
{
    long abi = syscall(LL_SYS_CREATE_RULESET, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static int add_path(int ruleset, const char *path, uint64_t access)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno; /* a missing optional path is not an error */
    /* A rule on a file may only hold the rights that apply to files (else EINVAL). */
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE;
    struct ll_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
    long r = syscall(LL_SYS_ADD_RULE, ruleset, LL_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

int sandbox_landlock_apply(int abi, const char *const *rw_paths, const char *const *dev_paths,
                           bool block_tcp, bool scope_signals)
{
    if (abi < 1)
        return -ENOSYS;
    /* Only writes are handled: reading the host's system directories stays allowed. */
    uint64_t write = LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR |
                     LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO |
                     LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM;
    if (abi >= 2)
        write |= LL_FS_REFER;
    if (abi >= 3)
        write |= LL_FS_TRUNCATE;
    struct ll_ruleset_attr attr = {.handled_access_fs = write};
    size_t size = sizeof(uint64_t);
    if (abi >= 4) {
        size = 2 * sizeof(uint64_t);
        if (block_tcp)
            attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    }
    if (abi >= 6) {
        size = sizeof(attr);
        if (scope_signals)
            attr.scoped = LL_SCOPE_SIGNAL;
    }
    int ruleset = (int)syscall(LL_SYS_CREATE_RULESET, &attr, size, 0);
    if (ruleset < 0)
        return -errno;
    int rc = 0;
    for (size_t i = 0; rw_paths && rw_paths[i] && rc == 0; i++)
        rc = add_path(ruleset, rw_paths[i], write);
    uint64_t dev = LL_FS_WRITE_FILE | (abi >= 3 ? LL_FS_TRUNCATE : 0);
    for (size_t i = 0; dev_paths && dev_paths[i] && rc == 0; i++)
        rc = add_path(ruleset, dev_paths[i], dev);
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        rc = -errno;
    if (rc == 0 && syscall(LL_SYS_RESTRICT_SELF, ruleset, 0) < 0)
        rc = -errno;
    close(ruleset);
    return rc;
}

int sandbox_landlock_scope_signals(void)
{
    struct ll_ruleset_attr attr = {.scoped = LL_SCOPE_SIGNAL};
    int ruleset = (int)syscall(LL_SYS_CREATE_RULESET, &attr, sizeof(attr), 0);
    if (ruleset < 0)
        return -errno;
    int rc = syscall(LL_SYS_RESTRICT_SELF, ruleset, 0) < 0 ? -errno : 0;
    close(ruleset);
    return rc;
}
