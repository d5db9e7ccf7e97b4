#ifndef WORKFLOW_WORKFLOW_H
#define WORKFLOW_WORKFLOW_H

/*
 * workflow: GitHub Actions workflow files read, validated and modelled the way github.com does.
 *
 * A workflow is read in two passes that mirror GitHub's parser: the YAML tree is checked against
 * GitHub's workflow schema (every key, type and allowed expression context) and turned into
 * *template tokens*; the tokens are then converted into jobs and steps with the semantic checks
 * (job and step ids, needs and cycles, cron, reusable-workflow inputs and secrets). Messages use
 * GitHub's wording and position form:
 *   .github/workflows/ci.yml (Line: 12, Col: 9): Job 'two' depends on unknown job 'three'.
 *
 * Values that are evaluated at run time (runs-on, env, with, strategy, ...) stay template tokens:
 * the executor evaluates them with expr/ once the contexts are known, exactly like the runner.
 * Expressions are validated at load time against the contexts the schema allows for their key.
 *
 * Lifecycle:
 *   1. struct wf *wf; wf_load(&wf, ".github/workflows/ci.yml", NULL, &err)
 *      (or wf_parse on a string). On ERR_INVALID, wf is still returned when opts->keep_invalid
 *      is set so that callers can list every diagnostic in wf->diags.
 *   2. walk wf->jobs[i] and wf->jobs[i]->steps[j]; tokens are read with the wf_tok_* helpers.
 *   3. wf_free(wf): the model, its tokens and the YAML tree live in the workflow's arena.
 *
 * action.yml files load with wf_action_load into struct wf_action (same lifecycle).
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"

/* Template token kinds; the numbers are GitHub's serialisation ("type": N). */
enum wf_tok_kind {
    WF_TOK_STRING = 0,
    WF_TOK_SEQUENCE = 1,
    WF_TOK_MAPPING = 2,
    WF_TOK_EXPR = 3,   /* basic expression: ${{ }} or an `if:` condition */
    WF_TOK_INSERT = 4, /* ${{ insert }} directive as a mapping key */
    WF_TOK_BOOL = 5,
    WF_TOK_NUMBER = 6,
    WF_TOK_NULL = 7,
};

struct wf_token;
struct wf_def;
struct yml_doc;

struct wf_pair {
    struct wf_token *key;
    struct wf_token *value;
};

struct wf_token {
    enum wf_tok_kind kind;
    size_t file; /* 1-based index in the workflow's file table; 0 for synthesized tokens */
    size_t line; /* 1-based position of the token in its file, 0 when synthesized */
    size_t col;
    const char *str;         /* STRING: the value; EXPR: the expression text without ${{ }} */
    size_t len;              /* bytes of str */
    bool boolean;            /* BOOL */
    double number;           /* NUMBER */
    struct wf_token **items; /* SEQUENCE */
    size_t nitems;
    struct wf_pair *pairs; /* MAPPING, in document order */
    size_t npairs;
    /* reader bookkeeping */
    const struct wf_def *def; /* schema definition the token matched */
    const char *const *ctx;   /* contexts allowed for expressions at this token */
    size_t nctx;
    bool has_expr_key; /* mapping with a ${{ }} key */
    bool multiline;    /* scalar spans several lines (block scalar) */
};

/* One validation message, already in GitHub's form (file (Line: L, Col: C): text). */
struct wf_diag {
    char *msg; /* arena-owned */
    size_t line;
    size_t col;
};

struct wf_step {
    const char *id; /* given or generated (__run, __actions_checkout, ...) */
    bool id_generated;
    struct wf_token *name; /* NULL when absent */
    const char *if_expr;   /* condition, wrapped with success() && (...) as GitHub does */
    struct wf_token *uses; /* STRING; NULL for run steps */
    struct wf_token *run;  /* scalar or EXPR; NULL for uses steps */
    struct wf_token *shell;
    struct wf_token *with; /* MAPPING */
    struct wf_token *env;  /* MAPPING or EXPR */
    struct wf_token *working_directory;
    struct wf_token *continue_on_error; /* BOOL or EXPR */
    struct wf_token *timeout_minutes;   /* NUMBER or EXPR */
    struct wf_token *background;        /* BOOL: runs in the background (experimental) */
    struct wf_token *wait;              /* SEQUENCE of step ids to wait for (wait steps) */
    bool wait_all;                      /* a wait-all step */
    struct wf_token *cancel;            /* STRING: step id to cancel (cancel steps) */
    struct wf_token *token;             /* the step's mapping */
};

/* A list of strings from the workflow (filters, types); borrowed from the workflow's arena. */
struct wf_strlist {
    const char **items;
    size_t n;
    bool present; /* the key was written (an empty list still filters everything out) */
};

/* An input of workflow_dispatch or workflow_call. */
struct wf_input {
    const char *name;
    const char *description;
    const char *type; /* string (default), boolean, number, choice, environment */
    bool required;
    struct wf_token *default_value; /* NULL when none; may be an expression (workflow_call) */
    struct wf_strlist options;      /* choice inputs */
    struct wf_token *token;         /* the input's mapping (for positions) */
};

/* A secret or output declared by workflow_call. */
struct wf_call_item {
    const char *name;
    const char *description;
    bool required;          /* secrets */
    struct wf_token *value; /* outputs: the value expression */
    struct wf_token *token;
};

struct wf_cron {
    const char *cron;     /* five fields, validated as GitHub does */
    const char *timezone; /* IANA name or NULL */
};

/* One event of `on:` with its filters, in the order written. */
struct wf_event {
    const char *name; /* push, pull_request, workflow_dispatch, schedule, ... */
    struct wf_strlist branches, branches_ignore, tags, tags_ignore, paths, paths_ignore;
    struct wf_strlist types, versions, names, workflows;
    struct wf_cron *crons; /* schedule */
    size_t ncrons;
    struct wf_input *inputs; /* workflow_dispatch, workflow_call */
    size_t ninputs;
    bool has_inputs;
    struct wf_call_item *secrets; /* workflow_call */
    size_t nsecrets;
    bool has_secrets;
    struct wf_call_item *outputs; /* workflow_call */
    size_t noutputs;
    struct wf_token *token; /* the event's configuration (NULL for `on: push`) */
    /* order in which the filters were written, for the JSON export */
    const char *filter_order[10];
    size_t nfilter_order;
};

enum wf_job_kind {
    WF_JOB_NORMAL,
    WF_JOB_REUSABLE, /* uses: owner/repo/.github/workflows/x.yml@ref */
};

struct wf_job {
    enum wf_job_kind kind;
    struct wf_token *id;     /* STRING (the key) */
    struct wf_token *name;   /* name: or the id */
    struct wf_token **needs; /* STRING tokens */
    size_t nneeds;
    bool has_needs;            /* needs: was written (even empty) */
    const char *if_expr;       /* wrapped condition */
    struct wf_token *if_token; /* EXPR token with position, NULL when defaulted */
    struct wf_token *runs_on;
    struct wf_token *strategy;
    struct wf_token *env;
    struct wf_token *defaults;
    struct wf_token *outputs;
    struct wf_token *environment;
    struct wf_token *concurrency;
    struct wf_token *permissions;
    struct wf_token *container;
    struct wf_token *services;
    struct wf_token *timeout_minutes;
    struct wf_token *cancel_timeout_minutes;
    struct wf_token *continue_on_error;
    struct wf_token *snapshot;
    struct wf_step **steps;
    size_t nsteps;
    /* reusable workflow jobs */
    struct wf_token *input_definitions;  /* the called workflow's on.workflow_call.inputs */
    struct wf_token *secret_definitions; /* ... .secrets */
    struct wf_token *call_outputs;       /* ... .outputs */
    struct wf_job **jobs;                /* the called workflow's jobs (NULL when not loaded) */
    size_t njobs;
    bool jobs_loaded;
    struct wf_token *effective_permissions; /* own, else inherited (workflow or caller) */
    struct wf_token *uses;
    struct wf_token *with;
    struct wf_token *secrets;
    bool inherit_secrets;
    struct wf_token *token; /* the job's mapping */
};

struct wf {
    struct arena arena;    /* owns everything below */
    const char *path;      /* file name used in messages */
    struct wf_token *root; /* the whole workflow as tokens; NULL when the YAML was unreadable */
    struct wf_token *name;
    struct wf_token *run_name;
    struct wf_token *on;     /* as written: STRING, SEQUENCE or MAPPING */
    struct wf_event *events; /* `on:` read into events, in the order written */
    size_t nevents;
    bool export_events; /* the JSON export includes "events" (strict_events) */
    struct wf_token *env;
    struct wf_token *defaults;
    struct wf_token *permissions;
    struct wf_token *concurrency;
    struct wf_job **jobs; /* in file order */
    size_t njobs;
    struct vec diags;    /* struct wf_diag, in the order GitHub reports them */
    struct vec warnings; /* struct wf_diag: accepted deviations (wf_load_opts.lenient) */
    const char **files;  /* file table (1-based ids: files[id - 1]) */
    size_t nfiles;
    bool sort_file_table; /* export the file table sorted (partial re-runs) */
    struct vec yaml_docs; /* struct yml_doc *: the YAML trees the tokens borrow strings from */
};

struct wf_load_opts {
    const char *display_name; /* name used in messages instead of the path */
    bool keep_invalid;        /* return the model even when it has diagnostics */
    size_t max_errors;        /* keep at most this many diagnostics; 0: all */
    size_t max_file_size;     /* characters; 0: 16 MiB */
    size_t max_depth;         /* nesting of YAML collections; 0: no limit beyond the YAML one */
    size_t max_jobs;          /* max-job-limit; 0: no limit */
    bool strict_events; /* validate `on:` against every event's schema (the TypeScript parser's
                           view; github.com ignores unknown event keys) */
    bool allow_background_steps; /* GitHub's experimental background, wait and cancel steps */
    const char
        *permissions_policy; /* LimitedRead (default), Write, ...: reusable-workflow checks */
    bool skip_reusable;      /* do not load called workflows */
    /* act compatibility, as warnings instead of GitHub's errors: a workflow_call input without
     * `type` (act reads it as a string), secrets passed to a called workflow that does not declare
     * them (act passes them through) */
    bool lenient;
    bool is_partial_rerun; /* the server's partial re-run: its file table comes out sorted */
    /* Only the checks of actions/languageservices' workflow-parser (its conformance cases), not
     * those github.com adds when it reads the file: `branches` next to `branches-ignore` (and
     * tags, paths) for one event, which github.com refuses and the parser accepts. */
    bool parser_only;
    size_t max_reusable_depth; /* nested reusable workflows; 0: GitHub's default of 4 */
    size_t max_result_size;    /* bytes of tokens as GitHub counts them; 0: no limit */
    /* Reusable workflows named by `uses:` (conformance cases, local ./ paths): returns the
     * file's text or NULL; the text must live as long as the call. */
    const char *(*read_file)(const char *ref, void *payload);
    void *payload;
};

#define WF_LOAD_OPTS_INIT ((struct wf_load_opts){0})

/*
 * Loads and validates a workflow file. On success (no diagnostics) *out is set and 0 returned.
 * On validation failure returns ERR_INVALID with the first message in err (and *out set, with
 * every message in (*out)->diags, when opts->keep_invalid). Other codes: ERR_IO.
 */
int wf_load(struct wf **out, const char *path, const struct wf_load_opts *opts, struct err *err);
/* The same for text held in memory; `name` is used in messages. */
int wf_parse(struct wf **out, const char *name, const char *text, size_t len,
             const struct wf_load_opts *opts, struct err *err);
void wf_free(struct wf *wf);

/* The event of that name in `on:`, or NULL. Borrowed. */
const struct wf_event *wf_find_event(const struct wf *wf, const char *name);
/* True when the cron string is valid for GitHub's schedule event. */
bool wf_cron_is_valid(const char *cron);

/* The job with this id (case-insensitive, as GitHub compares ids), or NULL. Borrowed. */
struct wf_job *wf_find_job(const struct wf *wf, const char *id);

/*
 * Appends the model in GitHub's template-token JSON form ({"jobs": [...]} plus the workflow-level
 * keys GitHub serialises), 2-space indented. With include_source, tokens carry file/line/col and
 * a "file-table" is added, as the reference does.
 */
void wf_export_json(struct sbuf *out, const struct wf *wf, bool include_source);

/* Token helpers. */
bool wf_tok_is_expr(const struct wf_token *t);
/* The value of key in a MAPPING token (exact match), or NULL. */
struct wf_token *wf_tok_get(const struct wf_token *map, const char *key);
/* The token as JSON (GitHub's serialisation) at the given indent. */
void wf_tok_to_json(struct sbuf *out, const struct wf_token *t, bool include_source, int indent);

/*
 * Runs one conformance case file of actions/languageservices' workflow-parser tests (options,
 * workflow, reusable workflows, expected JSON, separated by '---' lines) and appends exactly the
 * JSON the reference harness compares: {"jobs": ...} or {"errors": [...]}. expected_out, when
 * not NULL, receives the case's expected JSON (trimmed). Returns ERR_IO/ERR_INVALID when the case
 * file itself cannot be read or split.
 */
int wf_case_run(struct sbuf *out, struct sbuf *expected_out, const char *path, struct err *err);

/* ---- action.yml ---- */

enum wf_action_kind {
    WF_ACTION_COMPOSITE,
    WF_ACTION_NODE, /* node12/16/20/24 */
    WF_ACTION_DOCKER,
};

struct wf_action_input {
    const char *name;
    const char *description;
    const char *default_value; /* NULL when none; may hold ${{ }} */
    bool required;
};

struct wf_action_output {
    const char *name;
    const char *description;
    struct wf_token *value; /* composite actions: the value expression */
};

struct wf_action {
    struct arena arena;
    const char *path;
    const char *name;
    const char *description;
    enum wf_action_kind kind;
    const char *using; /* as written: composite, node20, docker */
    struct wf_action_input *inputs;
    size_t ninputs;
    struct wf_action_output *outputs;
    size_t noutputs;
    /* node */
    const char *main, *pre, *post;
    const char *pre_if, *post_if;
    /* docker */
    const char *image;
    const char *entrypoint, *pre_entrypoint, *post_entrypoint;
    struct wf_token *args; /* SEQUENCE */
    struct wf_token *env;  /* MAPPING */
    /* composite */
    struct wf_step **steps;
    size_t nsteps;
    struct yml_doc *yaml; /* the YAML tree the tokens borrow strings from */
};

/* Loads action.yml (or action.yaml). Returns ERR_INVALID with a located message on bad input. */
int wf_action_load(struct wf_action **out, const char *path, struct err *err);
int wf_action_parse(struct wf_action **out, const char *name, const char *text, size_t len,
                    struct err *err);
void wf_action_free(struct wf_action *a);

#endif
