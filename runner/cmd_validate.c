#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "yaml/yaml.h"

/*
 * runnel validate FILE...: for now, loads each file as YAML and reports the first error of each
 * with its file, line and column (the workflow capability adds the workflow checks).
 */

static void usage(FILE *out)
{
    fputs("usage: runnel validate FILE...\n", out);
}

int cli_cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        usage(stderr);
        return CLI_USAGE;
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    int status = CLI_OK;
    for (int i = optind; i < argc; i++) {
        struct yml_doc *doc = NULL;
        struct yml_pos pos = {0};
        struct yml_opts opts = {.err_pos = &pos};
        struct err err = ERR_INIT;
        if (yml_load(&doc, argv[i], &opts, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            cli_show_location(argv[i], pos.line, pos.col);
            status = CLI_FAIL;
            continue;
        }
        printf("%s: ok\n", argv[i]);
        yml_free(doc);
    }
    return status;
}
