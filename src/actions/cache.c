#include "actions/actions.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actions/internal.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/xalloc.h"

/*
 * The store: one directory per entry, <cache>/<sha256(version "\n" key)>/ holding
 *   key            the key as given
 *   version        sha256 of the path list (GitHub's cache "version": paths + compression)
 *   created        "seconds nanoseconds" of the save (CLOCK_REALTIME): what "newest" means
 *   data.tar.zst   a pax tar, zstd-compressed, whose names are "ws/<path below workspace>",
 *                  "home/<path below the steps' home>" (so that an entry moves between jobs,
 *                  each with its own home) or "abs/<absolute path without its leading '/'>"
 * Entries are immutable (as on GitHub) and appear atomically: built in .tmp-XXXXXX, renamed.
 */

#define CACHE_IO_BLOCK (1u << 20)
#define CACHE_MAX_KEY 512 /* GitHub's limit on a key's length */

static int cache_root(struct sbuf *out, const struct actions_cache_opts *o, struct err *err)
{
    if (o->cache_dir) {
        sbuf_addstr(out, o->cache_dir);
        return 0;
    }
    return actions_default_dir(out, "cache", err);
}

static void cache_version(char hex[2 * SHA256_DIGEST_SIZE + 1], const struct actions_cache_opts *o)
{
    struct sha256 c;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    for (size_t i = 0; i < o->npaths; i++) {
        sha256_update(&c, o->paths[i], strlen(o->paths[i]));
        sha256_update(&c, "|", 1);
    }
    sha256_update(&c, "zstd-without-long|1.0", 21);
    sha256_final(&c, d);
    hex_encode(hex, d, sizeof(d));
}

static void entry_dir(struct sbuf *out, const char *root, const char *version, const char *key)
{
    struct sha256 c;
    unsigned char d[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_init(&c);
    sha256_update(&c, version, strlen(version));
    sha256_update(&c, "\n", 1);
    sha256_update(&c, key, strlen(key));
    sha256_final(&c, d);
    hex_encode(hex, d, sizeof(d));
    sbuf_addf(out, "%s/%s", root, hex);
}

static int check_key(const char *key, struct err *err)
{
    if (!key || !*key)
        return err_set(err, ERR_INVALID, "input required and not supplied: key");
    if (strlen(key) > CACHE_MAX_KEY)
        return err_set(err, ERR_INVALID, "key '%.40s...' is longer than %d characters", key,
                       CACHE_MAX_KEY);
    if (strchr(key, ','))
        return err_set(err, ERR_INVALID, "key '%s' cannot contain commas", key);
    return 0;
}

/* The name a file gets inside the archive. */
/* The part of abs below dir ("" for dir itself), or NULL when abs is not inside dir. */
static const char *below(const char *abs, const char *dir)
{
    if (!dir)
        return NULL;
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (dl <= 1 || strncmp(abs, dir, dl))
        return NULL;
    if (!abs[dl])
        return "";
    return abs[dl] == '/' && abs[dl + 1] ? abs + dl + 1 : NULL;
}

static const char *home_of(const struct actions_cache_opts *o)
{
    return o->home ? o->home : getenv("HOME");
}

static void archive_name(struct sbuf *out, const char *abs, const struct actions_cache_opts *o)
{
    const char *rest = below(abs, o->workspace);
    const char *kind = "ws";
    if (!rest) {
        rest = below(abs, home_of(o));
        kind = "home";
    }
    if (!rest)
        sbuf_addf(out, "abs/%s", abs + 1);
    else if (*rest)
        sbuf_addf(out, "%s/%s", kind, rest);
    else
        sbuf_addstr(out, kind);
}

static int write_entry(struct archive *a, const struct actions_file *f, const char *name, char *buf,
                       struct err *err)
{
    struct archive_entry *e = archive_entry_new();
    struct stat st;
    int fd = -1;
    int rc = 0;
    if (lstat(f->abs, &st) < 0) {
        rc = err_errno(err, "cannot read '%s'", f->abs);
        goto done;
    }
    archive_entry_copy_stat(e, &st);
    archive_entry_set_pathname(e, name);
    archive_entry_set_uname(e, NULL);
    archive_entry_set_gname(e, NULL);
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(f->abs, target, sizeof(target) - 1);
        if (n < 0) {
            rc = err_errno(err, "cannot read link '%s'", f->abs);
            goto done;
        }
        target[n] = '\0';
        archive_entry_set_symlink(e, target);
        archive_entry_set_size(e, 0);
    } else if (S_ISREG(st.st_mode)) {
        fd = open(f->abs, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = err_errno(err, "cannot read '%s'", f->abs);
            goto done;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        goto done; /* sockets, fifos, devices: not cached */
    }
    if (archive_write_header(a, e) < ARCHIVE_WARN) {
        rc = err_set(err, ERR_IO, "cannot archive '%s': %s", f->abs, archive_error_string(a));
        goto done;
    }
    if (fd >= 0) {
        int64_t left = st.st_size;
        while (left > 0) {
            ssize_t n = read(fd, buf, CACHE_IO_BLOCK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = err_errno(err, "cannot read '%s'", f->abs);
                goto done;
            }
            if (n == 0)
                break; /* shrank while saving: the header promised more; pad with zeros */
            if (n > left)
                n = (ssize_t)left;
            if (archive_write_data(a, buf, (size_t)n) < 0) {
                rc = err_set(err, ERR_IO, "cannot archive '%s': %s", f->abs,
                             archive_error_string(a));
                goto done;
            }
            left -= n;
        }
        if (left > 0) {
            memset(buf, 0, CACHE_IO_BLOCK);
            while (left > 0) {
                size_t n = left > CACHE_IO_BLOCK ? CACHE_IO_BLOCK : (size_t)left;
                archive_write_data(a, buf, n);
                left -= (int64_t)n;
            }
        }
    }
done:
    if (fd >= 0)
        close(fd);
    archive_entry_free(e);
    return rc;
}

int actions_cache_save(const struct actions_cache_opts *o, struct err *err)
{
    struct sbuf root = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    struct sbuf final = SBUF_INIT;
    struct sbuf name = SBUF_INIT;
    struct vec files = VEC_INIT(struct actions_file);
    struct archive *a = NULL;
    struct err ignored = ERR_INIT;
    char *buf = NULL;
    char version[2 * SHA256_DIGEST_SIZE + 1];
    int rc;

    rc = check_key(o->key, err);
    if (rc < 0)
        goto done;
    rc = cache_root(&root, o, err);
    if (rc < 0)
        goto done;
    cache_version(version, o);
    entry_dir(&final, root.buf, version, o->key);
    if (fs_is_dir(final.buf)) {
        rc = err_set(err, ERR_FAIL, "cache entry for key '%s' already exists; not saving", o->key);
        goto done;
    }
    struct actions_match_opts mo = {.workspace = o->workspace,
                                    .home = o->home,
                                    .temp_dir = o->temp_dir,
                                    .patterns = o->paths,
                                    .npatterns = o->npaths,
                                    .include_hidden = true,
                                    .include_dirs = true};
    rc = actions_match(&files, NULL, &mo, err);
    if (rc < 0)
        goto done;
    if (!files.len) {
        rc = err_set(err, ERR_NOTFOUND,
                     "path validation error: path(s) specified in the action for caching do(es) "
                     "not exist, hence no cache is being saved");
        goto done;
    }
    rc = fs_mkdirs(root.buf, 0755, err);
    if (rc < 0)
        goto done;
    sbuf_addf(&path, "%s/.tmp-XXXXXX", root.buf);
    rc = fs_mkdtemp(&tmp, path.buf, err);
    if (rc < 0)
        goto done;

    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (archive_write_add_filter_zstd(a) != ARCHIVE_OK) {
        rc = err_set(err, ERR_FAIL, "libarchive cannot write zstd: %s", archive_error_string(a));
        goto done;
    }
    char level[16];
    snprintf(level, sizeof(level), "%d", o->level > 0 ? o->level : 3);
    archive_write_set_filter_option(a, "zstd", "compression-level", level);
    /* libzstd's worker threads compress while this thread reads files, as tar --zstd overlaps
     * tar and the zstd process (bench/cache measured 2.2x slower without); ignored by a
     * libarchive without the option */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    char threads[16];
    snprintf(threads, sizeof(threads), "%ld", ncpu < 1 ? 1 : ncpu > 4 ? 4 : ncpu);
    archive_write_set_filter_option(a, "zstd", "threads", threads);
    archive_write_set_bytes_per_block(a, 64 * 1024);
    archive_write_set_bytes_in_last_block(a, 1);
    sbuf_reset(&path);
    sbuf_addf(&path, "%s/data.tar.zst", tmp.buf);
    if (archive_write_open_filename(a, path.buf) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "cannot create '%s': %s", path.buf, archive_error_string(a));
        goto done;
    }
    buf = xmalloc(CACHE_IO_BLOCK);
    vec_foreach (struct actions_file, f, &files) {
        sbuf_reset(&name);
        archive_name(&name, f->abs, o);
        rc = write_entry(a, f, name.buf, buf, err);
        if (rc < 0)
            goto done;
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "cannot write '%s': %s", path.buf, archive_error_string(a));
        goto done;
    }
    sbuf_reset(&path);
    sbuf_addf(&path, "%s/key", tmp.buf);
    rc = fs_write_file(path.buf, o->key, strlen(o->key), err);
    if (rc < 0)
        goto done;
    /* "newest" needs finer order than file times (the kernel's clock for them is coarse) */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sbuf_reset(&path);
    sbuf_addf(&path, "%s/created", tmp.buf);
    sbuf_reset(&name);
    sbuf_addf(&name, "%lld %ld", (long long)now.tv_sec, (long)now.tv_nsec);
    rc = fs_write_file(path.buf, name.buf, name.len, err);
    if (rc < 0)
        goto done;
    sbuf_reset(&path);
    sbuf_addf(&path, "%s/version", tmp.buf);
    rc = fs_write_file(path.buf, version, strlen(version), err);
    if (rc < 0)
        goto done;
    if (rename(tmp.buf, final.buf) < 0) {
        if (errno == EEXIST || errno == ENOTEMPTY) {
            rc = err_set(err, ERR_FAIL, "cache entry for key '%s' already exists; not saving",
                         o->key);
        } else {
            rc = err_errno(err, "cannot store the cache entry for key '%s'", o->key);
        }
        goto done;
    }
    sbuf_reset(&tmp);
done:
    if (a)
        archive_write_free(a);
    if (tmp.len)
        fs_remove_tree(tmp.buf, &ignored);
    xfree(buf);
    actions_match_release(&files);
    sbuf_release(&root);
    sbuf_release(&tmp);
    sbuf_release(&path);
    sbuf_release(&final);
    sbuf_release(&name);
    return rc;
}

/* One stored entry with the version asked for. */
struct cand {
    char *key;
    char *dir;
    struct timespec mtime;
};

static void cands_release(struct vec *v)
{
    vec_foreach (struct cand, c, v) {
        xfree(c->key);
        xfree(c->dir);
    }
    vec_release(v);
}

static int list_entries(struct vec *out, const char *root, const char *version)
{
    DIR *d = opendir(root);
    if (!d)
        return 0; /* no cache yet: every lookup misses */
    struct dirent *de;
    struct sbuf p = SBUF_INIT;
    struct sbuf txt = SBUF_INIT;
    struct err ignored = ERR_INIT;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s/version", root, de->d_name);
        sbuf_reset(&txt);
        if (sbuf_read_file(&txt, p.buf, 256, &ignored) < 0 || strcmp(txt.buf, version) != 0)
            continue;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s/data.tar.zst", root, de->d_name);
        struct stat st;
        if (stat(p.buf, &st) < 0)
            continue;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s/key", root, de->d_name);
        sbuf_reset(&txt);
        if (sbuf_read_file(&txt, p.buf, CACHE_MAX_KEY + 1, &ignored) < 0)
            continue;
        struct cand *c = vec_push(out);
        c->key = sbuf_detach(&txt, NULL);
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s", root, de->d_name);
        c->dir = xstrdup(p.buf);
        c->mtime = st.st_mtim;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s/created", root, de->d_name);
        sbuf_reset(&txt);
        long long sec;
        long nsec;
        if (sbuf_read_file(&txt, p.buf, 64, &ignored) == 0 &&
            sscanf(txt.buf, "%lld %ld", &sec, &nsec) == 2) {
            c->mtime.tv_sec = (time_t)sec;
            c->mtime.tv_nsec = nsec;
        }
    }
    closedir(d);
    sbuf_release(&p);
    sbuf_release(&txt);
    return 0;
}

static bool newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec > b->tv_nsec;
}

/* Exact match first, then the newest prefix match; NULL when none. */
static const struct cand *pick(const struct vec *cands, const char *key, bool prefix)
{
    const struct cand *best = NULL;
    vec_foreach (const struct cand, c, cands) {
        if (!strcmp(c->key, key))
            return c;
    }
    if (!prefix)
        return NULL;
    vec_foreach (const struct cand, c, cands) {
        if (str_has_prefix(c->key, key) && (!best || newer(&c->mtime, &best->mtime)))
            best = c;
    }
    return best;
}

/* Maps an archive name back to where it goes; false for a name we never write. */
static bool restore_target(struct sbuf *out, const char *name, const struct actions_cache_opts *o)
{
    const char *rest;
    static const char *const kinds[] = {"ws", "home"};
    for (size_t k = 0; k < 2; k++) {
        const char *dir = k ? home_of(o) : o->workspace;
        size_t kl = strlen(kinds[k]);
        if (strncmp(name, kinds[k], kl) || (name[kl] && name[kl] != '/'))
            continue;
        if (!dir)
            return false;
        rest = name[kl] ? name + kl + 1 : "";
        if (!*rest) {
            sbuf_addstr(out, dir);
            return true;
        }
        if (!path_is_contained(rest))
            return false;
        path_join(out, dir, rest);
        return true;
    }
    if (str_has_prefix(name, "abs/")) {
        rest = name + 4;
        if (!path_is_contained(rest))
            return false;
        struct sbuf abs = SBUF_INIT;
        sbuf_addf(&abs, "/%s", rest);
        path_normalize(out, abs.buf); /* what the folder checks of extract() compare */
        sbuf_release(&abs);
        return true;
    }
    return false;
}

static int extract(const char *archive_path, const struct actions_cache_opts *o, struct err *err)
{
    struct archive *in = archive_read_new();
    struct archive *out = archive_write_disk_new();
    struct sbuf target = SBUF_INIT;
    int rc = 0;
    archive_read_support_filter_zstd(in);
    archive_read_support_format_tar(in);
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                            ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open_filename(in, archive_path, CACHE_IO_BLOCK) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "cannot read cache archive '%s': %s", archive_path,
                     archive_error_string(in));
        goto done;
    }
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            rc = err_set(err, ERR_IO, "bad cache archive '%s': %s", archive_path,
                         archive_error_string(in));
            goto done;
        }
        sbuf_reset(&target);
        if (!restore_target(&target, archive_entry_pathname(e), o)) {
            rc = err_set(err, ERR_INVALID, "cache archive '%s' holds an unexpected name '%s'",
                         archive_path, archive_entry_pathname(e));
            goto done;
        }
        /* The restore runs outside the sandbox: a link a step left in the workspace or its home
         * must not lead it elsewhere. A link where a file goes is replaced, not written through. */
        struct actions_match_opts chk = {
            .workspace = o->workspace, .home = o->home, .temp_dir = o->temp_dir};
        if (o->home && !actions_in_job_folders(target.buf, o->workspace, o->home, o->temp_dir)) {
            rc = err_set(err, ERR_FAIL,
                         "cannot restore '%s': it is outside the job's workspace, home and "
                         "RUNNER_TEMP",
                         target.buf);
            goto done;
        }
        if (o->home && actions_step_link(&chk, target.buf)) {
            rc = err_set(err, ERR_FAIL,
                         "cannot restore '%s': a folder on its way is a symbolic link", target.buf);
            goto done;
        }
        struct stat lst;
        if (o->home && lstat(target.buf, &lst) == 0 && S_ISLNK(lst.st_mode) &&
            archive_entry_filetype(e) != AE_IFLNK)
            unlink(target.buf);
        archive_entry_set_pathname(e, target.buf);
        if (archive_write_header(out, e) < ARCHIVE_WARN) {
            rc = err_set(err, ERR_IO, "cannot restore '%s': %s", target.buf,
                         archive_error_string(out));
            goto done;
        }
        if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
            const void *buf;
            size_t size;
            la_int64_t off;
            while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
                if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN) {
                    rc = err_set(err, ERR_IO, "cannot restore '%s': %s", target.buf,
                                 archive_error_string(out));
                    goto done;
                }
            }
            if (r != ARCHIVE_EOF) {
                rc = err_set(err, ERR_IO, "bad cache archive '%s': %s", archive_path,
                             archive_error_string(in));
                goto done;
            }
        }
        if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
            rc = err_set(err, ERR_IO, "cannot restore '%s': %s", target.buf,
                         archive_error_string(out));
            goto done;
        }
    }
    if (archive_write_close(out) != ARCHIVE_OK)
        rc = err_set(err, ERR_IO, "cannot finish restoring: %s", archive_error_string(out));
done:
    archive_read_free(in);
    archive_write_free(out);
    sbuf_release(&target);
    return rc;
}

int actions_cache_restore(char **matched_out, const struct actions_cache_opts *o, struct err *err)
{
    struct sbuf root = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    struct vec cands = VEC_INIT(struct cand);
    char version[2 * SHA256_DIGEST_SIZE + 1];
    int rc;

    *matched_out = NULL;
    rc = check_key(o->key, err);
    if (rc < 0)
        goto done;
    /* The restore runs outside the sandbox: in one, it writes only where the steps can. */
    struct actions_match_opts chk = {.workspace = o->workspace,
                                     .home = o->home,
                                     .temp_dir = o->temp_dir,
                                     .patterns = o->paths,
                                     .npatterns = o->npaths};
    rc = actions_paths_check(&chk, err);
    if (rc < 0)
        goto done;
    rc = cache_root(&root, o, err);
    if (rc < 0)
        goto done;
    cache_version(version, o);
    list_entries(&cands, root.buf, version);
    const struct cand *hit = pick(&cands, o->key, false);
    for (size_t i = 0; !hit && i < o->nrestore; i++)
        hit = pick(&cands, o->restore_keys[i], true);
    if (!hit)
        goto done;
    if (!o->lookup_only) {
        sbuf_addf(&path, "%s/data.tar.zst", hit->dir);
        rc = extract(path.buf, o, err);
        if (rc < 0)
            goto done;
    }
    *matched_out = xstrdup(hit->key);
done:
    cands_release(&cands);
    sbuf_release(&root);
    sbuf_release(&path);
    return rc;
}
