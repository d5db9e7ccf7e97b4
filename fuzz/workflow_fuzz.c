/*
 * libFuzzer target over the workflow loader: the input is a workflow file; it is read with the
 * schema, converted (ids, needs, events, reusable-workflow checks), exported in GitHub's
 * template-token JSON form; the same bytes are also read as an action.yml. A reusable workflow
 * named ./called.yml resolves to the input itself, so called-workflow loading is exercised.
 *
 * Seed corpus: the workflows of ../shared/conformance/workflow-parser/ and act/, written one
 * per file by fuzz/workflow_seed.sh. Run:
 *   fuzz/workflow_seed.sh /tmp/workflow-corpus
 *   build-fuzz/fuzz/workflow_fuzz -max_total_time=600 -rss_limit_mb=2048 /tmp/workflow-corpus
 */
#include <stdint.h>
#include <string.h>

#include "util/sbuf.h"
#include "util/xalloc.h"
#include "workflow/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *data;
    size_t size;
    char *copy;
};

static const char *read_called(const char *ref, void *payload)
{
    struct input *in = payload;
    return in->copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wf *wf = NULL;
    struct err err = ERR_INIT;
    struct wf_load_opts o = WF_LOAD_OPTS_INIT;
    o.keep_invalid = true;
    o.lenient = size & 1;
    o.strict_events = size & 2;
    o.max_result_size = size & 8 ? 4096 : 0;
    struct input in = {data, size, xmalloc(size + 1)};
    memcpy(in.copy, data, size);
    in.copy[size] = '\0';
    o.read_file = read_called;
    o.payload = &in;
    wf_parse(&wf, "fuzz.yml", (const char *)data, size, &o, &err);
    if (wf) {
        struct sbuf out = SBUF_INIT;
        wf_export_json(&out, wf, size & 4);
        sbuf_release(&out);
        for (size_t i = 0; i < wf->njobs; i++)
            (void)wf_find_job(wf, wf->jobs[i]->id->str);
        for (size_t i = 0; i < wf->nevents; i++)
            (void)wf_find_event(wf, wf->events[i].name);
        wf_free(wf);
    }
    struct wf_action *a = NULL;
    if (wf_action_parse(&a, "action.yml", (const char *)data, size, &err) == 0)
        wf_action_free(a);
    xfree(in.copy);
    return 0;
}
