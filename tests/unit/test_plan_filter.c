/*
 * Trigger filters against GitHub's documentation: "Workflow syntax for GitHub Actions"
 * (on.<push|pull_request>.<branches|tags|paths>, negation order, types) and its "Filter pattern
 * cheat sheet". Every expected value below is the docs' example, not runnel's output.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "plan/plan.h"

static bool match(const char *const *patterns, size_t n, const char *s)
{
    return plan_filter_match(patterns, n, s);
}

#define LIST(...) ((const char *const[]){__VA_ARGS__})
#define N(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define M(s, ...) match(LIST(__VA_ARGS__), N(__VA_ARGS__), s)

/* Cheat sheet, branches and tags. */
static void filter_cheat_sheet_branches(void)
{
    CHECK(M("feature/my-branch", "feature/*"));
    CHECK(M("feature/your-branch", "feature/*"));
    CHECK(!M("feature/beta-a/my-branch", "feature/*"));
    CHECK(M("feature/beta-a/my-branch", "feature/**"));
    CHECK(M("feature/mona/the/octocat", "feature/**"));
    CHECK(M("main", "main"));
    CHECK(M("releases/mona-the-octocat", "releases/mona-the-octocat"));
    CHECK(M("main", "*"));
    CHECK(M("releases", "*"));
    CHECK(!M("releases/1", "*"));
    CHECK(M("all/the/branches", "**"));
    CHECK(M("v2.0-alpha", "*-alpha"));
    CHECK(M("v1.10.1", "v[12].[0-9]+.[0-9]+"));
    CHECK(M("v2.0.0", "v[12].[0-9]+.[0-9]+"));
    CHECK(!M("v3.0.0", "v[12].[0-9]+.[0-9]+"));
}

/* Cheat sheet, paths. */
static void filter_cheat_sheet_paths(void)
{
    CHECK(M("README.md", "*"));
    CHECK(M("server.rb", "*"));
    CHECK(M("page.js", "*.jsx?"));
    CHECK(M("page.jsx", "*.jsx?"));
    CHECK(M("all/the/files.md", "**"));
    CHECK(M("app.js", "*.js"));
    CHECK(!M("js/app.js", "*.js"));
    CHECK(M("index.js", "**.js"));
    CHECK(M("js/index.js", "**.js"));
    CHECK(M("src/js/app.js", "**.js"));
    CHECK(M("docs/README.md", "docs/*"));
    CHECK(M("docs/file.txt", "docs/*"));
    CHECK(M("docs/mona/octocat.txt", "docs/**"));
    CHECK(M("docs/README.md", "docs/**/*.md"));
    CHECK(M("docs/mona/hello-world.md", "docs/**/*.md"));
    CHECK(M("docs/a/markdown/file.md", "docs/**/*.md"));
    CHECK(M("docs/hello.md", "**/docs/**"));
    CHECK(M("dir/docs/my-file.txt", "**/docs/**"));
    CHECK(M("space/docs/plan/space.doc", "**/docs/**"));
    CHECK(M("README.md", "**/README.md"));
    CHECK(M("js/README.md", "**/README.md"));
    CHECK(M("a/src/app.js", "**/*src/**"));
    CHECK(M("my-src/code/js/app.js", "**/*src/**"));
    CHECK(M("my-post.md", "**/*-post.md"));
    CHECK(M("path/their-post.md", "**/*-post.md"));
    CHECK(M("migrate-10909.sql", "**/migrate-*.sql"));
    CHECK(M("db/migrate-v1.0.sql", "**/migrate-*.sql"));
    CHECK(M("db/sept/migrate-v1.sql", "**/migrate-*.sql"));
}

/* Cheat sheet: "*.md", "!README.md" and then "README*": order decides. */
static void filter_negation_order(void)
{
    CHECK(M("hello.md", "*.md", "!README.md"));
    CHECK(!M("README.md", "*.md", "!README.md"));
    CHECK(!M("docs/hello.md", "*.md", "!README.md"));
    CHECK(M("hello.md", "*.md", "!README.md", "README*"));
    CHECK(M("README.md", "*.md", "!README.md", "README*"));
    CHECK(M("README.doc", "*.md", "!README.md", "README*"));
    /* on.push.branches example: releases, without the alpha ones */
    CHECK(M("releases/10", "releases/**", "!releases/**-alpha"));
    CHECK(M("releases/beta/mona", "releases/**", "!releases/**-alpha"));
    CHECK(!M("releases/10-alpha", "releases/**", "!releases/**-alpha"));
    CHECK(!M("releases/beta/3-alpha", "releases/**", "!releases/**-alpha"));
    /* on.push.paths example: sub-project without its docs */
    CHECK(M("sub-project/src/a.c", "sub-project/**", "!sub-project/docs/**"));
    CHECK(!M("sub-project/docs/readme.md", "sub-project/**", "!sub-project/docs/**"));
    /* a list of only negative patterns matches nothing */
    CHECK(!M("main", "!dev"));
}

/* ---- on: with whole workflows ---- */

static struct wf *load(const char *text)
{
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    if (wf_parse(&wf, "t.yml", text, strlen(text), NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    return wf;
}

static struct plan_event push_event(const char *ref, const char *ref_name,
                                    const char *const *changed, size_t n)
{
    struct plan_event ev = {0};
    ev.name = "push";
    ev.ref = ref;
    ev.ref_name = ref_name;
    ev.head_ref = "";
    ev.base_ref = "";
    ev.changed = (const char **)changed;
    ev.nchanged = n;
    ev.changed_known = changed != NULL;
    return ev;
}

static bool triggers(const char *yml, const struct plan_event *ev)
{
    struct wf *wf = load(yml);
    if (!wf)
        return false;
    struct sbuf reason = SBUF_INIT;
    bool r = plan_on_matches(wf, ev, &reason);
    sbuf_release(&reason);
    wf_free(wf);
    return r;
}

#define JOBS "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"

static void on_shapes(void)
{
    struct plan_event ev = push_event("refs/heads/main", "main", NULL, 0);
    CHECK(triggers("on: push\n" JOBS, &ev));
    CHECK(triggers("on: [pull_request, push]\n" JOBS, &ev));
    CHECK(!triggers("on: [pull_request]\n" JOBS, &ev));
    CHECK(triggers("on:\n  push:\n" JOBS, &ev));
    CHECK(!triggers("on:\n  workflow_dispatch:\n" JOBS, &ev));
}

/* "If you define only tags/tags-ignore or only branches/branches-ignore, the workflow won't run
 * for events affecting the undefined Git ref." */
static void on_push_branches_vs_tags(void)
{
    struct plan_event br = push_event("refs/heads/main", "main", NULL, 0);
    struct plan_event tag = push_event("refs/tags/v1.2", "v1.2", NULL, 0);
    const char *only_branches = "on:\n  push:\n    branches: [main]\n" JOBS;
    const char *only_tags = "on:\n  push:\n    tags: ['v*']\n" JOBS;
    const char *both = "on:\n  push:\n    branches: [main]\n    tags: ['v*']\n" JOBS;
    CHECK(triggers(only_branches, &br));
    CHECK(!triggers(only_branches, &tag));
    CHECK(!triggers(only_tags, &br));
    CHECK(triggers(only_tags, &tag));
    CHECK(triggers(both, &br));
    CHECK(triggers(both, &tag));
    /* branches-ignore: the docs' example ignores mona/octocat and the alpha releases */
    const char *ign =
        "on:\n  push:\n    branches-ignore: ['mona/octocat', 'releases/**-alpha']\n" JOBS;
    struct plan_event b1 = push_event("refs/heads/mona/octocat", "mona/octocat", NULL, 0);
    struct plan_event b2 =
        push_event("refs/heads/releases/beta/3-alpha", "releases/beta/3-alpha", NULL, 0);
    struct plan_event b3 = push_event("refs/heads/releases/10", "releases/10", NULL, 0);
    CHECK(!triggers(ign, &b1));
    CHECK(!triggers(ign, &b2));
    CHECK(triggers(ign, &b3));
    /* tags-ignore: v1.* ignored */
    const char *tign = "on:\n  push:\n    tags-ignore: ['v1.*']\n" JOBS;
    struct plan_event t1 = push_event("refs/tags/v1.9", "v1.9", NULL, 0);
    struct plan_event t2 = push_event("refs/tags/v2.0", "v2.0", NULL, 0);
    CHECK(!triggers(tign, &t1));
    CHECK(triggers(tign, &t2));
}

/* paths: runs when at least one file matches; paths-ignore: unless all files are ignored;
 * with branches too, both must hold; tags never evaluate paths. */
static void on_push_paths(void)
{
    const char *paths = "on:\n  push:\n    paths: ['**.js']\n" JOBS;
    const char *ignore = "on:\n  push:\n    paths-ignore: ['docs/**']\n" JOBS;
    const char *both = "on:\n  push:\n    branches: ['releases/**']\n    paths: ['**.js']\n" JOBS;
    const char *const js[] = {"README.md", "src/app.js"};
    const char *const md[] = {"README.md", "docs/a.md"};
    const char *const docs[] = {"docs/a.md", "docs/deep/b.md"};
    struct plan_event e_js = push_event("refs/heads/main", "main", js, 2);
    struct plan_event e_md = push_event("refs/heads/main", "main", md, 2);
    struct plan_event e_docs = push_event("refs/heads/main", "main", docs, 2);
    CHECK(triggers(paths, &e_js));
    CHECK(!triggers(paths, &e_md));
    CHECK(triggers(ignore, &e_md)); /* README.md is not ignored */
    CHECK(!triggers(ignore, &e_docs));
    CHECK(!triggers(both, &e_js)); // branch main is not a release branch
    struct plan_event rel = push_event("refs/heads/releases/1", "releases/1", js, 2);
    CHECK(triggers(both, &rel));
    struct plan_event rel_md = push_event("refs/heads/releases/1", "releases/1", md, 2);
    CHECK(!triggers(both, &rel_md));
    /* tag pushes skip path filters */
    const char *tag_paths = "on:\n  push:\n    tags: ['v*']\n    paths: ['**.js']\n" JOBS;
    struct plan_event tag = push_event("refs/tags/v1", "v1", md, 2);
    CHECK(triggers(tag_paths, &tag));
    /* unknown changed files (no repository, more than 1,000 commits pushed): filters pass */
    struct plan_event unknown = push_event("refs/heads/main", "main", NULL, 0);
    CHECK(triggers(paths, &unknown));
    /* negation in paths, the docs' example */
    const char *neg = "on:\n  push:\n    paths: ['sub-project/**', '!sub-project/docs/**']\n" JOBS;
    const char *const sub_docs[] = {"sub-project/docs/x.md"};
    const char *const sub_src[] = {"sub-project/docs/x.md", "sub-project/main.c"};
    struct plan_event e1 = push_event("refs/heads/main", "main", sub_docs, 1);
    struct plan_event e2 = push_event("refs/heads/main", "main", sub_src, 2);
    CHECK(!triggers(neg, &e1));
    CHECK(triggers(neg, &e2));
}

/* "Diffs are limited to 300 files. If there are files changed that aren't matched in the first
 * 300 files returned by the filter, the workflow will not run." */
static void on_push_paths_first_300_files(void)
{
    static char names[301][16];
    const char *changed[302];
    for (int i = 0; i < 299; i++) {
        snprintf(names[i], sizeof(names[i]), "a/%03d", i);
        changed[i] = names[i];
    }
    changed[299] = "b/new.md"; /* the 300th file, renamed: both names are one file */
    changed[300] = "b/old.md";
    changed[301] = "z.js";
    const char *js = "on:\n  push:\n    paths: ['**.js']\n" JOBS;
    const char *old_md = "on:\n  push:\n    paths: ['b/old.md']\n" JOBS;
    const char *ignore_a = "on:\n  push:\n    paths-ignore: ['a/**', 'b/**']\n" JOBS;
    struct plan_event ev = push_event("refs/heads/main", "main", changed, 302);
    ev.nchanged_files = 301;
    ev.nchanged_filtered = 301; /* the paths of the first 300 files */
    CHECK(!triggers(js, &ev));
    CHECK(triggers(old_md, &ev));
    CHECK(!triggers(ignore_a, &ev));
    ev.nchanged_filtered = 0; /* unset: every path */
    CHECK(triggers(js, &ev));
    CHECK(triggers(ignore_a, &ev));
}

/* pull_request: branches match the base; default types opened/synchronize/reopened. */
static void on_pull_request(void)
{
    struct plan_event ev = {0};
    ev.name = "pull_request";
    ev.type = "opened";
    ev.ref = "refs/pull/1/merge";
    ev.ref_name = "1/merge";
    ev.head_ref = "feature";
    ev.base_ref = "main";
    const char *br = "on:\n  pull_request:\n    branches: [main]\n" JOBS;
    CHECK(triggers(br, &ev));
    ev.base_ref = "dev";
    CHECK(!triggers(br, &ev));
    ev.base_ref = "main";
    CHECK(triggers("on: pull_request\n" JOBS, &ev));
    ev.type = "synchronize";
    CHECK(triggers("on: pull_request\n" JOBS, &ev));
    ev.type = "reopened";
    CHECK(triggers("on: pull_request\n" JOBS, &ev));
    ev.type = "closed";
    CHECK(!triggers("on: pull_request\n" JOBS, &ev));
    CHECK(triggers("on:\n  pull_request:\n    types: [closed]\n" JOBS, &ev));
    ev.type = "labeled";
    CHECK(!triggers("on:\n  pull_request:\n    types: [opened, closed]\n" JOBS, &ev));
    CHECK(triggers("on:\n  pull_request:\n    types: [labeled]\n" JOBS, &ev));
}

/* workflow_run: workflows by name, types, branches against the triggering run's head branch. */
static void on_workflow_run(void)
{
    struct arena a = ARENA_INIT;
    struct val payload = val_new_object(&a);
    struct val run = val_new_object(&a);
    val_object_set(&a, run, "name", 4, val_string(&a, "Build", 5));
    val_object_set(&a, run, "head_branch", 11, val_string(&a, "main", 4));
    val_object_set(&a, payload, "workflow_run", 12, run);
    struct plan_event ev = {0};
    ev.name = "workflow_run";
    ev.type = "completed";
    ev.ref = "refs/heads/main";
    ev.ref_name = "main";
    ev.head_ref = "";
    ev.base_ref = "";
    ev.payload = payload;
    const char *wr = "on:\n  workflow_run:\n    workflows: [Build]\n    types: [completed]\n"
                     "    branches: [main]\n" JOBS;
    CHECK(triggers(wr, &ev));
    ev.type = "requested";
    CHECK(!triggers(wr, &ev));
    ev.type = "completed";
    CHECK(!triggers("on:\n  workflow_run:\n    workflows: [Deploy]\n" JOBS, &ev));
    CHECK(!triggers(
        "on:\n  workflow_run:\n    workflows: [Build]\n    branches-ignore: [main]\n" JOBS, &ev));
    arena_release(&a);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(filter_cheat_sheet_branches),
        TEST(filter_cheat_sheet_paths),
        TEST(filter_negation_order),
        TEST(on_shapes),
        TEST(on_push_branches_vs_tags),
        TEST(on_push_paths),
        TEST(on_push_paths_first_300_files),
        TEST(on_pull_request),
        TEST(on_workflow_run),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
