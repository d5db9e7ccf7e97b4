/*
 * workflow/: the model and the checks made after the schema. Expected messages are GitHub's
 * (the workflow-parser conformance cases errors-job-needs-*.yml, the documentation's rules for
 * needs), positions included.
 */
#include <string.h>

#include "harness.h"
#include "util/sbuf.h"
#include "workflow/workflow.h"

/* Loads yaml keeping diagnostics; returns the messages joined by '\n'. */
static void diags_of(struct sbuf *out, const char *yaml)
{
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    struct wf_load_opts o = WF_LOAD_OPTS_INIT;
    o.keep_invalid = true;
    wf_parse(&wf, "w.yml", yaml, strlen(yaml), &o, &err);
    if (!wf)
        return;
    vec_foreach (struct wf_diag, d, &wf->diags) {
        if (out->len)
            sbuf_addch(out, '\n');
        sbuf_addstr(out, d->msg);
    }
    wf_free(wf);
}

static void needs_cycle_is_reported_on_each_edge(void)
{
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  one:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo hello\n"
                             "  two:\n"
                             "    needs: [one, three]\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo hello\n"
                             "  three:\n"
                             "    needs: two\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo hello\n";
    struct sbuf d = SBUF_INIT;
    diags_of(&d, wf);
    CHECK_STR(d.buf, "w.yml (Line: 8, Col: 18): Job 'two' depends on job 'three' which creates a "
                     "cycle in the dependency graph.\n"
                     "w.yml (Line: 13, Col: 12): Job 'three' depends on job 'two' which creates a "
                     "cycle in the dependency graph.");
    sbuf_release(&d);
}

static void needs_without_start_node(void)
{
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    needs: b\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n"
                             "  b:\n"
                             "    needs: a\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf d = SBUF_INIT;
    diags_of(&d, wf);
    CHECK_STR(d.buf, "w.yml (Line: 3, Col: 3): The workflow must contain at least one job with no "
                     "dependencies.");
    sbuf_release(&d);
}

static void needs_unknown_job(void)
{
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n"
                             "  b:\n"
                             "    needs: [a, nope]\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf d = SBUF_INIT;
    diags_of(&d, wf);
    CHECK_STR(d.buf, "w.yml (Line: 8, Col: 16): Job 'b' depends on unknown job 'nope'.");
    sbuf_release(&d);
}

static void self_need_is_a_cycle(void)
{
    static const char wf[] = "on: push\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n"
                             "  b:\n"
                             "    needs: b\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf d = SBUF_INIT;
    diags_of(&d, wf);
    CHECK_STR(d.buf, "w.yml (Line: 8, Col: 12): Job 'b' depends on job 'b' which creates a cycle "
                     "in the dependency graph.");
    sbuf_release(&d);
}

static void step_ids_and_if_defaults(void)
{
    static const char text[] = "on: push\n"
                               "jobs:\n"
                               "  a:\n"
                               "    if: github.ref == 'refs/heads/main'\n"
                               "    runs-on: ubuntu-latest\n"
                               "    steps:\n"
                               "      - uses: actions/checkout@v4\n"
                               "      - run: echo 1\n"
                               "      - run: echo 2\n"
                               "        if: always()\n"
                               "      - id: mine\n"
                               "        run: echo ${{ github.sha }} done\n";
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    CHECK(wf_parse(&wf, "w.yml", text, strlen(text), NULL, &err) == 0);
    CHECK_INT(wf->njobs, 1);
    const struct wf_job *j = wf->jobs[0];
    CHECK_STR(j->if_expr, "success() && (github.ref == 'refs/heads/main')");
    CHECK_INT(j->nsteps, 4);
    CHECK_STR(j->steps[0]->id, "__actions_checkout");
    CHECK_STR(j->steps[1]->id, "__run");
    CHECK_STR(j->steps[2]->id, "__run_2");
    CHECK_STR(j->steps[2]->if_expr, "always()");
    CHECK_STR(j->steps[3]->id, "mine");
    CHECK_INT(j->steps[3]->run->kind, WF_TOK_EXPR);
    CHECK_STR(j->steps[3]->run->str, "format('echo {0} done', github.sha)");
    wf_free(wf);
}

static void cron_strings_are_checked(void)
{
    CHECK(wf_cron_is_valid("0 */12 * * *"));
    CHECK(wf_cron_is_valid("30 5 * * 1,3"));
    CHECK(wf_cron_is_valid("0 0 1 JAN-MAR MON-FRI"));
    CHECK(!wf_cron_is_valid("0 0 * *"));
    CHECK(!wf_cron_is_valid("60 0 * * *"));
    CHECK(!wf_cron_is_valid("0 0 32 * *"));
    CHECK(!wf_cron_is_valid("0 0 * * 7"));
    static const char wf[] = "on:\n"
                             "  schedule:\n"
                             "    - cron: '61 * * * *'\n"
                             "jobs:\n"
                             "  a:\n"
                             "    runs-on: ubuntu-latest\n"
                             "    steps:\n"
                             "      - run: echo\n";
    struct sbuf d = SBUF_INIT;
    diags_of(&d, wf);
    CHECK_STR(d.buf, "w.yml (Line: 3, Col: 13): Invalid cron expression. Expected format: "
                     "'* * * * *' (minute hour day month weekday)");
    sbuf_release(&d);
}

static void action_yml_composite(void)
{
    /* act's uses-composite/composite_action/action.yml */
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/conformance/act/uses-composite/composite_action/action.yml",
              harness_shared_dir());
    struct wf_action *a = NULL;
    struct err err = ERR_INIT;
    CHECK(wf_action_load(&a, path.buf, &err) == 0);
    CHECK_STR(a->name, "Test Composite Action");
    CHECK_INT(a->kind, WF_ACTION_COMPOSITE);
    CHECK_INT(a->ninputs, 6);
    CHECK_STR(a->inputs[0].name, "test_input_required");
    CHECK(a->inputs[0].required);
    CHECK(a->inputs[0].default_value == NULL);
    CHECK_STR(a->inputs[1].default_value, "test_input_optional_value");
    CHECK_INT(a->noutputs, 2);
    CHECK_INT(a->outputs[0].value->kind, WF_TOK_EXPR);
    CHECK_STR(a->outputs[0].value->str, "steps.output.outputs.test_output");
    CHECK(a->nsteps > 0);
    CHECK_STR(a->steps[0]->id, "__run");
    wf_action_free(a);
    sbuf_release(&path);
}

static void action_yml_node_and_errors(void)
{
    /* actions/checkout's token input: an expression default stays a template for the runner */
    static const char node[] = "name: n\n"
                               "inputs:\n"
                               "  token:\n"
                               "    default: ${{ github.token }}\n"
                               "  depth:\n"
                               "    default: 1\n"
                               "runs:\n"
                               "  using: node20\n"
                               "  main: dist/index.js\n"
                               "  post: dist/post.js\n";
    struct wf_action *a = NULL;
    struct err err = ERR_INIT;
    CHECK(wf_action_parse(&a, "action.yml", node, strlen(node), &err) == 0);
    CHECK_INT(a->kind, WF_ACTION_NODE);
    CHECK_STR(a->main, "dist/index.js");
    CHECK_STR(a->post, "dist/post.js");
    CHECK_INT(a->ninputs, 2);
    CHECK_STR(a->inputs[0].default_value, "${{ github.token }}");
    CHECK_STR(a->inputs[1].default_value, "1");
    wf_action_free(a);
    static const char bad[] = "name: n\n"
                              "runs:\n"
                              "  using: node20\n"
                              "  main: x.js\n"
                              "  steps: []\n";
    a = NULL;
    CHECK(wf_action_parse(&a, "action.yml", bad, strlen(bad), &err) == ERR_INVALID);
    CHECK(a == NULL);
    CHECK(strstr(err.msg, "action.yml (Line: ") == err.msg);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(needs_cycle_is_reported_on_each_edge),
        TEST(needs_without_start_node),
        TEST(needs_unknown_job),
        TEST(self_need_is_a_cycle),
        TEST(step_ids_and_if_defaults),
        TEST(cron_strings_are_checked),
        TEST(action_yml_composite),
        TEST(action_yml_node_and_errors),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
