/*
 * runnel artifacts: the artifacts a local run stored with actions/upload-artifact
 * (docs/cli.md, "runnel artifacts").
 *
 *   runnel artifacts [--run-dir DIR] [list]           one line per artifact: name, files, bytes
 *   runnel artifacts [--run-dir DIR] extract NAME DEST copies artifact NAME into DEST
 *
 * DIR defaults to $RUNNEL_RUN_DIR, else the newest run of `runnel run`'s default place,
 * ${XDG_CACHE_HOME:-~/.cache}/runnel/runs/<YYYYMMDD-HHMMSS-pid> (the greatest name sorts last).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include "actions/actions.h"
#include "cli.h"
#include "util/path.h"
#include "util/sbuf.h"

/* The newest run directory of `runnel run` (names are UTC timestamps, so the greatest wins). */
static bool newest_run(struct sbuf *out)
{
    struct sbuf runs = SBUF_INIT;
    cli_runs_root(&runs);
    struct sbuf best = SBUF_INIT;
    DIR *d = opendir(runs.buf);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            struct sbuf mark = SBUF_INIT;
            sbuf_addf(&mark, "%s/%s/.dry-run", runs.buf, de->d_name);
            bool dry = fs_exists(mark.buf);
            sbuf_release(&mark);
            if (cli_is_run_name(de->d_name) && !dry && strcmp(de->d_name, best.buf) > 0) {
                sbuf_reset(&best);
                sbuf_addstr(&best, de->d_name);
            }
        }
        closedir(d);
    }
    bool found = best.len > 0;
    if (found)
        sbuf_addf(out, "%s/%s", runs.buf, best.buf);
    else
        sbuf_addstr(out, runs.buf);
    sbuf_release(&runs);
    sbuf_release(&best);
    return found;
}

static void usage(FILE *out)
{
    fputs("usage: runnel artifacts [--run-dir DIR] [list]\n"
          "       runnel artifacts [--run-dir DIR] extract NAME DEST\n"
          "DIR defaults to $RUNNEL_RUN_DIR, else the newest run under\n"
          "${XDG_CACHE_HOME:-~/.cache}/runnel/runs\n",
          out);
}

static int artifacts_main(const char *run_dir, int npos, const char *const *pos);

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
    struct sbuf found = SBUF_INIT;
    if (!run_dir || !*run_dir) {
        if (!newest_run(&found)) {
            cli_error("no run found in '%s' (give --run-dir DIR)", found.buf);
            sbuf_release(&found);
            return CLI_FAIL;
        }
        run_dir = found.buf;
    }
    int status = artifacts_main(run_dir, npos, pos);
    sbuf_release(&found);
    return status;
}

static int artifacts_main(const char *run_dir, int npos, const char *const *pos)
{
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
        if (actions_artifact_extract(run_dir, pos[1], pos[2], NULL, &err) < 0) {
            cli_error_err(NULL, &err);
            return CLI_FAIL;
        }
        return CLI_OK;
    }
    usage(stderr);
    return CLI_USAGE;
}
