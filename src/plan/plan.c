/*
 * plan_build: repository facts -> event -> workflows -> triggers -> job graphs -> matrices.
 *
 * Choices where GitHub is silent for local runs (docs/cli.md repeats them):
 *  - -W DIR reads the .yml and .yaml files in DIR, not subdirectories (GitHub reads
 * .github/workflows only);
 *  - -j ID keeps the job and the jobs it needs, transitively (act's PlanJob does the same);
 *  - a workflow that fails to load is listed with its message; the commands exit 2.
 */

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "internal.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define PLAN_MAX_WORKFLOW (16u << 20)

static const struct plan_kv default_platforms[] = {
    {"ubuntu-*", "host"},
    {"self-hosted", "host"},
    {"linux", "host"},
    {"x64", "host"},
};

static const char *adup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static const char *afmt(struct arena *a, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *afmt(struct arena *a, const char *f, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, f);
    sbuf_vaddf(&sb, f, ap);
    va_end(ap);
    const char *s = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return s;
}

static struct plan_kv *copy_kv(struct arena *a, const struct plan_kv *kv, size_t n)
{
    struct plan_kv *out = arena_alloc(a, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        out[i].name = adup(a, kv[i].name);
        out[i].value = adup(a, kv[i].value ? kv[i].value : "");
    }
    return out;
}

static struct val kv_object(struct arena *a, const struct plan_kv *kv, size_t n)
{
    struct val o = val_new_object(a);
    for (size_t i = 0; i < n; i++)
        val_object_set(a, o, kv[i].name, strlen(kv[i].name),
                       val_string(a, kv[i].value, strlen(kv[i].value)));
    return o;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The workflow files: a file as given, or a directory's *.yml and *.yaml sorted by name. */
static int find_files(struct vec *out, struct arena *a, const char *where, struct err *err)
{
    if (fs_is_file(where)) {
        const char *s = arena_strdup(a, where);
        vec_append(out, &s);
        return 0;
    }
    DIR *d = opendir(where);
    if (!d)
        return err_errno(err, "%s", where);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (!str_has_suffix(de->d_name, ".yml") && !str_has_suffix(de->d_name, ".yaml"))
            continue;
        struct sbuf p = SBUF_INIT;
        path_join(&p, where, de->d_name);
        if (fs_is_file(p.buf)) {
            const char *s = arena_strndup(a, p.buf, p.len);
            vec_append(out, &s);
        }
        sbuf_release(&p);
    }
    closedir(d);
    vec_sort(out, cmp_str);
    if (!out->len)
        return err_set(err, ERR_NOTFOUND, "%s: no workflow files (*.yml, *.yaml)", where);
    return 0;
}

/* Reusable workflows named by `uses: ./path` are read relative to the repository root. */
struct reader {
    const char *root;
    struct arena *a;
};

static const char *read_reusable(const char *ref, void *payload)
{
    struct reader *r = payload;
    if (!str_has_prefix(ref, "./"))
        return NULL;
    struct sbuf path = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    const char *out = NULL;
    path_join(&path, r->root, ref + 2);
    struct err e = ERR_INIT;
    if (sbuf_read_file(&text, path.buf, PLAN_MAX_WORKFLOW, &e) == 0)
        out = arena_strndup(r->a, text.buf, text.len);
    sbuf_release(&path);
    sbuf_release(&text);
    return out;
}

static const char *relative_to(struct arena *a, const char *root, const char *path)
{
    char *abs = realpath(path, NULL);
    const char *res = path;
    if (abs) {
        size_t rl = strlen(root);
        if (!strncmp(abs, root, rl) && abs[rl] == '/')
            res = arena_strdup(a, abs + rl + 1);
        else
            res = arena_strdup(a, abs);
        xfree(abs); /* realpath() allocates with malloc */
    }
    return res;
}

struct val plan_contexts(struct arena *a, const struct plan *p, const struct plan_workflow *w,
                         const struct val *needs)
{
    struct val o = val_new_object(a);
    val_object_set(a, o, "github", 6, w->github);
    val_object_set(a, o, "inputs", 6, w->inputs);
    val_object_set(a, o, "vars", 4, p->vars);
    if (needs && needs->kind == VAL_OBJECT)
        val_object_set(a, o, "needs", 5, *needs);
    return o;
}

static void gset(struct arena *a, struct val o, const char *k, const char *v)
{
    plan_obj_str(a, o, k, v);
}

static const char *num_str(struct arena *a, long n)
{
    return afmt(a, "%ld", n);
}

static void github_build(struct plan *p, struct plan_workflow *w, const struct val *event_inputs)
{
    struct arena *a = &p->arena;
    const struct plan_event *ev = &p->event;
    const char *full = afmt(a, "%s/%s", p->repo.owner, p->repo.name);
    struct val payload = ev->payload;
    if (event_inputs->kind == VAL_OBJECT || !strcmp(ev->name, "schedule")) {
        /* a per-workflow copy: workflow_dispatch inputs with defaults, schedule's cron */
        struct val copy = val_new_object(a);
        for (size_t i = 0; payload.kind == VAL_OBJECT && i < payload.obj->len; i++)
            val_object_set(a, copy, payload.obj->members[i].key.p, payload.obj->members[i].key.len,
                           payload.obj->members[i].value);
        if (event_inputs->kind == VAL_OBJECT)
            val_object_set(a, copy, "inputs", 6, *event_inputs);
        if (!strcmp(ev->name, "schedule") && w->wf && w->wf->on &&
            w->wf->on->kind == WF_TOK_MAPPING) {
            const struct wf_token *s = wf_tok_get(w->wf->on, "schedule");
            if (s && s->kind == WF_TOK_SEQUENCE && s->nitems &&
                s->items[0]->kind == WF_TOK_MAPPING) {
                const struct wf_token *c = wf_tok_get(s->items[0], "cron");
                if (c && c->kind == WF_TOK_STRING)
                    gset(a, copy, "schedule", c->str);
            }
        }
        payload = copy;
    }
    const struct val *tok = val_object_find(p->secrets.obj, "GITHUB_TOKEN", 12);
    struct val g = val_new_object(a);
    val_object_set(a, g, "event", 5, payload);
    gset(a, g, "event_name", ev->name);
    gset(a, g, "actor", ev->actor);
    gset(a, g, "triggering_actor", ev->actor);
    gset(a, g, "repository", full);
    gset(a, g, "repository_owner", p->repo.owner);
    gset(a, g, "repositoryUrl", afmt(a, "git://github.com/%s.git", full));
    gset(a, g, "ref", ev->ref);
    gset(a, g, "ref_name", ev->ref_name);
    gset(a, g, "ref_type", ev->ref_type);
    val_object_set(a, g, "ref_protected", 13, val_bool(false));
    gset(a, g, "sha", ev->sha);
    gset(a, g, "head_ref", ev->head_ref);
    gset(a, g, "base_ref", ev->base_ref);
    gset(a, g, "workflow", w->name);
    gset(a, g, "workflow_ref", afmt(a, "%s/%s@%s", full, w->relpath, ev->ref));
    gset(a, g, "workflow_sha", ev->sha);
    gset(a, g, "run_id", num_str(a, p->run_id));
    gset(a, g, "run_number", num_str(a, p->run_number));
    gset(a, g, "run_attempt", num_str(a, p->run_attempt));
    gset(a, g, "retention_days", "90");
    gset(a, g, "server_url", "https://github.com");
    gset(a, g, "api_url", "https://api.github.com");
    gset(a, g, "graphql_url", "https://api.github.com/graphql");
    gset(a, g, "secret_source", "Actions");
    gset(a, g, "job", "");
    gset(a, g, "action", "");
    gset(a, g, "token", tok && tok->kind == VAL_STRING ? tok->s.p : "");
    w->github = g;
}

static void add_env(struct vec *out, struct arena *a, const char *name, const char *value)
{
    struct plan_kv *kv = vec_push(out);
    kv->name = name;
    kv->value = arena_strdup(a, value ? value : "");
}

static const char *runner_arch(void)
{
    struct utsname u;
    if (uname(&u) == 0) {
        if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64"))
            return "ARM64";
        if (!strncmp(u.machine, "arm", 3))
            return "ARM";
        if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
            return "X86";
    }
    return "X64";
}

void plan_default_env(struct vec *out, struct plan *p, const struct plan_workflow *w,
                      const char *job_id)
{
    struct arena *a = &p->arena;
    const struct plan_event *ev = &p->event;
    const char *full = afmt(a, "%s/%s", p->repo.owner, p->repo.name);
    add_env(out, a, "CI", "true");
    add_env(out, a, "GITHUB_ACTIONS", "true");
    add_env(out, a, "ACT", "true");
    add_env(out, a, "RUNNEL", "true");
    add_env(out, a, "GITHUB_ACTOR", ev->actor);
    add_env(out, a, "GITHUB_TRIGGERING_ACTOR", ev->actor);
    add_env(out, a, "GITHUB_REPOSITORY", full);
    add_env(out, a, "GITHUB_REPOSITORY_OWNER", p->repo.owner);
    add_env(out, a, "GITHUB_EVENT_NAME", ev->name);
    add_env(out, a, "GITHUB_SHA", ev->sha);
    add_env(out, a, "GITHUB_REF", ev->ref);
    add_env(out, a, "GITHUB_REF_NAME", ev->ref_name);
    add_env(out, a, "GITHUB_REF_TYPE", ev->ref_type);
    add_env(out, a, "GITHUB_REF_PROTECTED", "false");
    add_env(out, a, "GITHUB_HEAD_REF", ev->head_ref);
    add_env(out, a, "GITHUB_BASE_REF", ev->base_ref);
    add_env(out, a, "GITHUB_WORKFLOW", w ? w->name : "");
    add_env(out, a, "GITHUB_WORKFLOW_REF", w ? afmt(a, "%s/%s@%s", full, w->relpath, ev->ref) : "");
    add_env(out, a, "GITHUB_WORKFLOW_SHA", ev->sha);
    add_env(out, a, "GITHUB_JOB", job_id ? job_id : "");
    add_env(out, a, "GITHUB_RUN_ID", num_str(a, p->run_id));
    add_env(out, a, "GITHUB_RUN_NUMBER", num_str(a, p->run_number));
    add_env(out, a, "GITHUB_RUN_ATTEMPT", num_str(a, p->run_attempt));
    add_env(out, a, "GITHUB_RETENTION_DAYS", "90");
    add_env(out, a, "GITHUB_SERVER_URL", "https://github.com");
    add_env(out, a, "GITHUB_API_URL", "https://api.github.com");
    add_env(out, a, "GITHUB_GRAPHQL_URL", "https://api.github.com/graphql");
    add_env(out, a, "RUNNER_OS", "Linux");
    add_env(out, a, "RUNNER_ARCH", runner_arch());
    add_env(out, a, "RUNNER_NAME", "runnel");
    add_env(out, a, "RUNNER_ENVIRONMENT", "self-hosted");
}

void plan_job_display_name(struct sbuf *out, const struct plan_job *j, const struct plan_leg *leg,
                           const struct val *contexts)
{
    const struct wf_token *nt = j->job ? j->job->name : NULL;
    if (nt && (nt->kind == WF_TOK_EXPR)) {
        struct arena scratch = ARENA_INIT;
        struct val ctx = val_new_object(&scratch);
        if (contexts && contexts->kind == VAL_OBJECT) {
            for (size_t i = 0; i < contexts->obj->len; i++)
                val_object_set(&scratch, ctx, contexts->obj->members[i].key.p,
                               contexts->obj->members[i].key.len, contexts->obj->members[i].value);
        }
        if (leg)
            val_object_set(&scratch, ctx, "matrix", 6, leg->matrix);
        struct expr_ctx ec = EXPR_CTX_INIT;
        ec.contexts = &ctx;
        struct val v;
        struct err e = ERR_INIT;
        if (plan_eval_token(&v, &scratch, nt, &ec, &e) == 0) {
            val_to_sbuf(out, &v);
            arena_release(&scratch);
            return;
        }
        arena_release(&scratch);
    }
    sbuf_addstr(out, j->name);
    if (leg && leg->suffix && *leg->suffix)
        sbuf_addf(out, " %s", leg->suffix);
}

/* ---- the job graph ---- */

static void graph_build(struct plan *p, struct plan_workflow *w)
{
    struct arena *a = &p->arena;
    const struct wf *wf = w->wf;
    w->njobs = wf->njobs;
    w->jobs = arena_alloc(a, (wf->njobs ? wf->njobs : 1) * sizeof(struct plan_job));
    for (size_t i = 0; i < wf->njobs; i++) {
        struct plan_job *j = &w->jobs[i];
        struct wf_job *job = wf->jobs[i];
        j->job = job;
        j->id = job->id && job->id->str ? job->id->str : "";
        j->name = job->name && job->name->kind == WF_TOK_STRING ? job->name->str : j->id;
        if (job->name && job->name->kind == WF_TOK_EXPR)
            j->name = j->id;
        j->if_expr = job->if_token ? job->if_expr : NULL;
        j->needs = arena_alloc(a, (job->nneeds ? job->nneeds : 1) * sizeof(size_t));
        for (size_t k = 0; k < job->nneeds; k++) {
            const struct wf_job *need = wf_find_job(wf, job->needs[k]->str);
            for (size_t m = 0; need && m < wf->njobs; m++) {
                if (wf->jobs[m] == need) {
                    j->needs[j->nneeds++] = m;
                    break;
                }
            }
        }
    }
    /* Kahn's algorithm, peers in file order; the loader rejects cycles, so every job is placed */
    w->order = arena_alloc(a, (w->njobs ? w->njobs : 1) * sizeof(size_t));
    bool *placed = xcalloc(w->njobs ? w->njobs : 1, sizeof(bool));
    size_t n = 0;
    while (n < w->njobs) {
        bool progress = false;
        for (size_t i = 0; i < w->njobs; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            size_t level = 0;
            for (size_t k = 0; k < w->jobs[i].nneeds; k++) {
                size_t d = w->jobs[i].needs[k];
                if (!placed[d])
                    ready = false;
                else if (w->jobs[d].level + 1 > level)
                    level = w->jobs[d].level + 1;
            }
            if (!ready)
                continue;
            /* place only jobs whose needs were placed in earlier rounds would give stages;
             * GitHub has none, so a job is placed as soon as its needs are */
            w->jobs[i].level = level;
            placed[i] = true;
            w->order[n++] = i;
            progress = true;
        }
        if (!progress) {
            /* a cycle slipped through: append the rest in file order */
            for (size_t i = 0; i < w->njobs; i++) {
                if (!placed[i]) {
                    placed[i] = true;
                    w->order[n++] = i;
                }
            }
        }
    }
    xfree(placed);
}

static void mark_selected(struct plan_workflow *w, size_t i, bool *sel)
{
    if (sel[i])
        return;
    sel[i] = true;
    for (size_t k = 0; k < w->jobs[i].nneeds; k++)
        mark_selected(w, w->jobs[i].needs[k], sel);
}

static void needs_list(struct sbuf *sb, const struct plan_workflow *w, const struct plan_job *j)
{
    for (size_t k = 0; k < j->nneeds; k++)
        sbuf_addf(sb, "%s%s", k ? ", " : "", w->jobs[j->needs[k]].id);
}

/* ---- job if: known at plan time when it reads only github, inputs and vars ---- */

/*
 * What plan knows of a job's result when it is done: nothing (it runs, its if: and steps
 * decide), skipped (a job skipped without running: no runner, a false if:, not selected), or
 * failed (a strategy or runs-on that cannot be evaluated fails it).
 */
enum outcome { OUTCOME_UNKNOWN, OUTCOME_SKIPPED, OUTCOME_FAILED };

static enum outcome known_outcome(const struct plan_job *j)
{
    switch (j->state) {
    case PLAN_JOB_NO_RUNNER:
    case PLAN_JOB_SKIPPED:
    case PLAN_JOB_FILTERED:
        return OUTCOME_SKIPPED;
    case PLAN_JOB_INVALID:
        return OUTCOME_FAILED;
    case PLAN_JOB_READY:
    case PLAN_JOB_DEFERRED:
        break;
    }
    return OUTCOME_UNKNOWN;
}

/* The condition reads only github, inputs and vars (and the status functions). */
static bool if_reads_plan_contexts(const struct expr *e)
{
    if (!e)
        return true;
    if (e->kind == EXPR_CONTEXT && !str_eqi_cstr(e->name, "github") &&
        !str_eqi_cstr(e->name, "inputs") && !str_eqi_cstr(e->name, "vars"))
        return false;
    if (e->kind == EXPR_CALL && e->func == EXPR_FN_HASH_FILES)
        return false;
    for (size_t i = 0; i < e->n_args; i++) {
        if (!if_reads_plan_contexts(e->args[i]))
            return false;
    }
    return true;
}

/* ... and calls neither failure() nor cancelled(): "true for this event" means something. */
static bool if_static(const struct expr *e)
{
    if (!e)
        return true;
    if (e->kind == EXPR_CALL && (e->func == EXPR_FN_FAILURE || e->func == EXPR_FN_CANCELLED))
        return false;
    for (size_t i = 0; i < e->n_args; i++) {
        if (!if_static(e->args[i]))
            return false;
    }
    return if_reads_plan_contexts(e);
}

#define VERDICT_MAX_UNKNOWNS 8

/*
 * The status functions of a job's if: at plan time, as the executor computes them (run/eval.c,
 * over every ancestor: success() when all succeeded and the run is not cancelled, failure()
 * when one failed, cancelled() when the run was cancelled, always() true). What plan knows
 * decides a call (success() is false once an ancestor is known skipped or failed); the others
 * are unknowns, each distinct call (function and arguments) one bit of `mask`, or in
 * `optimistic` mode what a run where every job succeeds gives.
 */
struct verdict {
    const struct plan_workflow *w;
    const bool *ancestor;      /* per job of w */
    const enum outcome *known; /* per job of w */
    struct sbuf keys[VERDICT_MAX_UNKNOWNS];
    size_t nkeys;
    bool overflow;   /* more unknowns than VERDICT_MAX_UNKNOWNS: not decided */
    bool touched;    /* the evaluation read a context known only at run time (needs, ...) */
    bool optimistic; /* every unknown job succeeds, nothing is cancelled */
    unsigned mask;
};

static bool verdict_status(enum expr_func fn, const struct val *args, size_t n_args, void *payload)
{
    struct verdict *v = payload;
    if (fn == EXPR_FN_ALWAYS)
        return true;
    bool any_failed = false, any_skipped = false, any_unknown = false;
    for (size_t i = 0; i < v->w->njobs; i++) {
        if (!v->ancestor[i] || !expr_status_names_job(args, n_args, v->w->jobs[i].id))
            continue;
        any_failed |= v->known[i] == OUTCOME_FAILED;
        any_skipped |= v->known[i] == OUTCOME_SKIPPED;
        any_unknown |= v->known[i] == OUTCOME_UNKNOWN;
    }
    if (fn == EXPR_FN_SUCCESS && (any_failed || any_skipped))
        return false;
    if (fn == EXPR_FN_FAILURE && (any_failed || !any_unknown))
        return any_failed;
    if (v->optimistic)
        return fn == EXPR_FN_SUCCESS;
    struct sbuf key = SBUF_INIT;
    sbuf_addf(&key, "%d", (int)fn);
    for (size_t i = 0; i < n_args; i++) {
        sbuf_addch(&key, '\x1f');
        val_to_sbuf(&key, &args[i]);
    }
    size_t k = 0;
    while (k < v->nkeys && strcmp(v->keys[k].buf, key.buf))
        k++;
    if (k == v->nkeys) {
        if (v->nkeys == VERDICT_MAX_UNKNOWNS) {
            v->overflow = true;
            sbuf_release(&key);
            return false;
        }
        v->keys[v->nkeys++] = key;
        key = SBUF_INIT;
    }
    sbuf_release(&key);
    return (v->mask >> k) & 1u;
}

/* Contexts plan does not have (needs): read as null, and the evaluation proves nothing. */
static bool verdict_lookup(struct val *out, const char *name, size_t len, void *payload)
{
    struct verdict *v = payload;
    (void)name;
    (void)len;
    v->touched = true;
    *out = val_null();
    return true;
}

static void mark_ancestors(const struct plan_workflow *w, size_t i, bool *seen)
{
    for (size_t k = 0; k < w->jobs[i].nneeds; k++) {
        size_t d = w->jobs[i].needs[k];
        if (!seen[d]) {
            seen[d] = true;
            mark_ancestors(w, d, seen);
        }
    }
}

/* What plan can say of a job's if: (the default success() when it has none). */
enum if_verdict {
    IF_UNDECIDED, /* cannot be evaluated here, or too many unknowns */
    IF_FALSE,     /* false whatever the jobs before it do: GitHub skips the job */
    IF_TRUE,      /* true when every job before it succeeds (if_static conditions only) */
    IF_RUN_TIME,  /* depends on how the jobs before it end */
};

static enum if_verdict if_decide(const struct plan_workflow *w, size_t ji,
                                 const enum outcome *known, const struct val *ctxv)
{
    const struct plan_job *j = &w->jobs[ji];
    const char *cond = j->if_expr ? j->if_expr : "success()";
    struct arena scratch = ARENA_INIT;
    struct expr *e = NULL;
    struct err err = ERR_INIT;
    enum if_verdict res = IF_UNDECIDED;
    bool *ancestor = xcalloc(w->njobs ? w->njobs : 1, sizeof(bool));
    struct verdict v = {.w = w, .ancestor = ancestor, .known = known};
    if (plan_expr_parse(&e, &scratch, cond, strlen(cond), true, &err))
        goto done;
    mark_ancestors(w, ji, ancestor);
    struct expr_ctx ec = EXPR_CTX_INIT;
    ec.contexts = ctxv;
    ec.lookup = verdict_lookup;
    ec.status_fn = verdict_status;
    ec.payload = &v;
    /* every assignment of the unknowns, the ones found while evaluating included: an
     * evaluation that did not reach an unknown holds for both of its values; one that read a
     * run-time context (success() && needs.a.result == 'x' once success() is true) may be
     * true */
    bool any_true = false;
    for (v.mask = 0; !any_true && !v.overflow && v.mask < (1u << v.nkeys); v.mask++) {
        struct val r;
        if (expr_eval(&r, &scratch, e, &ec, &err))
            goto done;
        any_true = val_is_truthy(&r) || v.touched;
    }
    if (v.overflow)
        goto done;
    if (!any_true) {
        res = IF_FALSE;
        goto done;
    }
    v.optimistic = true;
    v.touched = false;
    struct val r;
    if (expr_eval(&r, &scratch, e, &ec, &err))
        goto done;
    res = if_static(e) && !v.touched && val_is_truthy(&r) ? IF_TRUE : IF_RUN_TIME;
done:
    for (size_t k = 0; k < v.nkeys; k++)
        sbuf_release(&v.keys[k]);
    xfree(ancestor);
    arena_release(&scratch);
    return res;
}

/*
 * The first job the given one needs, directly or through others, that plan knows will not
 * succeed, or NULL; *via is the direct need it comes through (the job itself when direct).
 */
static const struct plan_job *need_not_succeeding(const struct plan_workflow *w, size_t ji,
                                                  const enum outcome *known,
                                                  const struct plan_job **via)
{
    const struct plan_job *j = &w->jobs[ji];
    for (size_t k = 0; k < j->nneeds; k++) {
        if (known[j->needs[k]] != OUTCOME_UNKNOWN) {
            *via = &w->jobs[j->needs[k]];
            return *via;
        }
    }
    for (size_t k = 0; k < j->nneeds; k++) {
        const struct plan_job *ignored = NULL;
        const struct plan_job *d = need_not_succeeding(w, j->needs[k], known, &ignored);
        if (d) {
            *via = &w->jobs[j->needs[k]];
            return d;
        }
    }
    return NULL;
}

/* "needs 'a', which is skipped" or "needs 'c', after 'a', which is skipped" */
static void need_text(struct sbuf *why, const struct plan_workflow *w, const struct plan_job *d,
                      const struct plan_job *via, const enum outcome *known)
{
    const char *what = known[d - w->jobs] == OUTCOME_FAILED ? "fails" : "is skipped";
    if (via == d)
        sbuf_addf(why, "needs '%s', which %s", d->id, what);
    else
        sbuf_addf(why, "needs '%s', after '%s', which %s", via->id, d->id, what);
}

/*
 * A job's if: at plan time (GitHub: a job whose need failed or was skipped is skipped unless its
 * if: says otherwise, and the if: is evaluated before the matrix): SKIPPED when it is false
 * whatever the jobs before it do, given what plan knows of them; otherwise a note.
 */
static void decide_if(struct plan_workflow *w, size_t ji, const enum outcome *known,
                      const struct val *ctxv, struct sbuf *why)
{
    struct plan_job *j = &w->jobs[ji];
    const struct plan_job *via = NULL;
    const struct plan_job *d = need_not_succeeding(w, ji, known, &via);
    enum if_verdict v = if_decide(w, ji, known, ctxv);
    if (v == IF_FALSE) {
        j->state = PLAN_JOB_SKIPPED;
        if (d) {
            sbuf_addstr(why, "; skipped: ");
            need_text(why, w, d, via, known);
            sbuf_addstr(why, ", and its if: does not run it then");
        } else {
            sbuf_addstr(why, "; if: false for this event, skipped");
        }
        return;
    }
    if (j->if_expr)
        sbuf_addstr(why, v == IF_TRUE ? "; if: true for this event" : "; if: decided at run time");
    if (d) {
        sbuf_addstr(why, "; ");
        need_text(why, w, d, via, known);
    }
}

static void jobs_plan(struct plan *p, struct plan_workflow *w, const struct plan_opts *o)
{
    struct arena *a = &p->arena;
    bool *sel = NULL;
    if (o->job) {
        sel = xcalloc(w->njobs ? w->njobs : 1, sizeof(bool));
        for (size_t i = 0; i < w->njobs; i++) {
            if (!str_casecmp(w->jobs[i].id, o->job))
                mark_selected(w, i, sel);
        }
    }
    struct val ctxv = plan_contexts(a, p, w, NULL);
    /* what is known of each job's result, filled in topological order */
    enum outcome *known = xcalloc(w->njobs ? w->njobs : 1, sizeof(*known));
    for (size_t oi = 0; oi < w->njobs; oi++) {
        size_t i = w->order[oi];
        struct plan_job *j = &w->jobs[i];
        struct sbuf why = SBUF_INIT;
        if (sel && !sel[i]) {
            j->state = PLAN_JOB_FILTERED;
            sbuf_addf(&why, "not selected by -j %s", o->job);
            goto next;
        }
        if (plan_matrix_needs_needs(j->job)) {
            j->state = PLAN_JOB_DEFERRED;
            sbuf_addstr(&why, "strategy or runs-on reads needs: expanded when ");
            needs_list(&why, w, j);
            sbuf_addstr(&why, j->nneeds > 1 ? " finish" : " finishes");
            goto next;
        }
        struct plan_matrix_opts mo = {
            .contexts = &ctxv,
            .filter = p->matrix_filter,
            .nfilter = p->nmatrix_filter,
            .plan = p,
        };
        struct err e = ERR_INIT;
        if (plan_matrix_expand(&j->matrix, a, j->job, &mo, &e)) {
            j->state = PLAN_JOB_INVALID;
            if (e.msg[0] == '(')
                sbuf_addf(&why, "%s %s", w->relpath, e.msg);
            else
                sbuf_addstr(&why, e.msg);
            goto next;
        }
        size_t runnable = 0;
        const char *first_skip = NULL;
        for (size_t l = 0; l < j->matrix.nlegs; l++) {
            if (j->matrix.legs[l].runner)
                runnable++;
            else if (!first_skip)
                first_skip = j->matrix.legs[l].skip;
        }
        if (j->matrix.nlegs == 0) {
            j->state = PLAN_JOB_FILTERED;
            sbuf_addstr(&why, j->matrix.total ? "--matrix keeps none of its legs"
                                              : "the matrix has no combinations");
            goto next;
        }
        if (runnable == 0) {
            j->state = PLAN_JOB_NO_RUNNER;
            sbuf_addf(&why, "skipped: %s", first_skip ? first_skip : "no runner");
            goto next;
        }
        j->state = PLAN_JOB_READY;
        if (j->job->kind == WF_JOB_REUSABLE && j->job->uses && j->job->uses->str)
            sbuf_addf(&why, "calls %s", j->job->uses->str);
        else if (j->nneeds)
            sbuf_addstr(&why, "starts when ");
        else
            sbuf_addstr(&why, "starts at once");
        if (j->nneeds) {
            if (j->job->kind == WF_JOB_REUSABLE)
                sbuf_addstr(&why, " when ");
            needs_list(&why, w, j);
            sbuf_addstr(&why, j->nneeds > 1 ? " finish" : " finishes");
        }
        if (j->matrix.has_matrix)
            sbuf_addf(&why, "; %zu of %zu matrix legs", j->matrix.nlegs, j->matrix.total);
        if (runnable < j->matrix.nlegs)
            sbuf_addf(&why, ", %zu without a runner", j->matrix.nlegs - runnable);
        decide_if(w, i, known, &ctxv, &why);
next:
        known[i] = known_outcome(j);
        j->reason = arena_strndup(a, why.buf, why.len);
        sbuf_release(&why);
    }
    xfree(known);
    xfree(sel);
}

static bool has_job(const struct plan_workflow *w, const char *id)
{
    for (size_t i = 0; i < w->njobs; i++) {
        if (!str_casecmp(w->jobs[i].id, id))
            return true;
    }
    return false;
}

/* The names of the events a workflow's on: lists, in order (borrowed token strings). */
static void on_events(const struct wf *wf, struct vec *out)
{
    const struct wf_token *on = wf ? wf->on : NULL;
    if (!on)
        return;
    if (on->kind == WF_TOK_STRING) {
        vec_append(out, &on->str);
    } else if (on->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < on->nitems; i++) {
            if (on->items[i]->kind == WF_TOK_STRING)
                vec_append(out, &on->items[i]->str);
        }
    } else if (on->kind == WF_TOK_MAPPING) {
        for (size_t i = 0; i < on->npairs; i++) {
            if (on->pairs[i].key->kind == WF_TOK_STRING)
                vec_append(out, &on->pairs[i].key->str);
        }
    }
}

/* act's default event: push when any workflow has it, else the first workflow's first event. */
static const char *default_event(const struct plan *p)
{
    const char *first = NULL;
    bool push = false;
    struct vec ev = VEC_INIT(const char *);
    for (size_t i = 0; i < p->nworkflows && !push; i++) {
        vec_clear(&ev);
        on_events(p->workflows[i].wf, &ev);
        for (size_t k = 0; k < ev.len; k++) {
            const char *name = *(const char **)vec_at(&ev, k);
            if (!strcmp(name, "push"))
                push = true;
            if (!first)
                first = name;
        }
    }
    vec_release(&ev);
    return push || !first ? "push" : first;
}

int plan_build(struct plan **out, const struct plan_opts *o, struct err *err)
{
    struct plan *p = xcalloc(1, sizeof(*p));
    p->arena = ARENA_INIT;
    p->warnings = VEC_INIT(const char *);
    struct arena *a = &p->arena;
    struct vec files = VEC_INIT(const char *);
    struct reader rd = {0};
    int rc = plan_repo_read(&p->repo, a, o->repo_dir, err);
    if (rc)
        goto done;
    if (o->repository) {
        const char *slash = strchr(o->repository, '/');
        if (!slash || slash == o->repository || !slash[1] || strchr(slash + 1, '/')) {
            rc = err_set(err, ERR_INVALID, "--repository: expected OWNER/NAME, got '%s'",
                         o->repository);
            goto done;
        }
        p->repo.owner = arena_strndup(a, o->repository, (size_t)(slash - o->repository));
        p->repo.name = arena_strdup(a, slash + 1);
    }
    p->run_id = o->run_id > 0 ? o->run_id : 1;
    p->run_number = o->run_number > 0 ? o->run_number : 1;
    p->run_attempt = o->run_attempt > 0 ? o->run_attempt : 1;
    size_t nd = sizeof(default_platforms) / sizeof(default_platforms[0]);
    p->nplatforms = nd + o->nplatforms;
    p->platforms = arena_alloc(a, p->nplatforms * sizeof(struct plan_kv));
    for (size_t i = 0; i < nd; i++)
        p->platforms[i] = default_platforms[i];
    for (size_t i = 0; i < o->nplatforms; i++) {
        p->platforms[nd + i].name = adup(a, o->platforms[i].name);
        p->platforms[nd + i].value = adup(a, o->platforms[i].value ? o->platforms[i].value : "");
    }
    p->matrix_filter = copy_kv(a, o->matrix_filter, o->nmatrix_filter);
    p->nmatrix_filter = o->nmatrix_filter;
    p->env = copy_kv(a, o->env, o->nenv);
    p->nenv = o->nenv;
    struct plan_kv *sec = copy_kv(a, o->secrets, o->nsecrets);
    p->secrets = kv_object(a, sec, o->nsecrets);
    struct plan_kv *vars = copy_kv(a, o->vars, o->nvars);
    p->vars = kv_object(a, vars, o->nvars);

    const char *where = o->workflows;
    struct sbuf def = SBUF_INIT;
    if (!where) {
        path_join(&def, p->repo.root, ".github/workflows");
        where = def.buf;
    }
    rc = find_files(&files, a, where, err);
    sbuf_release(&def);
    if (rc)
        goto done;

    rd.root = p->repo.root;
    rd.a = a;
    p->nworkflows = files.len;
    p->workflows = arena_alloc(a, files.len * sizeof(struct plan_workflow));
    bool job_found = false;
    for (size_t i = 0; i < files.len; i++) {
        struct plan_workflow *w = &p->workflows[i];
        w->path = *(const char **)vec_at(&files, i);
        w->relpath = relative_to(a, p->repo.root, w->path);
        w->name = w->relpath;
        w->inputs = val_new_object(a);
        struct wf_load_opts lo = WF_LOAD_OPTS_INIT;
        lo.display_name = w->relpath;
        lo.read_file = read_reusable;
        /* act-compatible unless --strict: deviations GitHub refuses are warnings */
        lo.lenient = !o->strict;
        lo.payload = &rd;
        struct err le = ERR_INIT;
        if (wf_load(&w->wf, w->path, &lo, &le)) {
            w->wf = NULL;
            w->error = arena_strdup(a, le.msg);
            w->reason = "the workflow file is invalid";
            p->nerrors++;
            continue;
        }
        for (size_t k = 0; k < w->wf->warnings.len; k++) {
            const struct wf_diag *d = vec_at(&w->wf->warnings, k);
            const char *msg = arena_strdup(a, d->msg);
            vec_append(&p->warnings, &msg);
        }
        if (w->wf->name && w->wf->name->kind == WF_TOK_STRING && *w->wf->name->str)
            w->name = w->wf->name->str;
    }

    /* the event: as given, else act's choice (push when a workflow has it, else the first
     * event of the first workflow) */
    struct plan_opts eo = *o;
    if (!eo.event_name || !*eo.event_name)
        eo.event_name = default_event(p);
    rc = plan_event_build(p, &eo, err);
    if (rc)
        goto done;

    for (size_t i = 0; i < p->nworkflows; i++) {
        struct plan_workflow *w = &p->workflows[i];
        if (!w->wf) {
            struct val none = val_null();
            github_build(p, w, &none);
            continue;
        }
        struct sbuf reason = SBUF_INIT;
        w->triggered = plan_on_matches(w->wf, &p->event, &reason);
        w->reason = arena_strndup(a, reason.buf, reason.len);
        sbuf_release(&reason);
        struct val event_inputs = val_null();
        if (w->triggered) {
            rc = plan_inputs_build(p, w, &event_inputs, err);
            if (rc)
                goto done;
        }
        github_build(p, w, &event_inputs);
        graph_build(p, w);
        if (o->job) {
            if (!has_job(w, o->job)) {
                if (w->triggered)
                    w->reason = afmt(a, "%s; but it has no job '%s' (-j)", w->reason, o->job);
                w->triggered = false;
            } else {
                job_found = true;
            }
        }
        if (w->triggered || o->all_workflows)
            jobs_plan(p, w, o);
    }
    if (o->job && !job_found) {
        rc = err_set(err, ERR_NOTFOUND, "no workflow has a job '%s' (see 'runnel list')", o->job);
        goto done;
    }
done:
    vec_release(&files);
    if (rc) {
        plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nworkflows; i++)
        wf_free(p->workflows[i].wf);
    vec_release(&p->warnings);
    arena_release(&p->arena);
    xfree(p);
}
