/*
 * Events for a local run: the event name, its ref and sha, the files it changed and the payload
 * GitHub would send (github.event), built from the git repository the way act does, or read
 * from a payload file (-e event.json). Payload shapes follow GitHub's webhook documentation,
 * limited to the fields workflows commonly read.
 */
#include "plan/plan.h"

#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/str.h"
#include "util/xalloc.h"

#define PLAN_MAX_PAYLOAD (16u << 20)
#define ZERO_SHA "0000000000000000000000000000000000000000"

static char *sb_take(struct sbuf *sb)
{
    return sbuf_detach(sb, NULL);
}

/* owner/name from a remote URL (https://host/owner/name(.git), git@host:owner/name.git). */
static char *repo_from_url(const char *url)
{
    const char *p = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        p = strchr(scheme + 3, '/');
        if (!p)
            return NULL;
        p++;
    } else {
        const char *colon = strchr(url, ':');
        if (!colon)
            return NULL;
        p = colon + 1;
    }
    size_t len = strlen(p);
    while (len && p[len - 1] == '/')
        len--;
    if (len > 4 && strncmp(p + len - 4, ".git", 4) == 0)
        len -= 4;
    if (!memchr(p, '/', len))
        return NULL;
    return xstrndup(p, len);
}

static const char *short_ref(const char *ref)
{
    if (str_has_prefix(ref, "refs/heads/"))
        return ref + 11;
    if (str_has_prefix(ref, "refs/tags/"))
        return ref + 10;
    return ref;
}

static cJSON *repository_object(const char *full_name)
{
    cJSON *repo = cJSON_CreateObject();
    const char *slash = strchr(full_name, '/');
    char *owner = xstrndup(full_name, slash ? (size_t)(slash - full_name) : strlen(full_name));
    cJSON_AddStringToObject(repo, "name", slash ? slash + 1 : full_name);
    cJSON_AddStringToObject(repo, "full_name", full_name);
    cJSON *o = cJSON_AddObjectToObject(repo, "owner");
    cJSON_AddStringToObject(o, "login", owner);
    cJSON_AddStringToObject(o, "name", owner);
    struct sbuf url = SBUF_INIT;
    sbuf_addf(&url, "https://github.com/%s", full_name);
    cJSON_AddStringToObject(repo, "html_url", url.buf);
    sbuf_addstr(&url, ".git");
    cJSON_AddStringToObject(repo, "clone_url", url.buf);
    cJSON_AddStringToObject(repo, "default_branch", "main");
    sbuf_release(&url);
    xfree(owner);
    return repo;
}

static cJSON *commit_object(struct plan_repo *repo, const char *sha)
{
    struct sbuf author = SBUF_INIT, email = SBUF_INIT, msg = SBUF_INIT;
    long long when = 0;
    struct err err = ERR_INIT;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", sha);
    if (repo && plan_repo_commit_info(repo, sha, &author, &email, &msg, &when, &err) == 0) {
        cJSON_AddStringToObject(c, "message", msg.buf);
        char ts[64];
        time_t t = (time_t)when;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        cJSON_AddStringToObject(c, "timestamp", ts);
        cJSON *a = cJSON_AddObjectToObject(c, "author");
        cJSON_AddStringToObject(a, "name", author.buf);
        cJSON_AddStringToObject(a, "email", email.buf);
        cJSON *cm = cJSON_AddObjectToObject(c, "committer");
        cJSON_AddStringToObject(cm, "name", author.buf);
        cJSON_AddStringToObject(cm, "email", email.buf);
    }
    sbuf_release(&author);
    sbuf_release(&email);
    sbuf_release(&msg);
    return c;
}

static const char *json_str_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b)
        o = cJSON_GetObjectItemCaseSensitive(o, b);
    return cJSON_IsString(o) ? o->valuestring : NULL;
}

void plan_event_free(struct plan_event *ev)
{
    if (!ev)
        return;
    xfree(ev->name);
    xfree(ev->action);
    xfree(ev->ref);
    xfree(ev->sha);
    xfree(ev->base_ref);
    xfree(ev->head_ref);
    xfree(ev->repository);
    xfree(ev->actor);
    xfree(ev->workflow_run_name);
    vec_foreach (char *, s, &ev->changed)
        xfree(*s);
    vec_release(&ev->changed);
    cJSON_Delete(ev->payload);
    cJSON_Delete(ev->inputs);
    xfree(ev);
}

/* Files changed from `from` to `to`; unknown when there is no base to compare with. */
static void fill_changed(struct plan_event *ev, struct plan_repo *repo, const char *from,
                         const char *to)
{
    struct err err = ERR_INIT;
    if (!repo || !from || !*from || !to || !*to || strcmp(from, ZERO_SHA) == 0)
        return;
    if (plan_repo_changed_files(repo, from, to, &ev->changed, &err) == 0)
        ev->changed_known = true;
}

int plan_event_build(struct plan_event **out, const struct plan_event_opts *opts, struct err *err)
{
    struct plan_event *ev = xcalloc(1, sizeof(*ev));
    struct plan_repo *repo = NULL;
    struct sbuf sha = SBUF_INIT, ref = SBUF_INIT, parent = SBUF_INIT, url = SBUF_INIT;
    int rc = 0;
    ev->changed = VEC_INIT(char *);
    ev->name = xstrdup(opts->name ? opts->name : "push");
    ev->actor = xstrdup(opts->actor ? opts->actor : "runnel");
    ev->inputs = cJSON_CreateObject();
    for (size_t i = 0; i < opts->ninputs; i++)
        cJSON_AddStringToObject(ev->inputs, opts->inputs[i].name, opts->inputs[i].value);

    struct err rerr = ERR_INIT;
    if (plan_repo_open(&repo, opts->dir ? opts->dir : ".", &rerr) == 0) {
        if (plan_repo_head_sha(repo, &sha, &rerr) < 0)
            sbuf_setlen(&sha, 0);
        plan_repo_head_ref(repo, &ref, &rerr);
        if (sha.len)
            plan_repo_parent(repo, sha.buf, &parent, &rerr);
        if (plan_repo_origin_url(repo, &url, &rerr) == 0)
            ev->repository = repo_from_url(url.buf);
    }
    if (!ev->repository) {
        const char *wd = repo ? plan_repo_workdir(repo) : "";
        struct sbuf name = SBUF_INIT;
        size_t l = strlen(wd);
        while (l && wd[l - 1] == '/')
            l--;
        size_t s = l;
        while (s && wd[s - 1] != '/')
            s--;
        sbuf_addstr(&name, "local/");
        if (l > s)
            sbuf_add(&name, wd + s, l - s);
        else
            sbuf_addstr(&name, "repository");
        ev->repository = sb_take(&name);
    }
    if (!ref.len)
        sbuf_addstr(&ref, "refs/heads/main");
    if (!sha.len)
        sbuf_addstr(&sha, ZERO_SHA);

    if (opts->payload_path) {
        rc = json_load(&ev->payload, opts->payload_path, PLAN_MAX_PAYLOAD, err);
        if (rc < 0)
            goto done;
        if (!cJSON_IsObject(ev->payload)) {
            rc = err_set(err, ERR_INVALID, "'%s': the event payload must be a JSON object",
                         opts->payload_path);
            goto done;
        }
        /* take what the payload says, the repository fills the rest (as act does) */
        const char *pref = json_str_at(ev->payload, "ref", NULL);
        const char *psha = json_str_at(ev->payload, "after", NULL);
        const char *pbase = json_str_at(ev->payload, "pull_request", NULL);
        (void)pbase;
        const char *base_ref = NULL;
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(ev->payload, "pull_request");
        if (pr) {
            base_ref = json_str_at(pr, "base", "ref");
            const char *head_ref = json_str_at(pr, "head", "ref");
            const char *head_sha = json_str_at(pr, "head", "sha");
            ev->base_ref = xstrdup(base_ref ? base_ref : "main");
            ev->head_ref = xstrdup(head_ref ? head_ref : short_ref(ref.buf));
            if (head_sha)
                psha = head_sha;
        }
        const char *action = json_str_at(ev->payload, "action", NULL);
        if (action)
            ev->action = xstrdup(action);
        ev->ref = xstrdup(pref ? pref : ref.buf);
        ev->sha = xstrdup(psha ? psha : sha.buf);
        const char *before = json_str_at(ev->payload, "before", NULL);
        if (before && repo)
            fill_changed(ev, repo, before, ev->sha);
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ev->payload, "inputs");
        if (cJSON_IsObject(in)) {
            const cJSON *it = NULL;
            cJSON_ArrayForEach(it, in)
            {
                if (!cJSON_GetObjectItemCaseSensitive(ev->inputs, it->string))
                    cJSON_AddItemToObject(ev->inputs, it->string, cJSON_Duplicate(it, true));
            }
        }
        const char *wr = json_str_at(ev->payload, "workflow_run", "name");
        if (wr)
            ev->workflow_run_name = xstrdup(wr);
        goto done;
    }

    ev->payload = cJSON_CreateObject();
    cJSON_AddItemToObject(ev->payload, "repository", repository_object(ev->repository));
    cJSON *sender = cJSON_AddObjectToObject(ev->payload, "sender");
    cJSON_AddStringToObject(sender, "login", ev->actor);
    cJSON_AddStringToObject(sender, "type", "User");

    if (strcmp(ev->name, "pull_request") == 0 || strcmp(ev->name, "pull_request_target") == 0) {
        const char *base = opts->base ? opts->base : "main";
        struct sbuf base_sha = SBUF_INIT;
        if (repo && plan_repo_resolve(repo, base, &base_sha, &rerr) < 0) {
            rc = err_set(err, ERR_NOTFOUND, "pull_request: cannot resolve base '%s'", base);
            sbuf_release(&base_sha);
            goto done;
        }
        ev->action = xstrdup(opts->action ? opts->action : "opened");
        ev->base_ref = xstrdup(short_ref(base));
        ev->head_ref = xstrdup(short_ref(ref.buf));
        ev->ref = xstrdup(strcmp(ev->name, "pull_request") == 0 ? "refs/pull/1/merge" : ref.buf);
        ev->sha = xstrdup(sha.buf);
        fill_changed(ev, repo, base_sha.buf, sha.buf);
        cJSON_AddStringToObject(ev->payload, "action", ev->action);
        cJSON_AddNumberToObject(ev->payload, "number", 1);
        cJSON *pr = cJSON_AddObjectToObject(ev->payload, "pull_request");
        cJSON_AddNumberToObject(pr, "number", 1);
        cJSON_AddStringToObject(pr, "state", "open");
        cJSON_AddStringToObject(pr, "title", ev->head_ref);
        cJSON *head = cJSON_AddObjectToObject(pr, "head");
        cJSON_AddStringToObject(head, "ref", ev->head_ref);
        cJSON_AddStringToObject(head, "sha", sha.buf);
        cJSON_AddItemToObject(head, "repo", repository_object(ev->repository));
        cJSON *b = cJSON_AddObjectToObject(pr, "base");
        cJSON_AddStringToObject(b, "ref", ev->base_ref);
        cJSON_AddStringToObject(b, "sha", base_sha.buf);
        cJSON_AddItemToObject(b, "repo", repository_object(ev->repository));
        cJSON *user = cJSON_AddObjectToObject(pr, "user");
        cJSON_AddStringToObject(user, "login", ev->actor);
        sbuf_release(&base_sha);
        goto done;
    }

    ev->ref = xstrdup(ref.buf);
    ev->sha = xstrdup(sha.buf);
    if (strcmp(ev->name, "push") == 0) {
        const char *before = parent.len ? parent.buf : ZERO_SHA;
        fill_changed(ev, repo, before, sha.buf);
        cJSON_AddStringToObject(ev->payload, "ref", ev->ref);
        cJSON_AddStringToObject(ev->payload, "before", before);
        cJSON_AddStringToObject(ev->payload, "after", ev->sha);
        cJSON_AddBoolToObject(ev->payload, "created", false);
        cJSON_AddBoolToObject(ev->payload, "deleted", false);
        cJSON_AddBoolToObject(ev->payload, "forced", false);
        cJSON_AddNullToObject(ev->payload, "base_ref");
        cJSON *hc = commit_object(repo, ev->sha);
        cJSON *commits = cJSON_AddArrayToObject(ev->payload, "commits");
        cJSON_AddItemToArray(commits, cJSON_Duplicate(hc, true));
        cJSON_AddItemToObject(ev->payload, "head_commit", hc);
        cJSON *pusher = cJSON_AddObjectToObject(ev->payload, "pusher");
        cJSON_AddStringToObject(pusher, "name", ev->actor);
    } else if (strcmp(ev->name, "workflow_dispatch") == 0 ||
               strcmp(ev->name, "workflow_call") == 0) {
        cJSON_AddStringToObject(ev->payload, "ref", ev->ref);
        cJSON_AddItemToObject(ev->payload, "inputs", cJSON_Duplicate(ev->inputs, true));
    } else if (strcmp(ev->name, "workflow_run") == 0) {
        ev->action = xstrdup(opts->action ? opts->action : "completed");
        ev->workflow_run_name = xstrdup(opts->workflow_run_name ? opts->workflow_run_name : "");
        cJSON_AddStringToObject(ev->payload, "action", ev->action);
        cJSON *run = cJSON_AddObjectToObject(ev->payload, "workflow_run");
        cJSON_AddStringToObject(run, "name", ev->workflow_run_name);
        cJSON_AddStringToObject(run, "conclusion",
                                opts->workflow_run_conclusion ? opts->workflow_run_conclusion
                                                              : "success");
        cJSON_AddStringToObject(run, "head_branch", short_ref(ev->ref));
        cJSON_AddStringToObject(run, "head_sha", ev->sha);
        cJSON_AddStringToObject(run, "event", "push");
        cJSON *w = cJSON_AddObjectToObject(ev->payload, "workflow");
        cJSON_AddStringToObject(w, "name", ev->workflow_run_name);
    } else if (strcmp(ev->name, "schedule") == 0) {
        cJSON_AddStringToObject(ev->payload, "schedule", "");
    } else if (opts->action) {
        ev->action = xstrdup(opts->action);
        cJSON_AddStringToObject(ev->payload, "action", ev->action);
    }
done:
    plan_repo_free(repo);
    sbuf_release(&sha);
    sbuf_release(&ref);
    sbuf_release(&parent);
    sbuf_release(&url);
    if (rc < 0) {
        plan_event_free(ev);
        return rc;
    }
    *out = ev;
    return 0;
}

cJSON *plan_event_github_context(const struct plan_event *ev, const char *workflow_name)
{
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "event_name", ev->name);
    cJSON_AddItemToObject(g, "event", cJSON_Duplicate(ev->payload, true));
    cJSON_AddStringToObject(g, "ref", ev->ref ? ev->ref : "");
    cJSON_AddStringToObject(g, "ref_name", ev->ref ? short_ref(ev->ref) : "");
    cJSON_AddStringToObject(g, "ref_type",
                            ev->ref && str_has_prefix(ev->ref, "refs/tags/") ? "tag" : "branch");
    cJSON_AddStringToObject(g, "sha", ev->sha ? ev->sha : "");
    cJSON_AddStringToObject(g, "repository", ev->repository);
    const char *slash = strchr(ev->repository, '/');
    char *owner =
        xstrndup(ev->repository, slash ? (size_t)(slash - ev->repository) : strlen(ev->repository));
    cJSON_AddStringToObject(g, "repository_owner", owner);
    xfree(owner);
    cJSON_AddStringToObject(g, "actor", ev->actor);
    cJSON_AddStringToObject(g, "triggering_actor", ev->actor);
    cJSON_AddStringToObject(g, "workflow", workflow_name ? workflow_name : "");
    cJSON_AddStringToObject(g, "base_ref", ev->base_ref ? ev->base_ref : "");
    cJSON_AddStringToObject(g, "head_ref", ev->head_ref ? ev->head_ref : "");
    cJSON_AddStringToObject(g, "server_url", "https://github.com");
    cJSON_AddStringToObject(g, "api_url", "https://api.github.com");
    cJSON_AddStringToObject(g, "graphql_url", "https://api.github.com/graphql");
    cJSON_AddStringToObject(g, "run_id", "1");
    cJSON_AddStringToObject(g, "run_number", "1");
    cJSON_AddStringToObject(g, "run_attempt", "1");
    cJSON_AddStringToObject(g, "job", "");
    cJSON_AddStringToObject(g, "workspace", "");
    cJSON_AddStringToObject(g, "action", "");
    cJSON_AddStringToObject(g, "token", "***");
    return g;
}
