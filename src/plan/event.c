/*
 * The event of a local run, as GitHub would deliver it.
 *
 * Payload shapes follow GitHub's webhook documentation ("Webhook events and payloads") for the
 * fields a workflow can reasonably read; refs and shas follow the GITHUB_SHA / GITHUB_REF
 * columns of "Events that trigger workflows":
 *   push               ref pushed, sha = after = HEAD, before = HEAD's parent (or --before)
 *   pull_request, pull_request_review(_comment)
 *                      refs/pull/<n>/merge, sha HEAD, head_ref the current branch, base_ref
 *                      --base (default: the default branch); changed files = merge-base...HEAD
 *   pull_request_target  as pull_request, but ref and sha are the default branch and its last
 *                      commit (github.com since December 2025 and GHES 3.20; older GHES and
 *                      act use the PR's base branch, which is the default branch unless --base
 *                      names another)
 *   workflow_dispatch  the current branch and HEAD, inputs from --input
 *   workflow_call      the caller's ref and sha (here: the current ones), inputs from the payload
 *   workflow_run, schedule, delete, issues, issue_comment and the other events whose row says
 *   "Last commit on default branch | Default branch" (default_branch_events below)
 *                      the default branch (origin/HEAD, else main, else master, else the
 *                      current branch) and its last commit; workflow_run's payload
 *                      {workflow_run: {name, conclusion, head_sha, ...}}, schedule's
 *                      {schedule: <the workflow's first cron>}
 * With -e FILE the file is the payload and ref/sha/head_ref/base_ref are read from it the way
 * act reads them, falling back to the repository's values; the default-branch events take the
 * payload's repository.default_branch (as act) and that branch's last commit.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "internal.h"
#include "util/json.h"
#include "util/sbuf.h"
#include "util/str.h"

#define ZERO_SHA "0000000000000000000000000000000000000000"
/* GitHub's push payload lists at most this many commits */
#define PLAN_PUSH_COMMITS_MAX 2048

static struct val sv(struct arena *a, const char *s)
{
    return val_string(a, s ? s : "", s ? strlen(s) : 0);
}

static void set(struct arena *a, struct val o, const char *k, struct val v)
{
    val_object_set(a, o, k, strlen(k), v);
}

static const struct val *get(const struct val *o, const char *k)
{
    if (!o || o->kind != VAL_OBJECT)
        return NULL;
    return val_object_find(o->obj, k, strlen(k));
}

static const char *get_str(const struct val *o, const char *k)
{
    const struct val *v = get(o, k);
    return v && v->kind == VAL_STRING ? v->s.p : NULL;
}

static const char *fmt(struct arena *a, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(struct arena *a, const char *f, ...)
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

static const char *full_name(struct plan *p)
{
    return fmt(&p->arena, "%s/%s", p->repo.owner, p->repo.name);
}

static struct val user_obj(struct arena *a, const char *login)
{
    struct val u = val_new_object(a);
    set(a, u, "login", sv(a, login));
    set(a, u, "name", sv(a, login));
    set(a, u, "type", sv(a, "User"));
    return u;
}

static struct val repository_obj(struct plan *p)
{
    struct arena *a = &p->arena;
    const char *full = full_name(p);
    struct val r = val_new_object(a);
    set(a, r, "name", sv(a, p->repo.name));
    set(a, r, "full_name", sv(a, full));
    set(a, r, "owner", user_obj(a, p->repo.owner));
    set(a, r, "private", val_bool(false));
    set(a, r, "fork", val_bool(false));
    set(a, r, "html_url", sv(a, fmt(a, "https://github.com/%s%s", full, "")));
    set(a, r, "url", sv(a, fmt(a, "https://api.github.com/repos/%s%s", full, "")));
    set(a, r, "clone_url", sv(a, fmt(a, "https://github.com/%s%s", full, ".git")));
    set(a, r, "default_branch", sv(a, p->repo.default_branch));
    set(a, r, "master_branch", sv(a, p->repo.default_branch));
    return r;
}

static struct val person(struct arena *a, const char *name, const char *email, const char *login)
{
    struct val o = val_new_object(a);
    set(a, o, "name", sv(a, name));
    set(a, o, "email", sv(a, email));
    if (login)
        set(a, o, "username", sv(a, login));
    return o;
}

static struct val commit_obj(struct plan *p, const struct plan_commit *c,
                             const struct plan_change *ch, size_t nch)
{
    struct arena *a = &p->arena;
    struct val o = val_new_object(a);
    set(a, o, "id", sv(a, c->sha));
    set(a, o, "tree_id", sv(a, c->tree_sha));
    set(a, o, "distinct", val_bool(true));
    set(a, o, "message", sv(a, c->message));
    set(a, o, "timestamp", sv(a, c->timestamp));
    set(a, o, "url", sv(a, fmt(a, "https://github.com/%s/commit/%s", full_name(p), c->sha)));
    set(a, o, "author", person(a, c->author_name, c->author_email, NULL));
    set(a, o, "committer", person(a, c->committer_name, c->committer_email, NULL));
    struct val added = val_new_array(a);
    struct val removed = val_new_array(a);
    struct val modified = val_new_array(a);
    for (size_t i = 0; i < nch; i++) {
        struct val path = sv(a, ch[i].path);
        if (ch[i].status == 'A')
            val_array_push(a, added, path);
        else if (ch[i].status == 'D')
            val_array_push(a, removed, path);
        else
            val_array_push(a, modified, path);
    }
    set(a, o, "added", added);
    set(a, o, "removed", removed);
    set(a, o, "modified", modified);
    return o;
}

static void short_ref(struct plan_event *ev, struct arena *a)
{
    const char *r = ev->ref ? ev->ref : "";
    if (str_has_prefix(r, "refs/heads/")) {
        ev->ref_name = arena_strdup(a, r + 11);
        ev->ref_type = "branch";
    } else if (str_has_prefix(r, "refs/tags/")) {
        ev->ref_name = arena_strdup(a, r + 10);
        ev->ref_type = "tag";
    } else if (str_has_prefix(r, "refs/pull/")) {
        ev->ref_name = arena_strdup(a, r + 10);
        ev->ref_type = "branch";
    } else {
        ev->ref_name = r;
        ev->ref_type = *r ? "branch" : "";
    }
}

/*
 * ev->changed from a diff's paths, and how many of them the path filters read: the paths of the
 * first PLAN_PATHS_MAX_FILES files, in the diff's order (GitHub: "Diffs are limited to 300
 * files. If there are files changed that aren't matched in the first 300 files returned by the
 * filter, the workflow will not run.").
 */
static void set_changed(struct plan *p, struct vec *changes, const char *base)
{
    struct plan_event *ev = &p->event;
    ev->nchanged = changes->len;
    ev->changed = arena_alloc(&p->arena, (changes->len + 1) * sizeof(char *));
    ev->nchanged_files = 0;
    ev->nchanged_filtered = 0;
    for (size_t i = 0; i < changes->len; i++) {
        const struct plan_change *c = vec_at(changes, i);
        ev->changed[i] = c->path;
        if (!c->is_old_name)
            ev->nchanged_files++;
        if (ev->nchanged_files <= PLAN_PATHS_MAX_FILES)
            ev->nchanged_filtered = i + 1;
    }
    ev->changed_known = true;
    ev->diff_base = base;
}

static void warn(struct plan *p, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct plan *p, const char *f, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, f);
    sbuf_vaddf(&sb, f, ap);
    va_end(ap);
    const char *s = arena_strndup(&p->arena, sb.buf, sb.len);
    sbuf_release(&sb);
    vec_append(&p->warnings, &s);
}

/*
 * The events whose GITHUB_REF is the default branch and GITHUB_SHA its last commit ("Events that
 * trigger workflows": "Default branch" / "Last commit on default branch"), pull_request_target
 * included (github.com), sorted.
 */
static const char *const default_branch_events[] = {
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "delete",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request_target",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_run",
};

static bool on_default_branch(const char *event)
{
    size_t n = sizeof(default_branch_events) / sizeof(default_branch_events[0]);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(default_branch_events[i], event))
            return true;
    }
    return false;
}

/* ref = refs/heads/<branch>, sha = its last commit (HEAD's when it cannot be resolved). */
static void use_branch(struct plan *p, const char *branch)
{
    struct plan_event *ev = &p->event;
    ev->ref = fmt(&p->arena, "refs/heads/%s%s", branch, "");
    const char *sha = NULL;
    struct err e = ERR_INIT;
    if (p->repo.is_git && plan_repo_resolve(&sha, &p->arena, &p->repo, branch, &e) == 0)
        ev->sha = sha;
}

/* Changed files between two commits; leaves changed_known false when they cannot be known. */
static void diff_commits(struct plan *p, struct vec *changes, const char *from, const char *to)
{
    struct err e = ERR_INIT;
    if (!p->repo.is_git || !to || !strcmp(to, ZERO_SHA) || (from && !strcmp(from, ZERO_SHA)))
        return;
    if (plan_repo_changed(changes, &p->arena, &p->repo, from, to, &e)) {
        warn(p, "changed files unknown: %s%s", e.msg, "");
        vec_clear(changes);
        return;
    }
    set_changed(p, changes, from);
}

/*
 * The changed files of a push, as GitHub's path filters see them (workflow syntax, on.push.paths,
 * "Git diff comparisons"): a push to an existing branch is the two-dot diff before..after; a
 * push that creates the ref (before = zeros) is "a two-dot diff against the parent of the
 * ancestor of the deepest commit pushed", read here as: the commits pushed are those reachable
 * from after and from no other reference; the diff runs from the first parent of the deepest
 * (oldest) of them, or from the empty tree when that is a root commit, to after; a new ref at a
 * commit that is already on another one pushes no commit and changes no file. More than 1,000
 * commits pushed: GitHub always runs the workflow, so the files count as unknown. Appends the
 * pushed commits (at most PLAN_PUSH_COMMITS_MAX, oldest first) to log when it is not NULL.
 */
static void push_changed(struct plan *p, struct vec *changes, struct vec *log)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    struct err e = ERR_INIT;
    struct vec pushed = VEC_INIT(char[41]);
    const char *from = ev->before;
    if (!p->repo.is_git || !ev->before || !ev->after || !strcmp(ev->after, ZERO_SHA))
        return;
    if (!strcmp(ev->before, ZERO_SHA)) {
        if (plan_repo_new_commits(&pushed, &p->repo, ev->after, ev->ref, &e)) {
            warn(p, "changed files unknown: %s%s", e.msg, "");
            goto done;
        }
        from = ev->after; /* no commit pushed: nothing changed */
        if (pushed.len && plan_repo_parent(&from, a, &p->repo, vec_at(&pushed, 0), &e)) {
            warn(p, "changed files unknown: %s%s", e.msg, "");
            goto done;
        }
    }
    size_t total = 0;
    struct vec none = VEC_INIT(struct plan_log_entry);
    int rc = plan_repo_log(log ? log : &none, &total, a, &p->repo, from, ev->after,
                           log ? PLAN_PUSH_COMMITS_MAX : 0, &e);
    vec_release(&none);
    if (rc) {
        warn(p, "changed files unknown: %s%s", e.msg, "");
        goto done;
    }
    if (total > PLAN_PATHS_MAX_COMMITS) {
        ev->changed_note = fmt(a, "%zu commits pushed, more than GitHub's %d: path filters pass",
                               total, PLAN_PATHS_MAX_COMMITS);
        goto done;
    }
    if (from == ev->after) {
        set_changed(p, changes, from);
        goto done;
    }
    diff_commits(p, changes, from, ev->after);
done:
    vec_release(&pushed);
}

static int synth_push(struct plan *p, const struct plan_opts *o, struct err *err)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    struct vec changes = VEC_INIT(struct plan_change);
    int rc = 0;
    ev->ref = p->repo.ref ? p->repo.ref : "";
    ev->after = ev->sha;
    if (o->before && !strcmp(o->before, ZERO_SHA)) {
        ev->before = ZERO_SHA; /* a push that creates the ref */
    } else if (o->before) {
        rc = plan_repo_resolve(&ev->before, a, &p->repo, o->before, err);
        if (rc)
            goto done;
    } else if (p->repo.is_git && strcmp(ev->sha, ZERO_SHA)) {
        const char *parent = NULL;
        rc = plan_repo_parent(&parent, a, &p->repo, ev->sha, err);
        if (rc)
            goto done;
        ev->before = parent ? parent : ZERO_SHA;
    } else {
        ev->before = ZERO_SHA;
    }
    struct vec log = VEC_INIT(struct plan_log_entry);
    push_changed(p, &changes, &log);
    struct val pl = val_new_object(a);
    set(a, pl, "ref", sv(a, ev->ref));
    set(a, pl, "before", sv(a, ev->before));
    set(a, pl, "after", sv(a, ev->after));
    set(a, pl, "base_ref", val_null());
    set(a, pl, "created", val_bool(!strcmp(ev->before, ZERO_SHA)));
    set(a, pl, "deleted", val_bool(false));
    set(a, pl, "forced", val_bool(false));
    set(a, pl, "compare",
        sv(a, fmt(a, "https://github.com/%s/compare/%s", full_name(p),
                  fmt(a, "%.12s...%.12s", ev->before, ev->after))));
    /* commits: those pushed (after not reachable from before; for a new ref, those after the
     * base of its diff), oldest first, at most the 2048 GitHub lists, each with its own
     * added/removed/modified; head_commit is the last. */
    struct val head = val_null();
    struct val commits = val_new_array(a);
    for (size_t i = 0; i < log.len; i++) {
        const struct plan_log_entry *e = vec_at(&log, i);
        head = commit_obj(p, &e->commit, e->changes, e->nchanges);
        val_array_push(a, commits, head);
    }
    vec_release(&log);
    if (head.kind == VAL_NULL && strcmp(ev->sha, ZERO_SHA)) {
        head = commit_obj(p, &p->repo.head, changes.items, changes.len);
        val_array_push(a, commits, head);
    }
    set(a, pl, "commits", commits);
    set(a, pl, "head_commit", head);
    set(a, pl, "pusher", person(a, ev->actor, p->repo.user_email ? p->repo.user_email : "", NULL));
    set(a, pl, "repository", repository_obj(p));
    set(a, pl, "sender", user_obj(a, ev->actor));
    ev->payload = pl;
done:
    vec_release(&changes);
    return rc;
}

static struct val pr_side(struct plan *p, const char *ref, const char *sha)
{
    struct arena *a = &p->arena;
    struct val s = val_new_object(a);
    set(a, s, "ref", sv(a, ref));
    set(a, s, "sha", sv(a, sha));
    set(a, s, "label", sv(a, fmt(a, "%s:%s", p->repo.owner, ref)));
    set(a, s, "user", user_obj(a, p->repo.owner));
    set(a, s, "repo", repository_obj(p));
    return s;
}

static int synth_pull_request(struct plan *p, const struct plan_opts *o, struct err *err)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    struct vec changes = VEC_INIT(struct plan_change);
    int rc = 0;
    const char *base = o->base_ref ? o->base_ref : p->repo.default_branch;
    if (str_has_prefix(base, "refs/heads/"))
        base += 11;
    const char *head = p->repo.branch ? p->repo.branch : "HEAD";
    const char *head_sha = ev->sha;
    ev->head_ref = arena_strdup(a, head);
    ev->base_ref = arena_strdup(a, base);
    ev->ref = "refs/pull/1/merge";
    if (!ev->type)
        ev->type = !strcmp(ev->name, "pull_request_review")           ? "submitted"
                   : !strcmp(ev->name, "pull_request_review_comment") ? "created"
                                                                      : "opened";
    const char *base_sha = ZERO_SHA;
    if (p->repo.is_git) {
        struct err e = ERR_INIT;
        if (plan_repo_resolve(&base_sha, a, &p->repo, base, &e)) {
            if (o->base_ref) {
                rc = err_set(err, ERR_NOTFOUND, "--base: %s", e.msg);
                goto done;
            }
            warn(p, "pull_request base '%s' not found: changed files unknown%s", base, "");
            base_sha = ZERO_SHA;
        } else {
            const char *mb = NULL;
            if (plan_repo_merge_base(&mb, a, &p->repo, base_sha, head_sha, &e) == 0 && mb)
                diff_commits(p, &changes, mb, head_sha);
        }
    }
    /* pull_request_target runs in the context of the default branch: its ref and last commit */
    if (!strcmp(ev->name, "pull_request_target"))
        use_branch(p, p->repo.default_branch);
    struct val pr = val_new_object(a);
    set(a, pr, "number", val_number(1));
    set(a, pr, "state", sv(a, "open"));
    const char *title = p->repo.head.message ? p->repo.head.message : "";
    const char *nl = strchr(title, '\n');
    set(a, pr, "title", nl ? val_string(a, title, (size_t)(nl - title)) : sv(a, title));
    set(a, pr, "body", val_null());
    set(a, pr, "user", user_obj(a, ev->actor));
    set(a, pr, "draft", val_bool(false));
    set(a, pr, "merged", val_bool(false));
    set(a, pr, "html_url", sv(a, fmt(a, "https://github.com/%s/pull/%s", full_name(p), "1")));
    set(a, pr, "head", pr_side(p, head, head_sha));
    set(a, pr, "base", pr_side(p, base, base_sha));
    set(a, pr, "changed_files", val_number((double)changes.len));
    struct val pl = val_new_object(a);
    set(a, pl, "action", sv(a, ev->type));
    set(a, pl, "number", val_number(1));
    set(a, pl, "pull_request", pr);
    set(a, pl, "repository", repository_obj(p));
    set(a, pl, "sender", user_obj(a, ev->actor));
    ev->payload = pl;
done:
    vec_release(&changes);
    return rc;
}

static void synth_other(struct plan *p, const struct plan_opts *o)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    struct val pl = val_new_object(a);
    const char *name = ev->name;
    const char *head_sha = ev->sha; /* the triggering run's commit (workflow_run) */
    if (on_default_branch(name))
        use_branch(p, p->repo.default_branch);
    else
        ev->ref = p->repo.ref ? p->repo.ref : "";
    if (!strcmp(name, "workflow_run")) {
        if (!ev->type)
            ev->type = "completed";
        struct val run = val_new_object(a);
        set(a, run, "id", val_number(1));
        set(a, run, "name", sv(a, o->run_workflow ? o->run_workflow : ""));
        set(a, run, "event", sv(a, o->run_event ? o->run_event : "push"));
        set(a, run, "status", sv(a, !strcmp(ev->type, "completed") ? "completed" : ev->type));
        set(a, run, "conclusion",
            !strcmp(ev->type, "completed")
                ? sv(a, o->run_conclusion ? o->run_conclusion : "success")
                : val_null());
        set(a, run, "head_branch", sv(a, p->repo.branch ? p->repo.branch : p->repo.default_branch));
        set(a, run, "head_sha", sv(a, head_sha));
        set(a, run, "run_number", val_number(1));
        set(a, run, "run_attempt", val_number(1));
        set(a, run, "html_url",
            sv(a, fmt(a, "https://github.com/%s/actions/runs/%s", full_name(p), "1")));
        set(a, run, "head_commit", commit_obj(p, &p->repo.head, NULL, 0));
        set(a, run, "repository", repository_obj(p));
        struct val wfo = val_new_object(a);
        set(a, wfo, "name", sv(a, o->run_workflow ? o->run_workflow : ""));
        set(a, pl, "action", sv(a, ev->type));
        set(a, pl, "workflow_run", run);
        set(a, pl, "workflow", wfo);
    } else if (!strcmp(name, "workflow_dispatch")) {
        set(a, pl, "inputs", val_new_object(a));
        set(a, pl, "ref", sv(a, ev->ref));
    } else if (!strcmp(name, "workflow_call")) {
        set(a, pl, "inputs", val_new_object(a));
    } else if (ev->type) {
        set(a, pl, "action", sv(a, ev->type));
    }
    set(a, pl, "repository", repository_obj(p));
    set(a, pl, "sender", user_obj(a, ev->actor));
    ev->payload = pl;
}

/* act's setRefAndSha, for a payload read from a file. */
static void from_payload(struct plan *p)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    const struct val *pl = &ev->payload;
    const char *name = ev->name;
    ev->ref = p->repo.ref ? p->repo.ref : "";
    const char *action = get_str(pl, "action");
    if (action && !ev->type)
        ev->type = action;
    if (!strcmp(name, "pull_request") || !strcmp(name, "pull_request_target") ||
        !strcmp(name, "pull_request_review") || !strcmp(name, "pull_request_review_comment")) {
        const struct val *num = get(pl, "number");
        if (num && num->kind == VAL_NUMBER) {
            struct sbuf sb = SBUF_INIT;
            sbuf_addstr(&sb, "refs/pull/");
            val_to_sbuf(&sb, num);
            sbuf_addstr(&sb, "/merge");
            ev->ref = arena_strndup(a, sb.buf, sb.len);
            sbuf_release(&sb);
        }
        const struct val *pr = get(pl, "pull_request");
        const char *h = get_str(get(pr, "head"), "ref");
        const char *b = get_str(get(pr, "base"), "ref");
        ev->head_ref = h ? h : "";
        ev->base_ref = b ? b : "";
        if (!ev->type)
            ev->type = "opened";
    } else if (!strcmp(name, "push") || !strcmp(name, "create") || !strcmp(name, "delete")) {
        const char *r = get_str(pl, "ref");
        if (r && *r) {
            const char *rt = get_str(pl, "ref_type");
            if (!str_has_prefix(r, "refs/") && rt)
                r = fmt(a, !strcmp(rt, "tag") ? "refs/tags/%s%s" : "refs/heads/%s%s", r, "");
            ev->ref = r;
        }
        const char *after = get_str(pl, "after");
        if (after && strlen(after) == 40)
            ev->sha = after;
        ev->before = get_str(pl, "before");
        ev->after = after;
    } else if (!strcmp(name, "release")) {
        const char *tag = get_str(get(pl, "release"), "tag_name");
        if (tag)
            ev->ref = fmt(a, "refs/tags/%s%s", tag, "");
    } else if (!strcmp(name, "deployment") || !strcmp(name, "deployment_status")) {
        const struct val *d = get(pl, "deployment");
        const char *r = get_str(d, "ref");
        const char *s = get_str(d, "sha");
        if (r)
            ev->ref = r;
        if (s)
            ev->sha = s;
    } else if (!strcmp(name, "workflow_dispatch")) {
        const char *r = get_str(pl, "ref");
        if (r && *r)
            ev->ref = r;
    }
    if (on_default_branch(name)) {
        /* pull_request_target too: github.com runs it on the default branch (act: the base) */
        const char *b = get_str(get(pl, "repository"), "default_branch");
        use_branch(p, b && *b ? b : p->repo.default_branch);
    }
    if (!strcmp(name, "push") && ev->before && ev->after) {
        struct vec changes = VEC_INIT(struct plan_change);
        push_changed(p, &changes, NULL);
        vec_release(&changes);
    }
}

/* The events that trigger workflows (GitHub docs, "Events that trigger workflows"). */
static const char *const github_events[] = {
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_call",
    "workflow_dispatch",
    "workflow_run",
};

int plan_event_build(struct plan *p, const struct plan_opts *o, struct err *err)
{
    struct arena *a = &p->arena;
    struct plan_event *ev = &p->event;
    int rc = 0;
    cJSON *json = NULL;
    ev->name = o->event_name && *o->event_name ? arena_strdup(a, o->event_name) : "push";
    ev->type = o->event_type ? arena_strdup(a, o->event_type) : NULL;
    bool known = false;
    for (size_t i = 0; i < sizeof(github_events) / sizeof(github_events[0]) && !known; i++)
        known = !strcmp(github_events[i], ev->name);
    if (!known)
        warn(p, "'%s' is not an event that triggers GitHub workflows", ev->name);
    ev->sha = p->repo.sha;
    ev->head_ref = "";
    ev->base_ref = "";
    if (o->actor && *o->actor) {
        ev->actor = arena_strdup(a, o->actor);
    } else if (p->repo.user_name && *p->repo.user_name) {
        ev->actor = p->repo.user_name;
    } else {
        const char *u = getenv("USER");
        ev->actor = arena_strdup(a, u && *u ? u : "runnel");
    }
    if (o->event_path) {
        rc = json_load(&json, o->event_path, 64u << 20, err);
        if (rc)
            goto done;
        if (!cJSON_IsObject(json)) {
            rc = err_set(err, ERR_INVALID, "%s: the event payload must be a JSON object",
                         o->event_path);
            goto done;
        }
        ev->payload = val_from_json(a, json);
        ev->from_file = true;
        from_payload(p);
    } else if (!strcmp(ev->name, "push")) {
        rc = synth_push(p, o, err);
    } else if (!strcmp(ev->name, "pull_request") || !strcmp(ev->name, "pull_request_target") ||
               !strcmp(ev->name, "pull_request_review") ||
               !strcmp(ev->name, "pull_request_review_comment")) {
        rc = synth_pull_request(p, o, err);
    } else {
        synth_other(p, o);
    }
    if (rc)
        goto done;
    /* --input k=v joins the payload's inputs (workflow_dispatch and workflow_call), as act */
    if (o->ninputs) {
        const struct val *in = get(&ev->payload, "inputs");
        struct val inputs = in && in->kind == VAL_OBJECT ? *in : val_new_object(a);
        for (size_t i = 0; i < o->ninputs; i++)
            set(a, inputs, o->inputs[i].name, sv(a, o->inputs[i].value));
        set(a, ev->payload, "inputs", inputs);
    }
    short_ref(ev, a);
done:
    cJSON_Delete(json);
    return rc;
}

/* ---- inputs ---- */

static const struct wf_token *declared_inputs(const struct wf *wf, const char *event)
{
    if (!wf || !wf->on || wf->on->kind != WF_TOK_MAPPING)
        return NULL;
    const struct wf_token *e = wf_tok_get(wf->on, event);
    if (!e || e->kind != WF_TOK_MAPPING)
        return NULL;
    const struct wf_token *in = wf_tok_get(e, "inputs");
    return in;
}

static int bad_input(struct err *err, const char *path, const char *name, const char *what,
                     const char *value)
{
    return err_set(err, ERR_INVALID, "%s: input '%s' %s, got '%s'", path, name, what, value);
}

/* Converts one value to the input's declared type (GitHub: boolean, number, string, choice,
 * environment). Returns 0 or ERR_INVALID. */
static int typed(struct val *v, struct arena *a, const char *type, const struct wf_token *spec,
                 const char *where, const char *name, struct err *err)
{
    struct sbuf text = SBUF_INIT;
    int rc = 0;
    val_to_sbuf(&text, v);
    if (!strcmp(type, "boolean")) {
        if (v->kind == VAL_STRING) {
            if (!str_casecmp(text.buf, "true"))
                *v = val_bool(true);
            else if (!str_casecmp(text.buf, "false") || !text.len)
                *v = val_bool(false);
            else
                rc = bad_input(err, where, name, "must be a boolean (true or false)", text.buf);
        } else if (v->kind != VAL_BOOL) {
            *v = val_bool(val_is_truthy(v));
        }
    } else if (!strcmp(type, "number")) {
        if (v->kind == VAL_NULL) {
            *v = val_number(0);
        } else if (v->kind != VAL_NUMBER) {
            double d = val_parse_number(text.buf, text.len);
            if (d != d || !text.len)
                rc = bad_input(err, where, name, "must be a number", text.buf);
            else
                *v = val_number(d);
        }
    } else {
        if (!strcmp(type, "choice") && v->kind != VAL_NULL) {
            const struct wf_token *opts = spec ? wf_tok_get(spec, "options") : NULL;
            bool ok = !opts;
            for (size_t k = 0; opts && k < opts->nitems && !ok; k++)
                ok = opts->items[k]->str && !strcmp(opts->items[k]->str, text.buf);
            if (!ok)
                rc = bad_input(err, where, name, "must be one of the choice's options", text.buf);
        }
        if (!rc)
            *v = val_string(a, text.buf, text.len);
    }
    sbuf_release(&text);
    return rc;
}

/*
 * The core of both input builders: declared inputs in order, given values typed, defaults
 * (evaluated with ctx) filled; string forms into event_inputs when it is an object. Missing
 * required inputs are listed in *missing (comma-separated names), not reported as errors.
 */
static int inputs_core(struct val *inputs, struct val event_inputs, struct arena *a,
                       const struct wf_token *decl, const struct val *given, const char *where,
                       const struct val *ctx, struct sbuf *missing, struct err *err)
{
    *inputs = val_new_object(a);
    for (size_t i = 0; decl && decl->kind == WF_TOK_MAPPING && i < decl->npairs; i++) {
        const char *name = decl->pairs[i].key->str;
        const struct wf_token *spec = decl->pairs[i].value;
        const struct wf_token *tt = spec ? wf_tok_get(spec, "type") : NULL;
        const char *type = tt && tt->kind == WF_TOK_STRING ? tt->str : "string";
        const struct wf_token *req = spec ? wf_tok_get(spec, "required") : NULL;
        const struct wf_token *def = spec ? wf_tok_get(spec, "default") : NULL;
        const struct val *gv = given ? get(given, name) : NULL;
        struct val v = val_null();
        if (gv && gv->kind != VAL_NULL) {
            v = *gv;
        } else if (def) {
            struct expr_ctx ec = EXPR_CTX_INIT;
            ec.contexts = ctx;
            struct err e2 = ERR_INIT;
            if (plan_eval_token(&v, a, def, &ec, &e2))
                v = val_null();
        } else if (req && req->kind == WF_TOK_BOOL && req->boolean) {
            sbuf_addf(missing, "%s'%s'", missing->len ? ", " : "", name);
        }
        int rc = typed(&v, a, type, spec, where, name, err);
        if (rc)
            return rc;
        set(a, *inputs, name, v);
        if (event_inputs.kind == VAL_OBJECT) {
            struct sbuf es = SBUF_INIT;
            val_to_sbuf(&es, &v);
            set(a, event_inputs, name, val_string(a, es.buf, es.len));
            sbuf_release(&es);
        }
    }
    return 0;
}

int plan_inputs_build(struct plan *p, struct plan_workflow *w, struct val *event_inputs_out,
                      struct err *err)
{
    *event_inputs_out = val_null();
    struct arena *a = &p->arena;
    const char *event = p->event.name;
    w->inputs = val_new_object(a);
    bool dispatch = !strcmp(event, "workflow_dispatch");
    if (!dispatch && strcmp(event, "workflow_call"))
        return 0;
    const struct val *given = get(&p->event.payload, "inputs");
    const struct wf_token *decl = declared_inputs(w->wf, event);
    struct val event_inputs = val_new_object(a); /* github.event.inputs: strings */
    struct val ctxv = plan_contexts(a, p, w, NULL);
    struct sbuf missing = SBUF_INIT;
    int rc =
        inputs_core(&w->inputs, event_inputs, a, decl, given, w->relpath, &ctxv, &missing, err);
    if (rc == 0 && missing.len)
        warn(p, "%s: required input%s %s not given", w->relpath,
             strchr(missing.buf, ',') ? "s" : "", missing.buf);
    sbuf_release(&missing);
    if (rc)
        return rc;
    /* inputs given but not declared: kept (act does), with a warning as GitHub would refuse */
    if (given && given->kind == VAL_OBJECT) {
        for (size_t i = 0; i < given->obj->len; i++) {
            const struct val_member *m = &given->obj->members[i];
            if (get(&w->inputs, m->key.p))
                continue;
            warn(p, "%s: input '%s' is not declared by the workflow", w->relpath, m->key.p);
            set(a, w->inputs, m->key.p, m->value);
            set(a, event_inputs, m->key.p, m->value);
        }
    }
    if (dispatch)
        *event_inputs_out = event_inputs;
    return 0;
}

int plan_call_inputs(struct val *out, struct arena *a, const struct wf *called,
                     const struct val *with, const struct val *contexts, struct err *err)
{
    const struct wf_token *decl = declared_inputs(called, "workflow_call");
    struct sbuf missing = SBUF_INIT;
    const char *where = called && called->path ? called->path : "workflow_call";
    int rc = inputs_core(out, val_null(), a, decl, with, where, contexts, &missing, err);
    if (rc == 0 && missing.len) {
        int first = (int)strcspn(missing.buf + 1, "'");
        rc =
            err_set(err, ERR_INVALID, "%s: Input %.*s is required, but not provided while calling.",
                    where, first, missing.buf + 1);
    }
    sbuf_release(&missing);
    return rc;
}
