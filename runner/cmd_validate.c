/*
 * runnel validate [FILE...]: load and validate workflows the way GitHub does.
 *   --template-json FILE   print the model in GitHub's template-token JSON form
 *   --case CASE.yml        run one workflow-parser conformance case and print what its harness
 *                          compares ({"jobs": ...} or {"errors": [...]})
 * Without files, every .yml/.yaml under .github/workflows/ is checked.
 */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"
#include "workflow/workflow.h"

static bool strict_mode;

/*
 * Called workflows of the same repository (uses: ./.github/workflows/x.yml) are read from disk,
 * relative to the repository root: the part of the workflow's path before ".github/", or the
 * current directory. Remote ones (owner/repo/...@ref) are not fetched and not checked.
 */
struct local_files {
    const char *root; /* with a trailing '/', or "" */
    struct sbuf text; /* the last file read; valid until the next call */
};

static const char *read_local(const char *ref, void *payload)
{
    struct local_files *lf = payload;
    if (strncmp(ref, "./", 2) != 0)
        return NULL;
    struct sbuf path = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&path, "%s%s", lf->root, ref + 2);
    sbuf_setlen(&lf->text, 0);
    int rc = sbuf_read_file(&lf->text, path.buf, 16u << 20, &err);
    sbuf_release(&path);
    return rc == 0 ? lf->text.buf : NULL;
}

/* action.yml / action.yaml: the action model (node, docker or composite). */
static int validate_action(const char *path, bool quiet)
{
    struct wf_action *a = NULL;
    struct err err = ERR_INIT;
    if (wf_action_load(&a, path, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_FAIL;
    }
    if (!quiet)
        printf("%s: ok (%s action)\n", path, a->using);
    wf_action_free(a);
    return CLI_OK;
}

static int validate_one(const char *path, bool quiet)
{
    const char *base = path_basename(path);
    if (strcmp(base, "action.yml") == 0 || strcmp(base, "action.yaml") == 0)
        return validate_action(path, quiet);
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    struct wf_load_opts opts = WF_LOAD_OPTS_INIT;
    opts.keep_invalid = true;
    opts.lenient = !strict_mode;
    struct local_files lf = {.root = "", .text = SBUF_INIT};
    const char *gh = strstr(path, ".github/");
    char *root = gh ? xstrndup(path, (size_t)(gh - path)) : NULL;
    if (root)
        lf.root = root;
    opts.read_file = read_local;
    opts.payload = &lf;
    int rc = wf_load(&wf, path, &opts, &err);
    sbuf_release(&lf.text);
    xfree(root);
    if (rc < 0 && !wf) {
        cli_error_err(NULL, &err);
        return CLI_FAIL;
    }
    vec_foreach (struct wf_diag, w, &wf->warnings)
        fprintf(stderr, "warning: %s\n", w->msg);
    if (wf->diags.len) {
        bool shown = false;
        vec_foreach (struct wf_diag, d, &wf->diags) {
            fprintf(stderr, "%s\n", d->msg);
            if (!shown && d->line) {
                cli_show_location(path, d->line, d->col);
                shown = true;
            }
        }
        wf_free(wf);
        return CLI_FAIL;
    }
    if (!quiet)
        printf("%s: ok (%zu job%s)\n", path, wf->njobs, wf->njobs == 1 ? "" : "s");
    wf_free(wf);
    return CLI_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The workflow files of a directory, sorted. */
static int list_dir(struct vec *out, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e = NULL;
    while ((e = readdir(d))) {
        if (!str_has_suffix(e->d_name, ".yml") && !str_has_suffix(e->d_name, ".yaml"))
            continue;
        struct sbuf p = SBUF_INIT;
        sbuf_addf(&p, "%s/%s", dir, e->d_name);
        char *s = sbuf_detach(&p, NULL);
        vec_append(out, &s);
    }
    closedir(d);
    vec_sort(out, cmp_str);
    return 0;
}

int cli_cmd_validate(int argc, char **argv)
{
    const char *template_json = NULL;
    const char *case_file = NULL;
    bool quiet = false;
    struct vec files = VEC_INIT(char *);
    int status = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--template-json") == 0 && i + 1 < argc) {
            template_json = argv[++i];
        } else if (strcmp(a, "--case") == 0 && i + 1 < argc) {
            case_file = argv[++i];
        } else if (strcmp(a, "--strict") == 0) {
            strict_mode = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("usage: runnel validate [-q] [--strict] [FILE|DIR...]\n"
                   "       runnel validate --template-json FILE\n"
                   "       runnel validate --case CASE.yml\n");
            return CLI_OK;
        } else if (a[0] == '-' && a[1]) {
            cli_error("validate: unknown option '%s'", a);
            return CLI_USAGE;
        } else {
            char *s = xstrdup(a);
            vec_append(&files, &s);
        }
    }
    if (case_file) {
        struct sbuf out = SBUF_INIT;
        struct err err = ERR_INIT;
        if (wf_case_run(&out, NULL, case_file, &err) < 0) {
            cli_error_err(NULL, &err);
            sbuf_release(&out);
            return CLI_USAGE;
        }
        printf("%s\n", out.buf);
        sbuf_release(&out);
        return CLI_OK;
    }
    if (template_json) {
        struct wf *wf = NULL;
        struct err err = ERR_INIT;
        struct wf_load_opts opts = WF_LOAD_OPTS_INIT;
        opts.keep_invalid = true;
        if (wf_load(&wf, template_json, &opts, &err) < 0 && !wf) {
            cli_error_err(NULL, &err);
            return CLI_FAIL;
        }
        struct sbuf out = SBUF_INIT;
        wf_export_json(&out, wf, false);
        printf("%s\n", out.buf);
        status = wf->diags.len ? CLI_FAIL : CLI_OK;
        sbuf_release(&out);
        wf_free(wf);
        return status;
    }
    if (files.len == 0) {
        if (list_dir(&files, ".github/workflows") < 0) {
            cli_error("validate: no files given and no .github/workflows directory");
            vec_release(&files);
            return CLI_USAGE;
        }
    }
    size_t n = files.len;
    for (size_t i = 0; i < n; i++) {
        char *p = ((char **)files.items)[i];
        if (fs_is_dir(p)) {
            struct vec sub = VEC_INIT(char *);
            list_dir(&sub, p);
            vec_foreach (char *, s, &sub) {
                if (validate_one(*s, quiet) != CLI_OK)
                    status = CLI_FAIL;
                xfree(*s);
            }
            vec_release(&sub);
        } else if (validate_one(p, quiet) != CLI_OK) {
            status = CLI_FAIL;
        }
    }
    vec_foreach (char *, s, &files)
        xfree(*s);
    vec_release(&files);
    return status;
}
