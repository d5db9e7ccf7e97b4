#include "actions/actions.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions/internal.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

/*
 * The artifact store of a run: <run_dir>/artifacts/<name>/<files as uploaded>. A directory per
 * artifact keeps `runnel artifacts extract` a plain copy; retention is not modelled.
 */

static void artifacts_dir(struct sbuf *out, const char *run_dir)
{
    sbuf_addf(out, "%s/artifacts", run_dir);
}

/* upload-artifact v4's rule for names: none of " : < > | * ? \r \n \ / */
int actions_artifact_name_check(const char *name, struct err *err)
{
    if (!name || !*name)
        return err_set(err, ERR_INVALID, "artifact name is empty");
    for (const char *p = name; *p; p++) {
        if (strchr("\":<>|*?\r\n\\/", *p))
            return err_set(err, ERR_INVALID,
                           "the artifact name '%s' is not valid: it contains '%c' (not allowed: "
                           "\" : < > | * ? \\r \\n \\ /)",
                           name, *p == '\r' || *p == '\n' ? ' ' : *p);
    }
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return err_set(err, ERR_INVALID, "the artifact name '%s' is not valid", name);
    return 0;
}

static int sum_tree(const char *dir, uint64_t *files, uint64_t *bytes, int depth)
{
    if (depth > 256)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    struct sbuf p = SBUF_INIT;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p.buf, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            sum_tree(p.buf, files, bytes, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            (*files)++;
            *bytes += (uint64_t)st.st_size;
        }
    }
    closedir(d);
    sbuf_release(&p);
    return 0;
}

static int cmp_info(const void *a, const void *b)
{
    const struct actions_artifact_info *x = a;
    const struct actions_artifact_info *y = b;
    return strcmp(x->name, y->name);
}

int actions_artifacts_list(struct vec *out, const char *run_dir, struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf p = SBUF_INIT;
    artifacts_dir(&dir, run_dir);
    DIR *d = opendir(dir.buf);
    if (!d) {
        int rc = fs_is_dir(run_dir) ? 0 : err_errno(err, "cannot read run directory '%s'", run_dir);
        sbuf_release(&dir);
        return rc;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s", dir.buf, de->d_name);
        if (!fs_is_dir(p.buf))
            continue;
        struct actions_artifact_info *i = vec_push(out);
        i->name = xstrdup(de->d_name);
        sum_tree(p.buf, &i->files, &i->bytes, 0);
    }
    closedir(d);
    vec_sort(out, cmp_info);
    sbuf_release(&dir);
    sbuf_release(&p);
    return 0;
}

void actions_artifacts_list_release(struct vec *list)
{
    vec_foreach (struct actions_artifact_info, i, list)
        xfree(i->name);
    vec_release(list);
}

/* Copies every regular file below src into dst, keeping relative paths. */
/*
 * With bases (NULL-terminated; a sandboxed job's workspace, home and temp folder), to must lie in
 * one of them and be reached through no link leading out of it.
 */
static bool write_allowed(const char *const *bases, const char *to)
{
    for (size_t i = 0; bases[i]; i++) {
        if (path_within(to, bases[i]))
            return !fs_through_link(bases[i], to);
    }
    return false;
}

static int copy_tree(const char *src, const char *dst, const char *const *guard, struct err *err)
{
    struct vec files = VEC_INIT(struct actions_file);
    struct sbuf to = SBUF_INIT;
    const char *pat[] = {src};
    struct actions_match_opts mo = {
        .workspace = "/", .patterns = pat, .npatterns = 1, .include_hidden = true};
    int rc = actions_match(&files, NULL, &mo, err);
    size_t sl = strlen(src);
    vec_foreach (struct actions_file, f, &files) {
        if (rc < 0)
            break;
        if (f->kind != ACTIONS_FILE_REG)
            continue;
        sbuf_reset(&to);
        path_join(&to, dst, f->abs + sl + 1);
        struct stat lst;
        if (guard && !write_allowed(guard, to.buf)) {
            rc = err_set(err, ERR_FAIL,
                         "cannot write '%s': it is outside the job's folders, or a folder on its "
                         "way is a symbolic link",
                         to.buf);
            break;
        }
        if (guard && lstat(to.buf, &lst) == 0 && S_ISLNK(lst.st_mode))
            unlink(to.buf);
        rc = actions_copy_file(f->abs, to.buf, err);
    }
    if (rc == 0)
        rc = fs_mkdirs(dst, 0755, err);
    actions_match_release(&files);
    sbuf_release(&to);
    return rc;
}

int actions_artifact_extract(const char *run_dir, const char *name, const char *dest,
                             const char *const *guard, struct err *err)
{
    struct sbuf src = SBUF_INIT;
    int rc = actions_artifact_name_check(name, err);
    if (rc < 0)
        return rc;
    artifacts_dir(&src, run_dir);
    sbuf_addf(&src, "/%s", name);
    if (!fs_is_dir(src.buf)) {
        rc = err_set(err, ERR_NOTFOUND, "artifact '%s' not found in '%s'", name, run_dir);
    } else {
        rc = copy_tree(src.buf, dest, guard, err);
    }
    sbuf_release(&src);
    return rc;
}

/* Stores the matched files of an upload under <run_dir>/artifacts/<name>. */
int actions_artifact_store(const struct actions_artifact_store_opts *o, struct err *err)
{
    const char *run_dir = o->run_dir;
    const char *name = o->name;
    const struct vec *files = o->files;
    const char *root = o->root;
    bool overwrite = o->overwrite;
    struct sbuf dir = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    struct sbuf final = SBUF_INIT;
    struct sbuf to = SBUF_INIT;
    struct err ignored = ERR_INIT;
    int rc;

    artifacts_dir(&dir, run_dir);
    rc = fs_mkdirs(dir.buf, 0755, err);
    if (rc < 0)
        goto done;
    sbuf_addf(&final, "%s/%s", dir.buf, name);
    if (fs_is_dir(final.buf) && !overwrite) {
        rc = err_set(err, ERR_FAIL,
                     "failed to create artifact '%s': an artifact with this name already exists "
                     "in this run (set overwrite: true to replace it)",
                     name);
        goto done;
    }
    sbuf_addf(&to, "%s/.tmp-XXXXXX", dir.buf);
    rc = fs_mkdtemp(&tmp, to.buf, err);
    if (rc < 0)
        goto done;
    size_t rl = strlen(root);
    vec_foreach (const struct actions_file, f, files) {
        if (f->kind != ACTIONS_FILE_REG && f->kind != ACTIONS_FILE_LINK)
            continue;
        const char *rel = f->abs;
        if (!strncmp(f->abs, root, rl) && f->abs[rl] == '/')
            rel = f->abs + rl + 1;
        else if (rl == 1 && root[0] == '/')
            rel = f->abs + 1;
        sbuf_reset(&to);
        path_join(&to, tmp.buf, rel);
        if (f->kind == ACTIONS_FILE_LINK && !fs_is_file(f->abs))
            continue; /* a dangling or directory link: not an artifact file */
        rc = actions_copy_file(f->abs, to.buf, err);
        if (rc < 0)
            goto done;
    }
    if (overwrite)
        fs_remove_tree(final.buf, &ignored);
    if (rename(tmp.buf, final.buf) < 0) {
        rc = err_errno(err, "cannot store artifact '%s'", name);
        goto done;
    }
    sbuf_reset(&tmp);
done:
    if (tmp.len)
        fs_remove_tree(tmp.buf, &ignored);
    sbuf_release(&dir);
    sbuf_release(&tmp);
    sbuf_release(&final);
    sbuf_release(&to);
    return rc;
}
