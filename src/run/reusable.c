/*
 * Reusable workflows: a job with `uses: ./.github/workflows/x.yml` runs the called workflow's jobs
 * as a workflow of its own, nested in the caller's run, once per leg of the calling job's matrix
 * (docs: "Using a matrix strategy with a reusable workflow"); fail-fast and max-parallel apply to
 * those legs as to any job's. Its inputs come from `with` (evaluated with the leg's matrix, typed
 * and defaulted by plan_call_inputs), its secrets from `secrets:` or `secrets: inherit`, its jobs
 * are named "caller (leg) / called" in logs as on GitHub, and its on.workflow_call.outputs become
 * the calling job's outputs once every called job is done.
 */

#include "run/internal.h"

#include <string.h>

#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define RUN_MAX_REUSABLE_DEPTH 4 /* GitHub: a workflow may call four levels deep */

struct run_wf *run_wf_new(struct run *r, struct plan_workflow *pw)
{
    struct run_wf *wf = xcalloc(1, sizeof(*wf));
    wf->run = r;
    wf->pw = pw;
    wf->arena = ARENA_INIT;
    wf->secrets = r->plan->secrets;
    wf->ndefs = pw->njobs;
    wf->defs = xcalloc(pw->njobs ? pw->njobs : 1, sizeof(*wf->defs));
    for (size_t i = 0; i < pw->njobs; i++) {
        wf->defs[i].wf = wf;
        wf->defs[i].pj = &pw->jobs[i];
        wf->defs[i].outputs = val_null();
    }
    vec_append(&r->wfs, &wf);
    return wf;
}

void run_wf_free(struct run_wf *wf)
{
    if (!wf)
        return;
    for (size_t i = 0; i < wf->ndefs; i++)
        xfree(wf->defs[i].legs);
    xfree(wf->defs);
    wf_free(wf->owned_wf);
    arena_release(&wf->arena);
    xfree(wf);
}

static struct val caller_contexts(struct run_def *d, struct arena *a)
{
    struct run *r = d->wf->run;
    struct val needs = val_new_object(a);
    for (size_t i = 0; i < d->pj->nneeds; i++) {
        struct run_def *n = &d->wf->defs[d->pj->needs[i]];
        struct val e = val_new_object(a);
        const char *res = run_conclusion_name(n->result);
        val_object_set(a, e, "result", 6, val_string(a, res, strlen(res)));
        val_object_set(a, e, "outputs", 7,
                       n->outputs.kind == VAL_OBJECT ? n->outputs : val_new_object(a));
        val_object_set(a, needs, n->pj->id, strlen(n->pj->id), e);
    }
    struct val c = plan_contexts(a, r->plan, d->wf->pw, &needs);
    val_object_set(a, c, "secrets", 7, d->wf->secrets);
    return c;
}

/* Builds the plan of the called workflow's jobs: needs, conditions, matrices. */
static int plan_called_jobs(struct run_wf *nw, struct err *err)
{
    struct run *r = nw->run;
    struct plan_workflow *pw = nw->pw;
    struct wf *cw = nw->owned_wf;
    struct arena *a = &nw->arena;
    pw->njobs = cw->njobs;
    pw->jobs = arena_alloc(a, (cw->njobs ? cw->njobs : 1) * sizeof(*pw->jobs));
    struct val contexts = plan_contexts(a, r->plan, pw, NULL);
    for (size_t i = 0; i < cw->njobs; i++) {
        struct plan_job *pj = &pw->jobs[i];
        struct wf_job *job = cw->jobs[i];
        pj->job = job;
        pj->id = arena_strndup(a, job->id->str, job->id->len);
        pj->name = job->name && job->name->kind == WF_TOK_STRING ? job->name->str : pj->id;
        pj->if_expr = job->if_expr;
        pj->needs = arena_alloc(a, (job->nneeds ? job->nneeds : 1) * sizeof(size_t));
        for (size_t k = 0; k < job->nneeds; k++) {
            for (size_t m = 0; m < cw->njobs; m++) {
                if (!str_casecmp(cw->jobs[m]->id->str, job->needs[k]->str))
                    pj->needs[pj->nneeds++] = m;
            }
        }
        if (plan_matrix_needs_needs(job)) {
            pj->state = PLAN_JOB_DEFERRED;
            continue;
        }
        struct plan_matrix_opts mo = {.contexts = &contexts,
                                      .filter = r->plan->matrix_filter,
                                      .nfilter = r->plan->nmatrix_filter,
                                      .plan = r->plan};
        struct err e = ERR_INIT;
        if (plan_matrix_expand(&pj->matrix, a, job, &mo, &e) < 0) {
            /* This job fails with the message; the others run (as runnel plan reports it). */
            pj->state = PLAN_JOB_INVALID;
            pj->reason =
                arena_printf(a, "%s%s%s", pw->relpath, e.msg[0] == '(' ? " " : ": ", e.msg);
            continue;
        }
        bool any = false;
        for (size_t k = 0; k < pj->matrix.nlegs; k++)
            any |= pj->matrix.legs[k].runner != NULL;
        pj->state = any ? PLAN_JOB_READY : PLAN_JOB_NO_RUNNER;
        pj->reason = any ? "" : "no runner for its runs-on labels";
    }
    (void)err;
    return 0;
}

int run_reusable_start(struct run_job *j, struct err *err)
{
    struct run_def *d = j->def;
    struct run *r = d->wf->run;
    const struct wf_job *job = d->pj->job;
    const char *uses = job->uses ? job->uses->str : "";
    if (d->wf->depth + 1 > RUN_MAX_REUSABLE_DEPTH)
        return err_set(err, ERR_INVALID, "Nested reusable workflow depth exceeded %d.",
                       RUN_MAX_REUSABLE_DEPTH);
    struct arena scratch = ARENA_INIT;
    struct sbuf path = SBUF_INIT;
    if (!strncmp(uses, "./", 2)) {
        path_join(&path, r->plan->repo.root, uses + 2);
        /* With --bind the steps write the repository: runnel, outside the sandbox, reads no
           link a step left there that leads out of it (its parse errors would show the lines). */
        bool sandboxed = r->host && sandbox_host_tier(r->host) != SANDBOX_TIER_NONE;
        if (r->o->bind && sandboxed && fs_exists(path.buf) &&
            !fs_real_within(path.buf, r->plan->repo.root)) {
            int rc = err_set(err, ERR_INVALID,
                             "'%s' leads out of the repository through a symbolic link: not loaded",
                             path.buf);
            arena_release(&scratch);
            sbuf_release(&path);
            return rc;
        }
    } else {
        /* owner/repo/.github/workflows/x.yml@ref: fetched like a remote action (cache,
           --action-path, download unless --offline); the file is inside the tarball. */
        struct actions_ref ref;
        struct actions_fetched fetched = ACTIONS_FETCHED_INIT;
        int frc = actions_ref_parse(&ref, uses, err);
        if (frc == 0) {
            struct actions_fetch_opts fo = {0};
            if (r->o->actions)
                fo = r->o->actions->fetch;
            frc = actions_fetch(&fetched, &ref, &fo, err);
            actions_ref_release(&ref);
        }
        if (frc == 0)
            sbuf_addstr(&path, fetched.dir.buf);
        actions_fetched_release(&fetched);
        if (frc < 0) {
            arena_release(&scratch);
            sbuf_release(&path);
            err_prefix(err, "calling '%s': ", uses);
            return frc;
        }
    }
    struct wf *cw = NULL;
    struct wf_load_opts lo = WF_LOAD_OPTS_INIT;
    lo.display_name = strncmp(uses, "./", 2) ? uses : uses + 2;
    lo.lenient = true;
    int rc = wf_load(&cw, path.buf, &lo, err);
    sbuf_release(&path);
    if (rc < 0)
        goto done;

    /* with: and secrets: evaluated in the caller's contexts, with this leg's matrix. */
    struct val with = val_null();
    rc = run_tok_eval(&with, &scratch, job->with, j, err);
    struct val secrets = val_null();
    if (rc == 0 && !job->inherit_secrets && job->secrets)
        rc = run_tok_eval(&secrets, &scratch, job->secrets, j, err);
    if (rc < 0)
        goto done;

    struct plan_workflow *pw = NULL;
    struct run_wf *nw = NULL;
    {
        /* The plan_workflow lives in the nested workflow's arena, made after it. Its name is the
         * calling leg's ("ci / call (a)"), so its jobs show as "ci / call (a) / build". */
        struct plan_workflow proto = *d->wf->pw;
        proto.wf = cw;
        proto.triggered = true;
        proto.jobs = NULL;
        proto.njobs = 0;
        proto.order = NULL;
        nw = run_wf_new(r, &proto);
        pw = arena_alloc(&nw->arena, sizeof(*pw));
        *pw = proto;
        pw->name = arena_strdup(&nw->arena, j->label);
        pw->relpath = arena_strdup(&nw->arena, strncmp(uses, "./", 2) ? uses : uses + 2);
        pw->path = pw->relpath;
        nw->pw = pw;
        nw->owned_wf = cw;
        cw = NULL;
        nw->caller = d;
        nw->depth = d->wf->depth + 1;
        nw->secrets = job->inherit_secrets         ? d->wf->secrets
                      : secrets.kind == VAL_OBJECT ? val_copy(&nw->arena, &secrets)
                                                   : val_new_object(&nw->arena);
    }
    struct val call_contexts = caller_contexts(d, &scratch);
    rc = plan_call_inputs(&pw->inputs, &nw->arena, nw->owned_wf,
                          with.kind == VAL_OBJECT ? &with : NULL, &call_contexts, err);
    if (rc == 0)
        rc = plan_called_jobs(nw, err);
    if (rc < 0) {
        nw->ndefs = 0; /* nothing to run; the caller fails with the message */
        goto done;
    }
    /* The defs were made for a workflow without jobs: make them for the called jobs. */
    xfree(nw->defs);
    nw->ndefs = pw->njobs;
    nw->defs = xcalloc(pw->njobs ? pw->njobs : 1, sizeof(*nw->defs));
    for (size_t i = 0; i < pw->njobs; i++) {
        nw->defs[i].wf = nw;
        nw->defs[i].pj = &pw->jobs[i];
        nw->defs[i].outputs = val_null();
    }
    j->called = nw;
done:
    wf_free(cw);
    arena_release(&scratch);
    if (rc < 0)
        err_prefix(err, "calling '%s': ", uses);
    return rc;
}

/*
 * on.workflow_call.outputs.<name>.value, evaluated with the called workflow's `jobs` context, go
 * into the calling job's outputs. With a matrix, GitHub keeps for each output the value of the
 * last leg to complete successfully that sets one: a leg sets what no leg set before it, and
 * replaces it only when it succeeded with a value that is not empty.
 */
static void called_outputs(struct run_job *j, enum run_conclusion result)
{
    struct run_def *d = j->def;
    struct run_wf *nw = j->called;
    struct run *r = nw->run;
    const struct wf_token *outs =
        wf_tok_get(wf_tok_get(nw->owned_wf->on, "workflow_call"), "outputs");
    struct arena *a = &r->arena;
    if (d->outputs.kind != VAL_OBJECT)
        d->outputs = val_new_object(a);
    if (!outs || outs->kind != WF_TOK_MAPPING)
        return;
    struct arena scratch = ARENA_INIT;
    struct val jobs = val_new_object(&scratch);
    for (size_t i = 0; i < nw->ndefs; i++) {
        struct run_def *cd = &nw->defs[i];
        struct val e = val_new_object(&scratch);
        const char *res = run_conclusion_name(cd->result);
        val_object_set(&scratch, e, "result", 6, val_string(&scratch, res, strlen(res)));
        val_object_set(&scratch, e, "outputs", 7,
                       cd->outputs.kind == VAL_OBJECT ? cd->outputs : val_new_object(&scratch));
        val_object_set(&scratch, jobs, cd->pj->id, strlen(cd->pj->id), e);
    }
    struct val contexts = plan_contexts(&scratch, r->plan, nw->pw, NULL);
    val_object_set(&scratch, contexts, "jobs", 4, jobs);
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.contexts = &contexts;
    for (size_t i = 0; i < outs->npairs; i++) {
        const struct wf_token *value = wf_tok_get(outs->pairs[i].value, "value");
        struct val v = val_null();
        struct err err = ERR_INIT;
        if (value && plan_eval_token(&v, &scratch, value, &ctx, &err) < 0)
            continue;
        struct sbuf s = SBUF_INIT;
        val_to_sbuf(&s, &v);
        const char *key = outs->pairs[i].key->str;
        size_t keylen = outs->pairs[i].key->len;
        bool have = val_object_find(d->outputs.obj, key, keylen) != NULL;
        if (!have || (s.len && result == RUN_SUCCESS))
            val_object_set(a, d->outputs, key, keylen, val_string(a, s.buf, s.len));
        sbuf_release(&s);
    }
    arena_release(&scratch);
}

bool run_reusable_poll(struct run_job *j, enum run_conclusion *out)
{
    struct run_wf *nw = j->called;
    bool any_fail = false, any_cancel = false;
    for (size_t i = 0; i < nw->ndefs; i++) {
        if (nw->defs[i].state != RUN_DEF_DONE)
            return false;
        any_fail |= nw->defs[i].result == RUN_FAILURE;
        any_cancel |= nw->defs[i].result == RUN_CANCELLED;
    }
    *out = any_fail ? RUN_FAILURE : any_cancel ? RUN_CANCELLED : RUN_SUCCESS;
    called_outputs(j, *out);
    return true;
}

bool run_wf_is_cancelled(const struct run_wf *wf)
{
    for (; wf; wf = wf->caller ? wf->caller->wf : NULL) {
        if (wf->cancelled)
            return true;
    }
    return false;
}

void run_wf_cancel(struct run_wf *wf)
{
    struct run *r = wf->run;
    wf->cancelled = true;
    for (size_t i = 0; i < r->jobs.len; i++) {
        struct run_job *o = *(struct run_job **)vec_at(&r->jobs, i);
        if (o->state != RUN_JOB_DONE && run_wf_is_cancelled(o->wf))
            o->cancel_requested = true;
    }
}
