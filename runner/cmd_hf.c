/*
 * runnel hf: the huggingface_hub CLI spellings existing Makefiles use, so they work unchanged
 * (runnel also answers to these when invoked as `hf` or `huggingface-cli`):
 *
 *   hf upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]   (creates the repo, as hf does)
 *   hf auth login --token T [--add-to-git-credential]         (also `huggingface-cli login`)
 *   hf auth whoami | hf auth logout                           (also `whoami`, `logout`)
 */
#include "cli.h"
#include "cmd_hub.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub.h"
#include "util/str.h"

static int login(int argc, char **argv)
{
    const char *token = NULL;
    bool git_credential = false;
    struct sbuf line = SBUF_INIT;
    struct sbuf clean = SBUF_INIT;
    struct sbuf name = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    struct hub *h = NULL;
    struct err err = ERR_INIT;
    int status = CLI_USAGE;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--token") && i + 1 < argc) {
            token = argv[++i];
        } else if (str_has_prefix(argv[i], "--token=")) {
            token = argv[i] + strlen("--token=");
        } else if (!strcmp(argv[i], "--add-to-git-credential")) {
            git_credential = true;
        } else {
            cli_error("unexpected argument '%s' (usage: hf auth login --token T)", argv[i]);
            goto done;
        }
    }
    if (!token) {
        /* No prompt: read one line from a pipe (`echo $HF_TOKEN | hf auth login`). */
        if (isatty(0)) {
            cli_error("give the token with --token T or on standard input");
            goto done;
        }
        if (sbuf_read_fd(&line, 0, 64u << 10, &err) < 0) {
            cli_error_err("reading the token", &err);
            goto done;
        }
        sbuf_rtrim(&line);
        token = line.buf;
    }
    hub_token_clean(&clean, token);
    if (!clean.len || memchr(clean.buf, ' ', clean.len) || memchr(clean.buf, '\t', clean.len)) {
        cli_error("the token is empty or has spaces");
        goto done;
    }
    /* As huggingface_hub's login (_validate_and_save_token): an organization token is refused,
     * and the token is checked with whoami at $HF_ENDPOINT before anything is saved. The
     * embedded hub (a file:// endpoint) has no tokens, so there login works offline. */
    if (str_has_prefix(clean.buf, "api_org")) {
        cli_error("you must use your personal account token, not an organization token");
        goto done;
    }
    status = cli_hub_open(&h, NULL, clean.buf);
    if (status != CLI_OK)
        goto done;
    if (hub_whoami(h, &name, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    if (hub_token_save(clean.buf, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    hub_token_path(&path);
    fprintf(stderr, "Login successful: logged in as %s\nToken saved to %s\n", name.buf, path.buf);
    if (git_credential)
        fputs("note: --add-to-git-credential is accepted but runnel does not write git "
              "credentials; runnel uploads over the Hub's HTTP API and needs none\n",
              stderr);
    status = CLI_OK;
done:
    hub_free(h);
    sbuf_release(&line);
    sbuf_release(&clean);
    sbuf_release(&name);
    sbuf_release(&path);
    return status;
}

static int logout(void)
{
    struct sbuf path = SBUF_INIT;
    hub_token_path(&path);
    int status = CLI_OK;
    if (unlink(path.buf) == 0) {
        fprintf(stderr, "Removed the token at %s\n", path.buf);
    } else {
        fputs("Not logged in\n", stderr);
    }
    sbuf_release(&path);
    return status;
}

static int auth(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("usage: hf auth login|whoami|logout");
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "login"))
        return login(argc - 1, argv + 1);
    if (!strcmp(argv[1], "whoami"))
        return cli_hub_whoami(argc - 1, argv + 1);
    if (!strcmp(argv[1], "logout"))
        return logout();
    cli_error("unknown auth command '%s' (login, whoami, logout)", argv[1]);
    return CLI_USAGE;
}

int cli_cmd_hf(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs("usage: hf upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]\n"
              "       hf auth login --token T | hf auth whoami | hf auth logout\n"
              "(runnel's huggingface_hub-compatible subset; see docs/cli.md)\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "upload"))
        return cli_hub_upload(argc - 1, argv + 1, true);
    if (!strcmp(cmd, "auth"))
        return auth(argc - 1, argv + 1);
    /* The older huggingface-cli spellings. */
    if (!strcmp(cmd, "login"))
        return login(argc - 1, argv + 1);
    if (!strcmp(cmd, "whoami"))
        return cli_hub_whoami(argc - 1, argv + 1);
    if (!strcmp(cmd, "logout"))
        return logout();
    cli_error("'%s %s' is not supported by runnel (upload, auth login|whoami|logout)", argv[0],
              cmd);
    return CLI_USAGE;
}
