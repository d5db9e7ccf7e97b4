/*
 * hub_upload: the `hf upload` semantics, made one commit.
 *
 * Order matters for the "never half a commit" promise: everything local is checked first (paths,
 * patterns, the Space card), then the token, then the branch, then the Hub decides regular vs LFS,
 * LFS bytes are uploaded (content-addressed, so an interrupted run leaves nothing visible), and
 * the commit is the very last request.
 */
#include "hub/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/glob.h"
#include "util/map.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define MAX_CARD_SIZE (1u << 20)
#define MAX_FILES 100000
#define MAX_DEPTH 64
/* Commits tried when the branch keeps moving under the upload (the first one included). */
#define HUB_COMMIT_ATTEMPTS 5

struct plan {
    struct vec files;   /* struct hub_file */
    struct map paths;   /* path in repo -> its index in files + 1, to find duplicates at once */
    struct vec folders; /* char *: the path in repo of each folder item ("" = the root) */
    /* char *: o's include, exclude and delete patterns, a trailing '/' completed (owned) */
    struct vec include, exclude, del;
    struct vec lfs; /* struct hub_file *: the files whose LFS bytes this commit needs */
    /* The thread hashing files ahead (see hash_ahead below): finished before the first read of
     * a file's sha256. */
    struct hash_ahead *ha;
    const struct hub_upload_opts *o;
};

#define PLAN_INIT(opts)                                                                            \
    ((struct plan){.files = VEC_INIT(struct hub_file),                                             \
                   .paths = MAP_INIT,                                                              \
                   .folders = VEC_INIT(char *),                                                    \
                   .include = VEC_INIT(char *),                                                    \
                   .exclude = VEC_INIT(char *),                                                    \
                   .del = VEC_INIT(char *),                                                        \
                   .lfs = VEC_INIT(struct hub_file *),                                             \
                   .o = (opts)})

static void free_strings(struct vec *v)
{
    vec_foreach (char *, s, v)
        xfree(*s);
    vec_release(v);
}

static void plan_release(struct plan *p)
{
    vec_foreach (struct hub_file, f, &p->files) {
        xfree(f->local);
        xfree(f->path);
        xfree(f->remote_oid);
    }
    vec_release(&p->files);
    map_release(&p->paths, NULL);
    free_strings(&p->folders);
    free_strings(&p->include);
    free_strings(&p->exclude);
    free_strings(&p->del);
    vec_release(&p->lfs);
}

static bool match_any(const struct vec *patterns, const char *path)
{
    vec_foreach (char *, pat, patterns) {
        if (glob_match_str(*pat, path, GLOB_PATHS))
            return true;
    }
    return false;
}

/*
 * Copies patterns into out, checked. A pattern ending in '/' means everything under that folder:
 * huggingface_hub's filter_repo_objects appends '*' to it (_add_wildcard_to_directories), and
 * fnmatch's '*' crosses '/', so "logs/" matches logs/deep/y.txt; in the hashFiles dialect used
 * here that is "logs/" + "**".
 */
static int add_patterns(struct vec *out, const char *const *patterns, size_t n, struct err *err)
{
    for (size_t i = 0; i < n; i++) {
        struct sbuf pat = SBUF_INIT;
        sbuf_addstr(&pat, patterns[i]);
        if (pat.len && pat.buf[pat.len - 1] == '/')
            sbuf_addstr(&pat, "**");
        struct glob *g = NULL;
        int rc = glob_compile(&g, pat.buf, GLOB_PATHS, err);
        glob_free(g);
        if (rc < 0) {
            err_prefix(err, "pattern '%s': ", patterns[i]);
            sbuf_release(&pat);
            return rc;
        }
        *(char **)vec_push(out) = sbuf_detach(&pat, NULL);
    }
    return 0;
}

/*
 * huggingface_hub's DEFAULT_IGNORE_PATTERNS: ".git" and ".cache/huggingface", and everything in
 * them, at the top or under any folder (fnmatch patterns with leading and trailing wildcards).
 * So: a path with a ".git" component, or with ".cache" followed by "huggingface". `hf download
 * --local-dir` leaves such a folder wherever it downloaded.
 */
static bool default_ignored(const char *rel)
{
    struct str rest = str_from(rel);
    bool after_cache = false; /* the previous component was ".cache" */
    while (rest.len) {
        const char *slash = memchr(rest.p, '/', rest.len);
        size_t n = slash ? (size_t)(slash - rest.p) : rest.len;
        struct str comp = str_make(rest.p, n);
        if (str_eq_cstr(comp, ".git") || (after_cache && str_eq_cstr(comp, "huggingface")))
            return true;
        after_cache = str_eq_cstr(comp, ".cache");
        if (!slash)
            break;
        rest = str_make(slash + 1, rest.len - n - 1);
    }
    return false;
}

static int add_file(struct plan *p, const char *local, const char *path_in_repo, struct err *err)
{
    struct sbuf norm = SBUF_INIT;
    int rc = hub_normalize_path(&norm, path_in_repo, err);
    if (rc < 0) {
        sbuf_release(&norm);
        return rc;
    }
    const struct map_entry *dup = map_find_entry(&p->paths, norm.buf, norm.len);
    if (dup) {
        const struct hub_file *f = vec_at(&p->files, (uintptr_t)dup->value - 1);
        rc = err_set(err, ERR_INVALID, "'%s' and '%s' both go to '%s' in the repo", f->local, local,
                     norm.buf);
        sbuf_release(&norm);
        return rc;
    }
    if (p->files.len >= MAX_FILES) {
        sbuf_release(&norm);
        return err_set(err, ERR_INVALID, "more than %d files to upload", MAX_FILES);
    }
    map_set(&p->paths, norm.buf, (void *)(uintptr_t)(p->files.len + 1));
    struct hub_file *f = vec_push(&p->files);
    f->local = xstrdup(local);
    f->path = sbuf_detach(&norm, NULL);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir (sorted, so the commit is the same on every machine), adding files under prefix. */
static int walk(struct plan *p, const char *dir, const char *rel, const char *prefix, int depth,
                struct err *err)
{
    struct sbuf full = SBUF_INIT;
    struct sbuf sub = SBUF_INIT;
    struct sbuf remote = SBUF_INIT;
    struct vec names = VEC_INIT(char *);
    DIR *d = NULL;
    int rc = 0;
    if (depth > MAX_DEPTH)
        return err_set(err, ERR_INVALID, "'%s': folders nested too deep", dir);
    path_join(&full, dir, rel);
    d = opendir(full.buf);
    if (!d) {
        rc = err_errno(err, "cannot read folder '%s'", full.buf);
        goto done;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char **slot = vec_push(&names);
        *slot = xstrdup(de->d_name);
    }
    vec_sort(&names, cmp_names);
    vec_foreach (char *, name, &names) {
        sbuf_reset(&sub);
        if (*rel) {
            sbuf_addf(&sub, "%s/%s", rel, *name);
        } else {
            sbuf_addstr(&sub, *name);
        }
        if (default_ignored(sub.buf))
            continue;
        sbuf_reset(&full);
        path_join(&full, dir, sub.buf);
        struct stat st;
        if (lstat(full.buf, &st) < 0) {
            rc = err_errno(err, "cannot stat '%s'", full.buf);
            goto done;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk(p, dir, sub.buf, prefix, depth + 1, err);
            if (rc < 0)
                goto done;
            continue;
        }
        /* A symbolic link, as upload_folder's recursive folder_path.glob() filtered by is_file():
         * a link to a folder is never descended into (wherever it leads: outside the folder, or
         * back up into it), a link to a file is uploaded with its target's bytes (even a target
         * outside the folder), and a dangling or looping link is left out. */
        if (S_ISLNK(st.st_mode) && stat(full.buf, &st) < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EBADF)
                continue; /* pathlib's is_file() is false for these */
            rc = err_errno(err, "cannot stat '%s'", full.buf);
            goto done;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        if (p->include.len && !match_any(&p->include, sub.buf))
            continue;
        if (match_any(&p->exclude, sub.buf))
            continue;
        sbuf_reset(&remote);
        if (*prefix) {
            sbuf_addf(&remote, "%s/%s", prefix, sub.buf);
        } else {
            sbuf_addstr(&remote, sub.buf);
        }
        rc = add_file(p, full.buf, remote.buf, err);
        if (rc < 0)
            goto done;
    }
done:
    if (d)
        closedir(d);
    vec_foreach (char *, name, &names)
        xfree(*name);
    vec_release(&names);
    sbuf_release(&full);
    sbuf_release(&sub);
    sbuf_release(&remote);
    return rc;
}

/* A folder's path in repo: "", "." and "/" mean the root; anything else is normalised. */
static int folder_prefix(struct sbuf *out, const char *remote, struct err *err)
{
    if (!remote)
        return 0;
    const char *p = remote;
    while (*p == '/' || (p[0] == '.' && p[1] == '/'))
        p += *p == '/' ? 1 : 2;
    if (!*p || !strcmp(p, "."))
        return 0;
    return hub_normalize_path(out, remote, err);
}

static int collect(struct plan *p, struct err *err)
{
    const struct hub_upload_opts *o = p->o;
    struct sbuf prefix = SBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < o->n_items && rc == 0; i++) {
        const struct hub_upload_item *it = &o->items[i];
        struct stat st;
        if (stat(it->local, &st) < 0) {
            /* A bad path, as a bad path in the repo: the caller's to fix (ERR_INVALID). */
            rc = err_set(err, ERR_INVALID, "cannot upload '%s': %s", it->local, strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            sbuf_reset(&prefix);
            rc = folder_prefix(&prefix, it->remote, err);
            if (rc == 0) {
                char **slot = vec_push(&p->folders);
                *slot = xstrdup(prefix.buf);
                rc = walk(p, it->local, "", prefix.buf, 0, err);
            }
        } else if (S_ISREG(st.st_mode) && it->remote && *it->remote &&
                   it->remote[strlen(it->remote) - 1] == '/') {
            /* A path in repo ending in '/' names a folder: the file goes in it under its own
             * name ("models/" -> models/model.bin), as hf's scheduled uploads read it and as
             * cp reads a destination folder; the Hub would get no usable file name. */
            sbuf_reset(&prefix);
            sbuf_addf(&prefix, "%s%s", it->remote, path_basename(it->local));
            rc = add_file(p, it->local, prefix.buf, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = add_file(p, it->local, it->remote ? it->remote : path_basename(it->local), err);
        } else {
            rc = err_set(err, ERR_INVALID, "'%s' is neither a file nor a folder", it->local);
        }
    }
    sbuf_release(&prefix);
    return rc;
}

/* Checks a Space's README.md card; its sdk goes to card_sdk (used when creating the Space). */
static int check_cards(struct plan *p, struct sbuf *card_sdk, struct err *err)
{
    if (p->o->repo.type != HUB_REPO_SPACE)
        return 0;
    vec_foreach (struct hub_file, f, &p->files) {
        if (strcmp(f->path, "README.md"))
            continue;
        struct sbuf text = SBUF_INIT;
        int rc = sbuf_read_file(&text, f->local, MAX_CARD_SIZE, err);
        if (rc == 0)
            rc = hub_check_space_card(text.buf, text.len, err);
        if (rc == 0)
            hub_card_field(card_sdk, text.buf, text.len, "sdk");
        sbuf_release(&text);
        if (rc < 0) {
            if (strcmp(path_basename(f->local), "README.md") || rc != ERR_INVALID) {
                err_prefix(err, "'%s': ", f->local);
            } else {
                /* The message names README.md:line:col; say which file on disk it is. */
                struct sbuf dir = SBUF_INIT;
                path_dirname(&dir, f->local);
                err_prefix(err, "%s/", dir.buf);
                sbuf_release(&dir);
            }
            return rc;
        }
    }
    return 0;
}

static int read_sample(struct hub_file *f, struct err *err)
{
    int fd = open(f->local, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", f->local);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        rc = err_errno(err, "cannot stat '%s'", f->local);
        goto done;
    }
    f->size = (uint64_t)st.st_size;
    ssize_t n;
    do {
        n = pread(fd, f->sample, sizeof(f->sample), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        rc = err_errno(err, "cannot read '%s'", f->local);
        goto done;
    }
    f->sample_len = (size_t)n;
done:
    close(fd);
    return rc;
}

/* deletedFile ops for remote files under each folder item that match --delete patterns. */
static int plan_deletes(struct hub *h, struct plan *p, const char *rev, struct vec *ops,
                        struct err *err)
{
    const struct hub_upload_opts *o = p->o;
    struct vec remote = VEC_INIT(char *);
    int rc = h->backend->list_files(h, &o->repo, rev, &remote, err);
    if (rc < 0)
        goto done;
    vec_foreach (char *, rp, &remote) {
        /* huggingface_hub never deletes the root .gitattributes this way. */
        if (!strcmp(*rp, ".gitattributes"))
            continue;
        bool del = false;
        vec_foreach (char *, folder, &p->folders) {
            size_t n = strlen(*folder);
            const char *rel = *rp;
            if (n) {
                if (!str_has_prefix(*rp, *folder) || (*rp)[n] != '/')
                    continue;
                rel = *rp + n + 1;
            }
            del = match_any(&p->del, rel);
            if (del)
                break;
        }
        if (del && !map_has(&p->paths, *rp)) {
            struct hub_op *op = vec_push(ops);
            op->kind = HUB_OP_DELETE_FILE;
            op->path = xstrdup(*rp);
        }
    }
done:
    vec_foreach (char *, rp, &remote)
        xfree(*rp);
    vec_release(&remote);
    return rc;
}

/*
 * Hashing ahead. The SHA-256 of a large file is the longest step before its first byte can be
 * sent, and the Hub makes every file of HUB_LFS_THRESHOLD bytes or more an LFS file. So while the
 * token, repo, branch and preupload requests go back and forth, a thread computes the SHA-256 of
 * those files into hub_file.sha256; hub_upload takes it when the Hub says LFS (and hashes as
 * before when it does not, or when hashing ahead failed: the error is met and reported again).
 * The thread writes only the sha256 fields; they are read after hash_ahead_finish.
 */
struct hash_ahead {
    struct vec *files; /* struct hub_file, the plan's; not resized while the thread runs */
    pthread_t thread;
    bool running;
    atomic_bool cancel;
};

static void *hash_ahead_run(void *payload)
{
    struct hash_ahead *ha = payload;
    vec_foreach (struct hub_file, f, ha->files) {
        if (f->size < HUB_LFS_THRESHOLD)
            continue;
        struct err err = ERR_INIT;
        if (hub_file_sha256(f->sha256, f->local, &ha->cancel, &err) < 0) {
            f->sha256[0] = '\0';
            if (err.code == ERR_CANCELLED)
                break;
        }
    }
    return NULL;
}

static void hash_ahead_start(struct hash_ahead *ha, struct vec *files)
{
    ha->files = files;
    atomic_init(&ha->cancel, false);
    vec_foreach (struct hub_file, f, files) {
        if (f->size >= HUB_LFS_THRESHOLD) {
            ha->running = pthread_create(&ha->thread, NULL, hash_ahead_run, ha) == 0;
            return;
        }
    }
}

/* Waits for the thread; with cancel, stops it first (the upload failed). */
static void hash_ahead_finish(struct hash_ahead *ha, bool cancel)
{
    if (!ha->running)
        return;
    if (cancel)
        atomic_store(&ha->cancel, true);
    pthread_join(ha->thread, NULL);
    ha->running = false;
}

static int resolve_branch(struct hub *h, const struct hub_upload_opts *o, const char *rev,
                          struct sbuf *tip, struct err *err)
{
    int rc = h->backend->revision(h, &o->repo, rev, tip, err);
    if (rc != ERR_NOTFOUND)
        return rc;
    if (!strcmp(rev, "main")) {
        if (!o->create)
            err_prefix(err, "cannot upload (create the repo with --create): ");
        return rc;
    }
    /* As `hf upload --revision`: a missing branch is created from main. */
    struct sbuf main_tip = SBUF_INIT;
    err_clear(err);
    rc = h->backend->revision(h, &o->repo, "main", &main_tip, err);
    if (rc == 0)
        rc = h->backend->create_branch(h, &o->repo, rev, "main", err);
    sbuf_release(&main_tip);
    if (rc == 0)
        rc = h->backend->revision(h, &o->repo, rev, tip, err);
    return rc;
}

static void ops_release(struct vec *ops)
{
    vec_foreach (struct hub_op, op, ops)
        xfree(op->path);
    vec_clear(ops);
}

/*
 * Decides the commit's operations against what the branch rev holds now: asks the backend
 * which files are LFS, ignored or unchanged, hashes what it must (each hash computed once over
 * all attempts), and adds the deletes. Starts afresh each time: c->ops, p->lfs and the counts
 * in res are replaced.
 */
static int plan_ops(struct hub *h, struct plan *p, const char *rev, struct hub_commit *c,
                    struct hub_upload_result *res, struct err *err)
{
    const struct hub_upload_opts *o = p->o;
    ops_release(&c->ops);
    vec_clear(&p->lfs);
    res->n_unchanged = res->n_ignored = res->n_regular = res->n_lfs = res->n_deleted = 0;
    vec_foreach (struct hub_file, f, &p->files) {
        xfree(f->remote_oid);
        f->remote_oid = NULL;
        f->is_lfs = f->should_ignore = false;
    }
    int rc = h->backend->preupload(h, &o->repo, rev, p->files.items, p->files.len, err);
    if (rc < 0)
        return rc;
    hash_ahead_finish(p->ha, false);
    vec_foreach (struct hub_file, f, &p->files) {
        if (f->should_ignore) {
            res->n_ignored++;
            continue;
        }
        if (!f->size)
            f->is_lfs = false; /* empty files are always regular */
        char *hash = f->is_lfs ? f->sha256 : f->sha1;
        if (!hash[0]) {
            rc = f->is_lfs ? hub_file_sha256(f->sha256, f->local, NULL, err)
                           : hub_file_sha1(f->sha1, f->local, err);
            if (rc < 0) {
                hash[0] = '\0';
                return rc;
            }
        }
        memcpy(f->oid, hash, strlen(hash) + 1);
        if (f->remote_oid && !strcmp(f->remote_oid, f->oid)) {
            res->n_unchanged++;
            continue;
        }
        struct hub_op *op = vec_push(&c->ops);
        op->kind = HUB_OP_ADD;
        op->file = f;
        if (f->is_lfs) {
            *(struct hub_file **)vec_push(&p->lfs) = f;
            res->n_lfs++;
        } else {
            res->n_regular++;
        }
    }
    if (o->n_delete) {
        size_t before = c->ops.len;
        rc = plan_deletes(h, p, rev, &c->ops, err);
        res->n_deleted = c->ops.len - before;
    }
    return rc;
}

int hub_upload(struct hub *h, const struct hub_upload_opts *o, struct hub_upload_result *res,
               struct err *err)
{
    struct plan p = PLAN_INIT(o);
    struct hub_commit c = {.ops = VEC_INIT(struct hub_op)};
    struct sbuf who = SBUF_INIT;
    struct sbuf tip = SBUF_INIT;
    struct sbuf card_sdk = SBUF_INIT;
    struct sbuf tagged = SBUF_INIT; /* the commit o->tag names already; empty when none */
    struct hash_ahead ha = {.running = false};
    p.ha = &ha;
    const char *rev = o->revision ? o->revision : "main";
    int rc;

    if (!o->repo.id || !strchr(o->repo.id, '/') ||
        strchr(o->repo.id, '/') != strrchr(o->repo.id, '/') || o->repo.id[0] == '/' ||
        o->repo.id[strlen(o->repo.id) - 1] == '/' || strstr(o->repo.id, "..")) {
        rc = err_set(err, ERR_INVALID, "repo id '%s': expected 'namespace/name'",
                     o->repo.id ? o->repo.id : "");
        goto done;
    }
    rc = add_patterns(&p.include, o->include, o->n_include, err);
    if (rc == 0)
        rc = add_patterns(&p.exclude, o->exclude, o->n_exclude, err);
    if (rc == 0)
        rc = add_patterns(&p.del, o->delete_patterns, o->n_delete, err);
    if (rc < 0)
        goto done;

    /* 1. Everything local, before any request. */
    rc = collect(&p, err);
    if (rc < 0)
        goto done;
    rc = check_cards(&p, &card_sdk, err);
    if (rc < 0)
        goto done;
    vec_foreach (struct hub_file, f, &p.files) {
        rc = read_sample(f, err);
        if (rc < 0)
            goto done;
    }
    res->n_files = p.files.len;
    hash_ahead_start(&ha, &p.files);

    /* 2. The token, the repo, the branch. */
    rc = h->backend->whoami(h, &who, err);
    if (rc < 0)
        goto done;
    if (o->create) {
        struct hub_create_opts co = {
            .space_sdk = o->space_sdk, .is_private = o->is_private, .exist_ok = true};
        rc = h->backend->create_repo(h, &o->repo, &co, err);
        if (rc < 0)
            goto done;
    }
    rc = resolve_branch(h, o, rev, &tip, err);
    if (rc < 0)
        goto done;
    if (o->parent_commit && strcmp(o->parent_commit, tip.buf)) {
        rc = err_set(err, ERR_FAIL, "'%s' is at %s, not the expected parent %s", rev, tip.buf,
                     o->parent_commit);
        goto done;
    }
    if (o->tag) {
        rc = h->backend->tag_commit(h, &o->repo, o->tag, &tagged, err);
        if (rc == ERR_NOTFOUND) {
            err_clear(err);
            rc = 0;
        }
        if (rc < 0)
            goto done;
    }

    /* 3. Regular or LFS, what is unchanged and what goes; 4. LFS bytes; 5. the commit, last.
     * The commit names the tip all this was decided against (parentCommit). When the branch
     * moved meanwhile (another upload committed), the decisions are made again against the new
     * tip, LFS objects already sent staying sent, and the commit is tried again; an expected
     * parent the user gave is a promise about one commit, so its mismatch fails at once. */
    for (unsigned attempt = 1;; attempt++) {
        rc = plan_ops(h, &p, rev, &c, res, err);
        if (rc < 0)
            break;
        /* An existing tag is fine only where it would be put anyway: on the tip, with nothing
         * to commit (a re-run of the same upload). Anything else stops before any byte is sent,
         * so a refused tag never leaves an untagged commit behind. */
        if (tagged.len && c.ops.len) {
            rc = err_set(err, ERR_INVALID,
                         "tag '%s' already exists at %.12s and would have to name this upload's "
                         "new commit: nothing was committed (a tag is never moved)",
                         o->tag, tagged.buf);
            break;
        }
        if (tagged.len && strcmp(tagged.buf, tip.buf)) {
            rc = err_set(err, ERR_INVALID,
                         "tag '%s' already exists at %.12s, not at the tip of '%s' (%.12s): "
                         "nothing was committed (a tag is never moved)",
                         o->tag, tagged.buf, rev, tip.buf);
            break;
        }
        if (!c.ops.len)
            break;
        rc = h->backend->upload_lfs(h, &o->repo, rev, p.lfs.items, p.lfs.len, &res->n_lfs_uploaded,
                                    err);
        if (rc < 0)
            break;
        c.summary = o->summary && *o->summary ? o->summary : "Upload folder using huggingface_hub";
        c.description = o->description;
        c.parent = tip.buf;
        c.moved = false;
        rc = h->backend->commit(h, &o->repo, rev, &c, res, err);
        if (rc == 0 || !c.moved || o->parent_commit)
            break;
        if (attempt == HUB_COMMIT_ATTEMPTS) {
            err_prefix(err, "gave up after %u attempts: ", attempt);
            break;
        }
        err_clear(err);
        sbuf_reset(&tip);
        rc = h->backend->revision(h, &o->repo, rev, &tip, err);
        if (rc < 0)
            break;
    }
    if (rc < 0)
        goto done;
    sbuf_addstr(&res->head_oid, res->commit_oid.len ? res->commit_oid.buf : tip.buf);
    if (o->tag && !tagged.len)
        rc = h->backend->create_tag(h, &o->repo, res->head_oid.buf, o->tag, NULL, err);

done:
    hash_ahead_finish(&ha, true);
    ops_release(&c.ops);
    vec_release(&c.ops);
    plan_release(&p);
    sbuf_release(&who);
    sbuf_release(&tip);
    sbuf_release(&card_sdk);
    sbuf_release(&tagged);
    return rc;
}

void hub_upload_result_release(struct hub_upload_result *res)
{
    sbuf_release(&res->commit_oid);
    sbuf_release(&res->commit_url);
    sbuf_release(&res->head_oid);
}
