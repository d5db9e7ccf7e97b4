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

struct hub;
/*
 * Makes the hub commands talk to: endpoint NULL means $HF_ENDPOINT, else the Hub; token NULL
 * means $HF_TOKEN, else the token file. On failure prints why and returns CLI_USAGE; CLI_OK
 * otherwise, with *out to free with hub_free.
 */
int cli_hub_open(struct hub **out, const char *endpoint, const char *token);

#endif
