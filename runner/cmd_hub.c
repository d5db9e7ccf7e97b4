/*
 * runnel hub: upload to the Hugging Face Hub (or the embedded file:// hub) in one commit.
 *
 *   runnel hub upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]
 *   runnel hub upload REPO_ID LOCAL:REMOTE [LOCAL:REMOTE...] [options]
 *   runnel hub whoami | runtime SPACE_ID | restart SPACE_ID
 */
#include "cli.h"
#include "cmd_hub.h"
#include "hub_git.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hub/hub.h"
#include "util/path.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

struct upload_args {
    const char *repo_id;
    const char *repo_type;
    const char *revision;
    const char *message;
    const char *description;
    const char *parent;
    const char *space_sdk;
    const char *tag;
    const char *token;
    const char *endpoint;
    const char *parallel_parts;
    bool create;
    bool is_private;
    bool quiet;
    struct vec positional; /* const char * */
    struct vec include;
    struct vec exclude;
    struct vec del;
};

static void usage_upload(FILE *out)
{
    fputs("usage: runnel hub upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]\n"
          "       runnel hub upload REPO_ID LOCAL:REMOTE [LOCAL:REMOTE...] [options]\n"
          "options:\n"
          "  --repo-type model|dataset|space   (default model)\n"
          "  --revision BRANCH                 (default main; created from main when missing)\n"
          "  --commit-message M, --commit-description D\n"
          "  --include P, --exclude P          (repeatable; globs on paths inside folders)\n"
          "  --delete P                        (repeatable; delete remote files that match)\n"
          "  --create [--space-sdk SDK] [--private]\n"
          "  --tag T, --parent-commit SHA\n"
          "  --token T (else HF_TOKEN, else the huggingface_hub token file)\n"
          "  --endpoint URL (else HF_ENDPOINT; file:///dir for the embedded hub)\n"
          "  --parallel-parts N                (multipart parts sent at once, 1-16; else\n"
          "                                    RUNNEL_HUB_PARALLEL_PARTS, else the CPUs, 2-4)\n"
          "  --quiet\n",
          out);
}

/* Takes "--name value" or "--name=value"; both spellings of '-' and '_' are accepted. */
static bool opt_value(const char *arg, const char *name, int *i, int argc, char **argv,
                      const char **out, bool *missing)
{
    if (arg[0] != '-' || arg[1] != '-')
        return false;
    const char *a = arg + 2;
    size_t n = strlen(name);
    for (size_t k = 0; k < n; k++) {
        char c1 = a[k] == '_' ? '-' : a[k];
        if (!a[k] || c1 != name[k])
            return false;
    }
    if (a[n] == '=') {
        *out = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *missing = true;
        return true;
    }
    *out = argv[++*i];
    return true;
}

static bool opt_flag(const char *arg, const char *name)
{
    if (arg[0] != '-' || arg[1] != '-')
        return false;
    const char *a = arg + 2;
    size_t n = strlen(name);
    for (size_t k = 0; k < n; k++) {
        char c1 = a[k] == '_' ? '-' : a[k];
        if (!a[k] || c1 != name[k])
            return false;
    }
    return a[n] == '\0';
}

static void push(struct vec *v, const char *s)
{
    const char **slot = vec_push(v);
    *slot = s;
}

static int parse_upload(struct upload_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        bool missing = false;
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage_upload(stdout);
            return 1;
        }
        if (opt_value(arg, "repo-type", &i, argc, argv, &a->repo_type, &missing) ||
            opt_value(arg, "revision", &i, argc, argv, &a->revision, &missing) ||
            opt_value(arg, "commit-message", &i, argc, argv, &a->message, &missing) ||
            opt_value(arg, "commit-description", &i, argc, argv, &a->description, &missing) ||
            opt_value(arg, "parent-commit", &i, argc, argv, &a->parent, &missing) ||
            opt_value(arg, "space-sdk", &i, argc, argv, &a->space_sdk, &missing) ||
            opt_value(arg, "tag", &i, argc, argv, &a->tag, &missing) ||
            opt_value(arg, "token", &i, argc, argv, &a->token, &missing) ||
            opt_value(arg, "endpoint", &i, argc, argv, &a->endpoint, &missing) ||
            opt_value(arg, "parallel-parts", &i, argc, argv, &a->parallel_parts, &missing)) {
            if (missing) {
                cli_error("'%s' needs a value", arg);
                return -1;
            }
            continue;
        }
        if (opt_value(arg, "include", &i, argc, argv, &val, &missing) ||
            opt_value(arg, "exclude", &i, argc, argv, &val, &missing) ||
            opt_value(arg, "delete", &i, argc, argv, &val, &missing)) {
            if (missing) {
                cli_error("'%s' needs a value", arg);
                return -1;
            }
            struct vec *v = strstr(arg, "include")   ? &a->include
                            : strstr(arg, "exclude") ? &a->exclude
                                                     : &a->del;
            push(v, val);
            /* hf takes several patterns after one flag (nargs="*"): take the words that follow
             * until the next option. */
            while (
                !strchr(arg, '=') && i + 1 < argc && argv[i + 1][0] != '-' &&
                (strchr(argv[i + 1], '*') || strchr(argv[i + 1], '?') || strchr(argv[i + 1], '[')))
                push(v, argv[++i]);
            continue;
        }
        if (opt_flag(arg, "create")) {
            a->create = true;
        } else if (opt_flag(arg, "private")) {
            a->is_private = true;
        } else if (opt_flag(arg, "quiet")) {
            a->quiet = true;
        } else if (opt_flag(arg, "every")) {
            cli_error("'--every' (scheduled uploads) is not supported; run runnel on a schedule");
            return -1;
        } else if (arg[0] == '-' && arg[1]) {
            cli_error("unknown option '%s' (see 'runnel hub upload --help')", arg);
            return -1;
        } else if (!a->repo_id) {
            a->repo_id = arg;
        } else {
            push(&a->positional, arg);
        }
    }
    if (!a->repo_id) {
        usage_upload(stderr);
        return -1;
    }
    return 0;
}

/* Progress on a terminal: bytes, rate and time left, redrawn at most five times a second. */
struct progress_state {
    bool tty;
    double start;
    double last;
    const char *path;
    bool ended; /* the final line of this path is printed */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t n, double bytes)
{
    const char *units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void on_progress(const struct hub_progress *p, void *payload)
{
    struct progress_state *s = payload;
    double t = now_s();
    if (s->path != p->path) {
        s->path = p->path;
        s->start = t;
        s->last = 0;
        s->ended = false;
    }
    bool end = p->done >= p->total;
    /* libcurl keeps reporting while it waits for the answer: print the end once. */
    if (s->ended || (!end && t - s->last < 0.2))
        return;
    s->ended = end;
    s->last = t;
    double rate = t > s->start ? (double)p->done / (t - s->start) : 0;
    char done[32], total[32], r[32];
    human(done, sizeof(done), (double)p->done);
    human(total, sizeof(total), (double)p->total);
    human(r, sizeof(r), rate);
    double left = rate > 0 ? (double)(p->total - p->done) / rate : 0;
    fprintf(stderr, "\r%s: %s / %s, %s/s, %.0f s left\033[K%s", p->path, done, total, r, left,
            end ? "\n" : "");
}

/* The resume state's folder. XDG_CACHE_HOME is expanded as huggingface_hub expands it: a
 * workflow's env: block may pass "~/.cache" as it is, which is no folder named "~". */
static void state_dir(struct sbuf *out)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    struct sbuf raw = SBUF_INIT;
    if (xdg && *xdg) {
        path_join(&raw, xdg, "runnel/hub-uploads");
    } else {
        path_join(&raw, home && *home ? home : "/tmp", ".cache/runnel/hub-uploads");
    }
    hub_expand_path(out, raw.buf);
    sbuf_release(&raw);
}

/* Retry tuning for tests and slow links: RUNNEL_HTTP_RETRIES, RUNNEL_HTTP_RETRY_BASE_MS. */
static unsigned env_uint(const char *name)
{
    const char *v = getenv(name);
    long n;
    if (v && str_to_long(v, &n) && n > 0 && n < 1000000)
        return (unsigned)n;
    return 0;
}

/* For a bad Space card, show the offending line under the message. */
static void show_card_location(const char *msg)
{
    const char *p = strstr(msg, "README.md:");
    if (!p)
        return;
    long line = 0, col = 0;
    const char *q = p + strlen("README.md:");
    char *end = NULL;
    line = strtol(q, &end, 10);
    if (!end || *end != ':')
        return;
    col = strtol(end + 1, &end, 10);
    if (!end || *end != ':')
        return;
    struct sbuf path = SBUF_INIT;
    sbuf_add(&path, msg, (size_t)(p - msg) + strlen("README.md"));
    cli_show_location(path.buf, (size_t)line, (size_t)col);
    sbuf_release(&path);
}

/*
 * Multipart parts sent at once: --parallel-parts, else RUNNEL_HUB_PARALLEL_PARTS, else 0 (the
 * hub's default). False, with a message, for a value that is not 1 to HUB_MAX_PARALLEL_PARTS.
 */
static bool parallel_parts(const char *opt, unsigned *out)
{
    const char *v = opt ? opt : getenv("RUNNEL_HUB_PARALLEL_PARTS");
    long n;
    *out = 0;
    if (!v || (!opt && !*v))
        return true;
    if (!str_to_long(v, &n) || n < 1 || n > HUB_MAX_PARALLEL_PARTS) {
        cli_error("%s '%s': expected a number from 1 to %d",
                  opt ? "--parallel-parts" : "RUNNEL_HUB_PARALLEL_PARTS", v,
                  HUB_MAX_PARALLEL_PARTS);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

/*
 * Inside a workflow step ($GITHUB_OUTPUT set), what a later step needs without parsing stdout
 * (which is hf's commit URL, or "<repo>.git <sha>" for the embedded hub): commit= the branch's
 * commit after the upload (the new one, or the unchanged tip), changed= true or false, and tag=
 * when --tag was given. As runnel publish writes them.
 */
static int github_output(const struct hub_upload_result *res, const char *tag)
{
    const char *path = getenv("GITHUB_OUTPUT");
    if (!path || !*path)
        return CLI_OK;
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "commit=%s\nchanged=%s\n", res->head_oid.buf,
              res->commit_oid.len ? "true" : "false");
    if (tag)
        sbuf_addf(&sb, "tag=%s\n", tag);
    struct err e = ERR_INIT;
    int rc = fs_append_file(path, sb.buf, sb.len, &e);
    sbuf_release(&sb);
    if (rc < 0) {
        cli_error_err("GITHUB_OUTPUT", &e);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int make_hub(struct hub **out, const char *endpoint_opt, const char *token_opt,
                    const char *parallel_opt, struct progress_state *ps, struct sbuf *statedir)
{
    struct err err = ERR_INIT;
    struct sbuf token = SBUF_INIT;
    const char *endpoint = endpoint_opt ? endpoint_opt : getenv("HF_ENDPOINT");
    if (token_opt) {
        sbuf_addstr(&token, token_opt);
    } else {
        hub_token_load(&token, &err); /* a missing token is reported by whoami, if needed */
    }
    struct http_client_opts hopts = {
        .user_agent = "runnel/" RUNNEL_VERSION "; hf_hub/compatible",
        .retry = {.max_attempts = env_uint("RUNNEL_HTTP_RETRIES"),
                  .base_delay_ms = env_uint("RUNNEL_HTTP_RETRY_BASE_MS")},
    };
    unsigned parallel = 0;
    if (!parallel_parts(parallel_opt, &parallel)) {
        sbuf_release(&token);
        return CLI_USAGE;
    }
    if (statedir)
        state_dir(statedir);
    struct hub_opts o = {.endpoint = endpoint,
                         .git = &cli_hub_git_ops,
                         .token = token.len ? token.buf : NULL,
                         .state_dir = statedir ? statedir->buf : NULL,
                         .http = &hopts,
                         .parallel_parts = parallel,
                         .progress = ps && ps->tty ? on_progress : NULL,
                         .progress_payload = ps};
    err_clear(&err);
    int rc = hub_new(out, &o, &err);
    sbuf_release(&token);
    if (rc < 0) {
        cli_error_err(NULL, &err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_hub_open(struct hub **out, const char *endpoint, const char *token)
{
    return make_hub(out, endpoint, token, NULL, NULL, NULL);
}

int cli_hub_upload(int argc, char **argv, bool hf_style)
{
    struct upload_args a = {.positional = VEC_INIT(const char *),
                            .include = VEC_INIT(const char *),
                            .exclude = VEC_INIT(const char *),
                            .del = VEC_INIT(const char *)};
    struct vec items = VEC_INIT(struct hub_upload_item);
    struct vec owned = VEC_INIT(char *);
    struct hub *h = NULL;
    struct hub_upload_result res = HUB_UPLOAD_RESULT_INIT;
    struct sbuf statedir = SBUF_INIT;
    struct err err = ERR_INIT;
    int status = CLI_USAGE;

    int prc = parse_upload(&a, argc, argv);
    if (prc != 0) {
        status = prc > 0 ? CLI_OK : CLI_USAGE;
        goto done;
    }
    enum hub_repo_type type = HUB_REPO_MODEL;
    if (a.repo_type && !hub_repo_type_parse(a.repo_type, &type)) {
        cli_error("unknown repo type '%s' (model, dataset or space)", a.repo_type);
        goto done;
    }

    /* Positionals. hf's own form, LOCAL_PATH [PATH_IN_REPO], wherever it can apply, so a
     * PATH_IN_REPO may hold ':' ("runs/2024-01-01T10:00/model.bin"). A LOCAL:REMOTE pair list
     * only where hf's form cannot: the first argument is a pair (it has a ':' and names no
     * existing path), or there are more than two arguments. Nothing means the current folder. */
    size_t npos = a.positional.len;
    const char *const *pos = a.positional.items;
    bool pairs = npos > 2 || (npos && strchr(pos[0], ':') && !fs_exists(pos[0]));
    if (pairs) {
        bool any_pair = false;
        for (size_t i = 0; i < npos; i++) {
            struct hub_upload_item *it = vec_push(&items);
            const char *colon = fs_exists(pos[i]) ? NULL : strrchr(pos[i], ':');
            if (!colon) {
                it->local = pos[i];
                continue;
            }
            char **l = vec_push(&owned);
            *l = xstrndup(pos[i], (size_t)(colon - pos[i]));
            it->local = *l;
            it->remote = colon + 1;
            any_pair = true;
        }
        if (!any_pair) {
            cli_error("too many arguments: give LOCAL_PATH [PATH_IN_REPO], or LOCAL:REMOTE pairs");
            goto done;
        }
    } else {
        struct hub_upload_item *it = vec_push(&items);
        it->local = npos ? pos[0] : ".";
        it->remote = npos > 1 ? pos[1] : NULL;
    }

    struct progress_state ps = {.tty = !a.quiet && isatty(2)};
    status = make_hub(&h, a.endpoint, a.token, a.parallel_parts, &ps, &statedir);
    if (status != CLI_OK)
        goto done;
    struct hub_upload_opts o = {
        .repo = {.type = type, .id = a.repo_id},
        .revision = a.revision,
        .summary = a.message,
        .description = a.description,
        .parent_commit = a.parent,
        .items = items.items,
        .n_items = items.len,
        .include = a.include.items,
        .n_include = a.include.len,
        .exclude = a.exclude.items,
        .n_exclude = a.exclude.len,
        .delete_patterns = a.del.items,
        .n_delete = a.del.len,
        .create = a.create || hf_style,
        .space_sdk = a.space_sdk,
        .is_private = a.is_private,
        .tag = a.tag,
    };
    if (hub_upload(h, &o, &res, &err) < 0) {
        cli_error_err(NULL, &err);
        show_card_location(err.msg);
        status = err.code == ERR_INVALID ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    if (!a.quiet) {
        fprintf(stderr,
                "%zu files: %zu regular, %zu LFS (%zu uploaded), %zu unchanged, %zu ignored, "
                "%zu deleted\n",
                res.n_files, res.n_regular, res.n_lfs, res.n_lfs_uploaded, res.n_unchanged,
                res.n_ignored, res.n_deleted);
    }
    if (res.commit_oid.len) {
        printf("%s\n", res.commit_url.len ? res.commit_url.buf : res.commit_oid.buf);
    } else if (!a.quiet) {
        fputs("no changes: nothing committed\n", stderr);
    }
    status = hf_style ? CLI_OK : github_output(&res, a.tag);
done:
    hub_upload_result_release(&res);
    hub_free(h);
    vec_foreach (char *, p, &owned)
        xfree(*p);
    vec_release(&owned);
    vec_release(&items);
    vec_release(&a.positional);
    vec_release(&a.include);
    vec_release(&a.exclude);
    vec_release(&a.del);
    sbuf_release(&statedir);
    return status;
}

/* Parses --token/--endpoint only (for whoami, runtime, restart). */
static int simple_args(int argc, char **argv, const char **token, const char **endpoint,
                       const char **arg)
{
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        if (opt_value(argv[i], "token", &i, argc, argv, token, &missing) ||
            opt_value(argv[i], "endpoint", &i, argc, argv, endpoint, &missing)) {
            if (missing) {
                cli_error("'%s' needs a value", argv[i]);
                return -1;
            }
        } else if (argv[i][0] == '-' || !arg || *arg) {
            cli_error("unexpected argument '%s'", argv[i]);
            return -1;
        } else {
            *arg = argv[i];
        }
    }
    return 0;
}

int cli_hub_whoami(int argc, char **argv)
{
    const char *token = NULL, *endpoint = NULL;
    struct hub *h = NULL;
    struct sbuf name = SBUF_INIT;
    struct err err = ERR_INIT;
    int status = CLI_USAGE;
    if (simple_args(argc, argv, &token, &endpoint, NULL) < 0)
        return CLI_USAGE;
    status = make_hub(&h, endpoint, token, NULL, NULL, NULL);
    if (status != CLI_OK)
        goto done;
    if (hub_whoami(h, &name, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    printf("%s\n", name.buf);
done:
    hub_free(h);
    sbuf_release(&name);
    return status;
}

static int space_cmd(int argc, char **argv, bool restart)
{
    const char *token = NULL, *endpoint = NULL, *id = NULL;
    struct hub *h = NULL;
    struct sbuf stage = SBUF_INIT;
    struct err err = ERR_INIT;
    int status;
    if (simple_args(argc, argv, &token, &endpoint, &id) < 0 || !id) {
        cli_error("usage: runnel hub %s SPACE_ID", restart ? "restart" : "runtime");
        return CLI_USAGE;
    }
    status = make_hub(&h, endpoint, token, NULL, NULL, NULL);
    if (status != CLI_OK)
        goto done;
    int rc =
        restart ? hub_space_restart(h, id, false, &err) : hub_space_runtime(h, id, &stage, &err);
    if (rc < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    if (!restart)
        printf("%s\n", stage.buf);
done:
    hub_free(h);
    sbuf_release(&stage);
    return status;
}

int cli_cmd_hub(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs("usage: runnel hub upload|whoami|runtime|restart ...\n", argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "upload"))
        return cli_hub_upload(argc - 1, argv + 1, false);
    if (!strcmp(argv[1], "whoami"))
        return cli_hub_whoami(argc - 1, argv + 1);
    if (!strcmp(argv[1], "runtime"))
        return space_cmd(argc - 1, argv + 1, false);
    if (!strcmp(argv[1], "restart"))
        return space_cmd(argc - 1, argv + 1, true);
    cli_error("unknown hub command '%s' (upload, whoami, runtime, restart)", argv[1]);
    return CLI_USAGE;
}
