/*
 * action.yml: read with GitHub's action schema (action-v1.0, the lenient root the runner uses:
 * unknown top-level keys such as author or branding are allowed), then modelled as a node,
 * docker or composite action. Composite steps go through the same step converter as workflow
 * steps (generated ids, if wrapping).
 */
#include "workflow/workflow.h"

#include <string.h>

#include "util/xalloc.h"
#include "workflow/internal.h"
#include "yaml/yaml.h"

#define WF_ACTION_MAX (4u << 20)

static void read_inputs(struct wf_ctx *c, struct wf_action *act, const struct wf_token *m)
{
    if (!m || m->kind != WF_TOK_MAPPING)
        return;
    act->inputs = arena_alloc(c->arena, sizeof(struct wf_action_input) * (m->npairs + 1));
    for (size_t i = 0; i < m->npairs; i++) {
        struct wf_action_input *in = &act->inputs[act->ninputs++];
        memset(in, 0, sizeof(*in));
        in->name = wf_tok_text(c->arena, m->pairs[i].key);
        const struct wf_token *def = m->pairs[i].value;
        in->description = wf_tok_text(c->arena, wf_tok_get(def, "description"));
        /* an expression default is kept as written, ${{ }} included, for the runner to expand */
        const struct wf_token *d = wf_tok_get(def, "default");
        if (d && d->kind != WF_TOK_NULL)
            in->default_value = wf_tok_text(c->arena, d);
        const struct wf_token *r = wf_tok_get(def, "required");
        in->required = r && ((r->kind == WF_TOK_BOOL && r->boolean) ||
                             (r->kind == WF_TOK_STRING && strcmp(r->str, "true") == 0));
    }
}

static void read_outputs(struct wf_ctx *c, struct wf_action *act, const struct wf_token *m)
{
    if (!m || m->kind != WF_TOK_MAPPING)
        return;
    act->outputs = arena_alloc(c->arena, sizeof(struct wf_action_output) * (m->npairs + 1));
    for (size_t i = 0; i < m->npairs; i++) {
        struct wf_action_output *o = &act->outputs[act->noutputs++];
        memset(o, 0, sizeof(*o));
        o->name = wf_tok_text(c->arena, m->pairs[i].key);
        o->description = wf_tok_text(c->arena, wf_tok_get(m->pairs[i].value, "description"));
        o->value = wf_tok_get(m->pairs[i].value, "value");
    }
}

static void read_runs(struct wf_ctx *c, struct wf_action *act, struct wf_token *root)
{
    struct wf_token *runs = wf_tok_get(root, "runs");
    if (!runs) {
        wf_ctx_error(c, root, "Required property is missing: runs");
        return;
    }
    if (runs->kind != WF_TOK_MAPPING)
        return;
    struct wf_token *using = wf_tok_get(runs, "using");
    if (!using || using->kind != WF_TOK_STRING) {
        wf_ctx_error(c, runs, "Required property is missing: using");
        return;
    }
    act->using = using->str;
    struct arena *a = c->arena;
    if (strncmp(using->str, "node", 4) == 0) {
        act->kind = WF_ACTION_NODE;
        act->main = wf_tok_text(a, wf_tok_get(runs, "main"));
        act->pre = wf_tok_text(a, wf_tok_get(runs, "pre"));
        act->post = wf_tok_text(a, wf_tok_get(runs, "post"));
        act->pre_if = wf_tok_text(a, wf_tok_get(runs, "pre-if"));
        act->post_if = wf_tok_text(a, wf_tok_get(runs, "post-if"));
        if (!act->main)
            wf_ctx_error(c, runs, "Required property is missing: main");
    } else if (strcmp(using->str, "docker") == 0) {
        act->kind = WF_ACTION_DOCKER;
        act->image = wf_tok_text(a, wf_tok_get(runs, "image"));
        act->entrypoint = wf_tok_text(a, wf_tok_get(runs, "entrypoint"));
        act->pre_entrypoint = wf_tok_text(a, wf_tok_get(runs, "pre-entrypoint"));
        act->post_entrypoint = wf_tok_text(a, wf_tok_get(runs, "post-entrypoint"));
        act->pre_if = wf_tok_text(a, wf_tok_get(runs, "pre-if"));
        act->post_if = wf_tok_text(a, wf_tok_get(runs, "post-if"));
        act->args = wf_tok_get(runs, "args");
        act->env = wf_tok_get(runs, "env");
        if (!act->image)
            wf_ctx_error(c, runs, "Required property is missing: image");
    } else if (strcmp(using->str, "composite") == 0) {
        act->kind = WF_ACTION_COMPOSITE;
        struct wf_token *steps = wf_tok_get(runs, "steps");
        if (!steps)
            wf_ctx_error(c, runs, "Required property is missing: steps");
        else
            wf_convert_steps(c, &act->steps, &act->nsteps, steps);
    } else {
        wf_ctx_error(c, using, "Unexpected value '%s'", using->str);
    }
}

int wf_action_parse(struct wf_action **out, const char *name, const char *text, size_t len,
                    struct err *err)
{
    struct wf_action *act = xcalloc(1, sizeof(*act));
    struct vec diags = VEC_INIT(struct wf_diag);
    struct yml_doc *doc = NULL;
    act->arena = ARENA_INIT;
    act->path = arena_strdup(&act->arena, name);
    struct wf_ctx c = {.arena = &act->arena, .diags = &diags, .action_schema = true};
    c.cur_file = wf_ctx_file_id(&c, name);
    struct yml_opts yo = {.allow_duplicate_keys = true};
    int rc = yml_parse(&doc, name, text, len, &yo, err);
    if (rc < 0)
        goto done;
    struct wf_token *root = wf_read_template(&c, doc->root, "action-root");
    if (!diags.len && root && root->kind == WF_TOK_MAPPING) {
        act->name = wf_tok_text(&act->arena, wf_tok_get(root, "name"));
        act->description = wf_tok_text(&act->arena, wf_tok_get(root, "description"));
        read_inputs(&c, act, wf_tok_get(root, "inputs"));
        read_outputs(&c, act, wf_tok_get(root, "outputs"));
        read_runs(&c, act, root);
    }
    if (diags.len) {
        rc = err_set(err, ERR_INVALID, "%s", ((struct wf_diag *)diags.items)[0].msg);
        goto done;
    }
    act->yaml = doc; /* the tokens and the model borrow the YAML tree's strings */
    doc = NULL;
    *out = act;
    act = NULL;
done:
    yml_free(doc);
    vec_release(&diags);
    wf_action_free(act);
    return rc;
}

int wf_action_load(struct wf_action **out, const char *path, struct err *err)
{
    struct sbuf text = SBUF_INIT;
    int rc = sbuf_read_file(&text, path, WF_ACTION_MAX, err);
    if (rc == 0)
        rc = wf_action_parse(out, path, text.buf, text.len, err);
    sbuf_release(&text);
    return rc;
}

void wf_action_free(struct wf_action *a)
{
    if (!a)
        return;
    yml_free(a->yaml);
    arena_release(&a->arena);
    xfree(a);
}
