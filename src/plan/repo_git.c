/*
 * Repository facts for events, read with libgit2. This is the only file of plan/ that includes
 * <git2.h>; it is meant to move behind src/git/ (the module that owns libgit2) once that module
 * offers the same facts. libgit2 errors are translated at this boundary from git_error_last().
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "util/xalloc.h"

struct plan_repo {
    git_repository *repo;
    char *workdir;
};

static int git_fail(struct err *err, int code, const char *what)
{
    const git_error *e = git_error_last();
    return err_set(err, code == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL, "%s: %s", what,
                   e && e->message ? e->message : "libgit2 error");
}

int plan_repo_open(struct plan_repo **out, const char *dir, struct err *err)
{
    /* libgit2 counts init/shutdown pairs; each repository holds one so that its global state
       (caches, pcre2 match data) is released with the last repository */
    git_libgit2_init();
    git_repository *repo = NULL;
    int rc = git_repository_open_ext(&repo, dir ? dir : ".", 0, NULL);
    if (rc < 0) {
        rc = git_fail(err, rc, "cannot open git repository");
        git_libgit2_shutdown();
        return rc;
    }
    struct plan_repo *r = xcalloc(1, sizeof(*r));
    r->repo = repo;
    const char *wd = git_repository_workdir(repo);
    r->workdir = xstrdup(wd ? wd : "");
    *out = r;
    return 0;
}

void plan_repo_free(struct plan_repo *r)
{
    if (!r)
        return;
    git_repository_free(r->repo);
    xfree(r->workdir);
    xfree(r);
    git_libgit2_shutdown();
}

const char *plan_repo_workdir(const struct plan_repo *r)
{
    return r->workdir;
}

static void add_oid(struct sbuf *out, const git_oid *oid)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), oid);
    sbuf_addstr(out, hex);
}

int plan_repo_head_sha(const struct plan_repo *r, struct sbuf *out, struct err *err)
{
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, r->repo, "HEAD");
    if (rc < 0)
        return git_fail(err, rc, "cannot read HEAD");
    add_oid(out, &oid);
    return 0;
}

int plan_repo_head_ref(const struct plan_repo *r, struct sbuf *out, struct err *err)
{
    git_reference *head = NULL;
    int rc = git_reference_lookup(&head, r->repo, "HEAD");
    if (rc < 0)
        return git_fail(err, rc, "cannot read HEAD");
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
        sbuf_addstr(out, git_reference_symbolic_target(head));
    else
        sbuf_addstr(out, "HEAD");
    git_reference_free(head);
    return 0;
}

int plan_repo_resolve(const struct plan_repo *r, const char *rev, struct sbuf *out, struct err *err)
{
    git_object *obj = NULL;
    int rc = git_revparse_single(&obj, r->repo, rev);
    if (rc < 0)
        return git_fail(err, rc, "cannot resolve revision");
    git_object *commit = NULL;
    rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc < 0)
        return git_fail(err, rc, "not a commit");
    add_oid(out, git_object_id(commit));
    git_object_free(commit);
    return 0;
}

static int lookup_commit(git_commit **out, const struct plan_repo *r, const char *sha,
                         struct err *err)
{
    git_oid oid;
    if (git_oid_fromstr(&oid, sha) < 0)
        return err_set(err, ERR_INVALID, "'%s' is not a commit id", sha);
    int rc = git_commit_lookup(out, r->repo, &oid);
    if (rc < 0)
        return git_fail(err, rc, "cannot read commit");
    return 0;
}

int plan_repo_parent(const struct plan_repo *r, const char *sha, struct sbuf *out, struct err *err)
{
    git_commit *c = NULL;
    int rc = lookup_commit(&c, r, sha, err);
    if (rc < 0)
        return rc;
    if (git_commit_parentcount(c) > 0)
        add_oid(out, git_commit_parent_id(c, 0));
    git_commit_free(c);
    return 0;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plan_repo_changed_files(const struct plan_repo *r, const char *from, const char *to,
                            struct vec *out, struct err *err)
{
    git_commit *cfrom = NULL;
    git_commit *cto = NULL;
    git_tree *tfrom = NULL;
    git_tree *tto = NULL;
    git_diff *diff = NULL;
    int rc = 0;
    if (from && *from) {
        rc = lookup_commit(&cfrom, r, from, err);
        if (rc < 0)
            goto done;
        if ((rc = git_commit_tree(&tfrom, cfrom)) < 0) {
            rc = git_fail(err, rc, "cannot read tree");
            goto done;
        }
    }
    rc = lookup_commit(&cto, r, to, err);
    if (rc < 0)
        goto done;
    if ((rc = git_commit_tree(&tto, cto)) < 0) {
        rc = git_fail(err, rc, "cannot read tree");
        goto done;
    }
    if ((rc = git_diff_tree_to_tree(&diff, r->repo, tfrom, tto, NULL)) < 0) {
        rc = git_fail(err, rc, "cannot diff trees");
        goto done;
    }
    size_t start = out->len;
    size_t n = git_diff_num_deltas(diff);
    for (size_t i = 0; i < n; i++) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        const char *p = d->new_file.path ? d->new_file.path : d->old_file.path;
        char *s = xstrdup(p);
        vec_append(out, &s);
        if (d->old_file.path && d->new_file.path && strcmp(d->old_file.path, d->new_file.path)) {
            char *o = xstrdup(d->old_file.path);
            vec_append(out, &o);
        }
    }
    qsort((char **)out->items + start, out->len - start, sizeof(char *), cmp_paths);
    rc = 0;
done:
    git_diff_free(diff);
    git_tree_free(tfrom);
    git_tree_free(tto);
    git_commit_free(cfrom);
    git_commit_free(cto);
    return rc;
}

int plan_repo_origin_url(const struct plan_repo *r, struct sbuf *out, struct err *err)
{
    /* read the config value rather than git_remote_lookup(): the latter runs refspec regexes
       that leak pcre2 match data in libgit2 1.5 with Debian's system PCRE2 */
    git_config *cfg = NULL;
    git_config *snap = NULL;
    const char *url = NULL;
    int rc = git_repository_config(&cfg, r->repo);
    if (rc == 0)
        rc = git_config_snapshot(&snap, cfg);
    if (rc == 0)
        rc = git_config_get_string(&url, snap, "remote.origin.url");
    if (rc < 0) {
        rc = git_fail(err, rc, "no remote 'origin'");
    } else {
        sbuf_addstr(out, url ? url : "");
    }
    git_config_free(snap);
    git_config_free(cfg);
    return rc;
}

int plan_repo_commit_info(const struct plan_repo *r, const char *sha, struct sbuf *author,
                          struct sbuf *email, struct sbuf *message, long long *time_out,
                          struct err *err)
{
    git_commit *c = NULL;
    int rc = lookup_commit(&c, r, sha, err);
    if (rc < 0)
        return rc;
    const git_signature *sig = git_commit_author(c);
    if (sig) {
        sbuf_addstr(author, sig->name ? sig->name : "");
        sbuf_addstr(email, sig->email ? sig->email : "");
        *time_out = (long long)sig->when.time;
    }
    const char *msg = git_commit_message(c);
    sbuf_addstr(message, msg ? msg : "");
    sbuf_rtrim(message);
    git_commit_free(c);
    return 0;
}
