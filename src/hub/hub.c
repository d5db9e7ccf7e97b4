#include "hub/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/internal.h"
#include "util/path.h"
#include "util/sha1.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/xalloc.h"

bool hub_repo_type_parse(const char *s, enum hub_repo_type *out)
{
    if (!strcmp(s, "model") || !strcmp(s, "models")) {
        *out = HUB_REPO_MODEL;
    } else if (!strcmp(s, "dataset") || !strcmp(s, "datasets")) {
        *out = HUB_REPO_DATASET;
    } else if (!strcmp(s, "space") || !strcmp(s, "spaces")) {
        *out = HUB_REPO_SPACE;
    } else {
        return false;
    }
    return true;
}

const char *hub_repo_type_name(enum hub_repo_type t)
{
    switch (t) {
    case HUB_REPO_DATASET:
        return "dataset";
    case HUB_REPO_SPACE:
        return "space";
    case HUB_REPO_MODEL:
        break;
    }
    return "model";
}

const char *hub_url_prefix(enum hub_repo_type t)
{
    switch (t) {
    case HUB_REPO_DATASET:
        return "datasets/";
    case HUB_REPO_SPACE:
        return "spaces/";
    case HUB_REPO_MODEL:
        break;
    }
    return "";
}

/*
 * Multipart parts sent at once by default: one per CPU, at least 2 and at most 4. Each sender
 * spends CPU on its bytes (copies, and TLS over HTTPS); on bench/hub's two-core loopback, where
 * the storage server shares the CPUs, 2 beat both 1 and 4, and on a real link a few connections
 * already hide most of the per-connection limits.
 */
static unsigned default_parallel_parts(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n <= 2 ? 2u : n >= 4 ? 4u : (unsigned)n;
}

/* True when every operation of the table is there: a missing one would crash mid-upload. */
static bool has_git_ops(const struct hub_git_ops *g)
{
    return g && g->global_init && g->global_shutdown && g->open && g->close && g->resolve &&
           g->ls_tree && g->read_blob && g->commit && g->create_branch && g->create_tag;
}

int hub_new(struct hub **out, const struct hub_opts *opts, struct err *err)
{
    const char *endpoint =
        opts->endpoint && *opts->endpoint ? opts->endpoint : HUB_DEFAULT_ENDPOINT;
    struct hub *h = xcalloc(1, sizeof(*h));
    struct sbuf ep = SBUF_INIT;
    sbuf_addstr(&ep, endpoint);
    while (ep.len > 1 && ep.buf[ep.len - 1] == '/')
        sbuf_setlen(&ep, ep.len - 1);
    h->endpoint = sbuf_detach(&ep, NULL);
    if (opts->token) {
        /* Whatever the token's source (--token, HF_TOKEN, a file), cleaned as huggingface_hub
         * cleans it; nothing left means no token. */
        struct sbuf tok = SBUF_INIT;
        hub_token_clean(&tok, opts->token);
        h->token = tok.len ? sbuf_detach(&tok, NULL) : NULL;
        sbuf_release(&tok);
    }
    h->state_dir = opts->state_dir ? xstrdup(opts->state_dir) : NULL;
    h->progress = opts->progress;
    h->progress_payload = opts->progress_payload;
    h->parallel_parts = opts->parallel_parts ? opts->parallel_parts : default_parallel_parts();
    if (h->parallel_parts > HUB_MAX_PARALLEL_PARTS)
        h->parallel_parts = HUB_MAX_PARALLEL_PARTS;

    if (str_has_prefix(h->endpoint, "file://")) {
        const char *root = h->endpoint + strlen("file://");
        if (root[0] != '/') {
            err_set(err, ERR_INVALID, "endpoint '%s': a file:// endpoint needs an absolute path",
                    h->endpoint);
            hub_free(h);
            return ERR_INVALID;
        }
        if (!has_git_ops(opts->git)) {
            err_set(err, ERR_INVALID,
                    "endpoint '%s': the embedded file:// hub needs git operations", h->endpoint);
            hub_free(h);
            return ERR_INVALID;
        }
        h->store_root = xstrdup(root);
        h->backend = &hub_store_backend;
        h->git = opts->git;
        h->git->global_init();
    } else if (str_has_prefix(h->endpoint, "http://") || str_has_prefix(h->endpoint, "https://")) {
        int rc = http_client_new(&h->http, opts->http, err);
        if (rc < 0) {
            hub_free(h);
            return rc;
        }
        h->backend = &hub_remote_backend;
    } else {
        err_set(err, ERR_INVALID, "endpoint '%s': expected https://, http:// or file://",
                h->endpoint);
        hub_free(h);
        return ERR_INVALID;
    }
    *out = h;
    return 0;
}

void hub_free(struct hub *h)
{
    if (!h)
        return;
    http_client_free(h->http);
    for (size_t i = 0; i < HUB_MAX_PARALLEL_PARTS; i++)
        http_client_free(h->part_http[i]);
    if (h->git)
        h->git->global_shutdown();
    xfree(h->endpoint);
    xfree(h->token);
    xfree(h->state_dir);
    xfree(h->store_root);
    xfree(h);
}

int hub_whoami(struct hub *h, struct sbuf *name_out, struct err *err)
{
    return h->backend->whoami(h, name_out, err);
}

int hub_create_repo(struct hub *h, const struct hub_repo *repo, const struct hub_create_opts *o,
                    struct err *err)
{
    return h->backend->create_repo(h, repo, o, err);
}

int hub_revision(struct hub *h, const struct hub_repo *repo, const char *rev, struct sbuf *sha_out,
                 struct err *err)
{
    return h->backend->revision(h, repo, rev ? rev : "main", sha_out, err);
}

int hub_create_branch(struct hub *h, const struct hub_repo *repo, const char *branch,
                      const char *starting_point, struct err *err)
{
    return h->backend->create_branch(h, repo, branch, starting_point ? starting_point : "main",
                                     err);
}

int hub_create_tag(struct hub *h, const struct hub_repo *repo, const char *rev, const char *tag,
                   const char *message, struct err *err)
{
    return h->backend->create_tag(h, repo, rev, tag, message, err);
}

int hub_normalize_path(struct sbuf *out, const char *path_in_repo, struct err *err)
{
    const char *p = path_in_repo;
    /* huggingface_hub strips leading '/' and './' (in any order and number). */
    for (;;) {
        if (*p == '/') {
            p++;
        } else if (p[0] == '.' && p[1] == '/') {
            p += 2;
        } else {
            break;
        }
    }
    if (!*p || !strcmp(p, ".") || !strcmp(p, ".."))
        return err_set(err, ERR_INVALID, "invalid path in repo '%s'", path_in_repo);
    size_t start = out->len;
    struct str rest = str_from(p);
    while (rest.len) {
        const char *slash = memchr(rest.p, '/', rest.len);
        size_t n = slash ? (size_t)(slash - rest.p) : rest.len;
        struct str comp = str_make(rest.p, n);
        if (str_eq_cstr(comp, "..")) {
            sbuf_setlen(out, start);
            return err_set(err, ERR_INVALID, "path in repo '%s' climbs out with '..'",
                           path_in_repo);
        }
        if (str_eq_cstr(comp, ".git") || str_eq_cstr(comp, ".cache")) {
            sbuf_setlen(out, start);
            return err_set(err, ERR_INVALID, "path in repo '%s' has a '%.*s' component",
                           path_in_repo, (int)comp.len, comp.p);
        }
        if (comp.len && !str_eq_cstr(comp, ".")) {
            if (out->len > start)
                sbuf_addch(out, '/');
            sbuf_add(out, comp.p, comp.len);
        }
        if (!slash)
            break;
        rest = str_make(slash + 1, rest.len - n - 1);
    }
    if (out->len == start)
        return err_set(err, ERR_INVALID, "invalid path in repo '%s'", path_in_repo);
    return 0;
}

/*
 * Read-ahead for hashing large files: a reader thread copies the file out of the page cache into
 * a ring of buffers while the calling thread hashes the ones already filled, so the copy (about a
 * fifth of the time on a cached 1 GB file) runs on another core instead of between the hash
 * blocks. Used for files of at least READAHEAD_MIN bytes; smaller ones are read in the caller.
 */
#define READAHEAD_MIN (8u << 20)
#define READAHEAD_BUF (512u << 10)
#define READAHEAD_NBUF 4

struct readahead {
    int fd;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char *buf[READAHEAD_NBUF];
    size_t len[READAHEAD_NBUF]; /* bytes in each buffer */
    uint64_t filled;            /* buffers filled so far (buffer k is buf[k % READAHEAD_NBUF]) */
    uint64_t hashed;            /* buffers hashed so far */
    bool at_end;                /* the reader has stopped: end of file, or read_errno */
    int read_errno;
    bool quit; /* the hasher was cancelled: the reader stops too */
};

static void *readahead_run(void *payload)
{
    struct readahead *ra = payload;
    for (uint64_t k = 0;; k++) {
        pthread_mutex_lock(&ra->lock);
        while (k - ra->hashed == READAHEAD_NBUF && !ra->quit)
            pthread_cond_wait(&ra->cond, &ra->lock);
        bool quit = ra->quit;
        pthread_mutex_unlock(&ra->lock);
        if (quit)
            return NULL;
        ssize_t n;
        do {
            n = read(ra->fd, ra->buf[k % READAHEAD_NBUF], READAHEAD_BUF);
        } while (n < 0 && errno == EINTR);
        pthread_mutex_lock(&ra->lock);
        if (n > 0) {
            ra->len[k % READAHEAD_NBUF] = (size_t)n;
            ra->filled++;
        } else {
            ra->at_end = true;
            ra->read_errno = n < 0 ? errno : 0;
        }
        pthread_cond_signal(&ra->cond);
        pthread_mutex_unlock(&ra->lock);
        if (n <= 0)
            return NULL;
    }
}

/*
 * Hashes fd through fn with a reader thread; false when the thread cannot start (nothing read).
 * Stops early, setting *cancelled, once *cancel (when given) is true.
 */
static bool hash_readahead(int fd, void (*fn)(void *ctx, const void *p, size_t n), void *ctx,
                           const atomic_bool *cancel, bool *cancelled, int *errno_out)
{
    struct readahead ra = {.fd = fd};
    pthread_t reader;
    pthread_mutex_init(&ra.lock, NULL);
    pthread_cond_init(&ra.cond, NULL);
    for (size_t i = 0; i < READAHEAD_NBUF; i++)
        ra.buf[i] = xmalloc(READAHEAD_BUF);
    bool started = pthread_create(&reader, NULL, readahead_run, &ra) == 0;
    for (uint64_t k = 0; started; k++) {
        pthread_mutex_lock(&ra.lock);
        while (ra.filled == k && !ra.at_end)
            pthread_cond_wait(&ra.cond, &ra.lock);
        bool have = ra.filled > k;
        if (have && cancel && atomic_load(cancel)) {
            *cancelled = ra.quit = true;
            have = false;
            pthread_cond_signal(&ra.cond);
        }
        pthread_mutex_unlock(&ra.lock);
        if (!have)
            break;
        fn(ctx, ra.buf[k % READAHEAD_NBUF], ra.len[k % READAHEAD_NBUF]);
        pthread_mutex_lock(&ra.lock);
        ra.hashed++;
        pthread_cond_signal(&ra.cond);
        pthread_mutex_unlock(&ra.lock);
    }
    if (started)
        pthread_join(reader, NULL);
    *errno_out = ra.read_errno;
    for (size_t i = 0; i < READAHEAD_NBUF; i++)
        xfree(ra.buf[i]);
    pthread_cond_destroy(&ra.cond);
    pthread_mutex_destroy(&ra.lock);
    return started;
}

/*
 * Streams the file at path through fn (sha1 or sha256 update), after calling start (when not
 * NULL) with the file's size, taken from the same open file. ERR_CANCELLED once *cancel (when
 * given) is true.
 */
static int hash_file(const char *path, void (*start)(void *ctx, uint64_t size),
                     void (*fn)(void *ctx, const void *p, size_t n), void *ctx,
                     const atomic_bool *cancel, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        rc = err_errno(err, "cannot stat '%s'", path);
        close(fd);
        return rc;
    }
    if (start)
        start(ctx, (uint64_t)st.st_size);
    if (st.st_size >= (off_t)READAHEAD_MIN) {
        int read_errno = 0;
        bool cancelled = false;
        if (hash_readahead(fd, fn, ctx, cancel, &cancelled, &read_errno)) {
            errno = read_errno;
            if (cancelled)
                rc = err_set(err, ERR_CANCELLED, "hashing '%s' cancelled", path);
            else if (read_errno)
                rc = err_errno(err, "cannot read '%s'", path);
            close(fd);
            return rc;
        }
    }
    enum { CHUNK = 1u << 20 };
    char *buf = xmalloc(CHUNK);
    for (;;) {
        if (cancel && atomic_load(cancel)) {
            rc = err_set(err, ERR_CANCELLED, "hashing '%s' cancelled", path);
            break;
        }
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(err, "cannot read '%s'", path);
            break;
        }
        if (n == 0)
            break;
        fn(ctx, buf, (size_t)n);
    }
    xfree(buf);
    close(fd);
    return rc;
}

/* Git's object header of a blob: "blob <size>" and its NUL. */
static void sha1_blob_header(void *ctx, uint64_t size)
{
    struct sbuf hdr = SBUF_INIT;
    sbuf_addf(&hdr, "blob %llu", (unsigned long long)size);
    sha1_update(ctx, hdr.buf, hdr.len + 1); /* the NUL is part of git's object header */
    sbuf_release(&hdr);
}

static void sha1_fn(void *ctx, const void *p, size_t n)
{
    sha1_update(ctx, p, n);
}

static void sha256_fn(void *ctx, const void *p, size_t n)
{
    sha256_update(ctx, p, n);
}

int hub_file_sha1(char out[41], const char *path, struct err *err)
{
    struct sha1 c;
    sha1_init(&c);
    int rc = hash_file(path, sha1_blob_header, sha1_fn, &c, NULL, err);
    if (rc < 0)
        return rc;
    unsigned char d[SHA1_DIGEST_SIZE];
    sha1_final(&c, d);
    hex_encode(out, d, sizeof(d));
    return 0;
}

int hub_file_sha256(char out[65], const char *path, const atomic_bool *cancel, struct err *err)
{
    struct sha256 c;
    sha256_init(&c);
    int rc = hash_file(path, NULL, sha256_fn, &c, cancel, err);
    if (rc < 0)
        return rc;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_final(&c, d);
    hex_encode(out, d, sizeof(d));
    return 0;
}

/* Appends the home folder of the user "~name" names (name NULL: the current user). */
static bool user_home(struct sbuf *out, const char *name, size_t len)
{
    struct passwd pw;
    struct passwd *found = NULL;
    char buf[4096];
    if (!name) {
        const char *home = getenv("HOME");
        if (home) {
            sbuf_addstr(out, home);
            return true;
        }
        getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found);
    } else {
        char *user = xstrndup(name, len);
        getpwnam_r(user, &pw, buf, sizeof(buf), &found);
        xfree(user);
    }
    if (!found || !found->pw_dir)
        return false;
    sbuf_addstr(out, found->pw_dir);
    return true;
}

/* Python's os.path.expanduser: a leading "~" or "~name" up to the first '/'. */
static void expand_user(struct sbuf *out, const char *path)
{
    if (path[0] != '~') {
        sbuf_addstr(out, path);
        return;
    }
    const char *slash = strchr(path, '/');
    size_t end = slash ? (size_t)(slash - path) : strlen(path);
    size_t start = out->len;
    if (!user_home(out, end == 1 ? NULL : path + 1, end - 1)) {
        sbuf_addstr(out, path); /* unknown user: left as it is */
        return;
    }
    while (out->len > start && out->buf[out->len - 1] == '/')
        sbuf_setlen(out, out->len - 1); /* userhome.rstrip('/') */
    sbuf_addstr(out, path + end);
    if (out->len == start)
        sbuf_addch(out, '/'); /* "(userhome + rest) or root" */
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Python's os.path.expandvars: $name (ASCII letters, digits, '_') and ${name} are replaced by the
 * variable's value; unknown variables and a lone '$' are left as they are. Values are not
 * scanned again.
 */
static void expand_vars(struct sbuf *out, const char *path)
{
    const char *p = path;
    while (*p) {
        const char *name = NULL;
        size_t len = 0;
        const char *next = p + 1;
        if (p[0] == '$' && p[1] == '{' && strchr(p + 2, '}')) {
            name = p + 2;
            len = (size_t)(strchr(p + 2, '}') - name);
            next = name + len + 1;
        } else if (p[0] == '$' && is_word(p[1])) {
            name = p + 1;
            while (is_word(name[len]))
                len++;
            next = name + len;
        }
        if (!name) {
            sbuf_addch(out, *p++);
            continue;
        }
        char *var = xstrndup(name, len);
        const char *value = getenv(var);
        xfree(var);
        if (value) {
            sbuf_addstr(out, value);
        } else {
            sbuf_add(out, p, (size_t)(next - p));
        }
        p = next;
    }
}

void hub_expand_path(struct sbuf *out, const char *path)
{
    struct sbuf user = SBUF_INIT;
    expand_user(&user, path);
    expand_vars(out, user.buf);
    sbuf_release(&user);
}

void hub_token_path(struct sbuf *out)
{
    /* constants.py: HF_HOME = expandvars(expanduser($HF_HOME or ($XDG_CACHE_HOME or
     * ~/.cache)/huggingface)), then HF_TOKEN_PATH = expandvars(expanduser($HF_TOKEN_PATH or
     * HF_HOME/token)). A GitHub workflow's env: block passes "~/.hf" unexpanded; taken
     * literally it would put the token in a folder named "~" under the working directory. */
    struct sbuf home = SBUF_INIT;
    struct sbuf raw = SBUF_INIT;
    const char *token_path = getenv("HF_TOKEN_PATH");
    const char *hf_home = getenv("HF_HOME");
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (token_path && *token_path) {
        sbuf_addstr(&raw, token_path);
    } else {
        if (hf_home && *hf_home) {
            sbuf_addstr(&raw, hf_home);
        } else {
            path_join(&raw, xdg && *xdg ? xdg : "~/.cache", "huggingface");
        }
        hub_expand_path(&home, raw.buf);
        sbuf_reset(&raw);
        path_join(&raw, home.buf, "token");
    }
    hub_expand_path(out, raw.buf);
    sbuf_release(&home);
    sbuf_release(&raw);
}

void hub_token_clean(struct sbuf *out, const char *raw)
{
    /* huggingface_hub's _clean_token: token.replace("\r", "").replace("\n", "").strip(). A
     * CR or LF left in would end the Authorization header and start another one. */
    struct sbuf t = SBUF_INIT;
    for (const char *p = raw; *p; p++) {
        if (*p != '\r' && *p != '\n')
            sbuf_addch(&t, *p);
    }
    struct str s = str_trim(str_make(t.buf, t.len));
    sbuf_add(out, s.p, s.len);
    sbuf_release(&t);
}

int hub_token_load(struct sbuf *out, struct err *err)
{
    /* HF_TOKEN, else the older HUGGING_FACE_HUB_TOKEN (_get_token_from_environment); one that
     * cleans to nothing counts as unset, and the token file is read. */
    const char *env = getenv("HF_TOKEN");
    if (!env || !*env)
        env = getenv("HUGGING_FACE_HUB_TOKEN");
    size_t start = out->len;
    if (env) {
        hub_token_clean(out, env);
        if (out->len > start)
            return 0;
    }
    struct sbuf path = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    hub_token_path(&path);
    int rc = 0;
    if (!fs_is_file(path.buf)) {
        rc = err_set(err, ERR_NOTFOUND, "no token: set HF_TOKEN, pass --token or log in");
        goto done;
    }
    rc = sbuf_read_file(&text, path.buf, 64u << 10, err);
    if (rc < 0)
        goto done;
    hub_token_clean(out, text.buf);
    if (out->len == start)
        rc = err_set(err, ERR_NOTFOUND, "token file '%s' is empty", path.buf);
done:
    sbuf_release(&path);
    sbuf_release(&text);
    return rc;
}

int hub_token_save(const char *token, struct err *err)
{
    struct sbuf path = SBUF_INIT;
    struct sbuf dir = SBUF_INIT;
    int fd = -1;
    int rc = 0;
    hub_token_path(&path);
    path_dirname(&dir, path.buf);
    rc = fs_mkdirs(dir.buf, 0700, err);
    if (rc < 0)
        goto done;
    /* Written directly with 0600 so the token is never readable by others, even briefly. */
    fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_errno(err, "cannot write '%s'", path.buf);
        goto done;
    }
    fchmod(fd, 0600);
    size_t len = strlen(token);
    if (write(fd, token, len) != (ssize_t)len) {
        rc = err_errno(err, "cannot write '%s'", path.buf);
        goto done;
    }
done:
    if (fd >= 0)
        close(fd);
    sbuf_release(&path);
    sbuf_release(&dir);
    return rc;
}
