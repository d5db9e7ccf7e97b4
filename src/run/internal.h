#ifndef RUN_INTERNAL_H
#define RUN_INTERNAL_H

/* Private to run/: the state of one run, its workflows, jobs and the step being run. */

#include <stdbool.h>
#include <stddef.h>

#include "actions/actions.h"
#include "expr/expr.h"
#include "plan/plan.h"
#include "run/run.h"
#include "run/sched.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "util/vec.h"

#define RUN_MAX_LINE (1u << 20)        /* a longer line is split */
#define RUN_MAX_ENV_FILE (16u << 20)   /* GITHUB_ENV / OUTPUT / PATH / STATE */
#define RUN_MAX_SUMMARY (1u << 20)     /* GitHub's step summary limit (1 MiB) */
#define RUN_DEFAULT_JOB_MINUTES 360.0  /* GitHub's default job timeout */
#define RUN_KILL_GRACE_S 5.0           /* SIGTERM to SIGKILL */
#define RUN_DEFAULT_CANCEL_MINUTES 5.0 /* GitHub's default cancel-timeout-minutes */

struct run;
struct run_wf;
struct run_def;
struct run_job;

/* One output stream of the running step, split into lines. */
struct run_stream {
    int fd;           /* borrowed from the proc; -1 once at EOF */
    struct sbuf part; /* bytes after the last newline */
};

enum run_phase {
    RUN_PHASE_STEP, /* a run: step, or an action's only process */
    RUN_PHASE_PRE,  /* a JavaScript action's pre script, before its frame's first step */
    RUN_PHASE_MAIN,
    RUN_PHASE_POST, /* a JavaScript action's post script, at the end of the job */
};

/* A JavaScript action's post script, queued when its main ran. */
struct run_post {
    const struct wf_step *step; /* the `uses:` step, for the log */
    char **envp;                /* owned: the main's environment */
    char *path;                 /* owned: the post script */
    char *post_if;              /* owned: its condition (default always()) */
    struct vec state;           /* struct run_env_pair: the main's saved state (STATE_*) */
};

/*
 * A JavaScript action's pre script, queued when its frame starts: GitHub runs the pre of the
 * job's steps when the job starts, in step order, and those of a composite's steps when the
 * composite starts. Only actions from a repository have one; a local action's pre never runs.
 */
struct run_pre {
    const struct wf_step *step; /* the `uses:` step of the frame */
    char *dir;                  /* owned: the action's directory */
    struct wf_action *action;   /* owned: its action.yml */
};

/*
 * A pre that ran: the state it saved (its main starts with it), and the post it registered, as
 * GitHub registers an action's post once, when its pre or else its main runs.
 */
struct run_pre_run {
    const struct wf_step *step;
    struct vec state;      /* struct run_env_pair */
    struct run_post *post; /* borrowed from the job's node_posts, or NULL */
};

/* The step being run by a job. */
struct run_step {
    const struct wf_step *step;
    size_t index; /* in the job's steps */
    struct proc proc;
    struct run_stream out, err;
    double deadline; /* monotonic seconds; 0: none */
    bool continue_on_error;
    bool failed_command; /* a workflow command failed the step */
    bool stop_sent;      /* SIGTERM sent (timeout or cancel); SIGKILL follows at kill_at */
    double kill_at;
    bool timed_out, cancelled; /* why it was stopped */
    bool started_cancelled;    /* started after the job was cancelled (if: always()) */
    struct val outputs;        /* VAL_OBJECT in the job arena */
    struct sbuf files_dir;     /* RUNNER_TEMP/_runner_file_commands */
    struct sbuf env_file, output_file, path_file, state_file, summary_file;
    /* JavaScript actions: pre when the frame starts, main as the step, post at the job's end. */
    enum run_phase phase;
    char **envp;                  /* owned, NULL-terminated: the action's environment */
    struct run_post *post;        /* owned until the step ends: the post to queue after main */
    struct run_post *shared_post; /* borrowed: the post its pre registered, updated by main */
    struct vec state;             /* struct run_env_pair: GITHUB_STATE and ::save-state:: values */
};

/*
 * A list of steps being run: the job's own (the root frame), or a composite action's, pushed when
 * its `uses:` step starts and popped when its last step is done.
 */
struct run_frame {
    const struct wf_step *const *steps; /* borrowed from the job or the action */
    size_t nsteps;
    size_t next;                  /* next step to consider */
    struct wf_action *action;     /* owned by a composite frame; NULL for the root */
    const char *action_path;      /* github.action_path (job arena) */
    struct val github;            /* the github context inside the action */
    struct val inputs;            /* the inputs context */
    struct val steps_ctx;         /* the steps context of this frame */
    struct val caller_env;        /* the calling step's env (VAL_OBJECT), VAL_NULL for the root */
    enum expr_status status;      /* success()/failure() inside a composite */
    const struct wf_step *caller; /* the `uses:` step of the parent frame */
    bool caller_continue_on_error;
    double deadline;     /* the caller step's timeout, 0: none */
    struct vec pres;     /* struct run_pre *: pre scripts, run before the first step */
    size_t next_pre;     /* the next of pres to run */
    struct vec pre_runs; /* struct run_pre_run: the pres that ran */
};

enum run_job_state {
    RUN_JOB_PENDING,
    RUN_JOB_RUNNING,
    RUN_JOB_DONE,
};

struct run_job {
    struct run *run;
    struct run_wf *wf;
    struct run_def *def;
    const struct plan_leg *leg;
    size_t no;          /* 1-based number of the job in the run (directory names) */
    char *label;        /* "workflow / name (leg)" */
    struct arena arena; /* values that live as long as the job */
    enum run_job_state state;
    enum run_conclusion conclusion;
    enum expr_status status;   /* the job status the status functions read */
    bool cancel_requested;     /* fail-fast or cancel: remaining steps see cancelled() */
    const char *cancel_reason; /* static text for the log, when cancelled before starting */
    bool group_known;          /* the job's concurrency group has been evaluated */
    char *group;               /* jobs.<id>.concurrency group, owned, or NULL */
    bool cancel_in_progress;   /* concurrency.cancel-in-progress */
    bool continue_on_error;    /* jobs.<id>.continue-on-error */
    struct sbuf dir, workspace, temp, log_path;
    /* RUNNER_TEMP, opened (O_NOFOLLOW) before any step ran; -1 before the job's set-up. The
       command files are reached from it, never through a link a step left (step.c). */
    int temp_fd;
    struct sbuf home;       /* the steps' home on this host when the sandbox gives them their own */
    struct sbuf event_path; /* RUNNER_TEMP/_github_workflow/event.json, as the runner puts it */
    int log_fd;
    struct sandbox *sb;
    size_t next_step;
    struct run_step *cur;
    struct val env;        /* the env context: workflow, job, GITHUB_ENV (VAL_OBJECT) */
    struct val github;     /* the github context for this job */
    struct val steps;      /* the steps context of the job's own steps */
    struct vec frames;     /* struct run_frame *, the root first */
    struct val step_env;   /* env of the step whose fields are being evaluated, or null */
    struct vec posts;      /* struct actions_post *: built-ins' post steps, run at the job's end */
    struct vec node_posts; /* struct run_post *: JavaScript post scripts, run last first */
    struct vec spent_actions; /* struct wf_action *: composites that ran (posts hold their steps) */
    struct vec masks;         /* char *: the values this job's steps masked (::add-mask::), owned */
    struct val matrix, strategy, job_ctx, runner_ctx;
    struct vec path_prepend; /* char *, owned: GITHUB_PATH entries */
    struct run_cmd_parser parser;
    struct sbuf summary; /* this job's step summaries, masked */
    double started, deadline;
    double cancel_grace_s;  /* cancel-timeout-minutes (default 5): how long the steps that start
                               after the job was cancelled (if: always(), posts) may run */
    double cancel_deadline; /* when that window closes; 0 until the first such step starts */
    size_t nsteps_run;
    /*
     * A leg of a job that calls a reusable workflow (jobs.<id>.uses) runs no steps: it starts the
     * called workflow, whose jobs do the work, and is done when they are. It takes no place among
     * max_jobs, and is not reported as a job of its own once its workflow has started.
     */
    bool is_call;
    struct run_wf *called; /* the workflow it started (in run->wfs), NULL until then */
};

enum run_def_state {
    RUN_DEF_WAITING, /* needs not done */
    RUN_DEF_STARTED, /* legs made */
    RUN_DEF_DONE,
};

/* One job of a workflow with all its matrix legs. */
struct run_def {
    struct run_wf *wf;
    struct plan_job *pj;
    enum run_def_state state;
    struct plan_matrix matrix; /* the expanded matrix (a copy or expanded at run time) */
    struct run_job **legs;
    size_t nlegs;
    size_t running, done;
    bool fail_fast_tripped;
    enum run_conclusion result; /* needs.<id>.result */
    struct val outputs;         /* needs.<id>.outputs (VAL_OBJECT in the run arena) */
};

struct run_wf {
    struct run *run;
    struct plan_workflow *pw;
    struct run_def *defs;
    size_t ndefs;
    struct val secrets; /* the secrets context of its jobs */
    /* A reusable workflow run for a job of another workflow: */
    struct run_def *caller; /* the calling job, done when this workflow is; NULL at top level */
    size_t depth;           /* nesting of reusable workflows, 0 at top level */
    bool cancelled;         /* its calling leg was cancelled (fail-fast): so are all its jobs */
    struct arena arena;     /* the synthesized plan_workflow and its jobs */
    struct wf *owned_wf;    /* the called workflow, loaded by the executor */
};

struct run {
    const struct run_opts *o;
    struct plan *plan;
    struct run_result *res;
    struct arena arena;
    struct sandbox_host *host;
    struct run_masker *masker;
    struct vec wfs;    /* struct run_wf *: triggered workflows, then reusable ones as they start */
    struct vec jobs;   /* struct run_job *, every job leg made so far */
    struct map groups; /* concurrency group -> struct run_job * holding it (borrowed) */
    size_t running;
    size_t max_jobs;
    size_t next_no;
    bool cancelled;
    bool force_stop;        /* a second Ctrl-C: stop every step, also those run after the cancel */
    bool step_debug;        /* ACTIONS_STEP_DEBUG: show ::debug:: lines */
    struct sbuf event_json; /* github.event as JSON, serialised once, written into each job */
    struct sbuf self_dir;
    struct sbuf self_path;  /* the runnel executable (setup-cml links to it) */
    struct sbuf compat_dir; /* <run_dir>/bin: hf and huggingface-cli linked to runnel */
    struct vec ro_paths;    /* char * (owned), NULL-terminated: run_ro_paths(), made once */
    struct sbuf summary;
};

static inline struct run_frame *run_top(const struct run_job *j)
{
    return *(struct run_frame **)vec_at(&j->frames, j->frames.len - 1);
}

/* The status that the current frame's steps change: the composite's, else the job's. */
static inline enum expr_status *run_status(struct run_job *j)
{
    struct run_frame *f = run_top(j);
    return f->action ? &f->status : &j->status;
}

/* sched.c */
void run_log(struct run_job *j, enum run_line_kind kind, const char *text, size_t len);
void run_logf(struct run_job *j, enum run_line_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double run_now(void);

/* eval.c: template tokens evaluated as GitHub's TemplateEvaluator does */
/* job.status: the job's status, cancelled once the job is cancelled. */
enum expr_status run_job_status(const struct run_job *j);
struct val run_contexts(struct run_job *j, struct arena *a);
/* The needs context of a job definition: {<id>: {result, outputs}} for each job it needs. */
struct val run_needs_context(const struct run_def *d, struct arena *a);
/* The env context in force for the current step (job env, composite callers, the step's own). */
struct val run_env_context(struct run_job *j, struct arena *a);
int run_tok_eval(struct val *out, struct arena *a, const struct wf_token *t, struct run_job *j,
                 struct err *err);
/* Evaluates t to a string ('' for null/absent); result in a. */
int run_tok_string(const char **out, struct arena *a, const struct wf_token *t, struct run_job *j,
                   struct err *err);
int run_cond_eval(bool *out, const char *cond, struct run_job *j, bool is_job_level,
                  struct err *err);
/* Prefixes err with the token's file and position as GitHub prints them. */
void run_tok_err(struct err *err, const struct run_job *j, const struct wf_token *t);

static inline struct run_wf *run_wf_at(const struct run *r, size_t i)
{
    return *(struct run_wf **)vec_at(&r->wfs, i);
}

/*
 * reusable.c: jobs.<id>.uses. Each leg of the calling job's matrix (one leg without a matrix)
 * calls the workflow once, with `with:` and `secrets:` evaluated with that leg's matrix.
 */
/* Loads the called workflow of call leg j and adds it to the run (j->called); the leg's contexts
 * must be set up. An error (a missing file, a bad input) fails the leg with its message. */
int run_reusable_start(struct run_job *j, struct err *err);
/*
 * True when every job of the workflow j called is done: *out is the leg's result, and the
 * workflow's outputs are merged into the calling job's (those of the last leg to succeed win).
 */
bool run_reusable_poll(struct run_job *j, enum run_conclusion *out);
struct run_wf *run_wf_new(struct run *r, struct plan_workflow *pw);
void run_wf_free(struct run_wf *wf);
/* Cancels wf's jobs and those of the workflows it calls, started or still to come. */
void run_wf_cancel(struct run_wf *wf);
/* True when wf, or a workflow that called it, was cancelled by run_wf_cancel. */
bool run_wf_is_cancelled(const struct run_wf *wf);

/* step.c */
/*
 * Resolves (fetching when needed) the actions from repositories that a new frame's steps use,
 * and queues the pre scripts of those that have one. The first action that cannot be resolved
 * stops it with its error: for the job's own steps, the job fails before its first step.
 */
int run_frame_collect_pres(struct run_job *j, struct run_frame *f, struct err *err);
/* Starts the frame's next pre script (or skips it by its pre-if); false when none is left. */
bool run_pre_start(struct run_job *j);
void run_frame_finish(struct run_job *j);
void run_job_posts(struct run_job *j);
/* Starts the last queued JavaScript post script (or skips it by its post-if); false if none. */
bool run_node_post_start(struct run_job *j);
void run_post_free(struct run_post *p);
void run_frame_free(struct run_frame *f);
int run_step_start(struct run_job *j, const struct wf_step *s, bool *started, struct err *err);
void run_step_finish(struct run_job *j);
void run_step_read(struct run_job *j, struct run_stream *st, int stream);
void run_step_line(struct run_job *j, const char *line, size_t len);

#endif
