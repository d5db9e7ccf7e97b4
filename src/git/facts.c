/*
 * Repository facts (the last section of git.h): HEAD, references, configuration, commits,
 * history and tree diffs. Nothing here writes to the repository.
 *
 * The planner reads these to build the event of a local run, and much of it is best effort: a
 * repository whose HEAD cannot be read still gets planned, with placeholders. So repo_head()
 * and repo_ref_exists() swallow libgit2's errors by design; everything else turns them into a
 * struct err and lets the caller decide.
 */

#include "git/git.h"

#include <string.h>

#include <git2.h>

#include "git/internal.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

static void oid_hex(char *out, const git_oid *oid)
{
    git_oid_tostr(out, GIT_OID_HEXSZ + 1, oid);
}

/* A 40-hex id as the facts' callers pass them; false (nothing to clear up) when it is not one. */
static bool parse_id(git_oid *out, const char *id)
{
    if (id && git_oid_fromstr(out, id) == 0)
        return true;
    git_error_clear();
    return false;
}

static int lookup_commit(git_commit **out, struct repo *r, const char *id, struct err *err)
{
    git_oid oid;
    if (!parse_id(&oid, id) || git_commit_lookup(out, r->git, &oid) < 0) {
        git_error_clear();
        return err_set(err, ERR_NOTFOUND, "unknown commit '%s'", id ? id : "");
    }
    return 0;
}

void repo_head(char *commit_out, struct sbuf *ref_out, struct repo *r)
{
    commit_out[0] = '\0';
    git_reference *head = NULL;
    if (git_repository_head(&head, r->git) == 0) {
        if (git_reference_is_branch(head))
            sbuf_addstr(ref_out, git_reference_name(head));
        git_object *obj = NULL;
        if (git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) == 0)
            oid_hex(commit_out, git_object_id(obj));
        git_error_clear();
        git_object_free(obj);
        git_reference_free(head);
        return;
    }
    /* An unborn branch: HEAD names a branch that has no commit yet (git init, git checkout
     * --orphan). git_repository_head() fails for it, the symbolic reference still says which. */
    git_error_clear();
    git_reference *sym = NULL;
    if (git_reference_lookup(&sym, r->git, "HEAD") == 0 &&
        git_reference_type(sym) == GIT_REFERENCE_SYMBOLIC)
        sbuf_addstr(ref_out, git_reference_symbolic_target(sym));
    git_error_clear();
    git_reference_free(sym);
}

int repo_resolve_commit(char *commit_out, struct repo *r, const char *rev, struct err *err)
{
    git_object *obj = NULL;
    git_object *peeled = NULL;
    int rc = 0;
    /* every failure of the parse (unknown, ambiguous, malformed) means rev names no commit here */
    if (git_revparse_single(&obj, r->git, rev) < 0) {
        git_error_clear();
        return err_set(err, ERR_NOTFOUND, "unknown revision '%s'", rev);
    }
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
        git_error_clear();
        rc = err_set(err, ERR_INVALID, "'%s' does not name a commit", rev);
        goto done;
    }
    oid_hex(commit_out, git_object_id(peeled));
done:
    git_object_free(peeled);
    git_object_free(obj);
    return rc;
}

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

int repo_commit_read(struct repo_commit *out, struct repo *r, const char *id, struct err *err)
{
    git_commit *gc = NULL;
    int rc = lookup_commit(&gc, r, id, err);
    if (rc)
        return rc;
    struct repo_commit c = {.nparents = git_commit_parentcount(gc)};
    oid_hex(c.id, git_commit_id(gc));
    oid_hex(c.tree, git_commit_tree_id(gc));
    if (c.nparents > 0)
        oid_hex(c.parent, git_commit_parent_id(gc, 0));
    c.message = dup_or_empty(git_commit_message(gc));
    const git_signature *au = git_commit_author(gc);
    const git_signature *co = git_commit_committer(gc);
    c.author_name = dup_or_empty(au ? au->name : NULL);
    c.author_email = dup_or_empty(au ? au->email : NULL);
    c.committer_name = dup_or_empty(co ? co->name : NULL);
    c.committer_email = dup_or_empty(co ? co->email : NULL);
    if (co) {
        c.time = (int64_t)co->when.time;
        c.tz_minutes = co->when.offset;
    }
    git_commit_free(gc);
    *out = c;
    return 0;
}

void repo_commit_release(struct repo_commit *c)
{
    xfree(c->message);
    xfree(c->author_name);
    xfree(c->author_email);
    xfree(c->committer_name);
    xfree(c->committer_email);
    *c = (struct repo_commit){0};
}

int repo_merge_base(char *base_out, struct repo *r, const char *a, const char *b, struct err *err)
{
    git_oid oa;
    git_oid ob;
    git_oid base;
    git_commit *ca = NULL;
    git_commit *cb = NULL;
    if (!parse_id(&oa, a))
        return err_set(err, ERR_INVALID, "bad commit id '%s'", a ? a : "");
    if (!parse_id(&ob, b))
        return err_set(err, ERR_INVALID, "bad commit id '%s'", b ? b : "");
    /* looked up first so that an unknown commit is not reported as unrelated history */
    int rc = lookup_commit(&ca, r, a, err);
    if (rc == 0)
        rc = lookup_commit(&cb, r, b, err);
    if (rc)
        goto done;
    int grc = git_merge_base(&base, r->git, &oa, &ob);
    if (grc == GIT_ENOTFOUND) {
        git_error_clear();
        rc = err_set(err, ERR_NOTFOUND, "'%s' and '%s' have no common ancestor", a, b);
    } else if (grc < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot find the merge base of '%s' and '%s'", a, b);
    } else {
        oid_hex(base_out, &base);
    }
done:
    git_commit_free(cb);
    git_commit_free(ca);
    return rc;
}

int repo_rev_list_hiding(struct vec *out, struct repo *r, const char *to, const char *const *hide,
                         size_t nhide, struct err *err)
{
    git_oid oto;
    if (!parse_id(&oto, to))
        return err_set(err, ERR_INVALID, "bad commit id '%s'", to ? to : "");
    for (size_t i = 0; i < nhide; i++) {
        git_oid oh;
        if (!parse_id(&oh, hide[i]))
            return err_set(err, ERR_INVALID, "bad commit id '%s'", hide[i] ? hide[i] : "");
    }
    git_revwalk *walk = NULL;
    int rc = 0;
    if (git_revwalk_new(&walk, r->git) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, &oto) < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot walk the history of '%s'", to);
        goto done;
    }
    for (size_t i = 0; i < nhide; i++) {
        git_oid oh;
        parse_id(&oh, hide[i]);
        if (git_revwalk_hide(walk, &oh) < 0) {
            rc = repo_fail(err, ERR_IO, NULL, "cannot walk the history of '%s'", hide[i]);
            goto done;
        }
    }
    git_oid oid;
    int wrc;
    while ((wrc = git_revwalk_next(&oid, walk)) == 0)
        oid_hex(vec_push(out), &oid);
    if (wrc != GIT_ITEROVER)
        rc = repo_fail(err, ERR_IO, NULL, "cannot walk the history of '%s'", to);
done:
    git_revwalk_free(walk);
    return rc;
}

int repo_rev_list(struct vec *out, struct repo *r, const char *to, const char *hide,
                  struct err *err)
{
    return repo_rev_list_hiding(out, r, to, &hide, hide ? 1 : 0, err);
}

static int change_cb(const git_diff_delta *d, float progress, void *payload)
{
    const char *oldp = d->old_file.path ? d->old_file.path : d->new_file.path;
    const char *newp = d->new_file.path ? d->new_file.path : d->old_file.path;
    struct repo_diff_entry *ch = vec_push(payload);
    ch->status = git_diff_status_char(d->status);
    ch->old_path = dup_or_empty(oldp);
    ch->new_path = dup_or_empty(newp);
    return 0;
}

int repo_diff_commits(struct vec *out, struct repo *r, const char *from, const char *to,
                      struct err *err)
{
    git_commit *cfrom = NULL;
    git_commit *cto = NULL;
    git_tree *tfrom = NULL;
    git_tree *tto = NULL;
    git_diff *diff = NULL;
    int rc = 0;
    if (from) {
        rc = lookup_commit(&cfrom, r, from, err);
        if (rc)
            goto done;
    }
    rc = lookup_commit(&cto, r, to, err);
    if (rc)
        goto done;
    if ((cfrom && git_commit_tree(&tfrom, cfrom) < 0) || git_commit_tree(&tto, cto) < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot read the trees of '%s'", to);
        goto done;
    }
    git_diff_options dopts;
    git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
    if (git_diff_tree_to_tree(&diff, r->git, tfrom, tto, &dopts) < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot compare the trees of '%s'", to);
        goto done;
    }
    git_diff_find_options fopts;
    git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
    fopts.flags = GIT_DIFF_FIND_RENAMES;
    /* without rename detection a rename is still listed, as a deletion and an addition */
    if (git_diff_find_similar(diff, &fopts) < 0)
        git_error_clear();
    if (git_diff_foreach(diff, change_cb, NULL, NULL, NULL, out) < 0)
        rc = repo_fail(err, ERR_IO, NULL, "cannot compare the trees of '%s'", to);
done:
    git_diff_free(diff);
    git_tree_free(tto);
    git_tree_free(tfrom);
    git_commit_free(cto);
    git_commit_free(cfrom);
    return rc;
}

void repo_diff_release(struct vec *changes)
{
    vec_foreach (struct repo_diff_entry, ch, changes) {
        xfree(ch->old_path);
        xfree(ch->new_path);
    }
    vec_release(changes);
}

int repo_refs_foreach(struct repo *r, const char *prefix, repo_ref_fn fn, void *payload,
                      struct err *err)
{
    git_reference_iterator *it = NULL;
    if (git_reference_iterator_new(&it, r->git) < 0)
        return repo_fail(err, ERR_IO, NULL, "cannot list the references");
    git_reference *ref = NULL;
    int nrc;
    int stop = 0;
    while (!stop && (nrc = git_reference_next(&ref, it)) == 0) {
        const char *name = git_reference_name(ref);
        if (str_has_prefix(name, prefix)) {
            struct repo_ref rr = {.name = name};
            if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC)
                rr.symbolic = git_reference_symbolic_target(ref);
            else if (git_reference_target(ref))
                oid_hex(rr.target, git_reference_target(ref));
            git_object *obj = NULL;
            if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0)
                oid_hex(rr.commit, git_object_id(obj));
            git_error_clear();
            git_object_free(obj);
            stop = fn(&rr, payload);
        }
        git_reference_free(ref);
        ref = NULL;
    }
    int rc = 0;
    if (!stop && nrc != GIT_ITEROVER)
        rc = repo_fail(err, ERR_IO, NULL, "cannot list the references");
    git_reference_iterator_free(it);
    return rc;
}

bool repo_ref_exists(struct repo *r, const char *name)
{
    git_reference *ref = NULL;
    bool found = git_reference_lookup(&ref, r->git, name) == 0;
    git_error_clear();
    git_reference_free(ref);
    return found;
}

int repo_ref_symbolic_target(struct sbuf *out, struct repo *r, const char *name, struct err *err)
{
    git_reference *ref = NULL;
    int grc = git_reference_lookup(&ref, r->git, name);
    if (grc == GIT_ENOTFOUND || grc == GIT_EINVALIDSPEC) {
        git_error_clear();
        return err_set(err, ERR_NOTFOUND, "no reference '%s'", name);
    }
    if (grc < 0)
        return repo_fail(err, ERR_IO, NULL, "cannot read the reference '%s'", name);
    int rc = 0;
    if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC)
        sbuf_addstr(out, git_reference_symbolic_target(ref));
    else
        rc = err_set(err, ERR_NOTFOUND, "'%s' is not a symbolic reference", name);
    git_reference_free(ref);
    return rc;
}

int repo_config_get(struct sbuf *out, struct repo *r, const char *key, struct err *err)
{
    git_config *cfg = NULL;
    git_buf buf = {0};
    if (git_repository_config_snapshot(&cfg, r->git) < 0)
        return repo_fail(err, ERR_IO, NULL, "cannot read the configuration");
    int rc = 0;
    int grc = git_config_get_string_buf(&buf, cfg, key);
    if (grc == GIT_ENOTFOUND) {
        git_error_clear();
        rc = err_set(err, ERR_NOTFOUND, "'%s' is not set", key);
    } else if (grc < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot read '%s' from the configuration", key);
    } else {
        sbuf_addstr(out, buf.ptr);
    }
    git_buf_dispose(&buf);
    git_config_free(cfg);
    return rc;
}

int repo_is_dirty(bool *out, struct repo *r, struct err *err)
{
    git_status_options so;
    git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
    so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    /* replaces the defaults, which would count untracked files */
    so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *list = NULL;
    if (git_status_list_new(&list, r->git, &so) < 0)
        return repo_fail(err, ERR_IO, NULL, "cannot read the status of the working tree");
    *out = git_status_list_entrycount(list) > 0;
    git_status_list_free(list);
    return 0;
}
