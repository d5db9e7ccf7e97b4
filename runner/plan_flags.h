#ifndef RUNNER_PLAN_FLAGS_H
#define RUNNER_PLAN_FLAGS_H

/*
 * The act-compatible flags that `runnel list`, `runnel plan` and `runnel run` share, and the
 * `.runnelrc` defaults file (act's .actrc form: one flag per line, "-P ubuntu-latest=host" or
 * "--actor me"; blank lines and lines starting with '#' ignored). Files read, in order, before
 * the command line: $HOME/.runnelrc, then <repo root>/.runnelrc; later values win for single-valued
 * flags, list flags accumulate.
 *
 * Use:
 *   struct plan_flags f; plan_flags_init(&f);
 *   for (int i = 1; i < argc; i++) {
 *       int r = plan_flags_parse_one(&f, argc, argv, &i);   // 1: consumed (i advanced past a
 *       if (r < 0) -> usage error (already printed)          //    separate value), 0: not ours
 *       if (r == 0) -> the command's own flag or a positional (the EVENT)
 *   }
 *   struct plan_opts o = PLAN_OPTS_INIT;
 *   plan_flags_finish(&f, &o)       reads .runnelrc (under the command line), the secret/var/env
 *                                   files, and fills o (pointers into f); prints errors itself
 *   plan_build(&p, &o, &err) ...
 *   plan_flags_release(&f);         after the plan is freed
 *
 * Flags (docs/cli.md "Shared flags"):
 *   -W, --workflows PATH    -j, --job ID           -e, --eventpath FILE   -C, --directory DIR
 *   --input K=V             --matrix K:V           -P, --platform L=H     --actor NAME
 *   --secret K[=V]          --secret-file FILE     --var K=V              --var-file FILE
 *   --env K=V               --env-file FILE        --base REF             --before SHA
 *   --type TYPE             --repository O/R       --run-workflow NAME    --run-conclusion C
 *   --no-rc                 (do not read .runnelrc)      --strict (no act allowances)
 * `--secret K` without a value takes it from the environment, as act does. Values may also be
 * given as --flag=value.
 */

#include <stdbool.h>

#include "plan/plan.h"
#include "util/arena.h"
#include "util/vec.h"

struct plan_flags {
    struct arena arena; /* strings read from files and .runnelrc */
    const char *workflows, *job, *event_path, *dir, *actor, *base, *before, *type, *repository;
    const char *run_workflow, *run_conclusion;
    const char *event_name; /* the positional EVENT, set by the command */
    struct vec inputs, matrix, platforms, secrets, vars, env; /* struct plan_kv */
    struct vec secret_files, var_files, env_files;            /* const char * */
    bool no_rc;
    bool strict; /* --strict: GitHub's validation without act's allowances */
    bool rc_loaded;
};

void plan_flags_init(struct plan_flags *f);
/* See above. Returns 1 (consumed), 0 (not a shared flag) or -1 (usage error, printed). */
int plan_flags_parse_one(struct plan_flags *f, int argc, char **argv, int *i);
/* Reads .runnelrc files and the named files, fills o. Returns 0, or CLI_USAGE after printing. */
int plan_flags_finish(struct plan_flags *f, struct plan_opts *o);
void plan_flags_release(struct plan_flags *f);
/* The usage lines of the shared flags, for a command's --help. */
extern const char plan_flags_usage[];

#endif
