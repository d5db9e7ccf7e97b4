/*
 * plan/: trigger filters and matrix expansion. The expected values are the examples of GitHub's
 * documentation (docs.github.com: "Workflow syntax for GitHub Actions", its "Filter pattern cheat
 * sheet", and "Running variations of jobs in a workflow"), quoted in each test.
 */
#include <string.h>

#include "harness.h"
#include "plan/plan.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

static struct wf *load(const char *yaml)
{
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    if (wf_parse(&wf, "test.yml", yaml, strlen(yaml), NULL, &err) < 0) {
        harness_fail(__FILE__, __LINE__, "workflow did not load: %s", err.msg);
        return NULL;
    }
    return wf;
}

/* An event by hand: name, ref, changed files (NULL-terminated), action. */
static void event_init(struct plan_event *ev, const char *name, const char *ref,
                       const char *const *files, const char *action)
{
    memset(ev, 0, sizeof(*ev));
    ev->name = (char *)name;
    ev->ref = (char *)ref;
    ev->action = (char *)action;
    ev->changed = VEC_INIT(char *);
    if (files) {
        ev->changed_known = true;
        for (size_t i = 0; files[i]; i++)
            vec_append(&ev->changed, &files[i]);
    }
}

static bool triggers(const char *yaml, const char *event, const char *ref, const char *const *files,
                     const char *action)
{
    struct wf *wf = load(yaml);
    if (!wf)
        return false;
    struct plan_event ev;
    event_init(&ev, event, ref, files, action);
    if (strcmp(event, "pull_request") == 0)
        ev.base_ref = (char *)ref;
    struct sbuf why = SBUF_INIT;
    bool r = plan_filter_triggers(wf, &ev, &why);
    sbuf_release(&why);
    vec_release(&ev.changed);
    wf_free(wf);
    return r;
}

static bool ref_passes(const char *pattern, const char *name)
{
    const char *items[1] = {pattern};
    struct wf_strlist l = {.items = items, .n = 1, .present = true};
    return plan_filter_ref(&l, NULL, name);
}

/* ---- filter patterns: the cheat sheet's table ---- */

static void filter_cheat_sheet_single_star(void)
{
    // feature/*: "matches feature/my-branch and feature/your-branch"
    CHECK(ref_passes("feature/*", "feature/my-branch"));
    CHECK(ref_passes("feature/*", "feature/your-branch"));
    CHECK(!ref_passes("feature/*", "feature/beta-a/my-branch"));
    // '*': "matches all branch and tag names that don't contain a slash": main, releases
    CHECK(ref_passes("*", "main"));
    CHECK(ref_passes("*", "releases"));
    CHECK(!ref_passes("*", "releases/10"));
}

static void filter_cheat_sheet_double_star(void)
{
    // feature/**: feature/beta-a/my-branch, feature/your-branch, feature/mona/the/octocat
    CHECK(ref_passes("feature/**", "feature/beta-a/my-branch"));
    CHECK(ref_passes("feature/**", "feature/your-branch"));
    CHECK(ref_passes("feature/**", "feature/mona/the/octocat"));
    // '**': "matches all branch and tag names": all/the/branches, every/tag
    CHECK(ref_passes("**", "all/the/branches"));
    CHECK(ref_passes("**", "every/tag"));
    // *feature: mona-feature, feature, ver-10-feature
    CHECK(ref_passes("*feature", "mona-feature"));
    CHECK(ref_passes("*feature", "feature"));
    CHECK(ref_passes("*feature", "ver-10-feature"));
}

static void filter_cheat_sheet_tags(void)
{
    // v2*: v2, v2.0, v2.9
    CHECK(ref_passes("v2*", "v2"));
    CHECK(ref_passes("v2*", "v2.0"));
    CHECK(ref_passes("v2*", "v2.9"));
    CHECK(!ref_passes("v2*", "v1.0"));
    // v[12].[0-9]+.[0-9]+: "all semantic versioning release tags with major version 1 or 2":
    // v1.10.1, v2.0.0
    CHECK(ref_passes("v[12].[0-9]+.[0-9]+", "v1.10.1"));
    CHECK(ref_passes("v[12].[0-9]+.[0-9]+", "v2.0.0"));
    CHECK(!ref_passes("v[12].[0-9]+.[0-9]+", "v3.0.0"));
}

/* ---- branches, tags, negation order ---- */

static const char wf_branches[] = "on:\n"
                                  "  push:\n"
                                  "    branches:\n"
                                  "      - main\n"
                                  "      - 'mona/octocat'\n"
                                  "      - 'releases/**'\n"
                                  "jobs:\n"
                                  "  a:\n"
                                  "    runs-on: ubuntu-latest\n"
                                  "    steps:\n"
                                  "      - run: echo\n";

static void filter_branches_list(void)
{
    // docs: runs for main, mona/octocat, and branches whose name starts with releases/
    CHECK(triggers(wf_branches, "push", "refs/heads/main", NULL, NULL));
    CHECK(triggers(wf_branches, "push", "refs/heads/mona/octocat", NULL, NULL));
    CHECK(triggers(wf_branches, "push", "refs/heads/releases/10", NULL, NULL));
    CHECK(!triggers(wf_branches, "push", "refs/heads/feature", NULL, NULL));
    // "If you define only branches ... the workflow won't run for events affecting tags"
    CHECK(!triggers(wf_branches, "push", "refs/tags/v1", NULL, NULL));
}

static void filter_negation_order(void)
{
    // docs: branches: ['releases/**', '!releases/**-alpha'] runs for releases/10,
    // releases/beta/mona but not releases/10-alpha or releases/beta/3-alpha
    static const char wf[] = "on:\n"
                             "  push:\n"
                             "    branches:\n"
                             "      - 'releases/**'\n"
                             "      - '!releases/**-alpha'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    CHECK(triggers(wf, "push", "refs/heads/releases/10", NULL, NULL));
    CHECK(triggers(wf, "push", "refs/heads/releases/beta/mona", NULL, NULL));
    CHECK(!triggers(wf, "push", "refs/heads/releases/10-alpha", NULL, NULL));
    CHECK(!triggers(wf, "push", "refs/heads/releases/beta/3-alpha", NULL, NULL));
    // "a matching positive pattern after a negative match will include the Git ref again"
    static const char again[] = "on:\n"
                                "  push:\n"
                                "    branches:\n"
                                "      - 'releases/**'\n"
                                "      - '!releases/**-alpha'\n"
                                "      - 'releases/special-alpha'\n"
                                "jobs:\n"
                                "  a:\n"
                                "    runs-on: ubuntu-latest\n"
                                "    steps:\n"
                                "      - run: echo\n";
    CHECK(triggers(again, "push", "refs/heads/releases/special-alpha", NULL, NULL));
    CHECK(!triggers(again, "push", "refs/heads/releases/other-alpha", NULL, NULL));
}

static void filter_branches_ignore(void)
{
    // docs: branches-ignore: ['mona/octocat', 'releases/**-alpha']
    static const char wf[] = "on:\n"
                             "  push:\n"
                             "    branches-ignore:\n"
                             "      - 'mona/octocat'\n"
                             "      - 'releases/**-alpha'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    CHECK(!triggers(wf, "push", "refs/heads/mona/octocat", NULL, NULL));
    CHECK(!triggers(wf, "push", "refs/heads/releases/beta/3-alpha", NULL, NULL));
    CHECK(triggers(wf, "push", "refs/heads/main", NULL, NULL));
}

static void filter_tags_only(void)
{
    // tags: [v2, v1.*]: a branch push does not trigger, v1.9.1 does
    static const char wf[] = "on:\n"
                             "  push:\n"
                             "    tags:\n"
                             "      - v2\n"
                             "      - v1.*\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    CHECK(triggers(wf, "push", "refs/tags/v2", NULL, NULL));
    CHECK(triggers(wf, "push", "refs/tags/v1.9.1", NULL, NULL));
    CHECK(!triggers(wf, "push", "refs/tags/v3", NULL, NULL));
    CHECK(!triggers(wf, "push", "refs/heads/main", NULL, NULL));
}

/* ---- paths ---- */

static void filter_paths(void)
{
    // docs: paths: ['**.js'] runs when a JavaScript file changes
    static const char js[] = "on:\n"
                             "  push:\n"
                             "    paths:\n"
                             "      - '**.js'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    const char *const app[] = {"README.md", "src/app.js", NULL};
    const char *const readme[] = {"README.md", NULL};
    CHECK(triggers(js, "push", "refs/heads/main", app, NULL));
    CHECK(!triggers(js, "push", "refs/heads/main", readme, NULL));
    // "Path filters are not evaluated for pushes of tags."
    CHECK(triggers(js, "push", "refs/tags/v1", readme, NULL));
}

static void filter_paths_ignore(void)
{
    // docs: paths-ignore: ['docs/**']: "runs unless every changed file is under docs/"
    static const char wf[] = "on:\n"
                             "  push:\n"
                             "    paths-ignore:\n"
                             "      - 'docs/**'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    const char *const docs_only[] = {"docs/a.md", "docs/dir/b.md", NULL};
    const char *const mixed[] = {"docs/a.md", "src/main.c", NULL};
    CHECK(!triggers(wf, "push", "refs/heads/main", docs_only, NULL));
    CHECK(triggers(wf, "push", "refs/heads/main", mixed, NULL));
}

static void filter_paths_negation(void)
{
    // docs: paths: ['sub-project/**', '!sub-project/docs/**'] runs for changes in sub-project
    // except when only sub-project/docs changes
    static const char wf[] = "on:\n"
                             "  push:\n"
                             "    paths:\n"
                             "      - 'sub-project/**'\n"
                             "      - '!sub-project/docs/**'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    const char *const docs[] = {"sub-project/docs/readme.md", NULL};
    const char *const src[] = {"sub-project/docs/readme.md", "sub-project/src/main.c", NULL};
    CHECK(!triggers(wf, "push", "refs/heads/main", docs, NULL));
    CHECK(triggers(wf, "push", "refs/heads/main", src, NULL));
}

/* ---- types ---- */

static void filter_types(void)
{
    // docs: pull_request with types: [assigned, opened, synchronize, reopened]
    static const char wf[] = "on:\n"
                             "  pull_request:\n"
                             "    types: [assigned, opened, synchronize, reopened]\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    CHECK(triggers(wf, "pull_request", "main", NULL, "assigned"));
    CHECK(!triggers(wf, "pull_request", "main", NULL, "labeled"));
    // "By default, a workflow only runs when a pull_request event's activity type is opened,
    // synchronize, or reopened."
    static const char dflt[] = "on: pull_request\n"
                               "jobs:\n"
                               "  a:\n"
                               "    runs-on: ubuntu-latest\n"
                               "    steps:\n"
                               "      - run: echo\n";
    CHECK(triggers(dflt, "pull_request", "main", NULL, "synchronize"));
    CHECK(!triggers(dflt, "pull_request", "main", NULL, "closed"));
    CHECK(!triggers(dflt, "push", "refs/heads/main", NULL, NULL));
}

/* ---- matrix ---- */

static struct wf_token *strategy_of(struct wf *wf)
{
    return wf && wf->njobs ? wf->jobs[0]->strategy : NULL;
}

/* The legs as compact JSON objects joined by ';'. */
static void legs_string(struct sbuf *out, const struct plan_matrix *m)
{
    for (size_t i = 0; i < m->nlegs; i++) {
        if (i)
            sbuf_addch(out, ';');
        val_to_json_sbuf(out, &m->legs[i].values, false);
    }
}

static size_t last_index; /* strategy.job-index of the last leg of the last expansion */

static int expand(const char *yaml, struct sbuf *legs, struct plan_matrix *m, struct err *err)
{
    struct wf *wf = load(yaml);
    if (!wf)
        return -1;
    struct arena a = ARENA_INIT;
    struct val ctx = val_new_object(&a);
    val_object_set(&a, ctx, "github", 6, val_new_object(&a));
    val_object_set(&a, ctx, "inputs", 6, val_new_object(&a));
    int rc = plan_matrix_expand(m, &a, strategy_of(wf), &ctx, err);
    if (rc == 0)
        legs_string(legs, m);
    last_index = rc == 0 && m->nlegs ? m->legs[m->nlegs - 1].index : 0;
    m->legs = NULL; /* they lived in the arena released here */
    arena_release(&a);
    wf_free(wf);
    return rc;
}

static void matrix_cartesian_order(void)
{
    // docs: version: [10, 12, 14], os: [ubuntu-latest, windows-latest] "will run a job for each
    // possible combination": {version: 10, os: ubuntu-latest}, {version: 10, os:
    // windows-latest}, {version: 12, os: ubuntu-latest}, ...
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        version: [10, 12, 14]\n"
                             "        os: [ubuntu-latest, windows-latest]\n"
                             "    runs-on: ${{ matrix.os }}\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_STR(legs.buf, "{\"version\":10,\"os\":\"ubuntu-latest\"};"
                        "{\"version\":10,\"os\":\"windows-latest\"};"
                        "{\"version\":12,\"os\":\"ubuntu-latest\"};"
                        "{\"version\":12,\"os\":\"windows-latest\"};"
                        "{\"version\":14,\"os\":\"ubuntu-latest\"};"
                        "{\"version\":14,\"os\":\"windows-latest\"}");
    sbuf_release(&legs);
}

static void matrix_include_rules(void)
{
    // docs: fruit: [apple, pear], animal: [cat, dog], include: [{color: green}, {color: pink,
    // animal: cat}, {fruit: apple, shape: circle}, {fruit: banana}, {fruit: banana, animal:
    // cat}] results in: {fruit: apple, animal: cat, color: pink, shape: circle}, {fruit: apple,
    // animal: dog, color: green, shape: circle}, {fruit: pear, animal: cat, color: pink},
    // {fruit: pear, animal: dog, color: green}, {fruit: banana}, {fruit: banana, animal: cat}
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        fruit: [apple, pear]\n"
                             "        animal: [cat, dog]\n"
                             "        include:\n"
                             "          - color: green\n"
                             "          - color: pink\n"
                             "            animal: cat\n"
                             "          - fruit: apple\n"
                             "            shape: circle\n"
                             "          - fruit: banana\n"
                             "          - fruit: banana\n"
                             "            animal: cat\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_STR(legs.buf,
              "{\"fruit\":\"apple\",\"animal\":\"cat\",\"color\":\"pink\",\"shape\":\"circle\"};"
              "{\"fruit\":\"apple\",\"animal\":\"dog\",\"color\":\"green\",\"shape\":\"circle\"};"
              "{\"fruit\":\"pear\",\"animal\":\"cat\",\"color\":\"pink\"};"
              "{\"fruit\":\"pear\",\"animal\":\"dog\",\"color\":\"green\"};"
              "{\"fruit\":\"banana\"};"
              "{\"fruit\":\"banana\",\"animal\":\"cat\"}");
    sbuf_release(&legs);
}

static void matrix_include_extends_one(void)
{
    // docs: os: [windows-latest, ubuntu-latest], node: [14, 16], include: [{os: windows-latest,
    // node: 16, npm: 6}]: four jobs, the windows-latest/16 one with npm: 6
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        os: [windows-latest, ubuntu-latest]\n"
                             "        node: [14, 16]\n"
                             "        include:\n"
                             "          - os: windows-latest\n"
                             "            node: 16\n"
                             "            npm: 6\n"
                             "    runs-on: ${{ matrix.os }}\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_INT(m.nlegs, 4);
    CHECK_STR(legs.buf, "{\"os\":\"windows-latest\",\"node\":14};"
                        "{\"os\":\"windows-latest\",\"node\":16,\"npm\":6};"
                        "{\"os\":\"ubuntu-latest\",\"node\":14};"
                        "{\"os\":\"ubuntu-latest\",\"node\":16}");
    sbuf_release(&legs);
}

static void matrix_exclude_partial(void)
{
    // docs: os: [macos-latest, windows-latest], version: [12, 14, 16], environment: [staging,
    // production], exclude: [{os: macos-latest, version: 12, environment: production}, {os:
    // windows-latest, version: 16}]: "12 configurations, minus the one excluded job that
    // matches {os: macos-latest, version: 12, environment: production}, and the two excluded
    // jobs that match {os: windows-latest, version: 16}" = 9
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        os: [macos-latest, windows-latest]\n"
                             "        version: [12, 14, 16]\n"
                             "        environment: [staging, production]\n"
                             "        exclude:\n"
                             "          - os: macos-latest\n"
                             "            version: 12\n"
                             "            environment: production\n"
                             "          - os: windows-latest\n"
                             "            version: 16\n"
                             "    runs-on: ${{ matrix.os }}\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_INT(m.nlegs, 9);
    CHECK(strstr(legs.buf, "{\"os\":\"windows-latest\",\"version\":16") == NULL);
    CHECK(strstr(legs.buf, "{\"os\":\"macos-latest\",\"version\":12,\"environment\":\"staging\"}"));
    sbuf_release(&legs);
}

static void matrix_only_include(void)
{
    // docs: a matrix of only include entries runs one job per entry
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        include:\n"
                             "          - site: production\n"
                             "            datacenter: site-a\n"
                             "          - site: staging\n"
                             "            datacenter: site-b\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_STR(legs.buf, "{\"site\":\"production\",\"datacenter\":\"site-a\"};"
                        "{\"site\":\"staging\",\"datacenter\":\"site-b\"}");
    sbuf_release(&legs);
}

static void matrix_from_json(void)
{
    // docs: matrix values may come from fromJSON (here of a literal, known at plan time)
    static const char wf[] =
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    strategy:\n"
        "      matrix: ${{ fromJSON('{\"os\":[\"ubuntu-latest\",\"ubuntu-22.04\"],\"n\":[1]}') }}\n"
        "    runs-on: ${{ matrix.os }}\n"
        "    steps:\n"
        "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK_STR(legs.buf, "{\"os\":\"ubuntu-latest\",\"n\":1};{\"os\":\"ubuntu-22.04\",\"n\":1}");
    sbuf_release(&legs);
}

static void matrix_from_needs_is_deferred(void)
{
    // docs: "matrix: ${{ fromJSON(needs.job1.outputs.matrix) }}" is known only after job1
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix: ${{ fromJSON(needs.job1.outputs.matrix) }}\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) == 0);
    CHECK(m.deferred);
    sbuf_release(&legs);
}

static void matrix_limit_256(void)
{
    // docs: "A matrix will generate a maximum of 256 jobs per workflow run": 17 x 16 = 272
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        x: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n"
                             "        y: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs = SBUF_INIT;
    struct plan_matrix m;
    struct err err = ERR_INIT;
    CHECK(expand(wf, &legs, &m, &err) < 0);
    CHECK(strstr(err.msg, "256") != NULL);
    sbuf_release(&legs);
    // 16 x 16 = 256 is allowed
    static const char ok[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    strategy:\n"
                             "      matrix:\n"
                             "        x: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\n"
                             "        y: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf legs2 = SBUF_INIT;
    CHECK(expand(ok, &legs2, &m, &err) == 0);
    CHECK_INT(m.nlegs, 256);
    CHECK_INT(last_index, 255);
    sbuf_release(&legs2);
}

/* ---- runs-on ---- */

static void labels_default_and_mapped(void)
{
    const char *unmatched = NULL;
    const char *ubuntu[] = {"ubuntu-latest"};
    CHECK_STR(plan_labels_map(ubuntu, 1, NULL, 0, &unmatched), "host");
    const char *selfhosted[] = {"self-hosted", "linux", "x64"};
    CHECK_STR(plan_labels_map(selfhosted, 3, NULL, 0, &unmatched), "host");
    const char *mac[] = {"macos-latest"};
    CHECK(plan_labels_map(mac, 1, NULL, 0, &unmatched) == NULL);
    CHECK_STR(unmatched, "macos-latest");
    struct plan_label_map extra[] = {{"macos-latest", "host"}};
    CHECK_STR(plan_labels_map(mac, 1, extra, 1, &unmatched), "host");
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(filter_cheat_sheet_single_star),
        TEST(filter_cheat_sheet_double_star),
        TEST(filter_cheat_sheet_tags),
        TEST(filter_branches_list),
        TEST(filter_negation_order),
        TEST(filter_branches_ignore),
        TEST(filter_tags_only),
        TEST(filter_paths),
        TEST(filter_paths_ignore),
        TEST(filter_paths_negation),
        TEST(filter_types),
        TEST(matrix_cartesian_order),
        TEST(matrix_include_rules),
        TEST(matrix_include_extends_one),
        TEST(matrix_exclude_partial),
        TEST(matrix_only_include),
        TEST(matrix_from_json),
        TEST(matrix_from_needs_is_deferred),
        TEST(matrix_limit_256),
        TEST(labels_default_and_mapped),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
