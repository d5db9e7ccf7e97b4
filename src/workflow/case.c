/*
 * One conformance case of actions/languageservices' workflow-parser reader tests, run the way
 * their harness (xlang.test.ts) runs it: documents split on "---" lines; the first holds options,
 * the second the workflow, then (for reusable-workflow cases) pairs of file id and content, and
 * last the expected JSON.
 */
#include "workflow/workflow.h"

#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"
#include "workflow/internal.h"
#include "yaml/yaml.h"

#define WF_CASE_MAX (4u << 20)

struct case_doc {
    const char *p;
    size_t len;
};

struct case_files {
    struct case_doc *docs;
    size_t ndocs;
    struct sbuf scratch;
};

static const char *case_read_file(const char *ref, void *payload)
{
    struct case_files *cf = payload; /* the C# harness offers the listed files to every case */
    for (size_t i = 2; i + 2 < cf->ndocs; i += 2) {
        if (cf->docs[i].len == strlen(ref) && memcmp(cf->docs[i].p, ref, cf->docs[i].len) == 0) {
            sbuf_setlen(&cf->scratch, 0);
            sbuf_add(&cf->scratch, cf->docs[i + 1].p, cf->docs[i + 1].len);
            return cf->scratch.buf;
        }
    }
    return NULL;
}

/* Splits on /\r?\n---\r?\n/ like the reference harness. */
static size_t split_docs(struct case_doc *docs, size_t max, const char *text, size_t len)
{
    size_t n = 0;
    size_t start = 0;
    size_t i = 0;
    while (i < len && n + 1 < max) {
        if (text[i] == '\n' || (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
            size_t nl = text[i] == '\r' ? 2 : 1;
            size_t j = i + nl;
            if (j + 3 <= len && memcmp(text + j, "---", 3) == 0) {
                size_t k = j + 3;
                size_t nl2 = 0;
                if (k < len && text[k] == '\n')
                    nl2 = 1;
                else if (k + 1 < len && text[k] == '\r' && text[k + 1] == '\n')
                    nl2 = 2;
                if (nl2) {
                    docs[n].p = text + start;
                    docs[n].len = i - start;
                    n++;
                    start = k + nl2;
                    i = start;
                    continue;
                }
            }
            i += nl;
            continue;
        }
        i++;
    }
    docs[n].p = text + start;
    docs[n].len = len - start;
    return n + 1;
}

static bool opt_number(const struct yml_node *opts, const char *key, size_t *out)
{
    double d = 0;
    const struct yml_node *n = yml_map_find(opts, key);
    if (!n || !yml_as_number(n, &d) || !(d >= 0 && d < 0x1p53)) /* no NaN, infinity or sign */
        return false;
    *out = (size_t)d;
    return true;
}

static bool skip_has(const struct yml_node *opts, const char *engine)
{
    const struct yml_node *s = yml_map_find(opts, "skip");
    if (!s || s->kind != YML_SEQUENCE)
        return false;
    for (size_t i = 0; i < s->nitems; i++) {
        if (s->items[i]->kind == YML_SCALAR && str_casecmp(s->items[i]->value, engine) == 0)
            return true;
    }
    return false;
}

int wf_case_run(struct sbuf *out, struct sbuf *expected_out, const char *path, struct err *err)
{
    struct sbuf text = SBUF_INIT;
    struct yml_doc *optdoc = NULL;
    struct wf *wf = NULL;
    struct case_doc docs[64];
    struct case_files cf = {.scratch = SBUF_INIT};
    int rc = sbuf_read_file(&text, path, WF_CASE_MAX, err);
    if (rc < 0)
        goto done;
    size_t ndocs = split_docs(docs, 64, text.buf, text.len);
    if (ndocs < 3) {
        rc = err_set(err, ERR_INVALID, "'%s': a case needs options, workflow and result", path);
        goto done;
    }
    struct sbuf name = SBUF_INIT;
    sbuf_addf(&name, ".github/workflows/%s", path_basename(path));

    rc = yml_parse(&optdoc, "options", docs[0].p, docs[0].len, NULL, err);
    if (rc < 0) {
        sbuf_release(&name);
        goto done;
    }
    const struct yml_node *o = optdoc->root;
    struct wf_load_opts lo = WF_LOAD_OPTS_INIT;
    lo.keep_invalid = true;
    bool include_source = false;
    const struct yml_node *is = yml_map_find(o, "include-source");
    if (is)
        yml_as_bool(is, &include_source);
    opt_number(o, "max-file-size", &lo.max_file_size);
    opt_number(o, "max-depth", &lo.max_depth);
    opt_number(o, "max-job-limit", &lo.max_jobs);
    opt_number(o, "max-result-size", &lo.max_result_size);
    opt_number(o, "max-nested-reusable-workflows-depth", &lo.max_reusable_depth);
    const struct yml_node *xf =
        yml_map_find(yml_map_find(o, "experimental-features"), "allowBackgroundSteps");
    if (xf)
        yml_as_bool(xf, &lo.allow_background_steps);
    const struct yml_node *pr = yml_map_find(o, "is-partial-rerun");
    if (pr)
        yml_as_bool(pr, &lo.is_partial_rerun);
    const struct yml_node *sr = yml_map_find(o, "skip-reusable-workflows");
    if (sr)
        yml_as_bool(sr, &lo.skip_reusable);
    const struct yml_node *pp = yml_map_find(o, "permissions-policy");
    if (pp && pp->kind == YML_SCALAR)
        lo.permissions_policy = pp->value;
    cf.docs = docs;
    cf.ndocs = ndocs;
    lo.strict_events = skip_has(o, "Go") && skip_has(o, "C#");
    lo.parser_only = true; /* the cases are the parser's: github.com's own refusals stay out */
    lo.read_file = case_read_file;
    lo.payload = &cf;
    struct err perr = ERR_INIT;
    wf_parse(&wf, name.buf, docs[1].p, docs[1].len, &lo, &perr);
    sbuf_release(&name);

    wf_export_json(out, wf, include_source);
    if (expected_out) {
        struct str e = str_trim((struct str){docs[ndocs - 1].p, docs[ndocs - 1].len});
        sbuf_add(expected_out, e.p, e.len);
    }
    rc = 0;
done:
    wf_free(wf);
    yml_free(optdoc);
    sbuf_release(&cf.scratch);
    sbuf_release(&text);
    return rc;
}
