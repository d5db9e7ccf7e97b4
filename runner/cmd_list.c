/*
 * runnel list [EVENT] [flags]: the workflows, their jobs and the events that trigger them, like
 * act -l. With EVENT, a column says whether EVENT triggers each workflow (filters included).
 *   --json   the same as JSON
 * Exit status: 0, or 2 when a workflow is invalid or the flags are unusable.
 */
#include "cli.h"

#include <string.h>

#include "plan/plan.h"
#include "plan_flags.h"
#include "util/sbuf.h"
#include "util/vec.h"
#include "util/xalloc.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: runnel list [EVENT] [--json] [flags]\n\nFlags shared with plan and "
            "run:\n%s",
            plan_flags_usage);
}

static void events_of(struct sbuf *out, const struct wf *wf)
{
    const struct wf_token *on = wf ? wf->on : NULL;
    if (!on)
        return;
    if (on->kind == WF_TOK_STRING) {
        sbuf_addstr(out, on->str);
    } else if (on->kind == WF_TOK_SEQUENCE) {
        for (size_t i = 0; i < on->nitems; i++)
            sbuf_addf(out, "%s%s", i ? "," : "", on->items[i]->str ? on->items[i]->str : "?");
    } else if (on->kind == WF_TOK_MAPPING) {
        for (size_t i = 0; i < on->npairs; i++)
            sbuf_addf(out, "%s%s", i ? "," : "",
                      on->pairs[i].key->str ? on->pairs[i].key->str : "?");
    }
}

struct row {
    char *cells[6];
};

static void add_json_str(struct sbuf *out, const char *s)
{
    sbuf_addch(out, '"');
    sbuf_add_json_escaped(out, s, strlen(s));
    sbuf_addch(out, '"');
}

int cli_cmd_list(int argc, char **argv)
{
    struct plan_flags f;
    plan_flags_init(&f);
    bool json = false;
    int status = CLI_OK;
    struct plan *p = NULL;
    struct sbuf out = SBUF_INIT;
    struct vec rows = VEC_INIT(struct row);
    for (int i = 1; i < argc; i++) {
        int r = plan_flags_parse_one(&f, argc, argv, &i);
        if (r < 0) {
            status = CLI_USAGE;
            goto done;
        }
        if (r > 0)
            continue;
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            goto done;
        } else if (a[0] == '-') {
            cli_error("list: unknown option '%s' (see 'runnel list --help')", a);
            status = CLI_USAGE;
            goto done;
        } else if (!f.event_name) {
            f.event_name = a;
        } else {
            cli_error("list: more than one event given ('%s' and '%s')", f.event_name, a);
            status = CLI_USAGE;
            goto done;
        }
    }
    bool with_event = f.event_name != NULL;
    struct plan_opts o = PLAN_OPTS_INIT;
    status = plan_flags_finish(&f, &o);
    if (status)
        goto done;
    o.all_workflows = true;
    struct err err = ERR_INIT;
    if (plan_build(&p, &o, &err) < 0) {
        cli_error_err(NULL, &err);
        status = CLI_USAGE;
        goto done;
    }
    if (json) {
        sbuf_addstr(&out, "{\"workflows\":[");
        for (size_t i = 0; i < p->nworkflows; i++) {
            const struct plan_workflow *w = &p->workflows[i];
            struct sbuf ev = SBUF_INIT;
            events_of(&ev, w->wf);
            sbuf_addf(&out, "%s{\"path\":", i ? "," : "");
            add_json_str(&out, w->relpath);
            sbuf_addstr(&out, ",\"name\":");
            add_json_str(&out, w->name);
            sbuf_addstr(&out, ",\"events\":");
            add_json_str(&out, ev.buf);
            sbuf_release(&ev);
            if (with_event)
                sbuf_addf(&out, ",\"triggered\":%s", w->triggered ? "true" : "false");
            sbuf_addstr(&out, ",\"reason\":");
            add_json_str(&out, w->reason ? w->reason : "");
            if (w->error) {
                sbuf_addstr(&out, ",\"error\":");
                add_json_str(&out, w->error);
            }
            sbuf_addstr(&out, ",\"jobs\":[");
            for (size_t k = 0; k < w->njobs; k++) {
                const struct plan_job *j = &w->jobs[w->order[k]];
                sbuf_addf(&out, "%s{\"id\":", k ? "," : "");
                add_json_str(&out, j->id);
                sbuf_addstr(&out, ",\"name\":");
                add_json_str(&out, j->name);
                sbuf_addf(&out, ",\"level\":%zu,\"needs\":[", j->level);
                for (size_t n = 0; n < j->nneeds; n++) {
                    if (n)
                        sbuf_addch(&out, ',');
                    add_json_str(&out, w->jobs[j->needs[n]].id);
                }
                sbuf_addstr(&out, "]}");
            }
            sbuf_addstr(&out, "]}");
        }
        sbuf_addstr(&out, "]}\n");
    } else {
        const char *head[6] = {"Level",         "Job ID",        "Job name",
                               "Workflow name", "Workflow file", "Events"};
        struct row hr;
        for (int c = 0; c < 6; c++)
            hr.cells[c] = xstrdup(head[c]);
        vec_append(&rows, &hr);
        for (size_t i = 0; i < p->nworkflows; i++) {
            const struct plan_workflow *w = &p->workflows[i];
            struct sbuf ev = SBUF_INIT;
            events_of(&ev, w->wf);
            if (with_event)
                sbuf_addf(&ev, " (%s: %s)", p->event.name,
                          w->error       ? "invalid"
                          : w->triggered ? "triggered"
                                         : "not triggered");
            for (size_t k = 0; k < w->njobs; k++) {
                const struct plan_job *j = &w->jobs[w->order[k]];
                struct row r;
                struct sbuf lv = SBUF_INIT;
                sbuf_addf(&lv, "%zu", j->level);
                r.cells[0] = sbuf_detach(&lv, NULL);
                r.cells[1] = xstrdup(j->id);
                r.cells[2] = xstrdup(j->name);
                r.cells[3] = xstrdup(w->name);
                r.cells[4] = xstrdup(w->relpath);
                r.cells[5] = xstrdup(ev.buf);
                vec_append(&rows, &r);
            }
            if (w->error) {
                struct row r;
                r.cells[0] = xstrdup("-");
                r.cells[1] = xstrdup("-");
                r.cells[2] = xstrdup("-");
                r.cells[3] = xstrdup(w->name);
                r.cells[4] = xstrdup(w->relpath);
                r.cells[5] = xstrdup("invalid");
                vec_append(&rows, &r);
            }
            sbuf_release(&ev);
        }
        size_t width[6] = {0};
        for (size_t i = 0; i < rows.len; i++) {
            const struct row *r = vec_at(&rows, i);
            for (int c = 0; c < 6; c++) {
                size_t l = strlen(r->cells[c]);
                if (l > width[c])
                    width[c] = l;
            }
        }
        for (size_t i = 0; i < rows.len; i++) {
            const struct row *r = vec_at(&rows, i);
            for (int c = 0; c < 6; c++) {
                if (c < 5)
                    sbuf_addf(&out, "%-*s  ", (int)width[c], r->cells[c]);
                else
                    sbuf_addf(&out, "%s\n", r->cells[c]);
            }
        }
    }
    fwrite(out.buf, 1, out.len, stdout);
    for (size_t i = 0; i < p->nworkflows; i++) {
        if (p->workflows[i].error)
            fprintf(stderr, "%s\n", p->workflows[i].error);
    }
    if (p->nerrors)
        status = CLI_USAGE;
done:
    for (size_t i = 0; i < rows.len; i++) {
        struct row *r = vec_at(&rows, i);
        for (int c = 0; c < 6; c++)
            xfree(r->cells[c]);
    }
    vec_release(&rows);
    sbuf_release(&out);
    plan_free(p);
    plan_flags_release(&f);
    return status;
}
