/*
 * Evaluating a workflow's template tokens at run time, as GitHub's TemplateEvaluator does:
 * strings stay strings, ${{ }} tokens are evaluated with the job's contexts, mappings and
 * sequences are rebuilt, and an `${{ insert }}` key merges the mapping its value evaluates to.
 * The expressions were validated when the workflow loaded, so every name is accepted here.
 */

#include "run/internal.h"

#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

static void set_ctx(struct arena *a, struct val obj, const char *name, struct val v)
{
    val_object_set(a, obj, name, strlen(name), v);
}

static void overlay(struct arena *a, struct val dst, const struct val *src)
{
    if (src->kind != VAL_OBJECT)
        return;
    for (size_t i = 0; i < src->obj->len; i++) {
        const struct val_member *m = &src->obj->members[i];
        val_object_set(a, dst, m->key.p, m->key.len, m->value);
    }
}

/*
 * The env context: the job's (workflow, job, GITHUB_ENV), then the env of each composite
 * action's calling step from the outside in, then the env of the step being evaluated.
 */
struct val run_env_context(struct run_job *j, struct arena *a)
{
    bool layered = j->step_env.kind == VAL_OBJECT;
    for (size_t i = 0; i < j->frames.len && !layered; i++)
        layered = (*(struct run_frame **)vec_at(&j->frames, i))->caller_env.kind == VAL_OBJECT;
    if (!layered)
        return j->env;
    struct val env = val_new_object(a);
    overlay(a, env, &j->env);
    for (size_t i = 0; i < j->frames.len; i++)
        overlay(a, env, &(*(struct run_frame **)vec_at(&j->frames, i))->caller_env);
    overlay(a, env, &j->step_env);
    return env;
}

struct val run_needs_context(const struct run_def *d, struct arena *a)
{
    struct val needs = val_new_object(a);
    for (size_t i = 0; i < d->pj->nneeds; i++) {
        const struct run_def *n = &d->wf->defs[d->pj->needs[i]];
        struct val e = val_new_object(a);
        const char *res = run_conclusion_name(n->result);
        set_ctx(a, e, "result", val_string_borrowed(res, strlen(res)));
        set_ctx(a, e, "outputs", n->outputs.kind == VAL_OBJECT ? n->outputs : val_new_object(a));
        set_ctx(a, needs, n->pj->id, e);
    }
    return needs;
}

/*
 * job.status, as the runner keeps it (StepsRunner.cs: JobContext.Status = jobContext.Result):
 * success until a step fails, failure after, and cancelled from the moment the job is cancelled
 * (Ctrl-C, fail-fast, a concurrency group, its timeout), whatever it was before. The status
 * functions of the job's own steps read the same value (FailureFunction, CancelledFunction).
 */
enum expr_status run_job_status(const struct run_job *j)
{
    return j->cancel_requested ? EXPR_STATUS_CANCELLED : j->status;
}

static const char *status_word(enum expr_status st)
{
    return st == EXPR_STATUS_FAILURE     ? "failure"
           : st == EXPR_STATUS_CANCELLED ? "cancelled"
                                         : "success";
}

struct val run_contexts(struct run_job *j, struct arena *a)
{
    struct run *r = j->run;
    struct run_frame *f = j->frames.len ? run_top(j) : NULL;
    bool in_action = f && f->action;
    struct val c = val_new_object(a);
    set_ctx(a, c, "github", in_action ? f->github : j->github);
    set_ctx(a, c, "env", run_env_context(j, a));
    set_ctx(a, c, "vars", r->plan->vars);
    set_ctx(a, c, "secrets", j->wf->secrets);
    set_ctx(a, c, "inputs", in_action ? f->inputs : j->wf->pw->inputs);
    if (j->job_ctx.kind == VAL_OBJECT) {
        const char *st = status_word(run_job_status(j));
        set_ctx(&j->arena, j->job_ctx, "status", val_string_borrowed(st, strlen(st)));
    }
    set_ctx(a, c, "job", j->job_ctx);
    set_ctx(a, c, "steps", f ? f->steps_ctx : j->steps);
    set_ctx(a, c, "runner", j->runner_ctx);
    set_ctx(a, c, "matrix", j->matrix);
    set_ctx(a, c, "strategy", j->strategy);
    set_ctx(a, c, "needs", run_needs_context(j->def, a));
    return c;
}

/* The file a token came from: one of the workflow's files (a template's), or the workflow. */
static const char *tok_file(const struct run_job *j, const struct wf_token *t)
{
    const struct wf *wf = j->wf->pw->wf;
    return wf && t && t->file && t->file <= wf->nfiles ? wf->files[t->file - 1]
                                                       : j->wf->pw->relpath;
}

void run_tok_err(struct err *err, const struct run_job *j, const struct wf_token *t)
{
    const char *file = tok_file(j, t);
    if (t && t->line)
        err_prefix(err, "%s (Line: %zu, Col: %zu): ", file, t->line, t->col);
    else
        err_prefix(err, "%s: ", file);
}

/*
 * The status functions of a job's steps read job.status (run_job_status); inside a composite
 * action, success() and failure() read the composite's own status (the runner's action_status),
 * and cancelled() is the job's cancellation.
 */
static bool step_status(enum expr_func fn, const struct val *args, size_t n_args, void *payload)
{
    struct run_job *j = payload;
    (void)args;
    (void)n_args;
    bool in_action = j->frames.len && run_top(j)->action;
    enum expr_status st = in_action ? *run_status(j) : run_job_status(j);
    switch (fn) {
    case EXPR_FN_SUCCESS:
        return st == EXPR_STATUS_SUCCESS && !j->cancel_requested;
    case EXPR_FN_FAILURE:
        return st == EXPR_STATUS_FAILURE;
    case EXPR_FN_CANCELLED:
        return j->cancel_requested;
    default:
        return true;
    }
}

/*
 * Marks in seen (one flag per definition of the workflow) every job that d needs, directly or
 * through other jobs: its ancestors.
 */
static void mark_ancestors(const struct run_def *d, bool *seen)
{
    for (size_t i = 0; i < d->pj->nneeds; i++) {
        size_t k = d->pj->needs[i];
        if (seen[k])
            continue;
        seen[k] = true;
        mark_ancestors(&d->wf->defs[k], seen);
    }
}

/*
 * The status functions of a job's `if`. GitHub looks at the whole chain of needs, not only the
 * direct ones (docs, Expressions > failure: "If you have a chain of dependent jobs, failure()
 * returns true if any ancestor job fails"; success() likewise needs every ancestor to have
 * succeeded, so a job after a skipped one is skipped even when its own needs succeeded,
 * actions/runner#2205). failure() when an ancestor failed, success() when every ancestor
 * succeeded and the run is not cancelled, cancelled() when the run was cancelled. Given job ids
 * as arguments (success('build')), success() and failure() look at those jobs only.
 */
static bool job_status(enum expr_func fn, const struct val *args, size_t n_args, void *payload)
{
    struct run_job *j = payload;
    const struct run_wf *wf = j->wf;
    bool *seen = xcalloc(wf->ndefs ? wf->ndefs : 1, sizeof(*seen));
    mark_ancestors(j->def, seen);
    bool any_failed = false, all_ok = true;
    for (size_t i = 0; i < wf->ndefs; i++) {
        const struct run_def *d = &wf->defs[i];
        if (!seen[i] || !expr_status_names_job(args, n_args, d->pj->id))
            continue;
        if (d->result == RUN_FAILURE)
            any_failed = true;
        if (d->result != RUN_SUCCESS)
            all_ok = false;
    }
    xfree(seen);
    switch (fn) {
    case EXPR_FN_SUCCESS:
        return all_ok && !j->run->cancelled;
    case EXPR_FN_FAILURE:
        return any_failed;
    case EXPR_FN_CANCELLED:
        return j->run->cancelled;
    default:
        return true;
    }
}

/* What the job's expressions are evaluated with: its contexts and the status functions. */
static struct expr_ctx job_expr_ctx(const struct val *contexts, struct run_job *j, bool is_job_if)
{
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.contexts = contexts;
    ctx.status_fn = is_job_if ? job_status : step_status;
    ctx.payload = j;
    ctx.workspace = j->workspace.buf;
    return ctx;
}

/* Tokens are evaluated by the planner's evaluator, with the job's contexts. */
int run_tok_eval(struct val *out, struct arena *a, const struct wf_token *t, struct run_job *j,
                 struct err *err)
{
    struct val contexts = run_contexts(j, a);
    struct expr_ctx ctx = job_expr_ctx(&contexts, j, false);
    int rc = plan_eval_token(out, a, t, &ctx, err);
    if (rc < 0) /* plan_eval_token has put "(Line: l, Col: c): " first when it knew them */
        err_prefix(err, "%s%s", tok_file(j, t), strncmp(err->msg, "(Line:", 6) ? ": " : " ");
    return rc;
}

int run_tok_string(const char **out, struct arena *a, const struct wf_token *t, struct run_job *j,
                   struct err *err)
{
    struct val v;
    int rc = run_tok_eval(&v, a, t, j, err);
    if (rc < 0)
        return rc;
    struct sbuf sb = SBUF_INIT;
    val_to_sbuf(&sb, &v);
    *out = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return 0;
}

int run_cond_eval(bool *out, const char *cond, struct run_job *j, bool is_job_level,
                  struct err *err)
{
    struct arena scratch = ARENA_INIT;
    if (!cond)
        cond = "success()";
    struct expr *e = NULL;
    int rc = plan_expr_parse(&e, &scratch, cond, strlen(cond), is_job_level, err);
    if (rc == 0) {
        struct val contexts = run_contexts(j, &scratch);
        struct expr_ctx ctx = job_expr_ctx(&contexts, j, is_job_level);
        struct val v;
        rc = expr_eval(&v, &scratch, e, &ctx, err);
        if (rc == 0)
            *out = val_is_truthy(&v);
    }
    arena_release(&scratch);
    return rc;
}
