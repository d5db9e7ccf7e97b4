/*
 * Matrix expansion against GitHub's documentation ("Running variations of jobs in a workflow":
 * the basic product, "Expanding or adding matrix configurations" with its fruit/animal example,
 * "Excluding matrix configurations", "Using contexts to create matrices" with fromJSON, and the
 * 256-job limit whose error text GitHub prints as
 *   Strategy for job 'x' produced 288 configurations which exceeds the maximum of 256
 *   configurations), and act's --matrix filter (conformance case matrix-with-user-inclusions).
 * Legs are compared as JSON objects regardless of key order.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "plan/plan.h"
#include "util/json.h"

struct fixture {
    struct wf *wf;
    struct arena a;
    struct plan_matrix m;
    struct err err;
    int rc;
};

static void expand_with(struct fixture *f, const char *yml, const char *job, const char *ctx_json,
                        const struct plan_kv *filter, size_t nfilter)
{
    memset(f, 0, sizeof(*f));
    f->a = ARENA_INIT;
    f->err = ERR_INIT;
    struct err err = ERR_INIT;
    if (wf_parse(&f->wf, "m.yml", yml, strlen(yml), NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        f->rc = -100;
        return;
    }
    struct val ctx = val_new_object(&f->a);
    if (ctx_json) {
        cJSON *j = NULL;
        if (json_parse(&j, ctx_json, strlen(ctx_json), &err) == 0) {
            ctx = val_from_json(&f->a, j);
            cJSON_Delete(j);
        }
    }
    struct plan_matrix_opts mo = {.contexts = &ctx, .filter = filter, .nfilter = nfilter};
    f->rc = plan_matrix_expand(&f->m, &f->a, wf_find_job(f->wf, job), &mo, &f->err);
}

static void expand(struct fixture *f, const char *yml)
{
    expand_with(f, yml, "j", NULL, NULL, 0);
}

static void done(struct fixture *f)
{
    wf_free(f->wf);
    arena_release(&f->a);
}

/* Leg i equals the JSON object want (keys in any order). */
static bool leg_is(const struct fixture *f, size_t i, const char *want)
{
    if (i >= f->m.nlegs)
        return false;
    cJSON *got = val_to_json(&f->m.legs[i].matrix);
    cJSON *exp = cJSON_Parse(want);
    bool eq = got && exp && cJSON_Compare(got, exp, true);
    if (!eq) {
        char *g = got ? cJSON_PrintUnformatted(got) : NULL;
        fprintf(stderr, "  leg %zu: got %s, want %s\n", i, g ? g : "?", want);
        cJSON_free(g);
    }
    cJSON_Delete(got);
    cJSON_Delete(exp);
    return eq;
}

#define HEAD "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"

/* Docs: version [10, 12, 14] x os [ubuntu-latest, windows-latest], "version 10 with
 * ubuntu-latest, version 10 with windows-latest, version 12 with ubuntu-latest, ..." */
static void matrix_product_in_key_order(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        version: [10, 12, 14]\n"
                    "        os: [ubuntu-latest, windows-latest]\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 6);
    CHECK_INT(f.m.total, 6);
    CHECK(f.m.has_matrix);
    CHECK(leg_is(&f, 0, "{\"version\":10,\"os\":\"ubuntu-latest\"}"));
    CHECK(leg_is(&f, 1, "{\"version\":10,\"os\":\"windows-latest\"}"));
    CHECK(leg_is(&f, 2, "{\"version\":12,\"os\":\"ubuntu-latest\"}"));
    CHECK(leg_is(&f, 5, "{\"version\":14,\"os\":\"windows-latest\"}"));
    CHECK_INT(f.m.legs[5].index, 5);
    CHECK_STR(f.m.legs[1].suffix, "(10, windows-latest)");
    CHECK(f.m.fail_fast);
    CHECK_INT(f.m.max_parallel, 0);
    done(&f);
}

/* Docs, "Expanding or adding matrix configurations": the fruit/animal example and its six legs. */
static void matrix_include_docs_example(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        fruit: [apple, pear]\n"
                    "        animal: [cat, dog]\n        include:\n          - color: green\n"
                    "          - color: pink\n            animal: cat\n"
                    "          - fruit: apple\n            shape: circle\n"
                    "          - fruit: banana\n          - fruit: banana\n"
                    "            animal: cat\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 6);
    CHECK(leg_is(&f, 0,
                 "{\"fruit\":\"apple\",\"animal\":\"cat\",\"color\":\"pink\","
                 "\"shape\":\"circle\"}"));
    CHECK(leg_is(&f, 1,
                 "{\"fruit\":\"apple\",\"animal\":\"dog\",\"color\":\"green\","
                 "\"shape\":\"circle\"}"));
    CHECK(leg_is(&f, 2, "{\"fruit\":\"pear\",\"animal\":\"cat\",\"color\":\"pink\"}"));
    CHECK(leg_is(&f, 3, "{\"fruit\":\"pear\",\"animal\":\"dog\",\"color\":\"green\"}"));
    CHECK(leg_is(&f, 4, "{\"fruit\":\"banana\"}"));
    CHECK(leg_is(&f, 5, "{\"fruit\":\"banana\",\"animal\":\"cat\"}"));
    done(&f);
}

/* Docs, "Example: Expanding configurations": os x node, include adds npm: 6 to one leg. */
static void matrix_include_extends_one_leg(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n"
                    "        os: [windows-latest, ubuntu-latest]\n        node: [14, 16]\n"
                    "        include:\n          - os: windows-latest\n            node: 16\n"
                    "            npm: 6\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 4);
    CHECK(leg_is(&f, 0, "{\"os\":\"windows-latest\",\"node\":14}"));
    CHECK(leg_is(&f, 1, "{\"os\":\"windows-latest\",\"node\":16,\"npm\":6}"));
    CHECK(leg_is(&f, 2, "{\"os\":\"ubuntu-latest\",\"node\":14}"));
    CHECK(leg_is(&f, 3, "{\"os\":\"ubuntu-latest\",\"node\":16}"));
    done(&f);
}

/* Docs, "Example: Adding configurations": a matrix of only include entries. */
static void matrix_include_only(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        include:\n"
                    "          - site: production\n            datacenter: site-a\n"
                    "          - site: staging\n            datacenter: site-b\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 2);
    CHECK(leg_is(&f, 0, "{\"site\":\"production\",\"datacenter\":\"site-a\"}"));
    CHECK(leg_is(&f, 1, "{\"site\":\"staging\",\"datacenter\":\"site-b\"}"));
    done(&f);
}

/* Docs, "Excluding matrix configurations": 12 combinations, a full and a partial exclude. */
static void matrix_exclude_partial_match(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        os: [macos-latest, windows-latest]\n"
                    "        version: [12, 14, 16]\n        environment: [staging, production]\n"
                    "        exclude:\n          - os: macos-latest\n            version: 12\n"
                    "            environment: production\n          - os: windows-latest\n"
                    "            version: 16\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 9);
    for (size_t i = 0; i < f.m.nlegs; i++) {
        cJSON *j = val_to_json(&f.m.legs[i].matrix);
        const char *os = json_get_str(j, "os");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
        const char *env = json_get_str(j, "environment");
        bool excluded =
            (!strcmp(os, "macos-latest") && v->valuedouble == 12 && !strcmp(env, "production")) ||
            (!strcmp(os, "windows-latest") && v->valuedouble == 16);
        cJSON_Delete(j);
        CHECK(!excluded);
    }
    /* job-index counts the legs that remain */
    CHECK_INT(f.m.legs[8].index, 8);
    CHECK_INT(f.m.total, 9);
    done(&f);
}

/* Include runs after exclude: an excluded combination can be added back. */
static void matrix_include_after_exclude(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        os: [a, b]\n        node: [1, 2]\n"
                    "        exclude:\n          - os: b\n            node: 2\n"
                    "        include:\n          - os: b\n            node: 2\n"
                    "            extra: true\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 4);
    CHECK(leg_is(&f, 2, "{\"os\":\"b\",\"node\":1}"));
    CHECK(leg_is(&f, 3, "{\"os\":\"b\",\"node\":2,\"extra\":true}"));
    done(&f);
}

/* Docs, "Using contexts to create matrices": a matrix from fromJSON, also from needs outputs. */
static void matrix_from_json(void)
{
    struct fixture f;
    expand(&f, HEAD
           "    strategy:\n      matrix: |-\n        ${{ fromJSON('{\"A\": [\"A\", \"B\"]}') }}\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 2);
    CHECK(leg_is(&f, 0, "{\"A\":\"A\"}"));
    CHECK(leg_is(&f, 1, "{\"A\":\"B\"}"));
    done(&f);

    const char *yml =
        "on: push\njobs:\n  prepare:\n    runs-on: ubuntu-latest\n    outputs:\n"
        "      m: ${{ steps.s.outputs.m }}\n    steps:\n      - id: s\n        run: echo\n"
        "  j:\n    needs: prepare\n    runs-on: ${{ matrix.os }}\n    strategy:\n"
        "      matrix:\n        package: ${{ fromJSON(needs.prepare.outputs.m) }}\n"
        "        os: [ubuntu-latest]\n    steps:\n      - run: echo\n";
    expand_with(&f, yml, "j",
                "{\"needs\":{\"prepare\":{\"result\":\"success\",\"outputs\":{\"m\":"
                "\"[\\\"a\\\", \\\"b\\\"]\"}}}}",
                NULL, 0);
    CHECK_INT(f.rc, 0);
    CHECK(plan_matrix_needs_needs(wf_find_job(f.wf, "j")));
    CHECK(!plan_matrix_needs_needs(wf_find_job(f.wf, "prepare")));
    CHECK_INT(f.m.nlegs, 2);
    CHECK(leg_is(&f, 0, "{\"package\":\"a\",\"os\":\"ubuntu-latest\"}"));
    CHECK(leg_is(&f, 1, "{\"package\":\"b\",\"os\":\"ubuntu-latest\"}"));
    CHECK(f.m.legs[1].runs_on.kind == VAL_STRING);
    CHECK_STR(f.m.legs[1].runs_on.s.p, "ubuntu-latest");
    done(&f);
}

/* act's evalmatrix-merge-array and evalmatrix-merge-map cases: an expression item yielding a
 * sequence joins the vector; ${{ insert }} merges a mapping. */
static void matrix_merge_array_and_insert(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        a:\n        - env:\n"
                    "            key1: ${{'val'}}1\n"
                    "        - ${{fromJSON('[{\"env\":{\"key2\":\"val2\"}},"
                    "{\"env\":{\"key3\":\"val3\"}}]')}}\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 3);
    CHECK(leg_is(&f, 0, "{\"a\":{\"env\":{\"key1\":\"val1\"}}}"));
    CHECK(leg_is(&f, 1, "{\"a\":{\"env\":{\"key2\":\"val2\"}}}"));
    CHECK(leg_is(&f, 2, "{\"a\":{\"env\":{\"key3\":\"val3\"}}}"));
    done(&f);
    expand(&f, HEAD "    strategy:\n      matrix:\n        a:\n        - env:\n"
                    "            key1: val1\n            ${{insert}}:\n              key2: val2\n"
                    "            ${{ insert }}: ${{fromJSON('{\"key3\":\"val3\"}')}}\n");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 1);
    CHECK(leg_is(&f, 0,
                 "{\"a\":{\"env\":{\"key1\":\"val1\",\"key2\":\"val2\","
                 "\"key3\":\"val3\"}}}"));
    done(&f);
}

/* 256 legs are allowed; more is GitHub's error, located at the strategy. */
static void matrix_limit_256(void)
{
    struct sbuf y = SBUF_INIT;
    sbuf_addstr(&y, HEAD "    strategy:\n      matrix:\n        a: [");
    for (int i = 0; i < 16; i++)
        sbuf_addf(&y, "%s%d", i ? ", " : "", i);
    sbuf_addstr(&y, "]\n        b: [");
    for (int i = 0; i < 16; i++)
        sbuf_addf(&y, "%s%d", i ? ", " : "", i);
    sbuf_addstr(&y, "]\n");
    struct fixture f;
    expand(&f, y.buf);
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 256);
    done(&f);
    /* one more include entry that fits no leg: 257 */
    sbuf_addstr(&y, "        include:\n          - a: 99\n            b: 99\n");
    expand(&f, y.buf);
    sbuf_release(&y);
    CHECK_INT(f.rc, ERR_INVALID);
    CHECK_STR(f.err.msg, "(Line: 8, Col: 7): Strategy for job 'j' produced 257 configurations "
                         "which exceeds the maximum of 256 configurations");
    done(&f);
}

/* fail-fast, max-parallel, and strategy.job-total seen by runs-on expressions. */
static void matrix_strategy_values(void)
{
    struct fixture f;
    expand(&f,
           "on: push\njobs:\n  j:\n    runs-on: ${{ format('ubuntu-{0}', "
           "strategy.job-total) }}\n    steps:\n      - run: echo\n    strategy:\n"
           "      fail-fast: false\n      max-parallel: 2\n      matrix:\n        x: [1, 2, 3]\n");
    CHECK_INT(f.rc, 0);
    CHECK(!f.m.fail_fast);
    CHECK_INT(f.m.max_parallel, 2);
    CHECK_INT(f.m.nlegs, 3);
    CHECK_STR(f.m.legs[2].runs_on.s.p, "ubuntu-3");
    done(&f);
    /* no strategy: one leg, matrix null, job-total 1 */
    expand(&f, HEAD);
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 1);
    CHECK_INT(f.m.total, 1);
    CHECK(!f.m.has_matrix);
    CHECK(f.m.legs[0].matrix.kind == VAL_NULL);
    CHECK_STR(f.m.legs[0].suffix, "");
    done(&f);
}

/* act's --matrix node:8 --matrix os:ubuntu-18.04 on the matrix-with-user-inclusions case. */
static void matrix_cli_filter(void)
{
    const char *yml =
        HEAD "    strategy:\n      matrix:\n        os: [ubuntu-18.04, macos-latest]\n"
             "        node: [4, 6, 8, 10]\n        exclude:\n          - os: macos-latest\n"
             "            node: 4\n        include:\n          - os: ubuntu-16.04\n"
             "            node: 10\n";
    const struct plan_kv filter[] = {{"node", "8"}, {"os", "ubuntu-18.04"}};
    struct fixture f;
    expand_with(&f, yml, "j", NULL, filter, 2);
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.total, 8);
    CHECK_INT(f.m.nlegs, 1);
    CHECK(leg_is(&f, 0, "{\"os\":\"ubuntu-18.04\",\"node\":8}"));
    CHECK_INT(f.m.legs[0].index, 2);
    done(&f);
    /* two values for one key are alternatives */
    const struct plan_kv two[] = {{"node", "4"}, {"node", "6"}};
    expand_with(&f, yml, "j", NULL, two, 2);
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.m.nlegs, 3); /* ubuntu/4, ubuntu/6, macos/6 */
    done(&f);
}

/* A fromJSON vector that turns out empty is GitHub's load-time message, at run time. */
static void matrix_bad_values(void)
{
    struct fixture f;
    expand(&f, HEAD "    strategy:\n      matrix:\n        a: ${{ fromJSON('[]') }}\n");
    CHECK_INT(f.rc, ERR_INVALID);
    CHECK(strstr(f.err.msg, "Matrix vector 'a' does not contain any values") != NULL);
    done(&f);
    expand(&f, HEAD "    strategy:\n      matrix: ${{ fromJSON('[1]') }}\n");
    CHECK_INT(f.rc, ERR_INVALID);
    done(&f);
}

/*
 * A runs-on that cannot be evaluated is the job's error, not a leg without a runner: GitHub fails
 * the job with the evaluation's message (runnel plan shows it invalid, runnel run fails it).
 */
static void matrix_runs_on_error(void)
{
    struct fixture f;
    expand(&f, "on: push\njobs:\n  j:\n    runs-on: ${{ fromJSON('{x') }}\n    steps:\n"
               "      - run: echo\n");
    CHECK_INT(f.rc, ERR_INVALID);
    CHECK(strstr(f.err.msg, "(Line: 4, Col: 14): Error parsing fromJson") == f.err.msg);
    done(&f);
    expand(&f, "on: push\njobs:\n  j:\n    runs-on: ${{ fromJSON(matrix.l) }}\n    steps:\n"
               "      - run: echo\n    strategy:\n      matrix:\n        l: ['\"x\"', '[1']\n");
    CHECK_INT(f.rc, ERR_INVALID);
    CHECK(strstr(f.err.msg, "Error parsing fromJson") != NULL);
    done(&f);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(matrix_product_in_key_order),
        TEST(matrix_include_docs_example),
        TEST(matrix_include_extends_one_leg),
        TEST(matrix_include_only),
        TEST(matrix_exclude_partial_match),
        TEST(matrix_include_after_exclude),
        TEST(matrix_from_json),
        TEST(matrix_merge_array_and_insert),
        TEST(matrix_limit_256),
        TEST(matrix_strategy_values),
        TEST(matrix_cli_filter),
        TEST(matrix_bad_values),
        TEST(matrix_runs_on_error),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
