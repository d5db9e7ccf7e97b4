/*
 * The PNG heatmap, drawn with cairo (the optional PkgConfig::CAIRO target; without it runnel
 * still writes the SVG and says the PNG is missing). The shapes come from scene_build, so the
 * PNG matches the SVG pixel for pixel in layout. Text uses cairo's toy font API with the
 * "DejaVu Sans" face (Debian's fonts-dejavu-core), which fontconfig resolves; fontconfig is cairo's
 * own dependency and is named here only to release its state.
 */
#include "report/report.h"

#include "report/heatmap.h"

#ifdef RUNNEL_HAVE_CAIRO

#include <math.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

bool report_png_available(void)
{
    return true;
}

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

int report_render_png(const char *path, const struct report_metrics *m, const char *title,
                      struct err *err)
{
    int rc = 0;
    struct scene s;
    scene_build(&s, m, title);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, s.width, s.height);
    cairo_t *cr = cairo_create(surface);

    for (size_t i = 0; i < s.n_rects; i++) {
        const struct scene_rect *r = &s.rects[i];
        cairo_rectangle(cr, r->x, r->y, r->w, r->h);
        set_rgb(cr, r->fill);
        if (r->stroke) {
            cairo_fill_preserve(cr);
            set_rgb(cr, 0xffffff);
            cairo_set_line_width(cr, 1);
            cairo_stroke(cr);
        } else {
            cairo_fill(cr);
        }
    }
    for (size_t i = 0; i < s.n_texts; i++) {
        const struct scene_text *t = &s.texts[i];
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               t->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, t->size);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, t->text, &ext);
        double dx = 0;
        if (t->anchor == SCENE_MIDDLE)
            dx = -ext.x_advance / 2;
        else if (t->anchor == SCENE_END)
            dx = -ext.x_advance;
        cairo_save(cr);
        cairo_translate(cr, t->x, t->y);
        cairo_rotate(cr, t->rotate * M_PI / 180.0);
        cairo_move_to(cr, dx, 0);
        set_rgb(cr, t->rgb);
        cairo_show_text(cr, t->text);
        cairo_restore(cr);
    }
    cairo_surface_flush(surface);
    cairo_status_t st = cairo_surface_write_to_png(surface, path);
    if (st != CAIRO_STATUS_SUCCESS)
        rc = err_set(err, ERR_IO, "cannot write '%s': %s", path, cairo_status_to_string(st));
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    scene_release(&s);
    /*
     * Drop cairo's font caches and fontconfig's configuration: a report draws one PNG, and this
     * keeps LeakSanitizer's view of the process clean (as curl_global_cleanup does for curl).
     */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}

#else

bool report_png_available(void)
{
    return false;
}

int report_render_png(const char *path, const struct report_metrics *m, const char *title,
                      struct err *err)
{
    return err_set(err, ERR_FAIL, "runnel was built without cairo (libcairo2-dev): no PNG");
}

#endif
