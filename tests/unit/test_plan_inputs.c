/*
 * Inputs of a reusable workflow (on.workflow_call.inputs) as the act conformance case
 * uses-workflow calls it: with string_required: string, bool_required: ${{ true }},
 * number_required: 1, and the defaults string, true and ${{ 1 }} for the optional ones.
 * GitHub's docs: boolean and number inputs keep their types in the inputs context.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "plan/plan.h"

static void inputs_reusable_workflow_call(void)
{
    struct sbuf p = SBUF_INIT;
    sbuf_addf(&p, "%s/conformance/act/.github/workflows/local-reusable-workflow.yml",
              harness_shared_dir());
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    int rc = wf_load(&wf, p.buf, NULL, &err);
    sbuf_release(&p);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_INT(rc, 0);
    struct arena a = ARENA_INIT;
    struct val with = val_new_object(&a);
    val_object_set(&a, with, "string_required", 15, val_string(&a, "string", 6));
    val_object_set(&a, with, "bool_required", 13, val_bool(true));
    val_object_set(&a, with, "number_required", 15, val_number(1));
    struct val ctx = val_new_object(&a);
    struct val in;
    rc = plan_call_inputs(&in, &a, wf, &with, &ctx, &err);
    CHECK_INT(rc, 0);
    struct sbuf js = SBUF_INIT;
    val_to_json_sbuf(&js, &in, false);
    CHECK_STR(js.buf, "{\"string_required\":\"string\",\"string_optional\":\"string\","
                      "\"bool_required\":true,\"bool_optional\":true,\"number_required\":1,"
                      "\"number_optional\":1}");
    sbuf_release(&js);
    /* a boolean given as a string converts; a missing required input is GitHub's error */
    struct val with2 = val_new_object(&a);
    val_object_set(&a, with2, "string_required", 15, val_string(&a, "x", 1));
    val_object_set(&a, with2, "bool_required", 13, val_string(&a, "false", 5));
    rc = plan_call_inputs(&in, &a, wf, &with2, &ctx, &err);
    CHECK_INT(rc, ERR_INVALID);
    CHECK(strstr(err.msg, "Input number_required is required, but not provided while calling.") !=
          NULL);
    val_object_set(&a, with2, "number_required", 15, val_string(&a, "2.5", 3));
    rc = plan_call_inputs(&in, &a, wf, &with2, &ctx, &err);
    CHECK_INT(rc, 0);
    const struct val *b = val_object_find(in.obj, "bool_required", 13);
    const struct val *n = val_object_find(in.obj, "number_required", 15);
    CHECK(b && b->kind == VAL_BOOL && !b->b);
    CHECK(n && n->kind == VAL_NUMBER && n->num == 2.5);
    val_object_set(&a, with2, "number_required", 15, val_string(&a, "many", 4));
    rc = plan_call_inputs(&in, &a, wf, &with2, &ctx, &err);
    CHECK_INT(rc, ERR_INVALID);
    CHECK(strstr(err.msg, "input 'number_required' must be a number, got 'many'") != NULL);
    arena_release(&a);
    wf_free(wf);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(inputs_reusable_workflow_call),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
