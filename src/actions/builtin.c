#include "actions/actions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions/internal.h"
#include "util/glob.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/xalloc.h"

/*
 * The built-in actions. Each one reads its inputs like the real action (names, defaults and
 * messages follow actions/upload-artifact@v4, download-artifact@v4, cache@v4, setup-python@v5,
 * setup-node@v4 and iterative/setup-cml@v2) and reports the step failing as data (out->ok).
 */

enum builtin_kind {
    B_UPLOAD,
    B_DOWNLOAD,
    B_CACHE,
    B_CACHE_RESTORE,
    B_CACHE_SAVE,
    B_PYTHON,
    B_NODE,
    B_CML,
};

static const struct {
    const char *name; /* owner/repo[/path], lower case */
    enum builtin_kind kind;
} builtins[] = {
    {"actions/upload-artifact", B_UPLOAD},
    {"actions/download-artifact", B_DOWNLOAD},
    {"actions/cache", B_CACHE},
    {"actions/cache/restore", B_CACHE_RESTORE},
    {"actions/cache/save", B_CACHE_SAVE},
    {"actions/setup-python", B_PYTHON},
    {"actions/setup-node", B_NODE},
    {"iterative/setup-cml", B_CML},
};

struct actions_post {
    char *key;
    struct vec paths;  /* char *, owned */
    char *skip_reason; /* non-NULL: log it instead of saving */
};

void actions_post_free(struct actions_post *post)
{
    if (!post)
        return;
    xfree(post->key);
    actions_lines_release(&post->paths);
    xfree(post->skip_reason);
    xfree(post);
}

static bool builtin_find(enum builtin_kind *out, const char *uses)
{
    if (!uses)
        return false;
    const char *at = strchr(uses, '@');
    size_t n = at ? (size_t)(at - uses) : strlen(uses);
    while (n && uses[n - 1] == '/')
        n--;
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strlen(builtins[i].name) == n && str_eqi_cstr(str_make(uses, n), builtins[i].name)) {
            *out = builtins[i].kind;
            return true;
        }
    }
    return false;
}

bool actions_builtin_has(const char *uses)
{
    enum builtin_kind k;
    return builtin_find(&k, uses);
}

void actions_builtin_result_release(struct actions_builtin_result *r)
{
    xfree(r->failure);
    map_release(&r->outputs, xfree);
    actions_lines_release(&r->path_add);
    map_release(&r->env_add, xfree);
    actions_post_free(r->post);
    *r = ACTIONS_BUILTIN_RESULT_INIT;
}

/* ---- helpers ---------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void
logf_(const struct actions_builtin_call *c, enum actions_log_level lvl, const char *fmt, ...)
{
    if (!c->log)
        return;
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    c->log(lvl, sb.buf, c->payload);
    sbuf_release(&sb);
}

/* The input's value ("" when absent), names compared ignoring case as GitHub does. */
static const char *input(const struct actions_builtin_call *c, const char *name)
{
    if (!c->inputs)
        return "";
    struct map_entry *e = map_find_ci(c->inputs, name, strlen(name));
    return e && e->value ? (const char *)e->value : "";
}

static bool input_bool(const struct actions_builtin_call *c, const char *name, bool dflt)
{
    const char *v = input(c, name);
    struct str t = str_trim(str_from(v));
    if (!t.len)
        return dflt;
    return str_eqi_cstr(t, "true");
}

__attribute__((format(printf, 2, 3))) static void fail(struct actions_builtin_result *out,
                                                       const char *fmt, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    out->ok = false;
    xfree(out->failure);
    out->failure = sbuf_detach(&sb, NULL);
}

static void set_output(struct actions_builtin_result *out, const char *name, const char *value)
{
    xfree(map_set(&out->outputs, name, xstrdup(value)));
}

static void set_env(struct actions_builtin_result *out, const char *name, const char *value)
{
    xfree(map_set(&out->env_add, name, xstrdup(value)));
}

static void add_path(struct actions_builtin_result *out, const char *dir)
{
    char **slot = vec_push(&out->path_add);
    *slot = xstrdup(dir);
}

/* An input path made absolute: "~/" is the steps' home, relative paths start at the workspace. */
static void abs_path(struct sbuf *out, const struct actions_builtin_call *c, const char *p)
{
    struct sbuf raw = SBUF_INIT;
    if (p[0] == '~' && (p[1] == '/' || !p[1])) {
        const char *home = c->home ? c->home : getenv("HOME");
        sbuf_addf(&raw, "%s%s", home ? home : "", p + 1);
    } else {
        path_join(&raw, c->workspace, p);
    }
    path_normalize(out, raw.buf);
    sbuf_release(&raw);
}

/* ---- upload-artifact / download-artifact ------------------------------------------------ */

static int run_upload(const struct actions_builtin_call *c, struct actions_builtin_result *out,
                      struct err *err)
{
    struct vec lines = VEC_INIT(char *);
    struct vec files = VEC_INIT(struct actions_file);
    struct sbuf root = SBUF_INIT;
    struct sbuf url = SBUF_INIT;
    struct err e2 = ERR_INIT;
    int rc = 0;

    const char *name = input(c, "name");
    if (!*name)
        name = "artifact";
    if (actions_artifact_name_check(name, &e2) < 0) {
        fail(out, "%s", e2.msg);
        goto done;
    }
    actions_split_lines(&lines, input(c, "path"));
    if (!lines.len) {
        fail(out, "input required and not supplied: path");
        goto done;
    }
    const char *nf = input(c, "if-no-files-found");
    if (!*nf)
        nf = "warn";
    if (strcmp(nf, "warn") && strcmp(nf, "error") && strcmp(nf, "ignore")) {
        fail(out, "unrecognized if-no-files-found input '%s': expected warn, error or ignore", nf);
        goto done;
    }
    if (!c->run_dir)
        BUG("actions_builtin_call.run_dir is required for upload-artifact");
    struct actions_match_opts mo = {.workspace = c->workspace,
                                    .home = c->home,
                                    .temp_dir = c->temp_dir,
                                    .patterns = (const char *const *)lines.items,
                                    .npatterns = lines.len,
                                    .include_hidden = input_bool(c, "include-hidden-files", false)};
    if (actions_match(&files, &root, &mo, &e2) < 0) {
        fail(out, "%s", e2.msg);
        goto done;
    }
    /* In a sandbox, a link a step made may point at what the steps cannot see: only links that
     * stay in the workspace, the steps' home or the temp folder are followed. */
    for (size_t i = 0; c->home && i < files.len;) {
        struct actions_file *f = vec_at(&files, i);
        bool inside = f->kind != ACTIONS_FILE_LINK;
        const char *bases[] = {c->workspace, c->home, c->temp_dir}; /* a linked ~/.cache too */
        for (size_t k = 0; !inside && k < 3; k++)
            inside = bases[k] && fs_real_within(f->abs, bases[k]);
        if (inside) {
            i++;
            continue;
        }
        logf_(c, ACTIONS_LOG_WARNING, "'%s' is a link out of the job's folders: not uploaded",
              f->abs);
        xfree(f->abs);
        vec_remove(&files, i);
    }
    size_t nreg = 0;
    vec_foreach (struct actions_file, f, &files)
        nreg += f->kind != ACTIONS_FILE_DIR;
    if (!nreg) {
        struct sbuf all = SBUF_INIT;
        vec_foreach (char *, l, &lines)
            sbuf_addf(&all, "%s%s", all.len ? ", " : "", *l);
        if (!strcmp(nf, "error")) {
            fail(out,
                 "no files were found with the provided path: %s. No artifacts will be uploaded.",
                 all.buf);
        } else {
            logf_(c, !strcmp(nf, "warn") ? ACTIONS_LOG_WARNING : ACTIONS_LOG_INFO,
                  "No files were found with the provided path: %s. No artifacts will be uploaded.",
                  all.buf);
        }
        sbuf_release(&all);
        goto done;
    }
    struct actions_artifact_store_opts so = {.run_dir = c->run_dir,
                                             .name = name,
                                             .files = &files,
                                             .root = root.buf,
                                             .overwrite = input_bool(c, "overwrite", false)};
    rc = actions_artifact_store(&so, &e2);
    if (rc == ERR_FAIL) {
        fail(out, "%s", e2.msg);
        rc = 0;
        goto done;
    }
    if (rc < 0) {
        *err = e2;
        goto done;
    }
    logf_(c, ACTIONS_LOG_INFO, "With the provided path, there will be %zu file(s) uploaded", nreg);
    logf_(c, ACTIONS_LOG_INFO, "Artifact %s stored in %s/artifacts/%s (runnel's local store)", name,
          c->run_dir, name);
    sbuf_addf(&url, "file://%s/artifacts/%s", c->run_dir, name);
    set_output(out, "artifact-url", url.buf);
    struct vec list = VEC_INIT(struct actions_artifact_info);
    if (actions_artifacts_list(&list, c->run_dir, &e2) == 0) {
        for (size_t i = 0; i < list.len; i++) {
            const struct actions_artifact_info *in = vec_at(&list, i);
            if (!strcmp(in->name, name)) {
                sbuf_reset(&url);
                sbuf_addf(&url, "%zu", i + 1);
                set_output(out, "artifact-id", url.buf);
            }
        }
    }
    actions_artifacts_list_release(&list);
done:
    actions_lines_release(&lines);
    actions_match_release(&files);
    sbuf_release(&root);
    sbuf_release(&url);
    return rc;
}

static int run_download(const struct actions_builtin_call *c, struct actions_builtin_result *out,
                        struct err *err)
{
    struct sbuf dest = SBUF_INIT;
    struct sbuf one = SBUF_INIT;
    struct vec list = VEC_INIT(struct actions_artifact_info);
    struct err e2 = ERR_INIT;
    int rc = 0;

    const char *p = input(c, "path");
    abs_path(&dest, c, *p ? p : ".");
    const char *guard[] = {c->workspace, c->home, c->temp_dir, NULL};
    const char *name = input(c, "name");
    if (*name) {
        rc = actions_artifact_extract(c->run_dir, name, dest.buf, c->home ? guard : NULL, &e2);
        if (rc == ERR_NOTFOUND || rc == ERR_INVALID) {
            fail(out, "unable to download artifact(s): artifact not found for name: %s", name);
            rc = 0;
            goto done;
        }
        if (rc < 0) {
            *err = e2;
            goto done;
        }
        logf_(c, ACTIONS_LOG_INFO, "Artifact %s was downloaded to %s", name, dest.buf);
        set_output(out, "download-path", dest.buf);
        goto done;
    }
    const char *pattern = input(c, "pattern");
    bool merge = input_bool(c, "merge-multiple", false);
    rc = actions_artifacts_list(&list, c->run_dir, err);
    if (rc < 0)
        goto done;
    size_t n = 0;
    vec_foreach (struct actions_artifact_info, a, &list) {
        if (*pattern && !glob_match_str(pattern, a->name, GLOB_PATHS))
            continue;
        sbuf_reset(&one);
        sbuf_addstr(&one, dest.buf);
        if (!merge)
            sbuf_addf(&one, "/%s", a->name);
        rc = actions_artifact_extract(c->run_dir, a->name, one.buf, c->home ? guard : NULL, err);
        if (rc < 0)
            goto done;
        n++;
    }
    logf_(c, ACTIONS_LOG_INFO, "Total of %zu artifact(s) downloaded", n);
    set_output(out, "download-path", dest.buf);
done:
    actions_artifacts_list_release(&list);
    sbuf_release(&dest);
    sbuf_release(&one);
    return rc;
}

/* ---- cache ------------------------------------------------------------------------------ */

static void cache_opts(struct actions_cache_opts *o, const struct actions_builtin_call *c,
                       const struct vec *paths, const struct vec *restore)
{
    *o = (struct actions_cache_opts){.cache_dir = c->cache_dir,
                                     .workspace = c->workspace,
                                     .home = c->home,
                                     .temp_dir = c->temp_dir,
                                     .paths = (const char *const *)paths->items,
                                     .npaths = paths->len,
                                     .key = input(c, "key")};
    if (restore) {
        o->restore_keys = (const char *const *)restore->items;
        o->nrestore = restore->len;
    }
}

/* Saves, turning "already exists" and "nothing matched" into warnings as actions/cache does. */
static int cache_save_warn(const struct actions_builtin_call *c, const struct actions_cache_opts *o,
                           struct err *err)
{
    struct err e2 = ERR_INIT;
    int rc = actions_cache_save(o, &e2);
    if (rc == 0) {
        logf_(c, ACTIONS_LOG_INFO, "Cache saved with key: %s", o->key);
        return 0;
    }
    if (rc == ERR_FAIL || rc == ERR_NOTFOUND || rc == ERR_INVALID) {
        logf_(c, ACTIONS_LOG_WARNING, "Failed to save: %s", e2.msg);
        return 0;
    }
    *err = e2;
    return rc;
}

static int run_cache(const struct actions_builtin_call *c, enum builtin_kind kind,
                     struct actions_builtin_result *out, struct err *err)
{
    struct vec paths = VEC_INIT(char *);
    struct vec restore = VEC_INIT(char *);
    struct actions_cache_opts o;
    struct err e2 = ERR_INIT;
    char *matched = NULL;
    int rc = 0;

    const char *key = input(c, "key");
    actions_split_lines(&paths, input(c, "path"));
    if (!*key) {
        fail(out, "input required and not supplied: key");
        goto done;
    }
    if (!paths.len) {
        fail(out, "input required and not supplied: path");
        goto done;
    }
    if (kind == B_CACHE_SAVE) {
        cache_opts(&o, c, &paths, NULL);
        rc = cache_save_warn(c, &o, err);
        goto done;
    }
    actions_split_lines(&restore, input(c, "restore-keys"));
    cache_opts(&o, c, &paths, &restore);
    o.lookup_only = input_bool(c, "lookup-only", false);
    rc = actions_cache_restore(&matched, &o, &e2);
    if (rc == ERR_INVALID) {
        fail(out, "%s", e2.msg);
        rc = 0;
        goto done;
    }
    if (rc < 0) {
        /* GitHub warns and goes on when the cache service fails; a broken archive is alike */
        logf_(c, ACTIONS_LOG_WARNING, "Failed to restore: %s", e2.msg);
        rc = 0;
    }
    if (kind == B_CACHE_RESTORE)
        set_output(out, "cache-primary-key", key);
    bool exact = matched && !strcmp(matched, key);
    if (!matched) {
        struct sbuf all = SBUF_INIT;
        sbuf_addstr(&all, key);
        vec_foreach (char *, k, &restore)
            sbuf_addf(&all, ", %s", *k);
        if (input_bool(c, "fail-on-cache-miss", false)) {
            fail(out,
                 "failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input "
                 "key: %s",
                 key);
        } else {
            logf_(c, ACTIONS_LOG_INFO, "Cache not found for input keys: %s", all.buf);
        }
        sbuf_release(&all);
    } else {
        set_output(out, "cache-hit", exact ? "true" : "false");
        if (kind == B_CACHE_RESTORE)
            set_output(out, "cache-matched-key", matched);
        logf_(c, ACTIONS_LOG_INFO, "Cache %s from key: %s",
              o.lookup_only ? "found and can be restored" : "restored", matched);
    }
    if (kind == B_CACHE && out->ok) {
        struct actions_post *p = xcalloc(1, sizeof(*p));
        p->key = xstrdup(key);
        p->paths = paths;
        paths = VEC_INIT(char *);
        if (exact) {
            struct sbuf s = SBUF_INIT;
            sbuf_addf(&s, "Cache hit occurred on the primary key %s, not saving cache.", key);
            p->skip_reason = sbuf_detach(&s, NULL);
        }
        out->post = p;
    }
done:
    xfree(matched);
    actions_lines_release(&paths);
    actions_lines_release(&restore);
    return rc;
}

int actions_builtin_post(const struct actions_post *post, const struct actions_builtin_call *c,
                         struct err *err)
{
    if (!post)
        return 0;
    if (post->skip_reason) {
        logf_(c, ACTIONS_LOG_INFO, "%s", post->skip_reason);
        return 0;
    }
    struct actions_cache_opts o = {.cache_dir = c->cache_dir,
                                   .workspace = c->workspace,
                                   .home = c->home,
                                   .temp_dir = c->temp_dir,
                                   .paths = (const char *const *)post->paths.items,
                                   .npaths = post->paths.len,
                                   .key = post->key};
    return cache_save_warn(c, &o, err);
}

/* ---- setup-python / setup-node ------------------------------------------------------------ */

/* Up to 3 numeric parts; -1 is a wildcard ('x', '*'); returns parts read, 0 when not a version. */
static int parse_version(long v[3], const char **s)
{
    const char *p = *s;
    int n = 0;
    if (*p == 'v' || *p == 'V')
        p++;
    while (n < 3) {
        if (*p == 'x' || *p == 'X' || *p == '*') {
            v[n++] = -1;
            p++;
        } else if (*p >= '0' && *p <= '9') {
            long x = 0;
            while (*p >= '0' && *p <= '9' && x < 1000000)
                x = x * 10 + (*p++ - '0');
            v[n++] = x;
        } else {
            break;
        }
        if (*p != '.')
            break;
        p++;
    }
    *s = p;
    return n;
}

/* Compares have with the n given parts of want (wildcards equal); <0, 0, >0. */
static int cmp_parts(const long have[3], const long want[3], int n)
{
    for (int i = 0; i < n; i++) {
        if (want[i] < 0)
            return 0;
        if (have[i] != want[i])
            return have[i] < want[i] ? -1 : 1;
    }
    return 0;
}

static bool comparator_holds(const long have[3], const char *tok, size_t len, bool *bad)
{
    char buf[64];
    if (len >= sizeof(buf)) {
        *bad = true;
        return false;
    }
    memcpy(buf, tok, len);
    buf[len] = '\0';
    const char *p = buf;
    char op[3] = "";
    if (p[0] == '>' || p[0] == '<') {
        op[0] = *p++;
        if (*p == '=')
            op[1] = *p++;
    } else if (p[0] == '=' || p[0] == '^' || p[0] == '~') {
        op[0] = *p++;
    }
    long want[3] = {0, 0, 0};
    int n = parse_version(want, &p);
    if (!n || *p) {
        *bad = true;
        return false;
    }
    int c = cmp_parts(have, want, n);
    if (!strcmp(op, ">="))
        return c >= 0;
    if (!strcmp(op, ">"))
        return c > 0;
    if (!strcmp(op, "<="))
        return c <= 0;
    if (!strcmp(op, "<"))
        return c < 0;
    if (!strcmp(op, "^")) {
        long major[3] = {want[0], 0, 0};
        return cmp_parts(have, major, 1) == 0 && c >= 0;
    }
    if (!strcmp(op, "~"))
        return cmp_parts(have, want, n < 2 ? n : 2) == 0 && c >= 0;
    return c == 0;
}

bool actions_version_satisfies(const char *have, const char *spec, bool *bad)
{
    long hv[3] = {0, 0, 0};
    const char *hp = have;
    *bad = false;
    if (!parse_version(hv, &hp))
        return false;
    const char *p = spec;
    while (*p) {
        const char *end = strstr(p, "||");
        size_t alen = end ? (size_t)(end - p) : strlen(p);
        bool all = true;
        bool any = false;
        for (size_t i = 0; i < alen;) {
            while (i < alen && (p[i] == ' ' || p[i] == '\t'))
                i++;
            size_t j = i;
            while (j < alen && p[j] != ' ' && p[j] != '\t')
                j++;
            if (j > i) {
                any = true;
                if (!comparator_holds(hv, p + i, j - i, bad))
                    all = false;
                if (*bad)
                    return false;
            }
            i = j;
        }
        if (any && all)
            return true;
        p += alen;
        if (*p)
            p += 2;
    }
    return false;
}

/* Finds an executable called name on c's PATH; appends its path. */
static bool find_exe(struct sbuf *out, const struct actions_builtin_call *c, const char *name)
{
    const char *path = c->path_env ? c->path_env : getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    sbuf_reset(out);
    return fs_search_path(out, path, name);
}

/*
 * setup-node's and setup-python's `cache:` input: the package manager's download folder restored
 * now and saved in the post step, as those actions do through @actions/cache, keyed by the
 * content of the dependency files (their lock files by default, or cache-dependency-path). The
 * key has their shape but is runnel's own: entries are not shared with actions/cache.
 */
struct setup_cache_kind {
    bool py;
    const char *name;     /* the `cache:` value */
    const char *dir;      /* the download folder, below the steps' home */
    const char *patterns; /* default dependency files, one per line */
};

static const struct setup_cache_kind setup_caches[] = {
    {false, "npm", "~/.npm", "package-lock.json\nnpm-shrinkwrap.json\nyarn.lock"},
    {false, "yarn", "~/.cache/yarn", "yarn.lock"},
    {false, "pnpm", "~/.local/share/pnpm/store", "pnpm-lock.yaml"},
    {true, "pip", "~/.cache/pip", "**/requirements.txt"},
};

static void setup_cache(const struct actions_builtin_call *c, bool py, const char *version,
                        struct actions_builtin_result *out)
{
    const char *name = input(c, "cache");
    if (!*name)
        return;
    const struct setup_cache_kind *k = NULL;
    for (size_t i = 0; i < sizeof(setup_caches) / sizeof(setup_caches[0]); i++) {
        if (setup_caches[i].py == py && !strcmp(setup_caches[i].name, name))
            k = &setup_caches[i];
    }
    if (!k) {
        fail(out, "Caching for '%s' is not supported", name);
        return;
    }
    struct vec lines = VEC_INIT(char *);
    struct vec files = VEC_INIT(struct actions_file);
    struct err e2 = ERR_INIT;
    const char *given = input(c, "cache-dependency-path");
    actions_split_lines(&lines, *given ? given : k->patterns);
    struct actions_match_opts mo = {.workspace = c->workspace,
                                    .home = c->home,
                                    .temp_dir = c->temp_dir,
                                    .patterns = (const char *const *)lines.items,
                                    .npatterns = lines.len};
    struct sha256 h;
    sha256_init(&h);
    size_t nfiles = 0;
    if (actions_match(&files, NULL, &mo, &e2) == 0) {
        vec_foreach (struct actions_file, f, &files) {
            struct sbuf text = SBUF_INIT;
            /* A linked lock file counts when it stays in the workspace (as hashFiles follows). */
            bool ok = f->kind == ACTIONS_FILE_REG ||
                      (f->kind == ACTIONS_FILE_LINK && fs_real_within(f->abs, c->workspace));
            if (ok && sbuf_read_file(&text, f->abs, 256u << 20, &e2) == 0) {
                unsigned char d[SHA256_DIGEST_SIZE];
                sha256_buf(d, text.buf, text.len);
                sha256_update(&h, d, sizeof(d));
                nfiles++;
            }
            sbuf_release(&text);
        }
    }
    if (!nfiles) {
        struct sbuf list = SBUF_INIT;
        vec_foreach (char *, l, &lines) {
            sbuf_addf(&list, "%s%s", list.len ? "," : "", *l);
        }
        fail(out, "Dependencies lock file is not found in %s. Supported file patterns: %s",
             c->workspace, list.buf);
        sbuf_release(&list);
        goto done;
    }
    unsigned char d[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_final(&h, d);
    hex_encode(hex, d, sizeof(d));
    struct sbuf key = SBUF_INIT;
    if (py)
        sbuf_addf(&key, "setup-python-Linux-x64-python-%s-%s-%s", version, k->name, hex);
    else
        sbuf_addf(&key, "node-cache-Linux-x64-%s-%s", k->name, hex);
    const char *paths[] = {k->dir};
    struct actions_cache_opts o = {.cache_dir = c->cache_dir,
                                   .workspace = c->workspace,
                                   .home = c->home,
                                   .temp_dir = c->temp_dir,
                                   .paths = paths,
                                   .npaths = 1,
                                   .key = key.buf};
    char *matched = NULL;
    if (actions_cache_restore(&matched, &o, &e2) < 0)
        logf_(c, ACTIONS_LOG_WARNING, "Failed to restore: %s", e2.msg);
    bool hit = matched && !strcmp(matched, key.buf);
    set_output(out, "cache-hit", hit ? "true" : "false");
    if (hit)
        logf_(c, ACTIONS_LOG_INFO, "Cache restored from key: %s", key.buf);
    else
        logf_(c, ACTIONS_LOG_INFO, "%s cache is not found", k->name);
    struct actions_post *p = xcalloc(1, sizeof(*p));
    p->key = sbuf_detach(&key, NULL);
    p->paths = VEC_INIT(char *);
    char *dir = xstrdup(k->dir);
    vec_append(&p->paths, &dir);
    if (hit) {
        struct sbuf r = SBUF_INIT;
        sbuf_addf(&r, "Cache hit occurred on the primary key %s, not saving cache.", p->key);
        p->skip_reason = sbuf_detach(&r, NULL);
    }
    out->post = p;
    xfree(matched);
    sbuf_release(&key);
done:
    actions_match_release(&files);
    actions_lines_release(&lines);
}

static int run_setup(const struct actions_builtin_call *c, enum builtin_kind kind,
                     struct actions_builtin_result *out, struct err *err)
{
    bool py = kind == B_PYTHON;
    const char *what = py ? "python-version" : "node-version";
    struct sbuf exe = SBUF_INIT;
    struct sbuf spec = SBUF_INIT;
    struct sbuf ver = SBUF_INIT;
    struct sbuf dir = SBUF_INIT;
    struct sbuf file = SBUF_INIT;
    struct vec lines = VEC_INIT(char *);
    struct err e2 = ERR_INIT;
    int rc = 0;

    actions_split_lines(&lines, input(c, what));
    if (!lines.len) {
        const char *vf = input(c, py ? "python-version-file" : "node-version-file");
        if (*vf) {
            struct sbuf fp = SBUF_INIT;
            abs_path(&fp, c, vf);
            if (sbuf_read_file(&file, fp.buf, 4096, &e2) < 0) {
                fail(out, "the specified %s file at: %s does not exist", what, fp.buf);
                sbuf_release(&fp);
                goto done;
            }
            sbuf_release(&fp);
            actions_split_lines(&lines, file.buf);
        }
    }
    /* Several versions: the last is the default interpreter; it is the one that must hold. */
    if (lines.len)
        sbuf_addstr(&spec, *(char **)vec_at(&lines, lines.len - 1));
    if (!strncmp(spec.buf, "node/", 5) || !strncmp(spec.buf, "lts/", 4))
        sbuf_reset(&spec); /* lts/<name>: the host's node is taken as is */
    if (!strcmp(spec.buf, "latest") || !strcmp(spec.buf, "node") || !strcmp(spec.buf, "lts") ||
        !strcmp(spec.buf, "current"))
        sbuf_reset(&spec);

    if (!find_exe(&exe, c, py ? "python3" : "node") && !(py && find_exe(&exe, c, "python"))) {
        fail(out, "%s: no %s found on PATH; runnel's built-in uses the host's interpreter", c->uses,
             py ? "python3" : "node");
        goto done;
    }
    if (!c->capture) {
        fail(out, "%s: cannot ask '%s' its version (no process runner given)", c->uses, exe.buf);
        goto done;
    }
    const char *argv[] = {exe.buf, "--version", NULL};
    struct sbuf raw = SBUF_INIT;
    if (c->capture(&raw, argv, c->payload, &e2) < 0) {
        fail(out, "%s: '%s --version' failed: %s", c->uses, exe.buf, e2.msg);
        sbuf_release(&raw);
        goto done;
    }
    const char *d = raw.buf;
    while (*d && !(*d >= '0' && *d <= '9'))
        d++;
    const char *start = d;
    while ((*d >= '0' && *d <= '9') || *d == '.')
        d++;
    sbuf_add(&ver, start, (size_t)(d - start));
    sbuf_release(&raw);
    if (!ver.len) {
        fail(out, "%s: cannot read a version from '%s --version'", c->uses, exe.buf);
        goto done;
    }
    if (spec.len) {
        bool bad = false;
        bool ok = actions_version_satisfies(ver.buf, spec.buf, &bad);
        if (bad) {
            fail(out,
                 "%s: %s '%s' is not supported by runnel's built-in (it uses the host's %s; "
                 "give a version like 3.11, 3.x or >=3.9)",
                 c->uses, what, spec.buf, py ? "CPython" : "node");
            goto done;
        }
        if (!ok) {
            fail(out,
                 "%s: the host's %s is version %s, which does not satisfy %s '%s' (runnel's "
                 "built-in uses the host's interpreter; install a matching one or map the action "
                 "with --action-path)",
                 c->uses, exe.buf, ver.buf, what, spec.buf);
            goto done;
        }
    } else if (py) {
        logf_(c, ACTIONS_LOG_WARNING,
              "Neither 'python-version' nor 'python-version-file' input was provided; using the "
              "host's python %s",
              ver.buf);
    }
    for (size_t i = 0; i + 1 < lines.len; i++) {
        logf_(c, ACTIONS_LOG_WARNING,
              "%s '%s' is ignored: runnel's built-in provides only the host's %s", what,
              *(char **)vec_at(&lines, i), ver.buf);
    }
    path_dirname(&dir, exe.buf);
    add_path(out, dir.buf);
    set_output(out, what, ver.buf);
    if (py) {
        struct sbuf prefix = SBUF_INIT;
        path_dirname(&prefix, dir.buf);
        set_output(out, "python-path", exe.buf);
        set_env(out, "pythonLocation", prefix.buf);
        sbuf_release(&prefix);
    }
    logf_(c, ACTIONS_LOG_INFO, "Using the host's %s %s (%s)", py ? "python" : "node", ver.buf,
          exe.buf);
    setup_cache(c, py, ver.buf, out);
done:
    actions_lines_release(&lines);
    sbuf_release(&exe);
    sbuf_release(&spec);
    sbuf_release(&ver);
    sbuf_release(&dir);
    sbuf_release(&file);
    return rc;
}

/* ---- iterative/setup-cml ------------------------------------------------------------------ */

static int run_cml(const struct actions_builtin_call *c, struct actions_builtin_result *out,
                   struct err *err)
{
    struct sbuf dir = SBUF_INIT;
    struct sbuf link = SBUF_INIT;
    int rc = 0;
    if (!c->runnel_path || !c->temp_dir)
        BUG("actions_builtin_call.runnel_path and temp_dir are required for setup-cml");
    sbuf_addf(&dir, "%s/runnel-cml/bin", c->temp_dir);
    rc = fs_mkdirs(dir.buf, 0755, err);
    if (rc < 0)
        goto done;
    sbuf_addf(&link, "%s/cml", dir.buf);
    if (unlink(link.buf) < 0 && errno != ENOENT) {
        rc = err_errno(err, "cannot replace '%s'", link.buf);
        goto done;
    }
    if (symlink(c->runnel_path, link.buf) < 0) {
        rc = err_errno(err, "cannot create '%s'", link.buf);
        goto done;
    }
    add_path(out, dir.buf);
    logf_(c, ACTIONS_LOG_INFO, "cml is provided by runnel (%s)", c->runnel_path);
done:
    sbuf_release(&dir);
    sbuf_release(&link);
    return rc;
}

int actions_builtin_run(const struct actions_builtin_call *c, struct actions_builtin_result *out,
                        struct err *err)
{
    enum builtin_kind kind;
    actions_builtin_result_release(out);
    out->ok = true;
    if (!builtin_find(&kind, c->uses))
        return err_set(err, ERR_NOTFOUND, "no built-in implementation of '%s'",
                       c->uses ? c->uses : "");
    if (!c->workspace)
        BUG("actions_builtin_call.workspace is required");
    switch (kind) {
    case B_UPLOAD:
        return run_upload(c, out, err);
    case B_DOWNLOAD:
        return run_download(c, out, err);
    case B_CACHE:
    case B_CACHE_RESTORE:
    case B_CACHE_SAVE:
        return run_cache(c, kind, out, err);
    case B_PYTHON:
    case B_NODE:
        return run_setup(c, kind, out, err);
    case B_CML:
        return run_cml(c, out, err);
    }
    return 0;
}
