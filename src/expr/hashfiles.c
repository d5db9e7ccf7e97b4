/*
 * hashFiles(): the runner's algorithm (actions/runner src/Misc/expressionFunc/hashFiles):
 * the patterns (every argument, one pattern per line, '#' comments, '!' negation) are matched
 * with @actions/glob relative to the workspace; the walk is depth first with each directory's
 * entries in byte order (libuv's scandir sorts them); a pattern that names a directory takes
 * everything below it (implicit descendants); for each matched regular file under the
 * workspace the sha256 digest of its content is fed into an outer sha256, whose hex digest is
 * the result. No match gives ''. Files outside the workspace are ignored, and symbolic links
 * are not followed (the runner's default).
 */
#include "expr/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/glob.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/vec.h"
#include "util/xalloc.h"

#define HASH_MAX_FILES 200000 /* a workspace with more files than this is refused */

struct pattern {
    struct glob *self;  /* the pattern */
    struct glob *below; /* the pattern followed by '/ **' (implicit descendants) */
    bool negate;
};

struct walk {
    struct vec patterns; /* struct pattern */
    struct sha256 outer;
    size_t matched;
    size_t seen;
    struct sbuf rel; /* path relative to the workspace of the entry being looked at */
    struct sbuf abs;
};

static void free_patterns(struct vec *v)
{
    vec_foreach (struct pattern, p, v) {
        glob_free(p->self);
        glob_free(p->below);
    }
    vec_release(v);
}

/* Turns one pattern line into a workspace-relative glob; false when it can match nothing. */
static bool relative_pattern(struct sbuf *out, const char *workspace, const char *line)
{
    struct sbuf norm = SBUF_INIT;
    bool ok = true;
    if (line[0] == '/') {
        path_normalize(&norm, line);
        struct sbuf ws = SBUF_INIT;
        path_normalize(&ws, workspace);
        if (strcmp(norm.buf, ws.buf) == 0) {
            sbuf_addstr(out, "**");
        } else if (str_has_prefix(norm.buf, ws.buf) && norm.buf[ws.len] == '/') {
            sbuf_addstr(out, norm.buf + ws.len + 1);
        } else {
            ok = false;
        }
        sbuf_release(&ws);
    } else {
        path_normalize(&norm, line);
        if (strcmp(norm.buf, ".") == 0)
            sbuf_addstr(out, "**");
        else if (!path_is_contained(norm.buf))
            ok = false;
        else
            sbuf_addstr(out, norm.buf);
    }
    sbuf_release(&norm);
    return ok;
}

static int add_patterns(struct walk *w, const char *workspace, const char *text, struct err *err)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        struct str line = str_trim(str_make(p, n));
        p += n + (nl ? 1 : 0);
        if (!line.len || line.p[0] == '#')
            continue;
        bool negate = false;
        while (line.len && line.p[0] == '!') {
            negate = !negate;
            line.p++;
            line.len--;
        }
        char *raw = str_dup(line);
        struct sbuf rel = SBUF_INIT;
        bool ok = relative_pattern(&rel, workspace, raw);
        xfree(raw);
        if (!ok) {
            sbuf_release(&rel);
            continue;
        }
        struct pattern pat = {.negate = negate};
        int rc = glob_compile(&pat.self, rel.buf, GLOB_PATHS, err);
        if (rc == 0) {
            sbuf_addstr(&rel, "/**");
            rc = glob_compile(&pat.below, rel.buf, GLOB_PATHS, err);
        }
        sbuf_release(&rel);
        if (rc < 0) {
            glob_free(pat.self);
            err_prefix(err, "hashFiles: ");
            return rc;
        }
        vec_append(&w->patterns, &pat);
    }
    return 0;
}

static bool matches(const struct walk *w, const char *rel)
{
    bool in = false;
    vec_foreach (const struct pattern, p, &w->patterns) {
        bool m = glob_match(p->self, rel) || glob_match(p->below, rel);
        if (p->negate && m)
            in = false;
        else if (!p->negate && m)
            in = true;
    }
    return in;
}

static int hash_file(struct walk *w, const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_errno(err, "hashFiles: cannot open '%s'", path);
    struct sha256 inner;
    sha256_init(&inner);
    unsigned char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(err, "hashFiles: cannot read '%s'", path);
            break;
        }
        if (n == 0)
            break;
        sha256_update(&inner, buf, (size_t)n);
    }
    close(fd);
    if (rc < 0)
        return rc;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&inner, digest);
    sha256_update(&w->outer, digest, sizeof(digest));
    w->matched++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walk *w, struct err *err)
{
    DIR *d = opendir(w->abs.buf);
    if (!d)
        return 0; /* unreadable directories are skipped, as @actions/glob does */
    struct vec names = VEC_INIT(char *);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *name = xstrdup(de->d_name);
        vec_append(&names, &name);
    }
    closedir(d);
    vec_sort(&names, cmp_names);
    int rc = 0;
    size_t rel_len = w->rel.len;
    size_t abs_len = w->abs.len;
    for (size_t i = 0; i < names.len && rc == 0; i++) {
        const char *name = *(char **)vec_at(&names, i);
        if (++w->seen > HASH_MAX_FILES) {
            rc = err_set(err, ERR_INVALID, "hashFiles: more than %d entries in the workspace",
                         HASH_MAX_FILES);
            break;
        }
        if (rel_len)
            sbuf_addch(&w->rel, '/');
        sbuf_addstr(&w->rel, name);
        sbuf_addch(&w->abs, '/');
        sbuf_addstr(&w->abs, name);
        struct stat st;
        if (lstat(w->abs.buf, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = walk_dir(w, err);
            else if (S_ISREG(st.st_mode) && matches(w, w->rel.buf))
                rc = hash_file(w, w->abs.buf, err);
        }
        sbuf_setlen(&w->rel, rel_len);
        sbuf_setlen(&w->abs, abs_len);
    }
    vec_foreach (char *, n, &names)
        xfree(*n);
    vec_release(&names);
    return rc;
}

int expr_hash_files(struct sbuf *out, const char *workspace, const struct val *args, size_t n,
                    struct err *err)
{
    struct walk w = {.patterns = VEC_INIT(struct pattern), .rel = SBUF_INIT, .abs = SBUF_INIT};
    struct sbuf text = SBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sbuf_reset(&text);
        val_to_sbuf(&text, &args[i]);
        rc = add_patterns(&w, workspace, text.buf, err);
    }
    if (rc < 0 || !w.patterns.len)
        goto done;
    sha256_init(&w.outer);
    path_normalize(&w.abs, workspace);
    rc = walk_dir(&w, err);
    if (rc == 0 && w.matched) {
        unsigned char digest[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        sha256_final(&w.outer, digest);
        hex_encode(hex, digest, sizeof(digest));
        sbuf_addstr(out, hex);
    }
done:
    free_patterns(&w.patterns);
    sbuf_release(&text);
    sbuf_release(&w.rel);
    sbuf_release(&w.abs);
    return rc;
}
