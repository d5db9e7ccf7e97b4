/*
 * runnel report: metrics, confusion matrix and report from a predictions file.
 *
 *   runnel report --predictions FILE [--true-col C --pred-col C] [--score-col C]
 *                 [--delimiter D] [--format csv|jsonl] [--baseline F | --baseline-branch B
 *                 [--baseline-path P]] [--title T] --out DIR
 *
 * Exit 1 when the predictions or the baseline are invalid, 2 for usage and I/O errors.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "git/git.h"
#include "report/report.h"
#include "util/path.h"

static void usage(FILE *out)
{
    fputs(
        "usage: runnel report --predictions FILE --out DIR [options]\n"
        "  -p, --predictions FILE  CSV (header row) or JSON lines with true and predicted labels\n"
        "      --true-col C        true-label column (default: y_true, label, actual, target)\n"
        "      --pred-col C        predicted-label column (default: y_pred, prediction,\n"
        "                          predicted, pred)\n"
        "      --score-col C       positive-class score of a binary task (adds ROC AUC)\n"
        "      --delimiter D       CSV delimiter (default ',', TAB for .tsv; 'tab' for TAB)\n"
        "      --format F          csv or jsonl (default: by extension, else by content)\n"
        "      --baseline F        an earlier metrics.json to compare with\n"
        "      --title T           report title (default \"Model report\")\n"
        "  -o, --out DIR           output folder: metrics.json, report.md,\n"
        "                          confusion_matrix.svg, confusion_matrix.png\n"
        "Inside a run ($GITHUB_STEP_SUMMARY set) the report is also appended to the step "
        "summary.\n",
        out);
}

/*
 * The baseline from the newest version of a results branch (what `runnel publish` made), read
 * with the git capability from origin (or the local branch without one) into a scratch folder.
 */
static int baseline_from_branch(struct report_baseline **out, const char *branch, const char *path,
                                struct err *err)
{
    int rc = 0;
    struct repo *r = NULL;
    struct sbuf tmp = SBUF_INIT, file = SBUF_INIT;
    struct err ignored = ERR_INIT;
    const char *token = getenv("GITHUB_TOKEN");
    const char *tmpdir = getenv("TMPDIR");

    repo_global_init();
    rc = repo_open(&r, ".", err);
    if (rc)
        goto done;
    sbuf_addf(&tmp, "%s/runnel-baseline-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    struct sbuf made = SBUF_INIT;
    rc = fs_mkdtemp(&made, tmp.buf, err);
    sbuf_reset(&tmp);
    sbuf_addstr(&tmp, made.buf);
    sbuf_release(&made);
    if (rc)
        goto done;
    const char *paths[] = {path};
    struct repo_get_opts go = {
        .src = {.branch = branch, .token = token && *token ? token : NULL},
        .version = "latest",
        .paths = paths,
        .npaths = 1,
        .out_dir = tmp.buf,
    };
    char commit[41];
    rc = repo_get(commit, r, &go, err);
    if (rc) {
        err_prefix(err, "branch '%s': ", branch);
        goto done;
    }
    path_join(&file, tmp.buf, path);
    rc = report_baseline_load(out, file.buf, err);
    if (rc)
        err_prefix(err, "branch '%s' at %.12s: ", branch, commit);
done:
    if (tmp.len)
        fs_remove_tree(tmp.buf, &ignored);
    repo_free(r);
    repo_global_shutdown();
    sbuf_release(&tmp);
    sbuf_release(&file);
    return rc;
}

static int exit_for(const struct err *err)
{
    return err->code == ERR_INVALID ? CLI_FAIL : CLI_USAGE;
}

int cli_cmd_report(int argc, char **argv)
{
    enum {
        OPT_TRUE = 256,
        OPT_PRED,
        OPT_SCORE,
        OPT_DELIM,
        OPT_FORMAT,
        OPT_BASELINE,
        OPT_BASE_BRANCH,
        OPT_BASE_PATH,
        OPT_TITLE
    };
    static const struct option longopts[] = {
        {"predictions", required_argument, NULL, 'p'},
        {"true-col", required_argument, NULL, OPT_TRUE},
        {"pred-col", required_argument, NULL, OPT_PRED},
        {"score-col", required_argument, NULL, OPT_SCORE},
        {"delimiter", required_argument, NULL, OPT_DELIM},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"baseline-branch", required_argument, NULL, OPT_BASE_BRANCH},
        {"baseline-path", required_argument, NULL, OPT_BASE_PATH},
        {"title", required_argument, NULL, OPT_TITLE},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct report_read_opts ro = REPORT_READ_OPTS_INIT;
    const char *predictions = NULL, *baseline_path = NULL, *title = NULL, *out_dir = NULL;
    const char *baseline_branch = NULL, *baseline_in_branch = "metrics.json";
    struct report_metrics *m = NULL;
    struct report_baseline *baseline = NULL;
    struct err err = ERR_INIT;
    struct sbuf sb = SBUF_INIT;
    int ret = CLI_OK;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            predictions = optarg;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case OPT_TRUE:
            ro.true_col = optarg;
            break;
        case OPT_PRED:
            ro.pred_col = optarg;
            break;
        case OPT_SCORE:
            ro.score_col = optarg;
            break;
        case OPT_DELIM:
            if (!strcmp(optarg, "tab") || !strcmp(optarg, "\\t")) {
                ro.delimiter = '\t';
            } else if (strlen(optarg) == 1) {
                ro.delimiter = optarg[0];
            } else {
                cli_error("--delimiter takes one character (or 'tab'), not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "csv")) {
                ro.format = REPORT_FORMAT_CSV;
            } else if (!strcmp(optarg, "jsonl")) {
                ro.format = REPORT_FORMAT_JSONL;
            } else {
                cli_error("--format is csv or jsonl, not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_BASELINE:
            baseline_path = optarg;
            break;
        case OPT_BASE_BRANCH:
            baseline_branch = optarg;
            break;
        case OPT_BASE_PATH:
            baseline_in_branch = optarg;
            break;
        case OPT_TITLE:
            title = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc && !predictions)
        predictions = argv[optind++];
    if (optind < argc) {
        cli_error("unexpected argument '%s'", argv[optind]);
        return CLI_USAGE;
    }
    if (!predictions || !out_dir) {
        cli_error("report needs --predictions FILE and --out DIR");
        usage(stderr);
        return CLI_USAGE;
    }

    if (report_load(&m, predictions, &ro, &err)) {
        cli_error_err(NULL, &err);
        ret = exit_for(&err);
        goto done;
    }
    if (baseline_path && baseline_branch) {
        cli_error("--baseline and --baseline-branch are alternatives; give one");
        ret = CLI_USAGE;
        goto done;
    }
    if (baseline_branch &&
        baseline_from_branch(&baseline, baseline_branch, baseline_in_branch, &err)) {
        cli_error_err("baseline", &err);
        ret = exit_for(&err);
        goto done;
    }
    if (baseline_path && report_baseline_load(&baseline, baseline_path, &err)) {
        cli_error_err("baseline", &err);
        ret = exit_for(&err);
        goto done;
    }
    struct report_written written;
    struct report_out_opts oo = {.dir = out_dir, .title = title, .baseline = baseline};
    if (report_write(&written, m, &oo, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }

    /* In a run, the step summary gets the report too (without the image: its link is relative). */
    const char *summary = getenv("GITHUB_STEP_SUMMARY");
    if (summary && *summary) {
        report_render_markdown(&sb, m,
                               &(struct report_md_opts){.title = title, .baseline = baseline});
        sbuf_addch(&sb, '\n');
        if (fs_append_file(summary, sb.buf, sb.len, &err)) {
            cli_error_err("step summary", &err);
            ret = CLI_USAGE;
            goto done;
        }
    }

    printf("%llu predictions, %zu classes: accuracy %.4f, macro F1 %.4f, weighted F1 %.4f\n",
           (unsigned long long)m->n_samples, m->n_labels, m->accuracy, m->f1_macro, m->f1_weighted);
    printf("wrote %s/metrics.json, %s/report.md%s%s\n", out_dir, out_dir,
           written.svg ? ", confusion_matrix.svg" : "",
           written.png ? ", confusion_matrix.png" : "");
    if (written.note[0])
        fprintf(stderr, "runnel: note: %s\n", written.note);
done:
    sbuf_release(&sb);
    report_baseline_free(baseline);
    report_metrics_free(m);
    return ret;
}
