/*
 * runnel plan [EVENT] [options]: what an event would run, in what order, every matrix leg with
 * its values, and why each workflow or job is or is not triggered. Text by default, --json for
 * tools, --dot for Graphviz. Options: see plan_cli.h (act-compatible).
 */
#include "cli.h"

#include <string.h>

#include "plan/plan.h"
#include "plan_cli.h"
#include "util/sbuf.h"

int cli_cmd_plan(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: runnel plan [EVENT] [--json|--dot] [-W PATH] [-j JOB] [-e EVENT.json]\n"
                   "                   [--input k=v] [--matrix k:v] [-P label=host] [-C DIR]\n"
                   "                   [--base REF] [--actor NAME] [--var k=v] [--secret k=v]\n");
            return CLI_OK;
        }
    }
    struct plan_cli pc;
    struct plan_event *ev = NULL;
    struct plan *p = NULL;
    struct arena a = ARENA_INIT;
    struct sbuf out = SBUF_INIT;
    struct err err = ERR_INIT;
    plan_cli_init(&pc);
    int status = plan_cli_parse(&pc, argc, argv);
    if (status)
        goto done;
    status = plan_cli_load_workflows(&pc);
    if (status == CLI_USAGE)
        goto done;
    if (plan_event_build(&ev, &pc.event_opts, &err) < 0) {
        cli_error_err("plan", &err);
        status = CLI_USAGE;
        goto done;
    }
    struct plan_opts po = PLAN_OPTS_INIT;
    po.job = pc.job;
    po.labels = pc.labels.items;
    po.nlabels = pc.labels.len;
    po.vars = pc.vars;
    struct val mf = val_new_object(&a);
    vec_foreach (struct plan_input, m, &pc.matrix)
        val_object_set(&a, mf, m->name, strlen(m->name),
                       val_string(&a, m->value, strlen(m->value)));
    if (pc.matrix.len)
        po.matrix_filter = &mf;
    if (plan_build(&p, pc.wfs.items, pc.wfs.len, ev, &po, &err) < 0) {
        cli_error_err("plan", &err);
        status = CLI_FAIL;
        goto done;
    }
    if (pc.json)
        plan_render_json(&out, p);
    else if (pc.dot)
        plan_render_dot(&out, p);
    else
        plan_render_text(&out, p);
    fputs(out.buf, stdout);
    if (pc.json)
        fputc('\n', stdout);
done:
    sbuf_release(&out);
    plan_free(p);
    plan_event_free(ev);
    arena_release(&a);
    plan_cli_release(&pc);
    return status;
}
