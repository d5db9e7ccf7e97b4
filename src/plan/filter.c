/*
 * Does a workflow's `on:` match the event? GitHub's rules ("Workflow syntax", on.<event>.*):
 *  - branches/tags and their -ignore forms match the ref's short name with the filter-pattern
 *    glob dialect; in `branches`/`tags`/`paths` a '!' pattern excludes what earlier patterns
 *    included and the last matching pattern decides, so a list needs a positive pattern to match
 *    anything;
 *  - push: with only branch filters, tag pushes do not trigger (and the reverse); with neither,
 *    both do. Path filters are not evaluated for tag pushes;
 *  - paths: triggers when at least one changed file is included; paths-ignore: triggers unless
 *    every changed file is ignored; with branch filters too, both must match;
 *  - pull_request(_target): branch filters match the base branch; without `types` only opened,
 *    synchronize and reopened trigger;
 *  - workflow_run: `workflows` names the triggering workflows (glob patterns allowed), branch
 *    filters match the triggering run's head branch;
 *  - any event with `types`: the activity type must be listed.
 *  - paths and paths-ignore read only the first 300 files of the diff, in its order (GitHub:
 *    "Diffs are limited to 300 files. If there are files changed that aren't matched in the
 *    first 300 files returned by the filter, the workflow will not run."); the diff is git's,
 *    sorted by path, so the files after the 300th by path are not seen; an empty diff runs
 *    nothing ("If there are no files changed, the workflow will not run").
 * Which files changed is event.c's business (for a push that creates a branch: the diff from
 * the parent of the deepest commit pushed). When they are unknown (no git repository, an
 * unreadable history, a payload without before/after) or GitHub skips the comparison (more than
 * 1,000 commits pushed: "the workflow will always run"), path filters pass.
 */

#include <string.h>

#include "internal.h"
#include "util/glob.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"

bool plan_filter_match(const char *const *patterns, size_t n, const char *s)
{
    return glob_match_list(patterns, n, s, GLOB_FILTER);
}

/* The strings of a filter token (sequence of strings or one string); *n = 0 when absent. */
static const char **filter_list(const struct wf_token *t, size_t *n, struct vec *hold)
{
    vec_clear(hold);
    *n = 0;
    if (!t)
        return NULL;
    if (t->kind == WF_TOK_STRING) {
        vec_append(hold, &t->str);
    } else if (t->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < t->nitems; i++) {
            if (t->items[i]->kind == WF_TOK_STRING)
                vec_append(hold, &t->items[i]->str);
        }
    }
    *n = hold->len;
    return hold->items;
}

static void list_text(struct sbuf *out, const char *key, const struct wf_token *t)
{
    sbuf_addf(out, "%s: [", key);
    if (t && t->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < t->nitems; i++)
            sbuf_addf(out, "%s%s", i ? ", " : "", t->items[i]->str ? t->items[i]->str : "?");
    } else if (t && t->kind == WF_TOK_STRING) {
        sbuf_addstr(out, t->str);
    }
    sbuf_addch(out, ']');
}

/* include-list / ignore-list check of one name; returns true when it passes. */
static bool check_names(const struct wf_token *cfg, const char *inc_key, const char *ign_key,
                        const char *what, const char *name, struct sbuf *reason, struct vec *hold)
{
    const struct wf_token *inc = wf_tok_get(cfg, inc_key);
    const struct wf_token *ign = wf_tok_get(cfg, ign_key);
    size_t n = 0;
    if (inc) {
        const char **l = filter_list(inc, &n, hold);
        bool ok = plan_filter_match(l, n, name);
        sbuf_addf(reason, "%s '%s' %s ", what, name, ok ? "matches" : "does not match");
        list_text(reason, inc_key, inc);
        return ok;
    }
    if (ign) {
        const char **l = filter_list(ign, &n, hold);
        bool ignored = plan_filter_match(l, n, name);
        sbuf_addf(reason, "%s '%s' %s ", what, name, ignored ? "is ignored by" : "is not in");
        list_text(reason, ign_key, ign);
        return !ignored;
    }
    return true;
}

/* "12", or "first 300 of the 412" when GitHub's diff limit cuts the list. */
static void files_text(struct sbuf *out, size_t nfiles)
{
    if (nfiles > PLAN_PATHS_MAX_FILES)
        sbuf_addf(out, "first %d of the %zu", PLAN_PATHS_MAX_FILES, nfiles);
    else
        sbuf_addf(out, "%zu", nfiles);
}

static bool check_paths(const struct wf_token *cfg, const struct plan_event *ev,
                        struct sbuf *reason, struct vec *hold)
{
    const struct wf_token *inc = wf_tok_get(cfg, "paths");
    const struct wf_token *ign = wf_tok_get(cfg, "paths-ignore");
    if (!inc && !ign)
        return true;
    if (reason->len)
        sbuf_addstr(reason, "; ");
    if (!ev->changed_known) {
        if (ev->changed_note)
            sbuf_addstr(reason, ev->changed_note);
        else
            sbuf_addstr(reason, "changed files unknown, path filters pass");
        return true;
    }
    /* the paths of the first 300 files only, as GitHub reads the diff (0: unset, all) */
    size_t seen = ev->nchanged_filtered ? ev->nchanged_filtered : ev->nchanged;
    size_t nfiles = ev->nchanged_files ? ev->nchanged_files : ev->nchanged;
    size_t n = 0;
    if (inc) {
        const char **l = filter_list(inc, &n, hold);
        for (size_t i = 0; i < seen; i++) {
            if (plan_filter_match(l, n, ev->changed[i])) {
                sbuf_addf(reason, "changed file '%s' matches ", ev->changed[i]);
                list_text(reason, "paths", inc);
                return true;
            }
        }
        sbuf_addstr(reason, "none of the ");
        files_text(reason, nfiles);
        sbuf_addstr(reason, " changed files matches ");
        list_text(reason, "paths", inc);
        return false;
    }
    const char **l = filter_list(ign, &n, hold);
    for (size_t i = 0; i < seen; i++) {
        if (!plan_filter_match(l, n, ev->changed[i])) {
            sbuf_addf(reason, "changed file '%s' is not ignored by ", ev->changed[i]);
            list_text(reason, "paths-ignore", ign);
            return true;
        }
    }
    sbuf_addstr(reason, "all ");
    files_text(reason, nfiles);
    sbuf_addstr(reason, " changed files are ignored by ");
    list_text(reason, "paths-ignore", ign);
    return false;
}

static bool default_type(const char *event, const char *type)
{
    /* GitHub's defaults when `types` is absent: pull_request and pull_request_target trigger on
     * opened, synchronize and reopened only; every other event on all its types */
    if (!strcmp(event, "pull_request") || !strcmp(event, "pull_request_target"))
        return !type || !strcmp(type, "opened") || !strcmp(type, "synchronize") ||
               !strcmp(type, "reopened");
    return true;
}

static bool check_types(const struct wf_token *cfg, const struct plan_event *ev,
                        struct sbuf *reason, struct vec *hold)
{
    const struct wf_token *types = cfg ? wf_tok_get(cfg, "types") : NULL;
    if (!types) {
        if (default_type(ev->name, ev->type))
            return true;
        sbuf_addf(reason,
                  "activity type '%s' is not one of the default types "
                  "(opened, synchronize, reopened)",
                  ev->type);
        return false;
    }
    size_t n = 0;
    const char **l = filter_list(types, &n, hold);
    for (size_t i = 0; i < n; i++) {
        if (ev->type && !strcmp(l[i], ev->type))
            return true;
    }
    if (!ev->type)
        sbuf_addstr(reason, "no activity type given (--type, or \"action\" in the payload) for ");
    else
        sbuf_addf(reason, "activity type '%s' is not in ", ev->type);
    list_text(reason, "types", types);
    return false;
}

static const char *payload_str(const struct val *obj, const char *a, const char *b)
{
    if (obj->kind != VAL_OBJECT)
        return NULL;
    const struct val *v = val_object_find(obj->obj, a, strlen(a));
    if (v && b && v->kind == VAL_OBJECT)
        v = val_object_find(v->obj, b, strlen(b));
    else if (b)
        v = NULL;
    return v && v->kind == VAL_STRING ? v->s.p : NULL;
}

static bool match_event(const struct wf_token *cfg, const struct plan_event *ev,
                        struct sbuf *reason, struct vec *hold)
{
    if (cfg && cfg->kind != WF_TOK_MAPPING)
        cfg = NULL;
    if (!check_types(cfg, ev, reason, hold))
        return false;
    if (!cfg)
        return true;
    if (!strcmp(ev->name, "push")) {
        bool is_tag = str_has_prefix(ev->ref, "refs/tags/");
        bool has_branch = wf_tok_get(cfg, "branches") || wf_tok_get(cfg, "branches-ignore");
        bool has_tag = wf_tok_get(cfg, "tags") || wf_tok_get(cfg, "tags-ignore");
        if (is_tag) {
            if (has_branch && !has_tag) {
                sbuf_addf(reason, "tag push '%s' but only branch filters are set", ev->ref_name);
                return false;
            }
            /* path filters are not evaluated for tag pushes */
            return check_names(cfg, "tags", "tags-ignore", "tag", ev->ref_name, reason, hold);
        }
        if (has_tag && !has_branch) {
            sbuf_addf(reason, "branch push '%s' but only tag filters are set", ev->ref_name);
            return false;
        }
        if (!check_names(cfg, "branches", "branches-ignore", "branch", ev->ref_name, reason, hold))
            return false;
        return check_paths(cfg, ev, reason, hold);
    }
    if (!strcmp(ev->name, "pull_request") || !strcmp(ev->name, "pull_request_target")) {
        const char *base = ev->base_ref && *ev->base_ref ? ev->base_ref : "";
        if (!check_names(cfg, "branches", "branches-ignore", "base branch", base, reason, hold))
            return false;
        return check_paths(cfg, ev, reason, hold);
    }
    if (!strcmp(ev->name, "workflow_run")) {
        const struct wf_token *wfs = wf_tok_get(cfg, "workflows");
        const char *name = payload_str(&ev->payload, "workflow_run", "name");
        if (!name)
            name = payload_str(&ev->payload, "workflow", "name");
        if (wfs) {
            size_t n = 0;
            const char **l = filter_list(wfs, &n, hold);
            bool ok = false;
            for (size_t i = 0; i < n && !ok; i++)
                ok = name && (!strcmp(l[i], name) || glob_match_str(l[i], name, GLOB_FILTER));
            if (!ok) {
                sbuf_addf(reason, "workflow '%s' is not in ", name ? name : "");
                list_text(reason, "workflows", wfs);
                return false;
            }
        }
        const char *branch = payload_str(&ev->payload, "workflow_run", "head_branch");
        return check_names(cfg, "branches", "branches-ignore", "head branch", branch ? branch : "",
                           reason, hold);
    }
    return true;
}

bool plan_on_matches(const struct wf *wf, const struct plan_event *ev, struct sbuf *reason)
{
    const struct wf_token *on = wf ? wf->on : NULL;
    struct vec hold = VEC_INIT(const char *);
    bool ok = false;
    if (!on) {
        sbuf_addstr(reason, "the workflow has no 'on:'");
        goto done;
    }
    if (on->kind == WF_TOK_STRING) {
        ok = !strcmp(on->str, ev->name);
        if (ok)
            ok = match_event(NULL, ev, reason, &hold);
    } else if (on->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < on->nitems && !ok; i++) {
            if (on->items[i]->kind == WF_TOK_STRING && !strcmp(on->items[i]->str, ev->name))
                ok = match_event(NULL, ev, reason, &hold);
        }
    } else if (on->kind == WF_TOK_MAPPING) {
        const struct wf_token *cfg = NULL;
        bool listed = false;
        for (size_t i = 0; i < on->npairs; i++) {
            const struct wf_token *k = on->pairs[i].key;
            if (k->kind == WF_TOK_STRING && !strcmp(k->str, ev->name)) {
                listed = true;
                cfg = on->pairs[i].value;
            }
        }
        if (listed)
            ok = match_event(cfg, ev, reason, &hold);
        else
            goto not_listed;
        goto done;
    }
    if (ok || reason->len)
        goto done;
not_listed:
    sbuf_addf(reason, "'%s' is not among the workflow's events (", ev->name);
    if (on->kind == WF_TOK_STRING) {
        sbuf_addstr(reason, on->str);
    } else if (on->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < on->nitems; i++)
            sbuf_addf(reason, "%s%s", i ? ", " : "", on->items[i]->str ? on->items[i]->str : "?");
    } else {
        for (size_t i = 0; i < on->npairs; i++)
            sbuf_addf(reason, "%s%s", i ? ", " : "",
                      on->pairs[i].key->str ? on->pairs[i].key->str : "?");
    }
    sbuf_addch(reason, ')');
done:
    if (ok && !reason->len)
        sbuf_addf(reason, "on: %s", ev->name);
    vec_release(&hold);
    return ok;
}
