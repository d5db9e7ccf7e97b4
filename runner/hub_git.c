/*
 * struct hub_git_ops filled from git.h: each operation is git's function under hub's names. The
 * only translations are the repository handle (hub holds a void *; git's is struct repo) and the
 * list of changes of a commit (hub's struct hub_git_change to git's struct repo_change).
 */
#include "hub_git.h"

#include "git/git.h"
#include "util/xalloc.h"

static int ops_open(void **out, const char *dir, const char *initial_branch, struct err *err)
{
    struct repo *r = NULL;
    int rc = repo_open_bare(&r, dir, initial_branch, err);
    if (rc == 0)
        *out = r;
    return rc;
}

static void ops_close(void *repo)
{
    repo_free(repo);
}

static int ops_resolve(char sha_out[41], void *repo, const char *rev, struct err *err)
{
    return repo_resolve(sha_out, repo, rev, err);
}

static int ops_ls_tree(void *repo, const char *rev, hub_git_file_fn fn, void *payload,
                       struct err *err)
{
    /* hub_git_file_fn and repo_tree_fn are the same function type. */
    repo_tree_fn each = fn;
    return repo_ls_tree(repo, rev, each, payload, err);
}

static int ops_read_blob(struct sbuf *out, void *repo, const char *spec, struct err *err)
{
    return repo_read_blob(out, repo, spec, err);
}

static enum repo_change_kind change_kind(enum hub_git_change_kind k)
{
    switch (k) {
    case HUB_GIT_ADD_FILE:
        return REPO_CHANGE_ADD_FILE;
    case HUB_GIT_DELETE:
        return REPO_CHANGE_DELETE;
    case HUB_GIT_DELETE_FOLDER:
        return REPO_CHANGE_DELETE_FOLDER;
    case HUB_GIT_ADD_DATA:
        break;
    }
    return REPO_CHANGE_ADD_DATA;
}

static int ops_commit(char sha_out[41], void *repo, const struct hub_git_commit *c, struct err *err)
{
    struct repo_change *changes = xcalloc(c->n_changes ? c->n_changes : 1, sizeof(*changes));
    for (size_t i = 0; i < c->n_changes; i++) {
        const struct hub_git_change *h = &c->changes[i];
        changes[i] = (struct repo_change){.kind = change_kind(h->kind),
                                          .path = h->path,
                                          .data = h->data,
                                          .len = h->len,
                                          .file = h->file};
    }
    struct repo_commit_opts o = {.branch = c->branch,
                                 .parent = c->parent,
                                 .message = c->message,
                                 .changes = changes,
                                 .nchanges = c->n_changes};
    int rc = repo_commit_changes(sha_out, repo, &o, err);
    xfree(changes);
    return rc;
}

static int ops_create_branch(void *repo, const char *branch, const char *rev, struct err *err)
{
    return repo_branch_create(repo, branch, rev, err);
}

static int ops_create_tag(void *repo, const char *tag, const char *rev, const char *message,
                          struct err *err)
{
    return repo_tag_create(repo, tag, rev, message, err);
}

const struct hub_git_ops cli_hub_git_ops = {
    .global_init = repo_global_init,
    .global_shutdown = repo_global_shutdown,
    .open = ops_open,
    .close = ops_close,
    .resolve = ops_resolve,
    .ls_tree = ops_ls_tree,
    .read_blob = ops_read_blob,
    .commit = ops_commit,
    .create_branch = ops_create_branch,
    .create_tag = ops_create_tag,
};
