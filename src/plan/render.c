/*
 * Renderings of a plan: text for people, JSON for tools (and the executor's tests), and
 * Graphviz dot for the job graph.
 */
#include "plan/plan.h"

#include <string.h>

#include "util/json.h"
#include "util/xalloc.h"

static const char *state_name(enum plan_job_state s)
{
    switch (s) {
    case PLAN_JOB_RUN:
        return "run";
    case PLAN_JOB_SKIP_LABELS:
        return "skipped";
    case PLAN_JOB_SKIP_FILTER:
        return "not selected";
    case PLAN_JOB_SKIP_NEEDS:
        return "skipped";
    case PLAN_JOB_INVALID:
        return "invalid";
    }
    return "?";
}

/* matrix values on one line: {os: ubuntu-latest, node: 18} */
static void leg_values(struct sbuf *out, const struct val *v)
{
    if (v->kind == VAL_OBJECT && v->obj->len == 0)
        return;
    val_to_json_sbuf(out, v, false);
}

void plan_render_text(struct sbuf *out, const struct plan *p)
{
    const struct plan_event *ev = p->event;
    sbuf_addf(out, "event %s", ev->name);
    if (ev->ref)
        sbuf_addf(out, " ref %s", ev->ref);
    if (ev->sha)
        sbuf_addf(out, " sha %.12s", ev->sha);
    if (ev->changed_known)
        sbuf_addf(out, " (%zu changed file%s)", ev->changed.len, ev->changed.len == 1 ? "" : "s");
    sbuf_addch(out, '\n');
    for (size_t w = 0; w < p->nworkflows; w++) {
        const struct plan_workflow *pw = &p->workflows[w];
        sbuf_addf(out, "\n%s (%s): %s\n", pw->name, pw->path, pw->why);
        for (size_t j = 0; j < pw->njobs; j++) {
            const struct plan_job *pj = &pw->jobs[j];
            sbuf_addf(out, "  [%zu] %s", pj->level, pj->id);
            if (strcmp(pj->name, pj->id) != 0)
                sbuf_addf(out, " \"%s\"", pj->name);
            if (pj->nneeds) {
                sbuf_addstr(out, " (needs");
                for (size_t k = 0; k < pj->nneeds; k++)
                    sbuf_addf(out, "%s%s", k ? ", " : " ", pw->jobs[pj->needs[k]].id);
                sbuf_addch(out, ')');
            }
            if (pj->state != PLAN_JOB_RUN) {
                sbuf_addf(out, ": %s, %s\n", state_name(pj->state), pj->why);
                continue;
            }
            if (pj->job->kind == WF_JOB_REUSABLE) {
                sbuf_addf(out, ": calls %s\n", pj->job->uses ? pj->job->uses->str : "?");
                continue;
            }
            if (pj->matrix.deferred) {
                sbuf_addf(out, ": matrix known when its needs finish (%s)\n",
                          pj->matrix.deferred_expr);
                continue;
            }
            size_t total = pj->matrix.nlegs;
            sbuf_addf(out, ": %zu leg%s\n", total, total == 1 ? "" : "s");
            for (size_t l = 0; l < total; l++) {
                const struct plan_leg *leg = &pj->matrix.legs[l];
                sbuf_addf(out, "      %zu/%zu ", l + 1, total);
                leg_values(out, &leg->values);
                sbuf_addstr(out, " runs-on");
                for (size_t k = 0; k < leg->nlabels; k++)
                    sbuf_addf(out, "%s%s", k ? "," : " ", leg->labels[k]);
                if (leg->filtered)
                    sbuf_addstr(out, ": not selected by --matrix\n");
                else if (leg->host)
                    sbuf_addf(out, " -> %s\n", leg->host);
                else
                    sbuf_addf(out, ": skipped, no runner for '%s'\n", leg->unmatched);
            }
        }
    }
}

void plan_render_json(struct sbuf *out, const struct plan *p)
{
    const struct plan_event *ev = p->event;
    cJSON *root = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(root, "event");
    cJSON_AddStringToObject(e, "name", ev->name);
    cJSON_AddStringToObject(e, "ref", ev->ref ? ev->ref : "");
    cJSON_AddStringToObject(e, "sha", ev->sha ? ev->sha : "");
    if (ev->action)
        cJSON_AddStringToObject(e, "action", ev->action);
    if (ev->changed_known) {
        cJSON *ch = cJSON_AddArrayToObject(e, "changed_files");
        vec_foreach (char *, s, &ev->changed)
            cJSON_AddItemToArray(ch, cJSON_CreateString(*s));
    }
    cJSON *wfs = cJSON_AddArrayToObject(root, "workflows");
    for (size_t w = 0; w < p->nworkflows; w++) {
        const struct plan_workflow *pw = &p->workflows[w];
        cJSON *jw = cJSON_CreateObject();
        cJSON_AddItemToArray(wfs, jw);
        cJSON_AddStringToObject(jw, "path", pw->path);
        cJSON_AddStringToObject(jw, "name", pw->name);
        cJSON_AddBoolToObject(jw, "triggered", pw->triggered);
        cJSON_AddStringToObject(jw, "why", pw->why);
        cJSON *jobs = cJSON_AddArrayToObject(jw, "jobs");
        for (size_t j = 0; j < pw->njobs; j++) {
            const struct plan_job *pj = &pw->jobs[j];
            cJSON *jj = cJSON_CreateObject();
            cJSON_AddItemToArray(jobs, jj);
            cJSON_AddStringToObject(jj, "id", pj->id);
            cJSON_AddStringToObject(jj, "name", pj->name);
            cJSON_AddStringToObject(jj, "state",
                                    pj->state == PLAN_JOB_RUN       ? "run"
                                    : pj->state == PLAN_JOB_INVALID ? "invalid"
                                                                    : "skipped");
            if (pj->why)
                cJSON_AddStringToObject(jj, "why", pj->why);
            cJSON_AddNumberToObject(jj, "level", (double)pj->level);
            cJSON *needs = cJSON_AddArrayToObject(jj, "needs");
            for (size_t k = 0; k < pj->nneeds; k++)
                cJSON_AddItemToArray(needs, cJSON_CreateString(pw->jobs[pj->needs[k]].id));
            if (pj->job->kind == WF_JOB_REUSABLE && pj->job->uses)
                cJSON_AddStringToObject(jj, "uses", pj->job->uses->str);
            if (pj->matrix.deferred)
                cJSON_AddStringToObject(jj, "matrix_deferred", pj->matrix.deferred_expr);
            cJSON *legs = cJSON_AddArrayToObject(jj, "legs");
            for (size_t l = 0; l < pj->matrix.nlegs; l++) {
                const struct plan_leg *leg = &pj->matrix.legs[l];
                cJSON *jl = cJSON_CreateObject();
                cJSON_AddItemToArray(legs, jl);
                cJSON_AddNumberToObject(jl, "job_index", (double)leg->index);
                cJSON_AddNumberToObject(jl, "job_total", (double)pj->matrix.nlegs);
                cJSON_AddItemToObject(jl, "matrix", val_to_json(&leg->values));
                cJSON *labels = cJSON_AddArrayToObject(jl, "runs_on");
                for (size_t k = 0; k < leg->nlabels; k++)
                    cJSON_AddItemToArray(labels, cJSON_CreateString(leg->labels[k]));
                if (leg->filtered)
                    cJSON_AddStringToObject(jl, "state", "not selected");
                else if (leg->host)
                    cJSON_AddStringToObject(jl, "host", leg->host);
                else
                    cJSON_AddStringToObject(jl, "skipped_label", leg->unmatched);
            }
        }
    }
    char *s = cJSON_Print(root);
    sbuf_addstr(out, s);
    cJSON_free(s);
    cJSON_Delete(root);
}

static void dot_id(struct sbuf *out, size_t w, const char *id)
{
    sbuf_addf(out, "\"w%zu_", w);
    for (const char *c = id; *c; c++) {
        if (*c == '"' || *c == '\\')
            sbuf_addch(out, '\\');
        sbuf_addch(out, *c);
    }
    sbuf_addch(out, '"');
}

static void dot_label(struct sbuf *out, const char *s)
{
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            sbuf_addch(out, '\\');
        sbuf_addch(out, *c);
    }
}

void plan_render_dot(struct sbuf *out, const struct plan *p)
{
    sbuf_addstr(out, "digraph plan {\n  rankdir=LR;\n  node [shape=box];\n");
    for (size_t w = 0; w < p->nworkflows; w++) {
        const struct plan_workflow *pw = &p->workflows[w];
        if (!pw->triggered)
            continue;
        sbuf_addf(out, "  subgraph cluster_%zu {\n    label=\"", w);
        dot_label(out, pw->name);
        sbuf_addstr(out, "\";\n");
        for (size_t j = 0; j < pw->njobs; j++) {
            const struct plan_job *pj = &pw->jobs[j];
            sbuf_addstr(out, "    ");
            dot_id(out, w, pj->id);
            sbuf_addstr(out, " [label=\"");
            dot_label(out, pj->id);
            if (pj->state == PLAN_JOB_RUN && pj->matrix.nlegs > 1)
                sbuf_addf(out, "\\n%zu legs", pj->matrix.nlegs);
            sbuf_addstr(out, "\"");
            if (pj->state != PLAN_JOB_RUN)
                sbuf_addstr(out, ", style=dashed");
            sbuf_addstr(out, "];\n");
        }
        for (size_t j = 0; j < pw->njobs; j++) {
            const struct plan_job *pj = &pw->jobs[j];
            for (size_t k = 0; k < pj->nneeds; k++) {
                sbuf_addstr(out, "    ");
                dot_id(out, w, pw->jobs[pj->needs[k]].id);
                sbuf_addstr(out, " -> ");
                dot_id(out, w, pj->id);
                sbuf_addstr(out, ";\n");
            }
        }
        sbuf_addstr(out, "  }\n");
    }
    sbuf_addstr(out, "}\n");
}
