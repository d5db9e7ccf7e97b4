/*
 * runnel actions: the remote action cache (docs/cli.md, "runnel actions").
 *
 *   runnel actions pull [-W PATH]... [USES...] [options]
 *       downloads into the action cache every remote action (and remote reusable workflow
 *       repository) that the workflows under PATH use (default .github/workflows), plus any
 *       USES given; actions with a built-in are skipped unless --include-builtin
 *   runnel actions path USES [options]
 *       prints the directory the action's files are in (downloading it unless --offline)
 *
 * Options: --offline, --api-url URL ($GITHUB_API_URL), --cache-dir DIR, --action-path
 * owner/repo@ref=DIR (repeatable), --include-builtin. The token comes from $GITHUB_TOKEN (or
 * $GH_TOKEN) and is never printed. Workflows are read with the workflow loader (this file is in
 * runner/, so src/actions/ stays independent of src/workflow/).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "cli.h"
#include "util/map.h"
#include "util/path.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"
#include "workflow/workflow.h"

struct actions_cli {
    struct vec workflows; /* const char *: -W values (borrowed from argv) */
    struct vec uses;      /* const char *: positional USES */
    struct vec maps;      /* struct actions_mapping */
    struct actions_fetch_opts fetch;
    bool include_builtin;
};

static void usage(FILE *out)
{
    fputs("usage: runnel actions pull [-W PATH]... [USES...] [--offline] [--api-url URL]\n"
          "                           [--cache-dir DIR] [--action-path owner/repo@ref=DIR]...\n"
          "                           [--include-builtin]\n"
          "       runnel actions path USES [same options]\n"
          "PATH is a workflow file or a directory of them (default .github/workflows); the token\n"
          "is read from GITHUB_TOKEN or GH_TOKEN\n",
          out);
}

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name)) {
        if (*i + 1 >= argc) {
            cli_error("option '%s' needs a value", name);
            return NULL;
        }
        return argv[++*i];
    }
    return NULL;
}

/* Parses the options shared by pull and path; returns CLI_OK or CLI_USAGE. */
static int parse(struct actions_cli *cli, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "--offline")) {
            cli->fetch.offline = true;
        } else if (!strcmp(a, "--include-builtin")) {
            cli->include_builtin = true;
        } else if (!strcmp(a, "-W") || !strncmp(a, "--workflows", 11)) {
            v = !strcmp(a, "-W") ? (i + 1 < argc ? argv[++i] : NULL)
                                 : opt_value(argc, argv, &i, "--workflows");
            if (!v) {
                cli_error("option '-W' needs a value");
                return CLI_USAGE;
            }
            *(const char **)vec_push(&cli->workflows) = v;
        } else if (!strncmp(a, "--api-url", 9)) {
            if (!(v = opt_value(argc, argv, &i, "--api-url")))
                return CLI_USAGE;
            cli->fetch.api_url = v;
        } else if (!strncmp(a, "--cache-dir", 11)) {
            if (!(v = opt_value(argc, argv, &i, "--cache-dir")))
                return CLI_USAGE;
            cli->fetch.cache_dir = v;
        } else if (!strncmp(a, "--action-path", 13)) {
            if (!(v = opt_value(argc, argv, &i, "--action-path")))
                return CLI_USAGE;
            struct actions_mapping m;
            struct err err = ERR_INIT;
            if (actions_mapping_parse(&m, v, &err) < 0) {
                cli_error_err(NULL, &err);
                return CLI_USAGE;
            }
            *(struct actions_mapping *)vec_push(&cli->maps) = m;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s'", a);
            usage(stderr);
            return CLI_USAGE;
        } else {
            *(const char **)vec_push(&cli->uses) = a;
        }
    }
    cli->fetch.maps = cli->maps.items;
    cli->fetch.nmaps = cli->maps.len;
    const char *tok = getenv("GITHUB_TOKEN");
    if (!tok || !*tok)
        tok = getenv("GH_TOKEN");
    cli->fetch.token = tok && *tok ? tok : NULL;
    return CLI_OK;
}

static void cli_release(struct actions_cli *cli)
{
    vec_release(&cli->workflows);
    vec_release(&cli->uses);
    vec_foreach (struct actions_mapping, m, &cli->maps)
        actions_mapping_release(m);
    vec_release(&cli->maps);
}

/* Adds the remote uses: of one workflow file (steps and reusable-workflow jobs) to seen. */
static int scan_file(struct map *seen, const char *path)
{
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    struct wf_load_opts o = WF_LOAD_OPTS_INIT;
    o.skip_reusable = true;
    o.lenient = true;
    o.keep_invalid = true;
    int rc = wf_load(&wf, path, &o, &err);
    if (!wf) {
        cli_error_err(NULL, &err);
        return CLI_FAIL;
    }
    if (rc < 0)
        fprintf(stderr, "runnel: warning: %s (scanning its uses: anyway)\n", err.msg);
    for (size_t j = 0; j < wf->njobs; j++) {
        const struct wf_job *job = wf->jobs[j];
        if (job->uses && job->uses->kind == WF_TOK_STRING && job->uses->str)
            map_set(seen, job->uses->str, NULL);
        for (size_t s = 0; s < job->nsteps; s++) {
            const struct wf_token *u = job->steps[s]->uses;
            if (u && u->kind == WF_TOK_STRING && u->str)
                map_set(seen, u->str, NULL);
        }
    }
    wf_free(wf);
    return CLI_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scan_path(struct map *seen, const char *path)
{
    if (!fs_is_dir(path)) {
        if (!fs_exists(path)) {
            cli_error("workflow path '%s' not found", path);
            return CLI_FAIL;
        }
        return scan_file(seen, path);
    }
    DIR *d = opendir(path);
    if (!d) {
        cli_error("cannot read directory '%s'", path);
        return CLI_FAIL;
    }
    struct vec names = VEC_INIT(char *);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (str_has_suffix(de->d_name, ".yml") || str_has_suffix(de->d_name, ".yaml"))
            *(char **)vec_push(&names) = xstrdup(de->d_name);
    }
    closedir(d);
    vec_sort(&names, cmp_str);
    int status = CLI_OK;
    struct sbuf p = SBUF_INIT;
    vec_foreach (char *, n, &names) {
        sbuf_reset(&p);
        path_join(&p, path, *n);
        if (scan_file(seen, p.buf) != CLI_OK)
            status = CLI_FAIL;
        xfree(*n);
    }
    vec_release(&names);
    sbuf_release(&p);
    return status;
}

/* Fetches one uses: value; prints what happened. Returns CLI_OK or CLI_FAIL. */
static int pull_one(const struct actions_cli *cli, const char *uses)
{
    struct actions_ref r;
    struct err err = ERR_INIT;
    if (actions_ref_parse(&r, uses, &err) < 0) {
        cli_error_err(NULL, &err);
        return CLI_FAIL;
    }
    int status = CLI_OK;
    struct actions_fetched f = ACTIONS_FETCHED_INIT;
    if (r.kind != ACTIONS_REF_REMOTE)
        goto done; /* local and docker actions have nothing to pull */
    if (!cli->include_builtin && actions_builtin_has(uses)) {
        printf("skipped %s (runnel has a built-in; --include-builtin pulls it anyway)\n", uses);
        goto done;
    }
    /* sub actions and reusable workflows of a repository share its one download (cache) */
    if (actions_fetch(&f, &r, &cli->fetch, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto done;
    }
    printf("%s %s%s%s -> %s\n", f.source == ACTIONS_SOURCE_DOWNLOAD ? "pulled" : "have", uses,
           f.sha ? " sha " : "", f.sha ? f.sha : "", f.dir.buf);
done:
    actions_fetched_release(&f);
    actions_ref_release(&r);
    return status;
}

static int cmd_pull(int argc, char **argv)
{
    struct actions_cli cli = {.workflows = VEC_INIT(const char *),
                              .uses = VEC_INIT(const char *),
                              .maps = VEC_INIT(struct actions_mapping)};
    struct map seen = MAP_INIT;
    int status = parse(&cli, argc, argv);
    if (status != CLI_OK) {
        status = status < 0 ? CLI_OK : status;
        goto out;
    }
    if (!cli.workflows.len && !cli.uses.len)
        *(const char **)vec_push(&cli.workflows) = ".github/workflows";
    vec_foreach (const char *, w, &cli.workflows) {
        if (scan_path(&seen, *w) != CLI_OK)
            status = CLI_FAIL;
    }
    vec_foreach (const char *, u, &cli.uses)
        map_set(&seen, *u, NULL);
    for (size_t i = 0; i < seen.len; i++) {
        if (pull_one(&cli, seen.entries[i].key) != CLI_OK)
            status = CLI_FAIL;
    }
out:
    map_release(&seen, NULL);
    cli_release(&cli);
    return status;
}

static int cmd_path(int argc, char **argv)
{
    struct actions_cli cli = {.workflows = VEC_INIT(const char *),
                              .uses = VEC_INIT(const char *),
                              .maps = VEC_INIT(struct actions_mapping)};
    struct actions_ref r = {0};
    struct actions_fetched f = ACTIONS_FETCHED_INIT;
    struct err err = ERR_INIT;
    int status = parse(&cli, argc, argv);
    if (status != CLI_OK) {
        status = status < 0 ? CLI_OK : status;
        goto out;
    }
    if (cli.uses.len != 1) {
        usage(stderr);
        status = CLI_USAGE;
        goto out;
    }
    if (actions_ref_parse(&r, *(const char **)vec_at(&cli.uses, 0), &err) < 0 ||
        actions_fetch(&f, &r, &cli.fetch, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_FAIL;
        goto out;
    }
    printf("%s\n", f.dir.buf);
out:
    actions_fetched_release(&f);
    actions_ref_release(&r);
    cli_release(&cli);
    return status;
}

int cli_cmd_actions(int argc, char **argv)
{
    /* argv[0] is "actions" */
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "pull"))
        return cmd_pull(argc - 2, argv + 2);
    if (!strcmp(argv[1], "path"))
        return cmd_path(argc - 2, argv + 2);
    cli_error("unknown actions command '%s'", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
