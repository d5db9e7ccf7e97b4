#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

void path_join(struct sbuf *out, const char *a, const char *b)
{
    if (b[0] == '/' || !a[0]) {
        sbuf_addstr(out, b);
        return;
    }
    sbuf_addstr(out, a);
    if (!str_has_suffix(a, "/") && b[0])
        sbuf_addch(out, '/');
    sbuf_addstr(out, b);
}

void path_normalize(struct sbuf *out, const char *path)
{
    bool abs = path[0] == '/';
    struct vec parts = VEC_INIT(struct str);
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        struct str part = str_make(start, (size_t)(p - start));
        if (!part.len || str_eq_cstr(part, "."))
            continue;
        if (str_eq_cstr(part, "..")) {
            struct str *last = parts.len ? vec_at(&parts, parts.len - 1) : NULL;
            if (last && !str_eq_cstr(*last, "..")) {
                vec_pop(&parts);
                continue;
            }
            if (abs)
                continue; /* "/.." is "/" */
        }
        vec_append(&parts, &part);
    }
    size_t start_len = out->len;
    if (abs)
        sbuf_addch(out, '/');
    for (size_t i = 0; i < parts.len; i++) {
        struct str *s = vec_at(&parts, i);
        if (i)
            sbuf_addch(out, '/');
        sbuf_add(out, s->p, s->len);
    }
    if (out->len == start_len)
        sbuf_addch(out, '.');
    vec_release(&parts);
}

bool path_is_contained(const char *relpath)
{
    if (relpath[0] == '/')
        return false;
    struct sbuf n = SBUF_INIT;
    path_normalize(&n, relpath);
    bool ok = strcmp(n.buf, "..") && !str_has_prefix(n.buf, "../");
    sbuf_release(&n);
    return ok;
}

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void path_dirname(struct sbuf *out, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        sbuf_addch(out, '.');
    else if (slash == path)
        sbuf_addch(out, '/');
    else
        sbuf_add(out, path, (size_t)(slash - path));
}

bool fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fs_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool fs_search_path(struct sbuf *out, const char *dirs, const char *name)
{
    struct sbuf cand = SBUF_INIT;
    bool found = false;
    for (const char *p = dirs; p && !found;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        sbuf_reset(&cand);
        if (n)
            sbuf_add(&cand, p, n);
        else
            sbuf_addch(&cand, '.');
        sbuf_addch(&cand, '/');
        sbuf_addstr(&cand, name);
        found = fs_is_file(cand.buf) && access(cand.buf, X_OK) == 0;
        p = colon ? colon + 1 : NULL;
    }
    if (found)
        sbuf_add(out, cand.buf, cand.len);
    sbuf_release(&cand);
    return found;
}

int fs_mkdirs(const char *path, mode_t mode, struct err *err)
{
    struct sbuf sb = SBUF_INIT;
    sbuf_addstr(&sb, path);
    for (size_t i = 1; i <= sb.len; i++) {
        if (sb.buf[i] != '/' && sb.buf[i] != '\0')
            continue;
        char saved = sb.buf[i];
        sb.buf[i] = '\0';
        if (mkdir(sb.buf, mode) < 0 && errno != EEXIST) {
            int rc = err_errno(err, "cannot create directory '%s'", sb.buf);
            sbuf_release(&sb);
            return rc;
        }
        sb.buf[i] = saved;
    }
    sbuf_release(&sb);
    if (!fs_is_dir(path))
        return err_set(err, ERR_IO, "cannot create directory '%s': not a directory", path);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_write_file(const char *path, const void *data, size_t len, struct err *err)
{
    return fs_write_file_mode(path, data, len, 0644, err);
}

int fs_write_file_mode(const char *path, const void *data, size_t len, mode_t mode, struct err *err)
{
    struct sbuf tmp = SBUF_INIT;
    sbuf_addf(&tmp, "%s.tmpXXXXXX", path);
    int rc = 0;
    int fd = mkostemp(tmp.buf, O_CLOEXEC);
    if (fd < 0) {
        rc = err_errno(err, "cannot create '%s'", path);
        goto done;
    }
    if (write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0) {
        rc = err_errno(err, "cannot write '%s'", path);
        close(fd);
        unlink(tmp.buf);
        goto done;
    }
    if (close(fd) < 0 || rename(tmp.buf, path) < 0) {
        rc = err_errno(err, "cannot write '%s'", path);
        unlink(tmp.buf);
    }
done:
    sbuf_release(&tmp);
    return rc;
}

int fs_append_file(const char *path, const void *data, size_t len, struct err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    int rc = 0;
    if (write_all(fd, data, len) < 0)
        rc = err_errno(err, "cannot write '%s'", path);
    close(fd);
    return rc;
}

static int remove_at(int parent, const char *name, struct err *err)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : err_errno(err, "cannot stat '%s'", name);
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
            return err_errno(err, "cannot remove '%s'", name);
        return 0;
    }
    /* A directory made read-only (Go's module cache makes its folders 0555) can be emptied
       by its owner once it is writable again. */
    if ((st.st_mode & 0700) != 0700 && st.st_uid == geteuid() &&
        fchmodat(parent, name, (st.st_mode & 07777) | 0700, 0) < 0) {
        /* not fatal: the removal below says what it could not do */
    }
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open directory '%s'", name);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return err_errno(err, "cannot read directory '%s'", name);
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        rc = remove_at(dirfd(d), de->d_name, err);
    }
    closedir(d);
    if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        rc = err_errno(err, "cannot remove directory '%s'", name);
    return rc;
}

bool path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return !strncmp(path, dir, n) && (!path[n] || path[n] == '/' || (n == 1 && dir[0] == '/'));
}

bool fs_real_within(const char *path, const char *dir)
{
    char *real = realpath(path, NULL);
    char *real_dir = real ? realpath(dir, NULL) : NULL;
    bool in = real_dir && path_within(real, real_dir);
    xfree(real);
    xfree(real_dir);
    return in;
}

bool fs_through_link(const char *base, const char *path)
{
    size_t bl = strlen(base);
    while (bl > 1 && base[bl - 1] == '/')
        bl--;
    if (!path_within(path, base) || path[bl] != '/')
        return false;
    struct sbuf prefix = SBUF_INIT;
    bool link = false;
    for (const char *p = path + bl + 1; !link && (p = strchr(p, '/')); p++) {
        struct stat st;
        sbuf_reset(&prefix);
        sbuf_add(&prefix, path, (size_t)(p - path));
        /* A link that stays inside base (a repository's own vendor -> third_party) is fine. */
        link =
            lstat(prefix.buf, &st) == 0 && S_ISLNK(st.st_mode) && !fs_real_within(prefix.buf, base);
    }
    sbuf_release(&prefix);
    return link;
}

int fs_remove_tree(const char *path, struct err *err)
{
    return remove_at(AT_FDCWD, path, err);
}

int fs_mkdtemp(struct sbuf *out, const char *template_path, struct err *err)
{
    char *t = xstrdup(template_path);
    if (!mkdtemp(t)) {
        int rc = err_errno(err, "cannot create a directory from '%s'", template_path);
        xfree(t);
        return rc;
    }
    sbuf_addstr(out, t);
    xfree(t);
    return 0;
}

int fs_copy_fd(int in, const char *in_name, int out, const char *out_name,
               void (*progress)(uint64_t done, void *ctx), void *ctx, uint64_t *copied,
               struct err *err)
{
    enum { CHUNK = 1u << 20 };
    char *buf = xmalloc(CHUNK);
    uint64_t done = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(err, "cannot read '%s'", in_name);
            break;
        }
        if (n == 0)
            break;
        if (write_all(out, buf, (size_t)n) < 0) {
            rc = err_errno(err, "cannot write '%s'", out_name);
            break;
        }
        done += (uint64_t)n;
        if (progress)
            progress(done, ctx);
    }
    xfree(buf);
    if (copied)
        *copied = done;
    return rc;
}

static int copy_file(int sfd, const char *sname, int ddir, const char *dname, mode_t mode,
                     struct err *err)
{
    int in = openat(sfd, sname, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return err_errno(err, "cannot open '%s'", sname);
    /* A link where the file goes is replaced, never written through: the destination may be a
     * folder a sandboxed step prepared (actions/checkout's path), and this runs outside. */
    struct stat lst;
    if (fstatat(ddir, dname, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
        unlinkat(ddir, dname, 0);
    int out =
        openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
    if (out < 0) {
        int rc = err_errno(err, "cannot create '%s'", dname);
        close(in);
        return rc;
    }
    int rc = fs_copy_fd(in, sname, out, dname, NULL, NULL, NULL, err);
    if (close(out) < 0 && rc == 0)
        rc = err_errno(err, "cannot write '%s'", dname);
    close(in);
    return rc;
}

struct copy_ctx {
    bool (*skip)(const char *rel, bool is_dir, void *payload);
    void *payload;
    struct sbuf rel;
};

static int copy_dir(struct copy_ctx *c, int sfd, int dfd, struct err *err)
{
    int fd = dup(sfd);
    if (fd < 0)
        return err_errno(err, "cannot read directory");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return err_errno(err, "cannot read directory");
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = err_errno(err, "cannot stat '%s'", de->d_name);
            break;
        }
        size_t keep = c->rel.len;
        if (c->rel.len)
            sbuf_addch(&c->rel, '/');
        sbuf_addstr(&c->rel, de->d_name);
        bool is_dir = S_ISDIR(st.st_mode);
        if (c->skip && c->skip(c->rel.buf, is_dir, c->payload)) {
            sbuf_setlen(&c->rel, keep);
            continue;
        }
        if (is_dir) {
            if (mkdirat(dfd, de->d_name, st.st_mode & 07777) < 0 && errno != EEXIST) {
                rc = err_errno(err, "cannot create directory '%s'", c->rel.buf);
            } else {
                int s2 = openat(sfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int d2 = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s2 < 0 || d2 < 0)
                    rc = err_errno(err, "cannot open directory '%s'", c->rel.buf);
                else
                    rc = copy_dir(c, s2, d2, err);
                if (s2 >= 0)
                    close(s2);
                if (d2 >= 0)
                    close(d2);
            }
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlinkat(sfd, de->d_name, target, sizeof(target) - 1);
            if (n < 0) {
                rc = err_errno(err, "cannot read link '%s'", c->rel.buf);
            } else {
                target[n] = '\0';
                unlinkat(dfd, de->d_name, 0);
                if (symlinkat(target, dfd, de->d_name) < 0)
                    rc = err_errno(err, "cannot create link '%s'", c->rel.buf);
            }
        } else if (S_ISREG(st.st_mode)) {
            rc = copy_file(sfd, de->d_name, dfd, de->d_name, st.st_mode, err);
        }
        /* Sockets, fifos and devices are not copied. */
        sbuf_setlen(&c->rel, keep);
    }
    closedir(d);
    return rc;
}

int fs_copy_tree(const char *dest, const char *src,
                 bool (*skip)(const char *rel, bool is_dir, void *payload), void *payload,
                 struct err *err)
{
    int rc = fs_mkdirs(dest, 0755, err);
    if (rc < 0)
        return rc;
    int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sfd < 0)
        return err_errno(err, "cannot open directory '%s'", src);
    int dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        rc = err_errno(err, "cannot open directory '%s'", dest);
        close(sfd);
        return rc;
    }
    struct copy_ctx c = {.skip = skip, .payload = payload, .rel = SBUF_INIT};
    rc = copy_dir(&c, sfd, dfd, err);
    if (rc < 0)
        err_prefix(err, "copying '%s' to '%s': ", src, dest);
    sbuf_release(&c.rel);
    close(sfd);
    close(dfd);
    return rc;
}
