/*
 * The plan as text (`runnel plan`), JSON (`--json`, for tools) and Graphviz (`--dot`).
 */

#include <string.h>

#include "internal.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"

static const char *state_name(enum plan_job_state s)
{
    switch (s) {
    case PLAN_JOB_READY:
        return "run";
    case PLAN_JOB_NO_RUNNER:
    case PLAN_JOB_SKIPPED:
        return "skip";
    case PLAN_JOB_FILTERED:
        return "filtered";
    case PLAN_JOB_DEFERRED:
        return "deferred";
    case PLAN_JOB_INVALID:
        return "invalid";
    }
    return "?";
}

static void short_sha(struct sbuf *out, const char *sha)
{
    sbuf_add(out, sha ? sha : "", sha ? (strlen(sha) < 12 ? strlen(sha) : 12) : 0);
}

static void write_event_text(struct sbuf *out, const struct plan *p)
{
    const struct plan_event *ev = &p->event;
    sbuf_addf(out, "event %s", ev->name);
    if (ev->type)
        sbuf_addf(out, " (%s)", ev->type);
    sbuf_addf(out, " on %s/%s, ref %s, sha ", p->repo.owner, p->repo.name,
              *ev->ref ? ev->ref : "(none)");
    short_sha(out, ev->sha);
    sbuf_addf(out, ", actor %s", ev->actor);
    if (ev->from_file)
        sbuf_addstr(out, ", payload from file");
    sbuf_addch(out, '\n');
    if (*ev->head_ref || *ev->base_ref)
        sbuf_addf(out, "  head %s -> base %s\n", ev->head_ref, ev->base_ref);
    if (ev->changed_known) {
        size_t nfiles = ev->nchanged_files ? ev->nchanged_files : ev->nchanged;
        sbuf_addf(out, "  %zu changed file%s", nfiles, nfiles == 1 ? "" : "s");
        if (ev->diff_base) {
            sbuf_addstr(out, " since ");
            short_sha(out, ev->diff_base);
        } else {
            sbuf_addstr(out, " (from the empty tree)");
        }
        if (nfiles > PLAN_PATHS_MAX_FILES)
            sbuf_addf(out, "; path filters read the first %d", PLAN_PATHS_MAX_FILES);
        sbuf_addch(out, '\n');
    } else if (ev->changed_note) {
        sbuf_addf(out, "  %s\n", ev->changed_note);
    } else if (!strcmp(ev->name, "push") || !strncmp(ev->name, "pull_request", 12)) {
        sbuf_addstr(out, "  changed files unknown: path filters pass\n");
    }
    if (!p->repo.is_git)
        sbuf_addstr(out, "  (not a git repository: placeholder sha and ref)\n");
    else if (p->repo.dirty)
        sbuf_addstr(out, "  (the work tree has uncommitted changes)\n");
    for (size_t i = 0; i < p->warnings.len; i++)
        sbuf_addf(out, "  warning: %s\n", *(const char **)vec_at(&p->warnings, i));
}

static void write_leg_values(struct sbuf *out, const struct val *m)
{
    if (m->kind != VAL_OBJECT)
        return;
    for (size_t i = 0; i < m->obj->len; i++) {
        sbuf_addf(out, "%s%s=", i ? " " : "", m->obj->members[i].key.p);
        if (m->obj->members[i].value.kind == VAL_OBJECT ||
            m->obj->members[i].value.kind == VAL_ARRAY)
            val_to_json_sbuf(out, &m->obj->members[i].value, false);
        else
            val_to_sbuf(out, &m->obj->members[i].value);
    }
}

void plan_write_text(struct sbuf *out, const struct plan *p, bool verbose)
{
    write_event_text(out, p);
    size_t ntrig = 0;
    for (size_t i = 0; i < p->nworkflows; i++) {
        const struct plan_workflow *w = &p->workflows[i];
        sbuf_addch(out, '\n');
        if (w->error) {
            sbuf_addf(out, "%s: invalid\n  %s\n", w->relpath, w->error);
            continue;
        }
        if (w->triggered)
            ntrig++;
        sbuf_addf(out, "%s \"%s\": %s\n  %s\n", w->relpath, w->name,
                  w->triggered ? "triggered" : "not triggered", w->reason);
        if (!w->triggered && !verbose)
            continue;
        size_t step = 0;
        for (size_t oi = 0; oi < w->njobs; oi++) {
            const struct plan_job *j = &w->jobs[w->order[oi]];
            if (!j->reason)
                continue;
            sbuf_addf(out, "  %zu. [%s] %s", ++step, state_name(j->state), j->id);
            if (strcmp(j->name, j->id))
                sbuf_addf(out, " \"%s\"", j->name);
            if (j->nneeds) {
                sbuf_addstr(out, " (needs ");
                for (size_t k = 0; k < j->nneeds; k++)
                    sbuf_addf(out, "%s%s", k ? ", " : "", w->jobs[j->needs[k]].id);
                sbuf_addch(out, ')');
            }
            sbuf_addch(out, '\n');
            if (j->reason && *j->reason)
                sbuf_addf(out, "       %s\n", j->reason);
            if (j->if_expr) {
                sbuf_addstr(out, "       if: ");
                for (const char *c = j->if_expr; *c; c++)
                    sbuf_addch(out, *c == '\n' ? ' ' : *c);
                sbuf_addch(out, '\n');
            }
            if (j->state != PLAN_JOB_READY && j->state != PLAN_JOB_NO_RUNNER &&
                j->state != PLAN_JOB_SKIPPED)
                continue;
            if (j->matrix.fail_fast == false || j->matrix.max_parallel)
                sbuf_addf(out, "       fail-fast %s, max-parallel %ld\n",
                          j->matrix.fail_fast ? "true" : "false", j->matrix.max_parallel);
            for (size_t l = 0; l < j->matrix.nlegs; l++) {
                const struct plan_leg *leg = &j->matrix.legs[l];
                if (!j->matrix.has_matrix && leg->runner)
                    continue;
                struct sbuf name = SBUF_INIT;
                struct arena scratch = ARENA_INIT;
                struct val ctx = plan_contexts(&scratch, p, w, NULL);
                plan_job_display_name(&name, j, leg, &ctx);
                sbuf_addf(out, "       - %s", name.buf);
                if (j->matrix.has_matrix) {
                    sbuf_addf(out, " [%zu/%zu] ", leg->index + 1, j->matrix.total);
                    write_leg_values(out, &leg->matrix);
                }
                if (leg->runner)
                    sbuf_addf(out, " -> %s", leg->runner);
                else
                    sbuf_addf(out, " -> skipped: %s", leg->skip ? leg->skip : "no runner");
                sbuf_addch(out, '\n');
                arena_release(&scratch);
                sbuf_release(&name);
            }
        }
    }
    sbuf_addf(out, "\n%zu of %zu workflow%s triggered", ntrig, p->nworkflows,
              p->nworkflows == 1 ? "" : "s");
    if (p->nerrors)
        sbuf_addf(out, ", %zu invalid", p->nerrors);
    sbuf_addch(out, '\n');
}

/* ---- JSON ---- */

static void jstr(struct sbuf *out, const char *s)
{
    if (!s) {
        sbuf_addstr(out, "null");
        return;
    }
    sbuf_addch(out, '"');
    sbuf_add_json_escaped(out, s, strlen(s));
    sbuf_addch(out, '"');
}

static void jkey(struct sbuf *out, const char *k, bool *first)
{
    if (!*first)
        sbuf_addch(out, ',');
    *first = false;
    jstr(out, k);
    sbuf_addch(out, ':');
}

static void write_job_json(struct sbuf *out, const struct plan *p, const struct plan_workflow *w,
                           const struct plan_job *j)
{
    bool f = true;
    sbuf_addch(out, '{');
    jkey(out, "id", &f);
    jstr(out, j->id);
    jkey(out, "name", &f);
    jstr(out, j->name);
    jkey(out, "state", &f);
    jstr(out, state_name(j->state));
    jkey(out, "reason", &f);
    jstr(out, j->reason);
    jkey(out, "if", &f);
    jstr(out, j->if_expr);
    jkey(out, "level", &f);
    sbuf_addf(out, "%zu", j->level);
    jkey(out, "needs", &f);
    sbuf_addch(out, '[');
    for (size_t k = 0; k < j->nneeds; k++) {
        if (k)
            sbuf_addch(out, ',');
        jstr(out, w->jobs[j->needs[k]].id);
    }
    sbuf_addch(out, ']');
    if (j->state == PLAN_JOB_READY || j->state == PLAN_JOB_NO_RUNNER ||
        j->state == PLAN_JOB_SKIPPED) {
        jkey(out, "strategy", &f);
        bool g = true;
        sbuf_addch(out, '{');
        jkey(out, "matrix", &g);
        sbuf_addstr(out, j->matrix.has_matrix ? "true" : "false");
        jkey(out, "fail-fast", &g);
        sbuf_addstr(out, j->matrix.fail_fast ? "true" : "false");
        jkey(out, "max-parallel", &g);
        sbuf_addf(out, "%ld", j->matrix.max_parallel);
        jkey(out, "job-total", &g);
        sbuf_addf(out, "%zu", j->matrix.total);
        sbuf_addch(out, '}');
        jkey(out, "legs", &f);
        sbuf_addch(out, '[');
        struct arena scratch = ARENA_INIT;
        struct val ctx = plan_contexts(&scratch, p, w, NULL);
        for (size_t l = 0; l < j->matrix.nlegs; l++) {
            const struct plan_leg *leg = &j->matrix.legs[l];
            bool h = true;
            if (l)
                sbuf_addch(out, ',');
            sbuf_addch(out, '{');
            struct sbuf name = SBUF_INIT;
            plan_job_display_name(&name, j, leg, &ctx);
            jkey(out, "name", &h);
            jstr(out, name.buf);
            sbuf_release(&name);
            jkey(out, "job-index", &h);
            sbuf_addf(out, "%zu", leg->index);
            jkey(out, "matrix", &h);
            val_to_json_sbuf(out, &leg->matrix, false);
            jkey(out, "runs-on", &h);
            val_to_json_sbuf(out, &leg->runs_on, false);
            jkey(out, "runner", &h);
            jstr(out, leg->runner);
            jkey(out, "skip", &h);
            jstr(out, leg->skip);
            sbuf_addch(out, '}');
        }
        arena_release(&scratch);
        sbuf_addch(out, ']');
    }
    sbuf_addch(out, '}');
}

void plan_write_json(struct sbuf *out, const struct plan *p)
{
    const struct plan_event *ev = &p->event;
    bool f = true;
    sbuf_addch(out, '{');
    jkey(out, "event", &f);
    {
        bool g = true;
        sbuf_addch(out, '{');
        jkey(out, "name", &g);
        jstr(out, ev->name);
        jkey(out, "type", &g);
        jstr(out, ev->type);
        jkey(out, "ref", &g);
        jstr(out, ev->ref);
        jkey(out, "sha", &g);
        jstr(out, ev->sha);
        jkey(out, "before", &g);
        jstr(out, ev->before);
        jkey(out, "head_ref", &g);
        jstr(out, ev->head_ref);
        jkey(out, "base_ref", &g);
        jstr(out, ev->base_ref);
        jkey(out, "actor", &g);
        jstr(out, ev->actor);
        jkey(out, "changed_files", &g);
        if (!ev->changed_known) {
            sbuf_addstr(out, "null");
        } else {
            sbuf_addch(out, '[');
            for (size_t i = 0; i < ev->nchanged; i++) {
                if (i)
                    sbuf_addch(out, ',');
                jstr(out, ev->changed[i]);
            }
            sbuf_addch(out, ']');
        }
        sbuf_addch(out, '}');
    }
    jkey(out, "repository", &f);
    {
        bool g = true;
        sbuf_addch(out, '{');
        jkey(out, "owner", &g);
        jstr(out, p->repo.owner);
        jkey(out, "name", &g);
        jstr(out, p->repo.name);
        jkey(out, "root", &g);
        jstr(out, p->repo.root);
        jkey(out, "git", &g);
        sbuf_addstr(out, p->repo.is_git ? "true" : "false");
        jkey(out, "dirty", &g);
        sbuf_addstr(out, p->repo.dirty ? "true" : "false");
        sbuf_addch(out, '}');
    }
    jkey(out, "warnings", &f);
    sbuf_addch(out, '[');
    for (size_t i = 0; i < p->warnings.len; i++) {
        if (i)
            sbuf_addch(out, ',');
        jstr(out, *(const char **)vec_at(&p->warnings, i));
    }
    sbuf_addch(out, ']');
    jkey(out, "workflows", &f);
    sbuf_addch(out, '[');
    for (size_t i = 0; i < p->nworkflows; i++) {
        const struct plan_workflow *w = &p->workflows[i];
        bool g = true;
        if (i)
            sbuf_addch(out, ',');
        sbuf_addch(out, '{');
        jkey(out, "path", &g);
        jstr(out, w->relpath);
        jkey(out, "name", &g);
        jstr(out, w->name);
        jkey(out, "triggered", &g);
        sbuf_addstr(out, w->triggered ? "true" : "false");
        jkey(out, "reason", &g);
        jstr(out, w->reason);
        jkey(out, "error", &g);
        jstr(out, w->error);
        jkey(out, "inputs", &g);
        val_to_json_sbuf(out, &w->inputs, false);
        jkey(out, "jobs", &g);
        sbuf_addch(out, '[');
        bool any = false;
        for (size_t oi = 0; w->wf && oi < w->njobs; oi++) {
            const struct plan_job *j = &w->jobs[w->order[oi]];
            if (any)
                sbuf_addch(out, ',');
            any = true;
            write_job_json(out, p, w, j);
        }
        sbuf_addstr(out, "]}");
    }
    sbuf_addstr(out, "]}\n");
}

/* ---- Graphviz ---- */

static void dot_id(struct sbuf *out, const struct plan_workflow *w, const char *job)
{
    sbuf_addch(out, '"');
    sbuf_add_json_escaped(out, w->relpath, strlen(w->relpath));
    sbuf_addch(out, ':');
    sbuf_add_json_escaped(out, job, strlen(job));
    sbuf_addch(out, '"');
}

void plan_write_dot(struct sbuf *out, const struct plan *p)
{
    sbuf_addstr(out, "digraph plan {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for (size_t i = 0; i < p->nworkflows; i++) {
        const struct plan_workflow *w = &p->workflows[i];
        if (!w->wf || !w->triggered)
            continue;
        sbuf_addf(out, "  subgraph cluster_%zu {\n    label=\"", i);
        sbuf_add_json_escaped(out, w->name, strlen(w->name));
        sbuf_addstr(out, "\";\n");
        for (size_t oi = 0; oi < w->njobs; oi++) {
            const struct plan_job *j = &w->jobs[w->order[oi]];
            sbuf_addstr(out, "    ");
            dot_id(out, w, j->id);
            sbuf_addstr(out, " [label=\"");
            sbuf_add_json_escaped(out, j->id, strlen(j->id));
            if (j->matrix.has_matrix)
                sbuf_addf(out, "\\n%zu legs", j->matrix.nlegs);
            else if (j->state == PLAN_JOB_DEFERRED)
                sbuf_addstr(out, "\\nmatrix at run time");
            sbuf_addch(out, '"');
            if (j->state != PLAN_JOB_READY && j->state != PLAN_JOB_DEFERRED)
                sbuf_addf(out,
                          ", style=\"rounded,dashed\", color=gray, fontcolor=gray, "
                          "tooltip=\"%s\"",
                          state_name(j->state));
            sbuf_addstr(out, "];\n");
        }
        for (size_t oi = 0; oi < w->njobs; oi++) {
            const struct plan_job *j = &w->jobs[w->order[oi]];
            for (size_t k = 0; k < j->nneeds; k++) {
                sbuf_addstr(out, "    ");
                dot_id(out, w, w->jobs[j->needs[k]].id);
                sbuf_addstr(out, " -> ");
                dot_id(out, w, j->id);
                sbuf_addstr(out, ";\n");
            }
        }
        sbuf_addstr(out, "  }\n");
    }
    sbuf_addstr(out, "}\n");
}

void plan_write_contexts(struct sbuf *out, struct plan *p)
{
    sbuf_addstr(out, "[");
    bool first = true;
    for (size_t i = 0; i < p->nworkflows; i++) {
        struct plan_workflow *w = &p->workflows[i];
        if (!w->wf || !w->triggered)
            continue;
        struct arena scratch = ARENA_INIT;
        struct val g = val_new_object(&scratch);
        for (size_t k = 0; k < w->github.obj->len; k++) {
            const struct val_member *m = &w->github.obj->members[k];
            struct val v = m->value;
            if (str_eqi_cstr(m->key, "token") && v.kind == VAL_STRING && v.s.len)
                v = val_string_borrowed("***", 3);
            val_object_set(&scratch, g, m->key.p, m->key.len, v);
        }
        struct val env = val_new_object(&scratch);
        struct vec kv = VEC_INIT(struct plan_kv);
        plan_default_env(&kv, p, w, NULL);
        for (size_t k = 0; k < kv.len; k++) {
            const struct plan_kv *e = vec_at(&kv, k);
            val_object_set(&scratch, env, e->name, strlen(e->name),
                           val_string_borrowed(e->value, strlen(e->value)));
        }
        vec_release(&kv);
        struct val o = val_new_object(&scratch);
        val_object_set(&scratch, o, "path", 4, val_string_borrowed(w->relpath, strlen(w->relpath)));
        val_object_set(&scratch, o, "github", 6, g);
        val_object_set(&scratch, o, "inputs", 6, w->inputs);
        val_object_set(&scratch, o, "env", 3, env);
        sbuf_addstr(out, first ? "\n" : ",\n");
        first = false;
        val_to_json_sbuf(out, &o, true);
        arena_release(&scratch);
    }
    sbuf_addstr(out, "\n]\n");
}
