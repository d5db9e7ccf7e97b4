/*
 * runnel plan [EVENT] [flags]: what EVENT (default push, as act chooses) would run, in what order,
 * with every matrix leg and where it runs, and why each workflow and job is or is not triggered.
 *   --json   the plan as JSON (for tools)      --dot   the job graph for Graphviz
 *   --context  the github context, inputs and GITHUB_* variables of each triggered workflow
 *   -v       also the jobs of workflows that are not triggered, and filtered jobs
 * Exit status: 0, or 2 when a workflow is invalid or the flags/event are unusable.
 */
#include "cli.h"

#include <string.h>

#include "plan/plan.h"
#include "plan_flags.h"
#include "util/sbuf.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: runnel plan [EVENT] [--json | --dot | --context] [-v] [flags]\n\n"
            "EVENT defaults to push (or, when no workflow has push, the first workflow's first "
            "event).\nFlags shared with list and run:\n%s",
            plan_flags_usage);
}

int cli_cmd_plan(int argc, char **argv)
{
    struct plan_flags f;
    plan_flags_init(&f);
    bool json = false;
    bool dot = false;
    bool verbose = false;
    bool contexts = false;
    int status = CLI_OK;
    struct plan *p = NULL;
    struct sbuf out = SBUF_INIT;
    for (int i = 1; i < argc; i++) {
        int r = plan_flags_parse_one(&f, argc, argv, &i);
        if (r < 0) {
            status = CLI_USAGE;
            goto done;
        }
        if (r > 0)
            continue;
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--dot")) {
            dot = true;
        } else if (!strcmp(a, "--context")) {
            contexts = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            goto done;
        } else if (a[0] == '-') {
            cli_error("plan: unknown option '%s' (see 'runnel plan --help')", a);
            status = CLI_USAGE;
            goto done;
        } else if (!f.event_name) {
            f.event_name = a;
        } else {
            cli_error("plan: more than one event given ('%s' and '%s')", f.event_name, a);
            status = CLI_USAGE;
            goto done;
        }
    }
    if (json + dot + contexts > 1) {
        cli_error("plan: --json, --dot and --context exclude each other");
        status = CLI_USAGE;
        goto done;
    }
    struct plan_opts o = PLAN_OPTS_INIT;
    status = plan_flags_finish(&f, &o);
    if (status)
        goto done;
    o.all_workflows = verbose;
    struct err err = ERR_INIT;
    if (plan_build(&p, &o, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_USAGE;
        goto done;
    }
    if (json)
        plan_write_json(&out, p);
    else if (dot)
        plan_write_dot(&out, p);
    else if (contexts)
        plan_write_contexts(&out, p);
    else
        plan_write_text(&out, p, verbose);
    fwrite(out.buf, 1, out.len, stdout);
    for (size_t i = 0; i < p->nworkflows; i++) {
        if (p->workflows[i].error && (json || dot))
            fprintf(stderr, "%s\n", p->workflows[i].error);
    }
    if (p->nerrors)
        status = CLI_USAGE;
done:
    sbuf_release(&out);
    plan_free(p);
    plan_flags_release(&f);
    return status;
}
