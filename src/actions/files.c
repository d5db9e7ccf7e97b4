#include "actions/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/glob.h"
#include "util/map.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Deepest directory walk (guards against loops through bind mounts; links are not followed). */
#define ACTIONS_MAX_DEPTH 256

int actions_default_dir(struct sbuf *out, const char *leaf, struct err *err)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg == '/') {
        sbuf_addf(out, "%s/runnel/%s", xdg, leaf);
        return 0;
    }
    const char *home = getenv("HOME");
    if (!home || !*home)
        return err_set(err, ERR_INVALID,
                       "cannot find the cache directory: neither "
                       "XDG_CACHE_HOME nor HOME is set");
    sbuf_addf(out, "%s/.cache/runnel/%s", home, leaf);
    return 0;
}

void actions_split_lines(struct vec *out, const char *s)
{
    if (!s)
        return;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        struct str t = str_trim(str_make(s, n));
        if (t.len) {
            char **slot = vec_push(out);
            *slot = str_dup(t);
        }
        s += n;
        if (*s == '\n')
            s++;
    }
}

void actions_lines_release(struct vec *lines)
{
    vec_foreach (char *, l, lines)
        xfree(*l);
    vec_release(lines);
}

bool actions_step_link(const struct actions_match_opts *o, const char *path)
{
    const char *bases[] = {o->workspace, o->temp_dir, o->home};
    for (size_t i = 0; i < 3; i++) {
        if (bases[i] && path_within(path, bases[i]))
            return fs_through_link(bases[i], path);
    }
    return false;
}

void actions_match_release(struct vec *files)
{
    vec_foreach (struct actions_file, f, files)
        xfree(f->abs);
    vec_release(files);
}

static bool has_glob_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

/* One pattern made absolute: its text, negation, and the literal directory where search starts. */
struct pat {
    char *abs;
    bool neg;
    struct glob *g;
    char *root; /* longest leading run of segments without glob characters */
    bool literal;
};

static void pat_release(struct pat *p)
{
    xfree(p->abs);
    xfree(p->root);
    glob_free(p->g);
}

static int pat_make(struct pat *p, const char *line, const char *workspace, const char *home,
                    struct err *err)
{
    struct sbuf raw = SBUF_INIT;
    struct sbuf norm = SBUF_INIT;
    int rc = 0;
    memset(p, 0, sizeof(*p));
    if (*line == '!') {
        p->neg = true;
        line++;
    }
    if (line[0] == '~' && (line[1] == '/' || !line[1])) {
        if (!home)
            home = getenv("HOME");
        sbuf_addstr(&raw, home ? home : "/");
        sbuf_addstr(&raw, line + 1);
    } else {
        path_join(&raw, workspace, line);
    }
    path_normalize(&norm, raw.buf);
    p->abs = sbuf_detach(&norm, NULL);
    size_t len = strlen(p->abs);
    while (len > 1 && p->abs[len - 1] == '/')
        p->abs[--len] = '\0';
    p->literal = !has_glob_chars(p->abs, len);
    /* The root: segments up to the first one with a glob character. */
    size_t cut = len;
    if (!p->literal) {
        const char *first = p->abs;
        while (*first && *first != '*' && *first != '?' && *first != '[')
            first++;
        cut = (size_t)(first - p->abs);
        while (cut > 0 && p->abs[cut - 1] != '/')
            cut--;
        if (cut > 1)
            cut--; /* drop the '/' */
    }
    p->root = xstrndup(p->abs, cut ? cut : 1);
    rc = glob_compile(&p->g, p->abs, GLOB_PATHS, err);
    if (rc < 0)
        err_prefix(err, "path pattern '%s': ", line);
    sbuf_release(&raw);
    return rc;
}

bool actions_in_job_folders(const char *path, const char *workspace, const char *home,
                            const char *temp_dir)
{
    const char *bases[] = {workspace, home, temp_dir};
    for (size_t i = 0; i < 3; i++) {
        if (bases[i] && path_within(path, bases[i]))
            return true;
    }
    return false;
}

int actions_paths_check(const struct actions_match_opts *o, struct err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && o->home && i < o->npatterns; i++) {
        const char *line = o->patterns[i];
        if (!*line || *line == '#' || *line == '!')
            continue;
        struct pat p;
        rc = pat_make(&p, line, o->workspace, o->home, err);
        if (rc == 0 && !actions_in_job_folders(p.root, o->workspace, o->home, o->temp_dir)) {
            bool same = !strcmp(line, p.root);
            rc = err_set(err, ERR_FAIL,
                         "path '%s'%s%s%s is outside the job's workspace, home and RUNNER_TEMP: "
                         "in a sandbox the built-in actions keep to those (--sandbox none lifts "
                         "this)",
                         line, same ? "" : " ('", same ? "" : p.root, same ? "" : "')");
        }
        pat_release(&p);
    }
    return rc;
}

/* True when p matches path or one of its ancestors (implicit descendants). */
static bool pat_hits(const struct pat *p, const char *path)
{
    if (glob_match(p->g, path))
        return true;
    struct sbuf anc = SBUF_INIT;
    sbuf_addstr(&anc, path);
    bool hit = false;
    while (!hit) {
        char *slash = strrchr(anc.buf, '/');
        if (!slash || slash == anc.buf)
            break;
        sbuf_setlen(&anc, (size_t)(slash - anc.buf));
        hit = glob_match(p->g, anc.buf);
    }
    sbuf_release(&anc);
    return hit;
}

struct walk {
    const struct actions_match_opts *o;
    struct pat *pats;
    size_t npats;
    struct vec *out;
    struct map seen; /* abs -> NULL */
};

static bool included(const struct walk *w, const char *path)
{
    bool in = false;
    for (size_t i = 0; i < w->npats; i++) {
        if (pat_hits(&w->pats[i], path))
            in = !w->pats[i].neg;
    }
    return in;
}

static void add_entry(struct walk *w, const char *path, enum actions_file_kind kind)
{
    if (map_has(&w->seen, path))
        return;
    map_set(&w->seen, path, NULL);
    struct actions_file *f = vec_push(w->out);
    f->abs = xstrdup(path);
    f->kind = kind;
}

static int walk_dir(struct walk *w, struct sbuf *path, int depth, struct err *err)
{
    if (depth > ACTIONS_MAX_DEPTH)
        return err_set(err, ERR_INVALID, "directory tree too deep at '%s'", path->buf);
    DIR *d = opendir(path->buf);
    if (!d)
        return err_errno(err, "cannot read directory '%s'", path->buf);
    struct vec names = VEC_INIT(char *);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!w->o->include_hidden && de->d_name[0] == '.')
            continue;
        char **slot = vec_push(&names);
        *slot = xstrdup(de->d_name);
    }
    closedir(d);
    int rc = 0;
    size_t base = path->len;
    vec_foreach (char *, name, &names) {
        if (rc < 0)
            break;
        sbuf_setlen(path, base);
        if (base > 1)
            sbuf_addch(path, '/');
        sbuf_addstr(path, *name);
        struct stat st;
        if (lstat(path->buf, &st) < 0)
            continue; /* vanished while walking */
        if (S_ISDIR(st.st_mode)) {
            if (w->o->include_dirs && included(w, path->buf))
                add_entry(w, path->buf, ACTIONS_FILE_DIR);
            rc = walk_dir(w, path, depth + 1, err);
        } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
            if (included(w, path->buf))
                add_entry(w, path->buf, S_ISLNK(st.st_mode) ? ACTIONS_FILE_LINK : ACTIONS_FILE_REG);
        }
    }
    sbuf_setlen(path, base);
    actions_lines_release(&names);
    return rc;
}

/* Shortens acc to the longest common leading directory of acc and p (both absolute). */
static void lca(struct sbuf *acc, const char *p)
{
    size_t last = 0; /* length of the common prefix that ends at a component boundary */
    for (size_t i = 0;; i++) {
        char a = i < acc->len ? acc->buf[i] : '\0';
        char b = p[i];
        if ((a == '/' || a == '\0') && (b == '/' || b == '\0'))
            last = i;
        if (a != b || a == '\0')
            break;
    }
    sbuf_setlen(acc, last ? last : 1);
}

int actions_match(struct vec *out, struct sbuf *root_out, const struct actions_match_opts *o,
                  struct err *err)
{
    struct walk w = {.o = o, .out = out, .seen = MAP_INIT};
    struct sbuf path = SBUF_INIT;
    struct sbuf root = SBUF_INIT;
    bool have_root = false;
    int rc = 0;

    rc = actions_paths_check(o, err);
    if (rc < 0)
        goto done;
    w.pats = xcalloc(o->npatterns ? o->npatterns : 1, sizeof(*w.pats));
    for (size_t i = 0; i < o->npatterns; i++) {
        const char *line = o->patterns[i];
        if (!*line || *line == '#')
            continue;
        rc = pat_make(&w.pats[w.npats], line, o->workspace, o->home, err);
        if (rc < 0) {
            pat_release(&w.pats[w.npats]);
            goto done;
        }
        w.npats++;
    }
    for (size_t i = 0; i < w.npats; i++) {
        struct pat *p = &w.pats[i];
        if (p->neg)
            continue;
        struct stat st;
        const char *r = p->root;
        struct sbuf dir = SBUF_INIT;
        if (p->literal && lstat(p->abs, &st) == 0 && !S_ISDIR(st.st_mode)) {
            path_dirname(&dir, p->abs);
            r = dir.buf;
        }
        if (!have_root) {
            sbuf_addstr(&root, r);
            have_root = true;
        } else {
            lca(&root, r);
        }
        sbuf_release(&dir);
        /* The matching runs outside the sandbox: a link a step left on the way to a search root
         * in the workspace or the home would read files the steps cannot see. */
        if (o->home && actions_step_link(o, p->root))
            continue;
        if (lstat(p->root, &st) < 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            if (included(&w, p->root))
                add_entry(&w, p->root, S_ISLNK(st.st_mode) ? ACTIONS_FILE_LINK : ACTIONS_FILE_REG);
            continue;
        }
        if (o->include_dirs && included(&w, p->root))
            add_entry(&w, p->root, ACTIONS_FILE_DIR);
        sbuf_reset(&path);
        sbuf_addstr(&path, p->root);
        rc = walk_dir(&w, &path, 0, err);
        if (rc < 0)
            goto done;
    }
    if (root_out)
        sbuf_addstr(root_out, have_root ? root.buf : o->workspace);
done:
    for (size_t i = 0; i < w.npats; i++)
        pat_release(&w.pats[i]);
    xfree(w.pats);
    map_release(&w.seen, NULL);
    sbuf_release(&path);
    sbuf_release(&root);
    return rc;
}

int actions_copy_file(const char *src, const char *dst, struct err *err)
{
    int in = -1;
    int out = -1;
    int rc = 0;
    struct sbuf dir = SBUF_INIT;
    char *buf = NULL;
    struct stat st;

    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) < 0) {
        rc = err_errno(err, "cannot read '%s'", src);
        goto done;
    }
    path_dirname(&dir, dst);
    rc = fs_mkdirs(dir.buf, 0755, err);
    if (rc < 0)
        goto done;
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (st.st_mode & 0111) ? 0755 : 0644);
    if (out < 0) {
        rc = err_errno(err, "cannot create '%s'", dst);
        goto done;
    }
    buf = xmalloc(1u << 16);
    for (;;) {
        ssize_t n = read(in, buf, 1u << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(err, "cannot read '%s'", src);
            goto done;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t m = write(out, buf + off, (size_t)(n - off));
            if (m < 0 && errno == EINTR)
                continue;
            if (m < 0) {
                rc = err_errno(err, "cannot write '%s'", dst);
                goto done;
            }
            off += m;
        }
    }
done:
    xfree(buf);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0 && rc == 0)
        rc = err_errno(err, "cannot write '%s'", dst);
    sbuf_release(&dir);
    return rc;
}
