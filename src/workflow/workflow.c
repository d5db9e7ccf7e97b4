/*
 * Loading: YAML text to tokens to the model, with the checks GitHub makes on the YAML itself
 * (anchors refused, only the core schema's tags, file size and nesting depth limits).
 */
#include "workflow/workflow.h"

#include <string.h>

#include "util/xalloc.h"
#include "workflow/internal.h"
#include "yaml/yaml.h"

#define WF_MAX_FILE_SIZE (16u << 20)
#define WF_MAX_DEPTH 50 /* GitHub's default nesting limit for workflow objects */

static const char *style_name(enum yml_style s)
{
    switch (s) {
    case YML_PLAIN:
        return "Plain";
    case YML_SINGLE_QUOTED:
        return "SingleQuoted";
    case YML_DOUBLE_QUOTED:
        return "DoubleQuoted";
    case YML_LITERAL:
        return "Literal";
    case YML_FOLDED:
        return "Folded";
    default:
        return "Any";
    }
}

/* GitHub's YAML reader: no anchors, only core-schema tags on scalars of the right style. */
static bool check_yaml(struct wf_ctx *c, const struct yml_node *n, size_t depth, size_t max_depth)
{
    if (!n)
        return true;
    if (n->kind != YML_SCALAR && depth > max_depth) {
        wf_ctx_error(c, NULL, "Maximum object depth exceeded");
        return false;
    }
    if (n->anchor) {
        wf_ctx_error(c, NULL, "Anchors are not currently supported. Remove the anchor '%s'",
                     n->anchor);
        return false;
    }
    if (n->tag && n->tag[0] != '!') {
        const char *t = wf_core_tag(n->tag);
        bool known =
            t && (strcmp(t, "str") == 0 || strcmp(t, "int") == 0 || strcmp(t, "float") == 0 ||
                  strcmp(t, "bool") == 0 || strcmp(t, "null") == 0 || strcmp(t, "seq") == 0 ||
                  strcmp(t, "map") == 0);
        if (!known) {
            wf_ctx_error(c, NULL, "Unexpected tag '%s'", n->tag);
            return false;
        }
        if (n->kind == YML_SCALAR && strcmp(t, "str") != 0 && n->style != YML_PLAIN) {
            wf_ctx_error(c, NULL,
                         "The scalar style '%s' on line %zu and column %zu is not valid with "
                         "the tag '%s'",
                         style_name(n->style), n->line, n->col, n->tag);
            return false;
        }
        enum wf_tok_kind kind;
        bool b = false;
        double d = 0;
        if (n->kind == YML_SCALAR && !wf_scalar_typed(n, t, &kind, &b, &d)) {
            wf_ctx_error(c, NULL,
                         "The value '%s' on line %zu and column %zu is invalid for the type '%s'",
                         n->value, n->line, n->col, n->tag);
            return false;
        }
    } else if (n->tag && n->tag[0] == '!' && strcmp(n->tag, "!") != 0) {
        wf_ctx_error(c, NULL, "Unexpected tag '%s'", n->tag);
        return false;
    }
    if (n->kind == YML_SEQUENCE) {
        for (size_t i = 0; i < n->nitems; i++) {
            if (!check_yaml(c, n->items[i], depth + 1, max_depth))
                return false;
        }
    } else if (n->kind == YML_MAPPING) {
        for (size_t i = 0; i < n->npairs; i++) {
            if (!check_yaml(c, n->pairs[i].key, depth + 1, max_depth) ||
                !check_yaml(c, n->pairs[i].value, depth + 1, max_depth))
                return false;
        }
    }
    return true;
}

struct wf_token *wf_read_file_tokens(struct wf_ctx *c, const char *name, const char *text,
                                     size_t len, const char *root_def)
{
    struct yml_doc *doc = NULL;
    struct err yerr = ERR_INIT;
    struct yml_opts yo = {.allow_duplicate_keys = true};
    c->cur_file = wf_ctx_file_id(c, name);
    if (yml_parse(&doc, name, text, len, &yo, &yerr) < 0) {
        struct wf_diag *d = vec_push(c->diags);
        d->msg = arena_strdup(c->arena, yerr.msg);
        d->line = 0;
        d->col = 0;
        return NULL;
    }
    vec_append(&c->wf->yaml_docs, &doc);
    size_t max_depth = c->opts && c->opts->max_depth ? c->opts->max_depth : WF_MAX_DEPTH;
    if (!check_yaml(c, doc->root, 1, max_depth))
        return NULL;
    return wf_read_template(c, doc->root, root_def);
}

/* Reads the workflow file into c->wf: tokens first, then (when they are clean) the model. */
static void parse_workflow(struct wf_ctx *c, const char *name, const char *text, size_t len)
{
    bool strict = c->opts && c->opts->strict_events;
    size_t before = c->diags->len;
    c->wf->root =
        wf_read_file_tokens(c, name, text, len, strict ? "workflow-root-strict" : "workflow-root");
    if (!c->wf->root || c->diags->len > before)
        return;
    c->wf->export_events = strict;
    wf_convert(c, c->wf, c->wf->root);
}

static struct wf *wf_new(void)
{
    struct wf *wf = xcalloc(1, sizeof(*wf));
    wf->arena = ARENA_INIT;
    wf->diags = VEC_INIT(struct wf_diag);
    wf->yaml_docs = VEC_INIT(struct yml_doc *);
    wf->warnings = VEC_INIT(struct wf_diag);
    return wf;
}

int wf_parse(struct wf **out, const char *name, const char *text, size_t len,
             const struct wf_load_opts *opts, struct err *err)
{
    struct wf *wf = wf_new();
    struct wf_ctx c = {.wf = wf,
                       .arena = &wf->arena,
                       .diags = &wf->diags,
                       .warnings = &wf->warnings,
                       .max_errors = opts ? opts->max_errors : 0,
                       .opts = opts};
    wf->path = arena_strdup(&wf->arena, opts && opts->display_name ? opts->display_name : name);
    int rc = 0;
    if (opts && opts->max_file_size && len > opts->max_file_size) {
        c.cur_file = wf_ctx_file_id(&c, wf->path);
        wf_ctx_error(&c, NULL, "The maximum file size of %zu characters has been exceeded",
                     opts->max_file_size);
    } else {
        parse_workflow(&c, wf->path, text, len);
    }
    wf->sort_file_table = opts && opts->is_partial_rerun;
    wf->files = c.files;
    wf->nfiles = c.nfiles;
    if (wf->diags.len) {
        const struct wf_diag *d = wf->diags.items;
        rc = err_set(err, ERR_INVALID, "%s", d->msg);
        if (!opts || !opts->keep_invalid) {
            wf_free(wf);
            return rc;
        }
    }
    *out = wf;
    return rc;
}

int wf_load(struct wf **out, const char *path, const struct wf_load_opts *opts, struct err *err)
{
    struct sbuf text = SBUF_INIT;
    int rc = sbuf_read_file(&text, path, WF_MAX_FILE_SIZE, err);
    if (rc < 0)
        goto done;
    rc = wf_parse(out, path, text.buf, text.len, opts, err);
done:
    sbuf_release(&text);
    return rc;
}

void wf_free(struct wf *wf)
{
    if (!wf)
        return;
    vec_release(&wf->diags);
    vec_release(&wf->warnings);
    vec_foreach (struct yml_doc *, d, &wf->yaml_docs)
        yml_free(*d);
    vec_release(&wf->yaml_docs);
    arena_release(&wf->arena);
    xfree(wf);
}

struct wf_job *wf_find_job(const struct wf *wf, const char *id)
{
    for (size_t i = 0; i < wf->njobs; i++) {
        if (str_casecmp(wf->jobs[i]->id->str, id) == 0)
            return wf->jobs[i];
    }
    return NULL;
}
