/*
 * The scheduler: one poll() loop that starts jobs as soon as their own needs are done (no stage
 * barriers), runs each job's steps one after another, and collects results, outputs and logs.
 *
 * A job leg goes PENDING -> RUNNING -> DONE. While RUNNING it either has a step process (j->cur)
 * that the loop waits on, or it is advanced synchronously: the next step is evaluated and
 * started, skipped, or the job finishes. Jobs of a matrix are expanded when their definition
 * starts (after its needs, so fromJSON(needs.*.outputs) matrices work).
 */

#include "run/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

const char *run_conclusion_name(enum run_conclusion c)
{
    switch (c) {
    case RUN_SUCCESS:
        return "success";
    case RUN_FAILURE:
        return "failure";
    case RUN_CANCELLED:
        return "cancelled";
    case RUN_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

double run_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static const char *kind_prefix(enum run_line_kind kind)
{
    switch (kind) {
    case RUN_LINE_GROUP:
        return "##[group]";
    case RUN_LINE_ENDGROUP:
        return "##[endgroup]";
    case RUN_LINE_COMMAND:
        return "[command]";
    case RUN_LINE_DEBUG:
        return "##[debug]";
    case RUN_LINE_NOTICE:
        return "##[notice]";
    case RUN_LINE_WARNING:
        return "##[warning]";
    case RUN_LINE_ERROR:
        return "##[error]";
    default:
        return "";
    }
}

/* One line without a newline: to the log file with its time and kind, then to the caller. */
static void log_one(struct run_job *j, enum run_line_kind kind, const char *text, size_t len)
{
    if (j->log_fd >= 0) {
        struct sbuf line = SBUF_INIT;
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        sbuf_addf(&line, "%04d-%02d-%02dT%02d:%02d:%02dZ %s", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, kind_prefix(kind));
        sbuf_add(&line, text, len);
        sbuf_addch(&line, '\n');
        write_all(j->log_fd, line.buf, line.len);
        sbuf_release(&line);
    }
    const struct run_log_ops *ops = j->run->o->log;
    if (ops && ops->line)
        ops->line(j->label, kind, text, len, ops->payload);
}

/*
 * Every line goes through the masker before it reaches the log file or the caller. A text of
 * several lines (an annotation whose message held %0A, a step name over two lines) is masked
 * whole, then handed on line by line, each with its time and kind as the step's own lines are;
 * the lines after a group's title are plain lines inside the group.
 */
void run_log(struct run_job *j, enum run_line_kind kind, const char *text, size_t len)
{
    struct sbuf masked = SBUF_INIT;
    run_masker_mask(j->run->masker, &masked, text, len);
    const char *p = masked.buf;
    size_t left = masked.len;
    for (;;) {
        const char *nl = memchr(p, '\n', left);
        size_t n = nl ? (size_t)(nl - p) : left;
        log_one(j, kind, p, n);
        if (!nl)
            break;
        if (kind == RUN_LINE_GROUP)
            kind = RUN_LINE_OUTPUT;
        p = nl + 1;
        left -= n + 1;
    }
    sbuf_release(&masked);
}

void run_logf(struct run_job *j, enum run_line_kind kind, const char *fmt, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    run_log(j, kind, sb.buf, sb.len);
    sbuf_release(&sb);
}

/* ---- contexts of a job ---------------------------------------------------------------- */

static struct val str_val(struct arena *a, const char *s)
{
    return val_string(a, s ? s : "", s ? strlen(s) : 0);
}

static void obj_set(struct arena *a, struct val obj, const char *key, struct val v)
{
    val_object_set(a, obj, key, strlen(key), v);
}

static void init_contexts(struct run_job *j)
{
    struct arena *a = &j->arena;
    const struct plan_workflow *pw = j->wf->pw;
    /* github: the workflow's, plus what only the job knows. */
    j->github = val_new_object(a);
    if (pw->github.kind == VAL_OBJECT) {
        for (size_t i = 0; i < pw->github.obj->len; i++) {
            const struct val_member *m = &pw->github.obj->members[i];
            val_object_set(a, j->github, m->key.p, m->key.len, m->value);
        }
    }
    obj_set(a, j->github, "job", str_val(a, j->def->pj->id));
    obj_set(a, j->github, "workspace", str_val(a, j->workspace.buf));
    obj_set(a, j->github, "event_path", str_val(a, j->event_path.buf));
    obj_set(a, j->github, "action_path", str_val(a, ""));

    j->runner_ctx = val_new_object(a);
    obj_set(a, j->runner_ctx, "os", str_val(a, "Linux"));
#if defined(__aarch64__)
    obj_set(a, j->runner_ctx, "arch", str_val(a, "ARM64"));
#else
    obj_set(a, j->runner_ctx, "arch", str_val(a, "X64"));
#endif
    obj_set(a, j->runner_ctx, "name", str_val(a, "runnel"));
    obj_set(a, j->runner_ctx, "environment", str_val(a, "self-hosted"));
    obj_set(a, j->runner_ctx, "temp", str_val(a, j->temp.buf));
    obj_set(a, j->runner_ctx, "tool_cache", str_val(a, j->temp.buf));
    obj_set(a, j->runner_ctx, "debug", str_val(a, j->run->step_debug ? "1" : ""));

    j->job_ctx = val_new_object(a);
    obj_set(a, j->job_ctx, "status", str_val(a, "success"));
    obj_set(a, j->job_ctx, "container", val_new_object(a));
    obj_set(a, j->job_ctx, "services", val_new_object(a));

    j->matrix = j->leg && j->leg->matrix.kind == VAL_OBJECT ? j->leg->matrix : val_new_object(a);
    j->strategy = val_new_object(a);
    obj_set(a, j->strategy, "fail-fast", val_bool(j->def->matrix.fail_fast));
    obj_set(a, j->strategy, "job-index", val_number((double)(j->leg ? j->leg->index : 0)));
    obj_set(a, j->strategy, "job-total",
            val_number((double)(j->def->matrix.total ? j->def->matrix.total : 1)));
    obj_set(a, j->strategy, "max-parallel",
            val_number((double)(j->def->matrix.max_parallel ? j->def->matrix.max_parallel
                                                            : (long)j->def->matrix.total)));
    j->steps = val_new_object(a);
    j->env = val_new_object(a);
    struct run_frame *root = xcalloc(1, sizeof(*root));
    root->steps = (const struct wf_step *const *)j->def->pj->job->steps;
    root->nsteps = j->def->pj->job->nsteps;
    root->github = j->github;
    root->inputs = j->wf->pw->inputs;
    root->steps_ctx = j->steps;
    root->caller_env = val_null();
    root->pres = VEC_INIT(struct run_pre *);
    root->pre_runs = VEC_INIT(struct run_pre_run);
    vec_append(&j->frames, &root);
}

/* The env context before the first step: the workflow's env, then the job's. */
static int init_env(struct run_job *j, struct err *err)
{
    /* act puts ACT=true into the env context of local runs; runnel does too (and RUNNEL). */
    val_object_set(&j->arena, j->env, "ACT", 3, val_string(&j->arena, "true", 4));
    val_object_set(&j->arena, j->env, "RUNNEL", 6, val_string(&j->arena, "true", 4));
    /* --env and --env-file values are part of the env context, as in act. */
    for (size_t i = 0; i < j->run->plan->nenv; i++) {
        const struct plan_kv *kv = &j->run->plan->env[i];
        val_object_set(&j->arena, j->env, kv->name, strlen(kv->name),
                       val_string(&j->arena, kv->value, strlen(kv->value)));
    }
    const struct wf_token *layers[] = {j->wf->pw->wf->env, j->def->pj->job->env};
    for (size_t i = 0; i < 2; i++) {
        if (!layers[i])
            continue;
        struct val v;
        int rc = run_tok_eval(&v, &j->arena, layers[i], j, err);
        if (rc < 0)
            return rc;
        if (v.kind != VAL_OBJECT)
            continue;
        for (size_t m = 0; m < v.obj->len; m++) {
            const struct val_member *mem = &v.obj->members[m];
            struct sbuf s = SBUF_INIT;
            val_to_sbuf(&s, &mem->value);
            /* env names are case-sensitive on Linux: replace only an exact match. */
            val_object_set(&j->arena, j->env, mem->key.p, mem->key.len,
                           val_string(&j->arena, s.buf, s.len));
            sbuf_release(&s);
        }
    }
    return 0;
}

/* ---- jobs ------------------------------------------------------------------------------- */

static struct run_job *job_new(struct run_def *d, const struct plan_leg *leg)
{
    struct run *r = d->wf->run;
    struct run_job *j = xcalloc(1, sizeof(*j));
    j->run = r;
    j->wf = d->wf;
    j->def = d;
    j->leg = leg;
    /* A call leg gets its number (log file) only if it is reported as a job (open_leg_log). */
    j->is_call = d->pj->job->kind == WF_JOB_REUSABLE;
    j->no = j->is_call ? 0 : ++r->next_no;
    j->arena = ARENA_INIT;
    j->log_fd = -1;
    j->temp_fd = -1;
    j->dir = j->workspace = j->temp = j->log_path = j->summary = j->event_path = j->home =
        SBUF_INIT;
    j->path_prepend = VEC_INIT(char *);
    j->frames = VEC_INIT(struct run_frame *);
    j->posts = VEC_INIT(struct actions_post *);
    j->node_posts = VEC_INIT(struct run_post *);
    j->spent_actions = VEC_INIT(struct wf_action *);
    j->masks = VEC_INIT(char *);
    j->step_env = val_null();
    run_cmd_parser_init(&j->parser, NULL);
    struct sbuf label = SBUF_INIT;
    const char *wfname = d->wf->pw->name ? d->wf->pw->name : d->wf->pw->relpath;
    sbuf_addf(&label, "%s / ", wfname);
    if (leg) {
        struct val contexts = plan_contexts(&j->arena, r->plan, d->wf->pw, NULL);
        plan_job_display_name(&label, d->pj, leg, &contexts);
    } else {
        sbuf_addstr(&label, d->pj->name ? d->pj->name : d->pj->id);
    }
    j->label = sbuf_detach(&label, NULL);
    /* A job of a called workflow whose calling leg was cancelled (fail-fast) never starts. */
    j->cancel_requested = run_wf_is_cancelled(d->wf);
    vec_append(&r->jobs, &j);
    return j;
}

/* Opens the log file of a job that is reported without being set up (skipped, failed early). */
static void open_leg_log(struct run_job *j)
{
    struct run *r = j->run;
    if (j->log_fd >= 0)
        return;
    if (!j->no)
        j->no = ++r->next_no;
    sbuf_reset(&j->log_path);
    sbuf_addf(&j->log_path, "%s/logs/%zu-%s.log", r->o->run_dir, j->no, j->def->pj->id);
    j->log_fd = open(j->log_path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (j->log_fd < 0)
        sbuf_reset(&j->log_path);
}

static void job_free(struct run_job *j)
{
    if (!j)
        return;
    if (j->log_fd >= 0)
        close(j->log_fd);
    if (j->temp_fd >= 0)
        close(j->temp_fd);
    sandbox_free(j->sb);
    run_cmd_parser_release(&j->parser);
    run_path_release(&j->path_prepend);
    for (size_t i = 0; i < j->frames.len; i++)
        run_frame_free(*(struct run_frame **)vec_at(&j->frames, i));
    vec_release(&j->frames);
    vec_foreach (struct actions_post *, p, &j->posts) {
        actions_post_free(*p);
    }
    vec_release(&j->posts);
    vec_foreach (struct run_post *, p, &j->node_posts) {
        run_post_free(*p);
    }
    vec_release(&j->node_posts);
    vec_foreach (struct wf_action *, a, &j->spent_actions) {
        wf_action_free(*a);
    }
    vec_release(&j->spent_actions);
    vec_foreach (char *, m, &j->masks) {
        xfree(*m);
    }
    vec_release(&j->masks);
    sbuf_release(&j->dir);
    sbuf_release(&j->workspace);
    sbuf_release(&j->temp);
    sbuf_release(&j->home);
    sbuf_release(&j->log_path);
    sbuf_release(&j->event_path);
    sbuf_release(&j->summary);
    arena_release(&j->arena);
    xfree(j->group);
    xfree(j->label);
    xfree(j);
}

static void def_update_result(struct run_def *d)
{
    bool any_fail = false, any_cancel = false, all_skip = true;
    for (size_t i = 0; i < d->nlegs; i++) {
        enum run_conclusion c = d->legs[i]->conclusion;
        any_fail |= c == RUN_FAILURE;
        any_cancel |= c == RUN_CANCELLED;
        all_skip &= c == RUN_SKIPPED;
    }
    d->result = any_fail     ? RUN_FAILURE
                : any_cancel ? RUN_CANCELLED
                : all_skip   ? RUN_SKIPPED
                             : RUN_SUCCESS;
}

static void job_done(struct run_job *j, enum run_conclusion c)
{
    struct run *r = j->run;
    struct run_def *d = j->def;
    if (j->state == RUN_JOB_RUNNING) {
        if (!j->is_call)
            r->running--;
        d->running--;
    }
    j->state = RUN_JOB_DONE;
    j->conclusion = c;
    d->done++;
    double secs = j->started > 0 ? run_now() - j->started : 0;
    if (c == RUN_FAILURE && !j->continue_on_error)
        r->res->failed = true;
    /* A call leg whose workflow ran is shown through that workflow's jobs, as on GitHub. */
    bool shown = !j->called;
    if (shown)
        run_logf(j, RUN_LINE_INFO, "Job %s in %.1fs",
                 c == RUN_SUCCESS   ? "succeeded"
                 : c == RUN_FAILURE ? "failed"
                 : c == RUN_SKIPPED ? "was skipped"
                                    : "was cancelled",
                 secs);
    if (j->summary.len) {
        sbuf_addf(&r->summary, "## %s\n\n", j->label);
        sbuf_add(&r->summary, j->summary.buf, j->summary.len);
        sbuf_addch(&r->summary, '\n');
    }
    if (shown) {
        struct run_job_result *res = vec_push(&r->res->jobs);
        res->workflow = xstrdup(j->wf->pw->name ? j->wf->pw->name : j->wf->pw->relpath);
        res->job_id = xstrdup(d->pj->id);
        res->label = xstrdup(j->label);
        /* A job with continue-on-error does not fail its dependants or the run. */
        res->conclusion = c;
        res->seconds = secs;
        res->log_path = j->log_path.len ? xstrdup(j->log_path.buf) : NULL;
        if (r->o->log && r->o->log->job_done)
            r->o->log->job_done(j->label, c, secs, r->o->log->payload);
    }
    if (c == RUN_FAILURE && j->continue_on_error)
        j->conclusion = RUN_SUCCESS; /* as needs.<id>.result sees it */
    /* fail-fast: a failed leg cancels the other legs of its matrix. */
    if (c == RUN_FAILURE && !j->continue_on_error && d->matrix.fail_fast && d->nlegs > 1 &&
        !d->fail_fast_tripped) {
        d->fail_fast_tripped = true;
        for (size_t i = 0; i < d->nlegs; i++) {
            struct run_job *o = d->legs[i];
            if (o != j && o->state != RUN_JOB_DONE)
                o->cancel_requested = true;
        }
    }
    if (d->done == d->nlegs) {
        d->state = RUN_DEF_DONE;
        def_update_result(d);
    }
    if (j->log_fd >= 0) {
        close(j->log_fd);
        j->log_fd = -1;
    }
    sandbox_free(j->sb);
    j->sb = NULL;
}

/* Evaluates the job's outputs with its steps context, into the definition's (last leg wins). */
static void job_outputs(struct run_job *j)
{
    struct run *r = j->run;
    const struct wf_token *outs = j->def->pj->job->outputs;
    if (!outs)
        return;
    struct err err = ERR_INIT;
    struct val v;
    if (run_tok_eval(&v, &j->arena, outs, j, &err) < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        return;
    }
    if (v.kind != VAL_OBJECT)
        return;
    if (j->def->outputs.kind != VAL_OBJECT)
        j->def->outputs = val_new_object(&r->arena);
    /* The runner checks the outputs against its job's own masker: the run's secrets and what
     * this job's steps masked, not what other jobs masked (runnel's log masker is run-wide). */
    struct run_masker *masker;
    run_masker_new(&masker);
    const struct val *secrets = &r->plan->secrets;
    for (size_t i = 0; secrets->kind == VAL_OBJECT && i < secrets->obj->len; i++) {
        const struct val *sv = &secrets->obj->members[i].value;
        if (sv->kind == VAL_STRING)
            run_masker_add(masker, sv->s.p, sv->s.len);
    }
    vec_foreach (char *, m, &j->masks) {
        run_masker_add(masker, *m, strlen(*m));
    }
    for (size_t i = 0; i < v.obj->len; i++) {
        const struct val_member *m = &v.obj->members[i];
        struct sbuf s = SBUF_INIT;
        struct sbuf masked = SBUF_INIT;
        val_to_sbuf(&s, &m->value);
        run_masker_mask(masker, &masked, s.buf, s.len);
        /* An empty output is not set, as the runner leaves it out; nor is one holding a secret
         * or a masked value: the runner skips it with this warning (JobExtension), so that the
         * value never reaches another job (its scripts on disk, its logs). */
        if (s.len && (masked.len != s.len || memcmp(masked.buf, s.buf, s.len))) {
            run_logf(j, RUN_LINE_WARNING, "Skip output '%.*s' since it may contain secret.",
                     (int)m->key.len, m->key.p);
        } else if (s.len) {
            val_object_set(&r->arena, j->def->outputs, m->key.p, m->key.len,
                           val_string(&r->arena, s.buf, s.len));
        }
        sbuf_release(&s);
        sbuf_release(&masked);
    }
    run_masker_free(masker);
}

static void add_unique(struct vec *ro, const char *path)
{
    vec_foreach (char *, have, ro) {
        if (path_within(path, *have))
            return;
    }
    char *copy = xstrdup(path);
    vec_append(ro, &copy);
}

/* True when root is (inside) a known interpreter manager, virtualenv or conda environment. */
static bool whole_root_ok(const char *root, const char *home)
{
    static const char *const managers[] = {
        ".pyenv",     ".rbenv", ".nodenv", ".goenv",  ".plenv",   ".jenv",
        ".nvm",       ".volta", ".asdf",   ".sdkman", ".deno",    ".bun",
        "go",         ".go",    ".fnm",    ".rustup", ".juliaup", ".local/share/pipx",
        ".local/pipx"};
    for (size_t i = 0; i < sizeof(managers) / sizeof(managers[0]); i++) {
        struct sbuf m = SBUF_INIT;
        sbuf_addf(&m, "%s/%s", home, managers[i]);
        bool in = path_within(root, m.buf);
        sbuf_release(&m);
        if (in)
            return true;
    }
    struct sbuf marker = SBUF_INIT;
    sbuf_addf(&marker, "%s/pyvenv.cfg", root);
    bool env = fs_is_file(marker.buf);
    sbuf_reset(&marker);
    sbuf_addf(&marker, "%s/conda-meta", root);
    env |= fs_is_dir(marker.buf);
    sbuf_release(&marker);
    return env;
}

/*
 * Adds the installation of dir, a folder inside home holding programs. The whole root (the parent
 * of a bin/, sbin/ or shims/ folder) only for interpreter managers and environments, whose
 * programs need all of it (pyenv's shims, a virtualenv's site-packages); for any other tool only
 * dir and its sibling lib/ and libexec/, because such roots also keep the user's credentials
 * (cargo's credentials.toml, foundry's keystores, a registry token in wasmer.toml). Cargo's
 * toolchains come from rustup's home.
 */
static void add_tool_root(struct vec *ro, const char *dir, const char *home)
{
    struct sbuf parent = SBUF_INIT, sib = SBUF_INIT;
    path_dirname(&parent, dir);
    const char *base = path_basename(dir);
    bool is_bin = !strcmp(base, "bin") || !strcmp(base, "sbin") || !strcmp(base, "shims");
    if (is_bin && strcmp(parent.buf, home) && whole_root_ok(parent.buf, home)) {
        add_unique(ro, parent.buf);
    } else {
        add_unique(ro, dir);
        static const char *const siblings[] = {"lib", "libexec"};
        for (size_t i = 0; is_bin && strcmp(parent.buf, home) && i < 2; i++) {
            sbuf_reset(&sib);
            sbuf_addf(&sib, "%s/%s", parent.buf, siblings[i]);
            if (fs_is_dir(sib.buf))
                add_unique(ro, sib.buf);
        }
        const char *ch = getenv("CARGO_HOME");
        bool cargo =
            !strcmp(path_basename(parent.buf), ".cargo") || (ch && *ch && !strcmp(parent.buf, ch));
        if (cargo) {
            const char *rh = getenv("RUSTUP_HOME");
            sbuf_reset(&sib);
            if (rh && *rh)
                sbuf_addstr(&sib, rh);
            else
                sbuf_addf(&sib, "%s/.rustup", home);
            if (fs_is_dir(sib.buf))
                add_unique(ro, sib.buf);
        }
    }
    sbuf_release(&parent);
    sbuf_release(&sib);
}

/*
 * The tool installations on the host's PATH that lie inside the home (pyenv, nvm, conda, a
 * virtualenv, pip --user, pipx, cargo, go), which the steps' own home would hide, go into ro
 * (owned strings) to be bound read-only: each PATH folder's installation root, and for programs
 * there that are symbolic links to elsewhere in the home (pipx puts links in ~/.local/bin), the
 * root of what they point at. At most 256 entries of a folder are looked at.
 */
static void add_home_tools(struct vec *ro, const char *home, const char *path)
{
    if (!home || home[0] != '/' || !home[1] || !path)
        return;
    struct sbuf real_home = SBUF_INIT;
    char *rh = realpath(home, NULL);
    sbuf_addstr(&real_home, rh ? rh : home);
    xfree(rh);
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        struct sbuf e = SBUF_INIT;
        sbuf_add(&e, path, n);
        while (e.len > 1 && e.buf[e.len - 1] == '/')
            sbuf_setlen(&e, e.len - 1);
        path += n + (colon ? 1 : 0);
        /* Spelled as it may be ($HOME/./bin, links): the real folder decides. */
        char *real_e = fs_is_dir(e.buf) ? realpath(e.buf, NULL) : NULL;
        bool inside = real_e && path_within(real_e, real_home.buf) && strcmp(real_e, real_home.buf);
        if (inside) {
            sbuf_reset(&e);
            sbuf_addstr(&e, real_e);
        }
        xfree(real_e);
        if (!inside) {
            sbuf_release(&e);
            continue;
        }
        add_tool_root(ro, e.buf, real_home.buf);
        DIR *d = opendir(e.buf);
        struct dirent *de;
        for (size_t k = 0; d && k < 256 && (de = readdir(d)); k++) {
            struct sbuf link = SBUF_INIT, target = SBUF_INIT;
            struct stat st;
            path_join(&link, e.buf, de->d_name);
            char *real =
                lstat(link.buf, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(link.buf, NULL) : NULL;
            if (real && path_within(real, real_home.buf) && strcmp(real, real_home.buf)) {
                path_dirname(&target, real);
                if (strcmp(target.buf, real_home.buf))
                    add_tool_root(ro, target.buf, real_home.buf);
            }
            xfree(real);
            sbuf_release(&link);
            sbuf_release(&target);
        }
        if (d)
            closedir(d);
        sbuf_release(&e);
    }
    sbuf_release(&real_home);
}

/*
 * Removes from ro (char *, owned) every path that is the home or holds it (bound read-only over
 * the steps' own home it would show all of the user's home: keys, tokens), and every path that
 * holds the run directory (a job would read the other jobs' temp folders, whose step scripts
 * hold secrets, and earlier runs'). Compared as written and by real paths.
 */
static void drop_covering(struct vec *ro, const char *home, const char *run_dir)
{
    char *real_home = home && home[0] == '/' ? realpath(home, NULL) : NULL;
    char *real_run = realpath(run_dir, NULL);
    for (size_t i = 0; i < ro->len;) {
        char **p = vec_at(ro, i);
        char *real = realpath(*p, NULL);
        bool covers = (home && home[0] == '/' && path_within(home, *p)) ||
                      (real_home && real && path_within(real_home, real)) ||
                      path_within(run_dir, *p) || (real_run && real && path_within(real_run, real));
        xfree(real);
        if (covers) {
            xfree(*p);
            vec_remove(ro, i);
        } else {
            i++;
        }
    }
    xfree(real_home);
    xfree(real_run);
}

/*
 * runnel itself, for the steps' PATH: its file alone, and the cml, hf and huggingface-cli links
 * beside it that lead to it (as `make install` puts them), each bound as a file. Never its
 * folder, which may hold the run directory (runnel at ~/u/runnel with --run-dir ~/u/rd).
 */
static void add_self(struct vec *ro, const struct run *r)
{
    static const char *const aliases[] = {"cml", "hf", "huggingface-cli"};
    if (!r->self_path.len || !r->self_dir.len)
        return;
    char *self = realpath(r->self_path.buf, NULL);
    if (!self)
        return;
    add_unique(ro, self);
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        struct sbuf link = SBUF_INIT;
        struct stat st;
        path_join(&link, r->self_dir.buf, aliases[i]);
        char *target =
            lstat(link.buf, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(link.buf, NULL) : NULL;
        if (target && !strcmp(target, self))
            add_unique(ro, link.buf);
        xfree(target);
        sbuf_release(&link);
    }
    xfree(self);
}

/*
 * The paths bound read-only into every job's sandbox, NULL-terminated, made once per run (the
 * same for all jobs): runnel itself (add_self), hf's links to it, where JavaScript actions come
 * from (the action cache, made now so that actions downloaded during a job are inside, and the
 * --action-path directories), and the tools on PATH that lie inside the home.
 */
static const char *const *run_ro_paths(struct run *r)
{
    if (r->ro_paths.len)
        return r->ro_paths.items;
    struct vec *ro = &r->ro_paths;
    const struct actions_fetch_opts *fo = r->o->actions ? &r->o->actions->fetch : NULL;
    struct sbuf cache = SBUF_INIT;
    struct err err = ERR_INIT;
    if (fo && fo->cache_dir)
        sbuf_addstr(&cache, fo->cache_dir);
    else if (actions_cache_dir_default(&cache, &err) < 0)
        err_clear(&err);
    if (cache.len && fs_mkdirs(cache.buf, 0755, &err) < 0)
        err_clear(&err);
    add_home_tools(ro, getenv("HOME"), getenv("PATH")); /* first: it leaves out what ro covers */
    add_self(ro, r);
    const char *fixed[] = {r->compat_dir.buf, cache.buf};
    for (size_t i = 0; i < 2; i++) {
        if (fixed[i] && *fixed[i]) {
            char *copy = xstrdup(fixed[i]);
            vec_append(ro, &copy);
        }
    }
    for (size_t i = 0; fo && i < fo->nmaps; i++) {
        char *copy = xstrdup(fo->maps[i].dir);
        vec_append(ro, &copy);
    }
    drop_covering(ro, getenv("HOME"), r->o->run_dir);
    sbuf_release(&cache);
    *(char **)vec_push(ro) = NULL;
    return r->ro_paths.items;
}

static int job_setup(struct run_job *j, struct err *err)
{
    struct run *r = j->run;
    sbuf_addf(&j->dir, "%s/jobs/%zu-%s", r->o->run_dir, j->no, j->def->pj->id);
    sbuf_addf(&j->temp, "%s/temp", j->dir.buf);
    if (r->o->bind)
        sbuf_addstr(&j->workspace, r->plan->repo.root);
    else
        sbuf_addf(&j->workspace, "%s/workspace", j->dir.buf);
    sbuf_addf(&j->event_path, "%s/_github_workflow", j->temp.buf);
    /* RUNNER_TEMP is the user's alone, as the runner's temp folder is the runner user's: the
     * step scripts and environment files in it hold secrets. */
    int rc = fs_mkdirs(j->event_path.buf, 0777, err);
    if (rc == 0 && chmod(j->temp.buf, 0700) < 0)
        rc = err_errno(err, "cannot make '%s' private", j->temp.buf);
    if (rc == 0)
        rc = fs_mkdirs(j->workspace.buf, 0777, err);
    if (rc < 0)
        return rc;
    /* Opened now, before any step of the job could put a link in its place. */
    j->temp_fd = open(j->temp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (j->temp_fd < 0)
        return err_errno(err, "cannot open '%s'", j->temp.buf);
    /* The event payload, inside the job's temp directory so the sandbox can read it. */
    sbuf_addstr(&j->event_path, "/event.json");
    rc = fs_write_file(j->event_path.buf, r->event_json.buf, r->event_json.len, err);
    if (rc < 0)
        return rc;
    sbuf_addf(&j->log_path, "%s/logs/%zu-%s.log", r->o->run_dir, j->no, j->def->pj->id);
    j->log_fd = open(j->log_path.buf,
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND | O_NOFOLLOW, 0644);
    if (j->log_fd < 0)
        return err_errno(err, "cannot create '%s'", j->log_path.buf);
    if (!r->o->bind && !r->o->dry_run) {
        if (r->o->fill_workspace)
            rc = r->o->fill_workspace(j->workspace.buf, r->plan->repo.root, r->o->payload, err);
        else
            rc = fs_copy_tree(j->workspace.buf, r->plan->repo.root, NULL, NULL, err);
        if (rc < 0)
            return rc;
    }
    init_contexts(j);
    if (!r->o->dry_run) {
        /* The steps' home: the job's own directory, which the built-ins see too. */
        struct sbuf home = SBUF_INIT;
        sbuf_addf(&home, "%s/home", j->dir.buf);
        if (fs_mkdirs(home.buf, 0700, err) < 0) {
            sbuf_release(&home);
            return err->code;
        }
        struct sandbox_opts so = {
            .workspace = j->workspace.buf,
            .temp_dir = j->temp.buf,
            .ro_paths = run_ro_paths(r),
            .rw_paths = r->o->rw_paths,
            .network = r->o->network,
            .home = getenv("HOME") && getenv("HOME")[0] == '/' ? getenv("HOME") : NULL,
            .home_dir = home.buf,
            .keep_background = false,
        };
        rc = sandbox_new(&j->sb, r->host, &so, err);
        /* The built-ins' "~/" is the job's home in every sandboxed tier: with namespaces it is
         * the steps' home too; with Landlock alone the steps keep the user's home, which they
         * cannot write, and a cache restore must not write it either. Only --sandbox none
         * leaves both to the user's home. */
        if (rc == 0 && so.home && sandbox_tier(j->sb) != SANDBOX_TIER_NONE)
            sbuf_addstr(&j->home, home.buf);
        sbuf_release(&home);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * Starts a leg of a job that calls a reusable workflow: its `if` (evaluated as any job's), then
 * the called workflow. Returns with the leg RUNNING (until that workflow is done) or DONE.
 */
static void call_start(struct run_job *j)
{
    struct err err = ERR_INIT;
    j->state = RUN_JOB_RUNNING;
    j->def->running++;
    j->started = run_now();
    init_contexts(j);
    bool run_it = false;
    if (run_cond_eval(&run_it, j->def->pj->if_expr, j, true, &err) < 0) {
        if (j->def->pj->job->if_token)
            run_tok_err(&err, j, j->def->pj->job->if_token);
        open_leg_log(j);
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        job_done(j, RUN_FAILURE);
        return;
    }
    if (!run_it) {
        open_leg_log(j);
        run_logf(j, RUN_LINE_INFO, "skipped: if: %s",
                 j->def->pj->if_expr ? j->def->pj->if_expr : "success()");
        job_done(j, RUN_SKIPPED);
        return;
    }
    if (run_reusable_start(j, &err) < 0) {
        open_leg_log(j);
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        job_done(j, RUN_FAILURE);
    }
}

/* Starts a job leg: the if, the set-up; returns with the job RUNNING or DONE. */
static void job_start(struct run_job *j)
{
    struct run *r = j->run;
    struct err err = ERR_INIT;
    if (j->is_call) {
        call_start(j);
        return;
    }
    j->state = RUN_JOB_RUNNING;
    r->running++;
    j->def->running++;
    j->started = run_now();
    if (job_setup(j, &err) < 0) {
        run_logf(j, RUN_LINE_ERROR, "cannot set up the job: %s", err.msg);
        job_done(j, RUN_FAILURE);
        return;
    }
    run_logf(j, RUN_LINE_INFO, "Job started (workspace %s)", j->workspace.buf);
    /* Said, not silently dropped: the steps run on this host, without the job's containers. */
    const struct wf_token *ct = j->def->pj->job->container;
    if (ct && ct->kind != WF_TOK_NULL) {
        const struct wf_token *image = ct->kind == WF_TOK_MAPPING ? wf_tok_get(ct, "image") : ct;
        run_logf(j, RUN_LINE_WARNING,
                 "container '%s' is not started (runnel runs no containers): the steps run on "
                 "this host",
                 image && image->kind == WF_TOK_STRING ? image->str : "(expression)");
    }
    const struct wf_token *sv = j->def->pj->job->services;
    for (size_t i = 0; sv && sv->kind == WF_TOK_MAPPING && i < sv->npairs; i++)
        run_logf(j, RUN_LINE_WARNING, "service '%s' is not started (runnel runs no containers)",
                 sv->pairs[i].key->kind == WF_TOK_STRING ? sv->pairs[i].key->str : "?");
    bool run_it = false;
    if (run_cond_eval(&run_it, j->def->pj->if_expr, j, true, &err) < 0) {
        if (j->def->pj->job->if_token)
            run_tok_err(&err, j, j->def->pj->job->if_token);
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        job_done(j, RUN_FAILURE);
        return;
    }
    if (!run_it) {
        run_logf(j, RUN_LINE_INFO, "skipped: if: %s",
                 j->def->pj->if_expr ? j->def->pj->if_expr : "success()");
        job_done(j, RUN_SKIPPED);
        return;
    }
    struct arena scratch = ARENA_INIT;
    struct val coe = val_null();
    double minutes = RUN_DEFAULT_JOB_MINUTES;
    int rc = init_env(j, &err);
    if (rc == 0 && j->def->pj->job->continue_on_error)
        rc = run_tok_eval(&coe, &scratch, j->def->pj->job->continue_on_error, j, &err);
    j->continue_on_error = val_is_truthy(&coe);
    if (rc == 0 && j->def->pj->job->timeout_minutes) {
        struct val tm;
        rc = run_tok_eval(&tm, &scratch, j->def->pj->job->timeout_minutes, j, &err);
        if (rc == 0 && val_to_number(&tm) > 0)
            minutes = val_to_number(&tm);
    }
    j->cancel_grace_s = RUN_DEFAULT_CANCEL_MINUTES * 60.0;
    if (rc == 0 && j->def->pj->job->cancel_timeout_minutes) {
        struct val cm;
        rc = run_tok_eval(&cm, &scratch, j->def->pj->job->cancel_timeout_minutes, j, &err);
        if (rc == 0 && val_to_number(&cm) > 0)
            j->cancel_grace_s = val_to_number(&cm) * 60.0;
    }
    arena_release(&scratch);
    if (rc < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        job_done(j, RUN_FAILURE);
        return;
    }
    j->deadline = j->started + minutes * 60.0;
    /* As the runner's "Set up job": every action is resolved before the first step. */
    if (run_frame_collect_pres(j, run_top(j), &err) < 0) {
        run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
        job_done(j, RUN_FAILURE);
    }
}

/* Runs the job forward until it waits on a step process or is done. */
static void job_advance(struct run_job *j)
{
    while (j->state == RUN_JOB_RUNNING && !j->cur) {
        if (j->cancel_requested && j->status == EXPR_STATUS_SUCCESS)
            j->status = EXPR_STATUS_CANCELLED;
        if (j->run->force_stop) {
            /* A second Ctrl-C: nothing more starts, no step, pre or post. */
            run_logf(j, RUN_LINE_INFO,
                     "stopped: the rest of the job is not run (second interrupt)");
            job_done(j, j->status == EXPR_STATUS_FAILURE ? RUN_FAILURE : RUN_CANCELLED);
            return;
        }
        if (run_pre_start(j))
            continue;
        struct run_frame *f = run_top(j);
        if (f->next >= f->nsteps) {
            if (f->action) {
                run_frame_finish(j);
                continue;
            }
            if (run_node_post_start(j))
                continue;
            run_job_posts(j);
            job_outputs(j);
            enum run_conclusion c = j->status == EXPR_STATUS_FAILURE     ? RUN_FAILURE
                                    : j->status == EXPR_STATUS_CANCELLED ? RUN_CANCELLED
                                                                         : RUN_SUCCESS;
            job_done(j, c);
            return;
        }
        const struct wf_step *s = f->steps[f->next++];
        bool started = false;
        struct err err = ERR_INIT;
        run_step_start(j, s, &started, &err);
    }
}

/* ---- definitions: matrix expansion when needs are done ----------------------------------- */

static bool needs_done(const struct run_def *d)
{
    for (size_t i = 0; i < d->pj->nneeds; i++) {
        if (d->wf->defs[d->pj->needs[i]].state != RUN_DEF_DONE)
            return false;
    }
    return true;
}

/* The one leg (no matrix) of a job that ends without running, with its log open. */
static struct run_job *def_single_leg(struct run_def *d)
{
    struct run_job *j = job_new(d, NULL);
    d->legs = xcalloc(1, sizeof(*d->legs));
    d->legs[0] = j;
    d->nlegs = 1;
    d->state = RUN_DEF_STARTED;
    open_leg_log(j);
    return j;
}

/* A job that cannot run here (no runner, filtered out, bad matrix) is done at once. */
static void def_finish_empty(struct run_def *d, enum run_conclusion c, const char *why)
{
    struct run_job *j = def_single_leg(d);
    if (why)
        run_logf(j, c == RUN_FAILURE ? RUN_LINE_ERROR : RUN_LINE_INFO, "%s", why);
    job_done(j, c);
}

/*
 * A job whose strategy or runs-on cannot be evaluated: its `if` comes first, as GitHub evaluates
 * a job's `if` before its strategy. When the `if` is false the job is skipped (a dependant of a
 * failed job whose matrix reads that job's outputs, say); otherwise it fails with why.
 */
static void def_finish_invalid(struct run_def *d, const char *why)
{
    struct run_job *j = def_single_leg(d);
    init_contexts(j);
    bool run_it = true;
    struct err err = ERR_INIT;
    if (run_cond_eval(&run_it, d->pj->if_expr, j, true, &err) == 0 && !run_it) {
        run_logf(j, RUN_LINE_INFO, "skipped: if: %s",
                 d->pj->if_expr ? d->pj->if_expr : "success()");
        job_done(j, RUN_SKIPPED);
        return;
    }
    run_logf(j, RUN_LINE_ERROR, "%s", why);
    job_done(j, RUN_FAILURE);
}

static void def_start(struct run_def *d)
{
    struct run *r = d->wf->run;
    struct plan_job *pj = d->pj;
    if (pj->state == PLAN_JOB_FILTERED) {
        d->state = RUN_DEF_DONE;
        d->result = RUN_SKIPPED;
        return;
    }
    if (pj->state == PLAN_JOB_INVALID) {
        /* A strategy or runs-on that cannot be evaluated fails the job, as on GitHub. */
        def_finish_invalid(d, pj->reason);
        return;
    }
    if (pj->state == PLAN_JOB_NO_RUNNER) {
        def_finish_empty(d, RUN_SKIPPED, pj->reason);
        return;
    }
    if (pj->state == PLAN_JOB_DEFERRED) {
        /* In the run's arena: a leg may hold a needs value itself (matrix: ${{ needs.a.outputs }})
         */
        struct val needs = run_needs_context(d, &r->arena);
        struct val contexts = plan_contexts(&r->arena, r->plan, d->wf->pw, &needs);
        struct plan_matrix_opts mo = {.contexts = &contexts,
                                      .filter = r->plan->matrix_filter,
                                      .nfilter = r->plan->nmatrix_filter,
                                      .plan = r->plan};
        struct err err = ERR_INIT;
        int rc = plan_matrix_expand(&d->matrix, &r->arena, pj->job, &mo, &err);
        if (rc < 0) {
            struct sbuf why = SBUF_INIT;
            sbuf_addf(&why, "%s%s%s", d->wf->pw->relpath, err.msg[0] == '(' ? " " : ": ", err.msg);
            def_finish_invalid(d, why.buf);
            sbuf_release(&why);
            return;
        }
    } else {
        d->matrix = pj->matrix;
    }
    if (!d->matrix.nlegs) {
        def_finish_empty(d, RUN_SKIPPED, "the matrix has no legs to run");
        return;
    }
    d->legs = xcalloc(d->matrix.nlegs, sizeof(*d->legs));
    d->nlegs = d->matrix.nlegs;
    d->state = RUN_DEF_STARTED;
    for (size_t i = 0; i < d->nlegs; i++)
        d->legs[i] = job_new(d, &d->matrix.legs[i]);
    /* Legs that map to no runner are skipped, not failed. */
    for (size_t i = 0; i < d->nlegs; i++) {
        const struct plan_leg *leg = d->legs[i]->leg;
        if (!leg->runner || leg->skip) {
            struct run_job *j = d->legs[i];
            open_leg_log(j);
            run_logf(j, RUN_LINE_INFO, "skipped: %s", leg->skip ? leg->skip : "no runner");
            job_done(j, RUN_SKIPPED);
        }
    }
}

/* ---- the loop ---------------------------------------------------------------------------- */

static bool can_start(const struct run_job *j)
{
    const struct run_def *d = j->def;
    if (d->matrix.max_parallel > 0 && d->running >= (size_t)d->matrix.max_parallel)
        return false;
    return true;
}

/*
 * jobs.<id>.concurrency (a group name, or {group, cancel-in-progress}), evaluated when the job is
 * about to start with github, inputs, vars, needs and matrix.
 */
static void eval_group(struct run_job *j)
{
    struct run *r = j->run;
    const struct wf_token *t = j->def->pj->job->concurrency;
    j->group_known = true;
    if (!t)
        return;
    struct arena scratch = ARENA_INIT;
    struct val needs = val_new_object(&scratch);
    struct val contexts = plan_contexts(&scratch, r->plan, j->wf->pw, &needs);
    if (j->leg && j->leg->matrix.kind == VAL_OBJECT)
        val_object_set(&scratch, contexts, "matrix", 6, j->leg->matrix);
    struct expr_ctx ctx = EXPR_CTX_INIT;
    ctx.contexts = &contexts;
    struct val v;
    struct err err = ERR_INIT;
    if (plan_eval_token(&v, &scratch, t, &ctx, &err) == 0) {
        const struct val *group = &v;
        if (v.kind == VAL_OBJECT) {
            group = val_object_find(v.obj, "group", 5);
            const struct val *cip = val_object_find(v.obj, "cancel-in-progress", 18);
            j->cancel_in_progress = cip && val_is_truthy(cip);
        }
        if (group && group->kind != VAL_NULL) {
            struct sbuf s = SBUF_INIT;
            val_to_sbuf(&s, group);
            if (s.len)
                j->group = sbuf_detach(&s, NULL);
            sbuf_release(&s);
        }
    }
    arena_release(&scratch);
}

/*
 * GitHub's concurrency among the runs of one invocation: one job of a group runs at a time; a
 * newer job cancels an older one still waiting, and with cancel-in-progress the running one too.
 * Returns true when j may start now.
 */
static bool take_group(struct run_job *j)
{
    struct run *r = j->run;
    if (!j->group_known) {
        eval_group(j);
        for (size_t i = 0; j->group && i < r->jobs.len; i++) {
            struct run_job *o = *(struct run_job **)vec_at(&r->jobs, i);
            if (o != j && o->group_known && o->group && !strcmp(o->group, j->group) &&
                o->state == RUN_JOB_PENDING && !o->cancel_requested) {
                o->cancel_requested = true;
                o->cancel_reason = "cancelled: a newer job of its concurrency group is waiting";
            }
        }
    }
    if (!j->group)
        return true;
    struct run_job *holder = map_find(&r->groups, j->group);
    if (holder && holder != j && holder->state != RUN_JOB_DONE) {
        if (j->cancel_in_progress && !holder->cancel_requested) {
            holder->cancel_requested = true;
            run_logf(holder, RUN_LINE_INFO,
                     "cancelled: a newer job of concurrency group '%s' cancels it", j->group);
        }
        return false;
    }
    map_set(&r->groups, j->group, j);
    return true;
}

/* Starts and advances whatever can move without waiting. */
static void schedule(struct run *r)
{
    bool moved = true;
    while (moved) {
        moved = false;
        for (size_t w = 0; w < r->wfs.len; w++) {
            struct run_wf *wf = run_wf_at(r, w);
            for (size_t i = 0; i < wf->ndefs; i++) {
                struct run_def *d = &wf->defs[i];
                if (d->state == RUN_DEF_WAITING && needs_done(d)) {
                    def_start(d);
                    moved = true;
                }
            }
        }
        for (size_t i = 0; i < r->jobs.len; i++) {
            struct run_job *j = *(struct run_job **)vec_at(&r->jobs, i);
            if (j->state == RUN_JOB_PENDING && (j->cancel_requested || r->force_stop)) {
                run_logf(j, RUN_LINE_INFO, "%s",
                         r->force_stop      ? "not started (second interrupt)"
                         : j->cancel_reason ? j->cancel_reason
                                            : "cancelled before it started (fail-fast)");
                job_done(j, RUN_CANCELLED);
                moved = true;
                continue;
            }
            if (j->state == RUN_JOB_PENDING && (j->is_call || r->running < r->max_jobs) &&
                can_start(j) && take_group(j)) {
                job_start(j);
                moved = true;
            }
            if (j->state == RUN_JOB_RUNNING && j->is_call) {
                enum run_conclusion c;
                /* fail-fast (or a concurrency group) cancels the leg's workflow; a Ctrl-C has
                 * already reached every job, and later ones see cancelled() in their if. */
                if (j->cancel_requested && !r->cancelled && !j->called->cancelled) {
                    run_wf_cancel(j->called);
                    moved = true;
                }
                if (run_reusable_poll(j, &c)) {
                    job_done(j, c);
                    moved = true;
                }
            } else if (j->state == RUN_JOB_RUNNING && !j->cur) {
                job_advance(j);
                moved = true;
            }
        }
    }
}

static bool all_done(const struct run *r)
{
    for (size_t w = 0; w < r->wfs.len; w++) {
        const struct run_wf *wf = run_wf_at(r, w);
        for (size_t i = 0; i < wf->ndefs; i++) {
            if (wf->defs[i].state != RUN_DEF_DONE)
                return false;
        }
    }
    return true;
}

/* Stops a step's process tree: SIGTERM now, SIGKILL after the grace period (wait_round). */
static void cancel_step(struct run_job *j, bool timed_out)
{
    struct run_step *st = j->cur;
    if (st->stop_sent || !st->proc.is_running)
        return;
    struct err err = ERR_INIT;
    st->stop_sent = true;
    st->timed_out |= timed_out;
    st->cancelled |= !timed_out;
    st->kill_at = run_now() + RUN_KILL_GRACE_S;
    proc_signal(&st->proc, SIGTERM, &err);
}

/* One round of waiting: poll the running steps' pipes and exit fds, handle what happened. */
static void wait_round(struct run *r)
{
    struct vec fds = VEC_INIT(struct pollfd);
    struct vec owners = VEC_INIT(struct run_job *);
    struct vec kinds = VEC_INIT(int); /* 0 exit, 1 stdout, 2 stderr, 3 cancel */
    double now = run_now();
    double next = now + 1.0;
    for (size_t i = 0; i < r->jobs.len; i++) {
        struct run_job *j = *(struct run_job **)vec_at(&r->jobs, i);
        if (!j->cur)
            continue;
        struct run_step *st = j->cur;
        /* Timeouts: the step's, then the job's. Cancel: fail-fast or Ctrl-C. */
        if (st->deadline > 0 && now >= st->deadline) {
            cancel_step(j, true);
        } else if (j->deadline > 0 && now >= j->deadline && !st->started_cancelled &&
                   !j->cancel_requested) {
            /* A timeout cancels the job: steps that start after it (if: always(), posts) run
             * under cancel-timeout-minutes instead. */
            if (!st->stop_sent)
                run_logf(j, RUN_LINE_ERROR,
                         "The job has exceeded the maximum execution time of its timeout-minutes");
            cancel_step(j, true);
            j->status = EXPR_STATUS_FAILURE;
            j->cancel_requested = true;
        } else if ((j->cancel_requested && !st->started_cancelled) || r->force_stop) {
            cancel_step(j, false);
        }
        if (st->stop_sent && st->proc.is_running) {
            if (now >= st->kill_at) {
                struct err err = ERR_INIT;
                proc_signal(&st->proc, SIGKILL, &err);
            } else if (st->kill_at < next) {
                next = st->kill_at;
            }
        }
        if (st->deadline > now && st->deadline < next)
            next = st->deadline;
        /* the job's deadline matters only while it can still stop this step (no busy wait) */
        if (j->deadline > now && j->deadline < next && !st->started_cancelled)
            next = j->deadline;
        const int kinds_here[] = {0, 1, 2};
        const int fdv[] = {st->proc.is_running ? proc_poll_fd(&st->proc) : -1, st->out.fd,
                           st->err.fd};
        for (size_t k = 0; k < 3; k++) {
            if (fdv[k] < 0)
                continue;
            struct pollfd *p = vec_push(&fds);
            p->fd = fdv[k];
            p->events = POLLIN;
            vec_append(&owners, &j);
            vec_append(&kinds, &kinds_here[k]);
        }
    }
    if (r->o->cancel_fd >= 0 && !r->force_stop) {
        struct pollfd *p = vec_push(&fds);
        p->fd = r->o->cancel_fd;
        p->events = POLLIN;
        struct run_job *none = NULL;
        int three = 3;
        vec_append(&owners, &none);
        vec_append(&kinds, &three);
    }
    int timeout_ms = (int)((next - now) * 1000.0) + 1;
    if (timeout_ms < 1)
        timeout_ms = 1;
    int n = poll(fds.items, fds.len, timeout_ms);
    for (size_t i = 0; n > 0 && i < fds.len; i++) {
        struct pollfd *p = vec_at(&fds, i);
        if (!p->revents)
            continue;
        struct run_job *j = *(struct run_job **)vec_at(&owners, i);
        int kind = *(int *)vec_at(&kinds, i);
        if (kind == 3) {
            char drain[16];
            ssize_t got = read(r->o->cancel_fd, drain, sizeof(drain)); /* a byte a Ctrl-C */
            if (r->cancelled || got > 1) {
                /* A second Ctrl-C: what runs after the cancel is stopped too. */
                r->force_stop = true;
                if (r->cancelled)
                    continue;
            }
            r->cancelled = true;
            r->res->cancelled = true;
            for (size_t k = 0; k < r->jobs.len; k++) {
                struct run_job *o = *(struct run_job **)vec_at(&r->jobs, k);
                o->cancel_requested = true;
                if (o->cur)
                    cancel_step(o, false);
            }
            continue;
        }
        if (!j->cur)
            continue;
        if (kind == 1 && j->cur->out.fd >= 0)
            run_step_read(j, &j->cur->out, 1);
        else if (kind == 2 && j->cur->err.fd >= 0)
            run_step_read(j, &j->cur->err, 2);
    }
    /* Reap what ended; a step is finished once it exited and both pipes are drained. */
    for (size_t i = 0; i < r->jobs.len; i++) {
        struct run_job *j = *(struct run_job **)vec_at(&r->jobs, i);
        if (!j->cur)
            continue;
        struct run_step *st = j->cur;
        if (st->proc.is_running) {
            bool done = false;
            struct err err = ERR_INIT;
            if (proc_try_wait(&st->proc, &done, &err) < 0) {
                run_logf(j, RUN_LINE_ERROR, "%s", err.msg);
                st->proc.is_running = false;
                st->proc.result.signaled = true;
            }
        }
        if (!st->proc.is_running) {
            /* Drain what is left without blocking: the pipes are at EOF or will be soon. */
            for (int rounds = 0; rounds < 64 && (st->out.fd >= 0 || st->err.fd >= 0); rounds++) {
                struct pollfd pf[2];
                int m = 0;
                if (st->out.fd >= 0)
                    pf[m++] = (struct pollfd){.fd = st->out.fd, .events = POLLIN};
                if (st->err.fd >= 0)
                    pf[m++] = (struct pollfd){.fd = st->err.fd, .events = POLLIN};
                if (poll(pf, (nfds_t)m, 50) <= 0)
                    break;
                for (int k = 0; k < m; k++) {
                    if (!pf[k].revents)
                        continue;
                    if (pf[k].fd == st->out.fd)
                        run_step_read(j, &st->out, 1);
                    else if (pf[k].fd == st->err.fd)
                        run_step_read(j, &st->err, 2);
                }
            }
            run_step_finish(j);
        }
    }
    vec_release(&fds);
    vec_release(&owners);
    vec_release(&kinds);
}

static void self_dir(struct sbuf *out, const char *self)
{
    if (!self || !*self)
        return;
    char resolved[4096];
    if (!strchr(self, '/'))
        return;
    if (!realpath(self, resolved))
        return;
    path_dirname(out, resolved);
}

int run_execute(struct run_result *out, const struct run_opts *o, struct err *err)
{
    struct run r = {.o = o,
                    .plan = o->plan,
                    .res = out,
                    .arena = ARENA_INIT,
                    .jobs = VEC_INIT(struct run_job *),
                    .wfs = VEC_INIT(struct run_wf *),
                    .summary = SBUF_INIT,
                    .self_dir = SBUF_INIT,
                    .event_json = SBUF_INIT,
                    .self_path = SBUF_INIT,
                    .compat_dir = SBUF_INIT,
                    .ro_paths = VEC_INIT(char *),
                    .groups = MAP_INIT};
    int rc = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    r.max_jobs = o->max_jobs ? o->max_jobs : (ncpu > 0 ? (size_t)ncpu : 1);
    self_dir(&r.self_dir, o->self_path);
    val_to_json_sbuf(&r.event_json, &o->plan->event.payload, true);
    sbuf_addch(&r.event_json, '\n');
    if (o->self_path && o->self_path[0] == '/') {
        sbuf_addstr(&r.self_path, o->self_path);
        /* Existing Makefiles call huggingface-cli and hf: runnel answers as either. */
        sbuf_addf(&r.compat_dir, "%s/bin", o->run_dir);
        if (fs_mkdirs(r.compat_dir.buf, 0755, err) < 0) {
            rc = err->code;
            goto done;
        }
        static const char *const names[] = {"hf", "huggingface-cli"};
        for (size_t i = 0; i < 2; i++) {
            struct sbuf link = SBUF_INIT;
            path_join(&link, r.compat_dir.buf, names[i]);
            unlink(link.buf);
            if (symlink(o->self_path, link.buf) < 0)
                sbuf_reset(&r.compat_dir);
            sbuf_release(&link);
        }
    }
    run_masker_new(&r.masker);
    struct val_object *secrets = o->plan->secrets.kind == VAL_OBJECT ? o->plan->secrets.obj : NULL;
    for (size_t i = 0; secrets && i < secrets->len; i++) {
        const struct val *v = &secrets->members[i].value;
        if (v->kind == VAL_STRING)
            run_masker_add(r.masker, v->s.p, v->s.len);
        if (!str_casecmp(secrets->members[i].key.p, "ACTIONS_STEP_DEBUG") && val_is_truthy(v))
            r.step_debug = true;
    }

    struct sbuf logs = SBUF_INIT;
    sbuf_addf(&logs, "%s/logs", o->run_dir);
    rc = fs_mkdirs(logs.buf, 0755, err);
    sbuf_release(&logs);
    if (rc < 0)
        goto done;
    if (!o->dry_run) {
        rc = sandbox_host_new(&r.host, o->sandbox, err);
        if (rc < 0)
            goto done;
        struct sbuf desc = SBUF_INIT;
        sandbox_host_describe(r.host, &desc);
        if (o->log && o->log->notice)
            o->log->notice(desc.buf, o->log->payload);
        xfree(out->sandbox_level);
        out->sandbox_level = sbuf_detach(&desc, NULL);
    }

    for (size_t w = 0; w < o->plan->nworkflows; w++) {
        struct plan_workflow *pw = &o->plan->workflows[w];
        if (!pw->triggered || !pw->wf)
            continue;
        run_wf_new(&r, pw);
    }

    for (;;) {
        schedule(&r);
        if (all_done(&r))
            break;
        wait_round(&r);
    }

    /* Per workflow: failure when a job failed, cancelled when the run was. */
    for (size_t w = 0; w < r.wfs.len; w++) {
        struct run_wf *wf = run_wf_at(&r, w);
        if (wf->caller)
            continue;
        enum run_conclusion c = r.cancelled ? RUN_CANCELLED : RUN_SUCCESS;
        for (size_t i = 0; i < r.jobs.len; i++) {
            struct run_job *j = *(struct run_job **)vec_at(&r.jobs, i);
            if (j->wf == wf && j->conclusion == RUN_FAILURE && !j->continue_on_error)
                c = RUN_FAILURE;
        }
        struct run_workflow_result *wr = vec_push(&out->workflows);
        wr->name = xstrdup(wf->pw->name ? wf->pw->name : wf->pw->relpath);
        wr->relpath = xstrdup(wf->pw->relpath);
        wr->conclusion = c;
    }
    if (r.summary.len) {
        struct sbuf path = SBUF_INIT;
        sbuf_addf(&path, "%s/summary.md", o->run_dir);
        if (fs_write_file(path.buf, r.summary.buf, r.summary.len, err) == 0) {
            xfree(out->summary_path);
            out->summary_path = sbuf_detach(&path, NULL);
        }
        sbuf_release(&path);
        err_clear(err);
    }

done:
    for (size_t i = 0; i < r.jobs.len; i++)
        job_free(*(struct run_job **)vec_at(&r.jobs, i));
    vec_release(&r.jobs);
    for (size_t w = 0; w < r.wfs.len; w++)
        run_wf_free(run_wf_at(&r, w));
    vec_release(&r.wfs);
    sandbox_host_free(r.host);
    vec_foreach (char *, p, &r.ro_paths) {
        xfree(*p);
    }
    vec_release(&r.ro_paths);
    run_masker_free(r.masker);
    sbuf_release(&r.summary);
    sbuf_release(&r.self_dir);
    sbuf_release(&r.event_json);
    sbuf_release(&r.self_path);
    sbuf_release(&r.compat_dir);
    map_release(&r.groups, NULL);
    arena_release(&r.arena);
    return rc;
}

void run_result_release(struct run_result *r)
{
    vec_foreach (struct run_job_result, j, &r->jobs) {
        xfree(j->workflow);
        xfree(j->job_id);
        xfree(j->label);
        xfree(j->log_path);
    }
    vec_release(&r->jobs);
    vec_foreach (struct run_workflow_result, w, &r->workflows) {
        xfree(w->name);
        xfree(w->relpath);
    }
    vec_release(&r->workflows);
    xfree(r->summary_path);
    xfree(r->sandbox_level);
    *r = RUN_RESULT_INIT;
}
