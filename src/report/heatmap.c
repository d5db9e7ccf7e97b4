/*
 * The confusion-matrix heatmap. The picture is laid out once as a list of rectangles and texts
 * (struct scene), then written as SVG here or drawn with cairo in png.c, so both show the same
 * thing at the same size. Colours follow matplotlib's "Blues" map of the row-normalised share,
 * as sklearn's ConfusionMatrixDisplay draws it.
 */
#include "report/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/heatmap.h"
#include "report/internal.h"
#include "util/str.h"
#include "util/xalloc.h"

#define LEFT 170
#define TOP 64
#define RIGHT 24
#define BOTTOM 130
#define MIN_WIDTH 420

static double cell_size(size_t n)
{
    double c = floor(560.0 / (double)n);
    if (c < 28)
        c = 28;
    if (c > 72)
        c = 72;
    return c;
}

void report_image_size(size_t n_labels, int *width_out, int *height_out)
{
    double cell = cell_size(n_labels ? n_labels : 1);
    int grid = (int)(cell * (double)n_labels);
    int w = LEFT + grid + RIGHT;
    *width_out = w < MIN_WIDTH ? MIN_WIDTH : w;
    *height_out = TOP + grid + BOTTOM;
}

/* matplotlib's Blues at nine stops; linear in between. */
static uint32_t blues(double v)
{
    static const uint32_t stops[9] = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
                                      0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
    if (!(v > 0))
        return stops[0];
    if (v >= 1)
        return stops[8];
    double x = v * 8;
    int i = (int)x;
    double f = x - i;
    uint32_t a = stops[i], b = stops[i + 1];
    uint32_t rgb = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
        double ca = (a >> shift) & 0xff, cb = (b >> shift) & 0xff;
        rgb |= (uint32_t)lround(ca + (cb - ca) * f) << shift;
    }
    return rgb;
}

static void add_rect(struct scene *s, double x, double y, double w, double h, uint32_t fill,
                     int stroke)
{
    if (s->n_rects == s->rects_alloc) {
        s->rects_alloc = s->rects_alloc ? 2 * s->rects_alloc : 64;
        s->rects = xreallocarray(s->rects, s->rects_alloc, sizeof(*s->rects));
    }
    s->rects[s->n_rects++] =
        (struct scene_rect){.x = x, .y = y, .w = w, .h = h, .fill = fill, .stroke = stroke};
}

static void add_text(struct scene *s, struct scene_text t, const char *text, size_t max_chars)
{
    if (s->n_texts == s->texts_alloc) {
        s->texts_alloc = s->texts_alloc ? 2 * s->texts_alloc : 64;
        s->texts = xreallocarray(s->texts, s->texts_alloc, sizeof(*s->texts));
    }
    /* Long labels are cut on a UTF-8 character boundary, with an ellipsis. */
    struct sbuf sb = SBUF_INIT;
    size_t chars = 0;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80 && ++chars > max_chars) {
            sbuf_addstr(&sb, "…");
            break;
        }
        sbuf_addch(&sb, (c < 0x20) ? ' ' : (char)c);
    }
    t.text = sbuf_detach(&sb, NULL);
    s->texts[s->n_texts++] = t;
}

void scene_build(struct scene *s, const struct report_metrics *m, const char *title)
{
    size_t n = m->n_labels;
    memset(s, 0, sizeof(*s));
    report_image_size(n, &s->width, &s->height);
    double cell = cell_size(n);
    double grid = cell * (double)n;
    double x0 = LEFT, y0 = TOP;

    add_rect(s, 0, 0, s->width, s->height, 0xffffff, 0);
    add_text(s, (struct scene_text){.x = 16, .y = 30, .size = 17, .rgb = 0x1f2328, .bold = 1},
             title ? title : "Confusion matrix", (size_t)(s->width - 32) / 9);
    add_text(s, (struct scene_text){.x = 16, .y = 50, .size = 12, .rgb = 0x59636e},
             "counts; colour = share of the true label's row", 80);

    double count_size = fmin(15, fmax(9, cell * 0.3));
    size_t c = 0;
    for (size_t t = 0; t < n; t++) {
        uint64_t row = m->classes[t].support;
        for (size_t p = 0; p < n; p++) {
            uint64_t v = 0;
            if (c < m->n_cells && m->cells[c].t == t && m->cells[c].p == p)
                v = m->cells[c++].count;
            double share = row ? (double)v / (double)row : 0;
            double x = x0 + cell * (double)p, y = y0 + cell * (double)t;
            add_rect(s, x, y, cell, cell, blues(share), 1);
            uint32_t ink = share > 0.5 ? 0xffffff : 0x1f2328;
            char num[32];
            snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
            bool two_lines = cell >= 48 && v > 0;
            double cy = y + cell / 2 + count_size * 0.35 - (two_lines ? count_size * 0.45 : 0);
            add_text(s,
                     (struct scene_text){.x = x + cell / 2,
                                         .y = cy,
                                         .size = count_size,
                                         .rgb = ink,
                                         .anchor = SCENE_MIDDLE,
                                         .bold = t == p},
                     num, 20);
            if (two_lines) {
                char pct[32];
                snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * share);
                add_text(s,
                         (struct scene_text){.x = x + cell / 2,
                                             .y = cy + count_size * 1.1,
                                             .size = count_size * 0.72,
                                             .rgb = ink,
                                             .anchor = SCENE_MIDDLE},
                         pct, 10);
            }
        }
    }
    double label_size = fmin(13, fmax(9, cell * 0.36));
    for (size_t i = 0; i < n; i++) {
        /* true labels on the left, right-aligned against the grid */
        add_text(s,
                 (struct scene_text){.x = x0 - 8,
                                     .y = y0 + cell * ((double)i + 0.5) + label_size * 0.35,
                                     .size = label_size,
                                     .rgb = 0x1f2328,
                                     .anchor = SCENE_END},
                 m->labels[i], 18);
        /* predicted labels under the grid, turned 45 degrees so long ones fit */
        add_text(s,
                 (struct scene_text){.x = x0 + cell * ((double)i + 0.5) + label_size * 0.35,
                                     .y = y0 + grid + 8,
                                     .size = label_size,
                                     .rgb = 0x1f2328,
                                     .anchor = SCENE_END,
                                     .rotate = -45},
                 m->labels[i], 14);
    }
    add_text(s,
             (struct scene_text){.x = x0 + grid / 2,
                                 .y = s->height - 12,
                                 .size = 13,
                                 .rgb = 0x1f2328,
                                 .anchor = SCENE_MIDDLE,
                                 .bold = 1},
             "Predicted label", 40);
    add_text(s,
             (struct scene_text){.x = 22,
                                 .y = y0 + grid / 2,
                                 .size = 13,
                                 .rgb = 0x1f2328,
                                 .anchor = SCENE_MIDDLE,
                                 .bold = 1,
                                 .rotate = -90},
             "True label", 40);
}

void scene_release(struct scene *s)
{
    for (size_t i = 0; i < s->n_texts; i++)
        xfree(s->texts[i].text);
    xfree(s->texts);
    xfree(s->rects);
    memset(s, 0, sizeof(*s));
}

/*
 * What XML 1.0 forbids even escaped must not reach the SVG: control characters, ill-formed UTF-8
 * (overlong forms, surrogates, beyond U+10FFFF) and U+FFFE/U+FFFF. Each bad byte becomes '?'.
 */
static void sanitize_utf8(char *s)
{
    while (*s) {
        uint32_t cp = 0;
        size_t n = utf8_decode(s, SIZE_MAX, &cp);
        if (!n || cp == 0xFFFE || cp == 0xFFFF || (cp < 0x20 && cp != '\t')) {
            *s++ = '?';
            continue;
        }
        s += n;
    }
}

void report_render_svg(struct sbuf *out, const struct report_metrics *m, const char *title)
{
    struct scene s;
    scene_build(&s, m, title);
    sbuf_addf(out,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
              "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
              s.width, s.height, s.width, s.height);
    for (size_t i = 0; i < s.n_rects; i++) {
        const struct scene_rect *r = &s.rects[i];
        sbuf_addf(out, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"#%06x\"%s/>\n",
                  r->x, r->y, r->w, r->h, r->fill,
                  r->stroke ? " stroke=\"#ffffff\" stroke-width=\"1\"" : "");
    }
    static const char *const anchors[] = {"start", "middle", "end"};
    for (size_t i = 0; i < s.n_texts; i++) {
        const struct scene_text *t = &s.texts[i];
        sanitize_utf8(t->text);
        sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"#%06x\"", t->x, t->y,
                  t->size, t->rgb);
        if (t->anchor != SCENE_START)
            sbuf_addf(out, " text-anchor=\"%s\"", anchors[t->anchor]);
        if (t->bold)
            sbuf_addstr(out, " font-weight=\"bold\"");
        if (t->rotate != 0)
            sbuf_addf(out, " transform=\"rotate(%g %.1f %.1f)\"", t->rotate, t->x, t->y);
        sbuf_addch(out, '>');
        sbuf_add_xml_escaped(out, t->text, strlen(t->text));
        sbuf_addstr(out, "</text>\n");
    }
    sbuf_addstr(out, "</svg>\n");
    scene_release(&s);
}
