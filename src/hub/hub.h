#ifndef HUB_HUB_H
#define HUB_HUB_H

/*
 * hub: the Hugging Face Hub client. It speaks the Hub's HTTP API (whoami, repo create, preupload,
 * the LFS batch API with basic and multipart transfers, the NDJSON commit API, branches, tags,
 * Space runtime and restart) and makes an upload of any number of files ONE commit: the commit is
 * the last request, so an interrupted run leaves the repository as it was.
 *
 * The endpoint "file:///path" is the embedded hub: the same commit is written into a local bare
 * git repository per repo id, `<path>/<type>s/<namespace>/<name>.git`, with LFS objects under its
 * `lfs/objects/<aa>/<bb>/<oid>` tree and pointer files in the commit. hub links no git library:
 * the git work goes through the operations the creator passes (struct hub_git_ops below).
 *
 * Lifecycle:
 *   1. struct hub *h; hub_new(&h, &(struct hub_opts){.endpoint = e, .token = t}, err);
 *      (a file:// endpoint also needs .git = a table of struct hub_git_ops)
 *   2. hub_upload(h, &(struct hub_upload_opts){...}, &result, err);  or the single calls below
 *   3. hub_upload_result_release(&result); hub_free(h);
 *
 * Ownership: option structs and their strings are borrowed for the call. Results are owned by the
 * caller's struct and released with their _release function.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "util/err.h"
#include "util/sbuf.h"

#define HUB_DEFAULT_ENDPOINT "https://huggingface.co"
#define HUB_MAX_JSON (8u << 20)       /* cap on any JSON answer from the Hub */
#define HUB_LFS_THRESHOLD (10u << 20) /* the embedded hub's regular/LFS split, as the Hub's */
#define HUB_MAX_PARALLEL_PARTS 16 /* multipart parts in flight at once, at most (see hub_opts) */

enum hub_repo_type {
    HUB_REPO_MODEL,
    HUB_REPO_DATASET,
    HUB_REPO_SPACE,
};

struct hub_repo {
    enum hub_repo_type type;
    const char *id; /* "namespace/name" */
};

/* Parses "model", "dataset" or "space" (also the plurals). False on anything else. */
bool hub_repo_type_parse(const char *s, enum hub_repo_type *out);
/* "model", "dataset" or "space". */
const char *hub_repo_type_name(enum hub_repo_type t);

/* Progress of one LFS upload, for a terminal display. */
struct hub_progress {
    const char *path; /* path in repo */
    uint64_t done;    /* bytes of this file sent so far */
    uint64_t total;   /* its size */
};
typedef void (*hub_progress_fn)(const struct hub_progress *p, void *payload);

/*
 * The git operations the embedded file:// hub keeps its repositories with. hub may use util and
 * http only (docs/architecture.md), so whoever makes a file:// hub passes these in hub_opts.git;
 * runnel's runner fills them from src/git/ (runner/hub_git.c). The table is borrowed and must
 * outlive the hub. A repository is a `void *` that open makes and close frees; hub never looks
 * inside. Every int function returns 0 or a negative err_code with err set. Commit and blob ids
 * are 40 lowercase hex characters.
 */
enum hub_git_change_kind {
    HUB_GIT_ADD_DATA,      /* path gets the bytes data[0 .. len) */
    HUB_GIT_ADD_FILE,      /* path gets the content of the file `file`, streamed from disk */
    HUB_GIT_DELETE,        /* the file at path goes; ERR_NOTFOUND when the parent has none */
    HUB_GIT_DELETE_FOLDER, /* every file under path/ in the parent goes (none is no error) */
};

struct hub_git_change {
    enum hub_git_change_kind kind;
    const char *path; /* in the repo */
    const void *data; /* HUB_GIT_ADD_DATA (borrowed) */
    size_t len;
    const char *file; /* HUB_GIT_ADD_FILE: the file on disk */
};

struct hub_git_commit {
    const char *branch; /* without refs/heads/ */
    /* The commit it is built on: the changes apply to its tree, and the branch is moved only
     * while it still points there. NULL: the first commit, on a branch that does not exist. */
    const char *parent;
    const char *message; /* as it is */
    const struct hub_git_change *changes;
    size_t n_changes;
};

/* One file of a tree: its path, blob id, size in bytes and mode (0100644, ...). */
typedef void (*hub_git_file_fn)(const char *path, const char *oid, uint64_t size, unsigned mode,
                                void *payload);

struct hub_git_ops {
    /* The git library's global state: hub_new calls init once, hub_free shutdown once. */
    void (*global_init)(void);
    void (*global_shutdown)(void);
    /* Opens the bare repository at dir; when there is none and initial_branch is not NULL,
     * creates it (with missing folders) with HEAD on that branch. */
    int (*open)(void **out, const char *dir, const char *initial_branch, struct err *err);
    void (*close)(void *repo);
    /* The commit rev names: a branch, else a tag, else a commit id. ERR_NOTFOUND when none. */
    int (*resolve)(char sha_out[41], void *repo, const char *rev, struct err *err);
    /* Calls fn for every file of the tree of the commit rev names, in git's tree order. */
    int (*ls_tree)(void *repo, const char *rev, hub_git_file_fn fn, void *payload, struct err *err);
    /* Appends the bytes of a blob: a blob id or "<commit>:<path>". ERR_NOTFOUND when none. */
    int (*read_blob)(struct sbuf *out, void *repo, const char *spec, struct err *err);
    /* Writes one commit and moves the branch to it. ERR_FAIL when the branch moved. */
    int (*commit)(char sha_out[41], void *repo, const struct hub_git_commit *c, struct err *err);
    /* Creates a branch at the commit rev names; an existing branch is left as it is. */
    int (*create_branch)(void *repo, const char *branch, const char *rev, struct err *err);
    /* Tags the commit rev names: annotated with message, lightweight when message is NULL.
     * ERR_FAIL "tag '<tag>' already exists" when it does. */
    int (*create_tag)(void *repo, const char *tag, const char *rev, const char *message,
                      struct err *err);
};

struct hub_opts {
    const char *endpoint; /* NULL = HUB_DEFAULT_ENDPOINT; "file:///dir" = the embedded hub */
    /* Required for a file:// endpoint, unused otherwise (borrowed; outlives the hub). */
    const struct hub_git_ops *git;
    const char *token; /* bearer token, cleaned by hub_token_clean; never printed */
    /* Where multipart upload state is kept so an interrupted upload resumes (NULL: no resume). */
    const char *state_dir;
    const struct http_client_opts *http; /* retries, timeouts, clock; NULL for defaults */
    /* Parts of one multipart upload sent at once, each over its own connection from its own
     * thread: 0 = the number of CPUs, at least 2 and at most 4 (each sender copies, and over
     * HTTPS encrypts, its bytes), capped at HUB_MAX_PARALLEL_PARTS; 1 sends them one
     * after the other from the calling thread. With more than 1, a test clock in http must be
     * thread-safe and the progress callback is called from those threads (never two at once). */
    unsigned parallel_parts;
    hub_progress_fn progress;
    void *progress_payload;
};

struct hub;

int hub_new(struct hub **out, const struct hub_opts *opts, struct err *err);
void hub_free(struct hub *h);

/*
 * The user or org the token belongs to (GET /api/whoami-v2); "local" for the embedded hub,
 * which has no tokens. ERR_FAIL "invalid user token: ..." on 401, ERR_NOTFOUND without a token.
 */
int hub_whoami(struct hub *h, struct sbuf *name_out, struct err *err);

struct hub_create_opts {
    const char *space_sdk; /* required for spaces: gradio, streamlit, docker or static */
    bool is_private;
    bool exist_ok; /* a 409 (repo exists) is success */
};
int hub_create_repo(struct hub *h, const struct hub_repo *repo, const struct hub_create_opts *o,
                    struct err *err);

/* The commit id a revision points at. ERR_NOTFOUND when the repo or revision does not exist. */
int hub_revision(struct hub *h, const struct hub_repo *repo, const char *rev, struct sbuf *sha_out,
                 struct err *err);
/* Creates branch at starting_point (NULL = "main"). An existing branch is success. */
int hub_create_branch(struct hub *h, const struct hub_repo *repo, const char *branch,
                      const char *starting_point, struct err *err);
/* Tags revision `rev` as `tag` with an optional message. */
int hub_create_tag(struct hub *h, const struct hub_repo *repo, const char *rev, const char *tag,
                   const char *message, struct err *err);
/* A Space's runtime stage ("BUILDING", "RUNNING", ...), from GET /api/spaces/{id}/runtime. */
int hub_space_runtime(struct hub *h, const char *space_id, struct sbuf *stage_out, struct err *err);
int hub_space_restart(struct hub *h, const char *space_id, bool factory, struct err *err);

/* One LOCAL:REMOTE pair of an upload. */
struct hub_upload_item {
    const char *local;  /* a file or a folder */
    const char *remote; /* path in repo; NULL = a file's basename, a folder's repo root */
};

struct hub_upload_opts {
    struct hub_repo repo;
    const char *revision;    /* branch; NULL = "main"; a missing branch is created from main */
    const char *summary;     /* commit message; NULL = "Upload folder using huggingface_hub" */
    const char *description; /* commit description; may be NULL */
    /* The expected tip: the upload fails unless the branch is there until the commit. NULL =
     * the tip read at the start; if another commit lands before the upload's own, the upload
     * decides again against the new tip and retries (a few times). */
    const char *parent_commit;
    const struct hub_upload_item *items;
    size_t n_items;
    const char *const *include; /* glob patterns on paths relative to each folder; none = all */
    size_t n_include;
    const char *const *exclude;
    size_t n_exclude;
    /* Remote files under each item's path in repo that match these and are not uploaded are
     * deleted in the same commit (sync). Matched relative to the item's path in repo. */
    const char *const *delete_patterns;
    size_t n_delete;
    bool create;           /* create the repo first (exist_ok) */
    const char *space_sdk; /* for create of a space; NULL = "gradio" as `hf upload` */
    bool is_private;
    /* Tag the new commit (the tip when nothing changed). A tag that already names that very
     * commit (nothing changed, the tag on the tip: the same upload again) is left as it is; one
     * that names another commit is refused before anything is uploaded or committed. */
    const char *tag;
};

struct hub_upload_result {
    struct sbuf commit_oid; /* empty when nothing changed and no commit was made */
    struct sbuf commit_url;
    struct sbuf head_oid;  /* the branch's commit afterwards: commit_oid, or the unchanged tip */
    size_t n_files;        /* local files considered */
    size_t n_unchanged;    /* skipped: the remote has the same oid */
    size_t n_ignored;      /* skipped: the Hub said shouldIgnore */
    size_t n_regular;      /* sent inline in the commit */
    size_t n_lfs;          /* sent as LFS objects */
    size_t n_lfs_uploaded; /* of those, whose bytes had to be uploaded */
    size_t n_deleted;
};

#define HUB_UPLOAD_RESULT_INIT                                                                     \
    ((struct hub_upload_result){                                                                   \
        .commit_oid = SBUF_INIT, .commit_url = SBUF_INIT, .head_oid = SBUF_INIT})

/*
 * Uploads the items as one commit. In order: checks every path and the Space card (nothing is
 * sent when one is bad), checks the token, creates the repo (opts.create), resolves the branch,
 * looks the tag up (opts.tag), asks which files are LFS and which are unchanged, checks that the
 * tag may name the commit, uploads LFS objects, then commits on the tip it read (again from
 * "asks", on the new tip, when the branch moved; see parent_commit), and tags it last.
 * ERR_INVALID for bad paths, patterns or card, and for a tag that names another commit;
 * ERR_FAIL for a refusal by the Hub (its message).
 */
int hub_upload(struct hub *h, const struct hub_upload_opts *opts, struct hub_upload_result *res,
               struct err *err);
void hub_upload_result_release(struct hub_upload_result *res);

/*
 * Appends the normalised form of a path in repo (huggingface_hub's _validate_path_in_repo):
 * leading '/' and './' stripped; "", ".", "..", "../x", "x/../y" and any '.git' or '.cache'
 * component refused with ERR_INVALID.
 */
int hub_normalize_path(struct sbuf *out, const char *path_in_repo, struct err *err);

/*
 * Checks a Space README's YAML front matter (the Hub's Spaces configuration reference): it must
 * exist, 'sdk' must be gradio, streamlit, docker or static, colorFrom/colorTo from the Hub's
 * list, app_file a relative path, app_port an integer, pinned/fullWidth booleans, ... Errors are
 * "README.md:LINE:COL: message" (ERR_INVALID).
 */
int hub_check_space_card(const char *text, size_t len, struct err *err);

/*
 * Appends path with a leading "~" or "~user" and then $NAME and ${NAME} expanded, as
 * huggingface_hub expands its path variables (os.path.expandvars(os.path.expanduser(path))):
 * an unknown user or variable is left as it is.
 */
void hub_expand_path(struct sbuf *out, const char *path);
/*
 * The token file huggingface_hub uses: $HF_TOKEN_PATH, else $HF_HOME/token, else
 * $XDG_CACHE_HOME/huggingface/token, else ~/.cache/huggingface/token, each expanded as
 * hub_expand_path does (constants.py). Appends the path.
 */
void hub_token_path(struct sbuf *out);
/*
 * Appends raw without any CR or LF and without leading and trailing white space, as
 * huggingface_hub's _clean_token. hub_new and hub_token_load clean every token this way.
 */
void hub_token_clean(struct sbuf *out, const char *raw);
/*
 * Appends the token: $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN, else the token file, cleaned by
 * hub_token_clean (a variable that cleans to nothing counts as unset). ERR_NOTFOUND when none
 * has one.
 */
int hub_token_load(struct sbuf *out, struct err *err);
/* Writes the token file (mode 0600, creating its folder). */
int hub_token_save(const char *token, struct err *err);

#endif
