/*
 * The embedded hub (--endpoint file:///dir): the commit the Hub would receive, written into a
 * local bare git repository per repo id, <dir>/<type>s/<namespace>/<name>.git. LFS files become
 * pointer blobs (git-lfs spec v1) in the commit, with their bytes under the repository's
 * lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid> (git-lfs's own layout), and a .gitattributes rule as the
 * Hub adds one. Regular/LFS is decided as the Hub does: over 10 MiB, a NUL in the first 512 bytes,
 * or a filter=lfs rule in .gitattributes.
 *
 * The git work goes through h->git (struct hub_git_ops, hub.h), which whoever made the hub passes:
 * hub links no git library. What stays here is the Hub's side of it: repo ids to directories,
 * the LFS object layout, pointer files, .gitattributes rules, the preupload answers and the Hub's
 * error messages.
 */
#include "hub/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/glob.h"
#include "util/map.h"
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

static void repo_dir(struct sbuf *out, struct hub *h, const struct hub_repo *repo)
{
    sbuf_addf(out, "%s/%ss/%s.git", h->store_root, hub_repo_type_name(repo->type), repo->id);
}

static int open_repo(void **out, struct hub *h, const struct hub_repo *repo, struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    repo_dir(&dir, h, repo);
    int rc = 0;
    if (!fs_is_dir(dir.buf)) {
        rc = err_set(err, ERR_NOTFOUND, "%s '%s' does not exist in '%s'",
                     hub_repo_type_name(repo->type), repo->id, h->endpoint);
    } else {
        rc = h->git->open(out, dir.buf, NULL, err);
    }
    sbuf_release(&dir);
    return rc;
}

static int store_whoami(struct hub *h, struct sbuf *name_out, struct err *err)
{
    sbuf_addstr(name_out, "local");
    return 0;
}

static int store_create_repo(struct hub *h, const struct hub_repo *repo,
                             const struct hub_create_opts *o, struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    void *r = NULL;
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
    rc = h->git->open(&r, dir.buf, "main", err);
    if (rc < 0)
        goto done;
    /* The Hub's first commit: "initial commit" with its default .gitattributes. */
    const struct hub_git_change attrs = {.kind = HUB_GIT_ADD_DATA,
                                         .path = ".gitattributes",
                                         .data = initial_gitattributes,
                                         .len = sizeof(initial_gitattributes) - 1};
    const struct hub_git_commit c = {
        .branch = "main", .message = "initial commit", .changes = &attrs, .n_changes = 1};
    char sha[41];
    rc = h->git->commit(sha, r, &c, err);
done:
    if (r)
        h->git->close(r);
    sbuf_release(&dir);
    return rc;
}

static int store_revision(struct hub *h, const struct hub_repo *repo, const char *rev,
                          struct sbuf *sha_out, struct err *err)
{
    void *r = NULL;
    char sha[41];
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = h->git->resolve(sha, r, rev, err);
    if (rc == 0)
        sbuf_addstr(sha_out, sha);
    if (r)
        h->git->close(r);
    return rc;
}

/* The tag as the bare repository's refs/tags/<tag> names it. */
static int store_tag_commit(struct hub *h, const struct hub_repo *repo, const char *tag,
                            struct sbuf *sha_out, struct err *err)
{
    void *r = NULL;
    char sha[41];
    struct sbuf ref = SBUF_INIT;
    sbuf_addf(&ref, "refs/tags/%s", tag);
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = h->git->resolve(sha, r, ref.buf, err);
    if (rc == 0)
        sbuf_addstr(sha_out, sha);
    else if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "%s '%s' has no tag '%s'", hub_repo_type_name(repo->type),
                     repo->id, tag);
    if (r)
        h->git->close(r);
    sbuf_release(&ref);
    return rc;
}

static int store_create_branch(struct hub *h, const struct hub_repo *repo, const char *branch,
                               const char *from, struct err *err)
{
    void *r = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = h->git->create_branch(r, branch, from, err);
    if (r)
        h->git->close(r);
    return rc;
}

static int store_create_tag(struct hub *h, const struct hub_repo *repo, const char *rev,
                            const char *tag, const char *message, struct err *err)
{
    void *r = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = h->git->create_tag(r, tag, rev, message, err);
    if (r)
        h->git->close(r);
    return rc;
}

/* The .gitattributes of commit into out; none (no such file) leaves out empty. */
static int read_attrs(struct sbuf *out, struct hub *h, void *r, const char *commit, struct err *err)
{
    struct sbuf spec = SBUF_INIT;
    sbuf_addf(&spec, "%s:.gitattributes", commit);
    int rc = h->git->read_blob(out, r, spec.buf, err);
    sbuf_release(&spec);
    if (rc == ERR_NOTFOUND) {
        err_clear(err);
        rc = 0;
    }
    return rc;
}

/* An LFS pointer file is never longer than this (git-lfs's own limit when it reads one). */
#define POINTER_MAX 512

/* The sha256 of an LFS pointer's text, into oid (65 bytes); false when text is not a pointer. */
static bool parse_pointer(char oid[65], const char *text, size_t len)
{
    static const char version[] = "version https://git-lfs.github.com/spec/v1\n";
    if (len > POINTER_MAX || len < sizeof(version) - 1 ||
        memcmp(text, version, sizeof(version) - 1))
        return false;
    const char *p = strstr(text, "\noid sha256:");
    if (!p || strlen(p) < 12 + 64)
        return false;
    memcpy(oid, p + 12, 64);
    oid[64] = '\0';
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * Appends path as a .gitattributes pattern matching exactly that path, as `git lfs track
 * --filename` writes one (git-lfs commands/command_track.go, escapeGlobCharacters): '\' and the
 * glob characters '*', '?', '[' and ']' get a '\', '#' becomes "\#" and a space "[[:space:]]".
 * Any other white space (it would end the pattern, or the line) becomes "[[:space:]]" too, and
 * a leading '!' or '"' gets a '\' (git reads them as a negation, which attributes refuse, and
 * as a C-quoted pattern).
 */
static void add_attr_pattern(struct sbuf *out, const char *path)
{
    if (path[0] == '!' || path[0] == '"')
        sbuf_addch(out, '\\');
    for (const char *p = path; *p; p++) {
        if (is_blank(*p)) {
            sbuf_addstr(out, "[[:space:]]");
            continue;
        }
        if (strchr("\\*?[]#", *p))
            sbuf_addch(out, '\\');
        sbuf_addch(out, *p);
    }
}

/*
 * Appends an attributes pattern in the glob dialect of util/glob: git's POSIX character classes
 * inside brackets ("[[:space:]]", as `git lfs track` writes for a space) become the bytes they
 * stand for; the rest, '\' escapes included, reads the same.
 */
static void attr_pattern_to_glob(struct sbuf *out, const char *pat)
{
    static const struct {
        const char *name;
        const char *set;
    } classes[] = {
        {"[:space:]", " \t\n\v\f\r"}, {"[:blank:]", " \t"},        {"[:digit:]", "0-9"},
        {"[:alpha:]", "a-zA-Z"},      {"[:alnum:]", "a-zA-Z0-9"},  {"[:upper:]", "A-Z"},
        {"[:lower:]", "a-z"},         {"[:xdigit:]", "0-9a-fA-F"},
    };
    bool in_class = false;
    for (const char *p = pat; *p;) {
        if (*p == '\\' && p[1]) {
            sbuf_add(out, p, 2);
            p += 2;
            continue;
        }
        if (in_class) {
            bool done = false;
            for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]) && !done; i++) {
                size_t n = strlen(classes[i].name);
                if (!strncmp(p, classes[i].name, n)) {
                    sbuf_addstr(out, classes[i].set);
                    p += n;
                    done = true;
                }
            }
            if (done)
                continue;
            in_class = *p != ']';
        } else if (*p == '[') {
            in_class = true;
            sbuf_addch(out, *p++);
            if (*p == '!' || *p == '^')
                sbuf_addch(out, *p++);
            if (*p == ']')
                sbuf_addch(out, *p++); /* a ']' first in the set is one of its characters */
            continue;
        }
        sbuf_addch(out, *p++);
    }
}

/* True when a filter=lfs line of the .gitattributes text matches path. */
static bool attrs_say_lfs(const char *attrs, const char *path)
{
    bool lfs = false;
    struct sbuf pat = SBUF_INIT;
    struct str rest = str_from(attrs);
    while (rest.len) {
        const char *nl = memchr(rest.p, '\n', rest.len);
        size_t n = nl ? (size_t)(nl - rest.p) : rest.len;
        struct str line = str_trim(str_make(rest.p, n));
        rest = nl ? str_make(nl + 1, rest.len - n - 1) : STR_NULL;
        if (!line.len || line.p[0] == '#')
            continue;
        size_t plen = 0;
        while (plen < line.len && !is_blank(line.p[plen]))
            plen++;
        if (plen == line.len)
            continue;
        char *raw = xstrndup(line.p, plen);
        struct str attrs_part = str_make(line.p + plen, line.len - plen);
        bool is_lfs_rule = false;
        for (size_t i = 0; i + 10 <= attrs_part.len; i++)
            is_lfs_rule |= !memcmp(attrs_part.p + i, "filter=lfs", 10);
        sbuf_reset(&pat);
        attr_pattern_to_glob(&pat, raw[0] == '/' ? raw + 1 : raw);
        /* git: a pattern without '/' matches the basename at any depth. */
        const char *subject = strchr(raw, '/') ? path : path_basename(path);
        bool m = glob_match_str(pat.buf, subject, GLOB_PATHS);
        xfree(raw);
        if (m)
            lfs = is_lfs_rule; /* the last matching line wins */
    }
    sbuf_release(&pat);
    return lfs;
}

/* What the tree says about one file: preupload compares it with the local file. */
struct tree_file {
    char oid[41];
    uint64_t size;
};

static void add_tree_file(const char *path, const char *oid, uint64_t size, unsigned mode,
                          void *payload)
{
    struct tree_file *t = xcalloc(1, sizeof(*t));
    memcpy(t->oid, oid, sizeof(t->oid));
    t->size = size;
    xfree(map_set(payload, path, t));
}

static int store_preupload(struct hub *h, const struct hub_repo *repo, const char *rev,
                           struct hub_file *files, size_t n, struct err *err)
{
    void *r = NULL;
    struct map tree = MAP_INIT; /* path -> struct tree_file */
    struct sbuf attrs = SBUF_INIT;
    struct sbuf blob = SBUF_INIT;
    char tip[41];
    int rc = open_repo(&r, h, repo, err);
    if (rc < 0)
        goto done;
    rc = h->git->resolve(tip, r, rev, err);
    if (rc < 0)
        goto done;
    rc = h->git->ls_tree(r, tip, add_tree_file, &tree, err);
    if (rc < 0)
        goto done;
    rc = read_attrs(&attrs, h, r, tip, err);
    if (rc < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        struct hub_file *f = &files[i];
        f->is_lfs = f->size > HUB_LFS_THRESHOLD || memchr(f->sample, 0, f->sample_len) ||
                    attrs_say_lfs(attrs.buf, f->path);
        f->should_ignore = false;
        const struct tree_file *t = map_find(&tree, f->path);
        if (!t)
            continue;
        /* An LFS file's remote oid is its pointer's sha256; only a small blob can be one. */
        char oid[65] = "";
        bool pointer = false;
        if (t->size <= POINTER_MAX) {
            sbuf_reset(&blob);
            rc = h->git->read_blob(&blob, r, t->oid, err);
            if (rc < 0)
                goto done;
            pointer = parse_pointer(oid, blob.buf, blob.len);
        }
        f->remote_oid = xstrdup(pointer ? oid : t->oid);
    }
done:
    map_release(&tree, xfree);
    sbuf_release(&attrs);
    sbuf_release(&blob);
    if (r)
        h->git->close(r);
    return rc;
}

static void add_path(const char *path, const char *oid, uint64_t size, unsigned mode, void *payload)
{
    char **slot = vec_push(payload);
    *slot = xstrdup(path);
}

static int store_list_files(struct hub *h, const struct hub_repo *repo, const char *rev,
                            struct vec *paths_out, struct err *err)
{
    void *r = NULL;
    int rc = open_repo(&r, h, repo, err);
    if (rc == 0)
        rc = h->git->ls_tree(r, rev, add_path, paths_out, err);
    if (r)
        h->git->close(r);
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

/* True when a change of one file names path (a folder's delete only reaches files under it). */
static bool has_change(const struct vec *changes, const char *path)
{
    vec_foreach (struct hub_git_change, ch, changes) {
        if (ch->kind != HUB_GIT_DELETE_FOLDER && !strcmp(ch->path, path))
            return true;
    }
    return false;
}

static void add_change(struct vec *changes, struct hub_git_change ch)
{
    *(struct hub_git_change *)vec_push(changes) = ch;
}

static int store_commit(struct hub *h, const struct hub_repo *repo, const char *rev,
                        struct hub_commit *c, struct hub_upload_result *res, struct err *err)
{
    void *r = NULL;
    struct vec changes = VEC_INIT(struct hub_git_change);
    struct vec pointers = VEC_INIT(char *); /* the pointer files' text, owned */
    struct sbuf attrs = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    char tip[41];
    int rc = open_repo(&r, h, repo, err);
    if (rc < 0)
        goto done;
    rc = h->git->resolve(tip, r, rev, err);
    if (rc < 0)
        goto done;
    if (c->parent && strcmp(c->parent, tip)) {
        rc = err_set(err, ERR_FAIL,
                     "'%s' moved while uploading (parent commit mismatch): it is "
                     "at %s, not %s",
                     rev, tip, c->parent);
        c->moved = true;
        goto done;
    }
    rc = read_attrs(&attrs, h, r, tip, err);
    if (rc < 0)
        goto done;
    size_t attrs_len = attrs.len;

    vec_foreach (struct hub_op, op, &c->ops) {
        if (op->kind == HUB_OP_DELETE_FILE) {
            add_change(&changes, (struct hub_git_change){.kind = HUB_GIT_DELETE, .path = op->path});
        } else if (op->kind == HUB_OP_DELETE_FOLDER) {
            add_change(&changes,
                       (struct hub_git_change){.kind = HUB_GIT_DELETE_FOLDER, .path = op->path});
        } else if (op->file->is_lfs) {
            struct sbuf pointer = SBUF_INIT;
            sbuf_addf(&pointer,
                      "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %llu\n",
                      op->file->oid, (unsigned long long)op->file->size);
            size_t len = pointer.len;
            char *data = sbuf_detach(&pointer, NULL);
            *(char **)vec_push(&pointers) = data;
            add_change(&changes, (struct hub_git_change){.kind = HUB_GIT_ADD_DATA,
                                                         .path = op->file->path,
                                                         .data = data,
                                                         .len = len});
            /* As the Hub: a rule for every LFS file that no rule covers yet. */
            if (!attrs_say_lfs(attrs.buf, op->file->path)) {
                if (attrs.len && attrs.buf[attrs.len - 1] != '\n')
                    sbuf_addch(&attrs, '\n');
                add_attr_pattern(&attrs, op->file->path);
                sbuf_addstr(&attrs, " filter=lfs diff=lfs merge=lfs -text\n");
            }
        } else {
            add_change(&changes, (struct hub_git_change){.kind = HUB_GIT_ADD_FILE,
                                                         .path = op->file->path,
                                                         .file = op->file->local});
        }
    }
    if (attrs.len != attrs_len && !has_change(&changes, ".gitattributes")) {
        add_change(&changes, (struct hub_git_change){.kind = HUB_GIT_ADD_DATA,
                                                     .path = ".gitattributes",
                                                     .data = attrs.buf,
                                                     .len = attrs.len});
    }

    sbuf_addstr(&text, c->summary);
    if (c->description && *c->description)
        sbuf_addf(&text, "\n\n%s", c->description);
    sbuf_addch(&text, '\n');
    /* The branch moves only while it is still at tip: the same optimistic concurrency as the
     * Hub's parentCommit. */
    const struct hub_git_commit gc = {.branch = rev,
                                      .parent = tip,
                                      .message = text.buf,
                                      .changes = changes.items,
                                      .n_changes = changes.len};
    char sha[41];
    rc = h->git->commit(sha, r, &gc, err);
    if (rc < 0) {
        /* Another writer may have moved the branch since it was read above. */
        struct err e2 = ERR_INIT;
        char now[41];
        c->moved = h->git->resolve(now, r, rev, &e2) == 0 && strcmp(now, tip);
        if (c->moved)
            err_set(err, ERR_FAIL,
                    "'%s' moved while uploading (parent commit mismatch): it is at %s, not %s", rev,
                    now, tip);
        goto done;
    }
    sbuf_addstr(&res->commit_oid, sha);
    repo_dir(&res->commit_url, h, repo);
    sbuf_addf(&res->commit_url, " %s", sha);
done:
    vec_foreach (char *, p, &pointers)
        xfree(*p);
    vec_release(&pointers);
    vec_release(&changes);
    sbuf_release(&attrs);
    sbuf_release(&text);
    if (r)
        h->git->close(r);
    return rc;
}

const struct hub_backend hub_store_backend = {
    .whoami = store_whoami,
    .create_repo = store_create_repo,
    .revision = store_revision,
    .create_branch = store_create_branch,
    .create_tag = store_create_tag,
    .tag_commit = store_tag_commit,
    .preupload = store_preupload,
    .list_files = store_list_files,
    .upload_lfs = store_upload_lfs,
    .commit = store_commit,
};
