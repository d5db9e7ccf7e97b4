#ifndef REPORT_HEATMAP_H
#define REPORT_HEATMAP_H

/*
 * The heatmap laid out as a list of shapes (module-private): heatmap.c builds it and writes SVG,
 * png.c draws the same list with cairo. Coordinates are pixels from the top-left corner; a
 * text's (x, y) is its baseline anchor point, and `rotate` turns it (degrees, clockwise as in
 * SVG) around that point.
 */

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

enum scene_anchor { SCENE_START = 0, SCENE_MIDDLE = 1, SCENE_END = 2 };

struct scene_rect {
    double x, y, w, h;
    uint32_t fill; /* 0xRRGGBB */
    int stroke;    /* a thin white border (grid lines) */
};

struct scene_text {
    double x, y;
    double size; /* font size in pixels */
    uint32_t rgb;
    enum scene_anchor anchor;
    int bold;
    double rotate;
    char *text; /* owned, UTF-8 */
};

struct scene {
    int width, height;
    struct scene_rect *rects;
    size_t n_rects, rects_alloc;
    struct scene_text *texts;
    size_t n_texts, texts_alloc;
};

void scene_build(struct scene *s, const struct report_metrics *m, const char *title);
void scene_release(struct scene *s);

#endif
