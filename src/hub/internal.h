#ifndef HUB_INTERNAL_H
#define HUB_INTERNAL_H

/*
 * hub internals: the upload planner (upload.c) works on a list of struct hub_file and talks to a
 * backend through struct hub_backend, implemented twice: remote.c (the Hub's HTTP API) and
 * store.c (the embedded file:// hub, a bare git repository per repo id written through the
 * struct hub_git_ops the hub was made with).
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hub/hub.h"
#include "util/vec.h"

/* One local file of an upload. */
struct hub_file {
    char *local; /* path on disk (owned) */
    char *path;  /* normalised path in repo (owned) */
    uint64_t size;
    unsigned char sample[512]; /* the first bytes, for the preupload call */
    size_t sample_len;
    bool is_lfs;        /* the Hub said "lfs" */
    bool should_ignore; /* the Hub said shouldIgnore */
    char *remote_oid;   /* the oid the remote has at this path, or NULL (owned) */
    char oid[65];       /* local oid: git blob sha1 (regular) or sha256 (LFS); "" until computed */
    char sha256[65];    /* the bytes' sha256, maybe hashed ahead (upload.c); "" until computed */
    char sha1[41];      /* the bytes' git blob id; "" until computed */
};

enum hub_op_kind {
    HUB_OP_ADD,
    HUB_OP_DELETE_FILE,
    HUB_OP_DELETE_FOLDER,
};

struct hub_op {
    enum hub_op_kind kind;
    const struct hub_file *file; /* HUB_OP_ADD: borrowed from the plan */
    char *path;                  /* deletes: path in repo (owned) */
};

struct hub_commit {
    const char *summary;
    const char *description;
    const char *parent; /* 40-hex expected tip, or NULL */
    struct vec ops;     /* struct hub_op */
    /* Set by the backend's commit when it failed because the branch was no longer at parent
     * (the Hub's 412, the embedded hub's compare-and-swap): planning again may succeed. */
    bool moved;
};

struct hub_backend {
    int (*whoami)(struct hub *h, struct sbuf *name_out, struct err *err);
    int (*create_repo)(struct hub *h, const struct hub_repo *repo, const struct hub_create_opts *o,
                       struct err *err);
    int (*revision)(struct hub *h, const struct hub_repo *repo, const char *rev,
                    struct sbuf *sha_out, struct err *err);
    int (*create_branch)(struct hub *h, const struct hub_repo *repo, const char *branch,
                         const char *from, struct err *err);
    int (*create_tag)(struct hub *h, const struct hub_repo *repo, const char *rev, const char *tag,
                      const char *message, struct err *err);
    /* Appends the commit the tag names; ERR_NOTFOUND when the repo has no such tag. */
    int (*tag_commit)(struct hub *h, const struct hub_repo *repo, const char *tag,
                      struct sbuf *sha_out, struct err *err);
    /* Fills is_lfs, should_ignore and remote_oid of every file. */
    int (*preupload)(struct hub *h, const struct hub_repo *repo, const char *rev,
                     struct hub_file *files, size_t n, struct err *err);
    /* Appends the paths (char *, owned by the vec's user) of every file at rev. */
    int (*list_files)(struct hub *h, const struct hub_repo *repo, const char *rev,
                      struct vec *paths_out, struct err *err);
    /* Makes the LFS objects of files[] (oids computed) present; counts the ones sent. */
    int (*upload_lfs)(struct hub *h, const struct hub_repo *repo, const char *rev,
                      struct hub_file *const *files, size_t n, size_t *n_sent, struct err *err);
    /* Commits c on rev, only while rev is at c->parent (c->moved set when it is not). */
    int (*commit)(struct hub *h, const struct hub_repo *repo, const char *rev, struct hub_commit *c,
                  struct hub_upload_result *res, struct err *err);
};

struct hub {
    const struct hub_backend *backend;
    char *endpoint; /* without a trailing '/' */
    char *token;    /* may be NULL */
    char *state_dir;
    struct http_client *http; /* remote only */
    unsigned parallel_parts;  /* 1..HUB_MAX_PARALLEL_PARTS */
    /* Clients of http for the threads that send multipart parts, made when first needed;
     * part_http[0] stays NULL (the first sender uses http). */
    struct http_client *part_http[HUB_MAX_PARALLEL_PARTS];
    char *store_root;              /* file:// only */
    const struct hub_git_ops *git; /* file:// only (borrowed from hub_opts) */
    hub_progress_fn progress;
    void *progress_payload;
};

extern const struct hub_backend hub_remote_backend;
extern const struct hub_backend hub_store_backend;

/*
 * Git's blob id of a file's bytes, or SHA-256 of them; hex into out (41 / 65 bytes). The SHA-256
 * stops with ERR_CANCELLED once *cancel (when not NULL) is true.
 */
int hub_file_sha1(char out[41], const char *path, struct err *err);
int hub_file_sha256(char out[65], const char *path, const atomic_bool *cancel, struct err *err);

/* The Hub's "prefix" for git/LFS URLs: "", "datasets/", "spaces/". */
const char *hub_url_prefix(enum hub_repo_type t);

/* Appends the value of a top-level key of a valid Space card's front matter; false if absent. */
bool hub_card_field(struct sbuf *out, const char *text, size_t len, const char *key);

#endif
