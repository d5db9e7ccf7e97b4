/*
 * Template tokens to the job/step model, with the semantic checks GitHub makes after the schema:
 * job and step ids, generated step ids (__run, __run_2, __actions_checkout), `if` conditions
 * wrapped with success() && (...) unless they call a status function, needs and cycles.
 * Ported from the behaviour of actions/languageservices model/converter/ sources and checked
 * against the conformance cases (the C# server's output).
 */
#include "workflow/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/map.h"
#include "util/str.h"
#include "util/xalloc.h"

#define ID_MAX_LENGTH 100
#define WF_MAX_CALLED_LOADS 256 /* called workflows loaded for one workflow, nesting included */

static bool id_is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool id_is_valid(const char *s)
{
    if (!id_is_alpha(s[0]) && s[0] != '_')
        return false;
    for (const char *p = s + 1; *p; p++) {
        if (!id_is_alpha(*p) && !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-')
            return false;
    }
    return true;
}

/* Ids already used in one scope (jobs of a workflow, steps of a job). */
struct idset {
    struct map names; /* case-insensitive, as the server's IdBuilder */
};

static const char *idset_add_known(struct arena *a, struct idset *ids, const char *value)
{
    if (!value[0] || !id_is_valid(value) || strlen(value) >= ID_MAX_LENGTH) {
        return arena_printf(
            a,
            "The identifier '%s' is invalid. IDs may only contain alphanumeric characters, "
            "'_', and '-'. IDs must start with a letter or '_' and and must be less than "
            "%d characters.",
            value, ID_MAX_LENGTH);
    }
    if (strncmp(value, "__", 2) == 0) {
        return arena_printf(
            a, "The identifier '%s' is invalid. IDs starting with '__' are reserved.", value);
    }
    if (map_has(&ids->names, value)) {
        return arena_printf(
            a, "The identifier '%s' may not be used more than once within the same scope.", value);
    }
    map_set(&ids->names, value, NULL);
    return NULL;
}

const char *wf_id_error(struct arena *a, const char *value)
{
    struct idset ids = {.names = MAP_INIT_CI};
    const char *r = idset_add_known(a, &ids, value);
    map_release(&ids.names, NULL);
    return r;
}

/* IdBuilder.appendSegment + build: a legal, unique id made from `segment`. */
static const char *idset_build(struct arena *a, struct idset *ids, const char *segment)
{
    struct sbuf name = SBUF_INIT;
    if (segment[0]) {
        char first = segment[0];
        if (!id_is_alpha(first) && first != '_' && ((first >= '0' && first <= '9') || first == '-'))
            sbuf_addch(&name, '_');
        for (const char *p = segment; *p; p++) {
            char ch = *p;
            if (id_is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
                sbuf_addch(&name, ch);
            else
                sbuf_addch(&name, '_');
        }
    }
    if (name.len == 0)
        sbuf_addstr(&name, "job");
    const char *result = NULL;
    for (int attempt = 1; attempt < 1000 && !result; attempt++) {
        struct sbuf cand = SBUF_INIT;
        char suffix[16] = "";
        if (attempt > 1)
            snprintf(suffix, sizeof(suffix), "_%d", attempt);
        size_t keep = name.len;
        if (keep > ID_MAX_LENGTH - strlen(suffix))
            keep = ID_MAX_LENGTH - strlen(suffix);
        sbuf_add(&cand, name.buf, keep);
        sbuf_addstr(&cand, suffix);
        if (!map_has(&ids->names, cand.buf)) {
            map_set(&ids->names, cand.buf, NULL);
            result = arena_strndup(a, cand.buf, cand.len);
        }
        sbuf_release(&cand);
    }
    sbuf_release(&name);
    return result ? result : "job";
}

/* ---- if conditions ---- */

static const char *convert_if(struct wf_ctx *c, struct wf_token *tok)
{
    struct arena *a = c->arena;
    const char *cond = NULL;
    if (tok->kind == WF_TOK_EXPR) {
        cond = tok->str;
    } else if (tok->kind == WF_TOK_STRING) {
        struct str s = str_trim((struct str){tok->str, tok->len});
        cond = arena_strndup(a, s.p, s.len);
    } else {
        cond = wf_tok_display(a, tok);
    }
    struct sbuf msg = SBUF_INIT;
    bool has_status = false;
    bool valid = !*cond || wf_expr_validate(cond, tok->ctx, tok->nctx, &msg, &has_status);
    const char *final = cond;
    if (valid && !has_status) {
        /* the wrapped condition is parsed again: its depth and length count the wrapper */
        final = "success()";
        if (*cond) {
            final = arena_printf(a, "success() && (%s)", cond);
        }
        valid = wf_expr_validate(final, tok->ctx, tok->nctx, &msg, NULL);
    }
    if (!valid)
        wf_ctx_error(c, tok, "%s", msg.buf);
    sbuf_release(&msg);
    return valid ? final : NULL;
}

static bool has_expression(const struct wf_token *t)
{
    if (!t)
        return false;
    if (wf_tok_is_expr(t))
        return true;
    for (size_t i = 0; t->kind == WF_TOK_SEQUENCE && i < t->nitems; i++) {
        if (has_expression(t->items[i]))
            return true;
    }
    for (size_t i = 0; t->kind == WF_TOK_MAPPING && i < t->npairs; i++) {
        if (has_expression(t->pairs[i].key) || has_expression(t->pairs[i].value))
            return true;
    }
    return false;
}

/* container: and each services: entry need an image (unless expressions decide it). */
static void check_container(struct wf_ctx *c, struct wf_token *tok)
{
    if (has_expression(tok) || tok->kind != WF_TOK_MAPPING)
        return;
    struct wf_token *image = wf_tok_get(tok, "image");
    if (!image || (image->kind == WF_TOK_STRING && image->len == 0))
        wf_ctx_error(c, tok, "Container image cannot be empty");
}

/* strategy.matrix: every vector needs at least one value. */
static void check_strategy(struct wf_ctx *c, struct wf_token *tok)
{
    struct wf_token *m = wf_tok_get(tok, "matrix");
    for (size_t i = 0; m && m->kind == WF_TOK_MAPPING && i < m->npairs; i++) {
        struct wf_token *k = m->pairs[i].key;
        struct wf_token *v = m->pairs[i].value;
        if (k->kind != WF_TOK_STRING || strcmp(k->str, "include") == 0 ||
            strcmp(k->str, "exclude") == 0)
            continue;
        if (v->kind == WF_TOK_SEQUENCE && v->nitems == 0)
            wf_ctx_error(c, v, "Matrix vector '%s' does not contain any values", k->str);
    }
}

/* uses: of a step: ./local, docker://image, or {org}/{repo}[/path]@ref. */
static void check_step_uses(struct wf_ctx *c, struct wf_token *uses)
{
    if (uses->kind != WF_TOK_STRING)
        return;
    const char *u = uses->str;
    if (strncmp(u, "docker://", 9) == 0 || strncmp(u, "./", 2) == 0 || strncmp(u, ".\\", 2) == 0)
        return;
    const char *at = strchr(u, '@');
    bool ok = at && at[1] && !strchr(at + 1, '@');
    if (ok) {
        /* at least {org}/{repo} before the @ */
        const char *slash = memchr(u, '/', (size_t)(at - u));
        ok = slash && slash > u && slash + 1 < at && slash[1] != '/';
    }
    if (!ok)
        wf_ctx_error(c, uses, "Expected format {org}/{repo}[/path]@ref. Actual '%s'", u);
}

/* ---- steps ---- */

static const char *action_step_id(struct arena *a, const char *uses)
{
    if (strncmp(uses, "docker://", 9) == 0)
        return uses + 9;
    if (strncmp(uses, "./", 2) == 0 || strncmp(uses, ".\\", 2) == 0 || strncmp(uses, "$/", 2) == 0)
        return "self";
    const char *at = strchr(uses, '@');
    if (!at || strchr(at + 1, '@') || !at[1])
        return "";
    /* first two non-empty path segments */
    const char *seg[2] = {NULL, NULL};
    size_t seglen[2] = {0, 0};
    size_t n = 0;
    const char *p = uses;
    while (p < at && n < 2) {
        while (p < at && (*p == '/' || *p == '\\'))
            p++;
        const char *s = p;
        while (p < at && *p != '/' && *p != '\\')
            p++;
        if (p > s) {
            seg[n] = s;
            seglen[n] = (size_t)(p - s);
            n++;
        }
    }
    if (n < 2)
        return "";
    struct sbuf sb = SBUF_INIT;
    sbuf_add(&sb, seg[0], seglen[0]);
    sbuf_addch(&sb, '/');
    sbuf_add(&sb, seg[1], seglen[1]);
    const char *r = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return r;
}

static void check_target(struct wf_ctx *c, struct map *known, struct wf_token *target,
                         const char *own_id)
{
    if (strncmp(target->str, "__", 2) == 0)
        wf_ctx_error(c, target,
                     "The identifier '%s' is invalid. IDs starting with '__' are reserved.",
                     target->str);
    else if (own_id && own_id[0] && str_casecmp(target->str, own_id) == 0)
        wf_ctx_error(c, target, "Step '%s' cannot reference itself", own_id);
    else if (!map_has(known, target->str))
        wf_ctx_error(c, target, "Step references unknown step ID '%s'", target->str);
}

static struct wf_step *convert_step(struct wf_ctx *c, struct idset *ids, struct map *known,
                                    struct wf_token *tok)
{
    if (tok->kind != WF_TOK_MAPPING)
        return NULL;
    struct wf_step *s = arena_alloc(c->arena, sizeof(*s));
    s->token = tok;
    s->id = "";
    struct wf_token *if_tok = NULL;
    for (size_t i = 0; i < tok->npairs; i++) {
        struct wf_token *k = tok->pairs[i].key;
        struct wf_token *v = tok->pairs[i].value;
        if (k->kind != WF_TOK_STRING)
            continue;
        const char *key = k->str;
        if (strcmp(key, "id") == 0) {
            if (v->kind == WF_TOK_STRING) {
                s->id = v->str;
                if (v->len) {
                    const char *e = idset_add_known(c->arena, ids, v->str);
                    if (e)
                        wf_ctx_error(c, v, "%s", e);
                    else
                        map_set(known, v->str, NULL);
                }
            }
        } else if (strcmp(key, "name") == 0) {
            s->name = v;
        } else if (strcmp(key, "run") == 0) {
            s->run = v;
        } else if (strcmp(key, "uses") == 0) {
            s->uses = v;
            check_step_uses(c, v);
        } else if (strcmp(key, "env") == 0) {
            s->env = v;
        } else if (strcmp(key, "if") == 0) {
            if_tok = v;
        } else if (strcmp(key, "continue-on-error") == 0) {
            s->continue_on_error = v;
        } else if (strcmp(key, "timeout-minutes") == 0) {
            s->timeout_minutes = v;
        } else if (strcmp(key, "with") == 0) {
            s->with = v;
        } else if (strcmp(key, "shell") == 0) {
            s->shell = v;
        } else if (strcmp(key, "working-directory") == 0) {
            s->working_directory = v;
        } else if (strcmp(key, "background") == 0) {
            s->background = v;
        } else if (strcmp(key, "wait") == 0) {
            if (v->kind == WF_TOK_STRING) {
                struct wf_token *seq = wf_tok_new(c->arena, WF_TOK_SEQUENCE);
                seq->items = arena_alloc(c->arena, sizeof(struct wf_token *));
                seq->items[seq->nitems++] = v;
                v = seq;
            }
            s->wait = v;
            for (size_t j = 0; v->kind == WF_TOK_SEQUENCE && j < v->nitems; j++) {
                if (v->items[j]->kind == WF_TOK_STRING)
                    check_target(c, known, v->items[j], s->id);
            }
        } else if (strcmp(key, "wait-all") == 0) {
            if (v->kind == WF_TOK_BOOL && !v->boolean)
                wf_ctx_error(c, v, "The value of 'wait-all' must be true or omitted");
            s->wait_all = true;
        } else if (strcmp(key, "cancel") == 0) {
            s->cancel = v;
            if (v->kind == WF_TOK_STRING)
                check_target(c, known, v, s->id);
        }
    }
    if (!s->run && !s->uses) {
        if (s->wait) {
            if (!s->name)
                s->name = wf_tok_str(c->arena, "Wait");
            return s;
        }
        if (s->wait_all) {
            if (!s->name)
                s->name = wf_tok_str(c->arena, "Wait for all");
            return s;
        }
        if (s->cancel) {
            if (!s->name)
                s->name = wf_tok_str(c->arena, "Cancel");
            return s;
        }
    }
    if (if_tok) {
        s->if_expr = convert_if(c, if_tok);
        if (!s->if_expr)
            s->if_expr = "success()";
    } else {
        s->if_expr = "success()";
    }
    if (!s->run && !s->uses) {
        wf_ctx_error(c, tok,
                     c->opts && c->opts->allow_background_steps
                         ? "Expected one of uses, run, wait, wait-all, cancel, or parallel to be "
                           "defined"
                         : "Expected one of uses or run to be defined");
        return NULL;
    }
    return s;
}

static void convert_steps(struct wf_ctx *c, struct wf_job *job, struct wf_token *tok);

void wf_convert_steps(struct wf_ctx *c, struct wf_step ***out, size_t *nout, struct wf_token *tok)
{
    struct wf_job tmp;
    memset(&tmp, 0, sizeof(tmp));
    convert_steps(c, &tmp, tok);
    *out = tmp.steps;
    *nout = tmp.nsteps;
}

static void convert_steps(struct wf_ctx *c, struct wf_job *job, struct wf_token *tok)
{
    if (tok->kind != WF_TOK_SEQUENCE) {
        wf_ctx_error(c, tok, "Invalid format for steps");
        return;
    }
    struct idset ids = {.names = MAP_INIT_CI};
    job->steps = arena_alloc(c->arena, sizeof(struct wf_step *) * (tok->nitems + 1));
    struct map known = MAP_INIT;
    for (size_t i = 0; i < tok->nitems; i++) {
        struct wf_step *s = convert_step(c, &ids, &known, tok->items[i]);
        if (s)
            job->steps[job->nsteps++] = s;
    }
    map_release(&known, NULL);
    for (size_t i = 0; i < job->nsteps; i++) {
        struct wf_step *s = job->steps[i];
        if (s->id[0])
            continue;
        const char *base = "";
        if (s->uses && s->uses->kind == WF_TOK_STRING)
            base = action_step_id(c->arena, s->uses->str);
        else if (s->wait)
            base = "wait";
        else if (s->wait_all)
            base = "wait-all";
        else if (s->cancel)
            base = "cancel";
        if (!base[0])
            base = "run";
        struct sbuf seg = SBUF_INIT;
        sbuf_addf(&seg, "__%s", base);
        s->id = idset_build(c->arena, &ids, seg.buf);
        s->id_generated = true;
        sbuf_release(&seg);
    }
    map_release(&ids.names, NULL);
}

/* ---- jobs ---- */

/* runs-on: { group: ... } names a runner group, optionally with an org/ or ent/ prefix. */
static void check_runs_on(struct wf_ctx *c, struct wf_token *tok)
{
    struct wf_token *g = wf_tok_get(tok, "group");
    if (!g || g->kind != WF_TOK_STRING)
        return;
    const char *slash = strchr(g->str, '/');
    if (!slash)
        return;
    size_t plen = (size_t)(slash - g->str);
    bool ok_prefix = strchr(slash + 1, '/') == NULL &&
                     ((plen == 3 && strncmp(g->str, "org", 3) == 0) ||
                      (plen == 12 && strncmp(g->str, "organization", 12) == 0) ||
                      (plen == 3 && strncmp(g->str, "ent", 3) == 0) ||
                      (plen == 10 && strncmp(g->str, "enterprise", 10) == 0));
    if (!ok_prefix)
        wf_ctx_error(c, g,
                     "Invalid runs-on group name '%s'. Please use 'organization/' or "
                     "'enterprise/' prefix to target a single runner group.",
                     g->str);
    else if (!slash[1])
        wf_ctx_error(c, g, "Invalid runs-on group name '%s'.", g->str);
}

static struct wf_job *convert_job(struct wf_ctx *c, struct wf_token *key, struct wf_token *tok)
{
    const char *e = wf_id_error(c->arena, key->str);
    if (e)
        wf_ctx_error(c, key, "%s", e);
    struct wf_job *job = arena_alloc(c->arena, sizeof(*job));
    job->id = key;
    job->token = tok;
    struct wf_token *if_tok = NULL;
    for (size_t i = 0; i < tok->npairs; i++) {
        struct wf_token *k = tok->pairs[i].key;
        struct wf_token *v = tok->pairs[i].value;
        if (k->kind != WF_TOK_STRING)
            continue;
        const char *p = k->str;
        if (strcmp(p, "concurrency") == 0) {
            job->concurrency = v;
        } else if (strcmp(p, "container") == 0) {
            job->container = v;
            check_container(c, v);
        } else if (strcmp(p, "env") == 0) {
            job->env = v;
        } else if (strcmp(p, "environment") == 0) {
            job->environment = v;
        } else if (strcmp(p, "if") == 0) {
            if_tok = v;
        } else if (strcmp(p, "name") == 0) {
            job->name = v;
        } else if (strcmp(p, "needs") == 0) {
            job->has_needs = true;
            if (v->kind == WF_TOK_STRING) {
                job->needs = arena_alloc(c->arena, sizeof(struct wf_token *));
                job->needs[job->nneeds++] = v;
            } else if (v->kind == WF_TOK_SEQUENCE) {
                job->needs = arena_alloc(c->arena, sizeof(struct wf_token *) * (v->nitems + 1));
                for (size_t j = 0; j < v->nitems; j++) {
                    if (v->items[j]->kind == WF_TOK_STRING)
                        job->needs[job->nneeds++] = v->items[j];
                }
            }
        } else if (strcmp(p, "outputs") == 0) {
            job->outputs = v;
        } else if (strcmp(p, "runs-on") == 0) {
            job->runs_on = v;
            check_runs_on(c, v);
        } else if (strcmp(p, "services") == 0) {
            job->services = v;
            for (size_t j = 0; v->kind == WF_TOK_MAPPING && j < v->npairs; j++)
                check_container(c, v->pairs[j].value);
        } else if (strcmp(p, "snapshot") == 0) {
            job->snapshot = v;
        } else if (strcmp(p, "steps") == 0) {
            convert_steps(c, job, v);
        } else if (strcmp(p, "strategy") == 0) {
            job->strategy = v;
            check_strategy(c, v);
        } else if (strcmp(p, "uses") == 0) {
            job->uses = v;
            job->kind = WF_JOB_REUSABLE;
        } else if (strcmp(p, "with") == 0) {
            job->with = v;
        } else if (strcmp(p, "secrets") == 0) {
            if (v->kind == WF_TOK_STRING && strcmp(v->str, "inherit") == 0)
                job->inherit_secrets = true;
            else
                job->secrets = v;
        } else if (strcmp(p, "permissions") == 0) {
            job->permissions = v;
        } else if (strcmp(p, "defaults") == 0) {
            job->defaults = v;
        } else if (strcmp(p, "timeout-minutes") == 0) {
            job->timeout_minutes = v;
        } else if (strcmp(p, "cancel-timeout-minutes") == 0) {
            job->cancel_timeout_minutes = v;
        } else if (strcmp(p, "continue-on-error") == 0) {
            job->continue_on_error = v;
        }
    }
    if (!job->name || (job->name->kind == WF_TOK_STRING && job->name->len == 0))
        job->name = key;
    job->if_expr = "success()";
    if (if_tok) {
        const char *cond = convert_if(c, if_tok);
        if (cond)
            job->if_expr = cond;
        job->if_token = if_tok;
    }
    return job;
}

struct need_node {
    const char *name;
    struct wf_token **needs; /* xmalloc'd, shrinks as needs are satisfied */
    size_t nneeds;
};

static void validate_needs(struct wf_ctx *c, struct wf_job **jobs, size_t njobs,
                           struct wf_token *jobs_tok)
{
    size_t n = njobs;
    struct need_node *nodes = xcalloc(n + 1, sizeof(*nodes));
    size_t *ready = xcalloc(n + 1, sizeof(size_t));
    bool *pending = xcalloc(n + 1, sizeof(bool));
    size_t nready = 0;
    for (size_t i = 0; i < n; i++) {
        nodes[i].name = jobs[i]->id->str;
        nodes[i].nneeds = jobs[i]->nneeds;
        nodes[i].needs = xcalloc(nodes[i].nneeds + 1, sizeof(struct wf_token *));
        if (nodes[i].nneeds)
            memcpy(nodes[i].needs, jobs[i]->needs, sizeof(struct wf_token *) * nodes[i].nneeds);
        if (nodes[i].nneeds)
            pending[i] = true;
        else
            ready[nready++] = i;
    }
    if (nready == 0) {
        wf_ctx_error(c, jobs_tok,
                     "The workflow must contain at least one job with no dependencies.");
        goto done;
    }
    /* Walk the graph breadth first; GitHub scans the pending list backwards. */
    size_t head = 0;
    size_t *order = xcalloc(n + 1, sizeof(size_t)); /* pending jobs in list order */
    size_t norder = 0;
    for (size_t i = 0; i < n; i++) {
        if (pending[i])
            order[norder++] = i;
    }
    while (head < nready) {
        const char *cur = nodes[ready[head++]].name;
        for (size_t oi = norder; oi-- > 0;) {
            struct need_node *u = &nodes[order[oi]];
            for (size_t j = u->nneeds; j-- > 0;) {
                if (strcmp(u->needs[j]->str, cur) == 0) {
                    memmove(&u->needs[j], &u->needs[j + 1],
                            sizeof(struct wf_token *) * (u->nneeds - j - 1));
                    u->nneeds--;
                    if (u->nneeds == 0) {
                        ready[nready++] = order[oi];
                        memmove(&order[oi], &order[oi + 1], sizeof(size_t) * (norder - oi - 1));
                        norder--;
                    }
                }
            }
        }
    }
    for (size_t oi = 0; oi < norder; oi++) {
        struct need_node *u = &nodes[order[oi]];
        for (size_t j = 0; j < u->nneeds; j++) {
            const char *need = u->needs[j]->str;
            bool known = false;
            for (size_t k = 0; k < n && !known; k++)
                known = strcmp(nodes[k].name, need) == 0;
            if (known)
                wf_ctx_error(c, u->needs[j],
                             "Job '%s' depends on job '%s' which creates a cycle in the "
                             "dependency graph.",
                             u->name, need);
            else
                wf_ctx_error(c, u->needs[j], "Job '%s' depends on unknown job '%s'.", u->name,
                             need);
        }
    }
    xfree(order);
done:
    for (size_t i = 0; i < n; i++)
        xfree(nodes[i].needs);
    xfree(nodes);
    xfree(ready);
    xfree(pending);
}

/* Keys of a mapping token, lower-cased, mapped to their pair (GitHub compares names so). */
static const struct wf_pair *find_ci(const struct wf_token *map, const char *name)
{
    for (size_t i = 0; map && map->kind == WF_TOK_MAPPING && i < map->npairs; i++) {
        const struct wf_token *k = map->pairs[i].key;
        if (k->kind == WF_TOK_STRING && str_casecmp(k->str, name) == 0)
            return &map->pairs[i];
    }
    return NULL;
}

/* with: and secrets: of a reusable-workflow job against the called workflow's definitions. */
static void check_job_inputs(struct wf_ctx *c, struct wf_job *job)
{
    const struct wf_token *defs = job->input_definitions;
    const struct wf_token *vals = job->with;
    for (size_t i = 0; defs && defs->kind == WF_TOK_MAPPING && i < defs->npairs; i++) {
        const char *name = defs->pairs[i].key->str;
        const struct wf_token *spec = defs->pairs[i].value;
        const struct wf_token *type = wf_tok_get(spec, "type");
        if (!type)
            continue;
        const struct wf_token *req = wf_tok_get(spec, "required");
        const struct wf_pair *given = find_ci(vals, name);
        if (req && req->kind == WF_TOK_BOOL && req->boolean && !given) {
            wf_ctx_error(c, job->uses, "Input %s is required, but not provided while calling.",
                         name);
        }
        if (!given || type->kind != WF_TOK_STRING || wf_tok_is_expr(given->value))
            continue;
        /* the value must read as the declared type (strings accept any scalar) */
        const struct wf_token *v = given->value;
        bool ok = true;
        if (strcmp(type->str, "boolean") == 0)
            ok = v->kind == WF_TOK_BOOL;
        else if (strcmp(type->str, "number") == 0)
            ok = v->kind == WF_TOK_NUMBER;
        if (!ok)
            wf_ctx_error(c, v, "Unexpected value '%s'", wf_tok_display(c->arena, v));
    }
    for (size_t i = 0; vals && vals->kind == WF_TOK_MAPPING && i < vals->npairs; i++) {
        const struct wf_token *k = vals->pairs[i].key;
        if (k->kind != WF_TOK_STRING)
            continue;
        if (!find_ci(defs, k->str))
            wf_ctx_error(c, vals->pairs[i].value,
                         "Invalid input, %s is not defined in the referenced workflow.", k->str);
    }
}

static void check_job_secrets(struct wf_ctx *c, struct wf_job *job)
{
    if (job->inherit_secrets)
        return;
    const struct wf_token *defs = job->secret_definitions;
    const struct wf_token *vals = job->secrets;
    for (size_t i = 0; defs && defs->kind == WF_TOK_MAPPING && i < defs->npairs; i++) {
        const struct wf_token *spec = defs->pairs[i].value;
        if (spec->kind == WF_TOK_NULL)
            continue;
        const struct wf_token *req = wf_tok_get(spec, "required");
        if (req && req->kind == WF_TOK_BOOL && req->boolean &&
            !find_ci(vals, defs->pairs[i].key->str))
            wf_ctx_error(c, job->uses, "Secret %s is required, but not provided while calling.",
                         defs->pairs[i].key->str);
    }
    for (size_t i = 0; vals && vals->kind == WF_TOK_MAPPING && i < vals->npairs; i++) {
        const struct wf_token *k = vals->pairs[i].key;
        if (k->kind != WF_TOK_STRING || find_ci(defs, k->str))
            continue;
        /* act passes undeclared secrets through: with opts->lenient this is a warning. */
        const struct wf_token *v = vals->pairs[i].value;
        if (wf_ctx_is_lenient(c))
            wf_ctx_warning(c, v, "Invalid secret, %s is not defined in the referenced workflow.",
                           k->str);
        else
            wf_ctx_error(c, v, "Invalid secret, %s is not defined in the referenced workflow.",
                         k->str);
    }
}

static void convert_jobs_into(struct wf_ctx *c, struct wf_token *tok, struct wf_job ***out,
                              size_t *nout, size_t depth, struct wf_token *wf_perms);

/* ---- permissions of called workflows ---- */

/* The scopes in the order the server lists them in messages. */
static const char *const perm_order[] = {
    "actions",  "checks",          "contents", "deployments",   "discussions",
    "issues",   "packages",        "pages",    "pull-requests", "repository-projects",
    "statuses", "security-events", "id-token",
};
#define NPERMS (sizeof(perm_order) / sizeof(perm_order[0]))

struct perms {
    int level[NPERMS]; /* 0 none, 1 read, 2 write */
};

static int perm_level(const char *s)
{
    return strcmp(s, "write") == 0 ? 2 : strcmp(s, "read") == 0 ? 1 : 0;
}

static void perms_from(struct perms *p, const struct wf_token *t)
{
    memset(p, 0, sizeof(*p));
    if (t->kind == WF_TOK_STRING) {
        int lv = strcmp(t->str, "write-all") == 0 ? 2 : strcmp(t->str, "read-all") == 0 ? 1 : 0;
        for (size_t i = 0; i < NPERMS; i++)
            p->level[i] = lv;
        return;
    }
    for (size_t i = 0; t->kind == WF_TOK_MAPPING && i < t->npairs; i++) {
        const struct wf_token *k = t->pairs[i].key;
        const struct wf_token *v = t->pairs[i].value;
        for (size_t j = 0; j < NPERMS; j++) {
            if (k->kind == WF_TOK_STRING && v->kind == WF_TOK_STRING &&
                strcmp(k->str, perm_order[j]) == 0)
                p->level[j] = perm_level(v->str);
        }
    }
}

/* What a caller grants when it says nothing: the repository's default token permissions. */
static bool policy_perms(struct perms *p, const char *policy)
{
    if (!policy)
        return false;
    memset(p, 0, sizeof(*p));
    for (size_t j = 0; j < NPERMS; j++) {
        if (strcmp(policy, "Write") == 0)
            p->level[j] = 2;
        else if (strcmp(perm_order[j], "contents") == 0 || strcmp(perm_order[j], "packages") == 0)
            p->level[j] = 1;
    }
    return true;
}

static const char *const level_names[] = {"none", "read", "write"};

/* Reports the scopes `req` asks for beyond `allowed`; `what` names the requester. */
static void check_perms(struct wf_ctx *c, const struct wf_job *caller, const char *what,
                        const struct perms *req, const struct perms *allowed)
{
    struct sbuf want = SBUF_INIT;
    struct sbuf have = SBUF_INIT;
    for (size_t j = 0; j < NPERMS; j++) {
        if (req->level[j] <= allowed->level[j])
            continue;
        sbuf_addf(&want, "%s%s: %s", want.len ? ", " : "", perm_order[j],
                  level_names[req->level[j]]);
        sbuf_addf(&have, "%s%s: %s", have.len ? ", " : "", perm_order[j],
                  level_names[allowed->level[j]]);
    }
    if (want.len)
        wf_ctx_error(c, caller->id,
                     "Error calling workflow '%s'. %s is requesting '%s', but is only allowed "
                     "'%s'.",
                     caller->uses->str, what, want.buf, have.buf);
    sbuf_release(&want);
    sbuf_release(&have);
}

/* The file id GitHub uses for a reusable workflow reference (owner/repo/path@ref or ./path). */
static const char *reference_id(struct arena *a, const char *ref)
{
    if (strncmp(ref, "./", 2) == 0 || strncmp(ref, "$/", 2) == 0) {
        return arena_printf(a, "./%s", ref + 2);
    }
    return ref;
}

/* Loads the workflow a reusable-workflow job calls and converts its inputs, secrets and jobs. */
static void load_called_workflow(struct wf_ctx *c, struct wf_job *job, size_t depth,
                                 struct wf_token *caller_perms)
{
    const struct wf_load_opts *o = c->opts;
    if (o && o->skip_reusable) {
        job->jobs_loaded = true; /* GitHub lists no jobs for a call it did not follow */
        return;
    }
    if (!o || !o->read_file || !job->uses || job->uses->kind != WF_TOK_STRING)
        return;
    size_t max_depth = o->max_reusable_depth ? o->max_reusable_depth : 4;
    if (depth > max_depth) {
        wf_ctx_error_at(c, 0, 0, 0, "Nested reusable workflow depth exceeded %zu.", max_depth);
        return;
    }
    if (++c->called_loads > WF_MAX_CALLED_LOADS) {
        /* runnel's own bound: nested calls multiply (4 levels of N calls each) */
        if (c->called_loads == WF_MAX_CALLED_LOADS + 1)
            wf_ctx_error(c, job->uses, "More than %d reusable workflow calls to load",
                         WF_MAX_CALLED_LOADS);
        return;
    }
    const char *id = reference_id(c->arena, job->uses->str);
    const char *text = o->read_file(id, o->payload);
    if (!text)
        return; /* not available here (a remote repository): GitHub's parsers skip it too */
    size_t saved_file = c->cur_file;
    size_t before = c->diags->len;
    const struct wf_token *saved_calling = c->calling;
    c->calling = job->uses;
    struct wf_token *root = wf_read_file_tokens(c, id, text, strlen(text), "workflow-root");
    c->calling = saved_calling;
    c->cur_file = saved_file;
    if (!root || c->diags->len > before)
        return;
    struct wf_token *on = wf_tok_get(root, "on");
    bool has_call = false;
    if (on && on->kind == WF_TOK_STRING) {
        has_call = strcmp(on->str, "workflow_call") == 0;
    } else if (on && on->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < on->nitems && !has_call; i++)
            has_call = on->items[i]->kind == WF_TOK_STRING &&
                       strcmp(on->items[i]->str, "workflow_call") == 0;
    } else if (on && on->kind == WF_TOK_MAPPING) {
        for (size_t i = 0; i < on->npairs; i++) {
            struct wf_token *k = on->pairs[i].key;
            if (k->kind != WF_TOK_STRING || strcmp(k->str, "workflow_call") != 0)
                continue;
            has_call = true;
            struct wf_token *cfg = on->pairs[i].value;
            job->input_definitions = wf_tok_get(cfg, "inputs");
            job->secret_definitions = wf_tok_get(cfg, "secrets");
            job->call_outputs = wf_tok_get(cfg, "outputs");
            break;
        }
    }
    if (!has_call) {
        wf_ctx_error(c, job->uses, "workflow_call key is not defined in the referenced workflow.");
        return;
    }
    check_job_inputs(c, job);
    check_job_secrets(c, job);

    /* permissions: the caller grants job.permissions, else its workflow's, else the policy */
    struct wf_token *granted = job->permissions ? job->permissions : caller_perms;
    struct perms allowed;
    bool checked = false;
    if (granted) {
        perms_from(&allowed, granted);
        checked = true;
    } else {
        checked = policy_perms(&allowed, c->opts->permissions_policy);
    }
    struct wf_token *called_perms = wf_tok_get(root, "permissions");
    job->effective_permissions = granted;
    if (called_perms) {
        if (checked) {
            struct perms req;
            perms_from(&req, called_perms);
            struct sbuf what = SBUF_INIT;
            sbuf_addf(&what, "The workflow '%s'", job->uses->str);
            check_perms(c, job, what.buf, &req, &allowed);
            sbuf_release(&what);
        }
        job->effective_permissions = called_perms;
    }
    struct wf_token *jobs = wf_tok_get(root, "jobs");
    if (jobs) {
        size_t nested_before = c->diags->len;
        convert_jobs_into(c, jobs, &job->jobs, &job->njobs, depth + 1, job->effective_permissions);
        job->jobs_loaded = true;
        for (size_t i = 0; checked && c->diags->len == nested_before && i < job->njobs; i++) {
            struct wf_job *nested = job->jobs[i];
            if (!nested->permissions)
                continue;
            struct perms req;
            perms_from(&req, nested->permissions);
            struct sbuf what = SBUF_INIT;
            sbuf_addf(&what, "The nested job '%s'", wf_tok_display(c->arena, nested->name));
            check_perms(c, job, what.buf, &req, &allowed);
            sbuf_release(&what);
        }
    }
}

static void convert_jobs_into(struct wf_ctx *c, struct wf_token *tok, struct wf_job ***out,
                              size_t *nout, size_t depth, struct wf_token *wf_perms)
{
    if (tok->kind != WF_TOK_MAPPING) {
        wf_ctx_error(c, tok, "Invalid format for jobs");
        return;
    }
    struct wf_job **jobs = arena_alloc(c->arena, sizeof(struct wf_job *) * (tok->npairs + 1));
    size_t n = 0;
    for (size_t i = 0; i < tok->npairs; i++) {
        struct wf_token *k = tok->pairs[i].key;
        struct wf_token *v = tok->pairs[i].value;
        if (k->kind != WF_TOK_STRING || v->kind != WF_TOK_MAPPING)
            continue;
        jobs[n++] = convert_job(c, k, v);
    }
    validate_needs(c, jobs, n, tok);
    *out = jobs;
    *nout = n;
    for (size_t i = 0; i < n; i++) {
        jobs[i]->effective_permissions = jobs[i]->permissions ? jobs[i]->permissions : wf_perms;
        if (jobs[i]->kind == WF_JOB_REUSABLE)
            load_called_workflow(c, jobs[i], depth, wf_perms);
    }
}

static size_t count_jobs(struct wf_job **jobs, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 1 + (jobs[i]->kind == WF_JOB_REUSABLE && jobs[i]->jobs_loaded
                          ? count_jobs(jobs[i]->jobs, jobs[i]->njobs)
                          : 0);
    return total;
}

static void convert_jobs(struct wf_ctx *c, struct wf *wf, struct wf_token *tok)
{
    convert_jobs_into(c, tok, &wf->jobs, &wf->njobs, 1, wf->permissions);
    size_t max = c->opts ? c->opts->max_jobs : 0;
    if (max && count_jobs(wf->jobs, wf->njobs) > max)
        wf_ctx_error_at(c, 0, 0, 0, "The workflow may not contain more than %zu jobs", max);
}

void wf_convert(struct wf_ctx *c, struct wf *wf, struct wf_token *root)
{
    if (!root || root->kind != WF_TOK_MAPPING)
        return;
    wf->permissions = wf_tok_get(root, "permissions");
    if (!wf_tok_get(root, "on")) {
        /* the strict schema requires it; the server refuses a workflow that no event triggers */
        wf_ctx_error(c, root, "Required property is missing: on");
    }
    for (size_t i = 0; i < root->npairs; i++) {
        struct wf_token *k = root->pairs[i].key;
        struct wf_token *v = root->pairs[i].value;
        if (k->kind != WF_TOK_STRING)
            continue;
        if (strcmp(k->str, "on") == 0) {
            wf->on = v;
            wf_read_events(c, wf, v);
        } else if (strcmp(k->str, "jobs") == 0)
            convert_jobs(c, wf, v);
        else if (strcmp(k->str, "concurrency") == 0)
            wf->concurrency = v;
        else if (strcmp(k->str, "env") == 0)
            wf->env = v;
        else if (strcmp(k->str, "name") == 0)
            wf->name = v;
        else if (strcmp(k->str, "run-name") == 0)
            wf->run_name = v;
        else if (strcmp(k->str, "defaults") == 0)
            wf->defaults = v;
        else if (strcmp(k->str, "permissions") == 0)
            wf->permissions = v;
    }
}
