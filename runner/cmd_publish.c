/*
 * runnel publish: commit paths to a versioned branch and push it (src/git/ does the work).
 *
 *   runnel publish --branch NAME --path P... [--message M] [--tag TAG] [--remote URL|NAME]
 *                  [--orphan] [--force-add] [--token T] [--lfs-threshold BYTES] [--no-skip-ci]
 *   runnel publish --list --branch NAME [--remote R]
 *   runnel publish --get VERSION --path P... --out DIR [--branch NAME] [--remote R]
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "git/git.h"
#include "publish_lfs.h"
#include "util/path.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

static void usage(FILE *out)
{
    fputs("usage: runnel publish --branch NAME --path P [--path P]... [--message M] [--tag TAG]\n"
          "                      [--remote URL|NAME] [--orphan] [--force-add] [--token T]\n"
          "                      [--lfs-threshold BYTES] [--no-skip-ci]\n"
          "       runnel publish --list --branch NAME [--remote URL|NAME] [--token T]\n"
          "       runnel publish --get VERSION --path P [--path P]... --out DIR\n"
          "                      [--branch NAME] [--remote URL|NAME] [--token T]\n"
          "\n"
          "VERSION is latest, latest~N, a tag or a commit sha. The token comes from --token or\n"
          "GITHUB_TOKEN (\"user:token\" is accepted). See docs/cli.md.\n",
          out);
}

static void log_line(const char *line, void *payload)
{
    fprintf(stderr, "%s\n", line);
}

/* Accepts plain bytes or a k/M/G suffix (powers of 1024). */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *s == '-')
        return false;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ull * 1024 * 1024;
    else if (*end)
        return false;
    if (*end && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB"))
        return false;
    *out = (uint64_t)v * mul;
    return *out > 0;
}

static int exit_for(const struct err *e)
{
    return e->code == ERR_INVALID ? CLI_USAGE : CLI_FAIL;
}

static void github_output(const struct repo_publish_result *res)
{
    const char *path = getenv("GITHUB_OUTPUT");
    if (!path || !*path)
        return;
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "commit=%s\nchanged=%s\n", res->commit, res->changed ? "true" : "false");
    if (*res->tag && (res->changed || res->tagged_tip))
        sbuf_addf(&sb, "tag=%s\n", res->tag);
    struct err e = ERR_INIT;
    if (fs_append_file(path, sb.buf, sb.len, &e))
        cli_error_err("GITHUB_OUTPUT", &e);
    sbuf_release(&sb);
}

static int do_list(struct repo *r, const struct repo_source_opts *src)
{
    struct vec versions = VEC_INIT(struct repo_version);
    struct err e = ERR_INIT;
    if (repo_list(&versions, r, src, &e)) {
        cli_error_err("publish --list", &e);
        repo_versions_release(&versions);
        return exit_for(&e);
    }
    vec_foreach (struct repo_version, v, &versions) {
        time_t t = (time_t)(v->time + (int64_t)v->tz_minutes * 60);
        struct tm tm;
        gmtime_r(&t, &tm);
        char when[32];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        int off = v->tz_minutes < 0 ? -v->tz_minutes : v->tz_minutes;
        printf("%.12s  %s %c%02d%02d  %s  %s\n", v->commit, when, v->tz_minutes < 0 ? '-' : '+',
               off / 60, off % 60, *v->tags ? v->tags : "-", *v->metrics ? v->metrics : v->subject);
    }
    repo_versions_release(&versions);
    return CLI_OK;
}

static int do_get(struct repo *r, const struct repo_get_opts *o)
{
    struct err e = ERR_INIT;
    char commit[41] = "";
    struct repo *scratch = NULL;
    struct sbuf tmp = SBUF_INIT;
    int status = CLI_OK;
    if (!r) {
        /* outside a repository: fetch into a scratch bare repository, removed afterwards */
        const char *base = getenv("TMPDIR");
        struct sbuf tpl = SBUF_INIT;
        sbuf_addf(&tpl, "%s/runnel-get-XXXXXX", base && *base ? base : "/tmp");
        int rc = fs_mkdtemp(&tmp, tpl.buf, &e);
        sbuf_release(&tpl);
        if (rc || repo_init_bare(&scratch, tmp.buf, &e)) {
            cli_error_err("publish --get", &e);
            status = CLI_FAIL;
            goto done;
        }
        r = scratch;
    }
    if (repo_get(commit, r, o, &e)) {
        cli_error_err("publish --get", &e);
        status = exit_for(&e);
        goto done;
    }
    fprintf(stderr, "get: restored %.12s into '%s'\n", commit, o->out_dir);
    printf("%s\n", commit);
done:
    repo_free(scratch);
    if (tmp.len) {
        struct err ignored = ERR_INIT;
        fs_remove_tree(tmp.buf, &ignored);
    }
    sbuf_release(&tmp);
    return status;
}

int cli_cmd_publish(int argc, char **argv)
{
    enum { OPT_LFS = 256, OPT_NO_SKIP_CI, OPT_MAX_ATTEMPTS };
    static const struct option longopts[] = {
        {"branch", required_argument, NULL, 'b'},
        {"path", required_argument, NULL, 'p'},
        {"message", required_argument, NULL, 'm'},
        {"tag", required_argument, NULL, 't'},
        {"remote", required_argument, NULL, 'r'},
        {"orphan", no_argument, NULL, 'O'},
        {"force-add", no_argument, NULL, 'f'},
        {"token", required_argument, NULL, 'T'},
        {"list", no_argument, NULL, 'l'},
        {"get", required_argument, NULL, 'g'},
        {"out", required_argument, NULL, 'o'},
        {"lfs-threshold", required_argument, NULL, OPT_LFS},
        {"no-skip-ci", no_argument, NULL, OPT_NO_SKIP_CI},
        {"max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct vec paths = VEC_INIT(const char *);
    struct repo_publish_opts po = {0};
    struct repo_provenance prov;
    const char *get = NULL;
    const char *out_dir = NULL;
    bool list = false;
    struct repo *r = NULL;
    struct err e = ERR_INIT;
    int status = CLI_OK;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "b:p:m:t:r:T:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            po.branch = optarg;
            break;
        case 'p':
            *(const char **)vec_push(&paths) = optarg;
            break;
        case 'm':
            po.message = optarg;
            break;
        case 't':
            po.tag = optarg;
            break;
        case 'r':
            po.remote = optarg;
            break;
        case 'O':
            po.orphan = true;
            break;
        case 'f':
            po.force_add = true;
            break;
        case 'T':
            po.token = optarg;
            break;
        case 'l':
            list = true;
            break;
        case 'g':
            get = optarg;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case OPT_LFS:
            if (!parse_size(optarg, &po.lfs_threshold)) {
                cli_error("publish: bad --lfs-threshold '%s' (bytes, or with k, M, G)", optarg);
                status = CLI_USAGE;
                goto done;
            }
            break;
        case OPT_NO_SKIP_CI:
            po.no_skip_ci = true;
            break;
        case OPT_MAX_ATTEMPTS: {
            long n = 0;
            if (!str_to_long(optarg, &n) || n < 1 || n > 1000) {
                cli_error("publish: bad --max-attempts '%s' (1 to 1000)", optarg);
                status = CLI_USAGE;
                goto done;
            }
            po.max_attempts = (unsigned)n;
            break;
        }
        case 'h':
            usage(stdout);
            goto done;
        default:
            cli_error("publish: unknown or incomplete option '%s'", argv[optind - 1]);
            usage(stderr);
            status = CLI_USAGE;
            goto done;
        }
    }
    if (optind < argc) {
        cli_error("publish: unexpected argument '%s' (paths go after --path)", argv[optind]);
        status = CLI_USAGE;
        goto done;
    }
    if (!po.token) {
        const char *env = getenv("GITHUB_TOKEN");
        po.token = env && *env ? env : NULL;
    }
    if (list && get) {
        cli_error("publish: --list and --get do not go together");
        status = CLI_USAGE;
        goto done;
    }
    if (!list && !get && (!po.branch || !paths.len)) {
        cli_error("publish: needs --branch and at least one --path");
        usage(stderr);
        status = CLI_USAGE;
        goto done;
    }
    if (get && (!out_dir || !paths.len)) {
        cli_error("publish: --get needs --path and --out");
        status = CLI_USAGE;
        goto done;
    }

    repo_global_init();
    int orc = repo_open(&r, ".", &e);
    if (orc && !(get && orc == ERR_NOTFOUND)) {
        cli_error_err("publish", &e);
        status = CLI_USAGE;
        goto shutdown;
    }
    struct repo_source_opts src = {.branch = po.branch, .remote = po.remote, .token = po.token};
    if (list) {
        status = do_list(r, &src);
        goto shutdown;
    }
    if (get) {
        struct repo_get_opts go = {.src = src,
                                   .version = get,
                                   .paths = paths.items,
                                   .npaths = paths.len,
                                   .out_dir = out_dir,
                                   .log = log_line};
        status = do_get(r, &go);
        goto shutdown;
    }

    repo_provenance_from_env(&prov);
    po.prov = &prov;
    po.paths = paths.items;
    po.npaths = paths.len;
    po.log = log_line;
    struct publish_lfs lfs = {0};
    po.lfs_upload = publish_lfs_upload;
    po.lfs_payload = &lfs;
    struct repo_publish_result res;
    int prc = repo_publish(r, &po, &res, &e);
    publish_lfs_release(&lfs);
    if (prc) {
        cli_error_err("publish", &e);
        status = exit_for(&e);
        goto shutdown;
    }
    printf("%s\n", res.commit);
    github_output(&res);
shutdown:
    repo_free(r);
    repo_global_shutdown();
done:
    vec_release(&paths);
    return status;
}
