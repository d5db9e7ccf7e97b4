/* Opening repositories, libgit2 errors as struct err, provenance, LFS storage helpers. */

#include "git/git.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "git/internal.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/xalloc.h"

void repo_global_init(void)
{
    git_libgit2_init();
}

void repo_global_shutdown(void)
{
    git_libgit2_shutdown();
}

void repo_mask(struct err *err, const char *secret)
{
    if (!secret || strlen(secret) < 4)
        return;
    struct sbuf sb = SBUF_INIT;
    const char *p = err->msg;
    const char *hit;
    while ((hit = strstr(p, secret))) {
        sbuf_add(&sb, p, (size_t)(hit - p));
        sbuf_addstr(&sb, "***");
        p = hit + strlen(secret);
    }
    sbuf_addstr(&sb, p);
    err_set(err, err->code, "%s", sb.buf);
    sbuf_release(&sb);
}

int repo_fail(struct err *err, int code, const char *secret, const char *what, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, what);
    sbuf_vaddf(&sb, what, ap);
    va_end(ap);
    const git_error *e = git_error_last();
    if (e && e->message && *e->message) {
        sbuf_addstr(&sb, ": ");
        sbuf_addstr(&sb, e->message);
    }
    sbuf_rtrim(&sb);
    err_set(err, code, "%s", sb.buf);
    sbuf_release(&sb);
    repo_mask(err, secret);
    return code;
}

static char *with_slash(const char *dir)
{
    struct sbuf sb = SBUF_INIT;
    sbuf_addstr(&sb, dir);
    if (!sbuf_ends_with(&sb, "/"))
        sbuf_addch(&sb, '/');
    return sbuf_detach(&sb, NULL);
}

static struct repo *repo_wrap(git_repository *git)
{
    struct repo *r = xcalloc(1, sizeof(*r));
    r->git = git;
    if (git_repository_workdir(git))
        r->workdir = with_slash(git_repository_workdir(git));
    r->commondir = with_slash(git_repository_commondir(git));
    return r;
}

int repo_open(struct repo **out, const char *path, struct err *err)
{
    git_repository *git = NULL;
    int rc = git_repository_open_ext(&git, path, 0, NULL);
    if (rc == GIT_ENOTFOUND)
        return err_set(err, ERR_NOTFOUND, "not a git repository: '%s'", path);
    if (rc < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot open the repository at '%s'", path);
    *out = repo_wrap(git);
    return 0;
}

/* A new bare repository at path (parent folders made); HEAD names initial_branch unless NULL. */
static int init_bare(struct repo **out, const char *path, const char *initial_branch,
                     struct err *err)
{
    git_repository *git = NULL;
    git_repository_init_options io;
    git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    io.initial_head = initial_branch;
    if (git_repository_init_ext(&git, path, &io) < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot create a repository at '%s'", path);
    *out = repo_wrap(git);
    return 0;
}

int repo_init_bare(struct repo **out, const char *path, struct err *err)
{
    return init_bare(out, path, NULL, err);
}

int repo_open_bare(struct repo **out, const char *path, const char *initial_branch, struct err *err)
{
    git_repository *git = NULL;
    int rc = git_repository_open_bare(&git, path);
    if (rc == 0) {
        *out = repo_wrap(git);
        return 0;
    }
    if (rc == GIT_ENOTFOUND && initial_branch)
        return init_bare(out, path, initial_branch, err);
    if (!fs_exists(path))
        return err_set(err, ERR_NOTFOUND, "no repository at '%s'", path);
    return repo_fail(err, ERR_FAIL, NULL, "cannot open the repository at '%s'", path);
}

void repo_free(struct repo *r)
{
    if (!r)
        return;
    git_repository_free(r->git);
    xfree(r->workdir);
    xfree(r->commondir);
    xfree(r);
}

const char *repo_workdir(const struct repo *r)
{
    return r->workdir;
}

static const char *env_or_null(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void repo_provenance_from_env(struct repo_provenance *out)
{
    *out = (struct repo_provenance){
        .sha = env_or_null("GITHUB_SHA"),
        .ref = env_or_null("GITHUB_REF"),
        .repository = env_or_null("GITHUB_REPOSITORY"),
        .workflow = env_or_null("GITHUB_WORKFLOW"),
        .run_id = env_or_null("GITHUB_RUN_ID"),
        .run_number = env_or_null("GITHUB_RUN_NUMBER"),
        .job = env_or_null("GITHUB_JOB"),
    };
}

/* ---- LFS storage (the layout git-lfs uses: lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>) ---- */

#define LFS_CHUNK (1u << 20)

void lfs_object_path(struct sbuf *out, const char *commondir, const char *oid)
{
    sbuf_addf(out, "%slfs/objects/%.2s/%.2s/%s", commondir, oid, oid + 2, oid);
}

int lfs_hash_file(struct repo_lfs_object *obj, const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    char *buf = xmalloc(LFS_CHUNK);
    struct sha256 c;
    sha256_init(&c);
    uint64_t size = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, LFS_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(err, "cannot read '%s'", path);
            goto done;
        }
        if (n == 0)
            break;
        sha256_update(&c, buf, (size_t)n);
        size += (uint64_t)n;
    }
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&c, digest);
    hex_encode(obj->oid, digest, sizeof(digest));
    obj->size = size;
done:
    xfree(buf);
    close(fd);
    return rc;
}

void lfs_pointer(struct sbuf *out, const struct repo_lfs_object *obj)
{
    sbuf_addf(out, "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %llu\n",
              obj->oid, (unsigned long long)obj->size);
}

bool lfs_parse_pointer(struct repo_lfs_object *out, const char *data, size_t len)
{
    static const char head[] = "version https://git-lfs.github.com/spec/v1\n";
    if (len > 1024 || len < sizeof(head) - 1 || memcmp(data, head, sizeof(head) - 1))
        return false;
    char text[1025];
    memcpy(text, data, len);
    text[len] = '\0';
    const char *oid = strstr(text, "\noid sha256:");
    const char *size = strstr(text, "\nsize ");
    if (!oid || !size)
        return false;
    oid += strlen("\noid sha256:");
    size_t n = strspn(oid, "0123456789abcdef");
    if (n != 64)
        return false;
    memcpy(out->oid, oid, 64);
    out->oid[64] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(size + strlen("\nsize "), &end, 10);
    if (errno || !end || *end != '\n')
        return false;
    out->size = v;
    return true;
}

int lfs_store(const char *commondir, const struct repo_lfs_object *obj, struct err *err)
{
    struct sbuf dst = SBUF_INIT;
    struct sbuf dir = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    int in = -1;
    int out = -1;
    int rc = 0;
    lfs_object_path(&dst, commondir, obj->oid);
    if (fs_is_file(dst.buf))
        goto done;
    path_dirname(&dir, dst.buf);
    rc = fs_mkdirs(dir.buf, 0755, err);
    if (rc)
        goto done;
    sbuf_addf(&tmp, "%s.tmp-XXXXXX", dst.buf);
    out = mkostemp(tmp.buf, O_CLOEXEC);
    if (out < 0) {
        rc = err_errno(err, "cannot create '%s'", tmp.buf);
        goto done;
    }
    in = open(obj->path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = err_errno(err, "cannot open '%s'", obj->path);
        goto done;
    }
    rc = fs_copy_fd(in, obj->path, out, tmp.buf, NULL, NULL, NULL, err);
    if (rc)
        goto done;
    if (fchmod(out, 0444) < 0 || close(out) < 0) {
        out = -1;
        rc = err_errno(err, "cannot write '%s'", tmp.buf);
        goto done;
    }
    out = -1;
    if (rename(tmp.buf, dst.buf) < 0) {
        rc = err_errno(err, "cannot rename '%s'", tmp.buf);
        goto done;
    }
done:
    if (out >= 0)
        close(out);
    if (in >= 0)
        close(in);
    if (rc && tmp.len)
        unlink(tmp.buf);
    sbuf_release(&dst);
    sbuf_release(&dir);
    sbuf_release(&tmp);
    return rc;
}

int repo_workdir_skip(bool *skip, struct repo *r, const char *relpath, bool is_dir, struct err *err)
{
    *skip = false;
    struct sbuf path = SBUF_INIT;
    sbuf_addstr(&path, relpath);
    if (is_dir)
        sbuf_addch(&path, '/'); /* "build/" patterns match directories only */
    int ignored = 0;
    int rc = 0;
    if (git_ignore_path_is_ignored(&ignored, r->git, path.buf) < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot check '%s' against .gitignore", relpath);
        goto done;
    }
    if (!ignored)
        goto done;
    git_index *index = NULL;
    if (git_repository_index(&index, r->git) < 0) {
        rc = repo_fail(err, ERR_IO, NULL, "cannot read the index");
        goto done;
    }
    size_t pos;
    bool tracked = is_dir ? git_index_find_prefix(&pos, index, path.buf) == 0
                          : git_index_get_bypath(index, relpath, 0) != NULL;
    git_index_free(index);
    *skip = !tracked;
done:
    sbuf_release(&path);
    return rc;
}

/* True when the HEAD file at path names refname ("ref: refs/heads/x"). */
static bool head_file_names(const char *path, const char *refname)
{
    struct sbuf head = SBUF_INIT;
    struct err ignored = ERR_INIT;
    bool hit = false;
    if (sbuf_read_file(&head, path, 4096, &ignored) == 0) {
        sbuf_rtrim(&head);
        hit = str_has_prefix(head.buf, "ref:") &&
              !strcmp(head.buf + 4 + strspn(head.buf + 4, " \t"), refname);
    }
    sbuf_release(&head);
    return hit;
}

bool repo_checked_out_in(struct sbuf *where_out, git_repository *git, const char *refname)
{
    const char *common = git_repository_commondir(git);
    struct sbuf path = SBUF_INIT;
    git_strarray names = {0};
    bool hit = false;

    /* The main worktree, unless the repository is bare: its HEAD is the common dir's. */
    bool main_bare = git_repository_is_bare(git);
    if (git_repository_is_worktree(git)) {
        git_config *cfg = NULL;
        int bare = 0;
        main_bare = git_repository_config_snapshot(&cfg, git) == 0 &&
                    git_config_get_bool(&bare, cfg, "core.bare") == 0 && bare;
        git_config_free(cfg);
    }
    sbuf_addf(&path, "%s%sHEAD", common, str_has_suffix(common, "/") ? "" : "/");
    if (!main_bare && head_file_names(path.buf, refname)) {
        /* the main worktree is the folder around the common dir, as git names it */
        sbuf_addstr(where_out, common);
        while (where_out->len > 1 && where_out->buf[where_out->len - 1] == '/')
            sbuf_setlen(where_out, where_out->len - 1);
        if (sbuf_ends_with(where_out, "/.git"))
            sbuf_setlen(where_out, where_out->len - strlen("/.git"));
        hit = true;
        goto done;
    }
    /* Every linked worktree (git worktree add): .git/worktrees/<name>/HEAD. */
    if (git_worktree_list(&names, git) < 0)
        goto done;
    for (size_t i = 0; i < names.count && !hit; i++) {
        sbuf_reset(&path);
        sbuf_addf(&path, "%s%sworktrees/%s/HEAD", common, str_has_suffix(common, "/") ? "" : "/",
                  names.strings[i]);
        if (!head_file_names(path.buf, refname))
            continue;
        git_worktree *wt = NULL;
        if (git_worktree_lookup(&wt, git, names.strings[i]) == 0)
            sbuf_addstr(where_out, git_worktree_path(wt));
        else
            sbuf_addstr(where_out, names.strings[i]);
        git_worktree_free(wt);
        hit = true;
    }
done:
    git_strarray_dispose(&names);
    sbuf_release(&path);
    return hit;
}
