#ifndef GIT_INTERNAL_H
#define GIT_INTERNAL_H

/* Declarations shared by the files of src/git/; not part of the module's API. */

#include <stdbool.h>

#include <git2.h>

#include "git/git.h"
#include "util/sbuf.h"
#include "util/vec.h"

struct repo {
    git_repository *git;
    char *workdir; /* with trailing '/', NULL when bare (owned) */
    /* The repository's common directory with a trailing '/' (owned): where its objects, refs and
     * LFS storage are; the .git directory itself except in a linked worktree (git worktree add),
     * whose own .git/worktrees/NAME holds only its HEAD and index. */
    char *commondir;
};

/*
 * Sets err from libgit2's last error as "<what>: <libgit2 message>" with code `code`, masking
 * `secret` (a token) wherever it appears. Returns code.
 */
int repo_fail(struct err *err, int code, const char *secret, const char *what, ...)
    __attribute__((format(printf, 4, 5)));
/* Replaces every occurrence of secret in the message by "***". */
void repo_mask(struct err *err, const char *secret);

/*
 * True when refname (refs/heads/x) is checked out in a worktree of git's repository: the main
 * one unless the repository is bare, and every linked one (git worktree add), as git's
 * find_shared_symref() looks for it before `git branch -f` or a push moves a branch. The
 * worktree's folder is appended to where_out.
 */
bool repo_checked_out_in(struct sbuf *where_out, git_repository *git, const char *refname);

/* Where versions go: nowhere (the local branch), a repository by path, or a network URL. */
enum remote_kind { REMOTE_NONE, REMOTE_PATH, REMOTE_NETWORK };

struct remote_target {
    enum remote_kind kind;
    char *url;        /* what libgit2 connects to (owned; NULL for REMOTE_NONE) */
    char *path;       /* REMOTE_PATH: the repository directory (owned) */
    char *display;    /* url without credentials, for messages (owned) */
    char *url_secret; /* the password written in the URL, masked in messages, or NULL (owned) */
    char *url_secret_decoded; /* the same with its %XX escapes decoded, or NULL (owned) */
    char *extra_header;       /* "AUTHORIZATION: ..." left by actions/checkout, or NULL (owned) */
    const char *token;        /* password for HTTP basic auth (borrowed) */
};

int remote_resolve(struct remote_target *t, struct repo *r, const char *remote, const char *token,
                   struct err *err);
void remote_target_release(struct remote_target *t);
/*
 * As repo_fail(), masking every secret of t: the token and the password written in its URL.
 * Every error that can carry libgit2's words about a remote goes through here.
 */
int remote_fail(struct err *err, int code, const struct remote_target *t, const char *what, ...)
    __attribute__((format(printf, 4, 5)));

/* One advertised reference. */
struct remote_ref {
    char *name; /* owned */
    git_oid oid;
    git_oid peeled; /* annotated tags: the commit; else equal to oid */
};

/* What the remote (or the local repository for REMOTE_NONE) says about the branch. */
struct remote_state {
    bool has_tip;
    git_oid tip;     /* refs/heads/<branch> when has_tip; its objects are in the local odb */
    struct vec refs; /* struct remote_ref: every head and tag advertised */
};

/*
 * Lists the remote's references and downloads `want` (full ref names, e.g. refs/heads/x, or
 * glob refspecs) into the local object database without writing any reference. For
 * REMOTE_NONE, reads the local references instead.
 */
int remote_state_load(struct remote_state *st, struct repo *r, struct remote_target *t,
                      const char *branch, const char *const *want, size_t nwant, struct err *err);
void remote_state_release(struct remote_state *st);
const struct remote_ref *remote_state_find(const struct remote_state *st, const char *name);

/* Outcome of one attempt to move the branch. */
enum push_outcome { PUSH_OK, PUSH_RACE };

struct push_request {
    const char *branch;
    const git_oid *old; /* the tip the commit was built on; NULL when the branch is new */
    const git_oid *commit;
    const char *tag; /* NULL for none */
    const git_oid *tag_oid;
};

int remote_push(enum push_outcome *out, struct repo *r, struct remote_target *t,
                const struct remote_state *st, const struct push_request *req, struct err *err);

/* Credential state for one connection (bounded: a rejected token is not retried). */
struct remote_auth {
    const char *token;
    bool url_has_password; /* libgit2 tries the URL's user:password before asking us */
    unsigned tries;
    bool rejected;
};
void remote_callbacks_init(git_remote_callbacks *cb, struct remote_auth *auth);

/* LFS: "<commondir>lfs/objects/aa/bb/<oid>" appended to out (git-lfs keeps it in the common dir).
 */
void lfs_object_path(struct sbuf *out, const char *commondir, const char *oid);
/* Copies a file into LFS storage under commondir (no-op when the object is there). */
int lfs_store(const char *commondir, const struct repo_lfs_object *obj, struct err *err);
/* Computes the sha256 and size of a file, streaming. */
int lfs_hash_file(struct repo_lfs_object *obj, const char *path, struct err *err);
/* Appends the pointer file's text. */
void lfs_pointer(struct sbuf *out, const struct repo_lfs_object *obj);
/* Parses a pointer file; false when data is not one. */
bool lfs_parse_pointer(struct repo_lfs_object *out, const char *data, size_t len);

#endif
