/*
 * The embedded hub (--endpoint file:///dir): the commit the Hub would receive, written into a
 * local bare git repository per repo id, <dir>/<type>s/<namespace>/<name>.git. LFS files become
 * pointer blobs (git-lfs spec v1) in the commit, with their bytes under the repository's
 * lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid> (git-lfs's own layout), and a .gitattributes rule as the
 * Hub adds one. Regular/LFS is decided as the Hub does: over 10 MiB, a NUL in the first 512 bytes,
 * or a filter=lfs rule in .gitattributes.
 *
 * libgit2 is included here and only here in hub/ (see internal.h: this belongs behind src/git/).
 */
#include "hub/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "util/glob.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

/* The .gitattributes the Hub puts in a new repository's first commit (abridged). */
static const char initial_gitattributes[] = "*.7z filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.bin filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.ckpt filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.gz filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.h5 filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.joblib filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.onnx filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.pickle filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.pkl filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.pt filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.pth filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.skops filter=lfs diff=lfs merge=lfs -text\n"
                                            "*.zip filter=lfs diff=lfs merge=lfs -text\n";

void hub_store_init(void)
{
    git_libgit2_init();
}

void hub_store_shutdown(void)
{
    git_libgit2_shutdown();
}

/* Translates libgit2's last error into err (libgit2's convention -> struct err at the boundary). */
static int git_fail(struct err *err, int code, const char *what)
{
    const git_error *e = git_error_last();
    return err_set(err, code == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL, "%s: %s", what,
                   e && e->message ? e->message : "libgit2 error");
}

static void repo_dir(struct sbuf *out, struct hub *h, const struct hub_repo *repo)
{
    sbuf_addf(out, "%s/%ss/%s.git", h->store_root, hub_repo_type_name(repo->type), repo->id);
}

static int open_repo(git_repository **out, struct hub *h, const struct hub_repo *repo,
                     struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    repo_dir(&dir, h, repo);
    int rc = 0;
    if (!fs_is_dir(dir.buf)) {
        rc = err_set(err, ERR_NOTFOUND, "%s '%s' does not exist in '%s'",
                     hub_repo_type_name(repo->type), repo->id, h->endpoint);
    } else if (git_repository_open_bare(out, dir.buf) < 0) {
        rc = git_fail(err, -1, dir.buf);
    }
    sbuf_release(&dir);
    return rc;
}

static int store_whoami(struct hub *h, struct sbuf *name_out, struct err *err)
{
    sbuf_addstr(name_out, "local");
    return 0;
}

static git_signature *signature(void)
{
    git_signature *sig = NULL;
    if (git_signature_now(&sig, "runnel", "runnel@localhost") < 0)
        BUG("cannot make a git signature");
    return sig;
}

static int store_create_repo(struct hub *h, const struct hub_repo *repo,
                             const struct hub_create_opts *o, struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    git_repository *r = NULL;
    git_treebuilder *tb = NULL;
    git_signature *sig = NULL;
    git_tree *tree = NULL;
    int rc = 0;
    repo_dir(&dir, h, repo);
    if (fs_is_dir(dir.buf)) {
        if (!o->exist_ok)
            rc = err_set(err, ERR_FAIL, "'%s' already exists", repo->id);
        goto done;
    }
    if (repo->type == HUB_REPO_SPACE && o->space_sdk) {
        static const char *const sdks[] = {"gradio", "streamlit", "docker", "static"};
        bool ok = false;
        for (size_t i = 0; i < 4; i++)
            ok |= !strcmp(o->space_sdk, sdks[i]);
        if (!ok) {
            rc = err_set(err, ERR_INVALID,
                         "space sdk '%s': expected gradio, streamlit, docker or "
                         "static",
                         o->space_sdk);
            goto done;
        }
    }
    git_repository_init_options io;
    git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    io.initial_head = "main";
    if (git_repository_init_ext(&r, dir.buf, &io) < 0) {
        rc = git_fail(err, -1, dir.buf);
        goto done;
    }
    /* The Hub's first commit: "initial commit" with its default .gitattributes. */
    git_oid blob, tree_id, commit;
    if (git_blob_create_from_buffer(&blob, r, initial_gitattributes,
                                    sizeof(initial_gitattributes) - 1) < 0 ||
        git_treebuilder_new(&tb, r, NULL) < 0 ||
        git_treebuilder_insert(NULL, tb, ".gitattributes", &blob, GIT_FILEMODE_BLOB) < 0 ||
        git_treebuilder_write(&tree_id, tb) < 0 || git_tree_lookup(&tree, r, &tree_id) < 0) {
        rc = git_fail(err, -1, "initial commit");
        goto done;
    }
    sig = signature();
    if (git_commit_create(&commit, r, "refs/heads/main", sig, sig, NULL, "initial commit", tree, 0,
                          NULL) < 0) {
        rc = git_fail(err, -1, "initial commit");
        goto done;
    }
done:
    git_tree_free(tree);
    git_signature_free(sig);
    git_treebuilder_free(tb);
    git_repository_free(r);
    sbuf_release(&dir);
    return rc;
}

/* The commit rev names (branch, tag or id). ERR_NOTFOUND when there is none. */
static int lookup_commit(git_commit **out, git_repository *r, const char *rev, struct err *err)
{
    git_object *obj = NULL;
    struct sbuf full = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&full, "refs/heads/%s", rev);
    if (git_revparse_single(&obj, r, full.buf) < 0) {
        sbuf_reset(&full);
        sbuf_addf(&full, "refs/tags/%s", rev);
        if (git_revparse_single(&obj, r, full.buf) < 0 && git_revparse_single(&obj, r, rev) < 0) {
            rc = err_set(err, ERR_NOTFOUND, "no revision '%s'", rev);
            goto done;
        }
    }
    if (git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT) < 0)
        rc = git_fail(err, -1, rev);
done:
    git_object_free(obj);
    sbuf_release(&full);
    return rc;
}

static int store_revision(struct hub *h, const struct hub_repo *repo, const char *rev,
                          struct sbuf *sha_out, struct err *err)
{
    git_repository *r = NULL;
    git_commit *c = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = lookup_commit(&c, r, rev, err);
    if (rc == 0) {
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
        sbuf_addstr(sha_out, hex);
    }
    git_commit_free(c);
    git_repository_free(r);
    return rc;
}

static int store_create_branch(struct hub *h, const struct hub_repo *repo, const char *branch,
                               const char *from, struct err *err)
{
    git_repository *r = NULL;
    git_commit *c = NULL;
    git_reference *ref = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = lookup_commit(&c, r, from, err);
    if (rc == 0) {
        int g = git_branch_create(&ref, r, branch, c, 0);
        if (g < 0 && g != GIT_EEXISTS)
            rc = git_fail(err, g, branch);
    }
    git_reference_free(ref);
    git_commit_free(c);
    git_repository_free(r);
    return rc;
}

static int store_create_tag(struct hub *h, const struct hub_repo *repo, const char *rev,
                            const char *tag, const char *message, struct err *err)
{
    git_repository *r = NULL;
    git_commit *c = NULL;
    git_signature *sig = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = lookup_commit(&c, r, rev, err);
    if (rc == 0) {
        git_oid id;
        int g;
        if (message) {
            sig = signature();
            g = git_tag_create(&id, r, tag, (const git_object *)c, sig, message, 0);
        } else {
            g = git_tag_create_lightweight(&id, r, tag, (const git_object *)c, 0);
        }
        if (g == GIT_EEXISTS) {
            rc = err_set(err, ERR_FAIL, "tag '%s' already exists", tag);
        } else if (g < 0) {
            rc = git_fail(err, g, tag);
        }
    }
    git_signature_free(sig);
    git_commit_free(c);
    git_repository_free(r);
    return rc;
}

/* The bytes of the blob at path in tree into out; false when there is no such blob. */
static bool read_blob(struct sbuf *out, git_repository *r, git_tree *tree, const char *path,
                      git_oid *id_out)
{
    git_tree_entry *e = NULL;
    git_blob *b = NULL;
    bool ok = false;
    if (tree && git_tree_entry_bypath(&e, tree, path) == 0 &&
        git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
        git_blob_lookup(&b, r, git_tree_entry_id(e)) == 0) {
        sbuf_add(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
        if (id_out)
            *id_out = *git_tree_entry_id(e);
        ok = true;
    }
    git_blob_free(b);
    git_tree_entry_free(e);
    return ok;
}

/* The sha256 of an LFS pointer's text, into oid (65 bytes); false when text is not a pointer. */
static bool parse_pointer(char oid[65], const char *text, size_t len)
{
    static const char version[] = "version https://git-lfs.github.com/spec/v1\n";
    if (len > 512 || len < sizeof(version) - 1 || memcmp(text, version, sizeof(version) - 1))
        return false;
    const char *p = strstr(text, "\noid sha256:");
    if (!p || strlen(p) < 12 + 64)
        return false;
    memcpy(oid, p + 12, 64);
    oid[64] = '\0';
    return true;
}

/* True when a filter=lfs line of the .gitattributes text matches path. */
static bool attrs_say_lfs(const char *attrs, const char *path)
{
    bool lfs = false;
    struct str rest = str_from(attrs);
    while (rest.len) {
        const char *nl = memchr(rest.p, '\n', rest.len);
        size_t n = nl ? (size_t)(nl - rest.p) : rest.len;
        struct str line = str_trim(str_make(rest.p, n));
        rest = nl ? str_make(nl + 1, rest.len - n - 1) : STR_NULL;
        if (!line.len || line.p[0] == '#')
            continue;
        const char *sp = memchr(line.p, ' ', line.len);
        if (!sp)
            continue;
        char *pat = xstrndup(line.p, (size_t)(sp - line.p));
        struct str attrs_part = str_make(sp, line.len - (size_t)(sp - line.p));
        bool is_lfs_rule = false;
        for (size_t i = 0; i + 10 <= attrs_part.len; i++)
            is_lfs_rule |= !memcmp(attrs_part.p + i, "filter=lfs", 10);
        /* git: a pattern without '/' matches the basename at any depth. */
        const char *subject = strchr(pat, '/') ? path : path_basename(path);
        bool m = glob_match_str(pat[0] == '/' ? pat + 1 : pat, subject, GLOB_PATHS);
        xfree(pat);
        if (m)
            lfs = is_lfs_rule; /* the last matching line wins */
    }
    return lfs;
}

static int store_preupload(struct hub *h, const struct hub_repo *repo, const char *rev,
                           struct hub_file *files, size_t n, struct err *err)
{
    git_repository *r = NULL;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    struct sbuf attrs = SBUF_INIT;
    struct sbuf blob = SBUF_INIT;
    int rc = open_repo(&r, h, repo, err);
    if (rc < 0)
        goto done;
    rc = lookup_commit(&c, r, rev, err);
    if (rc < 0)
        goto done;
    if (git_commit_tree(&tree, c) < 0) {
        rc = git_fail(err, -1, rev);
        goto done;
    }
    read_blob(&attrs, r, tree, ".gitattributes", NULL);
    for (size_t i = 0; i < n; i++) {
        struct hub_file *f = &files[i];
        f->is_lfs = f->size > HUB_LFS_THRESHOLD || memchr(f->sample, 0, f->sample_len) ||
                    attrs_say_lfs(attrs.buf, f->path);
        f->should_ignore = false;
        git_oid id;
        sbuf_reset(&blob);
        if (read_blob(&blob, r, tree, f->path, &id)) {
            char oid[65];
            if (parse_pointer(oid, blob.buf, blob.len)) {
                f->remote_oid = xstrdup(oid);
            } else {
                char hex[GIT_OID_HEXSZ + 1];
                git_oid_tostr(hex, sizeof(hex), &id);
                f->remote_oid = xstrdup(hex);
            }
        }
    }
done:
    sbuf_release(&attrs);
    sbuf_release(&blob);
    git_tree_free(tree);
    git_commit_free(c);
    git_repository_free(r);
    return rc;
}

struct walk_ctx {
    struct vec *paths;
};

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
    struct walk_ctx *w = payload;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        return 0;
    struct sbuf p = SBUF_INIT;
    sbuf_addf(&p, "%s%s", root, git_tree_entry_name(e));
    char **slot = vec_push(w->paths);
    *slot = sbuf_detach(&p, NULL);
    return 0;
}

static int tree_paths(git_tree *tree, struct vec *paths_out, struct err *err)
{
    struct walk_ctx w = {.paths = paths_out};
    if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w) < 0)
        return git_fail(err, -1, "tree walk");
    return 0;
}

static int store_list_files(struct hub *h, const struct hub_repo *repo, const char *rev,
                            struct vec *paths_out, struct err *err)
{
    git_repository *r = NULL;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = lookup_commit(&c, r, rev, err);
    if (rc == 0 && git_commit_tree(&tree, c) < 0)
        rc = git_fail(err, -1, rev);
    if (rc == 0)
        rc = tree_paths(tree, paths_out, err);
    git_tree_free(tree);
    git_commit_free(c);
    git_repository_free(r);
    return rc;
}

struct copy_progress {
    struct hub *h;
    const struct hub_file *f;
};

static void copy_progressed(uint64_t done, void *ctx)
{
    const struct copy_progress *cp = ctx;
    struct hub_progress p = {.path = cp->f->path, .done = done, .total = cp->f->size};
    cp->h->progress(&p, cp->h->progress_payload);
}

/* Copies src to dst through a temporary file and rename, reporting progress. */
static int copy_object(struct hub *h, const struct hub_file *f, const char *dst, struct err *err)
{
    struct sbuf tmp = SBUF_INIT;
    int in = -1;
    int out = -1;
    int rc = 0;
    sbuf_addf(&tmp, "%s.tmp%ld", dst, (long)getpid());
    in = open(f->local, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = err_errno(err, "cannot open '%s'", f->local);
        goto done;
    }
    out = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
    if (out < 0) {
        rc = err_errno(err, "cannot create '%s'", tmp.buf);
        goto done;
    }
    struct copy_progress cp = {.h = h, .f = f};
    uint64_t done_bytes = 0;
    rc = fs_copy_fd(in, f->local, out, tmp.buf, h->progress ? copy_progressed : NULL, &cp,
                    &done_bytes, err);
    if (rc)
        goto done;
    if (done_bytes != f->size) {
        rc = err_set(err, ERR_IO, "'%s' changed while being uploaded", f->local);
        goto done;
    }
    if (fsync(out) < 0 || rename(tmp.buf, dst) < 0) {
        rc = err_errno(err, "cannot store '%s'", dst);
        goto done;
    }
done:
    if (rc < 0)
        unlink(tmp.buf);
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    sbuf_release(&tmp);
    return rc;
}

static int store_upload_lfs(struct hub *h, const struct hub_repo *repo, const char *rev,
                            struct hub_file *const *files, size_t n, size_t *n_sent,
                            struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf obj = SBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct hub_file *f = files[i];
        sbuf_reset(&dir);
        repo_dir(&dir, h, repo);
        sbuf_addf(&dir, "/lfs/objects/%.2s/%.2s", f->oid, f->oid + 2);
        sbuf_reset(&obj);
        sbuf_addf(&obj, "%s/%s", dir.buf, f->oid);
        if (fs_is_file(obj.buf))
            continue;
        rc = fs_mkdirs(dir.buf, 0755, err);
        if (rc == 0)
            rc = copy_object(h, f, obj.buf, err);
        if (rc == 0)
            (*n_sent)++;
    }
    sbuf_release(&dir);
    sbuf_release(&obj);
    return rc;
}

static int add_update(struct vec *updates, struct vec *owned, git_tree_update_t action,
                      const git_oid *id, const char *path)
{
    git_tree_update *u = vec_push(updates);
    u->action = action;
    if (id)
        u->id = *id;
    u->filemode = GIT_FILEMODE_BLOB;
    char **slot = vec_push(owned);
    *slot = xstrdup(path);
    u->path = *slot;
    return 0;
}

static bool has_update(const struct vec *updates, const char *path)
{
    vec_foreach (git_tree_update, u, updates) {
        if (!strcmp(u->path, path))
            return true;
    }
    return false;
}

static int store_commit(struct hub *h, const struct hub_repo *repo, const char *rev,
                        const struct hub_commit *c, struct hub_upload_result *res, struct err *err)
{
    git_repository *r = NULL;
    git_commit *tip = NULL;
    git_tree *base = NULL;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    struct vec updates = VEC_INIT(git_tree_update);
    struct vec owned = VEC_INIT(char *);
    struct vec existing = VEC_INIT(char *);
    struct sbuf attrs = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    struct sbuf ref = SBUF_INIT;
    int rc = open_repo(&r, h, repo, err);
    if (rc < 0)
        goto done;
    rc = lookup_commit(&tip, r, rev, err);
    if (rc < 0)
        goto done;
    char tip_hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(tip_hex, sizeof(tip_hex), git_commit_id(tip));
    if (c->parent && strcmp(c->parent, tip_hex)) {
        rc = err_set(err, ERR_FAIL,
                     "'%s' moved while uploading (parent commit mismatch): it is "
                     "at %s, not %s",
                     rev, tip_hex, c->parent);
        goto done;
    }
    if (git_commit_tree(&base, tip) < 0) {
        rc = git_fail(err, -1, rev);
        goto done;
    }
    rc = tree_paths(base, &existing, err);
    if (rc < 0)
        goto done;
    read_blob(&attrs, r, base, ".gitattributes", NULL);
    size_t attrs_len = attrs.len;

    vec_foreach (struct hub_op, op, &c->ops) {
        git_oid id;
        if (op->kind == HUB_OP_DELETE_FILE) {
            bool found = false;
            vec_foreach (char *, p, &existing)
                found |= !strcmp(*p, op->path);
            if (!found) {
                rc = err_set(err, ERR_NOTFOUND, "cannot delete '%s': no such file", op->path);
                goto done;
            }
            add_update(&updates, &owned, GIT_TREE_UPDATE_REMOVE, NULL, op->path);
        } else if (op->kind == HUB_OP_DELETE_FOLDER) {
            size_t plen = strlen(op->path);
            while (plen && op->path[plen - 1] == '/')
                plen--;
            vec_foreach (char *, p, &existing) {
                if (!strncmp(*p, op->path, plen) && (*p)[plen] == '/')
                    add_update(&updates, &owned, GIT_TREE_UPDATE_REMOVE, NULL, *p);
            }
        } else if (op->file->is_lfs) {
            sbuf_reset(&text);
            sbuf_addf(&text,
                      "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %llu\n",
                      op->file->oid, (unsigned long long)op->file->size);
            if (git_blob_create_from_buffer(&id, r, text.buf, text.len) < 0) {
                rc = git_fail(err, -1, op->file->path);
                goto done;
            }
            add_update(&updates, &owned, GIT_TREE_UPDATE_UPSERT, &id, op->file->path);
            /* As the Hub: a rule for every LFS file that no rule covers yet. */
            if (!attrs_say_lfs(attrs.buf, op->file->path)) {
                if (attrs.len && attrs.buf[attrs.len - 1] != '\n')
                    sbuf_addch(&attrs, '\n');
                sbuf_addf(&attrs, "%s filter=lfs diff=lfs merge=lfs -text\n", op->file->path);
            }
        } else {
            if (git_blob_create_from_disk(&id, r, op->file->local) < 0) {
                rc = git_fail(err, -1, op->file->local);
                goto done;
            }
            add_update(&updates, &owned, GIT_TREE_UPDATE_UPSERT, &id, op->file->path);
        }
    }
    if (attrs.len != attrs_len && !has_update(&updates, ".gitattributes")) {
        git_oid id;
        if (git_blob_create_from_buffer(&id, r, attrs.buf, attrs.len) < 0) {
            rc = git_fail(err, -1, ".gitattributes");
            goto done;
        }
        add_update(&updates, &owned, GIT_TREE_UPDATE_UPSERT, &id, ".gitattributes");
    }

    git_oid tree_id, commit_id;
    if (git_tree_create_updated(&tree_id, r, base, updates.len, updates.items) < 0 ||
        git_tree_lookup(&tree, r, &tree_id) < 0) {
        rc = git_fail(err, -1, "commit tree");
        goto done;
    }
    sbuf_reset(&text);
    sbuf_addstr(&text, c->summary);
    if (c->description && *c->description)
        sbuf_addf(&text, "\n\n%s", c->description);
    sbuf_addch(&text, '\n');
    sig = signature();
    sbuf_addf(&ref, "refs/heads/%s", rev);
    const git_commit *parents[] = {tip};
    /* git_commit_create moves the ref only if it still points at the parent: the same
     * optimistic concurrency as the Hub's parentCommit. */
    if (git_commit_create(&commit_id, r, ref.buf, sig, sig, NULL, text.buf, tree, 1, parents) < 0) {
        rc = git_fail(err, -1, "commit");
        goto done;
    }
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &commit_id);
    sbuf_addstr(&res->commit_oid, hex);
    repo_dir(&res->commit_url, h, repo);
    sbuf_addf(&res->commit_url, " %s", hex);
done:
    vec_foreach (char *, p, &owned)
        xfree(*p);
    vec_release(&owned);
    vec_foreach (char *, p, &existing)
        xfree(*p);
    vec_release(&existing);
    vec_release(&updates);
    sbuf_release(&attrs);
    sbuf_release(&text);
    sbuf_release(&ref);
    git_signature_free(sig);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(tip);
    git_repository_free(r);
    return rc;
}

const struct hub_backend hub_store_backend = {
    .whoami = store_whoami,
    .create_repo = store_create_repo,
    .revision = store_revision,
    .create_branch = store_create_branch,
    .create_tag = store_create_tag,
    .preupload = store_preupload,
    .list_files = store_list_files,
    .upload_lfs = store_upload_lfs,
    .commit = store_commit,
};
