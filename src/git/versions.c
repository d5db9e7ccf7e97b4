/*
 * repo_list() and repo_get(): reading published versions back. Both fetch what they need into
 * the local object database without writing references (remote_state_load), then read it.
 */

#include "git/git.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "git/internal.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define LIST_MAX 100000 /* versions walked at most */

static bool is_published(const git_commit *c)
{
    const char *m = git_commit_message(c);
    return m && strstr(m, "\nPublished-By: runnel");
}

static char *trailer_value(const char *msg, const char *key)
{
    struct sbuf k = SBUF_INIT;
    sbuf_addf(&k, "\n%s: ", key);
    const char *hit = strstr(msg, k.buf);
    char *v;
    if (hit) {
        hit += k.len;
        v = xstrndup(hit, strcspn(hit, "\n"));
    } else {
        v = xstrdup("");
    }
    sbuf_release(&k);
    return v;
}

static void tags_for(struct sbuf *out, const struct remote_state *st, const git_oid *commit)
{
    vec_foreach (struct remote_ref, rr, &st->refs) {
        if (str_has_prefix(rr->name, "refs/tags/") && git_oid_equal(&rr->peeled, commit))
            sbuf_addf(out, "%s%s", out->len ? " " : "", rr->name + strlen("refs/tags/"));
    }
}

void repo_versions_release(struct vec *versions)
{
    vec_foreach (struct repo_version, v, versions) {
        xfree(v->tags);
        xfree(v->subject);
        xfree(v->metrics);
    }
    vec_release(versions);
}

int repo_list(struct vec *out, struct repo *r, const struct repo_source_opts *src, struct err *err)
{
    struct remote_target t = {0};
    struct remote_state st = {.refs = VEC_INIT(struct remote_ref)};
    struct sbuf want = SBUF_INIT;
    git_commit *c = NULL;
    int rc = 0;
    if (!src->branch || !*src->branch)
        return err_set(err, ERR_INVALID, "--list needs --branch");
    rc = remote_resolve(&t, r, src->remote, src->token, err);
    if (rc)
        goto done;
    sbuf_addf(&want, "refs/heads/%s", src->branch);
    const char *wants[1] = {want.buf};
    rc = remote_state_load(&st, r, &t, src->branch, wants, 1, err);
    if (rc)
        goto done;
    if (!st.has_tip) {
        rc = err_set(err, ERR_NOTFOUND, "branch '%s' not found in '%s'", src->branch,
                     t.display ? t.display : "the local repository");
        goto done;
    }
    git_oid oid = st.tip;
    for (size_t n = 0; n < LIST_MAX; n++) {
        if (git_commit_lookup(&c, r->git, &oid) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot read a commit of '%s'", src->branch);
            goto done;
        }
        if (n > 0 && !is_published(c))
            break;
        struct repo_version *v = vec_push(out);
        git_oid_tostr(v->commit, sizeof(v->commit), &oid);
        v->time = (int64_t)git_commit_time(c);
        v->tz_minutes = git_commit_time_offset(c);
        struct sbuf tags = SBUF_INIT;
        tags_for(&tags, &st, &oid);
        v->tags = sbuf_detach(&tags, NULL);
        const char *summary = git_commit_summary(c);
        v->subject = xstrdup(summary ? summary : "");
        v->metrics = trailer_value(git_commit_message(c), "Metrics");
        if (git_commit_parentcount(c) == 0)
            break;
        git_oid_cpy(&oid, git_commit_parent_id(c, 0));
        git_commit_free(c);
        c = NULL;
    }
done:
    git_commit_free(c);
    remote_state_release(&st);
    remote_target_release(&t);
    sbuf_release(&want);
    return rc;
}

/* ---- get ---- */

static bool is_hex(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF");
    return n >= 4 && n <= GIT_OID_HEXSZ && !s[n];
}

/* "latest", "latest~N", a tag, a commit (prefix) or for the local branch any revision. */
static int resolve_version(git_oid *out, struct repo *r, const struct remote_target *t,
                           const struct remote_state *st, const char *version, struct err *err)
{
    const char *v = version && *version ? version : "latest";
    if (str_has_prefix(v, "latest")) {
        long back = 0;
        if (v[6] == '~' && !str_to_long(v + 7, &back))
            back = -1;
        if ((v[6] && v[6] != '~') || back < 0)
            return err_set(err, ERR_INVALID, "bad version '%s' (latest, latest~N, a tag or a sha)",
                           v);
        if (!st->has_tip)
            return err_set(err, ERR_NOTFOUND, "version '%s' needs --branch of an existing branch",
                           v);
        git_oid oid = st->tip;
        for (long i = 0; i < back; i++) {
            git_commit *c = NULL;
            if (git_commit_lookup(&c, r->git, &oid) < 0)
                return repo_fail(err, ERR_FAIL, NULL, "cannot read a commit");
            bool first = git_commit_parentcount(c) == 0 || (i > 0 && !is_published(c));
            if (!first)
                git_oid_cpy(&oid, git_commit_parent_id(c, 0));
            git_commit_free(c);
            if (first)
                return err_set(err, ERR_NOTFOUND, "version '%s' does not exist (only %ld older)", v,
                               i);
        }
        *out = oid;
        return 0;
    }
    struct sbuf tag = SBUF_INIT;
    sbuf_addf(&tag, "refs/tags/%s", v);
    const struct remote_ref *rr = remote_state_find(st, tag.buf);
    sbuf_release(&tag);
    if (rr) {
        *out = rr->peeled;
        return 0;
    }
    git_object *obj = NULL;
    int grc = GIT_ENOTFOUND;
    if (is_hex(v)) {
        git_oid prefix;
        size_t len = strlen(v);
        if (git_oid_fromstrn(&prefix, v, len) == 0)
            grc = git_object_lookup_prefix(&obj, r->git, &prefix, len, GIT_OBJECT_COMMIT);
    } else if (t->kind == REMOTE_NONE) {
        grc = git_revparse_single(&obj, r->git, v);
    }
    if (grc == 0) {
        git_object *peeled = NULL;
        grc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
        if (grc == 0)
            git_oid_cpy(out, git_object_id(peeled));
        git_object_free(peeled);
    }
    git_object_free(obj);
    if (grc == GIT_EAMBIGUOUS)
        return err_set(err, ERR_INVALID, "version '%s' is ambiguous; give more of the sha", v);
    if (grc < 0)
        return err_set(err, ERR_NOTFOUND, "version '%s' not found", v);
    return 0;
}

struct restore {
    struct repo *r;
    const struct remote_target *t;
    const struct repo_get_opts *o;
    struct sbuf remote_gitdir; /* REMOTE_PATH: where its LFS objects are, "" otherwise */
};

static bool safe_component(const char *name)
{
    return *name && strcmp(name, ".") && strcmp(name, "..") && strcmp(name, ".git") &&
           !strchr(name, '/');
}

static int write_all(int fd, const char *data, size_t len, const char *path, struct err *err)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return err_errno(err, "cannot write '%s'", path);
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static int copy_file(const char *from, const char *to, struct err *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_errno(err, "cannot open '%s'", from);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return err_errno(err, "cannot create '%s'", to);
    }
    int rc = fs_copy_fd(in, from, out, to, NULL, NULL, NULL, err);
    close(in);
    if (close(out) < 0 && !rc)
        rc = err_errno(err, "cannot write '%s'", to);
    return rc;
}

static int restore_blob(struct restore *rs, const char *rel, const git_oid *oid,
                        git_filemode_t mode, struct err *err)
{
    git_blob *blob = NULL;
    struct sbuf dst = SBUF_INIT;
    struct sbuf dir = SBUF_INIT;
    struct sbuf lfs = SBUF_INIT;
    int rc = 0;
    path_join(&dst, rs->o->out_dir, rel);
    path_dirname(&dir, dst.buf);
    rc = fs_mkdirs(dir.buf, 0755, err);
    if (rc)
        goto done;
    if (git_blob_lookup(&blob, rs->r->git, oid) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read '%s'", rel);
        goto done;
    }
    const char *data = git_blob_rawcontent(blob);
    size_t len = (size_t)git_blob_rawsize(blob);
    unlink(dst.buf);
    if (mode == GIT_FILEMODE_LINK) {
        char *target = xstrndup(data, len);
        if (symlink(target, dst.buf) < 0)
            rc = err_errno(err, "cannot create link '%s'", dst.buf);
        xfree(target);
        goto done;
    }
    struct repo_lfs_object obj;
    if (lfs_parse_pointer(&obj, data, len)) {
        lfs_object_path(&lfs, rs->r->commondir, obj.oid);
        if (!fs_is_file(lfs.buf) && rs->remote_gitdir.len) {
            sbuf_reset(&lfs);
            lfs_object_path(&lfs, rs->remote_gitdir.buf, obj.oid);
        }
        if (fs_is_file(lfs.buf)) {
            rc = copy_file(lfs.buf, dst.buf, err);
            goto chmod;
        }
        if (rs->o->log) {
            struct sbuf line = SBUF_INIT;
            sbuf_addf(&line,
                      "get: '%s' is a Git LFS pointer whose content is not stored here; "
                      "wrote the pointer",
                      rel);
            rs->o->log(line.buf, rs->o->log_payload);
            sbuf_release(&line);
        }
    }
    int fd = open(dst.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = err_errno(err, "cannot create '%s'", dst.buf);
        goto done;
    }
    rc = write_all(fd, data, len, dst.buf, err);
    if (close(fd) < 0 && !rc)
        rc = err_errno(err, "cannot write '%s'", dst.buf);
chmod:
    if (!rc && mode == GIT_FILEMODE_BLOB_EXECUTABLE && chmod(dst.buf, 0755) < 0)
        rc = err_errno(err, "cannot chmod '%s'", dst.buf);
done:
    git_blob_free(blob);
    sbuf_release(&dst);
    sbuf_release(&dir);
    sbuf_release(&lfs);
    return rc;
}

static int restore_tree(struct restore *rs, const char *prefix, const git_oid *tree_oid,
                        unsigned depth, struct err *err)
{
    git_tree *tree = NULL;
    struct sbuf rel = SBUF_INIT;
    int rc = 0;
    if (depth > 256)
        return err_set(err, ERR_INVALID, "'%s' is nested too deeply", prefix);
    if (git_tree_lookup(&tree, rs->r->git, tree_oid) < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot read '%s'", prefix);
    for (size_t i = 0; i < git_tree_entrycount(tree) && !rc; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(tree, i);
        const char *name = git_tree_entry_name(e);
        if (!safe_component(name)) {
            rc = err_set(err, ERR_INVALID, "unsafe name '%s' under '%s'", name, prefix);
            break;
        }
        sbuf_reset(&rel);
        if (*prefix)
            sbuf_addf(&rel, "%s/%s", prefix, name);
        else
            sbuf_addstr(&rel, name);
        git_object_t type = git_tree_entry_type(e);
        if (type == GIT_OBJECT_TREE)
            rc = restore_tree(rs, rel.buf, git_tree_entry_id(e), depth + 1, err);
        else if (type == GIT_OBJECT_BLOB)
            rc = restore_blob(rs, rel.buf, git_tree_entry_id(e), git_tree_entry_filemode(e), err);
        /* submodule commits have no content to restore */
    }
    git_tree_free(tree);
    sbuf_release(&rel);
    return rc;
}

int repo_get(char *commit_out, struct repo *r, const struct repo_get_opts *o, struct err *err)
{
    struct remote_target t = {0};
    struct remote_state st = {.refs = VEC_INIT(struct remote_ref)};
    struct restore rs = {.r = r, .o = o, .remote_gitdir = SBUF_INIT};
    struct sbuf bref = SBUF_INIT;
    struct sbuf tref = SBUF_INIT;
    struct sbuf norm = SBUF_INIT;
    git_commit *commit = NULL;
    git_tree *root = NULL;
    git_tree_entry *e = NULL;
    char **heads = NULL;
    int rc = 0;

    if (!o->out_dir || !o->npaths)
        return err_set(err, ERR_INVALID, "--get needs --path and --out");
    rc = remote_resolve(&t, r, o->src.remote, o->src.token, err);
    if (rc)
        goto done;
    rs.t = &t;
    const char *wants[2];
    size_t nwant = 0;
    if (o->src.branch) {
        sbuf_addf(&bref, "refs/heads/%s", o->src.branch);
        wants[nwant++] = bref.buf;
    }
    if (o->version && !str_has_prefix(o->version, "latest")) {
        sbuf_addf(&tref, "refs/tags/%s", o->version);
        wants[nwant++] = tref.buf;
    }
    rc = remote_state_load(&st, r, &t, o->src.branch, wants, nwant, err);
    if (rc)
        goto done;
    git_oid oid;
    rc = resolve_version(&oid, r, &t, &st, o->version, err);
    if (rc == ERR_NOTFOUND && t.kind != REMOTE_NONE && o->version && is_hex(o->version)) {
        /* a sha we do not have: fetch every branch the remote has, then look again */
        size_t n = 0;
        heads = xcalloc(st.refs.len + 1, sizeof(char *));
        vec_foreach (struct remote_ref, rr, &st.refs) {
            if (str_has_prefix(rr->name, "refs/heads/"))
                heads[n++] = xstrdup(rr->name);
        }
        remote_state_release(&st);
        err_clear(err);
        rc = remote_state_load(&st, r, &t, o->src.branch, (const char *const *)heads, n, err);
        if (!rc)
            rc = resolve_version(&oid, r, &t, &st, o->version, err);
    }
    if (rc)
        goto done;
    if (commit_out)
        git_oid_tostr(commit_out, GIT_OID_HEXSZ + 1, &oid);
    if (git_commit_lookup(&commit, r->git, &oid) < 0 || git_commit_tree(&root, commit) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read version '%s'", o->version);
        goto done;
    }
    if (t.kind == REMOTE_PATH) {
        git_repository *dst = NULL;
        if (git_repository_open_ext(&dst, t.path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
            sbuf_addstr(&rs.remote_gitdir, git_repository_commondir(dst));
            if (!sbuf_ends_with(&rs.remote_gitdir, "/"))
                sbuf_addch(&rs.remote_gitdir, '/');
        }
        git_repository_free(dst);
    }
    rc = fs_mkdirs(o->out_dir, 0755, err);
    if (rc)
        goto done;
    for (size_t i = 0; i < o->npaths && !rc; i++) {
        sbuf_reset(&norm);
        path_normalize(&norm, o->paths[i]);
        const char *p = norm.buf;
        if (!strcmp(p, ".") || !strcmp(p, "/")) {
            rc = restore_tree(&rs, "", git_tree_id(root), 0, err);
            continue;
        }
        if (!path_is_contained(p)) {
            rc = err_set(err, ERR_INVALID, "path '%s' leaves the published tree", o->paths[i]);
            break;
        }
        git_tree_entry_free(e);
        e = NULL;
        if (git_tree_entry_bypath(&e, root, p) < 0) {
            rc = err_set(err, ERR_NOTFOUND, "version %.7s has no '%s'", git_oid_tostr_s(&oid), p);
            break;
        }
        if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
            rc = restore_tree(&rs, p, git_tree_entry_id(e), 0, err);
        else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
            rc = restore_blob(&rs, p, git_tree_entry_id(e), git_tree_entry_filemode(e), err);
    }
done:
    if (heads) {
        for (char **h = heads; *h; h++)
            xfree(*h);
        xfree(heads);
    }
    git_tree_entry_free(e);
    git_tree_free(root);
    git_commit_free(commit);
    remote_state_release(&st);
    remote_target_release(&t);
    sbuf_release(&rs.remote_gitdir);
    sbuf_release(&bref);
    sbuf_release(&tref);
    sbuf_release(&norm);
    return rc;
}
