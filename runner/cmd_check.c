/*
 * runnel check create FILE: a check run whose summary is the markdown file, as CML's
 * `cml check create` (POST /repos/{o}/{r}/check-runs). Needs a token that may write checks:
 * the workflow's GITHUB_TOKEN with `permissions: checks: write`, or an app token.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "github/github.h"
#include "github_ctx.h"

#define CHECK_FILE_MAX (4u << 20)

static void usage(FILE *out)
{
    fputs("usage: runnel check create FILE [options]\n"
          "      --title T        check name and output title (default \"runnel report\")\n"
          "      --name N         check name when it should differ from the title\n"
          "      --conclusion C   success (default), failure, neutral, cancelled, skipped,\n"
          "                       timed_out\n"
          "      --status S       completed (default), queued, in_progress\n"
          "      --head-sha S     commit (default: the PR head, GITHUB_SHA or HEAD)\n"
          "      --token T        default: REPO_TOKEN, repo_token or GITHUB_TOKEN\n"
          "      --repo R         owner/name or URL (default: GITHUB_REPOSITORY, origin)\n"
          "  -v, --verbose        one line per GitHub request (never the token)\n"
          "Prints the check run's URL.\n",
          out);
}

static bool one_of(const char *v, const char *const *list)
{
    for (; *list; list++) {
        if (!strcmp(v, *list))
            return true;
    }
    return false;
}

int cli_cmd_check(int argc, char **argv)
{
    enum {
        OPT_TITLE = 256,
        OPT_NAME,
        OPT_CONCL,
        OPT_STATUS,
        OPT_SHA,
        OPT_TOKEN,
        OPT_REPO,
        OPT_IGN
    };
    static const struct option longopts[] = {
        {"title", required_argument, NULL, OPT_TITLE},
        {"name", required_argument, NULL, OPT_NAME},
        {"conclusion", required_argument, NULL, OPT_CONCL},
        {"status", required_argument, NULL, OPT_STATUS},
        {"head-sha", required_argument, NULL, OPT_SHA},
        {"commit-sha", required_argument, NULL, OPT_SHA},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"driver-token", required_argument, NULL, OPT_TOKEN},
        {"repo", required_argument, NULL, OPT_REPO},
        {"log", required_argument, NULL, OPT_IGN},
        {"driver", required_argument, NULL, OPT_IGN},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const conclusions[] = {"success",         "failure", "neutral",
                                              "cancelled",       "skipped", "timed_out",
                                              "action_required", NULL};
    static const char *const statuses[] = {"queued", "in_progress", "completed", NULL};
    const char *title = "runnel report", *name = NULL, *conclusion = "success";
    const char *status = "completed";
    struct cli_gh_opts go = {.need_sha = true};
    struct cli_gh ctx = {0};
    bool have_ctx = false;
    struct gh *g = NULL;
    struct err err = ERR_INIT;
    struct sbuf md = SBUF_INIT, url = SBUF_INIT;
    int ret = CLI_OK;
    bool verbose = false;
    int c;

    if (argc < 2 || strcmp(argv[1], "create")) {
        bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        usage(help ? stdout : stderr);
        return help ? CLI_OK : CLI_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TITLE:
            title = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_CONCL:
            conclusion = optarg;
            break;
        case OPT_STATUS:
            status = optarg;
            break;
        case OPT_SHA:
            go.commit_sha = optarg;
            break;
        case OPT_TOKEN:
            go.token = optarg;
            break;
        case OPT_REPO:
            go.repo = optarg;
            break;
        case OPT_IGN:
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("check create needs exactly one markdown FILE");
        return CLI_USAGE;
    }
    if (!one_of(conclusion, conclusions)) {
        cli_error("--conclusion '%s' is not one of success, failure, neutral, cancelled, skipped, "
                  "timed_out, action_required",
                  conclusion);
        return CLI_USAGE;
    }
    if (!one_of(status, statuses)) {
        cli_error("--status '%s' is not one of queued, in_progress, completed", status);
        return CLI_USAGE;
    }
    if (sbuf_read_file(&md, argv[optind], CHECK_FILE_MAX, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    if (cli_gh_load(&ctx, &go, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    have_ctx = true;
    struct gh_check_run run = {.name = name ? name : title,
                               .head_sha = ctx.sha.buf,
                               .status = status,
                               .conclusion = conclusion,
                               .title = title,
                               .summary = md.buf};
    if (gh_new(&g,
               &(struct gh_opts){.api_url = ctx.api.buf,
                                 .token = ctx.token.buf,
                                 .repo = ctx.repo.buf,
                                 .log = verbose ? cli_gh_log : NULL},
               &err) ||
        gh_check_run_create(g, &url, &run, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_FAIL;
        goto done;
    }
    printf("%s\n", url.buf);
done:
    gh_free(g);
    if (have_ctx)
        cli_gh_release(&ctx);
    sbuf_release(&md);
    sbuf_release(&url);
    return ret;
}
