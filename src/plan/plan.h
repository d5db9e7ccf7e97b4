#ifndef PLAN_PLAN_H
#define PLAN_PLAN_H

/*
 * plan: what an event would run. From loaded workflows (workflow/) and an event built from the
 * local git repository (or read from a payload file), it decides which workflows trigger (GitHub's
 * filter semantics), expands every job's matrix exactly as GitHub does, orders jobs by their needs
 * (a job starts when its own needs finish: there are no stage barriers) and maps runs-on labels
 * to this host. The result is what `runnel plan` prints (text, JSON, Graphviz) and what the
 * executor consumes.
 *
 * Lifecycle:
 *   1. struct plan_event *ev; plan_event_build(&ev, &event_opts, &err)
 *        event_opts.name = "push" (or pull_request with base, workflow_dispatch with inputs,
 *        workflow_call, workflow_run, schedule), or event_opts.payload_path = "event.json"
 *   2. struct plan *p; plan_build(&p, wfs, nwfs, ev, &plan_opts, &err)
 *        wfs are borrowed and must outlive p
 *   3. read p->workflows[i].triggered / .why and .jobs[j].legs[k]; or
 *      plan_render_text / plan_render_json / plan_render_dot into an sbuf
 *   4. plan_free(p); plan_event_free(ev)
 *
 * Lower-level pieces are public for tests and the executor: plan_filter_* (trigger filters),
 * plan_matrix_expand (matrix legs), plan_labels_map (runs-on).
 *
 * Repository facts come through struct plan_repo (plan_repo_open and friends), implemented with
 * libgit2 in repo_git.c; that file is meant to move behind src/git/ once that module exists.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "expr/expr.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"
#include "workflow/workflow.h"

/* ---- repository facts (repo_git.c) ---- */

struct plan_repo;

/* Opens the repository containing dir (searching upwards). ERR_NOTFOUND when there is none. */
int plan_repo_open(struct plan_repo **out, const char *dir, struct err *err);
void plan_repo_free(struct plan_repo *r);
/* The commit HEAD points at (40 hex digits) into out; ERR_NOTFOUND on an unborn branch. */
int plan_repo_head_sha(const struct plan_repo *r, struct sbuf *out, struct err *err);
/* HEAD's full ref name (refs/heads/main) into out; "HEAD" when detached. */
int plan_repo_head_ref(const struct plan_repo *r, struct sbuf *out, struct err *err);
/* Resolves a revision (branch, tag, sha, HEAD~1) to a commit sha. */
int plan_repo_resolve(const struct plan_repo *r, const char *rev, struct sbuf *out,
                      struct err *err);
/* The first parent of commit sha, or an empty string for a root commit. */
int plan_repo_parent(const struct plan_repo *r, const char *sha, struct sbuf *out, struct err *err);
/*
 * Paths changed between two commits (a tree diff, renames as delete + add, sorted), appended to
 * out as xstrdup'ed strings the caller frees. from may be "" (an empty tree).
 */
int plan_repo_changed_files(const struct plan_repo *r, const char *from, const char *to,
                            struct vec *out, struct err *err);
/* The URL of remote "origin" into out; ERR_NOTFOUND when there is none. */
int plan_repo_origin_url(const struct plan_repo *r, struct sbuf *out, struct err *err);
/* Author name, email and subject of a commit (for head_commit). */
int plan_repo_commit_info(const struct plan_repo *r, const char *sha, struct sbuf *author,
                          struct sbuf *email, struct sbuf *message, long long *time_out,
                          struct err *err);
/* The working directory of the repository (with a trailing '/'). Borrowed. */
const char *plan_repo_workdir(const struct plan_repo *r);

/* ---- events ---- */

struct plan_input {
    const char *name;
    const char *value;
};

struct plan_event_opts {
    const char *name;                /* event name; NULL means "push" */
    const char *dir;                 /* repository directory; NULL means "." */
    const char *payload_path;        /* -e: payload JSON file instead of building one */
    const char *base;                /* pull_request: base ref (branch, tag or sha); default main */
    const char *action;              /* activity type (pull_request: opened) */
    const char *actor;               /* github.actor; default "runnel" */
    const struct plan_input *inputs; /* --input k=v (workflow_dispatch, workflow_call) */
    size_t ninputs;
    const char *workflow_run_name;       /* workflow_run: the triggering workflow's name */
    const char *workflow_run_conclusion; /* workflow_run: success (default) or failure */
};

#define PLAN_EVENT_OPTS_INIT ((struct plan_event_opts){.name = NULL})

struct plan_event {
    char *name;       /* push, pull_request, ... */
    char *action;     /* payload "action" (types filter), or NULL */
    char *ref;        /* github.ref: refs/heads/x, refs/tags/v1, refs/pull/N/merge */
    char *sha;        /* github.sha */
    char *base_ref;   /* pull_request: base branch name */
    char *head_ref;   /* pull_request: head branch name */
    char *repository; /* owner/name from origin, or the directory name */
    char *actor;
    char *workflow_run_name; /* workflow_run: name of the workflow that completed */
    struct vec changed;      /* char *: files changed by the event (paths filters) */
    bool changed_known;      /* false: unknown (new branch, no repository): paths pass */
    cJSON *payload;          /* github.event */
    cJSON *inputs;           /* object of --input values (workflow_dispatch, workflow_call) */
};

/* Builds the event and its payload; see struct plan_event_opts. */
int plan_event_build(struct plan_event **out, const struct plan_event_opts *opts, struct err *err);
void plan_event_free(struct plan_event *ev);
/* The github context (github.event, ref, sha, repository, actor, ...) as a new cJSON object. */
cJSON *plan_event_github_context(const struct plan_event *ev, const char *workflow_name);

/* ---- trigger filters (filter.c) ---- */

/*
 * Does event ev trigger workflow wf? Appends one line saying why (or why not) to why when not
 * NULL. GitHub's rules: branches/tags filters (include list with '!' negation, last match wins;
 * -ignore lists exclude), a ref kind without its filter does not trigger when the other kind has
 * one, paths filters on the changed files (paths: any file included; paths-ignore: not when every
 * file is ignored; not evaluated for tags), types against the payload's action (GitHub's default
 * types for pull_request: opened, synchronize, reopened).
 */
bool plan_filter_triggers(const struct wf *wf, const struct plan_event *ev, struct sbuf *why);
/* A ref name (without refs/heads/ or refs/tags/) against a filter and its -ignore list. */
bool plan_filter_ref(const struct wf_strlist *include, const struct wf_strlist *ignore,
                     const char *name);
/* Changed paths against paths / paths-ignore; true when the filters let the event through. */
bool plan_filter_paths(const struct wf_strlist *include, const struct wf_strlist *ignore,
                       const char *const *files, size_t nfiles);

/* ---- matrix (matrix.c) ---- */

#define PLAN_MATRIX_MAX 256 /* GitHub: at most 256 jobs per matrix */

struct plan_leg {
    struct val values;   /* VAL_OBJECT: the matrix context of this leg (empty for no matrix) */
    size_t index;        /* strategy.job-index */
    const char **labels; /* runs-on labels of this leg (filled by plan_build) */
    size_t nlabels;
    const char *host; /* where it runs, or NULL: skipped (no runner for `unmatched`) */
    const char *unmatched;
    bool filtered; /* removed by --matrix */
};

struct plan_matrix {
    struct plan_leg *legs;
    size_t nlegs;
    bool deferred;             /* uses contexts only known at run time (needs); legs not expanded */
    const char *deferred_expr; /* the expression that defers it */
};

/*
 * Expands strategy.matrix (token from the workflow) into legs, in GitHub's order: the cartesian
 * product with the first key outermost, then exclude (partial match), then include (extend every
 * combination it does not contradict on an original key, else append a new one). Expressions are
 * evaluated with ctx (github, inputs, vars; needs when known); when they need a context ctx lacks,
 * the matrix is marked deferred. Values live in `a`. Errors: ERR_INVALID with GitHub's message
 * for more than 256 legs, an empty vector, a non-object include/exclude entry.
 */
int plan_matrix_expand(struct plan_matrix *out, struct arena *a, const struct wf_token *strategy,
                       const struct val *ctx, struct err *err);

/* ---- runs-on labels ---- */

struct plan_label_map {
    const char *label; /* runs-on label (ubuntu-latest), case-insensitive */
    const char *host;  /* what runs it: "host" (this machine), or a container image (-P) */
};

/*
 * Maps a job's runs-on labels to where it runs: every label must be served. The defaults serve
 * ubuntu-*, self-hosted, linux, x64 on this host; extra (from -P label=host) are added first.
 * Returns the host, or NULL when some label maps to nothing (the job is skipped, not failed);
 * *unmatched receives that label.
 */
const char *plan_labels_map(const char *const *labels, size_t n, const struct plan_label_map *extra,
                            size_t nextra, const char **unmatched);

/* ---- the plan ---- */

enum plan_job_state {
    PLAN_JOB_RUN,         /* will run (each leg) */
    PLAN_JOB_SKIP_LABELS, /* runs-on maps to no runner here (macos-*, windows-*) */
    PLAN_JOB_SKIP_FILTER, /* excluded by -j */
    PLAN_JOB_SKIP_NEEDS,  /* a job it needs is skipped */
    PLAN_JOB_INVALID,     /* matrix or runs-on could not be read */
};

struct plan_job {
    const struct wf_job *job; /* borrowed from the workflow */
    const char *id;
    const char *name;
    enum plan_job_state state;
    const char *why;     /* reason for a skip, or the error */
    const char **labels; /* runs-on labels (evaluated when static) */
    size_t nlabels;
    const char *host; /* runs-on mapping */
    struct plan_matrix matrix;
    size_t *needs; /* indexes into plan_workflow.jobs */
    size_t nneeds;
    size_t level; /* longest chain of needs before it (0 for roots) */
};

struct plan_workflow {
    const struct wf *wf;
    const char *path;
    const char *name; /* name: or the file name */
    bool triggered;
    char *why;             /* one line: which filter decided */
    struct plan_job *jobs; /* in a valid execution order (needs first, file order otherwise) */
    size_t njobs;
};

struct plan_opts {
    const char *job;                     /* -j: only this job (and what it needs) */
    const struct plan_label_map *labels; /* -P mappings */
    size_t nlabels;
    const struct val *matrix_filter; /* --matrix k:v: keep only legs matching (VAL_OBJECT) */
    cJSON *vars;                     /* vars context (borrowed) */
};

#define PLAN_OPTS_INIT ((struct plan_opts){.job = NULL})

struct plan {
    struct arena arena;
    const struct plan_event *event; /* borrowed */
    struct plan_workflow *workflows;
    size_t nworkflows;
};

int plan_build(struct plan **out, struct wf *const *wfs, size_t nwfs, const struct plan_event *ev,
               const struct plan_opts *opts, struct err *err);
void plan_free(struct plan *p);

/* Renderings of a plan. */
void plan_render_text(struct sbuf *out, const struct plan *p);
void plan_render_json(struct sbuf *out, const struct plan *p);
void plan_render_dot(struct sbuf *out, const struct plan *p);

#endif
