/* report.md: GitHub-flavoured markdown that reads well in a pull-request comment. */
#include "report/report.h"

#include <math.h>
#include <string.h>

/*
 * Label text safe inside a GFM table cell: markdown punctuation and '|' escaped, no newlines.
 * '&' is escaped too, or GitHub would show the label "&amp;" as "&" (an entity reference).
 */
static void add_cell_text(struct sbuf *out, const char *s, size_t max_chars)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80 && ++n > max_chars) {
            sbuf_addstr(out, "…");
            return;
        }
        if (c == '\n' || c == '\r' || c == '\t') {
            sbuf_addch(out, ' ');
        } else if (strchr("\\|*_`<>[]#~&", c)) {
            sbuf_addch(out, '\\');
            sbuf_addch(out, (char)c);
        } else {
            sbuf_addch(out, (char)c);
        }
    }
}

static void add_delta(struct sbuf *out, double base, double cur)
{
    double d = cur - base;
    /* Shown to four decimals: a change that rounds to zero is no change. */
    if (fabs(d) < 0.00005)
        sbuf_addf(out, "= %.4f", 0.0);
    else if (d > 0)
        sbuf_addf(out, "▲ +%.4f", d);
    else
        sbuf_addf(out, "▼ %.4f", d);
}

static const double *baseline_class_f1(const struct report_baseline *b, const char *label)
{
    for (size_t i = 0; i < b->n_classes; i++) {
        if (!strcmp(b->class_labels[i], label))
            return &b->class_f1[i];
    }
    return NULL;
}

static void render_summary(struct sbuf *out, const struct report_metrics *m)
{
    sbuf_addstr(out, "| metric | value |\n|---|---:|\n");
    sbuf_addf(out, "| accuracy | %.4f |\n", m->accuracy);
    sbuf_addf(out, "| precision (macro) | %.4f |\n", m->precision_macro);
    sbuf_addf(out, "| recall (macro) | %.4f |\n", m->recall_macro);
    sbuf_addf(out, "| F1 (macro) | %.4f |\n", m->f1_macro);
    sbuf_addf(out, "| precision (weighted) | %.4f |\n", m->precision_weighted);
    sbuf_addf(out, "| recall (weighted) | %.4f |\n", m->recall_weighted);
    sbuf_addf(out, "| F1 (weighted) | %.4f |\n", m->f1_weighted);
    sbuf_addf(out, "| F1 (micro) | %.4f |\n", m->f1_micro);
    if (m->has_roc_auc) {
        sbuf_addstr(out, "| ROC AUC (positive: ");
        add_cell_text(out, m->labels[1], 40);
        sbuf_addf(out, ") | %.4f |\n", m->roc_auc);
    }
    sbuf_addch(out, '\n');
}

static void render_comparison(struct sbuf *out, const struct report_metrics *m,
                              const struct report_baseline *b)
{
    struct {
        const char *name;
        double base, cur;
    } rows[] = {
        {"accuracy", b->accuracy, m->accuracy},
        {"precision (macro)", b->precision_macro, m->precision_macro},
        {"recall (macro)", b->recall_macro, m->recall_macro},
        {"F1 (macro)", b->f1_macro, m->f1_macro},
        {"F1 (weighted)", b->f1_weighted, m->f1_weighted},
        {"F1 (micro)", b->f1_micro, m->f1_micro},
    };
    sbuf_addstr(out, "### Compared with the baseline\n\n"
                     "| metric | baseline | this run | change |\n|---|---:|---:|---:|\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        sbuf_addf(out, "| %s | %.4f | %.4f | ", rows[i].name, rows[i].base, rows[i].cur);
        add_delta(out, rows[i].base, rows[i].cur);
        sbuf_addstr(out, " |\n");
    }
    if (m->has_roc_auc && b->has_roc_auc) {
        sbuf_addf(out, "| ROC AUC | %.4f | %.4f | ", b->roc_auc, m->roc_auc);
        add_delta(out, b->roc_auc, m->roc_auc);
        sbuf_addstr(out, " |\n");
    }
    sbuf_addch(out, '\n');
}

static void render_classes(struct sbuf *out, const struct report_metrics *m,
                           const struct report_baseline *b)
{
    sbuf_addstr(out, "### Per class\n\n| class | precision | recall | F1 | support |");
    sbuf_addstr(out, b ? " F1 change |\n|---|---:|---:|---:|---:|---:|\n"
                       : "\n|---|---:|---:|---:|---:|\n");
    size_t shown = m->n_labels < REPORT_CLASS_ROWS_MAX ? m->n_labels : REPORT_CLASS_ROWS_MAX;
    for (size_t i = 0; i < shown; i++) {
        const struct report_class *c = &m->classes[i];
        sbuf_addstr(out, "| ");
        add_cell_text(out, c->label, 40);
        sbuf_addf(out, " | %.4f | %.4f | %.4f | %llu |", c->precision, c->recall, c->f1,
                  (unsigned long long)c->support);
        if (b) {
            const double *f1 = baseline_class_f1(b, c->label);
            sbuf_addch(out, ' ');
            if (f1)
                add_delta(out, *f1, c->f1);
            else
                sbuf_addstr(out, "new");
            sbuf_addstr(out, " |");
        }
        sbuf_addch(out, '\n');
    }
    if (shown < m->n_labels) {
        sbuf_addf(out, "\n%zu more classes are in `metrics.json`.\n", m->n_labels - shown);
    }
    sbuf_addch(out, '\n');
}

static void render_matrix(struct sbuf *out, const struct report_metrics *m)
{
    size_t k = m->n_labels;
    sbuf_addstr(out, "### Confusion matrix\n\n");
    if (k > REPORT_TABLE_MAX) {
        sbuf_addf(out, "%zu classes are too many for a table; the matrix is in `metrics.json`.\n\n",
                  k);
        return;
    }
    sbuf_addstr(out, "Rows are true labels, columns predicted labels; each cell is a count and "
                     "its share of the row.\n\n| true \\\\ predicted |");
    for (size_t p = 0; p < k; p++) {
        sbuf_addch(out, ' ');
        add_cell_text(out, m->labels[p], 20);
        sbuf_addstr(out, " |");
    }
    sbuf_addstr(out, "\n|---|");
    for (size_t p = 0; p < k; p++)
        sbuf_addstr(out, "---:|");
    sbuf_addch(out, '\n');
    size_t c = 0;
    for (size_t t = 0; t < k; t++) {
        uint64_t row = m->classes[t].support;
        sbuf_addstr(out, "| **");
        add_cell_text(out, m->labels[t], 20);
        sbuf_addstr(out, "** |");
        for (size_t p = 0; p < k; p++) {
            uint64_t v = 0;
            if (c < m->n_cells && m->cells[c].t == t && m->cells[c].p == p)
                v = m->cells[c++].count;
            if (v == 0) {
                sbuf_addstr(out, " 0 |");
            } else {
                double pct = 100.0 * (double)v / (double)row;
                sbuf_addf(out, t == p ? " **%llu** (%.1f%%) |" : " %llu (%.1f%%) |",
                          (unsigned long long)v, pct);
            }
        }
        sbuf_addch(out, '\n');
    }
    sbuf_addch(out, '\n');
}

void report_render_markdown(struct sbuf *out, const struct report_metrics *m,
                            const struct report_md_opts *o)
{
    const char *title = o && o->title ? o->title : "Model report";
    const struct report_baseline *b = o ? o->baseline : NULL;
    sbuf_addstr(out, "## ");
    add_cell_text(out, title, 200);
    sbuf_addf(out, "\n\n%llu predictions, %zu class%s (columns `%s` and `%s`)",
              (unsigned long long)m->n_samples, m->n_labels, m->n_labels == 1 ? "" : "es",
              m->true_col ? m->true_col : "?", m->pred_col ? m->pred_col : "?");
    sbuf_addf(out, ": accuracy **%.4f**, macro F1 **%.4f**.\n\n", m->accuracy, m->f1_macro);
    render_summary(out, m);
    if (b)
        render_comparison(out, m, b);
    render_classes(out, m, b);
    render_matrix(out, m);
    if (o && o->image)
        sbuf_addf(out, "![Confusion matrix](%s \"Confusion matrix\")\n", o->image);
}
