#ifndef GIT_GIT_H
#define GIT_GIT_H

/*
 * git: versioned model and result branches, built with libgit2 (the only module that includes
 * git2.h; it never runs the git command).
 *
 * A "publish" makes one commit that holds some paths of the user's working tree on top of a
 * branch's current tip, and pushes it. It never touches the user's working tree, index, HEAD or
 * current branch: blobs, trees and the commit are written straight into the object database and
 * the branch is moved by a compare-and-swap on the remote (or on the local ref when there is no
 * remote). A push that loses a race (another run published first) fetches the new tip, rebuilds
 * the commit on it and tries again, a bounded number of times; nothing is ever forced.
 *
 * Lifecycle:
 *   1. repo_global_init() once per process (git_libgit2_init); repo_global_shutdown() at the end
 *      so that LeakSanitizer sees libgit2's global state released.
 *   2. repo_open(&r, ".", err)          finds the repository that holds the directory
 *   3. repo_publish(r, &opts, &res, err)   or repo_list() / repo_get()
 *   4. repo_free(r)
 *
 * Remotes: `remote` is a configured remote's name, an http(s):// or ssh URL, a file:// URL or a
 * path to a repository. When NULL, "origin" is used if it is configured; without it, publish
 * only moves the local branch refs/heads/<branch> (never one checked out in any worktree).
 * HTTP(S) remotes authenticate with the password written in the URL, else the token as the
 * password of basic authentication (user "x-access-token", or the user given as "user:TOKEN");
 * SSH uses the user's agent. A tag goes to the remote only after the branch update was accepted,
 * so it always names a version on the branch.
 *
 * Large files (over lfs_threshold bytes) are committed as Git LFS pointers, with a
 * .gitattributes line that marks them, and their content is stored where git-lfs looks for it:
 * the local repository's lfs/objects (no remote), the remote repository's lfs/objects (a remote
 * by path, as git-lfs's standalone file transfer does), or handed to opts.lfs_upload for an
 * HTTP remote (runnel's runner passes an LFS batch API client; its error, e.g. a remote without
 * LFS, stops the publish before the push). Without an uploader an HTTP publish with a large
 * file is refused before anything is written: a large blob is never committed silently.
 *
 * Ownership: struct repo owns its libgit2 objects. Strings in the options structs are borrowed
 * for the duration of the call. Results are plain values or owned by the caller as documented.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/vec.h"

struct repo;

/* 50 MiB: GitHub warns about files above it and rejects files above 100 MiB. */
#define REPO_LFS_THRESHOLD_DEFAULT (50ull * 1024 * 1024)
/* Publish attempts (build, push) before a race is given up. */
#define REPO_PUBLISH_ATTEMPTS_DEFAULT 12

void repo_global_init(void);
void repo_global_shutdown(void);

/*
 * Opens the repository that contains `path` (searching upwards, as git does). ERR_NOTFOUND when
 * there is none. *out is owned by the caller (repo_free).
 */
int repo_open(struct repo **out, const char *path, struct err *err);
/* Creates a fresh bare repository at path (a scratch object store for repo_get). */
int repo_init_bare(struct repo **out, const char *path, struct err *err);
void repo_free(struct repo *r);
/* The working tree's top directory with a trailing '/', or NULL for a bare repository. */
const char *repo_workdir(const struct repo *r);
/*
 * True in *skip when relpath (relative to the working tree, no trailing '/'; is_dir for a
 * directory) is what `git add` leaves out: ignored by .gitignore and holding no tracked file.
 * Used to copy a working tree into a job's workspace as act does.
 */
int repo_workdir_skip(bool *skip, struct repo *r, const char *relpath, bool is_dir,
                      struct err *err);

/* Where a published version came from (GitHub Actions' default environment variables). */
struct repo_provenance {
    const char *sha;        /* GITHUB_SHA; the repository's HEAD commit when NULL */
    const char *ref;        /* GITHUB_REF */
    const char *repository; /* GITHUB_REPOSITORY */
    const char *workflow;   /* GITHUB_WORKFLOW */
    const char *run_id;     /* GITHUB_RUN_ID */
    const char *run_number; /* GITHUB_RUN_NUMBER */
    const char *job;        /* GITHUB_JOB */
};

/* Fills *out from the environment; unset or empty variables are NULL. Strings are borrowed. */
void repo_provenance_from_env(struct repo_provenance *out);

/* One file whose content goes to LFS storage instead of a blob. */
struct repo_lfs_object {
    char oid[65];        /* sha256 of the content, lowercase hex */
    uint64_t size;       /* bytes */
    const char *path;    /* the file on disk (borrowed) */
    const char *relpath; /* its path in the commit (borrowed) */
};

/*
 * Uploads one object to the remote's LFS storage (the batch API). `url` is the remote URL,
 * `token` the credential (may be NULL). Returns 0 or a negative err_code with err set.
 */
typedef int (*repo_lfs_upload_fn)(const struct repo_lfs_object *obj, const char *url,
                                  const char *token, void *payload, struct err *err);
/* A progress line for the user (no trailing newline). */
typedef void (*repo_log_fn)(const char *line, void *payload);

struct repo_publish_opts {
    const char *branch;       /* required: the branch name, without refs/heads/ */
    const char *const *paths; /* files and folders, relative to the current directory */
    size_t npaths;
    const char *message;    /* the commit message's subject (and body); NULL for a default */
    const char *tag;        /* annotated tag per version; {run_number}, {run_id}, {sha} expand */
    const char *remote;     /* remote name, URL or path; NULL: "origin" or local only */
    const char *token;      /* HTTP(S) password/token, "user:token" accepted; NULL for none */
    bool orphan;            /* a new branch starts empty instead of from HEAD */
    bool force_add;         /* add files even when .gitignore ignores them */
    bool no_skip_ci;        /* leave "[skip ci]" out of the subject */
    uint64_t lfs_threshold; /* bytes; 0 for REPO_LFS_THRESHOLD_DEFAULT */
    unsigned max_attempts;  /* 0 for REPO_PUBLISH_ATTEMPTS_DEFAULT */
    const struct repo_provenance *prov; /* NULL: nothing but the source commit */
    repo_lfs_upload_fn lfs_upload;      /* NULL: large files to HTTP remotes are refused */
    void *lfs_payload;
    repo_log_fn log; /* NULL: quiet */
    void *log_payload;
};

struct repo_publish_result {
    bool changed;      /* false: the paths equal the tip's; nothing was committed */
    char commit[41];   /* the new commit (or the unchanged tip; "" for none) */
    char tag[256];     /* the tag created, "" for none */
    bool tagged_tip;   /* nothing changed and the tag was put on the unchanged tip */
    char remote[512];  /* where it went, without credentials ("" for the local branch) */
    unsigned attempts; /* pushes tried (1 without a race) */
    size_t nfiles;     /* files in the published paths */
    size_t nlfs;       /* of which stored through LFS */
};

/*
 * Publishes opts->paths to opts->branch as described above. Returns 0 both when a commit was
 * pushed and when nothing changed (res->changed says which). Errors: ERR_INVALID for bad
 * options or paths (a branch name git refuses, an unknown remote, a path git add would refuse:
 * outside the work tree, beyond a symbolic link, inside a submodule, ""; an ignored file without
 * force_add, an existing tag, a large file the remote cannot take, a branch checked out in a
 * worktree), ERR_FAIL for a rejected push or failed authentication (the message never contains
 * the token or a password from the URL), ERR_IO for reading files.
 */
int repo_publish(struct repo *r, const struct repo_publish_opts *opts,
                 struct repo_publish_result *res, struct err *err);

/* Which remote and branch repo_list() and repo_get() read. */
struct repo_source_opts {
    const char *branch; /* NULL allowed for repo_get with a tag or commit */
    const char *remote; /* as repo_publish_opts.remote */
    const char *token;
};

/* One published version, newest first in repo_list()'s vector. */
struct repo_version {
    char commit[41];
    int64_t time;   /* commit time, seconds since the epoch */
    int tz_minutes; /* the committer's offset from UTC */
    char *tags;     /* space-separated tag names, "" for none (owned) */
    char *subject;  /* first line of the message (owned) */
    char *metrics;  /* the Metrics: line's value, "" for none (owned) */
};

/*
 * Lists the branch's versions, newest first, following first parents back to the first commit
 * that publish did not make. *out is a vector of struct repo_version (initialise it with
 * VEC_INIT(struct repo_version); free with repo_versions_release). ERR_NOTFOUND when the branch
 * does not exist.
 */
int repo_list(struct vec *out, struct repo *r, const struct repo_source_opts *src, struct err *err);
void repo_versions_release(struct vec *versions);

struct repo_get_opts {
    struct repo_source_opts src;
    const char *version;      /* commit sha (or prefix), tag, "latest" or "latest~N" */
    const char *const *paths; /* paths inside the published tree; "." for everything */
    size_t npaths;
    const char *out_dir; /* files land at out_dir/<path> */
    repo_log_fn log;
    void *log_payload;
};

/*
 * Restores the given paths of one version into out_dir (created when missing). LFS pointers are
 * replaced by their content when it is in local or path-remote LFS storage; otherwise the
 * pointer file is written and a log line says so. ERR_NOTFOUND for an unknown version or a path
 * the version does not have. Writes the resolved commit sha into commit_out (41 bytes) when
 * not NULL.
 */
int repo_get(char *commit_out, struct repo *r, const struct repo_get_opts *opts, struct err *err);

/*
 * ---- Bare repositories read and written directly (bare.c; repo_open_bare in repo.c) ----
 *
 * For a program that keeps its own content in a bare repository (runnel's embedded file:// hub
 * does, through the table of function pointers its runner fills from these): open or create the
 * repository, resolve a revision to a commit, list a commit's files, read a blob, write one commit
 * of changes onto a branch, create branches and tags. There is no working tree and no index: blobs
 * and trees go straight into the object database. Commits and annotated tags are made by
 * "runnel <runnel@localhost>". Commit and blob ids are 40 lowercase hex characters.
 *
 * Lifecycle:
 *   1. repo_global_init()
 *   2. repo_open_bare(&r, dir, "main", err)   (NULL for the branch: open only, never create)
 *   3. repo_resolve(), repo_ls_tree(), repo_read_blob(), repo_commit_changes(),
 *      repo_branch_create(), repo_tag_create(), as often as needed
 *   4. repo_free(r); repo_global_shutdown()
 */

struct sbuf;

/*
 * Opens the bare repository at path (exactly there; no search upwards). When there is none and
 * initial_branch is not NULL, creates one, with missing parent folders, whose HEAD names
 * refs/heads/<initial_branch>. ERR_NOTFOUND when path does not exist and initial_branch is NULL;
 * ERR_FAIL when it exists but cannot be opened. *out is owned by the caller (repo_free).
 */
int repo_open_bare(struct repo **out, const char *path, const char *initial_branch,
                   struct err *err);

/*
 * The commit a revision names, as 40 hex characters into sha_out: rev is tried as a branch
 * (refs/heads/<rev>), then as a tag (refs/tags/<rev>, peeled), then as anything `git rev-parse`
 * takes (a commit id or prefix, "main~1", ...). ERR_NOTFOUND "no revision '<rev>'" when it
 * names nothing.
 */
int repo_resolve(char sha_out[41], struct repo *r, const char *rev, struct err *err);

/*
 * Called once per file of a tree: its path from the tree's root ("a/b.txt"), blob id, size in
 * bytes and mode (0100644, 0100755 or 0120000 for a symbolic link). Strings are borrowed for the
 * call.
 */
typedef void (*repo_tree_fn)(const char *path, const char *oid, uint64_t size, unsigned mode,
                             void *payload);

/*
 * Calls fn for every file of the tree of the commit rev names (rev as in repo_resolve), in the
 * order of `git ls-tree -r` (submodule entries are left out). Errors as repo_resolve's.
 */
int repo_ls_tree(struct repo *r, const char *rev, repo_tree_fn fn, void *payload, struct err *err);

/*
 * Appends the bytes of a blob to out. spec is a blob id or "<revision>:<path>", as
 * `git cat-file blob` takes it. ERR_NOTFOUND when spec names no blob.
 */
int repo_read_blob(struct sbuf *out, struct repo *r, const char *spec, struct err *err);

enum repo_change_kind {
    REPO_CHANGE_ADD_DATA,      /* path gets the bytes data[0 .. len) */
    REPO_CHANGE_ADD_FILE,      /* path gets the content of the file `file`, streamed from disk */
    REPO_CHANGE_DELETE,        /* the file at path goes; ERR_NOTFOUND if the parent has none */
    REPO_CHANGE_DELETE_FOLDER, /* every file under path/ in the parent goes (none is no error) */
};

/* One change of a commit. Added files get mode 0100644. Everything is borrowed for the call. */
struct repo_change {
    enum repo_change_kind kind;
    const char *path; /* in the tree, no leading '/'; a trailing '/' of a folder is ignored */
    const void *data; /* REPO_CHANGE_ADD_DATA */
    size_t len;
    const char *file; /* REPO_CHANGE_ADD_FILE: a path on disk */
};

struct repo_commit_opts {
    const char *branch; /* the branch to move, without refs/heads/ */
    /* The commit to build on (40 hex): its tree is the base of the changes, and the branch is
     * moved only while it still points there (compare-and-swap); a missing branch is created.
     * NULL makes a first commit (no parent, an empty base) on a branch that must not exist. */
    const char *parent;
    const char *message;               /* taken as it is (add the final newline if you want one) */
    const struct repo_change *changes; /* applied in order */
    size_t nchanges;
};

/*
 * Writes one commit: the parent's tree with the changes applied, the message, the parent, and
 * moves the branch to it. The new commit's id goes to sha_out. ERR_NOTFOUND for an unknown
 * parent or a deleted file that is not there; ERR_INVALID for a bad branch name or parent id;
 * ERR_FAIL when the branch moved (it is not at the parent any more, or exists when parent is
 * NULL), nothing being written to it then; ERR_IO when a file cannot be read.
 */
int repo_commit_changes(char sha_out[41], struct repo *r, const struct repo_commit_opts *o,
                        struct err *err);

/*
 * Creates refs/heads/<branch> at the commit rev names (rev as in repo_resolve). A branch that
 * exists already is left where it is, and that is success.
 */
int repo_branch_create(struct repo *r, const char *branch, const char *rev, struct err *err);

/*
 * Tags the commit rev names (rev as in repo_resolve) as refs/tags/<tag>: an annotated tag with
 * message, or a lightweight one when message is NULL. ERR_FAIL "tag '<tag>' already exists" when
 * it does; an existing tag is never moved.
 */
int repo_tag_create(struct repo *r, const char *tag, const char *rev, const char *message,
                    struct err *err);

/* ---------------------------------------------------------------------------------------------
 * Repository facts: HEAD, references, configuration, commits, history and tree diffs, read from
 * a repository opened with repo_open(). Nothing here writes to the repository. The planner
 * builds its events (push, pull_request, ...) from these; GitHub's semantics stay there.
 *
 * Commits are named by their 40-hex ids; functions that take an id accept exactly that (other
 * revisions go through repo_resolve_commit() first). Ids come back in caller buffers of 41 bytes,
 * "" meaning none. Other strings come back in sbufs the caller releases, in structs with a
 * release function, or borrowed for the duration of a callback.
 */

/*
 * HEAD. commit_out (41 bytes) receives the commit HEAD resolves to, "" when there is none (a
 * branch without commits yet). ref_out receives the branch HEAD is on as a full name
 * (refs/heads/main): the reference HEAD resolves to when that is a branch or, when HEAD resolves
 * to nothing yet, the name it points at; nothing is appended when HEAD is detached. Never fails:
 * what cannot be read is left empty.
 */
void repo_head(char *commit_out, struct sbuf *ref_out, struct repo *r);

/*
 * Resolves a revision as `git rev-parse --verify <rev>^{commit}` does (an id or a unique prefix,
 * a branch, a tag, refs/..., HEAD~1) into commit_out (41 bytes). ERR_NOTFOUND when rev names
 * nothing, ERR_INVALID when it names something that is no commit (a tree, a blob).
 */
int repo_resolve_commit(char *commit_out, struct repo *r, const char *rev, struct err *err);

/* One commit, as repo_commit_read() fills it. */
struct repo_commit {
    char id[41];
    char tree[41];   /* the commit's tree */
    char parent[41]; /* the first parent, "" for a root commit */
    size_t nparents;
    char *message; /* as git stores it (`git cat-file commit` after the headers), owned */
    char *author_name, *author_email;       /* owned, "" when missing */
    char *committer_name, *committer_email; /* owned, "" when missing */
    int64_t time;                           /* committer time, seconds since the epoch */
    int tz_minutes;                         /* the committer's offset from UTC */
};

/*
 * Reads commit `id` (40 hex). ERR_NOTFOUND when the id is malformed or names no commit. On
 * success *out is the caller's: release it with repo_commit_release().
 */
int repo_commit_read(struct repo_commit *out, struct repo *r, const char *id, struct err *err);
void repo_commit_release(struct repo_commit *c);

/*
 * The best common ancestor of commits a and b (40 hex each) into base_out (41 bytes), as
 * `git merge-base a b` prints it. ERR_NOTFOUND when one is unknown or they share no history
 * (the message says which), ERR_INVALID for a malformed id, ERR_IO when the history cannot be
 * read.
 */
int repo_merge_base(char *base_out, struct repo *r, const char *a, const char *b, struct err *err);

/*
 * Appends to *out (a vector of char[41]: VEC_INIT(char[41])) the commits reachable from `to`
 * and not from `hide` (NULL: every commit reachable from `to`), parents before children, as
 * `git rev-list --topo-order --reverse to ^hide` lists them. ERR_INVALID for a malformed id,
 * ERR_IO when the history cannot be walked.
 */
int repo_rev_list(struct vec *out, struct repo *r, const char *to, const char *hide,
                  struct err *err);
/* As repo_rev_list, hiding every commit reachable from any of the nhide ids in hide. */
int repo_rev_list_hiding(struct vec *out, struct repo *r, const char *to, const char *const *hide,
                         size_t nhide, struct err *err);

/* One changed file between two trees. */
struct repo_diff_entry {
    char status;    /* as `git diff --name-status` prints it: A, D, M or R (renamed) */
    char *old_path; /* owned; equal to new_path unless the file was renamed */
    char *new_path; /* owned; for a deleted file, the path it had */
};

/*
 * Appends to *out (struct repo_diff_entry; free with repo_diff_release()) the files that differ
 * between the trees of commits `from` (NULL: the empty tree) and `to`, renames found as
 * `git diff --name-status -M from to` finds them. One difference: a type change (a file that
 * becomes a symbolic link), T for git, is listed as a deletion and an addition of the path.
 * ERR_NOTFOUND for an unknown commit, ERR_IO when the trees cannot be compared.
 */
int repo_diff_commits(struct vec *out, struct repo *r, const char *from, const char *to,
                      struct err *err);
void repo_diff_release(struct vec *changes);

/* One reference, as repo_refs_foreach() shows it. Strings are borrowed for the callback. */
struct repo_ref {
    const char *name;     /* full name: refs/heads/main, refs/tags/v1, refs/remotes/origin/HEAD */
    const char *symbolic; /* a symbolic reference's target name; NULL for a direct one */
    char target[41];      /* a direct reference's object id; "" for a symbolic one */
    char commit[41];      /* the commit it resolves to (tags peeled); "" when it is none */
};

/* Called per reference; returning non-zero stops the walk. */
typedef int (*repo_ref_fn)(const struct repo_ref *ref, void *payload);

/*
 * Calls fn for each reference whose name starts with prefix ("refs/tags/"; "" for all), in the
 * reference database's order (not sorted). Returns 0, also when fn stopped the walk, or ERR_IO
 * when the references cannot be listed.
 */
int repo_refs_foreach(struct repo *r, const char *prefix, repo_ref_fn fn, void *payload,
                      struct err *err);

/* True when reference `name` exists (a symbolic one counts even when its target does not). */
bool repo_ref_exists(struct repo *r, const char *name);

/*
 * Appends the name that symbolic reference `name` points at (refs/remotes/origin/HEAD gives
 * refs/remotes/origin/main), as `git symbolic-ref name` prints it. ERR_NOTFOUND when there is
 * no such reference or it is a direct one, ERR_IO when it cannot be read.
 */
int repo_ref_symbolic_target(struct sbuf *out, struct repo *r, const char *name, struct err *err);

/*
 * Appends the value of configuration variable `key` (remote.origin.url, user.name) as
 * `git config --get key` reads it: the repository's file over the user's and the system's.
 * ERR_NOTFOUND when it is not set, ERR_IO when the configuration cannot be read.
 */
int repo_config_get(struct sbuf *out, struct repo *r, const char *key, struct err *err);

/*
 * Sets *out to whether tracked files differ between HEAD, the index and the working tree, that
 * is whether `git status --porcelain --untracked-files=no --ignore-submodules` lists anything
 * (untracked and ignored files and submodules do not count). ERR_IO when the status cannot be
 * read.
 */
int repo_is_dirty(bool *out, struct repo *r, struct err *err);

#endif
