/* Options shared by list, plan and run (see plan_cli.h). */
#include "plan_cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define RC_MAX (1u << 20)
#define KV_FILE_MAX (4u << 20)

void plan_cli_init(struct plan_cli *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->event_opts = PLAN_EVENT_OPTS_INIT;
    pc->inputs = VEC_INIT(struct plan_input);
    pc->labels = VEC_INIT(struct plan_label_map);
    pc->matrix = VEC_INIT(struct plan_input);
    pc->strings = VEC_INIT(char *);
    pc->wfs = VEC_INIT(struct wf *);
    pc->paths = VEC_INIT(char *);
    pc->vars = cJSON_CreateObject();
    pc->secrets = cJSON_CreateObject();
    pc->env = cJSON_CreateObject();
}

void plan_cli_release(struct plan_cli *pc)
{
    vec_foreach (struct wf *, w, &pc->wfs)
        wf_free(*w);
    vec_release(&pc->wfs);
    vec_foreach (char *, s, &pc->strings)
        xfree(*s);
    vec_release(&pc->strings);
    vec_foreach (char *, s, &pc->paths)
        xfree(*s);
    vec_release(&pc->paths);
    vec_release(&pc->inputs);
    vec_release(&pc->labels);
    vec_release(&pc->matrix);
    cJSON_Delete(pc->vars);
    cJSON_Delete(pc->secrets);
    cJSON_Delete(pc->env);
}

static char *own(struct plan_cli *pc, char *s)
{
    vec_append(&pc->strings, &s);
    return s;
}

/* Splits "k=v" (or k:v) into owned strings; false when there is no separator. */
static bool split_kv(struct plan_cli *pc, const char *arg, char sep, char **k, char **v)
{
    const char *eq = strchr(arg, sep);
    if (!eq)
        return false;
    *k = own(pc, xstrndup(arg, (size_t)(eq - arg)));
    *v = own(pc, xstrdup(eq + 1));
    return true;
}

/* KEY=VALUE lines (# comments, blank lines) into obj. */
static int read_kv_file(cJSON *obj, const char *path)
{
    struct sbuf sb = SBUF_INIT;
    struct err err = ERR_INIT;
    if (sbuf_read_file(&sb, path, KV_FILE_MAX, &err) < 0) {
        cli_error_err(NULL, &err);
        sbuf_release(&sb);
        return -1;
    }
    char *save = sb.buf;
    while (save && *save) {
        char *nl = strchr(save, '\n');
        if (nl)
            *nl = '\0';
        struct str line = str_trim(str_from(save));
        save = nl ? nl + 1 : NULL;
        if (!line.len || line.p[0] == '#')
            continue;
        const char *eq = memchr(line.p, '=', line.len);
        if (!eq)
            continue;
        char *k = xstrndup(line.p, (size_t)(eq - line.p));
        char *v = xstrndup(eq + 1, line.len - (size_t)(eq - line.p) - 1);
        cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
        cJSON_AddStringToObject(obj, k, v);
        xfree(k);
        xfree(v);
    }
    sbuf_release(&sb);
    return 0;
}

static int parse_args(struct plan_cli *pc, int argc, char **argv, bool from_rc);

/* .runnelrc: act's .actrc format, one option per line, "-P label=image" or "--flag value". */
static int read_rc(struct plan_cli *pc, const char *path)
{
    if (!fs_is_file(path))
        return 0;
    struct sbuf sb = SBUF_INIT;
    struct err err = ERR_INIT;
    if (sbuf_read_file(&sb, path, RC_MAX, &err) < 0) {
        sbuf_release(&sb);
        return 0;
    }
    struct vec args = VEC_INIT(char *);
    char *argv0 = own(pc, xstrdup("runnelrc"));
    vec_append(&args, &argv0);
    char *p = sb.buf;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        struct str line = str_trim(str_from(p));
        p = nl ? nl + 1 : NULL;
        if (!line.len || line.p[0] == '#')
            continue;
        /* "-P a=b" or "--flag=value" or "--flag value" */
        const char *sp = memchr(line.p, ' ', line.len);
        if (sp && line.p[0] == '-') {
            char *flag = own(pc, xstrndup(line.p, (size_t)(sp - line.p)));
            struct str rest = str_trim((struct str){sp + 1, line.len - (size_t)(sp + 1 - line.p)});
            char *val = own(pc, xstrndup(rest.p, rest.len));
            vec_append(&args, &flag);
            vec_append(&args, &val);
        } else {
            char *one = own(pc, xstrndup(line.p, line.len));
            vec_append(&args, &one);
        }
    }
    sbuf_release(&sb);
    int rc = parse_args(pc, (int)args.len, args.items, true);
    vec_release(&args);
    return rc;
}

static int parse_args(struct plan_cli *pc, int argc, char **argv, bool from_rc)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        /* --flag=value */
        char *inline_val = NULL;
        if (a[0] == '-' && a[1] == '-' && strchr(a, '=')) {
            const char *eq = strchr(a, '=');
            a = own(pc, xstrndup(a, (size_t)(eq - a)));
            inline_val = own(pc, xstrdup(eq + 1));
            val = inline_val;
        }
#define TAKE()                                                                                     \
    do {                                                                                           \
        if (!val) {                                                                                \
            cli_error("option '%s' needs a value", a);                                             \
            return CLI_USAGE;                                                                      \
        }                                                                                          \
        if (!inline_val)                                                                           \
            i++;                                                                                   \
    } while (0)
        char *k = NULL;
        char *v = NULL;
        if (strcmp(a, "-W") == 0 || strcmp(a, "--workflows") == 0) {
            TAKE();
            pc->workflows = val;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--job") == 0) {
            TAKE();
            pc->job = val;
        } else if (strcmp(a, "-e") == 0 || strcmp(a, "--eventpath") == 0) {
            TAKE();
            pc->event_opts.payload_path = val;
        } else if (strcmp(a, "-C") == 0 || strcmp(a, "--directory") == 0) {
            TAKE();
            pc->dir = val;
        } else if (strcmp(a, "--actor") == 0 || strcmp(a, "-a") == 0) {
            TAKE();
            pc->event_opts.actor = val;
        } else if (strcmp(a, "--base") == 0) {
            TAKE();
            pc->event_opts.base = val;
        } else if (strcmp(a, "--action") == 0) {
            TAKE();
            pc->event_opts.action = val;
        } else if (strcmp(a, "--workflow-run") == 0) {
            TAKE();
            pc->event_opts.workflow_run_name = val;
        } else if (strcmp(a, "--input") == 0) {
            TAKE();
            if (!split_kv(pc, val, '=', &k, &v)) {
                cli_error("--input wants name=value, not '%s'", val);
                return CLI_USAGE;
            }
            struct plan_input in = {k, v};
            vec_append(&pc->inputs, &in);
        } else if (strcmp(a, "--matrix") == 0) {
            TAKE();
            if (!split_kv(pc, val, ':', &k, &v)) {
                cli_error("--matrix wants key:value, not '%s'", val);
                return CLI_USAGE;
            }
            struct plan_input in = {k, v};
            vec_append(&pc->matrix, &in);
        } else if (strcmp(a, "-P") == 0 || strcmp(a, "--platform") == 0) {
            TAKE();
            if (!split_kv(pc, val, '=', &k, &v)) {
                cli_error("-P wants label=host, not '%s'", val);
                return CLI_USAGE;
            }
            struct plan_label_map m = {k, v};
            vec_append(&pc->labels, &m);
        } else if (strcmp(a, "--var") == 0 || strcmp(a, "--secret") == 0 || strcmp(a, "-s") == 0 ||
                   strcmp(a, "--env") == 0) {
            TAKE();
            cJSON *obj = strcmp(a, "--var") == 0   ? pc->vars
                         : strcmp(a, "--env") == 0 ? pc->env
                                                   : pc->secrets;
            if (split_kv(pc, val, '=', &k, &v)) {
                cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
                cJSON_AddStringToObject(obj, k, v);
            } else {
                /* act: a secret without value is read from the environment */
                const char *envv = getenv(val);
                cJSON_DeleteItemFromObjectCaseSensitive(obj, val);
                cJSON_AddStringToObject(obj, val, envv ? envv : "");
            }
        } else if (strcmp(a, "--var-file") == 0 || strcmp(a, "--secret-file") == 0 ||
                   strcmp(a, "--env-file") == 0) {
            TAKE();
            cJSON *obj = strcmp(a, "--var-file") == 0   ? pc->vars
                         : strcmp(a, "--env-file") == 0 ? pc->env
                                                        : pc->secrets;
            if (read_kv_file(obj, val) < 0)
                return CLI_USAGE;
        } else if (strcmp(a, "--json") == 0) {
            pc->json = true;
        } else if (strcmp(a, "--dot") == 0) {
            pc->dot = true;
        } else if (a[0] == '-' && a[1]) {
            if (from_rc)
                continue; /* options of other commands in a shared .runnelrc */
            cli_error("unknown option '%s'", a);
            return CLI_USAGE;
        } else if (!from_rc && !pc->event) {
            pc->event = a;
        } else if (!from_rc) {
            cli_error("unexpected argument '%s'", a);
            return CLI_USAGE;
        }
#undef TAKE
    }
    return 0;
}

int plan_cli_parse(struct plan_cli *pc, int argc, char **argv)
{
    const char *home = getenv("HOME");
    if (home) {
        struct sbuf p = SBUF_INIT;
        sbuf_addf(&p, "%s/.runnelrc", home);
        int rc = read_rc(pc, p.buf);
        sbuf_release(&p);
        if (rc)
            return rc;
    }
    int rc = read_rc(pc, ".runnelrc");
    if (rc)
        return rc;
    rc = parse_args(pc, argc, argv, false);
    if (rc)
        return rc;
    pc->event_opts.name = pc->event ? pc->event : "push";
    pc->event_opts.dir = pc->dir;
    pc->event_opts.inputs = pc->inputs.items;
    pc->event_opts.ninputs = pc->inputs.len;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plan_cli_load_workflows(struct plan_cli *pc)
{
    struct sbuf where = SBUF_INIT;
    if (pc->workflows)
        sbuf_addstr(&where, pc->workflows);
    else if (pc->dir)
        sbuf_addf(&where, "%s/.github/workflows", pc->dir);
    else
        sbuf_addstr(&where, ".github/workflows");
    if (fs_is_dir(where.buf)) {
        DIR *d = opendir(where.buf);
        struct dirent *e = NULL;
        while (d && (e = readdir(d))) {
            if (!str_has_suffix(e->d_name, ".yml") && !str_has_suffix(e->d_name, ".yaml"))
                continue;
            struct sbuf p = SBUF_INIT;
            path_join(&p, where.buf, e->d_name);
            char *s = sbuf_detach(&p, NULL);
            vec_append(&pc->paths, &s);
        }
        if (d)
            closedir(d);
        qsort(pc->paths.items, pc->paths.len, sizeof(char *), cmp_str);
    } else if (fs_is_file(where.buf)) {
        char *s = xstrdup(where.buf);
        vec_append(&pc->paths, &s);
    } else {
        cli_error("no workflows at '%s'", where.buf);
        sbuf_release(&where);
        return CLI_USAGE;
    }
    sbuf_release(&where);
    int status = 0;
    vec_foreach (char *, path, &pc->paths) {
        struct wf *wf = NULL;
        struct err err = ERR_INIT;
        struct wf_load_opts lo = WF_LOAD_OPTS_INIT;
        lo.lenient = true;
        if (wf_load(&wf, *path, &lo, &err) < 0) {
            cli_error_err(NULL, &err);
            status = CLI_FAIL;
            continue;
        }
        vec_append(&pc->wfs, &wf);
    }
    return status;
}
