/*
 * The workflow-parser conformance cases of actions/languageservices (../shared/conformance/
 * workflow-parser/, 195 files): each case's workflow is loaded and the JSON the reference harness
 * compares ({"errors": [...]} for the 87 error cases, {"jobs": ...} for the others) must equal
 * the expected JSON at the end of the case. The counts passing in each half are printed; the
 * test fails when either falls below the bar reached so far (raise the bars as runnel improves).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/sbuf.h"
#include "util/vec.h"
#include "util/xalloc.h"
#include "workflow/workflow.h"

/* The bars: cases passing in each half at the last measurement. */
#define MIN_ERROR_CASES_PASSING 87
#define MIN_JOB_CASES_PASSING 108

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void workflow_parser_cases_match_reference(void)
{
    struct sbuf dir = SBUF_INIT;
    sbuf_addf(&dir, "%s/conformance/workflow-parser", harness_shared_dir());
    DIR *d = opendir(dir.buf);
    CHECK(d != NULL);
    struct vec names = VEC_INIT(char *);
    struct dirent *e = NULL;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0) {
            char *s = xstrdup(e->d_name);
            vec_append(&names, &s);
        }
    }
    closedir(d);
    qsort(names.items, names.len, sizeof(char *), cmp_names);

    size_t err_total = 0, err_pass = 0, job_total = 0, job_pass = 0;
    bool verbose = getenv("RUNNEL_CONFORMANCE_VERBOSE") != NULL;
    vec_foreach (char *, name, &names) {
        struct sbuf path = SBUF_INIT;
        struct sbuf got = SBUF_INIT;
        struct sbuf want = SBUF_INIT;
        struct err err = ERR_INIT;
        sbuf_addf(&path, "%s/%s", dir.buf, *name);
        int rc = wf_case_run(&got, &want, path.buf, &err);
        bool is_error_case = strstr(want.buf, "\"errors\"") == want.buf + 4 ||
                             strncmp(want.buf, "{\n  \"errors\"", 12) == 0;
        bool pass = rc == 0 && strcmp(got.buf, want.buf) == 0;
        if (is_error_case) {
            err_total++;
            err_pass += pass;
        } else {
            job_total++;
            job_pass += pass;
        }
        if (!pass && verbose)
            printf("FAIL %s\n", *name);
        sbuf_release(&path);
        sbuf_release(&got);
        sbuf_release(&want);
        xfree(*name);
    }
    vec_release(&names);
    sbuf_release(&dir);
    printf("workflow-parser conformance: error cases %zu/%zu, job cases %zu/%zu, total %zu/%zu\n",
           err_pass, err_total, job_pass, job_total, err_pass + job_pass, err_total + job_total);
    CHECK_INT(err_total + job_total, 195);
    CHECK(err_pass >= MIN_ERROR_CASES_PASSING);
    CHECK(job_pass >= MIN_JOB_CASES_PASSING);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(workflow_parser_cases_match_reference),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
