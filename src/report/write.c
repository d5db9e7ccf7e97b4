/* report_write: everything into the output folder, in one call. */
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/path.h"

static int write_sbuf(const char *dir, const char *name, const struct sbuf *sb, struct err *err)
{
    struct sbuf path = SBUF_INIT;
    path_join(&path, dir, name);
    int rc = fs_write_file(path.buf, sb->buf, sb->len, err);
    sbuf_release(&path);
    return rc;
}

/*
 * Removes an image an earlier report left in the folder and this one did not draw, so that the
 * folder never shows a picture of other numbers. Only runnel's own file names are touched.
 */
static int remove_stale(const char *dir, const char *name, struct err *err)
{
    struct sbuf path = SBUF_INIT;
    int rc = 0;
    path_join(&path, dir, name);
    if (unlink(path.buf) < 0 && errno != ENOENT)
        rc = err_errno(err, "cannot remove the earlier '%s'", path.buf);
    sbuf_release(&path);
    return rc;
}

int report_write(struct report_written *written, const struct report_metrics *m,
                 const struct report_out_opts *o, struct err *err)
{
    int rc = 0;
    struct sbuf sb = SBUF_INIT;
    struct sbuf path = SBUF_INIT;
    memset(written, 0, sizeof(*written));

    rc = fs_mkdirs(o->dir, 0755, err);
    if (rc)
        goto done;

    report_render_json(&sb, m);
    rc = write_sbuf(o->dir, "metrics.json", &sb, err);
    if (rc)
        goto done;

    const char *image = NULL;
    if (m->n_labels <= REPORT_IMAGE_MAX) {
        sbuf_reset(&sb);
        report_render_svg(&sb, m, o->title);
        rc = write_sbuf(o->dir, "confusion_matrix.svg", &sb, err);
        if (rc)
            goto done;
        written->svg = true;
        image = "confusion_matrix.svg";
        if (report_png_available()) {
            path_join(&path, o->dir, "confusion_matrix.png");
            rc = report_render_png(path.buf, m, o->title, err);
            if (rc)
                goto done;
            written->png = true;
            image = "confusion_matrix.png";
        } else {
            snprintf(written->note, sizeof(written->note),
                     "built without cairo: confusion_matrix.png not drawn (the SVG is there)");
        }
    } else {
        snprintf(written->note, sizeof(written->note),
                 "%zu labels: more than %u, so no confusion-matrix image", m->n_labels,
                 REPORT_IMAGE_MAX);
    }

    if (!written->svg) {
        rc = remove_stale(o->dir, "confusion_matrix.svg", err);
        if (rc)
            goto done;
    }
    if (!written->png) {
        rc = remove_stale(o->dir, "confusion_matrix.png", err);
        if (rc)
            goto done;
    }

    sbuf_reset(&sb);
    report_render_markdown(
        &sb, m,
        &(struct report_md_opts){.title = o->title, .baseline = o->baseline, .image = image});
    rc = write_sbuf(o->dir, "report.md", &sb, err);
done:
    sbuf_release(&sb);
    sbuf_release(&path);
    return rc;
}
