/*
 * runnel list [EVENT] [options]: the workflows, their jobs (with needs and matrix size when
 * static) and the events that trigger them, like `act -l`. With EVENT, only workflows that list
 * that event in `on:`.
 */
#include "cli.h"

#include <string.h>

#include "plan/plan.h"
#include "plan_cli.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static void list_events(struct sbuf *out, const struct wf *wf)
{
    for (size_t i = 0; i < wf->nevents; i++)
        sbuf_addf(out, "%s%s", i ? "," : "", wf->events[i].name);
}

int cli_cmd_list(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: runnel list [EVENT] [-W PATH] [-C DIR]\n");
            return CLI_OK;
        }
    }
    struct plan_cli pc;
    plan_cli_init(&pc);
    int status = plan_cli_parse(&pc, argc, argv);
    if (!status)
        status = plan_cli_load_workflows(&pc);
    if (status == CLI_USAGE)
        goto done;
    printf("%-6s %-24s %-28s %-24s %-36s %s\n", "Stage", "Job ID", "Job name", "Workflow name",
           "Workflow file", "Events");
    vec_foreach (struct wf *, w, &pc.wfs) {
        const struct wf *wf = *w;
        if (pc.event && !wf_find_event(wf, pc.event))
            continue;
        const char *wname = wf->name && wf->name->kind == WF_TOK_STRING ? wf->name->str : "";
        struct sbuf events = SBUF_INIT;
        list_events(&events, wf);
        /* stage = longest chain of needs, as act prints it */
        size_t *level = xcalloc(wf->njobs + 1, sizeof(size_t));
        for (size_t pass = 0; pass < wf->njobs; pass++) {
            for (size_t j = 0; j < wf->njobs; j++) {
                for (size_t k = 0; k < wf->jobs[j]->nneeds; k++) {
                    for (size_t m = 0; m < wf->njobs; m++) {
                        if (strcmp(wf->jobs[m]->id->str, wf->jobs[j]->needs[k]->str) == 0 &&
                            level[m] + 1 > level[j])
                            level[j] = level[m] + 1;
                    }
                }
            }
        }
        for (size_t j = 0; j < wf->njobs; j++) {
            const struct wf_job *job = wf->jobs[j];
            const char *jname =
                job->name && job->name->kind == WF_TOK_STRING ? job->name->str : job->id->str;
            printf("%-6zu %-24s %-28s %-24s %-36s %s\n", level[j], job->id->str, jname, wname,
                   wf->path, events.buf);
        }
        xfree(level);
        sbuf_release(&events);
    }
done:
    plan_cli_release(&pc);
    return status;
}
