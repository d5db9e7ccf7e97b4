#ifndef ACTIONS_ACTIONS_H
#define ACTIONS_ACTIONS_H

/*
 * actions: what a step's `uses:` names, where its files come from, and the built-in
 * implementations of the most used actions. The executor (src/run/) runs composite and
 * JavaScript actions from the directory this module hands it; this module never runs a step.
 *
 * It holds four things:
 *   - references: actions_ref_parse() reads `./path`, `owner/repo@ref`,
 *     `owner/repo/sub/path@ref` and `docker://image` with GitHub's rules;
 *   - remote actions: actions_fetch() downloads
 *     $api_url/repos/{owner}/{repo}/tarball/{ref} (https://api.github.com by default; GitHub
 *     Enterprise Server works the same), unpacks it with libarchive (top-level directory
 *     stripped; absolute paths, '..' components and links that leave the target are refused)
 *     into ${XDG_CACHE_HOME:-~/.cache}/runnel/actions/<owner>/<repo>/<ref>, atomically (a
 *     temporary directory renamed into place), and records the resolved commit sha under
 *     .../<owner>/<repo>/@sha/<sha> when the response names it; --offline never touches the
 *     network; --action-path owner/repo@ref=DIR mappings (act's --local-repository) win over
 *     everything;
 *   - built-ins: local implementations of actions/upload-artifact, actions/download-artifact,
 *     actions/cache (+ cache/restore, cache/save), actions/setup-python, actions/setup-node and
 *     iterative/setup-cml, behind actions_builtin_run() (and actions_builtin_post() for the
 *     cache save at the end of the job);
 *   - the artifact store of a run (<run_dir>/artifacts/<name>/...), listed and extracted by
 *     `runnel artifacts`.
 *
 * Lifecycle of a step with `uses:` (the executor's side):
 *   1. struct actions_ref r; actions_ref_parse(&r, uses, &err)
 *        ACTIONS_REF_LOCAL: run r.local relative to the workspace (not this module's business)
 *        ACTIONS_REF_DOCKER: report "docker actions are not supported" (the executor's message)
 *   2. struct actions_resolved res = ACTIONS_RESOLVED_INIT;
 *      actions_resolve(&res, &r, &ropts, &err)
 *        res.source says what will run: a directory (mapping, cache, download) or a built-in;
 *        log it ("using built-in actions/cache", "using cached actions/checkout@v4 (sha ...)")
 *   3. a directory: run the action.yml in res.dir;
 *      a built-in: actions_builtin_run(&res_b, &call, &err), apply res_b.outputs / path_add /
 *      env_add, the step fails when !res_b.ok (res_b.failure says why); keep res_b.post
 *      (take it: post = res_b.post; res_b.post = NULL) and at the end of the job, in reverse
 *      step order, call actions_builtin_post(post, &call, &err) then actions_post_free(post);
 *      actions/cache declares `post-if: success()`, so call it only when the job succeeded
 *   4. actions_builtin_result_release(&res_b); actions_resolved_release(&res);
 *      actions_ref_release(&r)
 *
 * Ownership: every `const char *` in the option and call structs is borrowed for the duration
 * of the call. Out-structs own their strings until their _release().
 *
 * Choices where GitHub is silent or different (also in docs/cli.md):
 *   - the network goes through src/http/ (libcurl, redirects followed: the API answers the
 *     tarball endpoint with a 302 to codeload);
 *   - a download is capped at ACTIONS_MAX_TARBALL bytes; an unpacked tree at ACTIONS_MAX_FILES
 *     entries;
 *   - `runnel actions pull` reads workflows with the workflow loader in runner/ (this module
 *     does not depend on src/workflow/).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/map.h"
#include "util/sbuf.h"
#include "util/vec.h"

/* Largest action tarball downloaded (256 MiB) and most entries unpacked from one (100000). */
#define ACTIONS_MAX_TARBALL (256u << 20)
#define ACTIONS_MAX_FILES 100000u

/* ---------------------------------------------------------------------------------------------
 * References
 */

enum actions_ref_kind {
    ACTIONS_REF_LOCAL,  /* ./path (or ../path would be refused: GitHub requires './') */
    ACTIONS_REF_REMOTE, /* owner/repo[/path]@ref */
    ACTIONS_REF_DOCKER, /* docker://image */
};

struct actions_ref {
    enum actions_ref_kind kind;
    char *owner; /* REMOTE: as written (GitHub compares case-insensitively) */
    char *repo;  /* REMOTE */
    char *path;  /* REMOTE: sub directory inside the repository, or NULL for the root */
    char *ref;   /* REMOTE: tag, branch or sha after '@' */
    char *local; /* LOCAL: the path as written ("./x"); DOCKER: the image after "docker://" */
};

/*
 * Parses a step's `uses:` value. ERR_INVALID with a one-line message quoting the value when it
 * is malformed: empty, no '@ref' for a remote action, an empty owner, repo, path segment or ref,
 * whitespace, or a '..' path segment. On success the caller owns *out (actions_ref_release).
 */
int actions_ref_parse(struct actions_ref *out, const char *uses, struct err *err);
void actions_ref_release(struct actions_ref *r);

/* Appends the canonical spelling: "owner/repo[/path]@ref", "./local", "docker://image". */
void actions_ref_format(struct sbuf *out, const struct actions_ref *r);

/* ---------------------------------------------------------------------------------------------
 * Remote actions: mappings, cache, download
 */

/* One --action-path owner/repo[/path]@ref=DIR mapping (act's --local-repository). */
struct actions_mapping {
    char *action; /* "owner/repo@ref" as given (a /path suffix maps just that sub action) */
    char *dir;    /* the local directory (the repository root, or the sub action's) */
};

/* Parses "owner/repo@ref=DIR". ERR_INVALID when there is no '=' or the action is malformed. */
int actions_mapping_parse(struct actions_mapping *out, const char *spec, struct err *err);
void actions_mapping_release(struct actions_mapping *m);

struct actions_fetch_opts {
    const char *api_url;                /* NULL: $GITHUB_API_URL, else "https://api.github.com" */
    const char *token;                  /* sent as a bearer token when not NULL; never printed */
    const char *cache_dir;              /* NULL: ${XDG_CACHE_HOME:-$HOME/.cache}/runnel/actions */
    bool offline;                       /* never touch the network; a missing action is an error */
    const struct actions_mapping *maps; /* nmaps of them, checked first */
    size_t nmaps;
};

/* Where an action's files came from. */
enum actions_source {
    ACTIONS_SOURCE_MAPPING,  /* an --action-path mapping */
    ACTIONS_SOURCE_CACHE,    /* already in the action cache */
    ACTIONS_SOURCE_DOWNLOAD, /* downloaded now (and now in the cache) */
    ACTIONS_SOURCE_BUILTIN,  /* a built-in implementation (actions_resolve only) */
};

/* "mapping", "cache", "download", "built-in". */
const char *actions_source_name(enum actions_source s);

struct actions_fetched {
    enum actions_source source;
    struct sbuf dir; /* the action's directory: the repository root joined with ref.path */
    char *sha;       /* the resolved commit sha when known (from the tarball's name), or NULL */
};
#define ACTIONS_FETCHED_INIT ((struct actions_fetched){.dir = SBUF_INIT})
void actions_fetched_release(struct actions_fetched *f);

/* Appends the default action cache directory ${XDG_CACHE_HOME:-$HOME/.cache}/runnel/actions. */
int actions_cache_dir_default(struct sbuf *out, struct err *err);

/* True when a mapping covers r or r is already unpacked in the cache. Never touches the net. */
bool actions_is_available(const struct actions_ref *r, const struct actions_fetch_opts *o);

/*
 * Makes the files of remote action r available and says where (out, reset first). Order: a
 * mapping, then the cache, then (unless offline) a download into the cache. Errors, each
 * naming the action as "owner/repo@ref": ERR_INVALID for a non-remote ref or an unsafe
 * tarball; ERR_NOTFOUND for a 404 ("action 'o/r@v1' not found: ...") or a missing action when
 * offline; ERR_IO for network and disk failures; ERR_FAIL for other HTTP statuses. Nothing is
 * left in the cache after a failure.
 */
int actions_fetch(struct actions_fetched *out, const struct actions_ref *r,
                  const struct actions_fetch_opts *o, struct err *err);

/*
 * Unpacks the tarball at tar_path (any format and filter libarchive reads) into the new
 * directory dest (must not exist), stripping the first path component of every entry, and
 * refusing absolute names, '..' components and symbolic or hard links that point outside dest.
 * name is used in messages ("action 'o/r@v1': tarball entry '../x' leaves the action directory").
 * On error dest is removed. Exposed for the tests and for reuse by the executor.
 */
int actions_unpack_tarball(const char *tar_path, const char *dest, const char *name,
                           struct err *err);

/* ---------------------------------------------------------------------------------------------
 * Choosing between the cache, a download and a built-in
 */

struct actions_resolve_opts {
    struct actions_fetch_opts fetch;
    bool prefer_builtin; /* --builtin: use a built-in whenever one exists */
};

struct actions_resolved {
    enum actions_source source;
    struct actions_fetched fetched; /* when source is not ACTIONS_SOURCE_BUILTIN */
};
#define ACTIONS_RESOLVED_INIT ((struct actions_resolved){.fetched = ACTIONS_FETCHED_INIT})
void actions_resolved_release(struct actions_resolved *r);

/*
 * Decides what runs for remote ref r: a mapping always wins; then a built-in when
 * prefer_builtin is set and one exists; then the cache; then a built-in when one exists
 * (so nothing is downloaded for the common actions); then a download (unless offline).
 * Errors as actions_fetch().
 */
int actions_resolve(struct actions_resolved *out, const struct actions_ref *r,
                    const struct actions_resolve_opts *o, struct err *err);

/* ---------------------------------------------------------------------------------------------
 * Built-ins
 */

enum actions_log_level {
    ACTIONS_LOG_INFO,
    ACTIONS_LOG_WARNING, /* the executor shows it as a ::warning:: annotation */
    ACTIONS_LOG_ERROR,
};

/*
 * Runs argv (argv[0] a path) with no stdin and appends its stdout to out; used to ask an
 * interpreter its version. Returns 0 when it ran and exited 0, else a negative code. Supplied by
 * the executor (through src/exec/); when NULL, setup-python/setup-node fail with a clear error.
 */
typedef int (*actions_capture_fn)(struct sbuf *out, const char *const *argv, void *payload,
                                  struct err *err);

/* Receives one log line (no newline) from a built-in. */
typedef void (*actions_log_fn)(enum actions_log_level level, const char *line, void *payload);

struct actions_builtin_call {
    const char *uses;         /* the `uses:` value, e.g. "actions/cache@v4" */
    const struct map *inputs; /* the evaluated `with:` inputs: name -> char * (any key case) */
    const char *workspace;    /* GITHUB_WORKSPACE: relative paths start here */
    const char *temp_dir;     /* RUNNER_TEMP of the job */
    const char *run_dir;      /* the run's directory; artifacts go to <run_dir>/artifacts */
    const char *job_id;       /* the job's id, for messages */
    const char *cache_dir; /* actions/cache store; NULL: ${XDG_CACHE_HOME:-~/.cache}/runnel/cache */
    const char *runnel_path; /* absolute path of the runnel executable (setup-cml) */
    const char *path_env;    /* the step's PATH, searched for python3/node; NULL: $PATH */
    /* What "~/" in a path input means: the steps' home as this host sees it (a sandboxed job
     * has its own, not the user's); NULL: $HOME. */
    const char *home;
    actions_capture_fn capture;
    actions_log_fn log; /* may be NULL */
    void *payload;      /* passed to capture and log */
};

struct actions_post;

struct actions_builtin_result {
    bool ok;                   /* false: the step fails; failure says why */
    char *failure;             /* one line, owned, or NULL */
    struct map outputs;        /* step outputs: name -> char * (owned) */
    struct vec path_add;       /* char * (owned): directories to put in front of PATH, in order */
    struct map env_add;        /* environment for later steps: name -> char * (owned) */
    struct actions_post *post; /* owned; non-NULL when the action has a post step (cache save) */
};
#define ACTIONS_BUILTIN_RESULT_INIT                                                                \
    ((struct actions_builtin_result){                                                              \
        .outputs = MAP_INIT, .path_add = VEC_INIT(char *), .env_add = MAP_INIT})
void actions_builtin_result_release(struct actions_builtin_result *r);

/*
 * True when `uses` ("owner/repo[/path]@ref", ref ignored, owner and repo compared ignoring case)
 * has a built-in: actions/upload-artifact, actions/download-artifact, actions/cache,
 * actions/cache/restore, actions/cache/save, actions/setup-python, actions/setup-node,
 * iterative/setup-cml.
 */
bool actions_builtin_has(const char *uses);

/*
 * Runs the built-in for c->uses. out is reset first. Returns 0 when the built-in ran, whether
 * or not the step succeeded (a step failing is data: out->ok, out->failure). Returns an error
 * only when the engine itself fails (ERR_NOTFOUND: no built-in for uses; ERR_IO: disk).
 *
 * The built-ins run outside the sandbox. With c->home set (a sandboxed job), the path inputs of
 * upload-artifact and the cache actions must lie in the workspace, home or temp_dir (the upload
 * fails, the cache warns and skips, naming the path), as must download-artifact's.
 *
 * What each supports (docs/cli.md, "Built-in actions", says the same):
 *   upload-artifact: name (default "artifact"), path (lines; globs in the @actions/glob dialect,
 *     '!' excludes, directories taken whole), if-no-files-found (warn | error | ignore, default
 *     warn), overwrite (default false: a second upload of a name fails as in v4),
 *     include-hidden-files (default false); retention-days and compression-level are accepted
 *     and ignored. Files keep their path below the least common ancestor of the matches (v4's
 *     rule). Outputs: artifact-id, artifact-url (file:// of the stored artifact).
 *   download-artifact: name (one artifact into path), or no name / pattern: every (matching)
 *     artifact into path/<name> unless merge-multiple is true; path defaults to the workspace.
 *     Output: download-path. A missing name fails the step.
 *   cache, cache/restore, cache/save: key, path (lines; globs as above), restore-keys (lines,
 *     prefix matches, newest first), lookup-only, fail-on-cache-miss; enableCrossOsArchive and
 *     upload-chunk-size accepted and ignored. Entries are tar+zstd archives keyed by key and
 *     the path list (GitHub's "version"). Outputs: cache-hit ("true" on an exact primary
 *     key match, "false" on a restore-key match, unset on a miss, as cache@v4), and for restore
 * cache-primary-key, cache-matched-key. The save of actions/cache happens in the post hook, skipped
 * after an exact hit. setup-python / setup-node: python-version / node-version (e.g. "3.11", "3.x",
 * "3", "20",
 *     ">=3.9", "3.11.2", "latest", "lts" or "node" take the host's); finds python3 (then python) /
 *     node on path_env, asks its version through c->capture, and fails the step when it does
 *     not satisfy the request. Outputs python-version / node-version (and python-path), puts
 *     the interpreter's directory on PATH. python-version-file / node-version-file are read
 *     (first line) when the version input is absent. Caching options are ignored.
 *   iterative/setup-cml: creates <temp_dir>/runnel-cml/bin/cml -> runnel_path and puts that
 *     directory on PATH (runnel run as `cml` speaks CML's commands); version is ignored.
 */
int actions_builtin_run(const struct actions_builtin_call *c, struct actions_builtin_result *out,
                        struct err *err);

/*
 * Runs the post step that actions_builtin_run() left in out->post (today only actions/cache's
 * save). c is the call of the same step (inputs are taken from the post itself; workspace,
 * cache_dir and log from c). Returns 0 when the save happened or was rightly skipped; a failing
 * save only warns through c->log, as GitHub does. Errors only for engine failures.
 */
/*
 * True when version have (e.g. "3.11.4") satisfies spec, the python-version / node-version
 * dialect of the built-ins: a prefix ("3", "3.11", "3.11.4") with 'x'/'*' wildcards,
 * comparators (>=, >, <=, <, =, ^, ~) joined by spaces (all must hold), alternatives joined by
 * "||". *bad is set (and false returned) when spec is not of that form (e.g. "pypy3.10").
 */
bool actions_version_satisfies(const char *have, const char *spec, bool *bad);

int actions_builtin_post(const struct actions_post *post, const struct actions_builtin_call *c,
                         struct err *err);
void actions_post_free(struct actions_post *post);

/* ---------------------------------------------------------------------------------------------
 * The local cache (actions/cache's store), also used by bench/cache
 */

struct actions_cache_opts {
    const char *cache_dir;    /* NULL: ${XDG_CACHE_HOME:-~/.cache}/runnel/cache */
    const char *workspace;    /* relative paths start here; files inside it are stored relative
                                 to it so an entry moves between workspaces */
    const char *const *paths; /* the `path` lines (globs allowed, '!' excludes, '~/' = home) */
    size_t npaths;
    const char *home;     /* the steps' home ('~/'), whose files are stored relative to it; NULL:
                             $HOME. Set only in a sandbox, where links a step made are refused */
    const char *temp_dir; /* RUNNER_TEMP, checked for such links too; may be NULL */
    const char *key;      /* the primary key */
    const char *const *restore_keys; /* restore: prefixes tried in order after the key */
    size_t nrestore;
    bool lookup_only; /* restore: find the entry but extract nothing */
    int level;        /* save: zstd level; 0 = 3 (zstd's and tar --zstd's default) */
};

/* Saves the files matched by o->paths under o->key. ERR_NOTFOUND when nothing matched. */
int actions_cache_save(const struct actions_cache_opts *o, struct err *err);

/*
 * Restores the entry for o->key (exact), else for each restore key in order an exact match and
 * then the newest entry whose key starts with it. *matched_out (owned; NULL on a miss, which
 * returns 0 too) is the key restored. Only entries saved with the same path list match
 * (GitHub's version rule). With lookup_only nothing is extracted.
 */
int actions_cache_restore(char **matched_out, const struct actions_cache_opts *o, struct err *err);

/* ---------------------------------------------------------------------------------------------
 * The artifact store of a run (`runnel artifacts`)
 */

struct actions_artifact_info {
    char *name;     /* owned */
    uint64_t files; /* number of regular files */
    uint64_t bytes; /* their total size */
};

/* Fills out (struct actions_artifact_info) with the artifacts of run_dir, sorted by name. */
int actions_artifacts_list(struct vec *out, const char *run_dir, struct err *err);
void actions_artifacts_list_release(struct vec *list);

/*
 * Copies artifact name of run_dir into dest (created). ERR_NOTFOUND names a missing artifact.
 * With guard (NULL-terminated folders: a sandboxed job's workspace, home and temp folder; the
 * download runs outside the sandbox), every file must land inside one of them, reached through
 * no symbolic link that leads out (ERR_FAIL otherwise); a link where a file goes is replaced.
 */
int actions_artifact_extract(const char *run_dir, const char *name, const char *dest,
                             const char *const *guard, struct err *err);

#endif
