#ifndef EXEC_SANDBOX_INTERNAL_H
#define EXEC_SANDBOX_INTERNAL_H

/* The sandbox's private structures, shared by sandbox.c (engine side) and sandbox_init.c. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "exec/exec.h"
#include "exec/internal.h"
#include "util/sbuf.h"
#include "util/vec.h"

struct sandbox_host {
    enum sandbox_level level;
    enum sandbox_tier tier;        /* in force */
    enum sandbox_tier probed_tier; /* the strongest the probe found */
    bool is_root;
    int cap_last;               /* /proc/sys/kernel/cap_last_cap */
    int landlock_abi;           /* 0 when unavailable */
    struct sandbox_bpf seccomp; /* compiled once per run; filter NULL when unavailable */
    /* The same plus "no sockets but unix ones", for network none without namespaces; compiled
       on first use (seccomp_no_inet_tried), filter NULL when unavailable. */
    struct sandbox_bpf seccomp_no_inet;
    bool seccomp_no_inet_tried;
    struct sbuf why; /* "; reason" for each mechanism that is missing */
};

/* One step of building the file system view, executed in order by the init. */
enum sandbox_op_kind {
    SANDBOX_MKDIR,   /* mkdir dst (EEXIST is fine) */
    SANDBOX_TOUCH,   /* create an empty file dst to bind a file onto */
    SANDBOX_BIND,    /* bind src at dst, writable */
    SANDBOX_BIND_RO, /* bind src at dst, then make it read-only */
    SANDBOX_MOUNT,   /* mount a fresh fstype at dst */
    SANDBOX_SYMLINK, /* symlink dst -> src */
};

struct sandbox_op {
    enum sandbox_op_kind kind;
    char *src;          /* owned */
    char *dst;          /* owned; absolute, under the new root */
    const char *fstype; /* static */
    unsigned long flags;
    const char *data; /* static mount data */
};

/* Everything the init needs, built before clone (B7.1). */
struct sandbox_plan {
    char *root;           /* the tmpfs mount point that becomes /, owned; NULL without ns */
    struct vec ops;       /* struct sandbox_op, in order */
    struct vec rw;        /* char *, NULL-terminated: writable paths for Landlock */
    struct vec dev;       /* char *, NULL-terminated: writable devices for Landlock */
    const char *hostname; /* borrowed */
    char uid_map[64];     /* with a user namespace: "0 <uid> 1\n" */
    char gid_map[64];
    int clone_flags;
    struct sandbox_limits limits;
    bool keep_background;
    bool scope_signals; /* Landlock signal scoping (no pid namespace) */
    bool block_tcp;     /* Landlock TCP rules for network none without a net namespace */
    bool no_inet;       /* seccomp denies non-unix sockets (network none, no net namespace) */
    int cap_last;
    int landlock_abi;
    const struct sandbox_bpf *seccomp; /* borrowed from the host */
    int ctl_fd;                        /* the init's end of the control socket */
    int devnull_fd;
};

struct sandbox {
    struct sandbox_host *host; /* borrowed */
    enum sandbox_tier tier;
    enum sandbox_network network;
    struct sandbox_plan plan;
    pid_t init_pid;
    int init_pidfd;
    int ctl;              /* the engine's end of the control socket */
    struct proc *running; /* borrowed: the step in progress, or NULL */
    bool is_broken;       /* the init went away; no more steps */
    char *cg_dirs[4];     /* cgroups we created (removed by sandbox_free) */
    size_t n_cg;
    const char *cg_backend; /* static description */
};

/* Control messages. */
enum sandbox_msg_type {
    SANDBOX_GO = 1,  /* engine -> init: cgroups are set, build the sandbox */
    SANDBOX_READY,   /* init -> engine: ready for steps */
    SANDBOX_FAILED,  /* init -> engine: a = stage (enum sandbox_stage), b = errno */
    SANDBOX_START,   /* engine -> init: fds = request memfd, stdin, stdout, stderr */
    SANDBOX_STARTED, /* init -> engine: a = pid inside (<= 0 on failure), b = spawn stage, c = errno
                      */
    SANDBOX_SIGNAL,  /* engine -> init: a = signal, b = 1 for every process in the sandbox */
    SANDBOX_EXITED,  /* init -> engine: a = wait status of the step */
};

struct sandbox_msg {
    int type;
    int a, b, c;
};

#define SANDBOX_MAX_FDS 4

enum sandbox_stage {
    SANDBOX_STAGE_USERNS,
    SANDBOX_STAGE_MOUNTS,
    SANDBOX_STAGE_PIVOT,
    SANDBOX_STAGE_NET,
    SANDBOX_STAGE_HOSTNAME,
    SANDBOX_STAGE_RLIMITS,
    SANDBOX_STAGE_CAPS,
    SANDBOX_STAGE_LANDLOCK,
    SANDBOX_STAGE_SECCOMP,
    SANDBOX_STAGE_INIT,
    SANDBOX_STAGE_COUNT,
};

extern const char *const sandbox_stage_names[SANDBOX_STAGE_COUNT];

int sandbox_msg_send(int fd, const struct sandbox_msg *m, const int *fds, size_t nfds);
/* Returns the bytes read (0 at EOF) or -1; received fds go to fds (close-on-exec). */
ssize_t sandbox_msg_recv(int fd, struct sandbox_msg *m, int *fds, size_t *nfds, int flags);

/* The init's body: builds the sandbox and serves requests. Never returns. */
_Noreturn void sandbox_init_main(const struct sandbox_plan *pl);

#endif
