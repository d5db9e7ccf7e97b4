/*
 * repo_publish(): files from the working tree -> blobs -> a tree on top of the branch's tip -> a
 * commit with provenance -> a compare-and-swap push, rebuilt on the new tip when another
 * publisher got there first.
 *
 * The user's index, HEAD and working tree are never written: blobs go straight into the object
 * database (git_blob_create_from_workdir streams a file through the odb write stream when no
 * filter applies, and applies .gitattributes filters as `git add` does otherwise), and the tree
 * is made from the tip's tree, not from the index: each path's subtree is built from the files
 * on disk with tree builders and set into the tip's tree in place of the old one.
 */

#include "git/git.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "git/internal.h"
#include "util/gitattr.h"
#include "util/json.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define METRICS_MAX (8u << 20)

struct pub_file {
    char *rel;           /* path in the commit (owned) */
    char *abs;           /* path on disk (owned) */
    git_filemode_t mode; /* GIT_FILEMODE_COMMIT: a gitlink, oid is the commit it records */
    uint64_t size;
    bool is_lfs;
    struct repo_lfs_object lfs;
    git_oid oid; /* the blob (the pointer blob for LFS files) */
};

struct pub {
    struct repo *r;
    const struct repo_publish_opts *o;
    git_index *index;    /* the user's index, read only: tracked files are added even if ignored */
    struct vec files;    /* struct pub_file, sorted by rel after collection */
    struct vec roots;    /* char *: paths whose old content is replaced ("" is the whole tree) */
    struct sbuf metrics; /* "accuracy=0.9500 f1_macro=0.9400" or "" */
    char src_sha[GIT_OID_HEXSZ + 1];
};

static void logf_(const struct repo_publish_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_(const struct repo_publish_opts *o, const char *fmt, ...)
{
    if (!o->log)
        return;
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    o->log(sb.buf, o->log_payload);
    sbuf_release(&sb);
}

static void pub_release(struct pub *p)
{
    vec_foreach (struct pub_file, f, &p->files) {
        xfree(f->rel);
        xfree(f->abs);
    }
    vec_release(&p->files);
    vec_foreach (char *, s, &p->roots)
        xfree(*s);
    vec_release(&p->roots);
    sbuf_release(&p->metrics);
    git_index_free(p->index);
}

/* ---- collecting files ---- */

static int is_ignored(struct pub *p, const char *rel, bool is_dir, bool *out, struct err *err)
{
    *out = false;
    if (p->o->force_add)
        return 0;
    if (p->index && git_index_get_bypath(p->index, rel, 0))
        return 0; /* tracked files (and submodules) are published even when a pattern matches */
    struct sbuf sb = SBUF_INIT;
    sbuf_addstr(&sb, rel);
    if (is_dir)
        sbuf_addch(&sb, '/');
    int ign = 0;
    int rc = git_ignore_path_is_ignored(&ign, p->r->git, sb.buf);
    /* An ignored folder that holds tracked files is walked: its tracked files are published
     * (and its untracked ones left out, each being ignored), as `git add` does. */
    size_t pos;
    if (rc == 0 && ign && is_dir && p->index && git_index_find_prefix(&pos, p->index, sb.buf) == 0)
        ign = 0;
    sbuf_release(&sb);
    if (rc < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot check .gitignore for '%s'", rel);
    *out = ign != 0;
    return 0;
}

static int add_file(struct pub *p, const char *abs, const char *rel, const struct stat *st,
                    struct err *err)
{
    struct pub_file *f = vec_push(&p->files);
    f->rel = xstrdup(rel);
    f->abs = xstrdup(abs);
    f->size = (uint64_t)st->st_size;
    if (S_ISLNK(st->st_mode))
        f->mode = GIT_FILEMODE_LINK;
    else if (st->st_mode & S_IXUSR)
        f->mode = GIT_FILEMODE_BLOB_EXECUTABLE;
    else
        f->mode = GIT_FILEMODE_BLOB;
    uint64_t limit = p->o->lfs_threshold ? p->o->lfs_threshold : REPO_LFS_THRESHOLD_DEFAULT;
    if (S_ISREG(st->st_mode) && f->size > limit)
        f->is_lfs = true;
    return 0;
}

/*
 * A folder that `git add` records as one gitlink (mode 160000) instead of its files: a
 * repository of its own (a checked-out submodule, or an embedded repository, about which git
 * warns) recorded at its HEAD commit, or a submodule the index knows that is not checked out
 * (its recorded commit stays, as git leaves it). *added says whether the folder was one.
 */
static int add_gitlink(bool *added, struct pub *p, const char *abs, const char *rel,
                       struct err *err)
{
    *added = false;
    const git_index_entry *ie = p->index ? git_index_get_bypath(p->index, rel, 0) : NULL;
    bool submodule = ie && ie->mode == GIT_FILEMODE_COMMIT;
    struct sbuf dotgit = SBUF_INIT;
    sbuf_addf(&dotgit, "%s/.git", abs);
    struct stat st;
    bool nested = lstat(dotgit.buf, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode));
    sbuf_release(&dotgit);
    git_oid oid;
    if (nested) {
        git_repository *sub = NULL;
        /* a .git that is no repository leaves an ordinary folder, as for git */
        nested = git_repository_open_ext(&sub, abs, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0;
        int grc = nested ? git_reference_name_to_id(&oid, sub, "HEAD") : 0;
        git_repository_free(sub);
        if (grc < 0)
            return err_set(err, ERR_INVALID, "'%s/' does not have a commit checked out", rel);
    }
    if (!nested && !submodule)
        return 0;
    if (!nested)
        git_oid_cpy(&oid, &ie->id);
    else if (!submodule)
        logf_(p->o,
              "publish: '%s' is a git repository of its own; it is published as a gitlink to its "
              "HEAD, not as its files (as git add does)",
              rel);
    struct pub_file *f = vec_push(&p->files);
    f->rel = xstrdup(rel);
    f->abs = xstrdup(abs);
    f->mode = GIT_FILEMODE_COMMIT;
    git_oid_cpy(&f->oid, &oid);
    *added = true;
    return 0;
}

static int walk_dir(struct pub *p, const char *abs, const char *rel, unsigned depth,
                    struct err *err)
{
    DIR *d = NULL;
    struct sbuf cabs = SBUF_INIT;
    struct sbuf crel = SBUF_INIT;
    int rc = 0;
    if (depth > 256)
        return err_set(err, ERR_INVALID, "'%s' is nested too deeply", rel);
    d = opendir(abs);
    if (!d)
        return err_errno(err, "cannot read directory '%s'", abs);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, ".git"))
            continue;
        sbuf_reset(&cabs);
        sbuf_reset(&crel);
        sbuf_addf(&cabs, "%s/%s", abs, n);
        if (*rel)
            sbuf_addf(&crel, "%s/%s", rel, n);
        else
            sbuf_addstr(&crel, n);
        struct stat st;
        if (lstat(cabs.buf, &st) < 0) {
            rc = err_errno(err, "cannot stat '%s'", cabs.buf);
            goto done;
        }
        bool dir = S_ISDIR(st.st_mode);
        if (!dir && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
            continue; /* sockets, fifos, devices: git does not store them either */
        bool ign = false;
        rc = is_ignored(p, crel.buf, dir, &ign, err);
        if (rc)
            goto done;
        if (ign)
            continue;
        bool linked = false;
        if (dir)
            rc = add_gitlink(&linked, p, cabs.buf, crel.buf, err);
        if (!rc && dir && !linked)
            rc = walk_dir(p, cabs.buf, crel.buf, depth + 1, err);
        else if (!rc && !dir)
            rc = add_file(p, cabs.buf, crel.buf, &st, err);
        if (rc)
            goto done;
    }
done:
    closedir(d);
    sbuf_release(&cabs);
    sbuf_release(&crel);
    return rc;
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pub_file *)a)->rel, ((const struct pub_file *)b)->rel);
}

/*
 * Where an absolute, normalised path that is not textually inside the work tree wd (with its
 * trailing '/') reaches it through symbolic links: the first leading part whose real path is the
 * work tree, as git's abspath_part_inside_repo() looks for it. Returns the rest of abs (borrowed,
 * "" for the work tree itself) or NULL when abs is outside.
 */
static const char *inside_through_links(const char *abs, const char *wd)
{
    struct sbuf top = SBUF_INIT;
    sbuf_add(&top, wd, strlen(wd) - 1);
    struct sbuf prefix = SBUF_INIT;
    const char *found = NULL;
    for (const char *c = abs + 1;; c++) {
        if (*c != '/' && *c)
            continue;
        sbuf_reset(&prefix);
        sbuf_add(&prefix, abs, (size_t)(c - abs));
        char real[PATH_MAX];
        if (realpath(prefix.buf, real) && !strcmp(real, top.buf)) {
            found = *c ? c + 1 : c;
            break;
        }
        if (!*c)
            break;
    }
    sbuf_release(&prefix);
    sbuf_release(&top);
    return found;
}

/*
 * The path in the work tree that --path arg names ("" for the whole tree), into rel: relative to
 * the current directory, lexically normalised, as git's pathspec code reads it. Refused as git
 * refuses them: the empty string, a path outside the work tree, one inside .git, and one that
 * goes through a symbolic link inside the work tree (whose target git would never read).
 */
static int work_tree_path(struct sbuf *rel, struct pub *p, const char *cwd, const char *arg,
                          struct err *err)
{
    struct sbuf abs = SBUF_INIT;
    struct sbuf joined = SBUF_INIT;
    struct sbuf lead = SBUF_INIT;
    int rc = 0;
    if (!*arg)
        return err_set(err, ERR_INVALID,
                       "empty string is not a valid pathspec (use . for the whole working tree)");
    const char *wd = p->r->workdir;
    size_t wdlen = strlen(wd);
    path_join(&joined, cwd, arg);
    path_normalize(&abs, joined.buf);
    /* abs is "/..." without a trailing '/'; the work tree itself is wd minus its '/' */
    const char *r;
    if (abs.len + 1 == wdlen && !strncmp(abs.buf, wd, abs.len))
        r = "";
    else if (abs.len > wdlen && !strncmp(abs.buf, wd, wdlen))
        r = abs.buf + wdlen;
    else
        r = inside_through_links(abs.buf, wd);
    if (!r) {
        rc = err_set(err, ERR_INVALID, "'%s' is outside the repository at '%s'", arg, wd);
        goto done;
    }
    if (!strcmp(r, ".git") || str_has_prefix(r, ".git/")) {
        rc = err_set(err, ERR_INVALID, "'%s' is inside the .git directory", arg);
        goto done;
    }
    for (const char *slash = strchr(r, '/'); slash; slash = strchr(slash + 1, '/')) {
        sbuf_reset(&lead);
        sbuf_addstr(&lead, wd);
        sbuf_add(&lead, r, (size_t)(slash - r));
        struct stat st;
        if (lstat(lead.buf, &st) == 0 && S_ISLNK(st.st_mode)) {
            rc = err_set(err, ERR_INVALID, "pathspec '%s' is beyond a symbolic link", arg);
            goto done;
        }
        /* inside another repository: its files belong to it, the parent records a gitlink */
        const char *leadrel = lead.buf + strlen(wd);
        const git_index_entry *ie = p->index ? git_index_get_bypath(p->index, leadrel, 0) : NULL;
        if (ie && ie->mode == GIT_FILEMODE_COMMIT) {
            rc = err_set(err, ERR_INVALID, "pathspec '%s' is in submodule '%s'", arg, leadrel);
            goto done;
        }
        sbuf_addstr(&lead, "/.git");
        if (lstat(lead.buf, &st) == 0) {
            sbuf_setlen(&lead, lead.len - strlen("/.git"));
            rc = err_set(err, ERR_INVALID,
                         "pathspec '%s' is in the nested repository '%s' (publish '%s' to record "
                         "it as a gitlink)",
                         arg, leadrel, leadrel);
            goto done;
        }
    }
    sbuf_addstr(rel, r);
done:
    sbuf_release(&abs);
    sbuf_release(&joined);
    sbuf_release(&lead);
    return rc;
}

static int collect(struct pub *p, struct err *err)
{
    struct sbuf abs = SBUF_INIT;
    struct sbuf relbuf = SBUF_INIT;
    char cwd[PATH_MAX];
    int rc = 0;
    if (!getcwd(cwd, sizeof(cwd)))
        return err_errno(err, "cannot read the current directory");
    for (size_t i = 0; i < p->o->npaths; i++) {
        const char *arg = p->o->paths[i];
        sbuf_reset(&relbuf);
        rc = work_tree_path(&relbuf, p, cwd, arg, err);
        if (rc)
            goto done;
        const char *rel = relbuf.buf;
        sbuf_reset(&abs);
        sbuf_addf(&abs, "%s%s", p->r->workdir, rel);
        if (!*rel)
            sbuf_setlen(&abs, abs.len - 1); /* the work tree without its trailing '/' */
        *(char **)vec_push(&p->roots) = xstrdup(rel);
        struct stat st;
        if (lstat(abs.buf, &st) < 0) {
            if (errno == ENOENT)
                continue; /* deleted: its old content leaves the tree (checked against it) */
            rc = err_errno(err, "cannot stat '%s'", arg);
            goto done;
        }
        if (S_ISDIR(st.st_mode)) {
            bool linked = false;
            if (*rel)
                rc = add_gitlink(&linked, p, abs.buf, rel, err);
            if (!rc && !linked)
                rc = walk_dir(p, abs.buf, rel, 0, err);
        } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
            bool ign = false;
            rc = is_ignored(p, rel, false, &ign, err);
            if (!rc && ign)
                rc = err_set(err, ERR_INVALID,
                             "'%s' is ignored by .gitignore (use --force-add to publish it)", arg);
            if (!rc)
                rc = add_file(p, abs.buf, rel, &st, err);
        } else {
            rc = err_set(err, ERR_INVALID, "'%s' is not a file or folder", arg);
        }
        if (rc)
            goto done;
    }
    vec_sort(&p->files, file_cmp);
    /* drop duplicates (overlapping --path arguments) */
    size_t w = 0;
    for (size_t i = 0; i < p->files.len; i++) {
        struct pub_file *f = vec_at(&p->files, i);
        if (w > 0 && !strcmp(((struct pub_file *)vec_at(&p->files, w - 1))->rel, f->rel)) {
            xfree(f->rel);
            xfree(f->abs);
            continue;
        }
        if (w != i)
            *(struct pub_file *)vec_at(&p->files, w) = *f;
        w++;
    }
    p->files.len = w;
done:
    sbuf_release(&abs);
    sbuf_release(&relbuf);
    return rc;
}

/* ---- metrics summary ---- */

static void metrics_summary(struct pub *p)
{
    static const char *const keys[] = {"accuracy", "f1_macro",        "f1_weighted",
                                       "f1_micro", "precision_macro", "recall_macro"};
    const struct pub_file *best = NULL;
    vec_foreach (struct pub_file, f, &p->files) {
        if (!strcmp(path_basename(f->rel), "metrics.json") && !f->is_lfs &&
            f->mode != GIT_FILEMODE_COMMIT && (!best || strlen(f->rel) < strlen(best->rel)))
            best = f;
    }
    if (!best)
        return;
    cJSON *root = NULL;
    struct err jerr = ERR_INIT;
    if (json_load(&root, best->abs, METRICS_MAX, &jerr) || !cJSON_IsObject(root)) {
        logf_(p->o, "publish: '%s' is not a JSON object; no metrics in the message", best->rel);
        cJSON_Delete(root);
        return;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i]);
        if (cJSON_IsNumber(v))
            sbuf_addf(&p->metrics, "%s%s=%.4f", p->metrics.len ? " " : "", keys[i], v->valuedouble);
    }
    if (!p->metrics.len) {
        /* another schema: its top-level numbers, at most eight */
        unsigned n = 0;
        for (const cJSON *v = root->child; v && n < 8; v = v->next) {
            if (cJSON_IsNumber(v) && v->string) {
                sbuf_addf(&p->metrics, "%s%s=%.4g", n ? " " : "", v->string, v->valuedouble);
                n++;
            }
        }
    }
    cJSON_Delete(root);
}

/* ---- objects ---- */

/*
 * True when the file still holds what `base` has at its path: same size, then same hash
 * (computed with the same filters as the blob would be, but without compressing or writing).
 * Re-publishing an unchanged multi-gigabyte folder then costs one read of each file.
 */
static bool unchanged_in(git_oid *oid_out, struct pub *p, git_tree *base, struct pub_file *f)
{
    git_tree_entry *e = NULL;
    bool same = false;
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    git_odb *odb = NULL;
    if (!base || f->mode == GIT_FILEMODE_LINK || git_tree_entry_bypath(&e, base, f->rel) < 0)
        return false;
    if (git_tree_entry_filemode(e) == f->mode && git_repository_odb(&odb, p->r->git) == 0 &&
        git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) == 0 &&
        type == GIT_OBJECT_BLOB && (uint64_t)size == f->size &&
        git_repository_hashfile(oid_out, p->r->git, f->abs, GIT_OBJECT_BLOB, f->rel) == 0)
        same = git_oid_equal(oid_out, git_tree_entry_id(e));
    git_odb_free(odb);
    git_tree_entry_free(e);
    return same;
}

static int write_blobs(struct pub *p, git_tree *base, struct err *err)
{
    vec_foreach (struct pub_file, f, &p->files) {
        if (f->mode == GIT_FILEMODE_COMMIT)
            continue; /* a gitlink: the commit it records is known, nothing to store */
        if (f->is_lfs) {
            int rc = lfs_hash_file(&f->lfs, f->abs, err);
            if (rc)
                return rc;
            f->lfs.path = f->abs;
            f->lfs.relpath = f->rel;
            struct sbuf ptr = SBUF_INIT;
            lfs_pointer(&ptr, &f->lfs);
            int grc = git_blob_create_from_buffer(&f->oid, p->r->git, ptr.buf, ptr.len);
            sbuf_release(&ptr);
            if (grc < 0)
                return repo_fail(err, ERR_FAIL, NULL, "cannot store the pointer of '%s'", f->rel);
            continue;
        }
        if (unchanged_in(&f->oid, p, base, f))
            continue;
        if (git_blob_create_from_workdir(&f->oid, p->r->git, f->rel) < 0)
            return repo_fail(err, ERR_IO, NULL, "cannot store '%s'", f->rel);
    }
    return 0;
}

/* ---- trees ---- */

/*
 * The tree `base` (NULL: empty) with `path` set to the entry (oid, mode), or removed when oid is
 * NULL, into out; *empty tells whether the result has no entries. Whatever is in the way is
 * replaced, as git add replaces an index entry of another type: a folder by a file, a file or a
 * link by a folder, a gitlink by either. Folders left empty disappear, as git has no empty
 * trees. (git_tree_create_updated() refuses type changes and D/F conflicts.)
 */
static int tree_set(git_oid *out, bool *empty, git_repository *git, const git_oid *base,
                    const char *path, const git_oid *oid, git_filemode_t mode)
{
    git_tree *tree = NULL;
    git_treebuilder *tb = NULL;
    char *name = NULL;
    int grc = 0;
    if (base)
        grc = git_tree_lookup(&tree, git, base);
    if (grc == 0)
        grc = git_treebuilder_new(&tb, git, tree);
    if (grc < 0)
        goto done;
    const char *slash = strchr(path, '/');
    name = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(path);
    if (!slash) {
        if (oid)
            grc = git_treebuilder_insert(NULL, tb, name, oid, mode);
        else if (git_treebuilder_get(tb, name))
            grc = git_treebuilder_remove(tb, name);
    } else {
        const git_tree_entry *e = git_treebuilder_get(tb, name);
        bool is_tree = e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
        if (oid || is_tree) {
            git_oid sub;
            bool sub_empty = false;
            grc = tree_set(&sub, &sub_empty, git, is_tree ? git_tree_entry_id(e) : NULL, slash + 1,
                           oid, mode);
            if (grc == 0 && sub_empty && e)
                grc = git_treebuilder_remove(tb, name);
            else if (grc == 0 && !sub_empty)
                grc = git_treebuilder_insert(NULL, tb, name, &sub, GIT_FILEMODE_TREE);
        }
    }
    if (grc == 0) {
        *empty = git_treebuilder_entrycount(tb) == 0;
        grc = git_treebuilder_write(out, tb);
    }
done:
    xfree(name);
    git_treebuilder_free(tb);
    git_tree_free(tree);
    return grc;
}

/*
 * The tree of the files [*i, end) of p->files whose paths all start with the folder prefix
 * (dirlen bytes, "" or "a/b/"), into out; *i ends past them. The files are sorted by path, so
 * those of one subfolder are next to each other.
 */
static int tree_of_files(git_oid *out, struct pub *p, size_t *i, size_t end, const char *prefix,
                         size_t dirlen)
{
    git_treebuilder *tb = NULL;
    struct sbuf sub = SBUF_INIT;
    int grc = git_treebuilder_new(&tb, p->r->git, NULL);
    while (grc == 0 && *i < end) {
        const struct pub_file *f = vec_at(&p->files, *i);
        if (strncmp(f->rel, prefix, dirlen))
            break; /* past this folder */
        const char *name = f->rel + dirlen;
        const char *slash = strchr(name, '/');
        if (!slash) {
            grc = git_treebuilder_insert(NULL, tb, name, &f->oid, f->mode);
            (*i)++;
            continue;
        }
        sbuf_reset(&sub);
        sbuf_add(&sub, f->rel, (size_t)(slash - f->rel) + 1);
        git_oid tree;
        grc = tree_of_files(&tree, p, i, end, sub.buf, sub.len);
        if (grc == 0) {
            sbuf_setlen(&sub, sub.len - 1);
            grc = git_treebuilder_insert(NULL, tb, sub.buf + dirlen, &tree, GIT_FILEMODE_TREE);
        }
    }
    if (grc == 0)
        grc = git_treebuilder_write(out, tb);
    git_treebuilder_free(tb);
    sbuf_release(&sub);
    return grc;
}

/* The files at root or under root/ as [*lo, *hi) of the sorted p->files. */
static void files_under(size_t *lo, size_t *hi, const struct pub *p, const char *root)
{
    size_t n = strlen(root);
    *lo = 0;
    while (*lo < p->files.len) {
        const struct pub_file *f = vec_at(&p->files, *lo);
        if (!strncmp(f->rel, root, n) && (f->rel[n] == '/' || !f->rel[n]))
            break;
        (*lo)++;
    }
    *hi = *lo;
    while (*hi < p->files.len) {
        const struct pub_file *f = vec_at(&p->files, *hi);
        if (strncmp(f->rel, root, n) || (f->rel[n] != '/' && f->rel[n]))
            break;
        (*hi)++;
    }
}

#define LFS_ATTRS " filter=lfs diff=lfs merge=lfs -text"

/* True when the published files have `path` as an LFS file. */
static bool is_lfs_file(const struct pub *p, const char *path)
{
    vec_foreach (const struct pub_file, f, &p->files) {
        if (f->is_lfs && !strcmp(f->rel, path))
            return true;
    }
    return false;
}

/* True when path lies at or under one of the published roots. */
static bool under_roots(const struct pub *p, const char *path)
{
    vec_foreach (char *, root, &p->roots) {
        if (!**root || path_within(path, *root))
            return true;
    }
    return false;
}

/*
 * Brings the LFS lines of the tree's root .gitattributes up to date: one
 * "/<path> filter=lfs diff=lfs merge=lfs -text" line per LFS file, the path escaped as
 * `git lfs track --filename` escapes it, and no such line left for a published path that is no
 * LFS file any more (it shrank under the threshold, or is gone): `git check-attr filter` then
 * names exactly the LFS files. Other lines are kept as they are.
 */
static int lfs_attributes(git_oid *tree_oid, struct pub *p, struct err *err)
{
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    git_blob *blob = NULL;
    struct sbuf old = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    struct sbuf line = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    int rc = 0;
    if (git_tree_lookup(&tree, p->r->git, tree_oid) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the new tree");
        goto done;
    }
    if (git_tree_entry_bypath(&e, tree, ".gitattributes") == 0 &&
        git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
        git_blob_lookup(&blob, p->r->git, git_tree_entry_id(e)) == 0)
        sbuf_add(&old, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));

    /* the old lines, less the LFS lines of published paths that are no LFS file now */
    for (const char *l = old.buf; l < old.buf + old.len;) {
        const char *nl = memchr(l, '\n', (size_t)(old.buf + old.len - l));
        size_t n = nl ? (size_t)(nl - l) : (size_t)(old.buf + old.len - l);
        sbuf_reset(&line);
        sbuf_add(&line, l, n);
        l += n + (nl ? 1 : 0);
        bool drop = false;
        if (line.len > 1 && line.buf[0] == '/' && sbuf_ends_with(&line, LFS_ATTRS)) {
            sbuf_setlen(&line, line.len - strlen(LFS_ATTRS));
            sbuf_reset(&path);
            drop = gitattr_unescape_path(&path, line.buf + 1) && under_roots(p, path.buf) &&
                   !is_lfs_file(p, path.buf);
            sbuf_add(&line, LFS_ATTRS, strlen(LFS_ATTRS));
        }
        if (!drop)
            sbuf_addf(&text, "%s%s", line.buf, nl ? "\n" : "");
    }
    vec_foreach (struct pub_file, f, &p->files) {
        if (!f->is_lfs)
            continue;
        sbuf_reset(&line);
        sbuf_addch(&line, '/');
        gitattr_escape_path(&line, f->rel);
        sbuf_addstr(&line, LFS_ATTRS);
        /* already there as a whole line? */
        bool present = false;
        for (const char *hit = text.buf; (hit = strstr(hit, line.buf)); hit++) {
            if ((hit == text.buf || hit[-1] == '\n') &&
                (hit[line.len] == '\n' || hit[line.len] == '\0')) {
                present = true;
                break;
            }
        }
        if (present)
            continue;
        if (text.len && text.buf[text.len - 1] != '\n')
            sbuf_addch(&text, '\n');
        sbuf_addf(&text, "%s\n", line.buf);
    }
    if (text.len != old.len || memcmp(text.buf, old.buf, old.len)) {
        git_oid blob_oid;
        if (git_blob_create_from_buffer(&blob_oid, p->r->git, text.buf, text.len) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot store .gitattributes");
            goto done;
        }
        bool empty = false;
        git_oid base_oid;
        git_oid_cpy(&base_oid, tree_oid);
        if (tree_set(tree_oid, &empty, p->r->git, &base_oid, ".gitattributes", &blob_oid,
                     GIT_FILEMODE_BLOB) < 0)
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot write the tree");
    }
done:
    git_blob_free(blob);
    git_tree_entry_free(e);
    git_tree_free(tree);
    sbuf_release(&old);
    sbuf_release(&text);
    sbuf_release(&line);
    sbuf_release(&path);
    return rc;
}

/* True when root lies inside another of the roots (or repeats an earlier one). */
static bool root_covered(const struct pub *p, size_t k)
{
    const char *root = *(char **)vec_at(&p->roots, k);
    for (size_t j = 0; j < p->roots.len; j++) {
        const char *other = *(char **)vec_at(&p->roots, j);
        size_t n = strlen(other);
        if (j == k || strncmp(root, other, n))
            continue;
        if (!*other || root[n] == '/' || (!root[n] && j < k))
            return true;
    }
    return false;
}

/* The tree of `base` with the subtree (or file) at every root replaced by the files under it. */
static int replace_roots(git_oid *out, struct pub *p, git_tree *base, struct err *err)
{
    git_oid cur;
    git_oid_cpy(&cur, git_tree_id(base));
    for (size_t k = 0; k < p->roots.len; k++) {
        if (root_covered(p, k))
            continue;
        const char *root = *(char **)vec_at(&p->roots, k);
        size_t lo;
        size_t hi;
        files_under(&lo, &hi, p, root);
        const struct pub_file *first = lo < hi ? vec_at(&p->files, lo) : NULL;
        git_oid entry;
        git_filemode_t mode = GIT_FILEMODE_TREE;
        const git_oid *set = NULL; /* NULL: nothing on disk, the root leaves the tree */
        int grc = 0;
        if (first && !strcmp(first->rel, root)) {
            set = &first->oid; /* the root is one file, link or gitlink */
            mode = first->mode;
        } else if (first) {
            struct sbuf prefix = SBUF_INIT;
            sbuf_addf(&prefix, "%s/", root);
            size_t i = lo;
            grc = tree_of_files(&entry, p, &i, hi, prefix.buf, prefix.len);
            sbuf_release(&prefix);
            set = &entry;
        }
        bool empty = false;
        if (grc == 0)
            grc = tree_set(&cur, &empty, p->r->git, &cur, root, set, mode);
        if (grc < 0)
            return repo_fail(err, ERR_FAIL, NULL, "cannot write the tree of '%s'", root);
    }
    git_oid_cpy(out, &cur);
    return 0;
}

/*
 * The tree of `base` (may be NULL) with every root replaced by the collected files under it:
 * what `git add -A <roots>` would leave in an index that held `base`.
 */
static int build_tree(git_oid *out, struct pub *p, git_tree *base, struct err *err)
{
    git_tree_entry *e = NULL;
    int rc = 0;

    /* A path that exists neither on disk nor in the tip is a mistake, as in `git add`. */
    vec_foreach (char *, root, &p->roots) {
        if (!**root)
            continue;
        size_t lo;
        size_t hi;
        files_under(&lo, &hi, p, *root);
        struct stat st;
        struct sbuf abs = SBUF_INIT;
        sbuf_addf(&abs, "%s%s", p->r->workdir, *root);
        bool exists = lstat(abs.buf, &st) == 0;
        sbuf_release(&abs);
        git_tree_entry_free(e);
        e = NULL;
        if (lo == hi && !exists && (!base || git_tree_entry_bypath(&e, base, *root) < 0)) {
            rc = err_set(err, ERR_INVALID, "pathspec '%s' did not match any files", *root);
            goto done;
        }
    }

    bool whole = false;
    vec_foreach (char *, root, &p->roots)
        whole = whole || !**root;
    size_t i = 0;
    if (whole || !base) {
        /* the collected files are all there is: "." was published, or a new orphan branch */
        if (tree_of_files(out, p, &i, p->files.len, "", 0) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot write the tree");
            goto done;
        }
    } else {
        rc = replace_roots(out, p, base, err);
        if (rc)
            goto done;
    }
    rc = lfs_attributes(out, p, err);
done:
    git_tree_entry_free(e);
    return rc;
}

/* ---- message, signature, tag ---- */

static void trailer(struct sbuf *out, const char *key, const char *value)
{
    if (value && *value)
        sbuf_addf(out, "%s: %s\n", key, value);
}

static void compose_message(struct sbuf *out, const struct pub *p)
{
    const struct repo_publish_opts *o = p->o;
    const struct repo_provenance *pv = o->prov;
    struct sbuf subject = SBUF_INIT;
    const char *body = NULL;
    if (o->message && *o->message) {
        const char *nl = strchr(o->message, '\n');
        sbuf_add(&subject, o->message, nl ? (size_t)(nl - o->message) : strlen(o->message));
        body = nl ? nl + 1 : NULL;
    } else {
        sbuf_addf(&subject, "publish %s", o->branch);
        if (pv && pv->run_number)
            sbuf_addf(&subject, " (run %s)", pv->run_number);
    }
    sbuf_add(out, subject.buf, subject.len);
    if (!o->no_skip_ci && !strstr(o->message ? o->message : "", "[skip ci]"))
        sbuf_addstr(out, " [skip ci]");
    sbuf_addstr(out, "\n\n");
    if (body) {
        while (*body == '\n')
            body++;
        if (*body) {
            sbuf_addstr(out, body);
            sbuf_rtrim(out);
            sbuf_addstr(out, "\n\n");
        }
    }
    trailer(out, "Source-Commit", p->src_sha);
    if (pv) {
        trailer(out, "Source-Ref", pv->ref);
        trailer(out, "Source-Repository", pv->repository);
        trailer(out, "Workflow", pv->workflow);
        trailer(out, "Run-Id", pv->run_id);
        trailer(out, "Run-Number", pv->run_number);
        trailer(out, "Job", pv->job);
    }
    trailer(out, "Metrics", p->metrics.buf);
    sbuf_addstr(out, "Published-By: runnel " RUNNEL_VERSION "\n");
    sbuf_release(&subject);
}

static int make_signature(git_signature **out, git_repository *git, struct err *err)
{
    if (git_signature_default(out, git) == 0)
        return 0;
    /* no user.name/user.email configured: the identity GitHub's own workflows commit with */
    const char *name = "runnel";
    const char *email = "runnel@localhost";
    if (getenv("GITHUB_ACTIONS")) {
        name = "github-actions[bot]";
        email = "41898282+github-actions[bot]@users.noreply.github.com";
    }
    if (git_signature_now(out, name, email) < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot make a signature");
    return 0;
}

static int expand_tag(struct sbuf *out, const struct pub *p, struct err *err)
{
    const struct repo_provenance *pv = p->o->prov;
    for (const char *c = p->o->tag; *c;) {
        const char *var = NULL;
        const char *val = NULL;
        size_t vlen = 0;
        if (str_has_prefix(c, "{run_number}")) {
            var = "run_number";
            val = pv ? pv->run_number : NULL;
        } else if (str_has_prefix(c, "{run_id}")) {
            var = "run_id";
            val = pv ? pv->run_id : NULL;
        } else if (str_has_prefix(c, "{sha}")) {
            var = "sha";
            val = *p->src_sha ? p->src_sha : NULL;
            vlen = 7;
        }
        if (!var) {
            sbuf_addch(out, *c++);
            continue;
        }
        if (!val)
            return err_set(err, ERR_INVALID,
                           "tag '%s' uses {%s}, which is not known here "
                           "(GITHUB_RUN_NUMBER, GITHUB_RUN_ID or a source commit)",
                           p->o->tag, var);
        sbuf_add(out, val, vlen && strlen(val) > vlen ? vlen : strlen(val));
        c += strlen(var) + 2;
    }
    struct sbuf ref = SBUF_INIT;
    sbuf_addf(&ref, "refs/tags/%s", out->buf);
    int valid = 0;
    git_reference_name_is_valid(&valid, ref.buf);
    sbuf_release(&ref);
    if (!valid)
        return err_set(err, ERR_INVALID, "'%s' is not a valid tag name", out->buf);
    return 0;
}

/* ---- the publish loop ---- */

static void backoff(unsigned attempt)
{
    /* jittered, growing pause so two racing publishers do not collide in lock step */
    static unsigned seed;
    if (!seed)
        seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    unsigned cap = 40u * (attempt < 6 ? attempt : 6);
    unsigned ms = 10 + (unsigned)(rand_r(&seed) % cap);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int store_lfs(struct pub *p, const struct remote_target *t, struct err *err)
{
    vec_foreach (struct pub_file, f, &p->files) {
        if (!f->is_lfs)
            continue;
        int rc;
        if (t->kind == REMOTE_NONE) {
            rc = lfs_store(p->r->commondir, &f->lfs, err);
        } else if (t->kind == REMOTE_PATH) {
            git_repository *dst = NULL;
            if (git_repository_open_ext(&dst, t->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
                return repo_fail(err, ERR_FAIL, NULL, "cannot open '%s'", t->path);
            struct sbuf gd = SBUF_INIT;
            sbuf_addstr(&gd, git_repository_commondir(dst));
            if (!sbuf_ends_with(&gd, "/"))
                sbuf_addch(&gd, '/');
            git_repository_free(dst);
            rc = lfs_store(gd.buf, &f->lfs, err);
            sbuf_release(&gd);
        } else {
            rc = p->o->lfs_upload(&f->lfs, t->url, t->token, p->o->lfs_payload, err);
        }
        if (rc) {
            err_prefix(err, "large file '%s': ", f->rel);
            return rc;
        }
    }
    return 0;
}

static int check_options(const struct repo_publish_opts *o, struct repo *r, struct err *err)
{
    if (!o->branch || !*o->branch)
        return err_set(err, ERR_INVALID, "publish needs a branch");
    struct sbuf ref = SBUF_INIT;
    sbuf_addf(&ref, "refs/heads/%s", o->branch);
    int valid = 0;
    git_reference_name_is_valid(&valid, ref.buf);
    sbuf_release(&ref);
    /* git's branch-name rules (git check-ref-format --branch, strbuf_check_branch_ref): a valid
     * refs/heads/<name> that does not start with '-' and is not HEAD */
    if (!valid || o->branch[0] == '-' || !strcmp(o->branch, "HEAD"))
        return err_set(err, ERR_INVALID, "'%s' is not a valid branch name", o->branch);
    if (!o->npaths)
        return err_set(err, ERR_INVALID, "publish needs at least one path");
    if (!r->workdir)
        return err_set(err, ERR_INVALID, "publish needs a repository with a working tree");
    return 0;
}

/* Writes the annotated tag object of a version (not its ref): its message names the branch and
 * the version's metrics. */
static int make_tag(git_oid *out, git_repository *git, const char *name, const git_oid *commit,
                    const char *branch, const struct pub *p, const git_signature *sig,
                    struct err *err)
{
    git_object *target = NULL;
    struct sbuf tmsg = SBUF_INIT;
    sbuf_addf(&tmsg, "%s version of %s\n", name, branch);
    if (p->metrics.len)
        sbuf_addf(&tmsg, "\nMetrics: %s\n", p->metrics.buf);
    int grc = git_object_lookup(&target, git, commit, GIT_OBJECT_COMMIT);
    if (grc == 0)
        grc = git_tag_annotation_create(out, git, name, target, sig, tmsg.buf);
    git_object_free(target);
    sbuf_release(&tmsg);
    if (grc < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot write tag '%s'", name);
    return 0;
}

int repo_publish(struct repo *r, const struct repo_publish_opts *o, struct repo_publish_result *res,
                 struct err *err)
{
    struct pub p = {.r = r,
                    .o = o,
                    .files = VEC_INIT(struct pub_file),
                    .roots = VEC_INIT(char *),
                    .metrics = SBUF_INIT};
    struct remote_target t = {0};
    struct remote_state st = {.refs = VEC_INIT(struct remote_ref)};
    struct sbuf msg = SBUF_INIT;
    struct sbuf tag = SBUF_INIT;
    struct sbuf want = SBUF_INIT;
    git_signature *sig = NULL;
    git_commit *parent = NULL;
    git_tree *base = NULL;
    git_tree *tree = NULL;
    git_commit *head = NULL;
    int rc = 0;
    *res = (struct repo_publish_result){0};

    rc = check_options(o, r, err);
    if (rc)
        goto done;
    rc = remote_resolve(&t, r, o->remote, o->token, err);
    if (rc)
        goto done;
    if (t.display)
        snprintf(res->remote, sizeof(res->remote), "%s", t.display);
    if (t.kind == REMOTE_NONE) {
        /* Moving a branch under a worktree that has it checked out would leave that worktree
         * stale; git branch -f refuses it in every worktree, not only this one. */
        struct sbuf name = SBUF_INIT;
        struct sbuf where = SBUF_INIT;
        sbuf_addf(&name, "refs/heads/%s", o->branch);
        bool out = repo_checked_out_in(&where, r->git, name.buf);
        struct sbuf here = SBUF_INIT;
        sbuf_add(&here, r->workdir, strlen(r->workdir) - 1);
        if (out && !strcmp(where.buf, here.buf))
            rc = err_set(err, ERR_INVALID,
                         "branch '%s' is the current branch; publish to another branch", o->branch);
        else if (out)
            rc = err_set(err, ERR_INVALID,
                         "branch '%s' is checked out at '%s'; publish to another branch", o->branch,
                         where.buf);
        sbuf_release(&name);
        sbuf_release(&where);
        sbuf_release(&here);
        if (rc)
            goto done;
    }

    if (git_repository_index(&p.index, r->git) < 0)
        p.index = NULL; /* no index: nothing is tracked */
    rc = collect(&p, err);
    if (rc)
        goto done;
    vec_foreach (struct pub_file, f, &p.files) {
        if (!f->is_lfs)
            continue;
        res->nlfs++;
        if (t.kind == REMOTE_NETWORK && !o->lfs_upload) {
            rc = err_set(err, ERR_INVALID,
                         "'%s' is %llu bytes, over the large-file threshold of %llu bytes; it "
                         "would go to Git LFS, but this build cannot upload LFS objects to '%s' "
                         "(raise --lfs-threshold, or store the file elsewhere)",
                         f->rel, (unsigned long long)f->size,
                         (unsigned long long)(o->lfs_threshold ? o->lfs_threshold
                                                               : REPO_LFS_THRESHOLD_DEFAULT),
                         t.display);
            goto done;
        }
    }
    res->nfiles = p.files.len;
    metrics_summary(&p);

    git_oid head_oid;
    if (o->prov && o->prov->sha)
        snprintf(p.src_sha, sizeof(p.src_sha), "%s", o->prov->sha);
    else if (git_reference_name_to_id(&head_oid, r->git, "HEAD") == 0)
        git_oid_tostr(p.src_sha, sizeof(p.src_sha), &head_oid);
    if (o->tag) {
        rc = expand_tag(&tag, &p, err);
        if (rc)
            goto done;
        snprintf(res->tag, sizeof(res->tag), "%s", tag.buf);
    }

    compose_message(&msg, &p);
    rc = make_signature(&sig, r->git, err);
    if (rc)
        goto done;

    sbuf_addf(&want, "refs/heads/%s", o->branch);
    const char *wants[1] = {want.buf};
    unsigned max = o->max_attempts ? o->max_attempts : REPO_PUBLISH_ATTEMPTS_DEFAULT;
    bool lfs_stored = false;
    bool blobs_written = false;
    for (unsigned attempt = 1;; attempt++) {
        remote_state_release(&st);
        rc = remote_state_load(&st, r, &t, o->branch, wants, 1, err);
        if (rc)
            goto done;
        /* An existing tag is refused before anything is pushed, unless it names the tip and the
         * paths are unchanged: then it is this version's tag from an earlier run. */
        const struct remote_ref *old_tag = NULL;
        if (tag.len) {
            struct sbuf tname = SBUF_INIT;
            sbuf_addf(&tname, "refs/tags/%s", tag.buf);
            old_tag = remote_state_find(&st, tname.buf);
            sbuf_release(&tname);
            if (old_tag && !(st.has_tip && git_oid_equal(&old_tag->peeled, &st.tip))) {
                rc = err_set(err, ERR_INVALID, "tag '%s' already exists in '%s'", tag.buf,
                             t.display ? t.display : "the local repository");
                goto done;
            }
        }

        git_commit_free(parent);
        git_tree_free(base);
        parent = NULL;
        base = NULL;
        if (st.has_tip) {
            if (git_commit_lookup(&parent, r->git, &st.tip) < 0) {
                rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the tip of '%s'", o->branch);
                goto done;
            }
        } else if (!o->orphan && git_reference_name_to_id(&head_oid, r->git, "HEAD") == 0) {
            if (git_commit_lookup(&parent, r->git, &head_oid) < 0) {
                rc = repo_fail(err, ERR_FAIL, NULL, "cannot read HEAD");
                goto done;
            }
        }
        if (parent && git_commit_tree(&base, parent) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the tree of '%s'", o->branch);
            goto done;
        }

        if (!blobs_written) {
            /* once: a rebuild after a race reuses them */
            rc = write_blobs(&p, base, err);
            if (rc)
                goto done;
            blobs_written = true;
        }
        git_oid tree_oid;
        rc = build_tree(&tree_oid, &p, base, err);
        if (rc)
            goto done;
        if (st.has_tip && git_oid_equal(&tree_oid, git_tree_id(base)) && tag.len && !old_tag) {
            /* Nothing changed, but this run's version wants its tag: the tip holds exactly
             * these paths, so the tag goes on the tip (as `hub upload --tag` does), pushed with
             * the branch left where it is. A race moves the tip: build again. */
            git_oid tag_oid;
            rc = make_tag(&tag_oid, r->git, tag.buf, &st.tip, o->branch, &p, sig, err);
            if (rc)
                goto done;
            struct push_request req = {.branch = o->branch,
                                       .old = &st.tip,
                                       .commit = &st.tip,
                                       .tag = tag.buf,
                                       .tag_oid = &tag_oid};
            enum push_outcome outcome = PUSH_OK;
            rc = remote_push(&outcome, r, &t, &st, &req, err);
            if (rc)
                goto done;
            if (outcome != PUSH_OK) {
                if (attempt >= max) {
                    rc = err_set(err, ERR_FAIL,
                                 "gave up after %u attempts: branch '%s' kept moving under us",
                                 attempt, o->branch);
                    goto done;
                }
                backoff(attempt);
                continue;
            }
            git_oid_tostr(res->commit, sizeof(res->commit), &st.tip);
            res->changed = false;
            res->tagged_tip = true;
            res->attempts = attempt;
            logf_(o, "publish: nothing changed on '%s' since %.7s; no commit, tag '%s' put on it",
                  o->branch, res->commit, tag.buf);
            goto done;
        }
        if (st.has_tip && git_oid_equal(&tree_oid, git_tree_id(base))) {
            git_oid_tostr(res->commit, sizeof(res->commit), &st.tip);
            res->changed = false;
            res->attempts = attempt;
            logf_(o, "publish: nothing changed on '%s' since %.7s; no commit%s%s%s", o->branch,
                  res->commit, old_tag ? " (tag '" : "", old_tag ? tag.buf : "",
                  old_tag ? "' is on it already)" : "");
            goto done;
        }
        if (old_tag) {
            rc = err_set(err, ERR_INVALID, "tag '%s' already exists in '%s'", tag.buf,
                         t.display ? t.display : "the local repository");
            goto done;
        }
        if (!lfs_stored) {
            rc = store_lfs(&p, &t, err);
            if (rc)
                goto done;
            lfs_stored = true;
        }

        git_tree_free(tree);
        tree = NULL;
        git_oid commit_oid;
        const git_commit *parents[1] = {parent};
        if (git_tree_lookup(&tree, r->git, &tree_oid) < 0 ||
            git_commit_create(&commit_oid, r->git, NULL, sig, sig, NULL, msg.buf, tree,
                              parent ? 1 : 0, parents) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot write the commit");
            goto done;
        }
        git_oid tag_oid;
        if (tag.len) {
            rc = make_tag(&tag_oid, r->git, tag.buf, &commit_oid, o->branch, &p, sig, err);
            if (rc)
                goto done;
        }

        struct push_request req = {.branch = o->branch,
                                   .old = st.has_tip ? &st.tip : NULL,
                                   .commit = &commit_oid,
                                   .tag = tag.len ? tag.buf : NULL,
                                   .tag_oid = tag.len ? &tag_oid : NULL};
        enum push_outcome outcome = PUSH_OK;
        rc = remote_push(&outcome, r, &t, &st, &req, err);
        if (rc)
            goto done;
        if (outcome == PUSH_OK) {
            git_oid_tostr(res->commit, sizeof(res->commit), &commit_oid);
            res->changed = true;
            res->attempts = attempt;
            logf_(o, "publish: %.7s on '%s'%s%s (%zu file%s%s)", res->commit, o->branch,
                  t.display ? " pushed to " : "", t.display ? t.display : "", p.files.len,
                  p.files.len == 1 ? "" : "s", attempt > 1 ? ", after a race" : "");
            goto done;
        }
        if (attempt >= max) {
            rc = err_set(err, ERR_FAIL,
                         "gave up after %u attempts: branch '%s' kept moving under us", attempt,
                         o->branch);
            goto done;
        }
        logf_(o, "publish: '%s' moved while pushing; rebuilding on the new tip (attempt %u of %u)",
              o->branch, attempt + 1, max);
        backoff(attempt);
    }
done:
    git_commit_free(head);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
    git_signature_free(sig);
    remote_state_release(&st);
    remote_target_release(&t);
    pub_release(&p);
    sbuf_release(&msg);
    sbuf_release(&tag);
    sbuf_release(&want);
    return rc;
}
