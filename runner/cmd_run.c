/*
 * runnel run [EVENT]: plan the event like `runnel plan`, then run the triggered workflows with the
 * executor (src/run/), printing each job's lines live with its name in front, and a summary
 * table at the end. Exit status: 0 when every job succeeded (or was skipped), 1 when a job
 * failed or the run was cancelled, 2 for a usage or workflow error.
 */

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "git/git.h"
#include "plan_flags.h"
#include "run/sched.h"
#include "util/json.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

#define CHAIN_MAX_DEPTH 3 /* GitHub runs workflow_run chains at most three levels deep */

struct printer {
    bool color;
    bool json;
};

static const char *color_of(enum run_line_kind k)
{
    switch (k) {
    case RUN_LINE_ERROR:
        return "\033[31m";
    case RUN_LINE_WARNING:
        return "\033[33m";
    case RUN_LINE_NOTICE:
        return "\033[36m";
    case RUN_LINE_DEBUG:
    case RUN_LINE_COMMAND:
        return "\033[2m";
    case RUN_LINE_GROUP:
    case RUN_LINE_INFO:
        return "\033[1m";
    default:
        return "";
    }
}

static const char *kind_word(enum run_line_kind k)
{
    static const char *const words[] = {"output", "info",   "command", "group", "endgroup",
                                        "debug",  "notice", "warning", "error"};
    return words[k];
}

static void on_line(const char *label, enum run_line_kind kind, const char *text, size_t len,
                    void *payload)
{
    struct printer *p = payload;
    struct sbuf out = SBUF_INIT;
    if (p->json) {
        sbuf_addstr(&out, "{\"event\":\"line\",\"job\":\"");
        sbuf_add_json_escaped(&out, label, strlen(label));
        sbuf_addf(&out, "\",\"kind\":\"%s\",\"text\":\"", kind_word(kind));
        sbuf_add_json_escaped(&out, text, len);
        sbuf_addstr(&out, "\"}\n");
        fwrite(out.buf, 1, out.len, stdout);
        sbuf_release(&out);
        return;
    }
    if (kind == RUN_LINE_ENDGROUP) {
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    sbuf_addf(&out, "%02d:%02d:%02d ", tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (p->color)
        sbuf_addf(&out, "\033[34m[%s]\033[0m ", label);
    else
        sbuf_addf(&out, "[%s] ", label);
    const char *mark = kind == RUN_LINE_GROUP     ? "\u25b6 "
                       : kind == RUN_LINE_ERROR   ? "error: "
                       : kind == RUN_LINE_WARNING ? "warning: "
                       : kind == RUN_LINE_NOTICE  ? "notice: "
                       : kind == RUN_LINE_DEBUG   ? "debug: "
                       : kind == RUN_LINE_COMMAND ? "  | "
                       : kind == RUN_LINE_OUTPUT  ? "  "
                                                  : "";
    if (p->color && *color_of(kind))
        sbuf_addf(&out, "%s%s", color_of(kind), mark);
    else
        sbuf_addstr(&out, mark);
    sbuf_add(&out, text, len);
    if (p->color && *color_of(kind))
        sbuf_addstr(&out, "\033[0m");
    sbuf_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stdout);
    fflush(stdout);
    sbuf_release(&out);
}

static void on_notice(const char *text, void *payload)
{
    struct printer *p = payload;
    if (p->json) {
        struct sbuf out = SBUF_INIT;
        sbuf_addstr(&out, "{\"event\":\"notice\",\"text\":\"");
        sbuf_add_json_escaped(&out, text, strlen(text));
        sbuf_addstr(&out, "\"}\n");
        fwrite(out.buf, 1, out.len, stdout);
        sbuf_release(&out);
        return;
    }
    printf("%s\n", text);
    fflush(stdout);
}

static void on_job_done(const char *label, enum run_conclusion c, double seconds, void *payload)
{
    struct printer *p = payload;
    if (!p->json)
        return;
    struct sbuf out = SBUF_INIT;
    sbuf_addstr(&out, "{\"event\":\"job\",\"job\":\"");
    sbuf_add_json_escaped(&out, label, strlen(label));
    sbuf_addf(&out, "\",\"result\":\"%s\",\"seconds\":%.3f}\n", run_conclusion_name(c), seconds);
    fwrite(out.buf, 1, out.len, stdout);
    fflush(stdout);
    sbuf_release(&out);
}

/* Ctrl-C: the handler writes one byte to a pipe the executor polls. */
static int cancel_pipe[2] = {-1, -1};

static void on_sigint(int sig)
{
    (void)sig;
    char c = 1;
    ssize_t n = write(cancel_pipe[1], &c, 1);
    (void)n;
}

#define DEFAULT_KEEP_RUNS 10

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A run holds <run dir>/.lock locked (flock) for as long as it lasts, so that pruning, from
 * another runnel started meanwhile, leaves it alone. Returns the descriptor, kept open.
 */
static int lock_run(const char *run_dir)
{
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/.lock", run_dir);
    int fd = open(path.buf, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        fd = -1;
    }
    sbuf_release(&path);
    return fd;
}

/*
 * Removes one old run unless another runnel holds its lock: the lock is held while the run is
 * renamed out of the run names (so a second pruner skips it) and removed.
 */
static void remove_run(const char *root, const char *name)
{
    struct sbuf path = SBUF_INIT, lock = SBUF_INIT, gone = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&path, "%s/%s", root, name);
    sbuf_addf(&lock, "%s/.lock", path.buf);
    sbuf_addf(&gone, "%s/.removing-%s-%ld", root, name, (long)getpid());
    int fd = open(lock.buf, O_RDONLY | O_CLOEXEC);
    bool busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
    if (!busy && rename(path.buf, gone.buf) == 0 && fs_remove_tree(gone.buf, &err) < 0)
        cli_error_err("cannot remove an old run", &err);
    if (fd >= 0)
        close(fd);
    sbuf_release(&path);
    sbuf_release(&lock);
    sbuf_release(&gone);
}

/*
 * Removes all but the newest `keep` runs (RUNNEL_KEEP_RUNS, default 10; 0 keeps every run) from
 * the default place, before a new one is made there: each holds a copy of the working tree per
 * job, and a machine that runs often would fill up. Only directories named as runs are touched,
 * and never one that is still running.
 */
static void prune_runs(const char *root)
{
    long keep = DEFAULT_KEEP_RUNS;
    const char *env = getenv("RUNNEL_KEEP_RUNS");
    if (env && *env && (!str_to_long(env, &keep) || keep < 0))
        keep = DEFAULT_KEEP_RUNS;
    if (keep == 0)
        return;
    DIR *d = opendir(root);
    if (!d)
        return;
    struct vec names = VEC_INIT(char *);
    struct dirent *de;
    struct vec leftovers = VEC_INIT(char *);
    while ((de = readdir(d))) {
        if (cli_is_run_name(de->d_name)) {
            char *name = xstrdup(de->d_name);
            vec_append(&names, &name);
        } else if (!strncmp(de->d_name, ".removing-", 10)) {
            char *name = xstrdup(de->d_name); /* a removal that was cut short: finish it */
            vec_append(&leftovers, &name);
        }
    }
    closedir(d);
    vec_foreach (char *, n, &leftovers) {
        struct sbuf path = SBUF_INIT;
        struct err ignored = ERR_INIT;
        sbuf_addf(&path, "%s/%s", root, *n);
        fs_remove_tree(path.buf, &ignored);
        sbuf_release(&path);
        xfree(*n);
    }
    vec_release(&leftovers);
    vec_sort(&names, cmp_names); /* oldest first: the names are UTC times */
    /* keep - 1 old ones: the run about to start is the keep-th */
    for (size_t i = 0; i + (size_t)keep - 1 < names.len; i++)
        remove_run(root, *(char **)vec_at(&names, i));
    vec_foreach (char *, n, &names) {
        xfree(*n);
    }
    vec_release(&names);
}

static void default_run_dir(struct sbuf *out)
{
    struct sbuf root = SBUF_INIT;
    cli_runs_root(&root); /* XDG_CACHE_HOME=/x/ gives /x//runnel: every path is compared later */
    path_normalize(out, root.buf);
    sbuf_release(&root);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    sbuf_addf(out, "/%04d%02d%02d-%02d%02d%02d-%ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
              tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid());
}

static void print_summary(const struct run_result *res, const struct printer *p)
{
    if (p->json)
        return;
    size_t width = 3;
    vec_foreach (struct run_job_result, j, &res->jobs) {
        if (strlen(j->label) > width)
            width = strlen(j->label);
    }
    printf("\n%-*s  %-9s  %s\n", (int)width, "job", "result", "time");
    vec_foreach (struct run_job_result, j, &res->jobs) {
        const char *word = run_conclusion_name(j->conclusion);
        const char *col = !p->color                        ? ""
                          : j->conclusion == RUN_SUCCESS   ? "\033[32m"
                          : j->conclusion == RUN_FAILURE   ? "\033[31m"
                          : j->conclusion == RUN_CANCELLED ? "\033[33m"
                                                           : "\033[2m";
        printf("%-*s  %s%-9s%s  %.1fs\n", (int)width, j->label, col, word,
               p->color ? "\033[0m" : "", j->seconds);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: runnel run [EVENT] [options]\n"
            "  -n, --dryrun          show what each step would run, start nothing\n"
            "  --jobs N              jobs at once (default: the number of CPUs)\n"
            "  --sandbox LEVEL       strict, default or none\n"
            "  --network MODE        host (default) or none\n"
            "  --bind                run in the repository instead of a copy per job\n"
            "  --rw PATH             let steps write PATH on the host too (repeatable)\n"
            "  --offline             never download actions (the cache, mappings and built-ins)\n"
            "  --builtin             prefer runnel's built-in actions over cached ones\n"
            "  --action-path A@R=DIR use DIR for the remote action A@R (also act's spelling,\n"
            "                        --local-repository)\n"
            "  --run-dir DIR         where logs, workspaces and summaries go\n"
            "  --chain               also run workflows that workflow_run triggers\n"
            "  --json                JSON lines events instead of text\n"
            "%s",
            plan_flags_usage);
}

struct run_cli {
    struct plan_flags flags;
    bool dry_run, bind, chain, json;
    const char *rw[16]; /* --rw paths, NULL-terminated */
    size_t nrw;
    bool offline, builtin;
    struct actions_mapping maps[16]; /* --action-path */
    size_t nmaps;
    long jobs;
    enum sandbox_level sandbox;
    enum sandbox_network network;
    const char *run_dir;
};

static int parse_args(struct run_cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = plan_flags_parse_one(&c->flags, argc, argv, &i);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        struct sbuf name = SBUF_INIT;
        sbuf_add(&name, a, eq && str_has_prefix(a, "--") ? (size_t)(eq - a) : strlen(a));
        if (!strcmp(name.buf, "--local-repository")) { /* act's spelling, for .actrc files */
            sbuf_reset(&name);
            sbuf_addstr(&name, "--action-path");
        }
        bool takes_value = !strcmp(name.buf, "--jobs") || !strcmp(name.buf, "--sandbox") ||
                           !strcmp(name.buf, "--network") || !strcmp(name.buf, "--run-dir") ||
                           !strcmp(name.buf, "--rw") || !strcmp(name.buf, "--action-path");
        if (takes_value) {
            if (eq && str_has_prefix(a, "--")) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                cli_error("'%s' needs a value", name.buf);
                sbuf_release(&name);
                return CLI_USAGE;
            }
        }
        int rc = CLI_OK;
        struct err err = ERR_INIT;
        if (!strcmp(name.buf, "-n") || !strcmp(name.buf, "--dryrun") ||
            !strcmp(name.buf, "--dry-run")) {
            c->dry_run = true;
        } else if (!strcmp(name.buf, "--bind")) {
            c->bind = true;
        } else if (!strcmp(name.buf, "--chain")) {
            c->chain = true;
        } else if (!strcmp(name.buf, "--json")) {
            c->json = true;
        } else if (!strcmp(name.buf, "--jobs")) {
            if (!str_to_long(val, &c->jobs) || c->jobs < 1) {
                cli_error("--jobs needs a positive number, not '%s'", val);
                rc = CLI_USAGE;
            }
        } else if (!strcmp(name.buf, "--sandbox")) {
            if (sandbox_level_parse(&c->sandbox, val, &err) < 0) {
                cli_error_err(NULL, &err);
                rc = CLI_USAGE;
            }
        } else if (!strcmp(name.buf, "--network")) {
            if (!strcmp(val, "host")) {
                c->network = SANDBOX_NET_HOST;
            } else if (!strcmp(val, "none")) {
                c->network = SANDBOX_NET_NONE;
            } else {
                cli_error("--network is 'host' or 'none', not '%s'", val);
                rc = CLI_USAGE;
            }
        } else if (!strcmp(name.buf, "--run-dir")) {
            c->run_dir = val;
        } else if (!strcmp(name.buf, "--offline")) {
            c->offline = true;
        } else if (!strcmp(name.buf, "--builtin")) {
            c->builtin = true;
        } else if (!strcmp(name.buf, "--action-path")) {
            if (c->nmaps >= sizeof(c->maps) / sizeof(c->maps[0])) {
                cli_error("at most %zu --action-path mappings",
                          sizeof(c->maps) / sizeof(c->maps[0]));
                rc = CLI_USAGE;
            } else if (actions_mapping_parse(&c->maps[c->nmaps], val, &err) < 0) {
                cli_error_err("--action-path", &err);
                rc = CLI_USAGE;
            } else {
                c->nmaps++;
            }
        } else if (!strcmp(name.buf, "--rw")) {
            if (c->nrw + 1 >= sizeof(c->rw) / sizeof(c->rw[0])) {
                cli_error("at most %zu --rw paths", sizeof(c->rw) / sizeof(c->rw[0]) - 1);
                rc = CLI_USAGE;
            } else if (val[0] != '/') {
                cli_error("--rw needs an absolute path, not '%s'", val);
                rc = CLI_USAGE;
            } else {
                c->rw[c->nrw++] = val;
            }
        } else if (!strcmp(name.buf, "-h") || !strcmp(name.buf, "--help")) {
            usage(stdout);
            rc = -1;
        } else if (a[0] == '-') {
            cli_error("unknown option '%s' (see 'runnel run --help')", a);
            rc = CLI_USAGE;
        } else if (!c->flags.event_name) {
            c->flags.event_name = a;
        } else {
            cli_error("unexpected argument '%s'", a);
            rc = CLI_USAGE;
        }
        sbuf_release(&name);
        if (rc)
            return rc;
    }
    return CLI_OK;
}

/* Copies the working tree into a job's workspace as act does: what `git add` would leave out
   (ignored, untracked) is left out, everything else is copied, .git included. */
struct workspace_copy {
    struct repo *repo;
    struct err err;
    bool failed;
};

static bool skip_entry(const char *rel, bool is_dir, void *payload)
{
    struct workspace_copy *w = payload;
    bool skip = false;
    if (!strcmp(rel, ".git") || str_has_prefix(rel, ".git/") || w->failed)
        return false;
    if (repo_workdir_skip(&skip, w->repo, rel, is_dir, &w->err) < 0)
        w->failed = true;
    return skip;
}

static int fill_workspace(const char *dest, const char *src, void *payload, struct err *err)
{
    (void)payload;
    struct workspace_copy w = {.err = ERR_INIT};
    repo_global_init();
    if (repo_open(&w.repo, src, err) < 0) {
        repo_global_shutdown();
        err_clear(err);
        return fs_copy_tree(dest, src, NULL, NULL, err);
    }
    int rc = fs_copy_tree(dest, src, skip_entry, &w, err);
    repo_free(w.repo);
    repo_global_shutdown(); /* libgit2's global state, released for LeakSanitizer */
    if (rc == 0 && w.failed) {
        *err = w.err;
        rc = err->code;
    }
    return rc;
}

/* Runs one plan; *failed tells whether a job failed. Returns a CLI status on engine errors. */
static int run_plan(struct plan *p, const struct run_cli *c, const char *self, struct printer *pr,
                    struct run_result *res, const char *run_dir)
{
    struct run_log_ops ops = {
        .line = on_line, .notice = on_notice, .job_done = on_job_done, .payload = pr};
    struct run_opts o = RUN_OPTS_INIT;
    o.plan = p;
    o.run_dir = run_dir;
    o.max_jobs = (size_t)c->jobs;
    o.sandbox = c->sandbox;
    o.network = c->network;
    o.bind = c->bind;
    o.rw_paths = c->nrw ? c->rw : NULL;
    struct actions_resolve_opts ao = {.prefer_builtin = c->builtin};
    ao.fetch.offline = c->offline;
    ao.fetch.maps = c->maps;
    ao.fetch.nmaps = c->nmaps;
    o.actions = &ao;
    o.dry_run = c->dry_run;
    o.self_path = self;
    o.cancel_fd = cancel_pipe[0];
    o.log = &ops;
    o.fill_workspace = fill_workspace;
    struct err err = ERR_INIT;
    if (run_execute(res, &o, &err) < 0) {
        cli_error_err(NULL, &err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int report_plan_errors(const struct plan *p)
{
    int bad = 0;
    for (size_t i = 0; i < p->nworkflows; i++) {
        if (!p->workflows[i].wf && p->workflows[i].error) {
            fprintf(stderr, "%s\n", p->workflows[i].error);
            bad = 1;
        }
    }
    return bad;
}

int cli_cmd_run(int argc, char **argv)
{
    struct run_cli c = {.sandbox = SANDBOX_DEFAULT, .network = SANDBOX_NET_HOST};
    plan_flags_init(&c.flags);
    struct printer pr = {0};
    struct plan *p = NULL;
    struct sbuf run_dir = SBUF_INIT;
    int run_lock = -1;
    int status = parse_args(&c, argc, argv);
    if (status == -1) {
        status = CLI_OK;
        goto done;
    }
    if (status)
        goto done;
    pr.json = c.json;
    pr.color = !c.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

    struct plan_opts po = PLAN_OPTS_INIT;
    status = plan_flags_finish(&c.flags, &po);
    if (status)
        goto done;
    struct err err = ERR_INIT;
    if (plan_build(&p, &po, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_USAGE;
        goto done;
    }
    if (report_plan_errors(p)) {
        status = CLI_USAGE;
        goto done;
    }
    if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        struct sigaction sa = {.sa_handler = on_sigint};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }

    bool any = false;
    for (size_t i = 0; i < p->nworkflows; i++)
        any |= p->workflows[i].triggered;
    if (!any) {
        /* Say why, as `runnel plan` does: a branch or path filter is the usual surprise. */
        printf("no workflow is triggered by '%s'\n", p->event.name);
        for (size_t i = 0; i < p->nworkflows; i++) {
            const struct plan_workflow *w = &p->workflows[i];
            printf("  %s: %s\n", w->relpath ? w->relpath : w->path,
                   w->reason  ? w->reason
                   : w->error ? w->error
                              : "not triggered");
        }
        goto done;
    }

    /* The run's directory, only now that something runs. In the default place, old runs are
     * pruned first (not for a dry run), and the new one appears under its name already locked:
     * it is made under a name pruning never looks at, locked, then renamed. */
    if (c.run_dir) {
        /* Absolute (steps run elsewhere), and outside the repository, which every job copies. */
        char *cwd = getcwd(NULL, 0);
        struct sbuf joined = SBUF_INIT;
        path_join(&joined, cwd ? cwd : "/", c.run_dir);
        path_normalize(&run_dir, joined.buf);
        sbuf_release(&joined);
        xfree(cwd);
        bool existed = fs_exists(run_dir.buf);
        if (fs_mkdirs(run_dir.buf, 0755, &err) < 0) {
            cli_error_err(NULL, &err);
            status = CLI_USAGE;
            goto done;
        }
        /* Compared by real paths: either may go through links. */
        bool inside = p->repo.root && fs_real_within(run_dir.buf, p->repo.root);
        if (!c.bind && inside) {
            cli_error("--run-dir '%s' is inside the repository, which each job copies: choose a "
                      "folder outside it (or use --bind)",
                      c.run_dir);
            if (!existed)
                rmdir(run_dir.buf);
            status = CLI_USAGE;
            goto done;
        }
        run_lock = lock_run(run_dir.buf);
    } else {
        struct sbuf root = SBUF_INIT, tmp = SBUF_INIT;
        default_run_dir(&run_dir);
        path_dirname(&root, run_dir.buf);
        if (!c.dry_run)
            prune_runs(root.buf);
        sbuf_addf(&tmp, "%s/.new-%s", root.buf, path_basename(run_dir.buf));
        int rc = fs_mkdirs(tmp.buf, 0755, &err);
        if (rc == 0) {
            run_lock = lock_run(tmp.buf);
            if (rename(tmp.buf, run_dir.buf) < 0)
                rc = err_errno(&err, "cannot create '%s'", run_dir.buf);
        }
        sbuf_release(&root);
        sbuf_release(&tmp);
        if (rc < 0) {
            cli_error_err(NULL, &err);
            status = CLI_USAGE;
            goto done;
        }
    }

    /* A dry run's folder is marked, so that `runnel artifacts` passes over it. */
    if (c.dry_run) {
        struct sbuf mark = SBUF_INIT;
        struct err ignored = ERR_INIT;
        sbuf_addf(&mark, "%s/.dry-run", run_dir.buf);
        fs_write_file(mark.buf, "", 0, &ignored);
        sbuf_release(&mark);
    }

    /* Steps find runnel itself on PATH: the executable's own directory. */
    char self[4096];
    ssize_t self_len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[self_len > 0 ? self_len : 0] = '\0';
    struct run_result res = RUN_RESULT_INIT;
    status = run_plan(p, &c, self, &pr, &res, run_dir.buf);
    bool failed = res.failed || res.cancelled;

    /* --chain: workflow_run events for every workflow that completed, up to GitHub's depth.
     * Each event says which event had started the completed run (workflow_run.event). */
    const char *ran_event = p->event.name;
    for (int depth = 0; c.chain && status == CLI_OK && depth < CHAIN_MAX_DEPTH; depth++) {
        struct vec done = res.workflows;
        res.workflows = VEC_INIT(struct run_workflow_result);
        bool ran = false;
        vec_foreach (struct run_workflow_result, w, &done) {
            struct plan *next = NULL;
            struct plan_opts co = po;
            co.event_name = "workflow_run";
            co.event_path = NULL;
            co.run_workflow = w->name;
            co.run_conclusion = run_conclusion_name(w->conclusion);
            co.run_event = ran_event;
            if (plan_build(&next, &co, &err) < 0) {
                cli_error_err(NULL, &err);
                status = CLI_USAGE;
                break;
            }
            bool triggered = false;
            for (size_t i = 0; i < next->nworkflows; i++)
                triggered |= next->workflows[i].triggered;
            if (triggered && !pr.json)
                printf("\n== workflow_run: '%s' completed (%s)\n", w->name,
                       run_conclusion_name(w->conclusion));
            if (triggered) {
                ran = true;
                status = run_plan(next, &c, self, &pr, &res, run_dir.buf);
                failed |= res.failed || res.cancelled;
            }
            plan_free(next);
        }
        vec_foreach (struct run_workflow_result, w, &done) {
            xfree(w->name);
            xfree(w->relpath);
        }
        vec_release(&done);
        if (!ran)
            break;
        ran_event = "workflow_run";
    }

    print_summary(&res, &pr);
    if (!pr.json) {
        printf("\nrun directory: %s\n", run_dir.buf);
        if (res.summary_path)
            printf("step summaries: %s\n", res.summary_path);
    }
    if (status == CLI_OK && failed)
        status = CLI_FAIL;
    run_result_release(&res);
done:
    plan_free(p);
    plan_flags_release(&c.flags);
    for (size_t i = 0; i < c.nmaps; i++)
        actions_mapping_release(&c.maps[i]);
    sbuf_release(&run_dir);
    if (run_lock >= 0)
        close(run_lock);
    for (int i = 0; i < 2; i++) {
        if (cancel_pipe[i] >= 0)
            close(cancel_pipe[i]);
        cancel_pipe[i] = -1;
    }
    return status;
}
