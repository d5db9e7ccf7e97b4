#ifndef RUNNER_PLAN_CLI_H
#define RUNNER_PLAN_CLI_H

/*
 * The act-compatible options shared by `runnel list`, `runnel plan` (and later `runnel run`):
 *   EVENT                 the event (default push)
 *   -W, --workflows PATH  a workflow file or directory (default .github/workflows/)
 *   -j, --job ID          only this job and what it needs
 *   -e, --eventpath FILE  the event payload
 *   --input k=v           workflow_dispatch / workflow_call inputs
 *   --matrix k:v          only matrix legs with these values
 *   -P, --platform L=H    run runs-on label L on H ("host", or an image name)
 *   -C, --directory DIR   the repository (default .)
 *   --actor NAME, --base REF (pull_request), --workflow-run NAME (workflow_run)
 *   --secret k=v, -s, --secret-file F, --var k=v, --var-file F, --env k=v, --env-file F
 * Defaults are read first from ~/.runnelrc then ./.runnelrc (act's .actrc format: one option,
 * with its value, per line; # comments).
 *
 * Lifecycle: struct plan_cli pc; plan_cli_init(&pc); plan_cli_parse(&pc, argc, argv, extra)
 * -> plan_cli_load_workflows(&pc) -> use pc.wfs / pc.event_opts ... -> plan_cli_release(&pc).
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "plan/plan.h"
#include "util/vec.h"
#include "workflow/workflow.h"

struct plan_cli {
    const char *event;
    const char *workflows; /* -W */
    const char *dir;       /* -C */
    const char *job;
    bool json, dot;
    struct plan_event_opts event_opts;
    struct vec inputs;  /* struct plan_input, strings owned in `strings` */
    struct vec labels;  /* struct plan_label_map */
    struct vec matrix;  /* struct plan_input (k, v) */
    cJSON *vars;        /* --var, --var-file */
    cJSON *secrets;     /* --secret, --secret-file (never printed) */
    cJSON *env;         /* --env, --env-file */
    struct vec strings; /* char *: every string this struct owns */
    struct vec wfs;     /* struct wf * loaded */
    struct vec paths;   /* char *: workflow file paths */
};

void plan_cli_init(struct plan_cli *pc);
void plan_cli_release(struct plan_cli *pc);
/*
 * Parses options (after .runnelrc defaults). `extra` names additional boolean flags the command
 * accepts (e.g. "--json"); returns 0, or CLI_USAGE after printing the problem.
 */
int plan_cli_parse(struct plan_cli *pc, int argc, char **argv);
/* Loads every workflow named by -W (or .github/workflows); invalid ones are printed. CLI_FAIL
 * when any is invalid, 0 otherwise. */
int plan_cli_load_workflows(struct plan_cli *pc);

#endif
