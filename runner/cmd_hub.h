#ifndef RUNNER_CMD_HUB_H
#define RUNNER_CMD_HUB_H

/*
 * Shared by `runnel hub ...` and the huggingface_hub-compatible `runnel hf ...` (cmd_hf.c).
 */

#include <stdbool.h>

/* `upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]`; argv[0] is "upload". hf_style: create
 * the repo first as `hf upload` does (otherwise only with --create). Returns the exit status. */
int cli_hub_upload(int argc, char **argv, bool hf_style);
/* `whoami`: prints the token's user. */
int cli_hub_whoami(int argc, char **argv);

#endif
