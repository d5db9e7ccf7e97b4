/*
 * Bare repositories read and written directly (git.h's last section): revisions resolved as the
 * Hub resolves them (branch, then tag, then anything rev-parse takes), trees listed and blobs
 * read without a checkout, and one commit written from a list of changes with
 * git_tree_create_updated() on the parent's tree. git_commit_create() moves the branch only if it
 * still points at the parent (it compares and swaps under the ref's lock), which gives callers
 * the optimistic concurrency of the Hub's parentCommit.
 */

#include "git/git.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "git/internal.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* How long a commit waits for a branch another writer has locked, and how often it looks. */
#define REF_LOCK_TIMEOUT_MS 2000u
#define REF_LOCK_POLL_MS 10u

/* The identity of what this file writes: the content is the caller's, not the user's git config. */
static int signature(git_signature **out, struct err *err)
{
    if (git_signature_now(out, "runnel", "runnel@localhost") < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot make a signature");
    return 0;
}

/* The commit rev names: refs/heads/<rev>, refs/tags/<rev>, then rev as rev-parse reads it. */
static int lookup_commit(git_commit **out, struct repo *r, const char *rev, struct err *err)
{
    git_object *obj = NULL;
    struct sbuf full = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&full, "refs/heads/%s", rev);
    if (git_revparse_single(&obj, r->git, full.buf) < 0) {
        sbuf_reset(&full);
        sbuf_addf(&full, "refs/tags/%s", rev);
        if (git_revparse_single(&obj, r->git, full.buf) < 0 &&
            git_revparse_single(&obj, r->git, rev) < 0) {
            rc = err_set(err, ERR_NOTFOUND, "no revision '%s'", rev);
            goto done;
        }
    }
    if (git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT) < 0)
        rc = repo_fail(err, ERR_FAIL, NULL, "'%s' is not a commit", rev);
done:
    git_object_free(obj);
    sbuf_release(&full);
    return rc;
}

int repo_resolve(char sha_out[41], struct repo *r, const char *rev, struct err *err)
{
    git_commit *c = NULL;
    int rc = lookup_commit(&c, r, rev, err);
    if (rc == 0)
        git_oid_tostr(sha_out, GIT_OID_HEXSZ + 1, git_commit_id(c));
    git_commit_free(c);
    return rc;
}

struct ls_ctx {
    git_odb *odb;
    repo_tree_fn fn;
    void *payload;
    struct sbuf path; /* the current file's path, reused */
};

static int ls_cb(const char *root, const git_tree_entry *e, void *payload)
{
    struct ls_ctx *c = payload;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        return 0;
    /* The size from the object's header: the blob itself is never read. */
    size_t size = 0;
    git_object_t type;
    if (git_odb_read_header(&size, &type, c->odb, git_tree_entry_id(e)) < 0)
        return -1; /* stops the walk; libgit2's message says why */
    char oid[GIT_OID_HEXSZ + 1];
    git_oid_tostr(oid, sizeof(oid), git_tree_entry_id(e));
    sbuf_reset(&c->path);
    sbuf_addf(&c->path, "%s%s", root, git_tree_entry_name(e));
    c->fn(c->path.buf, oid, (uint64_t)size, (unsigned)git_tree_entry_filemode(e), c->payload);
    return 0;
}

int repo_ls_tree(struct repo *r, const char *rev, repo_tree_fn fn, void *payload, struct err *err)
{
    git_commit *c = NULL;
    git_tree *tree = NULL;
    struct ls_ctx ctx = {.fn = fn, .payload = payload, .path = SBUF_INIT};
    int rc = lookup_commit(&c, r, rev, err);
    if (rc < 0)
        goto done;
    if (git_commit_tree(&tree, c) < 0 || git_repository_odb(&ctx.odb, r->git) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the tree of '%s'", rev);
        goto done;
    }
    /* Pre-order visits entries in tree order, a folder's files where the folder sorts: the order
     * of `git ls-tree -r`. */
    if (git_tree_walk(tree, GIT_TREEWALK_PRE, ls_cb, &ctx) < 0)
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot list the tree of '%s'", rev);
done:
    sbuf_release(&ctx.path);
    git_odb_free(ctx.odb);
    git_tree_free(tree);
    git_commit_free(c);
    return rc;
}

int repo_read_blob(struct sbuf *out, struct repo *r, const char *spec, struct err *err)
{
    git_object *obj = NULL;
    git_blob *blob = NULL;
    int rc = 0;
    if (git_revparse_single(&obj, r->git, spec) < 0 ||
        git_object_peel((git_object **)&blob, obj, GIT_OBJECT_BLOB) < 0) {
        rc = err_set(err, ERR_NOTFOUND, "no blob '%s'", spec);
        goto done;
    }
    sbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
done:
    git_blob_free(blob);
    git_object_free(obj);
    return rc;
}

/* The updates of one commit, and the paths they point at that this file allocated. */
struct updates {
    struct vec list;  /* git_tree_update */
    struct vec names; /* char *, owned */
};

static void add_update(struct updates *u, git_tree_update_t action, const char *path,
                       const git_oid *id, bool copy_path)
{
    if (copy_path) {
        char *copy = xstrdup(path);
        *(char **)vec_push(&u->names) = copy;
        path = copy;
    }
    git_tree_update *up = vec_push(&u->list);
    up->action = action;
    up->path = path;
    if (id)
        git_oid_cpy(&up->id, id);
    up->filemode = GIT_FILEMODE_BLOB;
}

struct folder_ctx {
    struct updates *u;
    const char *folder; /* without a trailing '/' */
};

static int folder_cb(const char *root, const git_tree_entry *e, void *payload)
{
    struct folder_ctx *c = payload;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        return 0;
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/%s%s", c->folder, root, git_tree_entry_name(e));
    add_update(c->u, GIT_TREE_UPDATE_REMOVE, path.buf, NULL, true);
    sbuf_release(&path);
    return 0;
}

/* One change as tree updates (a folder's delete becomes one update per file under it). */
static int apply_change(struct updates *u, struct repo *r, git_tree *base,
                        const struct repo_change *ch, struct err *err)
{
    git_oid id;
    git_tree_entry *e = NULL;
    git_tree *sub = NULL;
    int rc = 0;
    switch (ch->kind) {
    case REPO_CHANGE_ADD_DATA:
        if (git_blob_create_from_buffer(&id, r->git, ch->data, ch->len) < 0)
            return repo_fail(err, ERR_FAIL, NULL, "cannot write the blob of '%s'", ch->path);
        add_update(u, GIT_TREE_UPDATE_UPSERT, ch->path, &id, false);
        return 0;
    case REPO_CHANGE_ADD_FILE:
        /* Streamed through the object database's write stream: memory stays flat however
         * large the file is. */
        if (git_blob_create_from_disk(&id, r->git, ch->file) < 0)
            return repo_fail(err, ERR_IO, NULL, "cannot store '%s'", ch->file);
        add_update(u, GIT_TREE_UPDATE_UPSERT, ch->path, &id, false);
        return 0;
    case REPO_CHANGE_DELETE:
        if (!base || git_tree_entry_bypath(&e, base, ch->path) < 0 ||
            git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
            rc = err_set(err, ERR_NOTFOUND, "cannot delete '%s': no such file", ch->path);
            break;
        }
        add_update(u, GIT_TREE_UPDATE_REMOVE, ch->path, NULL, false);
        break;
    case REPO_CHANGE_DELETE_FOLDER: {
        struct sbuf folder = SBUF_INIT;
        sbuf_addstr(&folder, ch->path);
        while (folder.len && folder.buf[folder.len - 1] == '/')
            sbuf_setlen(&folder, folder.len - 1);
        if (folder.len && base && git_tree_entry_bypath(&e, base, folder.buf) == 0 &&
            git_tree_entry_type(e) == GIT_OBJECT_TREE) {
            struct folder_ctx c = {.u = u, .folder = folder.buf};
            if (git_tree_lookup(&sub, r->git, git_tree_entry_id(e)) < 0 ||
                git_tree_walk(sub, GIT_TREEWALK_PRE, folder_cb, &c) < 0)
                rc = repo_fail(err, ERR_FAIL, NULL, "cannot list '%s'", folder.buf);
        }
        sbuf_release(&folder);
        break;
    }
    }
    git_tree_free(sub);
    git_tree_entry_free(e);
    return rc;
}

int repo_commit_changes(char sha_out[41], struct repo *r, const struct repo_commit_opts *o,
                        struct err *err)
{
    git_commit *parent = NULL;
    git_tree *base = NULL;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    struct updates u = {.list = VEC_INIT(git_tree_update), .names = VEC_INIT(char *)};
    struct sbuf ref = SBUF_INIT;
    int rc = 0;

    sbuf_addf(&ref, "refs/heads/%s", o->branch);
    int valid = 0;
    if (git_reference_name_is_valid(&valid, ref.buf) < 0 || !valid) {
        rc = err_set(err, ERR_INVALID, "invalid branch name '%s'", o->branch);
        goto done;
    }
    if (o->parent) {
        git_oid id;
        if (strlen(o->parent) != GIT_OID_HEXSZ || git_oid_fromstr(&id, o->parent) < 0) {
            rc = err_set(err, ERR_INVALID, "parent '%s': expected a commit id", o->parent);
            goto done;
        }
        if (git_commit_lookup(&parent, r->git, &id) < 0) {
            rc = err_set(err, ERR_NOTFOUND, "no commit '%s'", o->parent);
            goto done;
        }
        if (git_commit_tree(&base, parent) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the tree of '%s'", o->parent);
            goto done;
        }
    }
    for (size_t i = 0; i < o->nchanges; i++) {
        rc = apply_change(&u, r, base, &o->changes[i], err);
        if (rc < 0)
            goto done;
    }

    git_oid tree_id;
    git_oid commit_id;
    if (git_tree_create_updated(&tree_id, r->git, base, u.list.len, u.list.items) < 0 ||
        git_tree_lookup(&tree, r->git, &tree_id) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot write the tree");
        goto done;
    }
    rc = signature(&sig, err);
    if (rc < 0)
        goto done;
    const git_commit *parents[] = {parent};
    /* Another writer holding the branch's lock is waited for, as git does for a ref lock
     * (core.filesRefLockTimeout): once it lets go, the compare and swap says whether it moved the
     * branch. libgit2 itself gives up at once. */
    int grc;
    for (unsigned waited_ms = 0;; waited_ms += REF_LOCK_POLL_MS) {
        grc = git_commit_create(&commit_id, r->git, ref.buf, sig, sig, NULL, o->message, tree,
                                parent ? 1 : 0, parents);
        if (grc != GIT_ELOCKED || waited_ms >= REF_LOCK_TIMEOUT_MS)
            break;
        struct timespec ts = {.tv_nsec = REF_LOCK_POLL_MS * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
    if (grc == GIT_EMODIFIED) {
        rc = o->parent ? err_set(err, ERR_FAIL, "branch '%s' moved: it is no longer at %s",
                                 o->branch, o->parent)
                       : err_set(err, ERR_FAIL, "branch '%s' already exists", o->branch);
        goto done;
    }
    if (grc < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot commit to '%s'", o->branch);
        goto done;
    }
    git_oid_tostr(sha_out, GIT_OID_HEXSZ + 1, &commit_id);
done:
    vec_foreach (char *, p, &u.names)
        xfree(*p);
    vec_release(&u.names);
    vec_release(&u.list);
    sbuf_release(&ref);
    git_signature_free(sig);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
    return rc;
}

int repo_branch_create(struct repo *r, const char *branch, const char *rev, struct err *err)
{
    git_commit *c = NULL;
    git_reference *ref = NULL;
    int rc = lookup_commit(&c, r, rev, err);
    if (rc == 0) {
        int grc = git_branch_create(&ref, r->git, branch, c, 0);
        if (grc < 0 && grc != GIT_EEXISTS)
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot create branch '%s'", branch);
    }
    git_reference_free(ref);
    git_commit_free(c);
    return rc;
}

int repo_tag_create(struct repo *r, const char *tag, const char *rev, const char *message,
                    struct err *err)
{
    git_commit *c = NULL;
    git_signature *sig = NULL;
    int rc = lookup_commit(&c, r, rev, err);
    if (rc == 0 && message)
        rc = signature(&sig, err);
    if (rc == 0) {
        git_oid id;
        int grc = message ? git_tag_create(&id, r->git, tag, (const git_object *)c, sig, message, 0)
                          : git_tag_create_lightweight(&id, r->git, tag, (const git_object *)c, 0);
        if (grc == GIT_EEXISTS)
            rc = err_set(err, ERR_FAIL, "tag '%s' already exists", tag);
        else if (grc < 0)
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot create tag '%s'", tag);
    }
    git_signature_free(sig);
    git_commit_free(c);
    return rc;
}
