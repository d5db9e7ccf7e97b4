#ifndef PLAN_PLAN_H
#define PLAN_PLAN_H

/*
 * plan: what an event runs, in what order, with which matrix legs, and why.
 *
 * Given a repository and an event, the planner
 *   1. builds the event as GitHub would deliver it: the payload (github.event), the `github`
 *      context and the GITHUB_* defaults (push, pull_request, workflow_dispatch, workflow_call,
 *      workflow_run, schedule, or any event from a payload file, as act's -e does);
 *   2. loads the workflows (-W: a file or a directory; default .github/workflows/) and decides for
 *      each whether its `on:` matches the event, with GitHub's filter semantics (branch and tag
 *      globs with '!' negation in order, *-ignore lists, paths against the first 300 files of
 *      the diff GitHub compares (plan_event.changed), `types`, workflow_run
 *      workflows/types/branches), with a reason string;
 *   3. builds each triggered workflow's job graph (a job is ready when its own needs are done; no
 *      stage barriers), maps `runs-on` labels to this host (ubuntu-*, self-hosted, linux, x64 by
 *      default; -P label=host adds mappings; jobs whose labels map to nothing are skipped, not
 *      failed) and expands matrices that do not depend on `needs` (the others are expanded by
 *      the executor with plan_matrix_expand() once their needs are done).
 *
 * Lifecycle (what the executor does):
 *   struct plan_opts o = PLAN_OPTS_INIT;          runner/plan_flags.c fills it from argv
 *   struct plan *p; plan_build(&p, &o, &err);     ERR_*: print, exit 2; p->nerrors: exit 2
 *   for each w = &p->workflows[i] with w->triggered:
 *     write w->github's "event" (val_to_json_sbuf) to GITHUB_EVENT_PATH; add workspace,
 *     event_path, job, ... to w->github (val_object_set) per job
 *     for each job j = &w->jobs[k]: start it when every w->jobs[j->needs[n]] is done
 *       (w->order lists them in a valid order, j->level is for display only);
 *       j->state READY:     run each j->matrix.legs[l] whose .runner is set (others: skipped)
 *       j->state SKIPPED:   as READY; its if: will be false (plan shows it skipped)
 *       j->state NO_RUNNER: report skipped (a skipped need, as GitHub treats it)
 *       j->state FILTERED:  not part of this run
 *       j->state DEFERRED:  once its needs are done,
 *           struct val ctx = plan_contexts(a, p, w, &needs_context);
 *           struct plan_matrix_opts mo = {&ctx, p->matrix_filter, p->nmatrix_filter, p};
 *           plan_matrix_expand(&j->matrix, a, j->job, &mo, &err)   (ERR_INVALID: job fails
 *           with the message, prefixed with w->relpath)
 *       j->state INVALID:   the job fails with j->reason (GitHub fails the run likewise)
 *     the job's `if:` (j->if_expr, NULL means success()) is evaluated by the executor with
 *     needs and the status functions; matrix/strategy contexts come from the leg
 *     (leg->matrix, leg->index, j->matrix.total, fail_fast, max_parallel)
 *     environment: plan_default_env() + the executor's path variables; p->env (--env) for
 *     every job; secrets p->secrets, vars p->vars; inputs w->inputs
 *   plan_free(p);
 * Everything in a plan (strings, values, matrices) lives in p->arena and dies with plan_free().
 * Values (struct val) are objects of expr/ and may be handed to expr_eval() directly.
 *
 * Repository facts come from src/git/ (git.h's repository facts, read by src/plan/repo.c).
 * Outside a git repository the planner still works, with GitHub-shaped placeholders (sha of 40
 * zeros, ref refs/heads/main, repository "local/<dirname>").
 */

#include <stdbool.h>
#include <stddef.h>

#include "expr/expr.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"
#include "workflow/workflow.h"

/* GitHub's limit on the legs of one matrix (the reference's error text is in plan_matrix.c). */
#define PLAN_MATRIX_MAX 256
/* GitHub's path filters read the first 300 files of the diff ("Diffs are limited to 300 files");
 * a push of more than 1,000 commits always runs the workflow (workflow syntax, on.push.paths). */
#define PLAN_PATHS_MAX_FILES 300
#define PLAN_PATHS_MAX_COMMITS 1000

/* ---------------------------------------------------------------------------------------------
 * Repository facts
 */

struct plan_commit {
    const char *sha; /* 40 hex */
    const char *tree_sha;
    const char *message;
    const char
        *timestamp; /* ISO 8601 with offset, as GitHub's payloads: 2026-11-29T20:06:51+00:00 */
    const char *author_name, *author_email;
    const char *committer_name, *committer_email;
};

struct plan_repo {
    bool is_git;            /* false: not a git repository, placeholders below */
    const char *root;       /* absolute path of the work tree (or of repo_dir when not git) */
    const char *sha;        /* HEAD commit; 40 zeros when there is none */
    const char *ref;        /* refs/heads/<branch>, refs/tags/<t> when detached on a tag, or NULL */
    const char *branch;     /* short branch name, NULL when detached */
    const char *remote_url; /* origin's URL, NULL when there is no origin */
    const char *owner;      /* from origin (github.com/<owner>/<name>), else "local" */
    const char *name;       /* repository name (origin, else the directory name) */
    const char *default_branch; /* origin/HEAD's target, else the current branch, else "main" */
    const char *user_name;      /* git config user.name, NULL when unset */
    const char *user_email;
    bool dirty;              /* uncommitted changes in tracked files */
    struct plan_commit head; /* HEAD's metadata (empty strings when there is no commit) */
};

/* ---------------------------------------------------------------------------------------------
 * Options (runner/plan_flags.c fills them from the act-compatible command line)
 */

/* A name=value pair (inputs, secrets, vars, env, platform mappings). */
struct plan_kv {
    const char *name;
    const char *value;
};

struct plan_opts {
    const char *repo_dir;   /* -C: where the repository is; NULL: the current directory */
    const char *workflows;  /* -W: a workflow file or a directory of them; NULL:
                               <repo root>/.github/workflows */
    const char *event_name; /* NULL: act's choice: "push" when a workflow has it, else the
                               first event of the first workflow (by path) */
    const char *event_path; /* -e: a JSON payload file that replaces the synthesized one */
    const char *job;        /* -j: plan only this job (and the jobs it needs), as act */
    const char *base_ref;   /* --base: pull_request base branch; NULL: the default branch */
    const char *before;     /* push: the commit before; NULL: HEAD~1 (or zeros for a root) */
    const char *actor;      /* --actor; NULL: git config user.name, else $USER, else "runnel" */
    const char *event_type; /* activity type (opened, synchronize, completed, ...); NULL: the
                               event's default (pull_request: opened; workflow_run: completed) */
    const char *repository; /* "owner/name" overriding what origin says */
    /* workflow_run: the workflow whose completion triggers (its name), its conclusion and the
     * event that had started it. To chain runs, the executor plans again with event_name
     * "workflow_run" and these set to the finished workflow's name, conclusion (success,
     * failure, cancelled, skipped) and event (push, pull_request, workflow_run, ...). */
    const char *run_workflow;
    const char *run_conclusion;   /* NULL: "success" */
    const char *run_event;        /* NULL: "push" */
    const struct plan_kv *inputs; /* --input k=v */
    size_t ninputs;
    const struct plan_kv *matrix_filter; /* --matrix k:v (act): keep legs whose k equals v */
    size_t nmatrix_filter;
    const struct plan_kv *platforms; /* -P label=host|-self-hosted|<image>|skip */
    size_t nplatforms;
    const struct plan_kv *secrets; /* --secret, --secret-file (already read) */
    size_t nsecrets;
    const struct plan_kv *vars; /* --var, --var-file */
    size_t nvars;
    const struct plan_kv *env; /* --env, --env-file: extra environment for every job */
    size_t nenv;
    long run_id, run_number, run_attempt; /* 0: 1, 1, 1 */
    bool all_workflows;                   /* plan every workflow, triggered or not (list) */
    bool strict; /* GitHub's validation with no act allowance (wf_load_opts.lenient off) */
    /* A workflow file's text (tests); NULL: read from disk. */
    const char *(*read_file)(const char *path, void *payload);
    void *payload;
};

#define PLAN_OPTS_INIT ((struct plan_opts){.repo_dir = NULL})

/* ---------------------------------------------------------------------------------------------
 * The event
 */

struct plan_event {
    const char *name;   /* push, pull_request, workflow_dispatch, ... */
    const char *type;   /* activity type (payload "action"), NULL when the event has none */
    struct val payload; /* github.event (VAL_OBJECT) */
    const char *sha;    /* github.sha */
    const char *ref;    /* github.ref (may be "" for events without one) */
    const char *ref_name, *ref_type;
    const char *head_ref, *base_ref; /* pull_request events, else "" */
    const char *before, *after;      /* push; else NULL */
    const char *actor;
    /*
     * The files GitHub's path filters compare, relative to the repository root, in the diff's
     * order (git's, by path; a rename gives its new and then its old path): push, the two-dot
     * diff before..after, or for a push that creates the ref (before = zeros) the diff from the
     * parent of the deepest commit pushed (the commits reachable from no other reference; the
     * empty tree for a root commit) to after; pull_request(_target), the three-dot diff
     * merge-base...head. changed_known is false when they could not be computed (no git, an
     * unreadable history, a payload without before/after) or GitHub skips the comparison (more
     * than 1,000 commits pushed; changed_note says so): path filters then pass.
     */
    const char **changed;
    size_t nchanged;
    size_t nchanged_files;    /* files in the diff (a rename counts once); 0: nchanged */
    size_t nchanged_filtered; /* the leading entries of changed path filters read: the paths of
                                 the first PLAN_PATHS_MAX_FILES files ("Diffs are limited to
                                 300 files"); 0: all of them */
    bool changed_known;
    const char *changed_note; /* why changed_known is false, when GitHub decides it; or NULL */
    const char *diff_base;    /* the commit the changed files are compared with (NULL: the
                                 empty tree, or unknown) */
    bool from_file;           /* the payload came from -e */
};

/* ---------------------------------------------------------------------------------------------
 * Evaluating a workflow's template tokens
 */

/*
 * Parses an expression of a workflow the loader has already validated: every named value is
 * accepted, and the functions are those a step's keys may call (hashFiles and the status
 * functions) or, with is_job_if, those of a job's `if:`, where success('build') and
 * failure('build') name needed jobs and hashFiles is not allowed. *out lives in a.
 */
int plan_expr_parse(struct expr **out, struct arena *a, const char *src, size_t len, bool is_job_if,
                    struct err *err);

/*
 * Evaluates a template token (workflow/) to a value, as the runner does: strings, booleans,
 * numbers and null as they are; EXPR tokens parsed and evaluated with ctx (every named value
 * allowed; the workflow loader has already checked which ones the key may use); mappings with
 * expression keys and ${{ insert }} keys (whose object value is merged in); sequences item by
 * item (an expression item that yields a sequence is spliced in). The result lives in a (or
 * points into ctx's values).
 */
int plan_eval_token(struct val *out, struct arena *a, const struct wf_token *t,
                    const struct expr_ctx *ctx, struct err *err);

/* ---------------------------------------------------------------------------------------------
 * Matrix
 */

struct plan_leg {
    struct val matrix;  /* the matrix context (VAL_OBJECT; VAL_NULL for a job without matrix) */
    size_t index;       /* strategy.job-index (position before --matrix filtering) */
    const char *suffix; /* GitHub's display suffix "(ubuntu-latest, 14)", "" without matrix */
    const char *runner; /* where this leg runs ("host"/the -P value), NULL: no runner (skip) */
    const char *skip;   /* why it does not run (unmapped labels, --matrix filter), or NULL */
    struct val runs_on; /* the evaluated runs-on (string or array of labels) */
};

struct plan_matrix {
    bool has_matrix; /* strategy.matrix given */
    struct plan_leg *legs;
    size_t nlegs;      /* legs kept (after exclude/include and the --matrix filter) */
    size_t total;      /* strategy.job-total: legs before the --matrix filter */
    bool fail_fast;    /* strategy.fail-fast (default true) */
    long max_parallel; /* strategy.max-parallel; 0 when unlimited */
};

/*
 * What plan_matrix_expand evaluates with: `contexts` is a VAL_OBJECT with the contexts allowed in
 * strategy (github, inputs, vars, needs); filter and platforms as in plan_opts. `a` receives
 * the result.
 */
struct plan_matrix_opts {
    const struct val *contexts;
    const struct plan_kv *filter;
    size_t nfilter;
    const struct plan *plan; /* for runs-on label mapping of each leg; may be NULL (no mapping) */
};

/*
 * Evaluates job->strategy (matrix, fail-fast, max-parallel) and expands the matrix as GitHub:
 * the cartesian product of the vectors in key order; `exclude` entries remove every combination
 * they match partially; each `include` entry is added to every combination whose original values
 * it does not overwrite, and becomes a new leg when it fits none; more than 256 legs is the
 * reference's error. Each leg's runs-on is evaluated with the leg's matrix and mapped to a runner.
 * A job without strategy gets one leg. ERR_INVALID with GitHub's message on a bad matrix or a
 * runs-on that cannot be evaluated (a runs-on whose labels map to nothing is not an error: the leg
 * has no runner).
 */
int plan_matrix_expand(struct plan_matrix *out, struct arena *a, const struct wf_job *job,
                       const struct plan_matrix_opts *opts, struct err *err);

/* True when the job's strategy reads `needs` (so it can only be expanded once they are done). */
bool plan_matrix_needs_needs(const struct wf_job *job);

/* ---------------------------------------------------------------------------------------------
 * Runners: runs-on label mapping
 */

/*
 * Maps evaluated runs-on labels (a string, an array of strings, or a {group, labels} object)
 * to where they run: returns the mapping's value ("host" for the defaults) when every label is
 * mapped, as a GitHub runner must carry all the labels; otherwise NULL and *why (arena) names
 * the first label that maps to nothing.
 */
const char *plan_runner_for(const struct plan *p, const struct val *runs_on, struct arena *a,
                            const char **why);

/* ---------------------------------------------------------------------------------------------
 * The plan
 */

enum plan_job_state {
    PLAN_JOB_READY,     /* will run when its needs are done (subject to its `if`) */
    PLAN_JOB_NO_RUNNER, /* every leg's runs-on maps to nothing here: reported as skipped */
    PLAN_JOB_FILTERED,  /* not selected by -j */
    PLAN_JOB_DEFERRED,  /* matrix or runs-on depends on needs: expanded at run time */
    PLAN_JOB_INVALID,   /* strategy or runs-on could not be evaluated (reason: the message) */
    PLAN_JOB_SKIPPED,   /* its if: is false whatever the jobs before it do, given what plan
                           knows (a need skipped or failing, a false condition on github,
                           inputs or vars): expanded as READY, and the executor, evaluating the
                           if: when its needs are done, skips it */
};

struct plan_job {
    struct wf_job *job; /* borrowed from the workflow */
    const char *id;
    const char *name; /* name: as written (may hold ${{ }}), else the id */
    size_t *needs;    /* indices in plan_workflow.jobs */
    size_t nneeds;
    size_t level; /* longest chain of needs below it (0: no needs); for display */
    enum plan_job_state state;
    const char *reason;        /* one line: why it runs, is skipped or deferred */
    struct plan_matrix matrix; /* expanded unless DEFERRED (then nlegs is 0) */
    const char *if_expr;       /* the job's condition as GitHub reads it, NULL when it has none */
};

struct plan_workflow {
    const char *path;    /* as given or found (relative to the cwd or absolute) */
    const char *relpath; /* relative to the repository root: .github/workflows/ci.yml */
    const char *name;    /* name: (string) or the path relative to the root, as GitHub shows */
    struct wf *wf;       /* NULL when the file did not load */
    const char *error;   /* the first load/validation message when wf is NULL */
    bool triggered;
    const char *reason;    /* why it is or is not triggered */
    struct plan_job *jobs; /* in file order */
    size_t njobs;
    size_t *order;     /* topological order (indices into jobs; needs before dependants, file order
                          among peers) */
    struct val inputs; /* the inputs context (workflow_dispatch / workflow_call), VAL_OBJECT */
    struct val github; /* the github context for this workflow (github.job is set per job by
                          the executor; workspace, event_path, action, env, path, output, state,
                          step_summary too) */
};

struct plan {
    struct arena arena;
    struct plan_repo repo;
    struct plan_event event;
    struct plan_workflow *workflows; /* sorted by path */
    size_t nworkflows;
    size_t nerrors;      /* workflows that did not load */
    struct vec warnings; /* const char *: undeclared or missing inputs, and the like */
    struct val secrets;  /* VAL_OBJECT, names case-insensitive */
    struct val vars;     /* VAL_OBJECT */
    struct plan_kv *env; /* --env pairs, in order */
    size_t nenv;
    struct plan_kv *platforms; /* defaults followed by -P, later ones win */
    size_t nplatforms;
    struct plan_kv *matrix_filter;
    size_t nmatrix_filter;
    long run_id, run_number, run_attempt;
};

/*
 * Builds the plan. Fails (ERR_INVALID/ERR_IO/ERR_NOTFOUND) only for the inputs as a whole: no
 * workflow file found, an unreadable payload file, a bad --input for a declared input type, a
 * bare repository, a repository directory that does not exist. A workflow that fails to load is
 * listed with its `error` and counted in nerrors (callers decide: plan/list/run exit 2).
 */
int plan_build(struct plan **out, const struct plan_opts *opts, struct err *err);
void plan_free(struct plan *p);

/*
 * The GITHUB_* (and CI/RUNNER_*) variables known at plan time for a workflow and job, in
 * GitHub's documented names: CI, GITHUB_ACTIONS, GITHUB_ACTOR, GITHUB_ACTOR_ID,
 * GITHUB_TRIGGERING_ACTOR, GITHUB_REPOSITORY, GITHUB_REPOSITORY_OWNER, GITHUB_EVENT_NAME,
 * GITHUB_SHA, GITHUB_REF, GITHUB_REF_NAME, GITHUB_REF_TYPE, GITHUB_REF_PROTECTED,
 * GITHUB_HEAD_REF, GITHUB_BASE_REF, GITHUB_WORKFLOW, GITHUB_WORKFLOW_REF, GITHUB_WORKFLOW_SHA,
 * GITHUB_JOB, GITHUB_RUN_ID, GITHUB_RUN_NUMBER, GITHUB_RUN_ATTEMPT, GITHUB_RETENTION_DAYS,
 * GITHUB_SERVER_URL, GITHUB_API_URL, GITHUB_GRAPHQL_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_NAME,
 * RUNNER_ENVIRONMENT, ACT, RUNNEL. The executor adds the path ones (GITHUB_WORKSPACE,
 * GITHUB_EVENT_PATH, GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STATE, GITHUB_STEP_SUMMARY,
 * RUNNER_TEMP, RUNNER_TOOL_CACHE, HOME...). Appends struct plan_kv (strings in p->arena) to out.
 */
void plan_default_env(struct vec *out, struct plan *p, const struct plan_workflow *w,
                      const char *job_id);

/*
 * A contexts object for expressions evaluated at plan level: {github, inputs, vars} (and
 * `needs` when given, a VAL_OBJECT), in a. Used for strategy, runs-on, job names.
 */
struct val plan_contexts(struct arena *a, const struct plan *p, const struct plan_workflow *w,
                         const struct val *needs);

/*
 * The inputs context of a reusable workflow called with `with:` (a VAL_OBJECT of evaluated
 * values, or NULL): the inputs declared under on.workflow_call.inputs in order, given values
 * converted to their type (boolean, number, string), defaults (evaluated with `contexts`, the
 * caller's github/inputs/vars) filled in. ERR_INVALID for a value of the wrong type or a
 * missing required input ("Input x is required, but not provided while calling.").
 */
int plan_call_inputs(struct val *out, struct arena *a, const struct wf *called,
                     const struct val *with, const struct val *contexts, struct err *err);

/*
 * The job's display name for one leg, as GitHub shows it: the evaluated `name:` when it holds
 * an expression, else the name (or id) followed by the leg's suffix "(v1, v2)".
 */
void plan_job_display_name(struct sbuf *out, const struct plan_job *j, const struct plan_leg *leg,
                           const struct val *contexts);

/* ---------------------------------------------------------------------------------------------
 * Triggers (used by plan_build; public for tests and `list`)
 */

/*
 * Decides whether `on` (a workflow's on: token) matches the event. Appends to reason a short
 * explanation ("push to main matches branches: [main, releases-*]" / "branch 'dev' is not in
 * branches: [main]"). Returns true when triggered.
 */
bool plan_on_matches(const struct wf *wf, const struct plan_event *ev, struct sbuf *reason);

/*
 * GitHub's filter lists: positive patterns include, '!' patterns exclude, the last match wins;
 * a list of only negative patterns matches nothing (GitHub requires a positive one).
 */
bool plan_filter_match(const char *const *patterns, size_t n, const char *s);

/*
 * Reads name=value pairs from a file the way act reads --secret-file/--env-file/--var-file:
 * YAML (a mapping of strings) when the name ends in .yml/.yaml, else dotenv (KEY=value, export
 * prefix, '#' comments, single/double quotes, double-quoted escapes and multi-line values).
 * Appends struct plan_kv (strings in a) to out.
 */
int plan_kv_file_load(struct vec *out, struct arena *a, const char *path, struct err *err);
/* The dotenv half of plan_kv_file_load on text in memory; `name` is used in messages. */
int plan_dotenv_parse(struct vec *out, struct arena *a, const char *name, const char *text,
                      size_t len, struct err *err);

/* Writes the plan as text (what `runnel plan` prints), JSON or Graphviz dot. */
void plan_write_text(struct sbuf *out, const struct plan *p, bool verbose);
void plan_write_json(struct sbuf *out, const struct plan *p);
void plan_write_dot(struct sbuf *out, const struct plan *p);
/*
 * For each triggered workflow: {"path", "github": the github context, "inputs", "env": the
 * plan_default_env() variables (GITHUB_JOB empty)}, as one JSON array. Secrets never appear
 * (github.token is replaced by "***" when set).
 */
void plan_write_contexts(struct sbuf *out, struct plan *p);

#endif
