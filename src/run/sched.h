#ifndef RUN_SCHED_H
#define RUN_SCHED_H

/*
 * run/sched.h: the executor. It takes a plan (plan/) and runs its triggered workflows on this
 * machine the way GitHub's runner does, with every step in a sandboxed process (exec/).
 *
 * One run is a single-threaded poll() loop (docs/style.md, B7.11): jobs start as soon as their own
 * needs are done, up to max_jobs at a time; each running job has at most one step process, whose
 * output is split into lines, checked for workflow commands (command.h), masked (mask.h) and
 * handed to the caller's log callback and the job's log file. Between steps the job reads the
 * step's environment files (envfile.h).
 *
 * What a workflow can observe follows GitHub's runner: the contexts (github, env, vars, secrets,
 * job, steps, runner, matrix, strategy, needs, inputs), the default variables, env merging in the
 * order workflow, job, GITHUB_ENV, step; shells and their command lines; step and job `if` with
 * the status functions; continue-on-error and timeout-minutes at both levels; fail-fast and
 * max-parallel; job outputs; step summaries. docs/cli.md lists what runnel does differently.
 *
 * Lifecycle:
 *   1. struct run_opts o = RUN_OPTS_INIT; o.plan = plan; o.run_dir = dir; o.log = &ops; ...
 *   2. struct run_result r = RUN_RESULT_INIT; run_execute(&r, &o, &err)
 *      returns 0 when the run could be carried out (jobs may still have failed: see r.failed),
 *      or an error when the engine could not (run directory, sandbox set-up of the host)
 *   3. read r.jobs (one struct run_job_result per job leg, in the order they finished)
 *   4. run_result_release(&r)
 *
 * Ownership: everything in run_opts is borrowed for the call. run_result owns its strings.
 */

#include <stdbool.h>
#include <stddef.h>

#include "actions/actions.h"
#include "exec/exec.h"
#include "plan/plan.h"
#include "util/err.h"
#include "util/vec.h"

enum run_conclusion {
    RUN_SUCCESS,
    RUN_FAILURE,
    RUN_CANCELLED,
    RUN_SKIPPED,
};

/* "success", "failure", "cancelled", "skipped": the words of needs.<id>.result. */
const char *run_conclusion_name(enum run_conclusion c);

/* What a log line is, so the caller can colour and fold it. */
enum run_line_kind {
    RUN_LINE_OUTPUT,   /* a line a step printed */
    RUN_LINE_INFO,     /* runnel's own narration ("Run echo hi", "Job succeeded") */
    RUN_LINE_COMMAND,  /* the command a step runs, shown before it starts */
    RUN_LINE_GROUP,    /* ::group:: title */
    RUN_LINE_ENDGROUP, /* ::endgroup:: (text empty) */
    RUN_LINE_DEBUG,
    RUN_LINE_NOTICE,
    RUN_LINE_WARNING,
    RUN_LINE_ERROR,
};

/* Callbacks for what the run shows; text is already masked and borrowed for the call. */
struct run_log_ops {
    /* One line of one job; label is GitHub's display name ("ci / build (3.11)"). */
    void (*line)(const char *label, enum run_line_kind kind, const char *text, size_t len,
                 void *payload);
    /* A line about the whole run (the sandbox level in force, once per run); may be NULL. */
    void (*notice)(const char *text, void *payload);
    /* A job leg finished (after its last line). */
    void (*job_done)(const char *label, enum run_conclusion c, double seconds, void *payload);
    void *payload;
};

struct run_opts {
    struct plan *plan;   /* the planned workflows; only triggered ones run */
    const char *run_dir; /* created if missing: logs/, jobs/<n>/{workspace,temp}, summary.md */
    size_t max_jobs;     /* jobs at once; 0: the number of CPUs */
    enum sandbox_level sandbox;
    enum sandbox_network network;
    bool bind;                   /* run in the repository itself instead of a copy per job */
    const char *const *rw_paths; /* more host paths steps may write (NULL-terminated), or NULL */
    bool dry_run;                /* evaluate and show each step, start nothing */
    const char *self_path;       /* the runnel executable: its directory goes on the steps' PATH */
    const struct actions_resolve_opts *actions; /* remote actions and built-ins; NULL: defaults */
    int cancel_fd; /* -1, or an fd that becomes readable to cancel (Ctrl-C) */
    const struct run_log_ops *log;
    /*
     * Copies the repository at src into the job workspace dest (uncommitted changes included,
     * .gitignore honoured). NULL: a plain recursive copy of everything.
     */
    int (*fill_workspace)(const char *dest, const char *src, void *payload, struct err *err);
    void *payload;
};

#define RUN_OPTS_INIT ((struct run_opts){.cancel_fd = -1, .sandbox = SANDBOX_DEFAULT})

struct run_job_result {
    char *workflow; /* the workflow's name */
    char *job_id;
    char *label; /* display name with the matrix suffix */
    enum run_conclusion conclusion;
    double seconds;
    char *log_path;
};

struct run_result {
    struct vec jobs;     /* struct run_job_result, in the order they finished */
    bool failed;         /* some job failed (without continue-on-error) */
    bool cancelled;      /* the run was cancelled */
    char *summary_path;  /* the run's gathered step summaries (markdown), NULL if none */
    char *sandbox_level; /* one line: what sandbox was in force */
    /* Per workflow: its name and conclusion, for chaining workflow_run events. */
    struct vec workflows; /* struct run_workflow_result */
};

struct run_workflow_result {
    char *name;
    char *relpath;
    enum run_conclusion conclusion;
};

#define RUN_RESULT_INIT                                                                            \
    ((struct run_result){.jobs = VEC_INIT(struct run_job_result),                                  \
                         .workflows = VEC_INIT(struct run_workflow_result)})

int run_execute(struct run_result *out, const struct run_opts *o, struct err *err);
void run_result_release(struct run_result *r);

#endif
