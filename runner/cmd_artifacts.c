/*
 * runnel artifacts: the artifacts a local run stored with actions/upload-artifact
 * (docs/cli.md, "runnel artifacts").
 *
 *   runnel artifacts [--run-dir DIR] [list]           one line per artifact: name, files, bytes
 *   runnel artifacts [--run-dir DIR] extract NAME DEST copies artifact NAME into DEST
 *
 * DIR defaults to $RUNNEL_RUN_DIR, else .runnel/runs/latest (the executor's run directory).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: runnel artifacts [--run-dir DIR] [list]\n"
          "       runnel artifacts [--run-dir DIR] extract NAME DEST\n"
          "DIR defaults to $RUNNEL_RUN_DIR, else .runnel/runs/latest\n",
          out);
}

int cli_cmd_artifacts(int argc, char **argv)
{
    const char *run_dir = getenv("RUNNEL_RUN_DIR");
    const char *pos[4];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--run-dir")) {
            if (i + 1 >= argc) {
                cli_error("option '--run-dir' needs a value");
                return CLI_USAGE;
            }
            run_dir = argv[++i];
        } else if (!strncmp(a, "--run-dir=", 10)) {
            run_dir = a + 10;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s'", a);
            usage(stderr);
            return CLI_USAGE;
        } else if (npos < 4) {
            pos[npos++] = a;
        } else {
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (!run_dir || !*run_dir)
        run_dir = ".runnel/runs/latest";
    struct err err = ERR_INIT;
    if (npos == 0 || (npos == 1 && !strcmp(pos[0], "list"))) {
        struct vec list = VEC_INIT(struct actions_artifact_info);
        if (actions_artifacts_list(&list, run_dir, &err) < 0) {
            cli_error_err(NULL, &err);
            return CLI_FAIL;
        }
        vec_foreach (struct actions_artifact_info, a, &list) {
            printf("%s\t%" PRIu64 " file%s\t%" PRIu64 " bytes\n", a->name, a->files,
                   a->files == 1 ? "" : "s", a->bytes);
        }
        actions_artifacts_list_release(&list);
        return CLI_OK;
    }
    if (npos == 3 && !strcmp(pos[0], "extract")) {
        if (actions_artifact_extract(run_dir, pos[1], pos[2], &err) < 0) {
            cli_error_err(NULL, &err);
            return CLI_FAIL;
        }
        return CLI_OK;
    }
    usage(stderr);
    return CLI_USAGE;
}
