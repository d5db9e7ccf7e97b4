/*
 * The act-compatible flags shared by list, plan and run, and .runnelrc (see plan_flags.h).
 */
#include "plan_flags.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define RUNNELRC_MAX (1u << 20)

const char plan_flags_usage[] =
    "  -W, --workflows PATH     workflow file or directory (default .github/workflows)\n"
    "  -j, --job ID             only this job and the jobs it needs\n"
    "  -e, --eventpath FILE     event payload (JSON) instead of the synthesized one\n"
    "  -C, --directory DIR      the repository (default: the current directory)\n"
    "  --input K=V              workflow_dispatch/workflow_call input (repeatable)\n"
    "  --matrix K:V             keep only matrix legs with K equal to V (repeatable)\n"
    "  -P, --platform L=H       map runs-on label L to H (host, or skip; repeatable)\n"
    "  -a, --actor NAME         github.actor (default: git config user.name)\n"
    "  -s, --secret K[=V]       a secret (V from the environment when omitted)\n"
    "  --secret-file FILE       secrets from a dotenv or YAML file\n"
    "  --var K=V, --var-file F  configuration variables (vars context)\n"
    "  --env K=V, --env-file F  environment for every job\n"
    "  --base REF               pull_request base branch (default: the default branch)\n"
    "  --before SHA             push: the commit before (default: HEAD's parent;\n"
    "                           40 zeros: a push that creates the branch)\n"
    "  --type TYPE              activity type (opened, synchronize, completed, ...)\n"
    "  --repository OWNER/NAME  instead of what the origin remote says\n"
    "  --run-workflow NAME      workflow_run: the workflow that completed\n"
    "  --run-conclusion C       workflow_run: its conclusion (default success)\n"
    "  --no-rc                  do not read .runnelrc files\n"
    "  --strict                 GitHub's validation without act's allowances\n";

void plan_flags_init(struct plan_flags *f)
{
    memset(f, 0, sizeof(*f));
    f->arena = ARENA_INIT;
    f->inputs = VEC_INIT(struct plan_kv);
    f->matrix = VEC_INIT(struct plan_kv);
    f->platforms = VEC_INIT(struct plan_kv);
    f->secrets = VEC_INIT(struct plan_kv);
    f->vars = VEC_INIT(struct plan_kv);
    f->env = VEC_INIT(struct plan_kv);
    f->secret_files = VEC_INIT(const char *);
    f->var_files = VEC_INIT(const char *);
    f->env_files = VEC_INIT(const char *);
}

void plan_flags_release(struct plan_flags *f)
{
    vec_release(&f->inputs);
    vec_release(&f->matrix);
    vec_release(&f->platforms);
    vec_release(&f->secrets);
    vec_release(&f->vars);
    vec_release(&f->env);
    vec_release(&f->secret_files);
    vec_release(&f->var_files);
    vec_release(&f->env_files);
    arena_release(&f->arena);
}

enum flag_kind {
    F_STR,  /* single value, last wins */
    F_KV,   /* K=V pair appended */
    F_KV2,  /* K:V pair appended (--matrix) */
    F_SKV,  /* --secret K[=V] */
    F_FILE, /* file name appended */
    F_BOOL,
};

struct flag {
    const char *shortname; /* "-W" or NULL */
    const char *longname;  /* "--workflows" */
    enum flag_kind kind;
    size_t offset; /* offsetof the field in struct plan_flags */
};

#define OFF(field) offsetof(struct plan_flags, field)

static const struct flag flags[] = {
    {"-W", "--workflows", F_STR, OFF(workflows)},
    {"-j", "--job", F_STR, OFF(job)},
    {"-e", "--eventpath", F_STR, OFF(event_path)},
    {"-C", "--directory", F_STR, OFF(dir)},
    {"-a", "--actor", F_STR, OFF(actor)},
    {NULL, "--base", F_STR, OFF(base)},
    {NULL, "--before", F_STR, OFF(before)},
    {NULL, "--type", F_STR, OFF(type)},
    {NULL, "--repository", F_STR, OFF(repository)},
    {NULL, "--run-workflow", F_STR, OFF(run_workflow)},
    {NULL, "--run-conclusion", F_STR, OFF(run_conclusion)},
    {NULL, "--input", F_KV, OFF(inputs)},
    {NULL, "--matrix", F_KV2, OFF(matrix)},
    {"-P", "--platform", F_KV, OFF(platforms)},
    {"-s", "--secret", F_SKV, OFF(secrets)},
    {NULL, "--var", F_KV, OFF(vars)},
    {NULL, "--env", F_KV, OFF(env)},
    {NULL, "--secret-file", F_FILE, OFF(secret_files)},
    {NULL, "--var-file", F_FILE, OFF(var_files)},
    {NULL, "--env-file", F_FILE, OFF(env_files)},
    {NULL, "--no-rc", F_BOOL, OFF(no_rc)},
    {NULL, "--strict", F_BOOL, OFF(strict)},
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* Applies one flag with its value (NULL for booleans). Returns 0 or -1 after printing. */
static int apply(struct plan_flags *f, const struct flag *fl, const char *value)
{
    char *base = (char *)f;
    const char *v = value ? arena_strdup(&f->arena, value) : NULL;
    switch (fl->kind) {
    case F_STR:
        *(const char **)(base + fl->offset) = v;
        return 0;
    case F_BOOL:
        *(bool *)(base + fl->offset) = true;
        return 0;
    case F_FILE:
        vec_append((struct vec *)(base + fl->offset), &v);
        return 0;
    case F_KV:
    case F_KV2:
    case F_SKV: {
        char sep = fl->kind == F_KV2 ? ':' : '=';
        const char *eq = strchr(v, sep);
        struct plan_kv kv = {0};
        if (!eq) {
            if (fl->kind != F_SKV) {
                cli_error("%s: expected KEY%cVALUE, got '%s'", fl->longname, sep, v);
                return -1;
            }
            const char *env = getenv(v);
            if (!env) {
                cli_error("%s %s: no value given and %s is not in the environment", fl->longname, v,
                          v);
                return -1;
            }
            kv.name = v;
            kv.value = arena_strdup(&f->arena, env);
        } else {
            kv.name = arena_strndup(&f->arena, v, (size_t)(eq - v));
            kv.value = eq + 1;
        }
        if (!*kv.name) {
            cli_error("%s: empty name in '%s'", fl->longname, v);
            return -1;
        }
        vec_append((struct vec *)(base + fl->offset), &kv);
        return 0;
    }
    }
    return 0;
}

static const struct flag *find_flag(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < NFLAGS; i++) {
        const struct flag *fl = &flags[i];
        size_t ll = strlen(fl->longname);
        if (!strncmp(arg, fl->longname, ll) && (arg[ll] == '\0' || arg[ll] == '=')) {
            if (arg[ll] == '=')
                *inline_value = arg + ll + 1;
            return fl;
        }
        if (fl->shortname && !strcmp(arg, fl->shortname))
            return fl;
    }
    return NULL;
}

int plan_flags_parse_one(struct plan_flags *f, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *value = NULL;
    const struct flag *fl = find_flag(arg, &value);
    if (!fl)
        return 0;
    if (fl->kind == F_BOOL)
        return apply(f, fl, NULL) < 0 ? -1 : 1;
    if (!value) {
        if (*i + 1 >= argc) {
            cli_error("%s needs a value", arg);
            return -1;
        }
        value = argv[++*i];
    }
    return apply(f, fl, value) < 0 ? -1 : 1;
}

/* act's .actrc form: each line "-flag value" or "--flag=value"; '#' lines are comments. */
static int read_rc(struct plan_flags *rc, const char *path)
{
    struct sbuf text = SBUF_INIT;
    struct err err = ERR_INIT;
    int status = 0;
    if (!fs_is_file(path))
        return 0;
    if (sbuf_read_file(&text, path, RUNNELRC_MAX, &err) < 0) {
        cli_error_err(path, &err);
        return -1;
    }
    size_t lineno = 0;
    char *line = text.buf;
    while (line && *line && status == 0) {
        lineno++;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        struct str t = str_trim(str_from(line));
        char *s = (char *)t.p;
        s[t.len] = '\0';
        if (t.len && s[0] != '#') {
            if (s[0] != '-') {
                cli_error("%s:%zu: expected a flag, got '%s'", path, lineno, s);
                status = -1;
                break;
            }
            char *sp = s + strcspn(s, " \t");
            char *args[2] = {s, NULL};
            int n = 1;
            if (*sp) {
                *sp++ = '\0';
                while (*sp == ' ' || *sp == '\t')
                    sp++;
                args[1] = sp;
                n = 2;
            }
            int idx = 0;
            int r = plan_flags_parse_one(rc, n, args, &idx);
            if (r == 0) {
                cli_error("%s:%zu: unknown flag '%s'", path, lineno, s);
                status = -1;
            } else if (r < 0) {
                cli_error("%s:%zu: in this line", path, lineno);
                status = -1;
            } else if (idx + 1 != n) {
                cli_error("%s:%zu: unexpected '%s'", path, lineno, args[1]);
                status = -1;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    sbuf_release(&text);
    return status;
}

static void take_str(const char **dst, const char *rcval)
{
    if (!*dst)
        *dst = rcval;
}

/* rc's list entries go in front of the command line's (so the command line wins). */
static void prepend(struct vec *dst, struct vec *rcv)
{
    if (!rcv->len)
        return;
    struct vec merged = VEC_INIT(char);
    merged.elem_size = dst->elem_size;
    for (size_t i = 0; i < rcv->len; i++)
        vec_append(&merged, vec_at(rcv, i));
    for (size_t i = 0; i < dst->len; i++)
        vec_append(&merged, vec_at(dst, i));
    vec_release(dst);
    *dst = merged;
}

/* The repository root above dir (the first directory holding .git), else dir itself. */
static void repo_root(struct sbuf *out, const char *dir)
{
    char *abs = realpath(dir, NULL);
    sbuf_reset(out);
    if (!abs) {
        sbuf_addstr(out, dir);
        return;
    }
    struct sbuf cur = SBUF_INIT;
    sbuf_addstr(&cur, abs);
    xfree(abs); /* realpath() allocates with malloc */
    for (;;) {
        struct sbuf git = SBUF_INIT;
        path_join(&git, cur.buf, ".git");
        bool found = fs_exists(git.buf);
        sbuf_release(&git);
        if (found) {
            sbuf_addstr(out, cur.buf);
            break;
        }
        char *slash = strrchr(cur.buf, '/');
        if (!slash || slash == cur.buf) {
            sbuf_addstr(out, dir);
            break;
        }
        sbuf_setlen(&cur, (size_t)(slash - cur.buf));
    }
    sbuf_release(&cur);
}

static int load_rc(struct plan_flags *f)
{
    struct plan_flags rc;
    plan_flags_init(&rc);
    int status = 0;
    const char *home = getenv("HOME");
    struct sbuf path = SBUF_INIT;
    if (home && *home) {
        path_join(&path, home, ".runnelrc");
        status = read_rc(&rc, path.buf);
    }
    sbuf_reset(&path);
    struct sbuf root = SBUF_INIT;
    repo_root(&root, f->dir ? f->dir : ".");
    path_join(&path, root.buf, ".runnelrc");
    sbuf_release(&root);
    if (status == 0) {
        char *a = realpath(path.buf, NULL);
        const char *h = home ? home : "";
        struct sbuf hp = SBUF_INIT;
        path_join(&hp, h, ".runnelrc");
        char *b = realpath(hp.buf, NULL);
        /* the same file when run from $HOME: read once */
        if (!(a && b && !strcmp(a, b)))
            status = read_rc(&rc, path.buf);
        xfree(a); /* realpath() results come from malloc */
        xfree(b);
        sbuf_release(&hp);
    }
    sbuf_release(&path);
    if (status == 0) {
        take_str(&f->workflows, rc.workflows);
        take_str(&f->job, rc.job);
        take_str(&f->event_path, rc.event_path);
        take_str(&f->actor, rc.actor);
        take_str(&f->base, rc.base);
        take_str(&f->before, rc.before);
        take_str(&f->type, rc.type);
        take_str(&f->repository, rc.repository);
        take_str(&f->run_workflow, rc.run_workflow);
        take_str(&f->run_conclusion, rc.run_conclusion);
        prepend(&f->inputs, &rc.inputs);
        prepend(&f->matrix, &rc.matrix);
        prepend(&f->platforms, &rc.platforms);
        prepend(&f->secrets, &rc.secrets);
        prepend(&f->vars, &rc.vars);
        prepend(&f->env, &rc.env);
        prepend(&f->secret_files, &rc.secret_files);
        prepend(&f->var_files, &rc.var_files);
        prepend(&f->env_files, &rc.env_files);
        /* rc strings must outlive rc: move them into f's arena by copying the pointers' text */
    }
    /* keep rc's arena alive by chaining it: simplest is to copy strings we took */
    struct plan_flags *keep = &rc;
    const char **strs[] = {&f->workflows,    &f->job,           &f->event_path, &f->actor,
                           &f->base,         &f->before,        &f->type,       &f->repository,
                           &f->run_workflow, &f->run_conclusion};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (*strs[i])
            *strs[i] = arena_strdup(&f->arena, *strs[i]);
    }
    struct vec *kvs[] = {&f->inputs, &f->matrix, &f->platforms, &f->secrets, &f->vars, &f->env};
    for (size_t i = 0; i < sizeof(kvs) / sizeof(kvs[0]); i++) {
        for (size_t k = 0; k < kvs[i]->len; k++) {
            struct plan_kv *kv = vec_at(kvs[i], k);
            kv->name = arena_strdup(&f->arena, kv->name);
            kv->value = arena_strdup(&f->arena, kv->value);
        }
    }
    struct vec *files[] = {&f->secret_files, &f->var_files, &f->env_files};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        for (size_t k = 0; k < files[i]->len; k++) {
            const char **s = vec_at(files[i], k);
            *s = arena_strdup(&f->arena, *s);
        }
    }
    plan_flags_release(keep);
    return status;
}

/* Files first, then the pairs given on the command line (later entries win). */
static int with_files(struct plan_flags *f, struct vec *pairs, struct vec *files)
{
    if (!files->len)
        return 0;
    struct vec merged = VEC_INIT(struct plan_kv);
    for (size_t i = 0; i < files->len; i++) {
        const char *path = *(const char **)vec_at(files, i);
        struct err err = ERR_INIT;
        if (plan_kv_file_load(&merged, &f->arena, path, &err) < 0) {
            cli_error_err(NULL, &err);
            vec_release(&merged);
            return -1;
        }
    }
    for (size_t i = 0; i < pairs->len; i++)
        vec_append(&merged, vec_at(pairs, i));
    vec_release(pairs);
    *pairs = merged;
    return 0;
}

int plan_flags_finish(struct plan_flags *f, struct plan_opts *o)
{
    if (!f->no_rc && !f->rc_loaded) {
        f->rc_loaded = true;
        if (load_rc(f) < 0)
            return CLI_USAGE;
    }
    if (with_files(f, &f->secrets, &f->secret_files) < 0 ||
        with_files(f, &f->vars, &f->var_files) < 0 || with_files(f, &f->env, &f->env_files) < 0)
        return CLI_USAGE;
    vec_clear(&f->secret_files);
    vec_clear(&f->var_files);
    vec_clear(&f->env_files);
    o->repo_dir = f->dir;
    o->strict = f->strict;
    o->workflows = f->workflows;
    o->event_name = f->event_name;
    o->event_path = f->event_path;
    o->job = f->job;
    o->base_ref = f->base;
    o->before = f->before;
    o->actor = f->actor;
    o->event_type = f->type;
    o->repository = f->repository;
    o->run_workflow = f->run_workflow;
    o->run_conclusion = f->run_conclusion;
    o->inputs = f->inputs.items;
    o->ninputs = f->inputs.len;
    o->matrix_filter = f->matrix.items;
    o->nmatrix_filter = f->matrix.len;
    o->platforms = f->platforms.items;
    o->nplatforms = f->platforms.len;
    o->secrets = f->secrets.items;
    o->nsecrets = f->secrets.len;
    o->vars = f->vars.items;
    o->nvars = f->vars.len;
    o->env = f->env.items;
    o->nenv = f->env.len;
    return 0;
}
