/*
 * Repository facts for the planner, read with libgit2.
 *
 * This is the only file of plan/ that includes git2.h. The architecture puts libgit2 behind
 * src/git/; when that module exposes HEAD, refs, remotes, config, commit metadata and tree diffs,
 * this file moves there unchanged behind the interface in internal.h.
 *
 * Every function initialises libgit2 and shuts it down again (the calls are reference counted),
 * so no global state outlives a call and LeakSanitizer stays quiet.
 */

#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define ZERO_SHA "0000000000000000000000000000000000000000"

static int git_fail(struct err *err, const char *what)
{
    const git_error *e = git_error_last();
    return err_set(err, ERR_IO, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static const char *oid_str(struct arena *a, const git_oid *oid)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), oid);
    return arena_strdup(a, hex);
}

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

static void fill_time(struct arena *a, const char **out, const git_time *t)
{
    time_t secs = (time_t)t->time + (time_t)t->offset * 60;
    struct tm tm;
    gmtime_r(&secs, &tm);
    int off = t->offset < 0 ? -t->offset : t->offset;
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->offset < 0 ? '-' : '+', off / 60,
              off % 60);
    *out = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
}

static void commit_fill(struct plan_commit *c, struct arena *a, git_commit *commit)
{
    c->sha = oid_str(a, git_commit_id(commit));
    c->tree_sha = oid_str(a, git_commit_tree_id(commit));
    const char *msg = git_commit_message(commit);
    c->message = arena_strdup(a, msg ? msg : "");
    /* GitHub's payloads carry the message without the trailing newline git stores */
    size_t ml = strlen(c->message);
    while (ml && c->message[ml - 1] == '\n')
        ((char *)c->message)[--ml] = '\0';
    const git_signature *au = git_commit_author(commit);
    const git_signature *co = git_commit_committer(commit);
    c->author_name = arena_strdup(a, au && au->name ? au->name : "");
    c->author_email = arena_strdup(a, au && au->email ? au->email : "");
    c->committer_name = arena_strdup(a, co && co->name ? co->name : "");
    c->committer_email = arena_strdup(a, co && co->email ? co->email : "");
    if (co)
        fill_time(a, &c->timestamp, &co->when);
    else
        c->timestamp = "";
}

static void empty_commit(struct plan_commit *c)
{
    c->sha = ZERO_SHA;
    c->tree_sha = ZERO_SHA;
    c->message = "";
    c->timestamp = "";
    c->author_name = c->author_email = c->committer_name = c->committer_email = "";
}

static const char *config_str(git_config *cfg, struct arena *a, const char *key)
{
    git_buf buf = {0};
    if (!cfg || git_config_get_string_buf(&buf, cfg, key) < 0) {
        git_error_clear();
        return NULL;
    }
    const char *s = arena_strdup(a, buf.ptr);
    git_buf_dispose(&buf);
    return s;
}

static bool repo_dirty(git_repository *repo)
{
    git_status_options so;
    git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
    so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *list = NULL;
    if (git_status_list_new(&list, repo, &so) < 0) {
        git_error_clear();
        return false;
    }
    bool dirty = git_status_list_entrycount(list) > 0;
    git_status_list_free(list);
    return dirty;
}

/*
 * A detached HEAD that is no tag (a CI checkout): the ref of a branch whose tip is HEAD, local
 * branches first, then origin's (as act's FindGitRef does); NULL when none is.
 */
static const char *detached_branch(git_repository *repo, struct arena *a, const char *sha)
{
    const char *found = NULL;
    static const git_branch_t kinds[] = {GIT_BRANCH_LOCAL, GIT_BRANCH_REMOTE};
    for (size_t k = 0; k < 2 && !found; k++) {
        git_branch_iterator *it = NULL;
        if (git_branch_iterator_new(&it, repo, kinds[k]) < 0) {
            git_error_clear();
            continue;
        }
        git_reference *ref = NULL;
        git_branch_t type;
        while (!found && git_branch_next(&ref, &type, it) == 0) {
            const git_oid *target = git_reference_target(ref);
            const char *name = git_reference_shorthand(ref);
            if (target && name && !str_has_suffix(name, "/HEAD") &&
                !strcmp(oid_str(a, target), sha)) {
                if (kinds[k] == GIT_BRANCH_REMOTE && strchr(name, '/'))
                    name = strchr(name, '/') + 1;
                struct sbuf sb = SBUF_INIT;
                sbuf_addf(&sb, "refs/heads/%s", name);
                found = arena_strndup(a, sb.buf, sb.len);
                sbuf_release(&sb);
            }
            git_reference_free(ref);
            ref = NULL;
        }
        git_error_clear();
        git_branch_iterator_free(it);
    }
    return found;
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
    git_libgit2_init();
    git_repository *repo = NULL;
    git_reference *head = NULL;
    git_commit *commit = NULL;
    git_config *cfg = NULL;
    git_reference *ohead = NULL;
    int rc = 0;

    if (git_repository_open_ext(&repo, abs, 0, NULL) < 0) {
        git_error_clear();
        placeholders(out, a, abs);
        goto done;
    }
    if (git_repository_is_bare(repo)) {
        rc = err_set(err, ERR_INVALID, "%s: a bare repository has no work tree to run", abs);
        goto done;
    }
    out->is_git = true;
    {
        const char *wd = git_repository_workdir(repo);
        size_t wl = strlen(wd);
        while (wl > 1 && wd[wl - 1] == '/')
            wl--;
        out->root = arena_strndup(a, wd, wl);
    }
    if (git_repository_head(&head, repo) == 0) {
        if (git_reference_is_branch(head)) {
            out->ref = arena_strdup(a, git_reference_name(head));
            out->branch = arena_strdup(a, git_reference_shorthand(head));
        }
        git_object *obj = NULL;
        if (git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) == 0) {
            commit = (git_commit *)obj;
            commit_fill(&out->head, a, commit);
            out->sha = out->head.sha;
        } else {
            git_error_clear();
        }
    } else {
        /* unborn branch: HEAD names a branch without commits */
        git_error_clear();
        git_reference *sym = NULL;
        if (git_reference_lookup(&sym, repo, "HEAD") == 0 &&
            git_reference_type(sym) == GIT_REFERENCE_SYMBOLIC) {
            const char *t = git_reference_symbolic_target(sym);
            out->ref = arena_strdup(a, t);
            if (str_has_prefix(t, "refs/heads/"))
                out->branch = arena_strdup(a, t + strlen("refs/heads/"));
        }
        git_error_clear();
        git_reference_free(sym);
    }
    if (!out->sha) {
        out->sha = ZERO_SHA;
        empty_commit(&out->head);
    }
    if (!out->ref && out->sha != (const char *)ZERO_SHA) {
        /* detached: a tag pointing at HEAD gives the ref, as a checkout of a tag would */
        git_strarray tags = {0};
        if (git_tag_list(&tags, repo) == 0) {
            for (size_t i = 0; i < tags.count && !out->ref; i++) {
                struct sbuf name = SBUF_INIT;
                sbuf_addf(&name, "refs/tags/%s", tags.strings[i]);
                git_object *obj = NULL;
                if (git_revparse_single(&obj, repo, name.buf) == 0) {
                    git_object *peeled = NULL;
                    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0 &&
                        !strcmp(oid_str(a, git_object_id(peeled)), out->sha))
                        out->ref = arena_strdup(a, name.buf);
                    git_object_free(peeled);
                    git_object_free(obj);
                }
                git_error_clear();
                sbuf_release(&name);
            }
            git_strarray_dispose(&tags);
        }
        git_error_clear();
    }
    if (!out->ref && out->sha != (const char *)ZERO_SHA)
        out->ref = detached_branch(repo, a, out->sha);
    if (git_repository_config_snapshot(&cfg, repo) < 0)
        git_error_clear();
    /* remote.origin.url read from the config: git_remote_lookup() iterates the config with a
     * regular expression, and libgit2 1.5 leaks pcre2 match data on every non-matching entry */
    out->remote_url = config_str(cfg, a, "remote.origin.url");
    if (!out->remote_url || !plan_parse_remote(out->remote_url, a, &out->owner, &out->name)) {
        out->owner = "local";
        out->name = arena_strdup(a, path_basename(out->root));
    }
    if (git_reference_lookup(&ohead, repo, "refs/remotes/origin/HEAD") == 0 &&
        git_reference_type(ohead) == GIT_REFERENCE_SYMBOLIC) {
        const char *t = git_reference_symbolic_target(ohead);
        if (str_has_prefix(t, "refs/remotes/origin/"))
            out->default_branch = arena_strdup(a, t + strlen("refs/remotes/origin/"));
    }
    git_error_clear();
    /* without origin/HEAD: main, else master, else the current branch */
    static const char *const guesses[] = {"main", "master"};
    for (size_t i = 0; i < 2 && !out->default_branch; i++) {
        git_reference *ref = NULL;
        struct sbuf name = SBUF_INIT;
        sbuf_addf(&name, "refs/heads/%s", guesses[i]);
        if (git_reference_lookup(&ref, repo, name.buf) == 0)
            out->default_branch = guesses[i];
        git_error_clear();
        git_reference_free(ref);
        sbuf_release(&name);
    }
    if (!out->default_branch)
        out->default_branch = out->branch ? out->branch : "main";
    out->user_name = config_str(cfg, a, "user.name");
    out->user_email = config_str(cfg, a, "user.email");
    out->dirty = repo_dirty(repo);

done:
    git_config_free(cfg);
    git_reference_free(ohead);
    git_commit_free(commit);
    git_reference_free(head);
    git_repository_free(repo);
    git_libgit2_shutdown();
    xfree(abs); /* realpath() allocates with malloc; xfree is free */
    return rc;
}

static int open_repo(git_repository **repo, const struct plan_repo *r, struct err *err)
{
    if (!r->is_git)
        return err_set(err, ERR_NOTFOUND, "%s is not a git repository", r->root);
    if (git_repository_open(repo, r->root) < 0)
        return git_fail(err, r->root);
    return 0;
}

int plan_repo_resolve(const char **sha, struct arena *a, const struct plan_repo *r, const char *rev,
                      struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    git_object *obj = NULL;
    git_object *peeled = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    if (git_revparse_single(&obj, repo, rev) < 0) {
        /* a bare branch name may exist only as origin/<name> */
        struct sbuf alt = SBUF_INIT;
        sbuf_addf(&alt, "refs/remotes/origin/%s", rev);
        git_error_clear();
        int r2 = git_revparse_single(&obj, repo, alt.buf);
        sbuf_release(&alt);
        if (r2 < 0) {
            git_error_clear();
            rc = err_set(err, ERR_NOTFOUND, "unknown revision '%s'", rev);
            goto done;
        }
    }
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
        git_error_clear();
        rc = err_set(err, ERR_INVALID, "'%s' does not name a commit", rev);
        goto done;
    }
    *sha = oid_str(a, git_object_id(peeled));
done:
    git_object_free(peeled);
    git_object_free(obj);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

static int lookup_commit(git_commit **out, git_repository *repo, const char *sha, struct err *err)
{
    git_oid oid;
    if (git_oid_fromstr(&oid, sha) < 0 || git_commit_lookup(out, repo, &oid) < 0) {
        git_error_clear();
        return err_set(err, ERR_NOTFOUND, "unknown commit '%s'", sha);
    }
    return 0;
}

int plan_repo_parent(const char **parent, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    git_commit *c = NULL;
    *parent = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    rc = lookup_commit(&c, repo, sha, err);
    if (rc)
        goto done;
    if (git_commit_parentcount(c) > 0)
        *parent = oid_str(a, git_commit_parent_id(c, 0));
done:
    git_commit_free(c);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

int plan_repo_commit(struct plan_commit *out, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    git_commit *c = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    rc = lookup_commit(&c, repo, sha, err);
    if (rc)
        goto done;
    commit_fill(out, a, c);
done:
    git_commit_free(c);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

struct changed_ctx {
    struct vec *out;
    struct arena *a;
};

static int changed_cb(const git_diff_delta *d, float progress, void *payload)
{
    struct changed_ctx *c = payload;
    const char *oldp = d->old_file.path;
    const char *newp = d->new_file.path;
    char status = 'M';
    if (d->status == GIT_DELTA_ADDED)
        status = 'A';
    else if (d->status == GIT_DELTA_DELETED)
        status = 'D';
    else if (d->status == GIT_DELTA_RENAMED)
        status = 'R';
    struct plan_change ch = {.status = status};
    if (status == 'D' && oldp) {
        ch.path = arena_strdup(c->a, oldp);
        vec_append(c->out, &ch);
        return 0;
    }
    if (newp) {
        ch.path = arena_strdup(c->a, newp);
        vec_append(c->out, &ch);
    }
    if (oldp && newp && strcmp(oldp, newp)) {
        ch.path = arena_strdup(c->a, oldp);
        vec_append(c->out, &ch);
    }
    return 0;
}

int plan_repo_merge_base(const char **out, struct arena *a, const struct plan_repo *r,
                         const char *a_sha, const char *b_sha, struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    *out = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    git_oid oa;
    git_oid ob;
    git_oid base;
    if (git_oid_fromstr(&oa, a_sha) < 0 || git_oid_fromstr(&ob, b_sha) < 0) {
        git_error_clear();
        rc = err_set(err, ERR_INVALID, "bad commit id");
        goto done;
    }
    if (git_merge_base(&base, repo, &oa, &ob) == 0)
        *out = oid_str(a, &base);
    git_error_clear();
done:
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

/* Appends the changes from tree ta (NULL: the empty tree) to tb, renames found. */
static int diff_trees(struct vec *out, struct arena *a, git_repository *repo, git_tree *ta,
                      git_tree *tb, struct err *err)
{
    git_diff *diff = NULL;
    int rc = 0;
    git_diff_options dopts;
    git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
    if (git_diff_tree_to_tree(&diff, repo, ta, tb, &dopts) < 0)
        return git_fail(err, "diff");
    git_diff_find_options fopts;
    git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
    fopts.flags = GIT_DIFF_FIND_RENAMES;
    if (git_diff_find_similar(diff, &fopts) < 0)
        git_error_clear();
    struct changed_ctx cc = {out, a};
    if (git_diff_foreach(diff, changed_cb, NULL, NULL, NULL, &cc) < 0)
        rc = git_fail(err, "diff");
    git_diff_free(diff);
    return rc;
}

int plan_repo_changed(struct vec *out, struct arena *a, const struct plan_repo *r,
                      const char *a_sha, const char *b_sha, struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    git_commit *ca = NULL;
    git_commit *cb = NULL;
    git_tree *ta = NULL;
    git_tree *tb = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    rc = lookup_commit(&ca, repo, a_sha, err);
    if (rc)
        goto done;
    rc = lookup_commit(&cb, repo, b_sha, err);
    if (rc)
        goto done;
    if (git_commit_tree(&ta, ca) < 0 || git_commit_tree(&tb, cb) < 0) {
        rc = git_fail(err, "reading trees");
        goto done;
    }
    rc = diff_trees(out, a, repo, ta, tb, err);
done:
    git_tree_free(ta);
    git_tree_free(tb);
    git_commit_free(ca);
    git_commit_free(cb);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

int plan_repo_log(struct vec *out, struct arena *a, const struct plan_repo *r, const char *from,
                  const char *to, size_t max, struct err *err)
{
    git_libgit2_init();
    git_repository *repo = NULL;
    git_revwalk *walk = NULL;
    int rc = open_repo(&repo, r, err);
    if (rc)
        goto done;
    git_oid oto;
    git_oid ofrom;
    if (git_revwalk_new(&walk, repo) < 0 || git_oid_fromstr(&oto, to) < 0 ||
        git_revwalk_push(walk, &oto) < 0) {
        rc = git_fail(err, "walking commits");
        goto done;
    }
    if (from && git_oid_fromstr(&ofrom, from) == 0 && git_revwalk_hide(walk, &ofrom) < 0) {
        rc = git_fail(err, "walking commits");
        goto done;
    }
    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    git_oid oid;
    struct vec all = VEC_INIT(git_oid);
    while (git_revwalk_next(&oid, walk) == 0)
        vec_append(&all, &oid);
    git_error_clear();
    /* the newest `max` commits, oldest first */
    size_t start = all.len > max ? all.len - max : 0;
    for (size_t i = start; i < all.len && rc == 0; i++) {
        git_commit *c = NULL;
        git_commit *parent = NULL;
        git_tree *t = NULL;
        git_tree *pt = NULL;
        if (git_commit_lookup(&c, repo, vec_at(&all, i)) < 0 || git_commit_tree(&t, c) < 0) {
            rc = git_fail(err, "reading a commit");
        } else {
            if (git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) == 0)
                (void)git_commit_tree(&pt, parent);
            git_error_clear();
            struct plan_log_entry *e = vec_push(out);
            commit_fill(&e->commit, a, c);
            struct vec ch = VEC_INIT(struct plan_change);
            rc = diff_trees(&ch, a, repo, pt, t, err);
            e->nchanges = ch.len;
            e->changes =
                ch.len ? arena_memdup(a, ch.items, ch.len * sizeof(struct plan_change)) : NULL;
            vec_release(&ch);
        }
        git_tree_free(pt);
        git_tree_free(t);
        git_commit_free(parent);
        git_commit_free(c);
    }
    vec_release(&all);
done:
    git_revwalk_free(walk);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}
