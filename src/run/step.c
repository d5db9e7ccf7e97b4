/*
 * One step of a job: deciding whether it runs, its environment, the script and the shell's
 * command line (as GitHub's runner builds them), its output lines with workflow commands, and the
 * environment files it leaves behind.
 */

#include "run/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/map.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Variables of the engine's environment that steps inherit; everything else is built. */
/* SHELL is not passed on: bash sets it itself, sh does not (act's defaults-run case checks). */
static const char *const env_allowlist[] = {"HOME",   "USER",     "LOGNAME", "LANG", "LANGUAGE",
                                            "LC_ALL", "LC_CTYPE", "TZ",      "TERM", "HOSTNAME"};

static const char *find_in_path(struct arena *a, const char *prog, const char *path)
{
    if (strchr(prog, '/'))
        return prog;
    struct sbuf found = SBUF_INIT;
    const char *r = fs_search_path(&found, path, prog) ? arena_strdup(a, found.buf) : NULL;
    sbuf_release(&found);
    return r;
}

/* An env pair list kept as a map so that later sources override earlier ones. */
static void env_put(struct map *env, const char *name, const char *value)
{
    xfree(map_set(env, name, xstrdup(value)));
}

static void env_put_val(struct map *env, const struct val_member *m)
{
    struct sbuf sb = SBUF_INIT;
    val_to_sbuf(&sb, &m->value);
    env_put(env, m->key.p, sb.buf);
    sbuf_release(&sb);
}

/*
 * The step's environment in GitHub's order: the allowlist of the host, the default GITHUB_*
 * variables, the --env values, the env context (workflow, job, GITHUB_ENV), the step's own env,
 * then PATH with the GITHUB_PATH entries in front.
 */
static void build_env(struct map *env, struct run_job *j, struct run_step *st, struct arena *a)
{
    struct run *r = j->run;
    struct val ctx_env = run_env_context(j, a);
    for (size_t i = 0; i < sizeof(env_allowlist) / sizeof(env_allowlist[0]); i++) {
        const char *v = getenv(env_allowlist[i]);
        if (v)
            env_put(env, env_allowlist[i], v);
    }
    struct vec defaults = VEC_INIT(struct plan_kv);
    plan_default_env(&defaults, r->plan, j->wf->pw, j->def->pj->id);
    vec_foreach (struct plan_kv, kv, &defaults) {
        env_put(env, kv->name, kv->value);
    }
    vec_release(&defaults);
    env_put(env, "GITHUB_WORKSPACE", j->workspace.buf);
    env_put(env, "GITHUB_EVENT_PATH", j->event_path.buf);
    env_put(env, "RUNNER_TEMP", j->temp.buf);
    env_put(env, "RUNNER_TOOL_CACHE", j->temp.buf);
    env_put(env, "GITHUB_ENV", st->env_file.buf);
    env_put(env, "GITHUB_OUTPUT", st->output_file.buf);
    env_put(env, "GITHUB_PATH", st->path_file.buf);
    env_put(env, "GITHUB_STATE", st->state_file.buf);
    env_put(env, "GITHUB_STEP_SUMMARY", st->summary_file.buf);
    env_put(env, "GITHUB_ACTION", st->step->id);
    env_put(env, "TMPDIR", j->temp.buf);
    for (size_t i = 0; i < r->plan->nenv; i++)
        env_put(env, r->plan->env[i].name, r->plan->env[i].value);
    if (ctx_env.kind == VAL_OBJECT) {
        for (size_t i = 0; i < ctx_env.obj->len; i++)
            env_put_val(env, &ctx_env.obj->members[i]);
    }
    struct run_frame *f = run_top(j);
    if (f->action) {
        env_put(env, "GITHUB_ACTION_PATH", f->action_path);
    }
    /*
     * PATH: GITHUB_PATH entries first, then the directory of runnel itself, then the host's,
     * and last the compatibility commands (hf, huggingface-cli) for tools the host lacks.
     */
    const char *host_path = map_find(env, "PATH");
    struct sbuf base = SBUF_INIT;
    if (r->self_dir.len)
        sbuf_addf(&base, "%s:", r->self_dir.buf);
    sbuf_addstr(&base, host_path
                           ? host_path
                           : (getenv("PATH") ? getenv("PATH") : "/usr/local/bin:/usr/bin:/bin"));
    if (r->compat_dir.len)
        sbuf_addf(&base, ":%s", r->compat_dir.buf);
    struct sbuf path = SBUF_INIT;
    run_path_render(&path, &j->path_prepend, base.buf);
    env_put(env, "PATH", path.buf);
    sbuf_release(&path);
    sbuf_release(&base);
}

static const char **env_to_envp(struct arena *a, const struct map *env)
{
    const char **envp = arena_alloc(a, (env->len + 1) * sizeof(*envp));
    for (size_t i = 0; i < env->len; i++) {
        struct sbuf kv = SBUF_INIT;
        sbuf_addf(&kv, "%s=%s", env->entries[i].key, (const char *)env->entries[i].value);
        envp[i] = arena_strndup(a, kv.buf, kv.len);
        sbuf_release(&kv);
    }
    envp[env->len] = NULL;
    return envp;
}

/*
 * GitHub's shells (docs: "jobs.<job_id>.steps[*].shell"): the command line template and the
 * script file's extension. An unnamed shell is bash -e (sh -e without bash); a custom shell is
 * a template holding {0}.
 */
static void shell_template(struct sbuf *tmpl, const char **ext, const char *shell, bool has_bash)
{
    *ext = "";
    if (!shell || !*shell) {
        sbuf_addstr(tmpl, has_bash ? "bash -e {0}" : "sh -e {0}");
        *ext = ".sh";
    } else if (!strcmp(shell, "bash")) {
        sbuf_addstr(tmpl, "bash --noprofile --norc -eo pipefail {0}");
        *ext = ".sh";
    } else if (!strcmp(shell, "sh")) {
        sbuf_addstr(tmpl, "sh -e {0}");
        *ext = ".sh";
    } else if (!strcmp(shell, "python")) {
        sbuf_addstr(tmpl, "python {0}");
        *ext = ".py";
    } else if (!strcmp(shell, "pwsh")) {
        sbuf_addstr(tmpl, "pwsh -command \". '{0}'\"");
        *ext = ".ps1";
    } else {
        sbuf_addstr(tmpl, shell);
        if (!strstr(shell, "{0}"))
            sbuf_addstr(tmpl, " {0}");
        const char *prog = shell;
        if (str_has_prefix(prog, "bash") || str_has_prefix(prog, "sh"))
            *ext = ".sh";
        else if (str_has_prefix(prog, "python"))
            *ext = ".py";
    }
}

/* Splits a command template into argv, honouring double quotes, with {0} replaced. */
static const char **template_argv(struct arena *a, const char *tmpl, const char *script)
{
    struct vec args = VEC_INIT(const char *);
    const char *p = tmpl;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        struct sbuf arg = SBUF_INIT;
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"') {
                quoted = !quoted;
                p++;
                continue;
            }
            if (!strncmp(p, "{0}", 3)) {
                sbuf_addstr(&arg, script);
                p += 3;
                continue;
            }
            sbuf_addch(&arg, *p++);
        }
        const char *s = arena_strndup(a, arg.buf, arg.len);
        vec_append(&args, &s);
        sbuf_release(&arg);
    }
    const char **argv = arena_alloc(a, (args.len + 1) * sizeof(*argv));
    memcpy(argv, args.items, args.len * sizeof(*argv));
    argv[args.len] = NULL;
    vec_release(&args);
    return argv;
}

/*
 * The command files (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STATE, GITHUB_STEP_SUMMARY)
 * live in RUNNER_TEMP/_runner_file_commands, which steps write. runnel creates and reads them
 * outside the sandbox, so it never follows a link there: a step that replaced GITHUB_PATH with a
 * link to ~/.ssh/id_rsa (a file the sandbox hides) would otherwise have runnel read the key into
 * the next step's PATH, and a link planted at the next step's set_env_<n> would have it truncate
 * a host file. The folder is opened from RUNNER_TEMP's descriptor, taken before any step ran, and
 * each file from the folder's, all with O_NOFOLLOW. GitHub's runner reads through links, but on
 * its own machine; runnel's steps are sandboxed and runnel is not.
 */
#define FILES_DIR_NAME "_runner_file_commands"

/*
 * Opens the command folder; with create, makes it, replacing a link or a file a step put there.
 * ERR_NOTFOUND when it is missing (without create), ERR_INVALID when it is a link or a file.
 */
static int open_files_dir(int *out, struct run_job *j, bool create, struct err *err)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(j->temp_fd, FILES_DIR_NAME, flags);
    int e = errno;
    if (fd < 0 && create && (e == ELOOP || e == ENOTDIR || e == ENOENT)) {
        if (e != ENOENT && unlinkat(j->temp_fd, FILES_DIR_NAME, 0) < 0)
            return err_errno(err, "cannot replace '%s/%s'", j->temp.buf, FILES_DIR_NAME);
        if (mkdirat(j->temp_fd, FILES_DIR_NAME, 0777) < 0)
            return err_errno(err, "cannot create '%s/%s'", j->temp.buf, FILES_DIR_NAME);
        fd = openat(j->temp_fd, FILES_DIR_NAME, flags);
        e = errno;
    }
    if (fd >= 0) {
        *out = fd;
        return 0;
    }
    if (e == ENOENT)
        return err_set(err, ERR_NOTFOUND, "'%s/%s' does not exist", j->temp.buf, FILES_DIR_NAME);
    if (e == ELOOP || e == ENOTDIR)
        return err_set(err, ERR_INVALID, "'%s/%s' is not a folder (a link or a file)", j->temp.buf,
                       FILES_DIR_NAME);
    errno = e;
    return err_errno(err, "cannot open '%s/%s'", j->temp.buf, FILES_DIR_NAME);
}

/* Creates an empty dir/name afresh: whatever a step left there is removed, never written. */
static int create_fresh(int dir, const char *path, struct err *err)
{
    const char *name = path_basename(path);
    if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
        return err_errno(err, "cannot replace '%s'", path);
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return err_errno(err, "cannot create '%s'", path);
    close(fd);
    return 0;
}

/* Fresh environment files for every step, as the runner makes them. */
static int make_files(struct run_job *j, struct run_step *st, struct err *err)
{
    int dir = -1;
    sbuf_addf(&st->files_dir, "%s/%s", j->temp.buf, FILES_DIR_NAME);
    int rc = open_files_dir(&dir, j, true, err);
    if (rc < 0)
        return rc;
    size_t n = st->index + 1;
    sbuf_addf(&st->env_file, "%s/set_env_%zu", st->files_dir.buf, n);
    sbuf_addf(&st->output_file, "%s/set_output_%zu", st->files_dir.buf, n);
    sbuf_addf(&st->path_file, "%s/add_path_%zu", st->files_dir.buf, n);
    sbuf_addf(&st->state_file, "%s/save_state_%zu", st->files_dir.buf, n);
    sbuf_addf(&st->summary_file, "%s/step_summary_%zu", st->files_dir.buf, n);
    const struct sbuf *files[] = {&st->env_file, &st->output_file, &st->path_file, &st->state_file,
                                  &st->summary_file};
    for (size_t i = 0; i < 5 && rc == 0; i++)
        rc = create_fresh(dir, files[i]->buf, err);
    close(dir);
    return rc;
}

/*
 * Opens one command file of the folder dir for reading: 0 with *out and *st set, ERR_NOTFOUND
 * when the step removed it (nothing to do, as the runner checks File.Exists), ERR_INVALID when it
 * is a link, not a regular file (a FIFO would block: O_NONBLOCK) or has another hard link (a host
 * file linked in), else ERR_IO.
 */
static int open_command_file(int *out, struct stat *st, int dir, const char *path, struct err *err)
{
    int fd =
        openat(dir, path_basename(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return err_set(err, ERR_NOTFOUND, "'%s' does not exist", path);
    if (fd < 0 && errno == ELOOP)
        return err_set(err, ERR_INVALID, "'%s' is a symbolic link", path);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    if (fstat(fd, st) < 0) {
        int rc = err_errno(err, "cannot read '%s'", path);
        close(fd);
        return rc;
    }
    if (!S_ISREG(st->st_mode) || st->st_nlink != 1) {
        close(fd);
        return err_set(err, ERR_INVALID, "'%s' is %s", path,
                       S_ISREG(st->st_mode) ? "linked to another file (a hard link)"
                                            : "not a regular file");
    }
    *out = fd;
    return 0;
}

/* A step about to run: no process yet, no files, empty outputs and state. */
static struct run_step *step_new(struct run_job *j, const struct wf_step *s)
{
    struct run_step *st = xcalloc(1, sizeof(*st));
    st->step = s;
    st->index = j->nsteps_run++;
    st->proc = PROC_INIT;
    st->out = (struct run_stream){.fd = -1, .part = SBUF_INIT};
    st->err = (struct run_stream){.fd = -1, .part = SBUF_INIT};
    st->files_dir = st->env_file = st->output_file = SBUF_INIT;
    st->path_file = st->state_file = st->summary_file = SBUF_INIT;
    st->outputs = val_new_object(&j->arena);
    st->state = VEC_INIT(struct run_env_pair);
    return st;
}

static void envp_free(char **envp)
{
    for (size_t i = 0; envp && envp[i]; i++)
        xfree(envp[i]);
    xfree(envp);
}

static void step_free(struct run_step *st)
{
    if (!st)
        return;
    proc_release(&st->proc);
    sbuf_release(&st->out.part);
    sbuf_release(&st->err.part);
    struct sbuf *bufs[] = {&st->files_dir, &st->env_file,   &st->output_file,
                           &st->path_file, &st->state_file, &st->summary_file};
    for (size_t i = 0; i < 6; i++)
        sbuf_release(bufs[i]);
    envp_free(st->envp);
    run_post_free(st->post);
    run_env_pairs_release(&st->state);
    xfree(st);
}

void run_post_free(struct run_post *p)
{
    if (!p)
        return;
    envp_free(p->envp);
    xfree(p->path);
    xfree(p->post_if);
    run_env_pairs_release(&p->state);
    xfree(p);
}

/* A heap copy of the environment map as NAME=value strings, NULL-terminated. */
static char **envp_dup(const struct map *env)
{
    char **envp = xcalloc(env->len + 1, sizeof(*envp));
    for (size_t i = 0; i < env->len; i++) {
        struct sbuf kv = SBUF_INIT;
        sbuf_addf(&kv, "%s=%s", env->entries[i].key, (const char *)env->entries[i].value);
        envp[i] = sbuf_detach(&kv, NULL);
    }
    return envp;
}

/* envp with STATE_<name> for each saved state value (the runner's way of passing state). */
static const char **envp_with_state(struct arena *a, char *const *envp, const struct vec *state)
{
    size_t n = 0;
    while (envp[n])
        n++;
    const char **out = arena_alloc(a, (n + state->len + 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = envp[i];
    for (size_t i = 0; i < state->len; i++) {
        const struct run_env_pair *p = vec_at(state, i);
        struct sbuf kv = SBUF_INIT;
        sbuf_addf(&kv, "STATE_%s=%s", p->name, p->value);
        out[n + i] = arena_strndup(a, kv.buf, kv.len);
        sbuf_release(&kv);
    }
    out[n + state->len] = NULL;
    return out;
}

/* Sets a saved state value; a name saved again keeps its last value, as the runner's map does. */
static void state_add(struct vec *state, const char *name, size_t nlen, const char *value,
                      size_t vlen)
{
    vec_foreach (struct run_env_pair, p, state) {
        if (strlen(p->name) == nlen && !memcmp(p->name, name, nlen)) {
            xfree(p->value);
            p->value = xstrndup(value, vlen);
            return;
        }
    }
    struct run_env_pair *p = vec_push(state);
    p->name = xstrndup(name, nlen);
    p->value = xstrndup(value, vlen);
}

/* Records the step in the steps context (only steps with an id of their own appear there). */
static void record_step(struct run_job *j, const struct wf_step *s, struct val outputs,
                        const char *outcome, const char *conclusion)
{
    if (s->id_generated)
        return;
    struct arena *a = &j->arena;
    struct val entry = val_new_object(a);
    val_object_set(a, entry, "outputs", 7,
                   outputs.kind == VAL_OBJECT ? outputs : val_new_object(a));
    val_object_set(a, entry, "outcome", 7, val_string(a, outcome, strlen(outcome)));
    val_object_set(a, entry, "conclusion", 10, val_string(a, conclusion, strlen(conclusion)));
    val_object_set(a, run_top(j)->steps_ctx, s->id, strlen(s->id), entry);
}

/*
 * The step's name in the log: its name:, else "Run " and the first line of its script (script
 * when it is already evaluated, else the script as written when it holds no expression), else
 * the action or the id. The script is never evaluated here: hashFiles() would read the
 * workspace twice.
 */
static const char *step_display_name(struct run_job *j, const struct wf_step *s, struct arena *a,
                                     const char *script)
{
    if (s->name) {
        const char *name = NULL;
        struct err err = ERR_INIT;
        if (run_tok_string(&name, a, s->name, j, &err) == 0 && name && *name)
            return name;
    }
    if (!script && s->run && s->run->kind == WF_TOK_STRING)
        script = s->run->str;
    if (script) {
        const char *nl = strchr(script, '\n');
        size_t n = nl ? (size_t)(nl - script) : strlen(script);
        struct sbuf sb = SBUF_INIT;
        sbuf_addstr(&sb, "Run ");
        sbuf_add(&sb, script, n);
        const char *out = arena_strndup(a, sb.buf, sb.len);
        sbuf_release(&sb);
        return out;
    }
    if (s->uses && s->uses->kind == WF_TOK_STRING)
        return arena_strdup(a, s->uses->str);
    return s->id;
}

/* Evaluates a token that must be a number of minutes (step or job timeout); 0 when absent. */
static int minutes_of(double *out, const struct wf_token *t, struct run_job *j, struct arena *a,
                      struct err *err)
{
    *out = 0;
    if (!t)
        return 0;
    struct val v;
    int rc = run_tok_eval(&v, a, t, j, err);
    if (rc < 0)
        return rc;
    *out = val_to_number(&v);
    if (*out != *out || *out < 0)
        *out = 0;
    return 0;
}

static int bool_of(bool *out, const struct wf_token *t, struct run_job *j, struct arena *a,
                   struct err *err)
{
    *out = false;
    if (!t)
        return 0;
    struct val v;
    int rc = run_tok_eval(&v, a, t, j, err);
    if (rc == 0)
        *out = val_is_truthy(&v);
    return rc;
}

/*
 * defaults.run.<key> of the job, else of the workflow; NULL when neither has one. A composite
 * action's run steps get neither: the runner's ScriptHandler reads the job defaults only outside
 * a composite (ExecutionContext.ScopeName empty), so they start in github.workspace with the shell
 * they name.
 */
static const struct wf_token *default_run(const struct run_job *j, const char *key)
{
    if (run_top(j)->action)
        return NULL;
    const struct wf_token *jd = wf_tok_get(wf_tok_get(j->def->pj->job->defaults, "run"), key);
    if (jd)
        return jd;
    return wf_tok_get(wf_tok_get(j->wf->pw->wf->defaults, "run"), key);
}

/* Skips the destination itself when it lies inside the repository being copied (--bind). */
static bool skip_dest(const char *rel, bool is_dir, void *payload)
{
    (void)is_dir;
    return !strcmp(rel, payload);
}

/*
 * actions/checkout's `path`: the repository copied to a folder of the workspace. As the action,
 * a path that does not resolve into the workspace is refused ("Repository path '...' is not under
 * '...'"); the copy runs outside the sandbox, so the path may not reach out through a link a step
 * made either (fs_copy_tree writes through no link below it).
 */
static int checkout_copy(struct run_job *j, const char *path, struct err *err)
{
    const char *root = j->run->plan->repo.root;
    struct sbuf wsn = SBUF_INIT;
    struct sbuf joined = SBUF_INIT;
    struct sbuf dest = SBUF_INIT;
    int rc = 0;
    path_normalize(&wsn, j->workspace.buf);
    const char *ws = wsn.buf;
    path_join(&joined, ws, path);
    path_normalize(&dest, joined.buf);
    struct stat st;
    bool link_out =
        strcmp(dest.buf, ws) &&
        (fs_through_link(ws, dest.buf) ||
         (lstat(dest.buf, &st) == 0 && S_ISLNK(st.st_mode) && !fs_real_within(dest.buf, ws)));
    if (!path_within(dest.buf, ws) || link_out) {
        rc = err_set(err, ERR_INVALID, "Repository path '%s' is not under '%s'", dest.buf, ws);
        goto done;
    }
    if (j->run->o->dry_run)
        goto done;
    if (!strcmp(dest.buf, ws)) {
        /* The workspace holds it already (with --bind it *is* the repository: no copy onto
         * itself). */
        run_logf(j, RUN_LINE_INFO,
                 "actions/checkout (built-in): the workspace holds the repository");
        goto done;
    }
    size_t rl = strlen(root);
    const char *inside =
        path_within(dest.buf, root) && dest.buf[rl] == '/' ? dest.buf + rl + 1 : NULL;
    rc = fs_copy_tree(dest.buf, root, inside ? skip_dest : NULL, (void *)inside, err);
    if (rc == 0)
        run_logf(j, RUN_LINE_INFO, "actions/checkout (built-in): copied the repository to %s",
                 path);
done:
    sbuf_release(&wsn);
    sbuf_release(&joined);
    sbuf_release(&dest);
    return rc;
}

/*
 * The built-in actions/checkout: the job's workspace already holds the repository (a copy, or
 * the repository itself with --bind), so checkout of the same repository only has to put it
 * where `path` says.
 */
static int builtin_checkout(struct run_job *j, const struct val *with, struct err *err)
{
    const struct val *path =
        with->kind == VAL_OBJECT ? val_object_find(with->obj, "path", 4) : NULL;
    const struct val *repo =
        with->kind == VAL_OBJECT ? val_object_find(with->obj, "repository", 10) : NULL;
    if (repo && repo->kind == VAL_STRING && repo->s.len) {
        struct sbuf own = SBUF_INIT;
        sbuf_addf(&own, "%s/%s", j->run->plan->repo.owner, j->run->plan->repo.name);
        bool same = !str_casecmp(own.buf, repo->s.p);
        sbuf_release(&own);
        if (!same) {
            return err_set(err, ERR_INVALID,
                           "actions/checkout of another repository ('%s') needs the network; "
                           "runnel checks out only the repository being run",
                           repo->s.p);
        }
    }
    if (path && path->kind == VAL_STRING && path->s.len)
        return checkout_copy(j, path->s.p, err);
    if (!j->run->o->dry_run)
        run_logf(j, RUN_LINE_INFO,
                 "actions/checkout (built-in): the workspace holds the repository at %.12s",
                 j->run->plan->event.sha ? j->run->plan->event.sha : "HEAD");
    return 0;
}

/* Steps that need no process: built-in actions, and actions runnel cannot run yet. */
/* Runs argv with no stdin and captures its stdout (the built-ins ask interpreters' versions). */
static void capture_output(int stream, const char *data, size_t len, void *payload)
{
    if (stream == 1)
        sbuf_add(payload, data, len);
}

static int capture(struct sbuf *out, const char *const *argv, void *payload, struct err *err)
{
    (void)payload;
    struct proc p = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    const char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
    o.argv = argv;
    o.envp = envp;
    o.flags = PROC_CAPTURE_STDOUT;
    int rc = proc_start(&p, &o, err);
    if (rc == 0) {
        struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
        w.timeout_s = 30;
        w.on_output = capture_output;
        w.payload = out;
        rc = proc_wait(&p, &w, err);
    }
    bool ok = rc == 0 && p.result.exited && p.result.code == 0;
    proc_release(&p);
    if (rc == 0 && !ok)
        rc = err_set(err, ERR_FAIL, "'%s' failed", argv[0]);
    return rc;
}

static void builtin_log(enum actions_log_level level, const char *line, void *payload)
{
    run_log(payload,
            level == ACTIONS_LOG_ERROR     ? RUN_LINE_ERROR
            : level == ACTIONS_LOG_WARNING ? RUN_LINE_WARNING
                                           : RUN_LINE_OUTPUT,
            line, strlen(line));
}

/* The call a built-in gets: the job's places, and `with` as name -> string. */
static void builtin_call(struct actions_builtin_call *c, struct map *inputs, struct run_job *j,
                         const char *uses, const struct val *with)
{
    for (size_t i = 0; with && with->kind == VAL_OBJECT && i < with->obj->len; i++) {
        struct sbuf v = SBUF_INIT;
        val_to_sbuf(&v, &with->obj->members[i].value);
        xfree(map_set(inputs, with->obj->members[i].key.p, sbuf_detach(&v, NULL)));
    }
    *c = (struct actions_builtin_call){
        .uses = uses,
        .inputs = inputs,
        .workspace = j->workspace.buf,
        .temp_dir = j->temp.buf,
        .run_dir = j->run->o->run_dir,
        .job_id = j->def->pj->id,
        .runnel_path = j->run->self_path.len ? j->run->self_path.buf : NULL,
        .home = j->home.len ? j->home.buf : NULL,
        .capture = capture,
        .log = builtin_log,
        .payload = j,
    };
}

/* The built-ins' post steps (actions/cache's save), last first, when the job's steps are done. */
void run_job_posts(struct run_job *j)
{
    for (size_t i = j->posts.len; i > 0; i--) {
        struct actions_post *post = *(struct actions_post **)vec_at(&j->posts, i - 1);
        /* actions/cache declares post-if: success(): nothing is saved after a failure. */
        if (j->status != EXPR_STATUS_SUCCESS || j->cancel_requested) {
            run_logf(j, RUN_LINE_INFO, "skipped: Post save the cache (post-if: success())");
            actions_post_free(post);
            continue;
        }
        struct map inputs = MAP_INIT;
        struct actions_builtin_call c;
        builtin_call(&c, &inputs, j, "", NULL);
        struct err err = ERR_INIT;
        run_logf(j, RUN_LINE_GROUP, "Post: save the cache");
        if (actions_builtin_post(post, &c, &err) < 0)
            run_logf(j, RUN_LINE_WARNING, "%s", err.msg);
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        map_release(&inputs, xfree);
        actions_post_free(post);
    }
    vec_clear(&j->posts);
}

/*
 * A `uses:` that is not a local path: the built-in actions/checkout, a built-in of the actions
 * module, or a remote action fetched into the cache (its directory goes to dir_out, to be run
 * like a local one). *ok tells a step that ran here whether it succeeded.
 */
static int run_uses_step(struct run_job *j, const struct wf_step *s, struct run_step *st,
                         struct arena *a, bool *ok, struct sbuf *dir_out, struct err *err)
{
    *ok = false;
    const char *uses = s->uses->str;
    struct val with = val_null();
    int rc = run_tok_eval(&with, a, s->with, j, err);
    if (rc < 0)
        return rc;
    if (!str_casecmp(uses, "actions/checkout") || str_has_prefix(uses, "actions/checkout@")) {
        rc = builtin_checkout(j, &with, err);
        if (rc < 0) {
            run_logf(j, RUN_LINE_ERROR, "%s", err->msg);
            err_clear(err);
            return 0;
        }
        if (j->run->o->dry_run)
            run_log(j, RUN_LINE_INFO, "(dry run: not started)", 22);
        *ok = true;
        return 0;
    }
    struct actions_ref ref;
    rc = actions_ref_parse(&ref, uses, err);
    if (rc < 0)
        return rc;
    if (ref.kind == ACTIONS_REF_DOCKER) {
        actions_ref_release(&ref);
        return err_set(err, ERR_INVALID, "'%s': Docker actions are not run by runnel yet", uses);
    }
    struct actions_resolve_opts ro = {0};
    if (j->run->o->actions)
        ro = *j->run->o->actions;
    struct actions_resolved res = ACTIONS_RESOLVED_INIT;
    rc = actions_resolve(&res, &ref, &ro, err);
    actions_ref_release(&ref);
    if (rc < 0)
        return rc;
    if (res.source != ACTIONS_SOURCE_BUILTIN) {
        run_logf(j, RUN_LINE_INFO, "%s: %s (%s)", uses, actions_source_name(res.source),
                 res.fetched.dir.buf);
        sbuf_addstr(dir_out, res.fetched.dir.buf);
        actions_resolved_release(&res);
        return 0;
    }
    actions_resolved_release(&res);
    run_logf(j, RUN_LINE_INFO, "%s: built-in", uses);
    /* A dry run starts nothing: the built-ins run outside the sandbox (and a dry run has none),
     * so one would read and write the host's files with the user's rights. */
    if (j->run->o->dry_run) {
        run_log(j, RUN_LINE_INFO, "(dry run: not started)", 22);
        *ok = true;
        return 0;
    }
    struct map inputs = MAP_INIT;
    struct actions_builtin_call c;
    builtin_call(&c, &inputs, j, uses, &with);
    struct actions_builtin_result br = ACTIONS_BUILTIN_RESULT_INIT;
    rc = actions_builtin_run(&c, &br, err);
    if (rc == 0) {
        *ok = br.ok;
        if (!br.ok && br.failure)
            run_log(j, RUN_LINE_ERROR, br.failure, strlen(br.failure));
        for (size_t i = 0; i < br.outputs.len; i++) {
            const char *v = br.outputs.entries[i].value;
            val_object_set(&j->arena, st->outputs, br.outputs.entries[i].key,
                           strlen(br.outputs.entries[i].key), val_string(&j->arena, v, strlen(v)));
        }
        vec_foreach (char *, p, &br.path_add) {
            run_path_prepend(&j->path_prepend, *p, strlen(*p));
        }
        for (size_t i = 0; i < br.env_add.len; i++) {
            const char *v = br.env_add.entries[i].value;
            val_object_set(&j->arena, j->env, br.env_add.entries[i].key,
                           strlen(br.env_add.entries[i].key), val_string(&j->arena, v, strlen(v)));
        }
        if (br.post) {
            vec_append(&j->posts, &br.post);
            br.post = NULL;
        }
    }
    actions_builtin_result_release(&br);
    map_release(&inputs, xfree);
    return rc;
}

static void finish_with_outputs(struct run_job *j, const struct wf_step *s, bool ok,
                                bool continue_on_error, const char *label, struct val outputs)
{
    const char *outcome = ok ? "success" : "failure";
    const char *conclusion = ok || continue_on_error ? "success" : "failure";
    record_step(j, s, outputs, outcome, conclusion);
    if (!ok && !continue_on_error)
        *run_status(j) = EXPR_STATUS_FAILURE;
    run_logf(j, RUN_LINE_INFO, "%s %s", ok ? "finished:" : "failed:", label);
}

static void finish_without_process(struct run_job *j, const struct wf_step *s, bool ok,
                                   bool continue_on_error, const char *label)
{
    finish_with_outputs(j, s, ok, continue_on_error, label, val_null());
}

/* ---- actions from a directory: composite (a frame of steps) and JavaScript (node) ---------- */

/* The inputs context of an action: `with` values, else the declared defaults (templates). */
static int action_inputs(struct val *out, struct run_job *j, const struct wf_step *s,
                         const struct wf_action *act, struct arena *scratch, struct err *err)
{
    struct arena *a = &j->arena;
    struct val with = val_null();
    int rc = run_tok_eval(&with, scratch, s->with, j, err);
    if (rc < 0)
        return rc;
    struct val inputs = val_new_object(a);
    for (size_t i = 0; i < act->ninputs; i++) {
        const struct wf_action_input *in = &act->inputs[i];
        const struct val *given =
            with.kind == VAL_OBJECT ? val_object_find(with.obj, in->name, strlen(in->name)) : NULL;
        struct sbuf value = SBUF_INIT;
        if (given) {
            val_to_sbuf(&value, given);
        } else if (in->default_value) {
            struct expr_template *tmpl = NULL;
            struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
            po.allow_any_context = true;
            rc = expr_template_parse(&tmpl, scratch, in->default_value, strlen(in->default_value),
                                     &po, err);
            struct val v;
            if (rc == 0) {
                struct val contexts = run_contexts(j, scratch);
                struct expr_ctx ctx = EXPR_CTX_INIT;
                ctx.contexts = &contexts;
                ctx.workspace = j->workspace.buf;
                rc = expr_template_eval(&v, scratch, tmpl, &ctx, err);
            }
            if (rc < 0) {
                sbuf_release(&value);
                err_prefix(err, "%s: default of input '%s': ", act->path, in->name);
                return rc;
            }
            val_to_sbuf(&value, &v);
        } else if (in->required) {
            run_logf(j, RUN_LINE_WARNING, "Input required and not supplied: %s", in->name);
        }
        val_object_set(a, inputs, in->name, strlen(in->name), val_string(a, value.buf, value.len));
        sbuf_release(&value);
    }
    /* Inputs the action does not declare still reach it (GitHub warns about them). */
    for (size_t i = 0; with.kind == VAL_OBJECT && i < with.obj->len; i++) {
        const struct val_member *m = &with.obj->members[i];
        if (val_object_find(inputs.obj, m->key.p, m->key.len))
            continue;
        run_logf(j, RUN_LINE_WARNING, "Unexpected input '%s' for %s", m->key.p, s->uses->str);
        struct sbuf value = SBUF_INIT;
        val_to_sbuf(&value, &m->value);
        val_object_set(a, inputs, m->key.p, m->key.len, val_string(a, value.buf, value.len));
        sbuf_release(&value);
    }
    *out = inputs;
    return 0;
}

/*
 * Loads action.yml (or action.yaml) from dir. With within (a local action in a sandboxed job),
 * the file must resolve inside that folder: runnel reads it outside the sandbox, and a link a
 * step left there would have it load a host file the sandbox hides (its steps would run, its
 * values reach the log, its parse errors say what it holds).
 */
static int load_action(struct wf_action **out, const char *dir, const char *within, struct err *err)
{
    struct sbuf path = SBUF_INIT;
    path_join(&path, dir, "action.yml");
    if (!fs_is_file(path.buf)) {
        sbuf_reset(&path);
        path_join(&path, dir, "action.yaml");
    }
    int rc;
    if (!fs_is_file(path.buf))
        rc = err_set(err, ERR_NOTFOUND, "can't find 'action.yml' or 'action.yaml' in '%s'", dir);
    else if (within && !fs_real_within(path.buf, within))
        rc = err_set(err, ERR_INVALID,
                     "'%s' leads out of the workspace through a symbolic link: not loaded",
                     path.buf);
    else
        rc = wf_action_load(out, path.buf, err);
    sbuf_release(&path);
    return rc;
}

static void push_frame(struct run_job *j, const struct wf_step *s, struct wf_action *act,
                       const char *dir, struct val inputs, const struct val *caller_env,
                       bool continue_on_error)
{
    struct arena *a = &j->arena;
    struct run_frame *f = xcalloc(1, sizeof(*f));
    struct run_frame *parent = run_top(j);
    f->steps = (const struct wf_step *const *)act->steps;
    f->nsteps = act->nsteps;
    f->action = act;
    f->action_path = arena_strdup(a, dir);
    f->github = val_new_object(a);
    const struct val *gh = parent->action ? &parent->github : &j->github;
    for (size_t i = 0; i < gh->obj->len; i++)
        val_object_set(a, f->github, gh->obj->members[i].key.p, gh->obj->members[i].key.len,
                       gh->obj->members[i].value);
    val_object_set(a, f->github, "action_path", 11, val_string(a, dir, strlen(dir)));
    val_object_set(a, f->github, "action", 6, val_string(a, s->id, strlen(s->id)));
    f->inputs = inputs;
    f->steps_ctx = val_new_object(a);
    f->caller_env = caller_env->kind == VAL_OBJECT ? val_copy(a, caller_env) : val_null();
    f->status = EXPR_STATUS_SUCCESS;
    f->caller = s;
    f->caller_continue_on_error = continue_on_error;
    f->pres = VEC_INIT(struct run_pre *);
    f->pre_runs = VEC_INIT(struct run_pre_run);
    vec_append(&j->frames, &f);
    /* An action of the composite that cannot be resolved: its step says why. */
    struct err ignored = ERR_INIT;
    run_frame_collect_pres(j, f, &ignored);
}

void run_frame_free(struct run_frame *f)
{
    if (!f)
        return;
    vec_foreach (struct run_pre *, p, &f->pres) {
        wf_action_free((*p)->action);
        xfree((*p)->dir);
        xfree(*p);
    }
    vec_release(&f->pres);
    vec_foreach (struct run_pre_run, pr, &f->pre_runs) {
        run_env_pairs_release(&pr->state);
    }
    vec_release(&f->pre_runs);
    wf_action_free(f->action);
    xfree(f);
}

/* The composite's last step is done: its outputs and outcome become its calling step's. */
void run_frame_finish(struct run_job *j)
{
    struct run_frame *f = run_top(j);
    struct arena *a = &j->arena;
    struct val outputs = val_new_object(a);
    for (size_t i = 0; i < f->action->noutputs; i++) {
        const struct wf_action_output *o = &f->action->outputs[i];
        const char *value = NULL;
        struct err err = ERR_INIT;
        if (o->value && run_tok_string(&value, a, o->value, j, &err) < 0) {
            run_logf(j, RUN_LINE_ERROR, "output '%s': %s", o->name, err.msg);
            f->status = EXPR_STATUS_FAILURE;
            continue;
        }
        val_object_set(a, outputs, o->name, strlen(o->name),
                       val_string(a, value ? value : "", value ? strlen(value) : 0));
    }
    bool ok = f->status != EXPR_STATUS_FAILURE;
    bool cancelled = f->status == EXPR_STATUS_CANCELLED;
    const struct wf_step *caller = f->caller;
    bool coe = f->caller_continue_on_error;
    vec_pop(&j->frames);
    /* Kept until the job ends: a post (or its registration by a pre) holds one of its steps. */
    vec_append(&j->spent_actions, &f->action);
    f->action = NULL;
    run_frame_free(f);
    const char *outcome = cancelled ? "cancelled" : ok ? "success" : "failure";
    const char *conclusion = cancelled ? "cancelled" : (ok || coe) ? "success" : "failure";
    record_step(j, caller, outputs, outcome, conclusion);
    if (!ok && !coe)
        *run_status(j) = EXPR_STATUS_FAILURE;
    run_log(j, RUN_LINE_ENDGROUP, "", 0);
}

/* ---- JavaScript actions: the environment, pre scripts and posts -------------------------- */

static bool start_node(struct run_job *j, struct run_step *st, char *const *envp,
                       const char *script);

/* The end of the window after a cancellation in which later steps and posts may run, together. */
static double cancel_window(struct run_job *j)
{
    if (!j->cancel_deadline)
        j->cancel_deadline = run_now() + j->cancel_grace_s;
    return j->cancel_deadline;
}

/*
 * A pre or post script has started: the job waits on it, its output read with a fresh parser.
 * One that starts after the job was cancelled (its pre-if or post-if, always() by default, let
 * it) runs to its end, as a step with if: always() does, instead of being stopped at once.
 */
static void node_step_running(struct run_job *j, struct run_step *st)
{
    st->started_cancelled = j->cancel_requested;
    if (st->started_cancelled)
        st->deadline = cancel_window(j);
    run_cmd_parser_release(&j->parser);
    run_cmd_parser_init(&j->parser, NULL);
    j->cur = st;
}

/* A JavaScript action's environment: the step's, GITHUB_ACTION_PATH and INPUT_* for inputs. */
static void node_env(struct map *env, struct run_job *j, struct run_step *st, const char *dir,
                     struct val inputs, struct arena *scratch)
{
    build_env(env, j, st, scratch);
    env_put(env, "GITHUB_ACTION_PATH", dir);
    for (size_t i = 0; i < inputs.obj->len; i++) {
        struct sbuf name = SBUF_INIT;
        sbuf_addstr(&name, "INPUT_");
        for (const char *p = inputs.obj->members[i].key.p; *p; p++)
            sbuf_addch(&name, *p == ' ' ? '_' : (*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
        env_put(env, name.buf, inputs.obj->members[i].value.s.p);
        sbuf_release(&name);
    }
}

/* The post of step s's action in dir (its environment and state are filled in later). */
static struct run_post *post_new(const struct wf_step *s, const char *dir,
                                 const struct wf_action *act)
{
    struct run_post *post = xcalloc(1, sizeof(*post));
    post->step = s;
    struct sbuf pp = SBUF_INIT;
    path_join(&pp, dir, act->post);
    post->path = sbuf_detach(&pp, NULL);
    post->post_if = xstrdup(act->post_if ? act->post_if : "always()");
    post->state = VEC_INIT(struct run_env_pair);
    return post;
}

static char **envp_copy(char *const *envp)
{
    size_t n = 0;
    while (envp[n])
        n++;
    char **out = xcalloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(envp[i]);
    return out;
}

static void state_copy(struct vec *to, const struct vec *from)
{
    vec_foreach (const struct run_env_pair, e, from) {
        state_add(to, e->name, strlen(e->name), e->value, strlen(e->value));
    }
}

static struct run_pre_run *find_pre_run(struct run_frame *f, const struct wf_step *s)
{
    vec_foreach (struct run_pre_run, pr, &f->pre_runs) {
        if (pr->step == s)
            return pr;
    }
    return NULL;
}

int run_frame_collect_pres(struct run_job *j, struct run_frame *f, struct err *err)
{
    if (j->run->o->dry_run)
        return 0;
    int first_rc = 0;
    for (size_t i = 0; i < f->nsteps; i++) {
        const struct wf_step *s = f->steps[i];
        if (!s->uses || s->uses->kind != WF_TOK_STRING)
            continue;
        const char *uses = s->uses->str;
        if (uses[0] == '.' || !str_casecmp(uses, "actions/checkout") ||
            str_has_prefix(uses, "actions/checkout@"))
            continue;
        /* Resolved now, as the runner downloads every action when the job is set up. A
         * reference that does not parse is left to its step to report. */
        struct err ignored = ERR_INIT;
        struct actions_ref ref;
        if (actions_ref_parse(&ref, uses, &ignored) < 0)
            continue;
        if (ref.kind == ACTIONS_REF_DOCKER) {
            actions_ref_release(&ref);
            continue;
        }
        struct actions_resolve_opts ro = {0};
        if (j->run->o->actions)
            ro = *j->run->o->actions;
        struct actions_resolved res = ACTIONS_RESOLVED_INIT;
        struct err this_err = ERR_INIT;
        int rc = actions_resolve(&res, &ref, &ro, &this_err);
        actions_ref_release(&ref);
        if (rc < 0) {
            /* The first one is the frame's error; the rest are still looked at for pres. */
            if (!first_rc) {
                first_rc = rc;
                *err = this_err;
            }
            actions_resolved_release(&res);
            continue;
        }
        struct wf_action *act = NULL;
        if (res.source != ACTIONS_SOURCE_BUILTIN &&
            load_action(&act, res.fetched.dir.buf, NULL, &ignored) == 0 &&
            act->kind == WF_ACTION_NODE && act->pre) {
            struct run_pre *p = xcalloc(1, sizeof(*p));
            p->step = s;
            p->dir = xstrdup(res.fetched.dir.buf);
            p->action = act;
            act = NULL;
            vec_append(&f->pres, &p);
        }
        wf_action_free(act);
        actions_resolved_release(&res);
    }
    return first_rc;
}

bool run_pre_start(struct run_job *j)
{
    struct run_frame *f = run_top(j);
    if (f->next_pre >= f->pres.len)
        return false;
    const struct run_pre *p = *(struct run_pre **)vec_at(&f->pres, f->next_pre++);
    const struct wf_step *s = p->step;
    struct arena scratch = ARENA_INIT;
    struct err err = ERR_INIT;
    const char *label = step_display_name(j, s, &scratch, NULL);
    /* pre-if (default always()) is its only condition: the step's own if: is not consulted. */
    const char *cond = p->action->pre_if ? p->action->pre_if : "always()";
    bool run_it = false;
    if (run_cond_eval(&run_it, cond, j, false, &err) < 0) {
        run_logf(j, RUN_LINE_WARNING, "pre-if: %s", err.msg);
        err_clear(&err);
    }
    if (!run_it) {
        run_logf(j, RUN_LINE_INFO, "skipped: Pre %s (pre-if: %s)", label, cond);
        arena_release(&scratch);
        return true;
    }
    run_logf(j, RUN_LINE_GROUP, "Pre %s", label);
    struct run_pre_run *pr = vec_push(&f->pre_runs);
    pr->step = s;
    pr->state = VEC_INIT(struct run_env_pair);
    pr->post = NULL;
    struct run_step *st = step_new(j, s);
    st->phase = RUN_PHASE_PRE;
    struct val step_env = val_null();
    struct val inputs = val_null();
    int rc = bool_of(&st->continue_on_error, s->continue_on_error, j, &scratch, &err);
    if (rc == 0)
        rc = run_tok_eval(&step_env, &scratch, s->env, j, &err);
    if (rc == 0 && step_env.kind == VAL_OBJECT)
        j->step_env = step_env;
    if (rc == 0)
        rc = action_inputs(&inputs, j, s, p->action, &scratch, &err);
    if (rc == 0)
        rc = make_files(j, st, &err);
    bool started = false;
    if (rc == 0) {
        struct map env = MAP_INIT;
        node_env(&env, j, st, p->dir, inputs, &scratch);
        st->envp = envp_dup(&env);
        map_release(&env, xfree);
        /* The runner registers the post when the pre runs: it runs even if main is skipped. */
        if (p->action->post) {
            pr->post = post_new(s, p->dir, p->action);
            pr->post->envp = envp_copy(st->envp);
            vec_append(&j->node_posts, &pr->post);
        }
        struct sbuf script = SBUF_INIT;
        path_join(&script, p->dir, p->action->pre);
        started = start_node(j, st, st->envp, script.buf);
        sbuf_release(&script);
    } else {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
    }
    j->step_env = val_null();
    arena_release(&scratch);
    if (!started) {
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        if (!st->continue_on_error)
            *run_status(j) = EXPR_STATUS_FAILURE;
        step_free(st);
        return true;
    }
    node_step_running(j, st);
    return true;
}

int run_step_start(struct run_job *j, const struct wf_step *s, bool *started, struct err *err)
{
    struct run *r = j->run;
    struct arena *a = &j->arena;
    *started = false;

    /* github.action is the step's id (__run, __run_2, __owner_repo when it has none), set before
     * its if: as the runner's StepsRunner sets it; a composite's steps keep their caller's. */
    if (!run_top(j)->action)
        val_object_set(a, j->github, "action", 6, val_string(a, s->id, strlen(s->id)));

    /* if: with the job's status; a cancelled job runs only steps that ask for it. */
    bool run_it = false;
    int rc = run_cond_eval(&run_it, s->if_expr, j, false, err);
    if (rc < 0) {
        const struct wf_token *where = wf_tok_get(s->token, "if");
        run_tok_err(err, j, where ? where : s->token);
        run_logf(j, RUN_LINE_ERROR, "%s", err->msg);
        err_clear(err);
        *run_status(j) = EXPR_STATUS_FAILURE;
        record_step(j, s, val_null(), "failure", "failure");
        return 0;
    }
    const char *label = step_display_name(j, s, a, NULL);
    if (!run_it) {
        run_logf(j, RUN_LINE_INFO, "skipped: %s (if: %s)", label, s->if_expr ? s->if_expr : "");
        record_step(j, s, val_null(), "skipped", "skipped");
        return 0;
    }

    struct run_step *st = step_new(j, s);

    struct map env = MAP_INIT;
    struct arena scratch = ARENA_INIT;
    struct val step_env = val_null();
    double minutes = 0;
    const char *shell = NULL, *wd = NULL, *script = NULL;

    rc = bool_of(&st->continue_on_error, s->continue_on_error, j, &scratch, err);
    if (rc == 0)
        rc = minutes_of(&minutes, s->timeout_minutes, j, &scratch, err);
    if (rc == 0)
        rc = run_tok_eval(&step_env, &scratch, s->env, j, err);
    if (rc < 0)
        goto failed;
    /* The step's own env is in the env context of its other keys (run, with, ...). */
    if (step_env.kind == VAL_OBJECT)
        j->step_env = step_env;

    const char **argv = NULL;
    struct sbuf cwd = SBUF_INIT;
    struct sbuf norm = SBUF_INIT;
    if (s->uses && s->uses->str[0] == '.') {
        /* A local action: a directory in the workspace. */
        struct sbuf dir = SBUF_INIT;
        path_join(&dir, j->workspace.buf, s->uses->str);
        path_normalize(&norm, dir.buf);
        sbuf_release(&dir);
    } else if (s->uses) {
        bool ok = false;
        run_logf(j, RUN_LINE_GROUP, "%s", label);
        rc = run_uses_step(j, s, st, &scratch, &ok, &norm, err);
        if (rc < 0 || !norm.len)
            run_log(j, RUN_LINE_ENDGROUP, "", 0);
        if (rc < 0) {
            sbuf_release(&norm);
            goto failed;
        }
        if (!norm.len) {
            finish_with_outputs(j, s, ok, st->continue_on_error, label, st->outputs);
            sbuf_release(&norm);
            goto done;
        }
    }
    if (norm.len) {
        bool remote = s->uses->str[0] != '.';
        struct wf_action *act = NULL;
        struct val inputs = val_null();
        /* A local action is read from the workspace, which the steps write. */
        bool sandboxed = j->sb && sandbox_tier(j->sb) != SANDBOX_TIER_NONE;
        rc = load_action(&act, norm.buf, !remote && sandboxed ? j->workspace.buf : NULL, err);
        if (rc == 0)
            rc = action_inputs(&inputs, j, s, act, &scratch, err);
        if (rc == 0 && act->kind == WF_ACTION_DOCKER)
            rc = err_set(err, ERR_INVALID, "'%s' is a Docker action: runnel runs no containers yet",
                         s->uses->str);
        if (rc < 0) {
            wf_action_free(act);
            sbuf_release(&norm);
            goto failed;
        }
        if (!remote)
            run_logf(j, RUN_LINE_GROUP, "%s", label);
        if (act->kind == WF_ACTION_COMPOSITE) {
            push_frame(j, s, act, norm.buf, inputs, &step_env, st->continue_on_error);
            sbuf_release(&norm);
            goto done;
        }
        /* JavaScript: node runs the main script with INPUT_* variables. */
        rc = make_files(j, st, err);
        if (rc < 0) {
            wf_action_free(act);
            sbuf_release(&norm);
            goto failed;
        }
        node_env(&env, j, st, norm.buf, inputs, &scratch);
        st->envp = envp_dup(&env);
        /* A repository action's pre ran when the frame started; a local one's never runs. */
        struct run_pre_run *pr = remote ? find_pre_run(run_top(j), s) : NULL;
        if (act->pre && !remote)
            run_logf(j, RUN_LINE_WARNING,
                     "`pre` execution is not supported for local action from '%s'", s->uses->str);
        if (pr) {
            /* The state its pre saved, as STATE_*; kept too for the post. */
            state_copy(&st->state, &pr->state);
            vec_foreach (struct run_env_pair, e, &pr->state) {
                struct sbuf name = SBUF_INIT;
                sbuf_addf(&name, "STATE_%s", e->name);
                env_put(&env, name.buf, e->value);
                sbuf_release(&name);
            }
            st->shared_post = pr->post;
        }
        if (act->post && !st->shared_post)
            st->post = post_new(s, norm.buf, act);
        struct sbuf main_path = SBUF_INIT;
        path_join(&main_path, norm.buf, act->main ? act->main : "index.js");
        argv = arena_alloc(&scratch, 3 * sizeof(*argv));
        argv[0] = "node";
        argv[1] = arena_strdup(&scratch, main_path.buf);
        st->phase = RUN_PHASE_MAIN;
        sbuf_release(&main_path);
        sbuf_addstr(&cwd, j->workspace.buf);
        wf_action_free(act);
        sbuf_release(&norm);
        run_logf(j, RUN_LINE_COMMAND, "node %s", argv[1]);
    }
    if (!argv) {
        const struct wf_token *shell_tok = s->shell ? s->shell : default_run(j, "shell");
        const struct wf_token *wd_tok =
            s->working_directory ? s->working_directory : default_run(j, "working-directory");
        rc = run_tok_string(&script, &scratch, s->run, j, err);
        if (rc == 0 && !s->name)
            label = step_display_name(j, s, a, script);
        if (rc == 0 && shell_tok)
            rc = run_tok_string(&shell, &scratch, shell_tok, j, err);
        if (rc == 0 && wd_tok)
            rc = run_tok_string(&wd, &scratch, wd_tok, j, err);
        if (rc < 0)
            goto failed;
        rc = make_files(j, st, err);
        if (rc < 0)
            goto failed;

        /* The script file, written into RUNNER_TEMP as the runner does. */
        build_env(&env, j, st, &scratch);
        const char *path = map_find(&env, "PATH");
        bool has_bash = find_in_path(&scratch, "bash", path) != NULL;
        struct sbuf tmpl = SBUF_INIT;
        const char *ext;
        shell_template(&tmpl, &ext, shell, has_bash);
        struct sbuf script_path = SBUF_INIT;
        sbuf_addf(&script_path, "%s/step-%zu-%s%s", j->temp.buf, st->index + 1, s->id, ext);
        /* Private to the user, as the runner's temp folder is: the script holds the values of
         * the secrets it names. A dry run writes none (it shows the script masked). */
        if (!r->o->dry_run)
            rc = fs_write_file_mode(script_path.buf, script, strlen(script), 0600, err);
        argv = template_argv(&scratch, tmpl.buf, script_path.buf);
        /* GitHub's images have `python`; Debian has only python3. */
        if (rc == 0 && argv[0] && !strcmp(argv[0], "python") &&
            !find_in_path(&scratch, "python", path))
            argv[0] = "python3";
        if (wd && *wd)
            path_join(&cwd, j->workspace.buf, wd);
        else
            sbuf_addstr(&cwd, j->workspace.buf);
        sbuf_release(&tmpl);
        sbuf_release(&script_path);
        if (rc < 0) {
            sbuf_release(&cwd);
            goto failed;
        }

        run_logf(j, RUN_LINE_GROUP, "%s", label);
        {
            struct sbuf shown = SBUF_INIT;
            for (size_t i = 0; argv[i]; i++)
                sbuf_addf(&shown, "%s%s", i ? " " : "", argv[i]);
            run_logf(j, RUN_LINE_COMMAND, "%s", shown.buf);
            const char *p = script;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                run_log(j, RUN_LINE_COMMAND, p, n);
                p += n + (nl ? 1 : 0);
            }
            sbuf_release(&shown);
        }
    }
    if (!fs_is_dir(cwd.buf)) {
        run_logf(j, RUN_LINE_ERROR, "working-directory '%s' does not exist", wd ? wd : cwd.buf);
        sbuf_release(&cwd);
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        finish_without_process(j, s, false, st->continue_on_error, label);
        goto done;
    }
    if (r->o->dry_run) {
        run_log(j, RUN_LINE_INFO, "(dry run: not started)", 22);
        sbuf_release(&cwd);
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        finish_without_process(j, s, true, st->continue_on_error, label);
        goto done;
    }

    const char **envp = env_to_envp(&scratch, &env);
    struct proc_opts po = PROC_OPTS_INIT;
    po.argv = argv;
    po.envp = envp;
    po.cwd = cwd.buf;
    po.flags = PROC_CAPTURE_STDOUT | PROC_CAPTURE_STDERR;
    rc = sandbox_start(j->sb, &st->proc, &po, err);
    sbuf_release(&cwd);
    if (rc < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s", err->msg);
        err_clear(err);
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        finish_without_process(j, s, false, st->continue_on_error, label);
        goto done;
    }
    st->started_cancelled = j->cancel_requested;
    st->out.fd = st->proc.out_fd;
    st->err.fd = st->proc.err_fd;
    if (minutes > 0)
        st->deadline = run_now() + minutes * 60.0;
    /* Started after a cancellation (if: always()): bounded by cancel-timeout-minutes. */
    if (st->started_cancelled && (!st->deadline || st->deadline > cancel_window(j)))
        st->deadline = cancel_window(j);
    run_cmd_parser_release(&j->parser);
    struct run_cmd_parser_opts cpo = {0};
    const char *unsecure = map_find(&env, "ACTIONS_ALLOW_UNSECURE_COMMANDS");
    cpo.allow_unsecure_commands = unsecure && run_cmd_is_true(unsecure);
    run_cmd_parser_init(&j->parser, &cpo);
    j->cur = st;
    st = NULL;
    *started = true;
    goto done;

failed:
    /* An expression that fails to evaluate fails the step, as on GitHub. */
    run_logf(j, RUN_LINE_ERROR, "%s", err->msg);
    err_clear(err);
    finish_without_process(j, s, false, st->continue_on_error, label);
done:
    j->step_env = val_null();
    step_free(st);
    map_release(&env, xfree);
    arena_release(&scratch);
    return 0;
}

void run_step_line(struct run_job *j, const char *line, size_t len)
{
    struct run *r = j->run;
    struct run_step *st = j->cur;
    struct run_cmd c = RUN_CMD_INIT;
    run_cmd_parse(&j->parser, &c, line, len);
    if (c.mask_value.len) {
        run_masker_add(r->masker, c.mask_value.buf, c.mask_value.len);
        char *m = xstrndup(c.mask_value.buf, c.mask_value.len);
        vec_append(&j->masks, &m);
    }
    if (c.note_kind == RUN_CMD_WARNING || c.note_kind == RUN_CMD_ERROR)
        run_log(j, c.note_kind == RUN_CMD_WARNING ? RUN_LINE_WARNING : RUN_LINE_ERROR, c.note.buf,
                c.note.len);
    switch (c.kind) {
    case RUN_CMD_GROUP:
        run_log(j, RUN_LINE_GROUP, c.data.buf, c.data.len);
        break;
    case RUN_CMD_ENDGROUP:
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        break;
    case RUN_CMD_DEBUG:
        if (r->step_debug)
            run_log(j, RUN_LINE_DEBUG, c.data.buf, c.data.len);
        break;
    case RUN_CMD_NOTICE:
    case RUN_CMD_WARNING:
    case RUN_CMD_ERROR: {
        struct sbuf msg = SBUF_INIT;
        if (c.file.len) {
            sbuf_addstr(&msg, c.file.buf);
            if (c.line)
                sbuf_addf(&msg, ":%ld", c.line);
            if (c.col)
                sbuf_addf(&msg, ":%ld", c.col);
            sbuf_addstr(&msg, ": ");
        }
        if (c.title.len)
            sbuf_addf(&msg, "%s: ", c.title.buf);
        sbuf_add(&msg, c.data.buf, c.data.len);
        enum run_line_kind k = c.kind == RUN_CMD_NOTICE    ? RUN_LINE_NOTICE
                               : c.kind == RUN_CMD_WARNING ? RUN_LINE_WARNING
                                                           : RUN_LINE_ERROR;
        run_log(j, k, msg.buf, msg.len);
        sbuf_release(&msg);
        break;
    }
    case RUN_CMD_ADD_MASK: {
        run_masker_add(r->masker, c.data.buf, c.data.len);
        char *m = xstrndup(c.data.buf, c.data.len);
        vec_append(&j->masks, &m);
        break;
    }
    case RUN_CMD_SET_OUTPUT:
        val_object_set(&j->arena, st->outputs, c.name.buf, c.name.len,
                       val_string(&j->arena, c.data.buf, c.data.len));
        break;
    case RUN_CMD_SAVE_STATE:
        state_add(&st->state, c.name.buf, c.name.len, c.data.buf, c.data.len);
        break;
    case RUN_CMD_SET_ENV:
        val_object_set(&j->arena, j->env, c.name.buf, c.name.len,
                       val_string(&j->arena, c.data.buf, c.data.len));
        break;
    case RUN_CMD_ADD_PATH:
        run_path_prepend(&j->path_prepend, c.data.buf, c.data.len);
        break;
    case RUN_CMD_FAILED:
        run_log(j, RUN_LINE_ERROR, c.problem.buf, c.problem.len);
        st->failed_command = true;
        break;
    default:
        break;
    }
    if (c.is_shown)
        run_log(j, RUN_LINE_OUTPUT, c.shown.buf, c.shown.len);
    run_cmd_release(&c);
}

void run_step_read(struct run_job *j, struct run_stream *s, int stream)
{
    char buf[65536];
    ssize_t n = read(s->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (s->part.len)
            run_step_line(j, s->part.buf, s->part.len);
        sbuf_reset(&s->part);
        s->fd = -1;
        return;
    }
    (void)stream;
    const char *p = buf;
    size_t left = (size_t)n;
    while (left) {
        const char *nl = memchr(p, '\n', left);
        if (!nl) {
            sbuf_add(&s->part, p, left);
            if (s->part.len >= RUN_MAX_LINE) {
                run_step_line(j, s->part.buf, s->part.len);
                sbuf_reset(&s->part);
            }
            break;
        }
        size_t k = (size_t)(nl - p);
        if (s->part.len) {
            sbuf_add(&s->part, p, k);
            run_step_line(j, s->part.buf, s->part.len);
            sbuf_reset(&s->part);
        } else {
            run_step_line(j, p, k);
        }
        p = nl + 1;
        left -= k + 1;
    }
}

/* Logs that a command file was refused (a link, ...): its commands are ignored, with a warning. */
static void refused_file(struct run_job *j, const char *what, const struct err *err)
{
    run_logf(j, RUN_LINE_WARNING, "%s: %s: its commands are ignored", what, err->msg);
}

/*
 * Reads one command file of the folder dir (-1: the folder is gone or refused) into text. True
 * when it was read, or is missing or refused (logged as a warning: nothing to apply); false on
 * an error (logged), which fails the step as the runner's "Unable to process file command".
 */
static bool read_command_file(struct run_job *j, struct sbuf *text, int dir, const char *path,
                              const char *what)
{
    struct err err = ERR_INIT;
    struct stat st;
    int fd = -1;
    if (dir < 0)
        return true;
    int rc = open_command_file(&fd, &st, dir, path, &err);
    if (rc == ERR_NOTFOUND)
        return true;
    if (rc == ERR_INVALID) {
        refused_file(j, what, &err);
        return true;
    }
    if (rc == 0)
        rc = sbuf_read_fd(text, fd, RUN_MAX_ENV_FILE, &err);
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        run_logf(j, RUN_LINE_ERROR, "%s: %s", what, err.msg);
    return rc == 0;
}

/* Reads one environment file into pairs; a bad file is logged with its name and fails the step. */
static bool read_pairs(struct run_job *j, struct vec *pairs, int dir, const char *path,
                       const char *what)
{
    struct err err = ERR_INIT;
    struct sbuf text = SBUF_INIT;
    bool ok = read_command_file(j, &text, dir, path, what);
    if (ok && run_envfile_parse(pairs, text.buf, text.len, &err) < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s: %s", what, err.msg);
        ok = false;
    }
    sbuf_release(&text);
    return ok;
}

/*
 * Adds the step's summary file to the job's summary, masked. One over GitHub's limit is dropped
 * whole with the runner's error (FileCommandManager.cs, CreateStepSummaryCommand: the size and
 * the limit in whole KiB, Constants.Runner.UnsupportedSummarySize); the step's result is not
 * changed.
 */
static void read_summary(struct run_job *j, int dir, const char *path)
{
    struct err err = ERR_INIT;
    struct stat sb;
    int fd = -1;
    if (dir < 0)
        return;
    int rc = open_command_file(&fd, &sb, dir, path, &err);
    if (rc == ERR_INVALID)
        refused_file(j, "GITHUB_STEP_SUMMARY", &err);
    if (rc < 0)
        return;
    if (sb.st_size == 0) {
        close(fd);
        return;
    }
    struct sbuf text = SBUF_INIT;
    if ((unsigned long long)sb.st_size > RUN_MAX_SUMMARY) {
        run_logf(j, RUN_LINE_ERROR,
                 "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of %uk, got "
                 "%lldk. For more information see: https://docs.github.com/actions/using-workflows/"
                 "workflow-commands-for-github-actions#adding-a-markdown-summary",
                 RUN_MAX_SUMMARY / 1024, (long long)sb.st_size / 1024);
    } else if (sbuf_read_fd(&text, fd, RUN_MAX_SUMMARY, &err) < 0) {
        /* Grown past the limit since (a process the step left behind), or unreadable. */
        run_logf(j, RUN_LINE_ERROR, "$GITHUB_STEP_SUMMARY: %s", err.msg);
    } else if (text.len) {
        run_masker_mask(j->run->masker, &j->summary, text.buf, text.len);
        if (!sbuf_ends_with(&j->summary, "\n"))
            sbuf_addch(&j->summary, '\n');
    }
    close(fd);
    sbuf_release(&text);
}

static bool apply_files(struct run_job *j, struct run_step *st)
{
    struct err err = ERR_INIT;
    bool ok = true;
    int dir = -1;
    /* A step may have removed the folder (nothing to apply, as on GitHub) or put a link there. */
    int rc = open_files_dir(&dir, j, false, &err);
    if (rc == ERR_INVALID) {
        run_logf(j, RUN_LINE_WARNING,
                 "%s: the step's GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STATE and "
                 "GITHUB_STEP_SUMMARY commands are ignored",
                 err.msg);
    } else if (rc < 0 && rc != ERR_NOTFOUND) {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        ok = false;
    }
    struct vec pairs = VEC_INIT(struct run_env_pair);
    ok &= read_pairs(j, &pairs, dir, st->env_file.buf, "GITHUB_ENV");
    vec_foreach (struct run_env_pair, p, &pairs) {
        const char *refused = run_envfile_refused(p->name);
        if (refused) {
            run_log(j, RUN_LINE_WARNING, refused, strlen(refused));
            continue;
        }
        val_object_set(&j->arena, j->env, p->name, strlen(p->name),
                       val_string(&j->arena, p->value, strlen(p->value)));
    }
    run_env_pairs_release(&pairs);
    ok &= read_pairs(j, &pairs, dir, st->output_file.buf, "GITHUB_OUTPUT");
    vec_foreach (struct run_env_pair, p, &pairs) {
        val_object_set(&j->arena, st->outputs, p->name, strlen(p->name),
                       val_string(&j->arena, p->value, strlen(p->value)));
    }
    run_env_pairs_release(&pairs);
    ok &= read_pairs(j, &pairs, dir, st->state_file.buf, "GITHUB_STATE");
    vec_foreach (struct run_env_pair, p, &pairs) {
        state_add(&st->state, p->name, strlen(p->name), p->value, strlen(p->value));
    }
    run_env_pairs_release(&pairs);
    struct sbuf text = SBUF_INIT;
    if (read_command_file(j, &text, dir, st->path_file.buf, "GITHUB_PATH"))
        run_pathfile_apply(&j->path_prepend, text.buf, text.len);
    else
        ok = false;
    sbuf_release(&text);
    read_summary(j, dir, st->summary_file.buf);
    if (dir >= 0)
        close(dir);
    return ok;
}

/* Starts node on script with the step's environment and saved state; false on failure. */
static bool start_node(struct run_job *j, struct run_step *st, char *const *envp,
                       const char *script)
{
    struct arena scratch = ARENA_INIT;
    const char *argv[] = {"node", script, NULL};
    struct proc_opts po = PROC_OPTS_INIT;
    po.argv = argv;
    po.envp = envp_with_state(&scratch, envp, &st->state);
    po.cwd = j->workspace.buf;
    po.flags = PROC_CAPTURE_STDOUT | PROC_CAPTURE_STDERR;
    run_logf(j, RUN_LINE_COMMAND, "node %s", script);
    struct err err = ERR_INIT;
    st->proc = PROC_INIT;
    int rc = sandbox_start(j->sb, &st->proc, &po, &err);
    arena_release(&scratch);
    if (rc < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        return false;
    }
    st->out = (struct run_stream){.fd = st->proc.out_fd, .part = st->out.part};
    st->err = (struct run_stream){.fd = st->proc.err_fd, .part = st->err.part};
    return true;
}

bool run_node_post_start(struct run_job *j)
{
    if (!j->node_posts.len)
        return false;
    struct run_post *post = *(struct run_post **)vec_at(&j->node_posts, j->node_posts.len - 1);
    vec_pop(&j->node_posts);
    bool run_it = false;
    struct err err = ERR_INIT;
    if (run_cond_eval(&run_it, post->post_if, j, false, &err) < 0)
        run_logf(j, RUN_LINE_WARNING, "post-if: %s", err.msg);
    const char *uses = post->step->uses ? post->step->uses->str : post->step->id;
    if (!run_it) {
        run_logf(j, RUN_LINE_INFO, "skipped: Post %s (post-if: %s)", uses, post->post_if);
        run_post_free(post);
        return true;
    }
    struct run_step *st = step_new(j, post->step);
    run_env_pairs_release(&st->state);
    st->state = post->state;
    post->state = VEC_INIT(struct run_env_pair);
    st->phase = RUN_PHASE_POST;
    run_logf(j, RUN_LINE_GROUP, "Post %s", uses);
    bool ok = make_files(j, st, &err) == 0 && start_node(j, st, post->envp, post->path);
    run_post_free(post);
    if (!ok) {
        run_log(j, RUN_LINE_ENDGROUP, "", 0);
        j->status = EXPR_STATUS_FAILURE;
        step_free(st);
        return true;
    }
    node_step_running(j, st);
    return true;
}

void run_step_finish(struct run_job *j)
{
    struct run_step *st = j->cur;
    const struct wf_step *s = st->step;
    struct proc_result *res = &st->proc.result;
    res->timed_out |= st->timed_out;
    res->cancelled |= st->cancelled && !st->timed_out;
    bool ok = res->exited && res->code == 0 && !res->timed_out && !res->cancelled;
    if (!apply_files(j, st))
        ok = false;
    if (st->failed_command)
        ok = false;
    if (res->timed_out) {
        run_logf(j, RUN_LINE_ERROR, "the step exceeded its timeout-minutes and was stopped");
    } else if (res->cancelled) {
        run_logf(j, RUN_LINE_ERROR, "the step was cancelled");
    } else if (res->signaled) {
        run_logf(j, RUN_LINE_ERROR, "the process was killed by signal %d", res->signal);
    } else if (res->exited && res->code) {
        run_logf(j, RUN_LINE_ERROR, "Process completed with exit code %d.", res->code);
    }
    run_log(j, RUN_LINE_ENDGROUP, "", 0);
    bool cancelled = res->cancelled;
    if (st->phase == RUN_PHASE_POST) {
        /* A post script is not a step of the steps context; its failure fails the job. */
        if (!ok)
            j->status = EXPR_STATUS_FAILURE;
        j->cur = NULL;
        step_free(st);
        return;
    }
    if (st->phase == RUN_PHASE_PRE) {
        /* Nor is a pre; its state goes to its main and post, its failure fails the frame. */
        struct run_pre_run *pr = find_pre_run(run_top(j), s);
        if (pr) {
            state_copy(&pr->state, &st->state);
            if (pr->post)
                state_copy(&pr->post->state, &st->state);
        }
        if (!ok && !st->continue_on_error && !cancelled)
            *run_status(j) = EXPR_STATUS_FAILURE;
        if (cancelled && j->status == EXPR_STATUS_SUCCESS)
            j->status = EXPR_STATUS_CANCELLED;
        j->cur = NULL;
        step_free(st);
        return;
    }
    const char *outcome = cancelled ? "cancelled" : ok ? "success" : "failure";
    const char *conclusion = cancelled                       ? "cancelled"
                             : (ok || st->continue_on_error) ? "success"
                                                             : "failure";
    record_step(j, s, st->outputs, outcome, conclusion);
    if (!ok && !st->continue_on_error && !cancelled)
        *run_status(j) = EXPR_STATUS_FAILURE;
    if (cancelled && j->status == EXPR_STATUS_SUCCESS)
        j->status = EXPR_STATUS_CANCELLED;
    /* The main ran: its post runs at the end of the job, with the state main saved. */
    if (st->phase == RUN_PHASE_MAIN && st->post) {
        st->post->envp = st->envp;
        st->envp = NULL;
        st->post->state = st->state;
        st->state = VEC_INIT(struct run_env_pair);
        vec_append(&j->node_posts, &st->post);
        st->post = NULL;
    }
    /* Its pre registered the post: the post runs with main's environment and all the state. */
    if (st->phase == RUN_PHASE_MAIN && st->shared_post) {
        envp_free(st->shared_post->envp);
        st->shared_post->envp = st->envp;
        st->envp = NULL;
        state_copy(&st->shared_post->state, &st->state);
    }
    j->cur = NULL;
    step_free(st);
}
