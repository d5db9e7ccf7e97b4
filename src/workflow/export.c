/*
 * The model in GitHub's template-token JSON form, written like JSON.stringify(x, null, "  ").
 * Tokens serialise as the C# TemplateToken converter does: literals without source info are bare
 * JSON values; with source info every token is {"type": N, "file", "line", "col", value}.
 */
#include "workflow/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- a small pretty JSON writer ---- */

#define JW_MAX_DEPTH 256

struct jw {
    struct sbuf *out;
    int depth;
    bool has_items[JW_MAX_DEPTH];
    bool after_key;
};

static void jw_newline(struct jw *w)
{
    sbuf_addch(w->out, '\n');
    sbuf_addchars(w->out, ' ', (size_t)w->depth * 2);
}

static void jw_value_prefix(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth])
            sbuf_addch(w->out, ',');
        w->has_items[w->depth] = true;
        jw_newline(w);
    }
}

static void jw_open(struct jw *w, char ch)
{
    jw_value_prefix(w);
    sbuf_addch(w->out, ch);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->has_items[w->depth] = false;
}

static void jw_close(struct jw *w, char ch)
{
    bool had = w->has_items[w->depth];
    w->depth--;
    if (had)
        jw_newline(w);
    sbuf_addch(w->out, ch);
}

static void jw_key(struct jw *w, const char *k)
{
    jw_value_prefix(w);
    sbuf_addch(w->out, '"');
    sbuf_add_json_escaped(w->out, k, strlen(k));
    sbuf_addstr(w->out, "\": ");
    w->after_key = true;
}

static void jw_strn(struct jw *w, const char *s, size_t len)
{
    jw_value_prefix(w);
    sbuf_addch(w->out, '"');
    sbuf_add_json_escaped(w->out, s, len);
    sbuf_addch(w->out, '"');
}

static void jw_str(struct jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

static void jw_num(struct jw *w, double d)
{
    if (!isfinite(d)) {
        /* the C# serialiser writes infinities as strings */
        jw_str(w, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    jw_value_prefix(w);
    wf_format_number(w->out, d);
}

static void jw_bool(struct jw *w, bool b)
{
    jw_value_prefix(w);
    sbuf_addstr(w->out, b ? "true" : "false");
}

static void jw_null(struct jw *w)
{
    jw_value_prefix(w);
    sbuf_addstr(w->out, "null");
}

static void jw_size(struct jw *w, size_t n)
{
    jw_value_prefix(w);
    sbuf_addf(w->out, "%zu", n);
}

/* ---- tokens ---- */

static void tok_json(struct jw *w, const struct wf_token *t, bool src);

static void tok_header(struct jw *w, const struct wf_token *t, int type, bool src)
{
    jw_open(w, '{');
    jw_key(w, "type");
    jw_size(w, (size_t)type);
    if (src && t->file) {
        jw_key(w, "file");
        jw_size(w, t->file);
        jw_key(w, "line");
        jw_size(w, t->line);
        jw_key(w, "col");
        jw_size(w, t->col);
    }
}

static void tok_json(struct jw *w, const struct wf_token *t, bool src)
{
    bool with_src = src && t->file;
    switch (t->kind) {
    case WF_TOK_STRING:
        if (!with_src) {
            jw_strn(w, t->str, t->len);
            return;
        }
        tok_header(w, t, 0, src);
        jw_key(w, "lit");
        jw_strn(w, t->str, t->len);
        jw_close(w, '}');
        return;
    case WF_TOK_NUMBER:
        if (!with_src) {
            jw_num(w, t->number);
            return;
        }
        tok_header(w, t, 6, src);
        jw_key(w, "num");
        jw_num(w, t->number);
        jw_close(w, '}');
        return;
    case WF_TOK_BOOL:
        if (!with_src) {
            jw_bool(w, t->boolean);
            return;
        }
        tok_header(w, t, 5, src);
        jw_key(w, "bool");
        jw_bool(w, t->boolean);
        jw_close(w, '}');
        return;
    case WF_TOK_NULL:
        if (!with_src) {
            jw_null(w);
            return;
        }
        tok_header(w, t, 7, src);
        jw_close(w, '}');
        return;
    case WF_TOK_EXPR:
        tok_header(w, t, 3, src);
        jw_key(w, "expr");
        jw_strn(w, t->str, t->len);
        jw_close(w, '}');
        return;
    case WF_TOK_INSERT:
        tok_header(w, t, 4, src);
        jw_key(w, "directive");
        jw_str(w, "insert");
        jw_close(w, '}');
        return;
    case WF_TOK_SEQUENCE:
        tok_header(w, t, 1, src);
        jw_key(w, "seq");
        jw_open(w, '[');
        for (size_t i = 0; i < t->nitems; i++)
            tok_json(w, t->items[i], src);
        jw_close(w, ']');
        jw_close(w, '}');
        return;
    case WF_TOK_MAPPING:
        tok_header(w, t, 2, src);
        jw_key(w, "map");
        jw_open(w, '[');
        for (size_t i = 0; i < t->npairs; i++) {
            jw_open(w, '{');
            jw_key(w, "Key");
            tok_json(w, t->pairs[i].key, src);
            jw_key(w, "Value");
            tok_json(w, t->pairs[i].value, src);
            jw_close(w, '}');
        }
        jw_close(w, ']');
        jw_close(w, '}');
        return;
    }
}

void wf_tok_to_json(struct sbuf *out, const struct wf_token *t, bool include_source, int indent)
{
    struct jw w = {.out = out, .depth = indent};
    w.after_key = true; /* no leading newline */
    tok_json(&w, t, include_source);
}

static void key_tok(struct jw *w, const char *k, const struct wf_token *t, bool src)
{
    if (!t)
        return;
    jw_key(w, k);
    tok_json(w, t, src);
}

static void expr_value(struct jw *w, const char *expr)
{
    jw_open(w, '{');
    jw_key(w, "type");
    jw_size(w, 3);
    jw_key(w, "expr");
    jw_str(w, expr);
    jw_close(w, '}');
}

/* The permission scopes GitHub expands read-all / write-all to, in its (alphabetical) order. */
static const char *const perm_scopes[] = {
    "actions",  "checks",   "contents", "deployments",   "discussions",         "id-token",
    "issues",   "packages", "pages",    "pull-requests", "repository-projects", "security-events",
    "statuses",
};

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_pair_keys(const void *a, const void *b)
{
    const struct wf_pair *x = a;
    const struct wf_pair *y = b;
    return strcmp(x->key->str, y->key->str);
}

/* permissions: as the server serialises them: scope -> level, sorted, without "none". */
static void export_permissions(struct jw *w, const struct wf_token *p)
{
    if (!p)
        return;
    jw_key(w, "permissions");
    jw_open(w, '{');
    if (p->kind == WF_TOK_STRING) {
        const char *level = strcmp(p->str, "write-all") == 0  ? "write"
                            : strcmp(p->str, "read-all") == 0 ? "read"
                                                              : NULL;
        for (size_t i = 0; level && i < sizeof(perm_scopes) / sizeof(perm_scopes[0]); i++) {
            jw_key(w, perm_scopes[i]);
            jw_str(w, level);
        }
    } else if (p->kind == WF_TOK_MAPPING && p->npairs) {
        struct wf_pair *sorted = xcalloc(p->npairs, sizeof(*sorted));
        memcpy(sorted, p->pairs, sizeof(*sorted) * p->npairs);
        qsort(sorted, p->npairs, sizeof(*sorted), cmp_pair_keys);
        for (size_t i = 0; i < p->npairs; i++) {
            const struct wf_token *v = sorted[i].value;
            if (v->kind != WF_TOK_STRING || strcmp(v->str, "none") == 0)
                continue;
            jw_key(w, sorted[i].key->str);
            jw_str(w, v->str);
        }
        xfree(sorted);
    }
    jw_close(w, '}');
}

static void export_step(struct jw *w, const struct wf_step *s, bool src)
{
    jw_open(w, '{');
    jw_key(w, "id");
    jw_str(w, s->id);
    key_tok(w, "name", s->name, src);
    key_tok(w, "cancel", s->cancel, src);
    bool special = !s->run && !s->uses;
    if (!special) {
        jw_key(w, "if");
        expr_value(w, s->if_expr);
    }
    key_tok(w, "continue-on-error", s->continue_on_error, src);
    key_tok(w, "timeout-minutes", s->timeout_minutes, src);
    key_tok(w, "env", s->env, src);
    key_tok(w, "uses", s->uses, src);
    if (s->wait && s->wait->kind == WF_TOK_SEQUENCE) {
        jw_key(w, "wait");
        jw_open(w, '[');
        for (size_t i = 0; i < s->wait->nitems; i++)
            tok_json(w, s->wait->items[i], src);
        jw_close(w, ']');
    }
    if (s->wait_all) {
        jw_key(w, "wait-all");
        jw_bool(w, true);
    }
    key_tok(w, "with", s->with, src);
    key_tok(w, "working-directory", s->working_directory, src);
    key_tok(w, "shell", s->shell, src);
    key_tok(w, "run", s->run, src);
    key_tok(w, "background", s->background, src);
    jw_close(w, '}');
}

static void export_job(struct jw *w, const struct wf *wf, const struct wf_job *j, bool src)
{
    jw_open(w, '{');
    jw_key(w, "type");
    jw_str(w, j->kind == WF_JOB_REUSABLE ? "reusableWorkflowJob" : "job");
    key_tok(w, "id", j->id, src);
    key_tok(w, "name", j->name, src);
    if (j->nneeds || j->kind == WF_JOB_REUSABLE) {
        jw_key(w, "needs");
        jw_open(w, '[');
        for (size_t i = 0; i < j->nneeds; i++)
            tok_json(w, j->needs[i], src);
        jw_close(w, ']');
    }
    jw_key(w, "if");
    expr_value(w, j->if_expr);
    if (j->kind == WF_JOB_REUSABLE) {
        key_tok(w, "ref", j->uses, src);
        key_tok(w, "input-definitions", j->input_definitions, src);
        key_tok(w, "input-values", j->with, src);
        export_permissions(w, j->effective_permissions);
        key_tok(w, "secret-definitions", j->secret_definitions, src);
        if (j->inherit_secrets) {
            jw_key(w, "inherit-secrets");
            jw_bool(w, true);
        }
        key_tok(w, "secret-values", j->secrets, src);
        key_tok(w, "strategy", j->strategy, src);
        key_tok(w, "concurrency", j->concurrency, src);
        key_tok(w, "outputs", j->call_outputs, src);
        if (j->jobs_loaded) {
            jw_key(w, "jobs");
            jw_open(w, '[');
            for (size_t i = 0; i < j->njobs; i++)
                export_job(w, wf, j->jobs[i], src);
            jw_close(w, ']');
        }
        jw_close(w, '}');
        return;
    }
    export_permissions(w, j->effective_permissions);
    key_tok(w, "strategy", j->strategy, src);
    key_tok(w, "continue-on-error", j->continue_on_error, src);
    key_tok(w, "timeout-minutes", j->timeout_minutes, src);
    key_tok(w, "cancel-timeout-minutes", j->cancel_timeout_minutes, src);
    key_tok(w, "concurrency", j->concurrency, src);
    key_tok(w, "env", j->env, src);
    key_tok(w, "environment", j->environment, src);
    key_tok(w, "defaults", j->defaults, src);
    key_tok(w, "runs-on", j->runs_on, src);
    key_tok(w, "container", j->container, src);
    key_tok(w, "outputs", j->outputs, src);
    key_tok(w, "services", j->services, src);
    if (j->nsteps) {
        jw_key(w, "steps");
        jw_open(w, '[');
        for (size_t i = 0; i < j->nsteps; i++)
            export_step(w, j->steps[i], src);
        jw_close(w, ']');
    }
    key_tok(w, "snapshot", j->snapshot, src);
    jw_close(w, '}');
}

static void export_strlist(struct jw *w, const char *key, const struct wf_strlist *l)
{
    jw_key(w, key);
    jw_open(w, '[');
    for (size_t i = 0; i < l->n; i++)
        jw_str(w, l->items[i]);
    jw_close(w, ']');
}

/* An input definition as GitHub's TypeScript converter writes it: type first, default last. */
static void export_input(struct jw *w, const struct wf_input *in, bool is_call)
{
    jw_key(w, in->name);
    jw_open(w, '{');
    jw_key(w, "type");
    jw_str(w, in->type);
    const struct wf_token *t = in->token;
    for (size_t i = 0; t && t->kind == WF_TOK_MAPPING && i < t->npairs; i++) {
        const char *k = t->pairs[i].key->str;
        if (strcmp(k, "description") == 0 && in->description) {
            jw_key(w, "description");
            jw_str(w, in->description);
        } else if (strcmp(k, "required") == 0) {
            jw_key(w, "required");
            jw_bool(w, in->required);
        } else if (strcmp(k, "options") == 0) {
            export_strlist(w, "options", &in->options);
        }
    }
    const struct wf_token *d = in->default_value;
    if (d && !(is_call && wf_tok_is_expr(d))) {
        if (strcmp(in->type, "boolean") == 0 && d->kind == WF_TOK_BOOL) {
            jw_key(w, "default");
            jw_bool(w, d->boolean);
        } else if (strcmp(in->type, "number") != 0 && strcmp(in->type, "boolean") != 0 &&
                   d->kind == WF_TOK_STRING) {
            jw_key(w, "default");
            jw_strn(w, d->str, d->len);
        }
    }
    jw_close(w, '}');
}

static void export_events(struct jw *w, const struct wf *wf)
{
    static const char *const groups[][2] = {
        {"branches", "branches-ignore"},
        {"tags", "tags-ignore"},
        {"paths", "paths-ignore"},
        {"types", NULL},
        {"versions", NULL},
        {"names", NULL},
        {"workflows", NULL},
    };
    jw_key(w, "events");
    jw_open(w, '{');
    for (size_t e = 0; e < wf->nevents; e++) {
        const struct wf_event *ev = &wf->events[e];
        jw_key(w, ev->name);
        if (strcmp(ev->name, "schedule") == 0 && ev->token) {
            jw_open(w, '[');
            for (size_t i = 0; i < ev->ncrons; i++) {
                jw_open(w, '{');
                jw_key(w, "cron");
                jw_str(w, ev->crons[i].cron);
                if (ev->crons[i].timezone) {
                    jw_key(w, "timezone");
                    jw_str(w, ev->crons[i].timezone);
                }
                jw_close(w, '}');
            }
            jw_close(w, ']');
            continue;
        }
        jw_open(w, '{');
        bool call = strcmp(ev->name, "workflow_call") == 0;
        if (ev->has_inputs) {
            jw_key(w, "inputs");
            jw_open(w, '{');
            for (size_t i = 0; i < ev->ninputs; i++)
                export_input(w, &ev->inputs[i], call);
            jw_close(w, '}');
        }
        if (ev->has_secrets) {
            jw_key(w, "secrets");
            jw_open(w, '{');
            for (size_t i = 0; i < ev->nsecrets; i++) {
                const struct wf_call_item *it = &ev->secrets[i];
                jw_key(w, it->name);
                jw_open(w, '{');
                const struct wf_token *t = it->token;
                for (size_t j = 0; t && t->kind == WF_TOK_MAPPING && j < t->npairs; j++) {
                    const char *k = t->pairs[j].key->str;
                    if (strcmp(k, "description") == 0 && it->description) {
                        jw_key(w, "description");
                        jw_str(w, it->description);
                    } else if (strcmp(k, "required") == 0) {
                        jw_key(w, "required");
                        jw_bool(w, it->required);
                    }
                }
                jw_close(w, '}');
            }
            jw_close(w, '}');
        }
        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
            for (size_t i = 0; i < ev->nfilter_order; i++) {
                const char *k = ev->filter_order[i];
                if (strcmp(k, groups[g][0]) != 0 && !(groups[g][1] && strcmp(k, groups[g][1]) == 0))
                    continue;
                export_strlist(w, k, wf_event_filter(ev, k));
            }
        }
        jw_close(w, '}');
    }
    jw_close(w, '}');
}

/* "input-types": what the server records for workflow_dispatch inputs (name -> type). */
static void export_input_types(struct jw *w, const struct wf *wf)
{
    const struct wf_event *ev = wf_find_event(wf, "workflow_dispatch");
    if (!ev || ev->ninputs == 0)
        return;
    jw_key(w, "input-types");
    jw_open(w, '{');
    for (size_t i = 0; i < ev->ninputs; i++) {
        jw_key(w, ev->inputs[i].name);
        jw_str(w, ev->inputs[i].type);
    }
    jw_close(w, '}');
}

void wf_export_json(struct sbuf *out, const struct wf *wf, bool include_source)
{
    struct jw w = {.out = out};
    jw_open(&w, '{');
    if (wf->diags.len) {
        jw_key(&w, "errors");
        jw_open(&w, '[');
        vec_foreach (struct wf_diag, d, &wf->diags) {
            jw_open(&w, '{');
            jw_key(&w, "Message");
            jw_str(&w, d->msg);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_close(&w, '}');
        return;
    }
    key_tok(&w, "concurrency", wf->concurrency, include_source);
    key_tok(&w, "env", wf->env, include_source);
    key_tok(&w, "defaults", wf->defaults, include_source);
    if (wf->export_events)
        export_events(&w, wf);
    else
        export_input_types(&w, wf);
    export_permissions(&w, wf->permissions);
    jw_key(&w, "jobs");
    jw_open(&w, '[');
    for (size_t i = 0; i < wf->njobs; i++)
        export_job(&w, wf, wf->jobs[i], include_source);
    jw_close(&w, ']');
    if (include_source) {
        jw_key(&w, "file-table");
        jw_open(&w, '[');
        const char **files = xcalloc(wf->nfiles + 1, sizeof(char *));
        if (wf->nfiles)
            memcpy(files, wf->files, sizeof(char *) * wf->nfiles);
        if (wf->sort_file_table)
            qsort(files, wf->nfiles, sizeof(char *), cmp_cstr);
        for (size_t i = 0; i < wf->nfiles; i++)
            jw_str(&w, files[i]);
        xfree(files);
        jw_close(&w, ']');
    }
    jw_close(&w, '}');
}
