/*
 * runnel: entry point. Dispatches to the subcommands; runnel invoked as `cml`, `hf` or
 * `huggingface-cli` (through a symlink) behaves as that tool's compatible subset.
 */

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/path.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"validate", cli_cmd_validate,
     "check workflow files and report errors with file, line, column"},
    {"list", cli_cmd_list, "list workflows, their jobs and what triggers them"},
    {"plan", cli_cmd_plan, "show what an event would run, in what order"},
    {"run", cli_cmd_run, "run workflows locally (-n for a dry run)"},
    {"expr", cli_cmd_expr, "evaluate a ${{ }} expression"},
    {"report", cli_cmd_report, "metrics, confusion matrix and report from predictions"},
    {"comment", cli_cmd_comment, "create or update a pull-request or commit comment"},
    {"check", cli_cmd_check, "create a check run"},
    {"cml", cli_cmd_cml, "CML-compatible commands (comment create/update, send-comment, publish)"},
    {"publish", cli_cmd_publish, "commit paths to a versioned branch and push it"},
    {"hub", cli_cmd_hub, "Hugging Face Hub: upload models, datasets and Spaces"},
    {"hf", cli_cmd_hf, "huggingface_hub-compatible commands (upload, auth login)"},
    {"actions", cli_cmd_actions, "remote action cache (pull)"},
    {"artifacts", cli_cmd_artifacts, "list and extract a run's artifacts"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    fputs("usage: runnel <command> [options]\n"
          "       runnel --version | --help\n\ncommands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nrun 'runnel <command> --help' for a command's options; docs/cli.md has them all\n",
          out);
}

static int dispatch(const char *name, int argc, char **argv)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!strcmp(commands[i].name, name))
            return commands[i].fn(argc, argv);
    }
    cli_error("unknown command '%s' (see 'runnel --help')", name);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    const char *self = argc > 0 ? path_basename(argv[0]) : "runnel";
    if (!strcmp(self, "cml"))
        return cli_cmd_cml(argc, argv);
    if (!strcmp(self, "hf") || !strcmp(self, "huggingface-cli"))
        return cli_cmd_hf(argc, argv);

    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("runnel %s\n", RUNNEL_VERSION);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    /* Each command sees its own name as argv[0], as getopt expects. */
    return dispatch(argv[1], argc - 1, argv + 1);
}
