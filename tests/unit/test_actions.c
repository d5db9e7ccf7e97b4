/*
 * actions: uses: references (GitHub's rules, actions/runner's ActionManager), the resolve order
 * (mapping, --builtin, cache, built-in, download), and the built-ins against their upstream
 * behaviour: upload/download-artifact v4 (globs, least common ancestor, if-no-files-found,
 * hidden files, overwrite), cache v4 (exact key, restore-keys newest first, version rule,
 * cache-hit values, post save), setup-python/setup-node (the host's version, asked from the
 * interpreter itself), setup-cml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions/actions.h"
#include "exec/exec.h"
#include "harness.h"
#include "util/path.h"
#include "util/xalloc.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static void put(const char *dir, const char *rel, const char *text)
{
    struct sbuf p = SBUF_INIT;
    struct sbuf d = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&p, dir, rel);
    path_dirname(&d, p.buf);
    if (fs_mkdirs(d.buf, 0755, &err) < 0 || fs_write_file(p.buf, text, strlen(text), &err) < 0)
        fprintf(stderr, "put %s: %s\n", p.buf, err.msg);
    sbuf_release(&p);
    sbuf_release(&d);
}

static bool has_text(const char *dir, const char *rel, const char *text)
{
    struct sbuf p = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&p, dir, rel);
    bool ok = sbuf_read_file(&body, p.buf, 1 << 20, &err) == 0 && !strcmp(body.buf, text);
    sbuf_release(&p);
    sbuf_release(&body);
    return ok;
}

static bool exists(const char *dir, const char *rel)
{
    struct sbuf p = SBUF_INIT;
    path_join(&p, dir, rel);
    struct stat st;
    bool ok = lstat(p.buf, &st) == 0;
    sbuf_release(&p);
    return ok;
}

struct logbuf {
    struct sbuf text;
    int warnings;
};

static void log_cb(enum actions_log_level lvl, const char *line, void *payload)
{
    struct logbuf *l = payload;
    if (lvl == ACTIONS_LOG_WARNING)
        l->warnings++;
    sbuf_addf(&l->text, "%s\n", line);
}

static int capture_cb(struct sbuf *out, const char *const *argv, void *payload, struct err *err)
{
    struct proc p = PROC_INIT;
    struct proc_opts o = PROC_OPTS_INIT;
    o.argv = argv;
    o.flags = PROC_CAPTURE_STDOUT;
    int rc = proc_start(&p, &o, err);
    if (rc < 0)
        return rc;
    rc = sbuf_read_fd(out, p.out_fd, 1 << 16, err);
    struct proc_wait_opts w = PROC_WAIT_OPTS_INIT;
    w.timeout_s = 30;
    if (rc == 0)
        rc = proc_wait(&p, &w, err);
    if (rc == 0 && !(p.result.exited && p.result.code == 0))
        rc = err_set(err, ERR_FAIL, "'%s' failed", argv[0]);
    proc_release(&p);
    return rc;
}

struct fixture {
    char ws[512], run[512], cache[512], temp[512];
    struct map inputs;
    struct logbuf log;
    struct actions_builtin_call call;
    struct actions_builtin_result res;
};

static void fx_init(struct fixture *f)
{
    const char *t = harness_tmpdir();
    struct err err = ERR_INIT;
    snprintf(f->ws, sizeof(f->ws), "%s/ws", t);
    snprintf(f->run, sizeof(f->run), "%s/run", t);
    snprintf(f->cache, sizeof(f->cache), "%s/cache", t);
    snprintf(f->temp, sizeof(f->temp), "%s/temp", t);
    fs_mkdirs(f->ws, 0755, &err);
    fs_mkdirs(f->run, 0755, &err);
    fs_mkdirs(f->temp, 0755, &err);
    f->inputs = MAP_INIT_CI;
    f->log = (struct logbuf){.text = SBUF_INIT};
    f->res = ACTIONS_BUILTIN_RESULT_INIT;
    f->call = (struct actions_builtin_call){.inputs = &f->inputs,
                                            .workspace = f->ws,
                                            .temp_dir = f->temp,
                                            .run_dir = f->run,
                                            .job_id = "build",
                                            .cache_dir = f->cache,
                                            .capture = capture_cb,
                                            .log = log_cb,
                                            .payload = &f->log};
}

/* Sets the inputs from "name=value" pairs (value may hold newlines), then runs uses. */
static int fx_run(struct fixture *f, const char *uses, const char *const *kv)
{
    map_release(&f->inputs, xfree);
    f->inputs = MAP_INIT_CI;
    for (; kv && *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        char *k = xstrndup(*kv, (size_t)(eq - *kv));
        xfree(map_set(&f->inputs, k, xstrdup(eq + 1)));
        xfree(k);
    }
    sbuf_reset(&f->log.text);
    f->log.warnings = 0;
    f->call.uses = uses;
    struct err err = ERR_INIT;
    int rc = actions_builtin_run(&f->call, &f->res, &err);
    if (rc < 0)
        fprintf(stderr, "builtin %s: %s\n", uses, err.msg);
    return rc;
}

static const char *fx_out(struct fixture *f, const char *name)
{
    return map_find(&f->res.outputs, name);
}

static void fx_release(struct fixture *f)
{
    map_release(&f->inputs, xfree);
    sbuf_release(&f->log.text);
    actions_builtin_result_release(&f->res);
}

/* ---- references --------------------------------------------------------------------------- */

static void ref_parses_githubs_forms(void)
{
    struct actions_ref r;
    struct err err = ERR_INIT;
    CHECK_INT(actions_ref_parse(&r, "actions/checkout@v4", &err), 0);
    CHECK_INT(r.kind, ACTIONS_REF_REMOTE);
    CHECK_STR(r.owner, "actions");
    CHECK_STR(r.repo, "checkout");
    CHECK(r.path == NULL);
    CHECK_STR(r.ref, "v4");
    actions_ref_release(&r);

    CHECK_INT(actions_ref_parse(&r, "github/codeql-action/init/sub@release/v3", &err), 0);
    CHECK_STR(r.path, "init/sub");
    CHECK_STR(r.ref, "release/v3");
    struct sbuf s = SBUF_INIT;
    actions_ref_format(&s, &r);
    CHECK_STR(s.buf, "github/codeql-action/init/sub@release/v3");
    sbuf_release(&s);
    actions_ref_release(&r);

    CHECK_INT(actions_ref_parse(&r, "./.github/actions/build", &err), 0);
    CHECK_INT(r.kind, ACTIONS_REF_LOCAL);
    CHECK_STR(r.local, "./.github/actions/build");
    actions_ref_release(&r);

    CHECK_INT(actions_ref_parse(&r, "docker://alpine:3.19", &err), 0);
    CHECK_INT(r.kind, ACTIONS_REF_DOCKER);
    CHECK_STR(r.local, "alpine:3.19");
    actions_ref_release(&r);
}

/* --action-path DIR relative to where runnel was started: kept absolute (steps run elsewhere). */
static void mapping_makes_a_relative_dir_absolute(void)
{
    struct err err = ERR_INIT;
    struct actions_mapping m;
    char *cwd = getcwd(NULL, 0);
    CHECK_INT(actions_mapping_parse(&m, "octo/x@v1=../sib/./x", &err), 0);
    struct sbuf want = SBUF_INIT, joined = SBUF_INIT;
    path_join(&joined, cwd, "../sib/x");
    path_normalize(&want, joined.buf);
    CHECK_STR(m.dir, want.buf);
    actions_mapping_release(&m);
    CHECK_INT(actions_mapping_parse(&m, "octo/x@v1=/abs/dir", &err), 0);
    CHECK_STR(m.dir, "/abs/dir");
    actions_mapping_release(&m);
    sbuf_release(&want);
    sbuf_release(&joined);
    xfree(cwd);
}

static void ref_rejects_malformed_with_one_line(void)
{
    static const char *const bad[] = {
        "actions/checkout", "checkout@v4", "actions/checkout@", "a/b@v1@v2", "",
        "a/b @v1",          "a/../b@v1",   "docker://",         "@v1",       "a/b@../../x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct actions_ref r;
        struct err err = ERR_INIT;
        CHECK_INT(actions_ref_parse(&r, bad[i], &err), ERR_INVALID);
        CHECK(err.msg[0] && !strchr(err.msg, '\n'));
    }
    struct actions_ref r;
    struct err err = ERR_INIT;
    actions_ref_parse(&r, "checkout@v4", &err);
    /* actions/runner: "Expected format {owner}/{repo}[/path]@ref. Actual '...'" */
    CHECK_STR(err.msg, "expected format {owner}/{repo}[/path]@ref. Actual 'checkout@v4'");
}

static void resolve_prefers_cache_then_builtin(void)
{
    char cache[512];
    snprintf(cache, sizeof(cache), "%s/actions", harness_tmpdir());
    struct actions_resolve_opts o = {.fetch = {.cache_dir = cache, .offline = true}};
    struct actions_resolved res = ACTIONS_RESOLVED_INIT;
    struct actions_ref r;
    struct err err = ERR_INIT;

    CHECK_INT(actions_ref_parse(&r, "Actions/Cache@v4", &err), 0);
    CHECK_INT(actions_resolve(&res, &r, &o, &err), 0);
    CHECK_INT(res.source, ACTIONS_SOURCE_BUILTIN); /* not cached: the built-in */

    char dir[600];
    snprintf(dir, sizeof(dir), "%s/actions/cache/v4", cache);
    CHECK_INT(fs_mkdirs(dir, 0755, &err), 0);
    CHECK_INT(actions_resolve(&res, &r, &o, &err), 0);
    CHECK_INT(res.source, ACTIONS_SOURCE_CACHE); /* cached: the real action */
    CHECK_STR(res.fetched.dir.buf, dir);

    o.prefer_builtin = true; /* --builtin */
    CHECK_INT(actions_resolve(&res, &r, &o, &err), 0);
    CHECK_INT(res.source, ACTIONS_SOURCE_BUILTIN);
    actions_ref_release(&r);

    /* no built-in and not cached, offline: an error naming the action */
    CHECK_INT(actions_ref_parse(&r, "octo/tool@v1", &err), 0);
    CHECK_INT(actions_resolve(&res, &r, &o, &err), ERR_NOTFOUND);
    CHECK(strstr(err.msg, "'octo/tool@v1'") != NULL);
    actions_ref_release(&r);
    actions_resolved_release(&res);
    CHECK(actions_builtin_has("actions/upload-artifact@v4"));
    CHECK(actions_builtin_has("actions/cache/restore@v4"));
    CHECK(actions_builtin_has("iterative/setup-cml@v2"));
    CHECK(!actions_builtin_has("actions/checkout@v4"));
    CHECK(!actions_builtin_has("actions/cache-extra@v4"));
}

/* ---- artifacts ------------------------------------------------------------------------------ */

static void artifacts_round_trip_with_globs(void)
{
    struct fixture f;
    fx_init(&f);
    put(f.ws, "dist/a.txt", "A");
    put(f.ws, "dist/sub/b.txt", "B");
    put(f.ws, "dist/c.log", "C");
    put(f.ws, "dist/.hidden.txt", "H");

    /* one glob: files keep their path below the pattern's search root (dist) */
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"name=texts", "path=dist/**/*.txt", NULL}),
              0);
    CHECK(f.res.ok);
    char store[600];
    snprintf(store, sizeof(store), "%s/artifacts/texts", f.run);
    CHECK(has_text(store, "a.txt", "A"));
    CHECK(has_text(store, "sub/b.txt", "B"));
    CHECK(!exists(store, "c.log"));
    CHECK(!exists(store, ".hidden.txt")); /* include-hidden-files defaults to false */
    CHECK(fx_out(&f, "artifact-id") != NULL);

    /* several lines and an exclusion: the least common ancestor is the workspace's dist */
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"name=most", "path=dist\n!dist/sub\n", NULL}),
              0);
    CHECK(f.res.ok);
    snprintf(store, sizeof(store), "%s/artifacts/most", f.run);
    CHECK(has_text(store, "a.txt", "A"));
    CHECK(has_text(store, "c.log", "C"));
    CHECK(!exists(store, "sub"));

    /* two literal files in different directories: stored below their common ancestor */
    put(f.ws, "reports/r.md", "R");
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"name=two", "path=dist/a.txt\nreports/r.md", NULL}),
              0);
    snprintf(store, sizeof(store), "%s/artifacts/two", f.run);
    CHECK(has_text(store, "dist/a.txt", "A"));
    CHECK(has_text(store, "reports/r.md", "R"));

    /* a second upload of a name fails (v4), overwrite: true replaces it */
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"name=two", "path=dist/c.log", NULL}),
              0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "already exists") != NULL);
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"name=two", "path=dist/c.log", "overwrite=true", NULL}),
              0);
    CHECK(f.res.ok);
    snprintf(store, sizeof(store), "%s/artifacts/two", f.run);
    CHECK(has_text(store, "c.log", "C"));
    CHECK(!exists(store, "dist"));

    /* download by name into a path */
    CHECK_INT(fx_run(&f, "actions/download-artifact@v4",
                     (const char *[]){"name=texts", "path=got", NULL}),
              0);
    CHECK(f.res.ok);
    char got[600];
    snprintf(got, sizeof(got), "%s/got", f.ws);
    CHECK_STR(fx_out(&f, "download-path"), got);
    CHECK(has_text(got, "sub/b.txt", "B"));

    /* download everything: one directory per artifact; a pattern selects */
    CHECK_INT(fx_run(&f, "actions/download-artifact@v4", (const char *[]){"path=all", NULL}), 0);
    snprintf(got, sizeof(got), "%s/all", f.ws);
    CHECK(has_text(got, "texts/a.txt", "A"));
    CHECK(has_text(got, "most/c.log", "C"));
    CHECK_INT(fx_run(&f, "actions/download-artifact@v4",
                     (const char *[]){"path=some", "pattern=t*", "merge-multiple=true", NULL}),
              0);
    snprintf(got, sizeof(got), "%s/some", f.ws);
    CHECK(has_text(got, "a.txt", "A")); /* from texts */
    CHECK(has_text(got, "c.log", "C")); /* from two */
    CHECK(!exists(got, "most"));

    /* a missing name fails the step */
    CHECK_INT(fx_run(&f, "actions/download-artifact@v4", (const char *[]){"name=nope", NULL}), 0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "nope") != NULL);

    /* the store as `runnel artifacts` sees it */
    struct vec list = VEC_INIT(struct actions_artifact_info);
    struct err err = ERR_INIT;
    CHECK_INT(actions_artifacts_list(&list, f.run, &err), 0);
    CHECK_INT(list.len, 3);
    const struct actions_artifact_info *i0 = vec_at(&list, 0);
    CHECK_STR(i0->name, "most");
    CHECK_INT(i0->files, 2);
    CHECK_INT(i0->bytes, 2);
    actions_artifacts_list_release(&list);
    snprintf(got, sizeof(got), "%s/extracted", harness_tmpdir());
    CHECK_INT(actions_artifact_extract(f.run, "texts", got, NULL, &err), 0);
    CHECK(has_text(got, "sub/b.txt", "B"));
    CHECK_INT(actions_artifact_extract(f.run, "missing", got, NULL, &err), ERR_NOTFOUND);
    fx_release(&f);
}

static void artifacts_if_no_files_found(void)
{
    struct fixture f;
    fx_init(&f);
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4", (const char *[]){"path=none/*", NULL}), 0);
    CHECK(f.res.ok); /* warn is the default */
    CHECK_INT(f.log.warnings, 1);
    CHECK(strstr(f.log.text.buf, "No files were found with the provided path: none/*") != NULL);

    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"path=none/*", "if-no-files-found=error", NULL}),
              0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "no files were found") != NULL);

    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"path=none/*", "if-no-files-found=ignore", NULL}),
              0);
    CHECK(f.res.ok);
    CHECK_INT(f.log.warnings, 0);

    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4",
                     (const char *[]){"path=x", "if-no-files-found=bogus", NULL}),
              0);
    CHECK(!f.res.ok);
    CHECK_INT(
        fx_run(&f, "actions/upload-artifact@v4", (const char *[]){"path=x", "name=a/b", NULL}), 0);
    CHECK(!f.res.ok);
    CHECK(!exists(f.run, "artifacts/artifact"));
    fx_release(&f);
}

/* ---- cache ---------------------------------------------------------------------------------- */

static void cache_save_restore_with_restore_keys(void)
{
    struct fixture f;
    fx_init(&f);
    struct err err = ERR_INIT;
    const char *paths[] = {"deps", "tool.bin"};
    put(f.ws, "deps/lib/one.txt", "v1");
    put(f.ws, "tool.bin", "#!/bin/sh\n");
    char tool[600];
    snprintf(tool, sizeof(tool), "%s/tool.bin", f.ws);
    CHECK_INT(chmod(tool, 0755), 0);
    char link[600];
    snprintf(link, sizeof(link), "%s/deps/link", f.ws);
    CHECK_INT(symlink("lib/one.txt", link), 0);

    struct actions_cache_opts o = {.cache_dir = f.cache,
                                   .workspace = f.ws,
                                   .paths = paths,
                                   .npaths = 2,
                                   .key = "deps-linux-1"};
    CHECK_INT(actions_cache_save(&o, &err), 0);
    /* entries are immutable: a second save of the key is refused */
    CHECK_INT(actions_cache_save(&o, &err), ERR_FAIL);
    /* mtimes have nanoseconds: saves made in order are ordered */
    put(f.ws, "deps/lib/one.txt", "v2");
    o.key = "deps-linux-2";
    CHECK_INT(actions_cache_save(&o, &err), 0);
    put(f.ws, "deps/lib/one.txt", "other");
    o.key = "deps-mac-1";
    CHECK_INT(actions_cache_save(&o, &err), 0);

    /* restore-keys: the newest entry whose key starts with the prefix */
    struct err e2 = ERR_INIT;
    CHECK_INT(fs_remove_tree(f.ws, &e2), 0);
    CHECK_INT(fs_mkdirs(f.ws, 0755, &e2), 0);
    CHECK_INT(fx_run(&f, "actions/cache@v4",
                     (const char *[]){"path=deps\ntool.bin", "key=deps-linux-3",
                                      "restore-keys=deps-linux-\ndeps-", NULL}),
              0);
    CHECK(f.res.ok);
    CHECK_STR(fx_out(&f, "cache-hit"), "false");
    CHECK(has_text(f.ws, "deps/lib/one.txt", "v2"));
    struct stat st;
    CHECK_INT(stat(tool, &st), 0);
    CHECK(st.st_mode & 0100);
    char target[64] = "";
    CHECK(readlink(link, target, sizeof(target) - 1) > 0);
    CHECK_STR(target, "lib/one.txt");
    CHECK(f.res.post != NULL); /* a miss on the primary key: the post step saves it */

    /* the post step saves deps-linux-3; afterwards it is an exact hit */
    CHECK_INT(actions_builtin_post(f.res.post, &f.call, &err), 0);
    CHECK(strstr(f.log.text.buf, "Cache saved with key: deps-linux-3") != NULL);
    CHECK_INT(fx_run(&f, "actions/cache@v4",
                     (const char *[]){"path=deps\ntool.bin", "key=deps-linux-3", NULL}),
              0);
    CHECK_STR(fx_out(&f, "cache-hit"), "true");
    sbuf_reset(&f.log.text);
    CHECK_INT(actions_builtin_post(f.res.post, &f.call, &err), 0);
    CHECK(strstr(f.log.text.buf, "Cache hit occurred on the primary key deps-linux-3, not saving "
                                 "cache.") != NULL);

    /* an exact key wins over newer prefix matches */
    CHECK_INT(fx_run(&f, "actions/cache/restore@v4",
                     (const char *[]){"path=deps\ntool.bin", "key=deps-linux-1",
                                      "restore-keys=deps-", NULL}),
              0);
    CHECK_STR(fx_out(&f, "cache-hit"), "true");
    CHECK_STR(fx_out(&f, "cache-matched-key"), "deps-linux-1");
    CHECK_STR(fx_out(&f, "cache-primary-key"), "deps-linux-1");
    CHECK(has_text(f.ws, "deps/lib/one.txt", "v1"));
    CHECK(f.res.post == NULL);

    /* a different path list is a different version: no match (GitHub's rule) */
    CHECK_INT(fx_run(&f, "actions/cache/restore@v4",
                     (const char *[]){"path=deps", "key=deps-linux-1", NULL}),
              0);
    CHECK(f.res.ok);
    CHECK(fx_out(&f, "cache-hit") == NULL); /* unset on a miss, as cache@v4 */
    CHECK(strstr(f.log.text.buf, "Cache not found for input keys: deps-linux-1") != NULL);

    /* fail-on-cache-miss; lookup-only extracts nothing */
    CHECK_INT(fx_run(&f, "actions/cache/restore@v4",
                     (const char *[]){"path=deps", "key=none", "fail-on-cache-miss=true", NULL}),
              0);
    CHECK(!f.res.ok);
    put(f.ws, "deps/lib/one.txt", "local");
    CHECK_INT(
        fx_run(&f, "actions/cache/restore@v4",
               (const char *[]){"path=deps\ntool.bin", "key=deps-mac-1", "lookup-only=true", NULL}),
        0);
    CHECK_STR(fx_out(&f, "cache-hit"), "true");
    CHECK(has_text(f.ws, "deps/lib/one.txt", "local"));

    /* cache/save saves at once; saving an existing key only warns */
    CHECK_INT(
        fx_run(&f, "actions/cache/save@v4", (const char *[]){"path=deps", "key=saved-now", NULL}),
        0);
    CHECK(f.res.ok);
    CHECK_INT(f.log.warnings, 0);
    CHECK_INT(
        fx_run(&f, "actions/cache/save@v4", (const char *[]){"path=deps", "key=saved-now", NULL}),
        0);
    CHECK(f.res.ok);
    CHECK_INT(f.log.warnings, 1);
    CHECK_INT(fx_run(&f, "actions/cache@v4", (const char *[]){"path=deps", NULL}), 0);
    CHECK(!f.res.ok); /* key is required */
    fx_release(&f);
}

/*
 * The built-ins run outside the sandbox. In one (call.home set), cache save and restore and
 * upload-artifact keep to the workspace, the steps' home and RUNNER_TEMP: a path elsewhere, given
 * absolute or climbing out with '..', is refused with a message naming it (a warning for the cache,
 * whose failures never fail the step on GitHub; the upload fails). With --sandbox none (home NULL)
 * such paths work as on GitHub, where actions/cache may cache absolute paths.
 */
static void builtins_keep_to_the_job_folders_in_a_sandbox(void)
{
    struct fixture f;
    fx_init(&f);
    char home[600], outside[600], in_temp[700], up[700];
    snprintf(home, sizeof(home), "%s/home", harness_tmpdir());
    snprintf(outside, sizeof(outside), "%s/outside", harness_tmpdir());
    snprintf(in_temp, sizeof(in_temp), "path=%s/tcache", f.temp);
    snprintf(up, sizeof(up), "path=%s/secret", outside);
    struct err err = ERR_INIT;
    CHECK_INT(fs_mkdirs(home, 0700, &err), 0);
    put(outside, "secret", "host-file");
    char path_in[700];
    snprintf(path_in, sizeof(path_in), "path=%s", outside);

    /* unsandboxed: saved, as actions/cache does on GitHub */
    CHECK_INT(fx_run(&f, "actions/cache/save@v4", (const char *[]){path_in, "key=abs-1", NULL}), 0);
    CHECK(f.res.ok);
    CHECK_INT(f.log.warnings, 0);

    f.call.home = home;
    /* sandboxed: a save of it only warns, naming the path, and stores nothing */
    CHECK_INT(fx_run(&f, "actions/cache/save@v4", (const char *[]){path_in, "key=abs-2", NULL}), 0);
    CHECK(f.res.ok);
    CHECK_INT(f.log.warnings, 1);
    CHECK(strstr(f.log.text.buf, "is outside the job's workspace, home and RUNNER_TEMP") != NULL);
    CHECK(strstr(f.log.text.buf, outside) != NULL);
    /* ... and a restore of the entry saved above writes nothing there: a miss with a warning */
    put(outside, "secret", "changed");
    CHECK_INT(fx_run(&f, "actions/cache/restore@v4", (const char *[]){path_in, "key=abs-1", NULL}),
              0);
    CHECK(f.res.ok);
    CHECK(fx_out(&f, "cache-hit") == NULL);
    CHECK_INT(f.log.warnings, 1);
    CHECK(strstr(f.log.text.buf, "Failed to restore: path '") != NULL);
    CHECK(has_text(outside, "secret", "changed"));
    /* '..' is resolved before the check */
    CHECK_INT(
        fx_run(&f, "actions/cache/save@v4", (const char *[]){"path=../outside", "key=abs-3", NULL}),
        0);
    CHECK_INT(f.log.warnings, 1);
    CHECK(strstr(f.log.text.buf, "path '../outside' ('") != NULL);
    /* upload-artifact of a host file fails the step */
    CHECK_INT(fx_run(&f, "actions/upload-artifact@v4", (const char *[]){up, "name=a", NULL}), 0);
    CHECK(!f.res.ok);
    CHECK(f.res.failure && strstr(f.res.failure, "is outside the job's workspace") != NULL);
    CHECK(!exists(f.run, "artifacts/a"));
    /* the job's own folders are fine: RUNNER_TEMP, the home, the workspace */
    put(f.temp, "tcache/x", "t");
    put(home, ".npm/y", "h");
    CHECK_INT(fx_run(&f, "actions/cache/save@v4", (const char *[]){in_temp, "key=in-1", NULL}), 0);
    CHECK_INT(f.log.warnings, 0);
    CHECK_INT(
        fx_run(&f, "actions/cache/save@v4", (const char *[]){"path=~/.npm", "key=in-2", NULL}), 0);
    CHECK_INT(f.log.warnings, 0);

    /* unsandboxed again: the restore writes the absolute path back */
    f.call.home = NULL;
    CHECK_INT(fx_run(&f, "actions/cache/restore@v4", (const char *[]){path_in, "key=abs-1", NULL}),
              0);
    CHECK_STR(fx_out(&f, "cache-hit"), "true");
    CHECK(has_text(outside, "secret", "host-file"));
    fx_release(&f);
}

/* ---- setup-python / setup-node / setup-cml -------------------------------------------------- */

static void version_matching(void)
{
    bool bad;
    CHECK(actions_version_satisfies("3.11.4", "3.11", &bad));
    CHECK(actions_version_satisfies("3.11.4", "3.x", &bad));
    CHECK(actions_version_satisfies("3.11.4", "3", &bad));
    CHECK(actions_version_satisfies("3.11.4", "3.11.4", &bad));
    CHECK(!actions_version_satisfies("3.11.4", "3.1", &bad));
    CHECK(!actions_version_satisfies("3.11.4", "3.11.5", &bad));
    CHECK(actions_version_satisfies("3.11.4", ">=3.9", &bad));
    CHECK(actions_version_satisfies("3.11.4", ">=3.9 <3.12", &bad));
    CHECK(!actions_version_satisfies("3.11.4", ">=3.9 <3.11", &bad));
    CHECK(actions_version_satisfies("3.11.4", "3.12 || 3.11", &bad));
    CHECK(actions_version_satisfies("20.11.1", "^20.1", &bad));
    CHECK(!actions_version_satisfies("20.11.1", "~20.1", &bad));
    CHECK(actions_version_satisfies("20.11.1", "v20.x", &bad));
    CHECK(!actions_version_satisfies("3.11.4", "pypy3.10", &bad));
    CHECK(bad);
}

static int capture_text(struct sbuf *out, const char *const *argv)
{
    struct err err = ERR_INIT;
    return capture_cb(out, argv, NULL, &err);
}

static void setup_python_uses_the_host(void)
{
    struct fixture f;
    fx_init(&f);
    f.call.path_env = "/usr/bin";
    /* the reference: the interpreter's own idea of its version */
    struct sbuf want = SBUF_INIT;
    const char *argv[] = {"/usr/bin/python3", "-c",
                          "import platform; print(platform.python_version())", NULL};
    CHECK_INT(capture_text(&want, argv), 0);
    sbuf_rtrim(&want);
    struct sbuf mm = SBUF_INIT; /* major.minor */
    const char *dot2 = strchr(strchr(want.buf, '.') + 1, '.');
    sbuf_add(&mm, want.buf, dot2 ? (size_t)(dot2 - want.buf) : want.len);

    char spec[80];
    snprintf(spec, sizeof(spec), "python-version=%s", mm.buf);
    CHECK_INT(fx_run(&f, "actions/setup-python@v5", (const char *[]){spec, NULL}), 0);
    CHECK(f.res.ok);
    CHECK_STR(fx_out(&f, "python-version"), want.buf);
    CHECK_STR(fx_out(&f, "python-path"), "/usr/bin/python3");
    CHECK_INT(f.res.path_add.len, 1);
    CHECK_STR(*(char **)vec_at(&f.res.path_add, 0), "/usr/bin");
    CHECK_STR(map_find(&f.res.env_add, "pythonLocation"), "/usr");

    CHECK_INT(fx_run(&f, "actions/setup-python@v5", (const char *[]){"python-version=3.x", NULL}),
              0);
    CHECK(f.res.ok);

    /* an impossible version fails the step with the reason */
    CHECK_INT(fx_run(&f, "actions/setup-python@v5", (const char *[]){"python-version=2.7", NULL}),
              0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "does not satisfy python-version '2.7'") != NULL);
    CHECK(strstr(f.res.failure, want.buf) != NULL);
    CHECK_INT(f.res.path_add.len, 0);

    CHECK_INT(
        fx_run(&f, "actions/setup-python@v5", (const char *[]){"python-version=pypy3.10", NULL}),
        0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "not supported") != NULL);

    /* python-version-file */
    put(f.ws, ".python-version", mm.buf);
    CHECK_INT(fx_run(&f, "actions/setup-python@v5",
                     (const char *[]){"python-version-file=.python-version", NULL}),
              0);
    CHECK(f.res.ok);

    /* nothing on PATH */
    f.call.path_env = "/nonexistent";
    CHECK_INT(fx_run(&f, "actions/setup-python@v5", (const char *[]){"python-version=3", NULL}), 0);
    CHECK(!f.res.ok);
    CHECK(strstr(f.res.failure, "no python3 found on PATH") != NULL);
    sbuf_release(&want);
    sbuf_release(&mm);
    fx_release(&f);
}

static void setup_node_uses_the_host(void)
{
    struct fixture f;
    fx_init(&f);
    struct sbuf node = SBUF_INIT;
    const char *path = getenv("PATH");
    /* find node the way a shell would; skip when the host has none */
    for (const char *p = path ? path : ""; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        sbuf_reset(&node);
        sbuf_add(&node, p, n);
        sbuf_addstr(&node, "/node");
        if (access(node.buf, X_OK) == 0)
            break;
        sbuf_reset(&node);
        p += n + (e ? 1 : 0);
    }
    if (!node.len) {
        printf("skip: no node on PATH\n");
        sbuf_release(&node);
        fx_release(&f);
        return;
    }
    struct sbuf want = SBUF_INIT;
    const char *argv[] = {node.buf, "-p", "process.versions.node", NULL};
    CHECK_INT(capture_text(&want, argv), 0);
    sbuf_rtrim(&want);
    char spec[80];
    snprintf(spec, sizeof(spec), "node-version=%.*s", (int)strcspn(want.buf, "."), want.buf);
    CHECK_INT(fx_run(&f, "actions/setup-node@v4", (const char *[]){spec, NULL}), 0);
    CHECK(f.res.ok);
    CHECK_STR(fx_out(&f, "node-version"), want.buf);
    CHECK_INT(fx_run(&f, "actions/setup-node@v4", (const char *[]){"node-version=4", NULL}), 0);
    CHECK(!f.res.ok);
    sbuf_release(&want);
    sbuf_release(&node);
    fx_release(&f);
}

static void setup_cml_links_runnel(void)
{
    struct fixture f;
    fx_init(&f);
    f.call.runnel_path = "/opt/runnel/bin/runnel";
    CHECK_INT(fx_run(&f, "iterative/setup-cml@v2", NULL), 0);
    CHECK(f.res.ok);
    CHECK_INT(f.res.path_add.len, 1);
    char link[700];
    snprintf(link, sizeof(link), "%s/cml", *(char **)vec_at(&f.res.path_add, 0));
    char target[256] = "";
    CHECK(readlink(link, target, sizeof(target) - 1) > 0);
    CHECK_STR(target, "/opt/runnel/bin/runnel");
    /* a second run replaces the link */
    CHECK_INT(fx_run(&f, "iterative/setup-cml@v2", NULL), 0);
    CHECK(f.res.ok);
    fx_release(&f);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(ref_parses_githubs_forms),
        TEST(ref_rejects_malformed_with_one_line),
        TEST(mapping_makes_a_relative_dir_absolute),
        TEST(resolve_prefers_cache_then_builtin),
        TEST(artifacts_round_trip_with_globs),
        TEST(artifacts_if_no_files_found),
        TEST(cache_save_restore_with_restore_keys),
        TEST(builtins_keep_to_the_job_folders_in_a_sandbox),
        TEST(version_matching),
        TEST(setup_python_uses_the_host),
        TEST(setup_node_uses_the_host),
        TEST(setup_cml_links_runnel),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
