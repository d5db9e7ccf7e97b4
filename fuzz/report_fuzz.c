/*
 * libFuzzer target for the predictions reader and the renderers: the first byte picks the format
 * and delimiter, the rest is the file. Whatever loads is rendered as markdown, metrics.json (read
 * back as a baseline) and SVG. Seeds: tests/data/report/.
 */
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char delims[4] = {0, ';', '\t', '|'};
    struct report_read_opts o = REPORT_READ_OPTS_INIT;
    o.format = (data[0] & 3) == 3   ? REPORT_FORMAT_JSONL
               : (data[0] & 3) == 2 ? REPORT_FORMAT_AUTO
                                    : REPORT_FORMAT_CSV;
    o.delimiter = delims[(data[0] >> 2) & 3];
    if (data[0] & 0x10)
        o.score_col = "score";
    struct report_metrics *m = NULL;
    struct err err = ERR_INIT;
    if (report_load_mem(&m, "fuzz.csv", (const char *)data + 1, size - 1, &o, &err))
        return 0;
    struct sbuf sb = SBUF_INIT;
    report_render_json(&sb, m);
    struct report_baseline *b = NULL;
    if (report_baseline_parse(&b, "fuzz.json", sb.buf, sb.len, &err))
        __builtin_trap(); /* what we write must read back */
    sbuf_reset(&sb);
    report_render_markdown(&sb, m, &(struct report_md_opts){.baseline = b, .image = "x.png"});
    if (m->n_labels <= REPORT_IMAGE_MAX) {
        sbuf_reset(&sb);
        report_render_svg(&sb, m, "t");
    }
    sbuf_release(&sb);
    report_baseline_free(b);
    report_metrics_free(m);
    return 0;
}
