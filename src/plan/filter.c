/*
 * Whether an event triggers a workflow, with GitHub's filter semantics (docs.github.com,
 * "Workflow syntax": on.<push|pull_request>.<branches|tags|paths>, and "Events that trigger
 * workflows"):
 *   - branches / tags: the ref must match the list; patterns run in order, a '!' pattern
 *     excludes, the last match wins. branches-ignore / tags-ignore: a match excludes.
 *   - when only branch filters exist a tag push does not trigger, and the other way round;
 *     with neither, every ref triggers.
 *   - paths: at least one changed file must be included (the list with '!' per file);
 *     paths-ignore: the event is skipped only when every changed file is ignored. Path filters
 *     are not evaluated for tag pushes, and pass when the changed files are unknown.
 *   - pull_request filters the base branch; its default types are opened, synchronize and
 *     reopened. types elsewhere must contain the payload's action.
 *   - workflow_run: workflows lists the triggering workflow's name; branches its head branch.
 */
#include "plan/plan.h"

#include <stdarg.h>
#include <string.h>

#include "util/glob.h"
#include "util/str.h"

bool plan_filter_ref(const struct wf_strlist *include, const struct wf_strlist *ignore,
                     const char *name)
{
    if (include && include->present)
        return glob_match_list(include->items, include->n, name, GLOB_FILTER);
    if (ignore && ignore->present)
        return !glob_match_list(ignore->items, ignore->n, name, GLOB_FILTER);
    return true;
}

bool plan_filter_paths(const struct wf_strlist *include, const struct wf_strlist *ignore,
                       const char *const *files, size_t nfiles)
{
    if (include && include->present) {
        for (size_t i = 0; i < nfiles; i++) {
            if (glob_match_list(include->items, include->n, files[i], GLOB_FILTER))
                return true;
        }
        return false;
    }
    if (ignore && ignore->present) {
        for (size_t i = 0; i < nfiles; i++) {
            if (!glob_match_list(ignore->items, ignore->n, files[i], GLOB_FILTER))
                return true;
        }
        return nfiles == 0;
    }
    return true;
}

static bool list_has(const struct wf_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

static void say(struct sbuf *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct sbuf *why, const char *fmt, ...)
{
    if (!why)
        return;
    va_list ap;
    va_start(ap, fmt);
    sbuf_setlen(why, 0);
    sbuf_vaddf(why, fmt, ap);
    va_end(ap);
}

bool plan_filter_triggers(const struct wf *wf, const struct plan_event *ev, struct sbuf *why)
{
    const struct wf_event *e = wf_find_event(wf, ev->name);
    if (!e) {
        say(why, "not triggered: the workflow has no '%s' event", ev->name);
        return false;
    }
    bool is_pr =
        strcmp(ev->name, "pull_request") == 0 || strcmp(ev->name, "pull_request_target") == 0;
    /* activity types */
    if (e->types.present) {
        const char *action = ev->action ? ev->action : "";
        if (!list_has(&e->types, action)) {
            say(why, "not triggered: activity type '%s' is not in types", action);
            return false;
        }
    } else if (is_pr && ev->action && strcmp(ev->action, "opened") != 0 &&
               strcmp(ev->action, "synchronize") != 0 && strcmp(ev->action, "reopened") != 0) {
        say(why,
            "not triggered: pull_request runs on opened, synchronize and reopened by default, "
            "not '%s'",
            ev->action);
        return false;
    }
    if (strcmp(ev->name, "workflow_run") == 0 && e->workflows.present) {
        const char *name = ev->workflow_run_name ? ev->workflow_run_name : "";
        if (!list_has(&e->workflows, name)) {
            say(why, "not triggered: workflow '%s' is not in workflows", name);
            return false;
        }
    }
    /* refs */
    const char *ref = ev->ref ? ev->ref : "";
    bool is_tag = str_has_prefix(ref, "refs/tags/");
    const char *name = NULL;
    if (is_pr)
        name = ev->base_ref ? ev->base_ref : "";
    else if (str_has_prefix(ref, "refs/heads/"))
        name = ref + 11;
    else if (is_tag)
        name = ref + 10;
    else
        name = ref;
    bool has_branch = e->branches.present || e->branches_ignore.present;
    bool has_tag = e->tags.present || e->tags_ignore.present;
    if (is_tag && !has_tag && has_branch && !is_pr) {
        say(why, "not triggered: tag '%s' pushed but only branch filters are set", name);
        return false;
    }
    if (!is_tag && has_tag && !has_branch && !is_pr) {
        say(why, "not triggered: branch '%s' pushed but only tag filters are set", name);
        return false;
    }
    if (is_tag && has_tag && !plan_filter_ref(&e->tags, &e->tags_ignore, name)) {
        say(why, "not triggered: tag '%s' does not pass the tags filters", name);
        return false;
    }
    if (!is_tag && has_branch && !plan_filter_ref(&e->branches, &e->branches_ignore, name)) {
        say(why, "not triggered: branch '%s' does not pass the branches filters", name);
        return false;
    }
    /* paths */
    bool has_paths = e->paths.present || e->paths_ignore.present;
    if (has_paths && !is_tag && ev->changed_known &&
        !plan_filter_paths(&e->paths, &e->paths_ignore, (const char *const *)ev->changed.items,
                           ev->changed.len)) {
        say(why, "not triggered: no changed file passes the paths filters");
        return false;
    }
    if (why) {
        sbuf_setlen(why, 0);
        sbuf_addf(why, "triggered by %s", ev->name);
        if (name && *name && !is_pr)
            sbuf_addf(why, " on %s '%s'", is_tag ? "tag" : "branch", name);
        else if (is_pr)
            sbuf_addf(why, " into '%s'", name);
        if (has_paths && !is_tag && ev->changed_known)
            sbuf_addf(why, " (%zu changed file%s, the paths filters pass)", ev->changed.len,
                      ev->changed.len == 1 ? "" : "s");
        else if (has_paths && !is_tag)
            sbuf_addstr(why, " (changed files unknown: paths filters not evaluated)");
    }
    return true;
}
