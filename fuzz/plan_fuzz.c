/*
 * libFuzzer target for plan/: the input is a workflow; when it loads, every job's strategy is
 * expanded (matrix product, include/exclude, fromJSON, the limit), its runs-on mapped, and the
 * workflow's on: matched against a push and a pull_request event. The same bytes also go
 * through the dotenv parser of --secret-file/--env-file.
 * Seeds: the workflow files of ../shared/conformance (fuzz/run.sh plan).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const changed[] = {"src/a.c", "docs/readme.md"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a = ARENA_INIT;
    struct err err = ERR_INIT;
    struct vec kv = VEC_INIT(struct plan_kv);
    (void)plan_dotenv_parse(&kv, &a, "fuzz.env", (const char *)data, size, &err);
    vec_release(&kv);

    struct wf *wf = NULL;
    if (wf_parse(&wf, "fuzz.yml", (const char *)data, size, NULL, &err) == 0) {
        static const struct plan_kv platforms[] = {{"ubuntu-*", "host"}, {"linux", "host"}};
        struct plan p = {0};
        p.platforms = (struct plan_kv *)platforms;
        p.nplatforms = 2;
        struct val ctx = val_new_object(&a);
        for (size_t i = 0; i < wf->njobs; i++) {
            struct plan_matrix m;
            struct plan_matrix_opts mo = {.contexts = &ctx, .plan = &p};
            (void)plan_matrix_expand(&m, &a, wf->jobs[i], &mo, &err);
            (void)plan_matrix_needs_needs(wf->jobs[i]);
        }
        struct plan_event ev = {0};
        ev.name = "push";
        ev.ref = "refs/heads/main";
        ev.ref_name = "main";
        ev.head_ref = "";
        ev.base_ref = "";
        ev.changed = (const char **)changed;
        ev.nchanged = 2;
        ev.changed_known = true;
        ev.payload = val_new_object(&a);
        struct sbuf reason = SBUF_INIT;
        (void)plan_on_matches(wf, &ev, &reason);
        ev.name = "pull_request";
        ev.type = "opened";
        ev.base_ref = "main";
        sbuf_reset(&reason);
        (void)plan_on_matches(wf, &ev, &reason);
        sbuf_release(&reason);
        wf_free(wf);
    }
    arena_release(&a);
    return 0;
}
