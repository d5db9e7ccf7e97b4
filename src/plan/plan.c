/*
 * The plan: which workflows an event triggers and, for each, the jobs in an order that respects
 * their needs, every matrix leg with its values, and where each leg runs. A job starts as soon as
 * its own needs are done (the `level` printed is only the longest chain before it, not a stage
 * barrier). runs-on labels with no runner here (macos-*, windows-*) skip the job, and jobs that
 * need a skipped job are skipped with it, as GitHub skips dependants of a skipped job.
 */
#include "plan/plan.h"

#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

/* ---- runs-on ---- */

static bool label_is_default(const char *l)
{
    return str_casecmp(l, "self-hosted") == 0 || str_casecmp(l, "linux") == 0 ||
           str_casecmp(l, "x64") == 0 || (strncmp(l, "ubuntu-", 7) == 0) ||
           str_casecmp(l, "ubuntu") == 0;
}

const char *plan_labels_map(const char *const *labels, size_t n, const struct plan_label_map *extra,
                            size_t nextra, const char **unmatched)
{
    const char *host = NULL;
    *unmatched = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *h = NULL;
        for (size_t j = 0; j < nextra && !h; j++) {
            if (str_casecmp(extra[j].label, labels[i]) == 0)
                h = extra[j].host;
        }
        if (!h && label_is_default(labels[i]))
            h = "host";
        if (!h) {
            *unmatched = labels[i];
            return NULL;
        }
        /* an explicit mapping (-P) wins over the default host */
        if (!host || strcmp(host, "host") == 0)
            host = h;
    }
    return host ? host : "host";
}

/* ---- contexts ---- */

static struct val json_val(struct arena *a, const cJSON *j)
{
    return j ? val_from_json(a, j) : val_new_object(a);
}

/* inputs: given values, then the workflow's defaults; checks types as GitHub's dispatch form. */
static int fill_inputs(struct arena *a, struct val inputs, const struct wf *wf,
                       const struct plan_event *ev, struct sbuf *problem)
{
    const struct wf_event *e = wf_find_event(wf, ev->name);
    const cJSON *given = ev->inputs;
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, given)
    {
        struct val v = val_from_json(a, it);
        val_object_set(a, inputs, it->string, strlen(it->string), v);
    }
    if (!e)
        return 0;
    for (size_t i = 0; i < e->ninputs; i++) {
        const struct wf_input *in = &e->inputs[i];
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(given, in->name);
        const char *type = in->type ? in->type : "string";
        if (g && cJSON_IsString(g)) {
            const char *s = g->valuestring;
            if (strcmp(type, "boolean") == 0) {
                if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
                    sbuf_addf(problem, "input '%s' must be true or false, not '%s'", in->name, s);
                    return -1;
                }
                val_object_set(a, inputs, in->name, strlen(in->name),
                               val_bool(strcmp(s, "true") == 0));
            } else if (strcmp(type, "number") == 0) {
                double d = val_parse_number(s, strlen(s));
                if (d != d) {
                    sbuf_addf(problem, "input '%s' must be a number, not '%s'", in->name, s);
                    return -1;
                }
                val_object_set(a, inputs, in->name, strlen(in->name), val_number(d));
            } else if (strcmp(type, "choice") == 0) {
                bool ok = false;
                for (size_t k = 0; k < in->options.n && !ok; k++)
                    ok = strcmp(in->options.items[k], s) == 0;
                if (!ok) {
                    sbuf_addf(problem, "input '%s' must be one of its options, not '%s'", in->name,
                              s);
                    return -1;
                }
            }
            continue;
        }
        if (g)
            continue;
        const struct wf_token *d = in->default_value;
        if (d && d->kind == WF_TOK_BOOL)
            val_object_set(a, inputs, in->name, strlen(in->name), val_bool(d->boolean));
        else if (d && d->kind == WF_TOK_NUMBER)
            val_object_set(a, inputs, in->name, strlen(in->name), val_number(d->number));
        else if (d && d->kind == WF_TOK_STRING)
            val_object_set(a, inputs, in->name, strlen(in->name), val_string(a, d->str, d->len));
        else if (in->required) {
            sbuf_addf(problem, "input '%s' is required (--input %s=VALUE)", in->name, in->name);
            return -1;
        } else if (strcmp(type, "boolean") == 0) {
            val_object_set(a, inputs, in->name, strlen(in->name), val_bool(false));
        } else {
            val_object_set(a, inputs, in->name, strlen(in->name), val_string(a, "", 0));
        }
    }
    return 0;
}

/* ---- labels of a leg ---- */

static void leg_labels(struct arena *a, struct plan_leg *leg, const struct wf_token *runs_on,
                       const struct val *ctx, bool *deferred)
{
    struct vec out = VEC_INIT(const char *);
    struct val v = val_null();
    if (runs_on && runs_on->kind == WF_TOK_MAPPING) {
        const struct wf_token *l = wf_tok_get(runs_on, "labels");
        const struct wf_token *g = wf_tok_get(runs_on, "group");
        runs_on = l ? l : g;
    }
    if (!runs_on) {
        leg->labels = NULL;
        leg->nlabels = 0;
        return;
    }
    /* evaluate with the leg's matrix on top of the workflow contexts */
    struct val c = val_new_object(a);
    for (size_t i = 0; ctx && i < ctx->obj->len; i++)
        val_object_set(a, c, ctx->obj->members[i].key.p, ctx->obj->members[i].key.len,
                       ctx->obj->members[i].value);
    val_object_set(a, c, "matrix", 6, leg->values);
    struct plan_matrix tmp;
    struct err err = ERR_INIT;
    /* reuse the matrix converter for one token: wrap it as {matrix: {x: [token]}} is overkill;
     * evaluate directly */
    (void)tmp;
    if (runs_on->kind == WF_TOK_STRING) {
        v = val_string(a, runs_on->str, runs_on->len);
    } else if (runs_on->kind == WF_TOK_EXPR) {
        const char *names[64];
        size_t n = 0;
        for (size_t i = 0; i < c.obj->len && n < 64; i++)
            names[n++] = c.obj->members[i].key.p;
        struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
        po.contexts = names;
        po.n_contexts = n;
        struct expr *e = NULL;
        struct expr_ctx ec = EXPR_CTX_INIT;
        ec.contexts = &c;
        if (expr_parse(&e, a, runs_on->str, runs_on->len, &po, &err) < 0 ||
            expr_eval(&v, a, e, &ec, &err) < 0) {
            *deferred = true;
            return;
        }
    } else if (runs_on->kind == WF_TOK_SEQUENCE) {
        v = val_new_array(a);
        for (size_t i = 0; i < runs_on->nitems; i++) {
            const struct wf_token *it = runs_on->items[i];
            if (it->kind == WF_TOK_STRING)
                val_array_push(a, v, val_string(a, it->str, it->len));
        }
    }
    if (v.kind == VAL_STRING) {
        const char *s = v.s.p;
        vec_append(&out, &s);
    } else if (v.kind == VAL_ARRAY) {
        for (size_t i = 0; i < v.arr->len; i++) {
            struct sbuf sb = SBUF_INIT;
            val_to_sbuf(&sb, &v.arr->items[i]);
            const char *s = arena_strndup(a, sb.buf, sb.len);
            vec_append(&out, &s);
            sbuf_release(&sb);
        }
    }
    leg->nlabels = out.len;
    leg->labels = out.len ? arena_memdup(a, out.items, sizeof(char *) * out.len) : NULL;
    vec_release(&out);
}

/* ---- jobs ---- */

static bool leg_matches_filter(const struct plan_leg *leg, const struct val *filter)
{
    if (!filter || filter->kind != VAL_OBJECT)
        return true;
    for (size_t i = 0; i < filter->obj->len; i++) {
        const struct val_member *m = &filter->obj->members[i];
        const struct val *v = val_object_find(leg->values.obj, m->key.p, m->key.len);
        if (!v)
            return false;
        struct sbuf a = SBUF_INIT, b = SBUF_INIT;
        val_to_sbuf(&a, v);
        val_to_sbuf(&b, &m->value);
        bool eq = strcmp(a.buf, b.buf) == 0;
        sbuf_release(&a);
        sbuf_release(&b);
        if (!eq)
            return false;
    }
    return true;
}

static size_t job_index(const struct wf *wf, const char *id)
{
    for (size_t i = 0; i < wf->njobs; i++) {
        if (strcmp(wf->jobs[i]->id->str, id) == 0)
            return i;
    }
    return (size_t)-1;
}

/* Marks job i and everything it needs (transitively) as wanted. */
static void want_with_needs(const struct wf *wf, size_t i, bool *wanted)
{
    if (wanted[i])
        return;
    wanted[i] = true;
    for (size_t k = 0; k < wf->jobs[i]->nneeds; k++) {
        size_t j = job_index(wf, wf->jobs[i]->needs[k]->str);
        if (j != (size_t)-1)
            want_with_needs(wf, j, wanted);
    }
}

static void plan_jobs(struct plan *p, struct plan_workflow *pw, const struct plan_opts *opts,
                      const struct val *ctx)
{
    struct arena *a = &p->arena;
    const struct wf *wf = pw->wf;
    size_t n = wf->njobs;
    pw->jobs = arena_alloc(a, sizeof(struct plan_job) * (n + 1));
    bool *wanted = xcalloc(n + 1, sizeof(bool));
    bool *placed = xcalloc(n + 1, sizeof(bool));
    size_t *order_of = xcalloc(n + 1, sizeof(size_t));
    if (opts->job) {
        size_t j = job_index(wf, opts->job);
        if (j != (size_t)-1)
            want_with_needs(wf, j, wanted);
    }
    /* topological order, file order among the ready (Kahn's algorithm, stable) */
    size_t count = 0;
    bool progress = true;
    while (count < n && progress) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            size_t level = 0;
            for (size_t k = 0; k < wf->jobs[i]->nneeds && ready; k++) {
                size_t j = job_index(wf, wf->jobs[i]->needs[k]->str);
                if (j == (size_t)-1)
                    continue;
                if (!placed[j])
                    ready = false;
                else if (pw->jobs[order_of[j]].level + 1 > level)
                    level = pw->jobs[order_of[j]].level + 1;
            }
            if (!ready)
                continue;
            struct plan_job *pj = &pw->jobs[count];
            memset(pj, 0, sizeof(*pj));
            pj->job = wf->jobs[i];
            pj->id = wf->jobs[i]->id->str;
            pj->name =
                wf_tok_is_expr(wf->jobs[i]->name)
                    ? pj->id
                    : (wf->jobs[i]->name->kind == WF_TOK_STRING ? wf->jobs[i]->name->str : pj->id);
            pj->level = level;
            pj->needs = arena_alloc(a, sizeof(size_t) * (wf->jobs[i]->nneeds + 1));
            for (size_t k = 0; k < wf->jobs[i]->nneeds; k++) {
                size_t j = job_index(wf, wf->jobs[i]->needs[k]->str);
                if (j != (size_t)-1)
                    pj->needs[pj->nneeds++] = order_of[j];
            }
            order_of[i] = count;
            placed[i] = true;
            count++;
            progress = true;
        }
    }
    pw->njobs = count;

    for (size_t o = 0; o < count; o++) {
        struct plan_job *pj = &pw->jobs[o];
        size_t i = job_index(wf, pj->id);
        if (opts->job && !wanted[i]) {
            pj->state = PLAN_JOB_SKIP_FILTER;
            pj->why = "not selected by -j";
            continue;
        }
        for (size_t k = 0; k < pj->nneeds; k++) {
            const struct plan_job *need = &pw->jobs[pj->needs[k]];
            if (need->state != PLAN_JOB_RUN) {
                pj->state = PLAN_JOB_SKIP_NEEDS;
                struct sbuf sb = SBUF_INIT;
                sbuf_addf(&sb, "needs '%s', which is skipped", need->id);
                pj->why = arena_strndup(a, sb.buf, sb.len);
                sbuf_release(&sb);
                break;
            }
        }
        if (pj->state != PLAN_JOB_RUN)
            continue;
        if (pj->job->kind == WF_JOB_REUSABLE) {
            pj->matrix.legs = arena_alloc(a, sizeof(struct plan_leg));
            pj->matrix.legs[0].values = val_new_object(a);
            pj->matrix.legs[0].host = "host";
            pj->matrix.nlegs = 1;
            pj->host = "host";
            continue;
        }
        struct err err = ERR_INIT;
        if (plan_matrix_expand(&pj->matrix, a, pj->job->strategy, ctx, &err) < 0) {
            pj->state = PLAN_JOB_INVALID;
            pj->why = arena_strdup(a, err.msg);
            continue;
        }
        bool any = false;
        const char *unmatched = NULL;
        for (size_t l = 0; l < pj->matrix.nlegs; l++) {
            struct plan_leg *leg = &pj->matrix.legs[l];
            if (!leg_matches_filter(leg, opts->matrix_filter)) {
                leg->filtered = true;
                continue;
            }
            bool deferred = false;
            leg_labels(a, leg, pj->job->runs_on, ctx, &deferred);
            if (deferred) {
                leg->host = "host";
                any = true;
                continue;
            }
            leg->host = plan_labels_map(leg->labels, leg->nlabels, opts->labels, opts->nlabels,
                                        &leg->unmatched);
            if (leg->host)
                any = true;
            else
                unmatched = leg->unmatched;
        }
        if (pj->matrix.deferred) {
            any = true;
        }
        if (!any) {
            pj->state = PLAN_JOB_SKIP_LABELS;
            struct sbuf sb = SBUF_INIT;
            if (unmatched)
                sbuf_addf(&sb, "runs-on '%s' has no runner here (map it with -P %s=host)",
                          unmatched, unmatched);
            else
                sbuf_addstr(&sb, "no matrix leg selected");
            pj->why = arena_strndup(a, sb.buf, sb.len);
            sbuf_release(&sb);
            continue;
        }
        if (pj->matrix.nlegs) {
            pj->labels = pj->matrix.legs[0].labels;
            pj->nlabels = pj->matrix.legs[0].nlabels;
            pj->host = pj->matrix.legs[0].host;
        }
    }
    xfree(wanted);
    xfree(placed);
    xfree(order_of);
}

int plan_build(struct plan **out, struct wf *const *wfs, size_t nwfs, const struct plan_event *ev,
               const struct plan_opts *opts, struct err *err)
{
    struct plan_opts none = PLAN_OPTS_INIT;
    if (!opts)
        opts = &none;
    struct plan *p = xcalloc(1, sizeof(*p));
    p->arena = ARENA_INIT;
    p->event = ev;
    p->workflows = arena_alloc(&p->arena, sizeof(struct plan_workflow) * (nwfs + 1));
    for (size_t w = 0; w < nwfs; w++) {
        struct plan_workflow *pw = &p->workflows[p->nworkflows++];
        memset(pw, 0, sizeof(*pw));
        pw->wf = wfs[w];
        pw->path = wfs[w]->path;
        pw->name =
            wfs[w]->name && wfs[w]->name->kind == WF_TOK_STRING ? wfs[w]->name->str : wfs[w]->path;
        struct sbuf why = SBUF_INIT;
        pw->triggered = plan_filter_triggers(wfs[w], ev, &why);
        struct arena *a = &p->arena;
        struct val ctx = val_new_object(a);
        cJSON *gh = plan_event_github_context(ev, pw->name);
        val_object_set(a, ctx, "github", 6, json_val(a, gh));
        cJSON_Delete(gh);
        val_object_set(a, ctx, "vars", 4, json_val(a, opts->vars));
        struct val inputs = val_new_object(a);
        struct sbuf problem = SBUF_INIT;
        if (pw->triggered && fill_inputs(a, inputs, wfs[w], ev, &problem) < 0) {
            pw->triggered = false;
            sbuf_setlen(&why, 0);
            sbuf_addf(&why, "not triggered: %s", problem.buf);
        }
        sbuf_release(&problem);
        val_object_set(a, ctx, "inputs", 6, inputs);
        pw->why = arena_strndup(a, why.buf, why.len);
        sbuf_release(&why);
        if (pw->triggered)
            plan_jobs(p, pw, opts, &ctx);
    }
    *out = p;
    (void)err;
    return 0;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    arena_release(&p->arena);
    xfree(p);
}
