/*
 * Repository facts for the planner, read through git.h (src/git/ is the one module that talks
 * to libgit2). What stays here is what GitHub makes of them: the 40 zeros of a missing commit,
 * "local/<dir>" outside a repository, the ref of a detached checkout, a default branch guessed
 * without origin/HEAD, owner and name from origin's URL, the ISO 8601 timestamps and the
 * A/D/M/R change lists of event payloads, and the strings in the plan's arena.
 *
 * Every function opens the repository and initialises the git module, and lets go of both
 * before it returns (repo_global_init() is reference counted), so no global state outlives a
 * call and LeakSanitizer stays quiet.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "git/git.h"
#include "internal.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define ZERO_SHA "0000000000000000000000000000000000000000"

bool plan_parse_remote(const char *url, struct arena *a, const char **owner, const char **name)
{
    if (!url || !*url)
        return false;
    /* The path part: after "://host/" for URLs, after ':' for scp-like "git@host:owner/name". */
    const char *p = strstr(url, "://");
    if (p) {
        p = strchr(p + 3, '/');
        if (!p)
            return false;
        p++;
    } else {
        const char *colon = strchr(url, ':');
        p = colon ? colon + 1 : url;
    }
    size_t len = strlen(p);
    while (len && p[len - 1] == '/')
        len--;
    if (len > 4 && !memcmp(p + len - 4, ".git", 4))
        len -= 4;
    /* owner/name are the last two segments (GitHub Enterprise paths have no more) */
    const char *slash = NULL;
    for (size_t i = len; i > 0; i--) {
        if (p[i - 1] == '/') {
            slash = p + i - 1;
            break;
        }
    }
    if (!slash || slash == p || slash + 1 >= p + len)
        return false;
    const char *ostart = slash;
    while (ostart > p && ostart[-1] != '/')
        ostart--;
    *owner = arena_strndup(a, ostart, (size_t)(slash - ostart));
    *name = arena_strndup(a, slash + 1, (size_t)(p + len - slash - 1));
    return **owner && **name;
}

static void fill_time(struct arena *a, const char **out, int64_t when, int tz_minutes)
{
    time_t secs = (time_t)when + (time_t)tz_minutes * 60;
    struct tm tm;
    gmtime_r(&secs, &tm);
    int off = tz_minutes < 0 ? -tz_minutes : tz_minutes;
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tz_minutes < 0 ? '-' : '+', off / 60,
              off % 60);
    *out = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
}

static void commit_fill(struct plan_commit *c, struct arena *a, const struct repo_commit *commit)
{
    c->sha = arena_strdup(a, commit->id);
    c->tree_sha = arena_strdup(a, commit->tree);
    c->message = arena_strdup(a, commit->message);
    /* GitHub's payloads carry the message without the trailing newline git stores */
    size_t ml = strlen(c->message);
    while (ml && c->message[ml - 1] == '\n')
        ((char *)c->message)[--ml] = '\0';
    c->author_name = arena_strdup(a, commit->author_name);
    c->author_email = arena_strdup(a, commit->author_email);
    c->committer_name = arena_strdup(a, commit->committer_name);
    c->committer_email = arena_strdup(a, commit->committer_email);
    fill_time(a, &c->timestamp, commit->time, commit->tz_minutes);
}

static int read_commit(struct plan_commit *out, struct arena *a, struct repo *git, const char *sha,
                       struct err *err)
{
    struct repo_commit c;
    int rc = repo_commit_read(&c, git, sha, err);
    if (rc)
        return rc;
    commit_fill(out, a, &c);
    repo_commit_release(&c);
    return 0;
}

static void empty_commit(struct plan_commit *c)
{
    c->sha = ZERO_SHA;
    c->tree_sha = ZERO_SHA;
    c->message = "";
    c->timestamp = "";
    c->author_name = c->author_email = c->committer_name = c->committer_email = "";
}

/* A configuration value in the arena, or NULL when it is unset or unreadable. */
static const char *config_str(struct repo *git, struct arena *a, const char *key)
{
    struct sbuf sb = SBUF_INIT;
    struct err e = ERR_INIT;
    const char *s = NULL;
    if (repo_config_get(&sb, git, key, &e) == 0)
        s = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return s;
}

/* What the reference walks below look for: a ref whose commit is sha. */
struct ref_match {
    struct arena *a;
    const char *sha;
    const char *prefix; /* the walk's prefix, cut from the names */
    const char *found;  /* the ref to use (in the arena), NULL until one matches */
};

/* A tag pointing at HEAD gives the ref, as a checkout of that tag would. */
static int tag_match(const struct repo_ref *ref, void *payload)
{
    struct ref_match *m = payload;
    if (strcmp(ref->commit, m->sha))
        return 0;
    m->found = arena_strdup(m->a, ref->name);
    return 1;
}

/* A branch whose tip is HEAD: origin/main stands for the branch main. */
static int branch_match(const struct repo_ref *ref, void *payload)
{
    struct ref_match *m = payload;
    if (strcmp(ref->target, m->sha) || str_has_suffix(ref->name, "/HEAD"))
        return 0;
    const char *name = ref->name + strlen(m->prefix);
    if (!strcmp(m->prefix, "refs/remotes/") && strchr(name, '/'))
        name = strchr(name, '/') + 1;
    m->found = arena_printf(m->a, "refs/heads/%s", name);
    return 1;
}

/*
 * A detached HEAD (a CI checkout): the tag at HEAD, else the ref of a branch whose tip is HEAD,
 * local branches first, then the remotes' (as act's FindGitRef does); NULL when none is.
 * Listing errors only mean no ref is found.
 */
static const char *detached_ref(struct repo *git, struct arena *a, const char *sha)
{
    struct err e = ERR_INIT;
    struct ref_match m = {.a = a, .sha = sha, .prefix = "refs/tags/"};
    (void)repo_refs_foreach(git, m.prefix, tag_match, &m, &e);
    static const char *const branches[] = {"refs/heads/", "refs/remotes/"};
    for (size_t i = 0; i < 2 && !m.found; i++) {
        m.prefix = branches[i];
        (void)repo_refs_foreach(git, m.prefix, branch_match, &m, &e);
    }
    return m.found;
}

static void placeholders(struct plan_repo *r, struct arena *a, const char *abs)
{
    r->is_git = false;
    r->root = arena_strdup(a, abs);
    r->sha = ZERO_SHA;
    r->ref = "refs/heads/main";
    r->branch = "main";
    r->owner = "local";
    r->name = arena_strdup(a, path_basename(abs));
    r->default_branch = "main";
    empty_commit(&r->head);
}

int plan_repo_read(struct plan_repo *out, struct arena *a, const char *dir, struct err *err)
{
    memset(out, 0, sizeof(*out));
    char *abs = realpath(dir ? dir : ".", NULL);
    if (!abs)
        return err_errno(err, "%s", dir ? dir : ".");
    repo_global_init();
    struct repo *git = NULL;
    struct sbuf sb = SBUF_INIT;
    struct err e = ERR_INIT; /* facts that cannot be read are left out, not errors */
    int rc = 0;

    if (repo_open(&git, abs, &e) < 0) {
        placeholders(out, a, abs);
        goto done;
    }
    const char *wd = repo_workdir(git);
    if (!wd) {
        rc = err_set(err, ERR_INVALID, "%s: a bare repository has no work tree to run", abs);
        goto done;
    }
    out->is_git = true;
    size_t wl = strlen(wd);
    while (wl > 1 && wd[wl - 1] == '/')
        wl--;
    out->root = arena_strndup(a, wd, wl);

    char head[41];
    repo_head(head, &sb, git);
    if (sb.len) {
        out->ref = arena_strndup(a, sb.buf, sb.len);
        if (str_has_prefix(out->ref, "refs/heads/"))
            out->branch = out->ref + strlen("refs/heads/");
    }
    if (*head && read_commit(&out->head, a, git, head, &e) == 0)
        out->sha = out->head.sha;
    if (!out->sha) {
        out->sha = ZERO_SHA;
        empty_commit(&out->head);
    }
    if (!out->ref && out->sha != (const char *)ZERO_SHA)
        out->ref = detached_ref(git, a, out->sha);

    /* origin's URL read as configuration, not as a remote: libgit2 1.5's remote lookup leaks
     * pcre2 match data on every configuration entry it does not match */
    out->remote_url = config_str(git, a, "remote.origin.url");
    if (!out->remote_url || !plan_parse_remote(out->remote_url, a, &out->owner, &out->name)) {
        out->owner = "local";
        out->name = arena_strdup(a, path_basename(out->root));
    }
    sbuf_reset(&sb);
    if (repo_ref_symbolic_target(&sb, git, "refs/remotes/origin/HEAD", &e) == 0 &&
        str_has_prefix(sb.buf, "refs/remotes/origin/"))
        out->default_branch = arena_strdup(a, sb.buf + strlen("refs/remotes/origin/"));
    /* without origin/HEAD: main, else master, else the current branch */
    if (!out->default_branch && repo_ref_exists(git, "refs/heads/main"))
        out->default_branch = "main";
    if (!out->default_branch && repo_ref_exists(git, "refs/heads/master"))
        out->default_branch = "master";
    if (!out->default_branch)
        out->default_branch = out->branch ? out->branch : "main";
    out->user_name = config_str(git, a, "user.name");
    out->user_email = config_str(git, a, "user.email");
    bool dirty = false;
    out->dirty = repo_is_dirty(&dirty, git, &e) == 0 && dirty;

done:
    sbuf_release(&sb);
    repo_free(git);
    repo_global_shutdown();
    xfree(abs); /* realpath() allocates with malloc; xfree is free */
    return rc;
}

static int open_repo(struct repo **git, const struct plan_repo *r, struct err *err)
{
    if (!r->is_git)
        return err_set(err, ERR_NOTFOUND, "%s is not a git repository", r->root);
    return repo_open(git, r->root, err);
}

int plan_repo_resolve(const char **sha, struct arena *a, const struct plan_repo *r, const char *rev,
                      struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    char hex[41];
    int rc = open_repo(&git, r, err);
    if (rc)
        goto done;
    struct err first = ERR_INIT;
    rc = repo_resolve_commit(hex, git, rev, &first);
    if (rc == ERR_NOTFOUND) {
        /* a bare branch name may exist only as origin/<name>, as in a fresh clone */
        struct sbuf alt = SBUF_INIT;
        sbuf_addf(&alt, "refs/remotes/origin/%s", rev);
        rc = repo_resolve_commit(hex, git, alt.buf, err);
        sbuf_release(&alt);
        if (rc == ERR_NOTFOUND)
            *err = first; /* the message names what the user wrote */
    } else if (rc) {
        *err = first;
    }
    if (rc == 0)
        *sha = arena_strdup(a, hex);
done:
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

int plan_repo_parent(const char **parent, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    *parent = NULL;
    int rc = open_repo(&git, r, err);
    if (rc)
        goto done;
    struct repo_commit c;
    rc = repo_commit_read(&c, git, sha, err);
    if (rc)
        goto done;
    if (c.nparents > 0)
        *parent = arena_strdup(a, c.parent);
    repo_commit_release(&c);
done:
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

int plan_repo_commit(struct plan_commit *out, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    int rc = open_repo(&git, r, err);
    if (rc == 0)
        rc = read_commit(out, a, git, sha, err);
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

int plan_repo_merge_base(const char **out, struct arena *a, const struct plan_repo *r,
                         const char *a_sha, const char *b_sha, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    *out = NULL;
    int rc = open_repo(&git, r, err);
    if (rc)
        goto done;
    char base[41];
    struct err e = ERR_INIT;
    rc = repo_merge_base(base, git, a_sha, b_sha, &e);
    if (rc == 0) {
        *out = arena_strdup(a, base);
    } else if (rc == ERR_INVALID) {
        *err = e;
    } else {
        rc = 0; /* unrelated histories (or unreadable ones) have no merge base: *out stays NULL */
    }
done:
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

/* Appends one change as GitHub lists it: A, D, M (any other letter too), R on both paths. */
static void add_change(struct vec *out, struct arena *a, const struct repo_diff_entry *ch)
{
    bool kept = ch->status == 'A' || ch->status == 'D' || ch->status == 'R';
    struct plan_change pc = {.status = kept ? ch->status : 'M'};
    if (pc.status == 'D') {
        pc.path = arena_strdup(a, ch->old_path);
        vec_append(out, &pc);
        return;
    }
    pc.path = arena_strdup(a, ch->new_path);
    vec_append(out, &pc);
    if (strcmp(ch->old_path, ch->new_path)) {
        pc.path = arena_strdup(a, ch->old_path);
        pc.is_old_name = true;
        vec_append(out, &pc);
    }
}

/* Appends (struct plan_change) the changes from commit from (NULL: the empty tree) to to. */
static int changes_between(struct vec *out, struct arena *a, struct repo *git, const char *from,
                           const char *to, struct err *err)
{
    struct vec changes = VEC_INIT(struct repo_diff_entry);
    int rc = repo_diff_commits(&changes, git, from, to, err);
    if (rc == 0) {
        vec_foreach (struct repo_diff_entry, ch, &changes)
            add_change(out, a, ch);
    }
    repo_diff_release(&changes);
    return rc;
}

int plan_repo_changed(struct vec *out, struct arena *a, const struct plan_repo *r,
                      const char *a_sha, const char *b_sha, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    int rc = open_repo(&git, r, err);
    if (rc == 0)
        rc = changes_between(out, a, git, a_sha, b_sha, err);
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

int plan_repo_log(struct vec *out, size_t *total, struct arena *a, const struct plan_repo *r,
                  const char *from, const char *to, size_t max, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    struct vec ids = VEC_INIT(char[41]);
    *total = 0;
    int rc = open_repo(&git, r, err);
    if (rc)
        goto done;
    rc = repo_rev_list(&ids, git, to, from, err);
    if (rc)
        goto done;
    *total = ids.len;
    /* the newest `max` commits, oldest first */
    size_t start = ids.len > max ? ids.len - max : 0;
    for (size_t i = start; i < ids.len && rc == 0; i++) {
        const char *id = vec_at(&ids, i);
        struct repo_commit c;
        rc = repo_commit_read(&c, git, id, err);
        if (rc)
            break;
        struct plan_log_entry *e = vec_push(out);
        commit_fill(&e->commit, a, &c);
        /* a first parent missing from a shallow clone: the commit's files count as added */
        const char *parent = c.nparents > 0 ? c.parent : NULL;
        char hex[41];
        struct err pe = ERR_INIT;
        if (parent && repo_resolve_commit(hex, git, parent, &pe) < 0)
            parent = NULL;
        struct vec ch = VEC_INIT(struct plan_change);
        rc = changes_between(&ch, a, git, parent, id, err);
        e->nchanges = ch.len;
        e->changes = ch.len ? arena_memdup(a, ch.items, ch.len * sizeof(struct plan_change)) : NULL;
        vec_release(&ch);
        repo_commit_release(&c);
    }
done:
    vec_release(&ids);
    repo_free(git);
    repo_global_shutdown();
    return rc;
}

/* What the walk below collects: the commits of every reference but the pushed one. */
struct other_refs {
    const char *ref;       /* the pushed ref, full name */
    const char *short_ref; /* its branch name when it is a branch, else NULL */
    struct vec tips;       /* char[41] */
};

static int collect_other(const struct repo_ref *ref, void *payload)
{
    struct other_refs *o = payload;
    if (!*ref->commit || ref->symbolic || !strcmp(ref->name, o->ref))
        return 0;
    /* refs/remotes/<remote>/<branch> is where the pushed branch already is on a remote */
    if (o->short_ref && str_has_prefix(ref->name, "refs/remotes/")) {
        const char *slash = strchr(ref->name + strlen("refs/remotes/"), '/');
        if (slash && !strcmp(slash + 1, o->short_ref))
            return 0;
    }
    memcpy(vec_push(&o->tips), ref->commit, 41);
    return 0;
}

int plan_repo_new_commits(struct vec *out, const struct plan_repo *r, const char *to,
                          const char *ref, struct err *err)
{
    repo_global_init();
    struct repo *git = NULL;
    struct other_refs o = {.ref = ref ? ref : "", .tips = VEC_INIT(char[41])};
    struct vec hide = VEC_INIT(const char *);
    if (ref && str_has_prefix(ref, "refs/heads/"))
        o.short_ref = ref + strlen("refs/heads/");
    int rc = open_repo(&git, r, err);
    if (rc)
        goto done;
    static const char *const prefixes[] = {"refs/heads/", "refs/remotes/", "refs/tags/"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && rc == 0; i++)
        rc = repo_refs_foreach(git, prefixes[i], collect_other, &o, err);
    if (rc)
        goto done;
    for (size_t i = 0; i < o.tips.len; i++) {
        const char *tip = vec_at(&o.tips, i);
        vec_append(&hide, &tip);
    }
    rc = repo_rev_list_hiding(out, git, to, hide.items, hide.len, err);
done:
    vec_release(&hide);
    vec_release(&o.tips);
    repo_free(git);
    repo_global_shutdown();
    return rc;
}
