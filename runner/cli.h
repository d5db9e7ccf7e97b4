#ifndef RUNNER_CLI_H
#define RUNNER_CLI_H

/*
 * The runnel executable: the only code that parses argv, prints to the terminal and picks exit
 * codes (docs/architecture.md). main.c dispatches to one cli_cmd_<name>() per subcommand, each in
 * its own cmd_<name>.c. Every command returns its exit status:
 *   0  success
 *   1  the thing checked or run failed (invalid workflow, failed job, ...)
 *   2  usage error, or the engine could not do its work
 */

#include <stdbool.h>
#include <stdio.h>

#include "util/err.h"

enum cli_exit {
    CLI_OK = 0,
    CLI_FAIL = 1,
    CLI_USAGE = 2,
};

int cli_cmd_validate(int argc, char **argv);
int cli_cmd_list(int argc, char **argv);
int cli_cmd_plan(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_expr(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_comment(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_cml(int argc, char **argv);
int cli_cmd_publish(int argc, char **argv);
int cli_cmd_hub(int argc, char **argv);
int cli_cmd_hf(int argc, char **argv);
int cli_cmd_actions(int argc, char **argv);
int cli_cmd_artifacts(int argc, char **argv);

/* Prints "runnel: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "runnel: <prefix>: <err.msg>" (or just the message when prefix is NULL). */
void cli_error_err(const char *prefix, const struct err *err);
/*
 * Prints the source line `line` (1-based) of the file at path on stderr with a '^' under column
 * `col` (1-based), as jq does; prints nothing when the file or line cannot be read.
 */
void cli_show_location(const char *path, size_t line, size_t col);
/* For subcommands a later capability fills in: says so and returns CLI_USAGE. */
int cli_not_yet(const char *command);

struct sbuf;
/* Where `runnel run` keeps its runs by default: ${XDG_CACHE_HOME:-~/.cache}/runnel/runs. */
void cli_runs_root(struct sbuf *out);
/* True for the name of a run directory made there: <YYYYMMDD-HHMMSS-pid>. */
bool cli_is_run_name(const char *name);

#endif
