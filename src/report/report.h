#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

/*
 * report: classification metrics from a predictions file, and the report that shows them.
 *
 * The numbers are scikit-learn's: labels sorted as sklearn.utils.multiclass.unique_labels sorts
 * them, the confusion matrix of sklearn.metrics.confusion_matrix, and precision, recall, F1 and
 * support of precision_recall_fscore_support(zero_division=0), averaged the way
 * classification_report averages them (macro, weighted by support, micro). Averages are summed
 * in numpy's pairwise order, so they equal numpy's to the last bit.
 *
 * Lifecycle:
 *   1. struct report_read_opts o = REPORT_READ_OPTS_INIT;  (set columns, delimiter, format)
 *   2. report_load(&m, "predictions.csv", &o, &err)   streams the file once; memory grows with
 *                                                       the number of classes and of distinct
 *                                                       (true, predicted) pairs, not with rows
 *                                                       (except with a score column: 16 bytes
 *                                                       per row, for the exact ROC AUC)
 *   3. optionally report_baseline_load(&b, "old/metrics.json", &err)
 *   4. report_write(m, &(struct report_out_opts){.dir = "out", .baseline = b}, &err) writes
 *      metrics.json, report.md, confusion_matrix.svg and (with cairo) confusion_matrix.png;
 *      or call the report_render_* functions one by one
 *   5. report_baseline_free(b); report_metrics_free(m);
 *
 * Input (report_load):
 *   - CSV: a header row, RFC 4180 quoting ("" inside quotes), LF or CRLF line ends, quoted fields
 *     may span lines, a UTF-8 byte-order mark opening the file is skipped, blank lines are skipped
 * (as pandas does). The delimiter is ',' (TAB for a .tsv file) unless opts.delimiter says
 * otherwise.
 *   - JSON lines: one object per line; string, number and boolean values are labels. A line
 *     holding anything after its object is an error (as json.loads and pandas' read_json).
 *   - The true and predicted columns are opts.true_col / opts.pred_col, or else the first header
 *     (ignoring case) among y_true, label, actual, target / y_pred, prediction, predicted, pred.
 *   - An empty value, a short row or a row with more fields than the header is an error that names
 *     file and line: the numbers would otherwise silently differ from scikit-learn's.
 *
 * Labels: each column is typed on its own as pandas.read_csv types it (int64, uint64, float64 or
 * text; the first value of each kind decides, in row order), and the two are compared as numpy
 * promotes them: int64 with int64 and uint64 with uint64 exactly (2^53 + 1 is not 2^53), int64
 * with uint64 or anything with float64 as doubles ("1" and "1.0" are one label), text with text
 * as strings sorted by code point (UTF-8 byte order), as Python sorts str. A text column beside a
 * numeric one is an error, as scikit-learn refuses the mix. A number may have white space around
 * it (" 1" is 1, as pandas' parser reads it); a string label keeps its spaces. JSON lines: a
 * string or boolean anywhere makes every label a string; numbers as read_json types them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/sbuf.h"

enum report_format {
    REPORT_FORMAT_AUTO = 0, /* .jsonl/.ndjson/.json or a first byte '{' mean JSON lines */
    REPORT_FORMAT_CSV,
    REPORT_FORMAT_JSONL,
};

struct report_read_opts {
    const char *true_col;  /* NULL: found among the common names above */
    const char *pred_col;  /* NULL: likewise */
    const char *score_col; /* NULL: no score; else the positive-class score of a binary task */
    char delimiter;        /* 0: ',' or TAB for .tsv */
    enum report_format format;
};

#define REPORT_READ_OPTS_INIT ((struct report_read_opts){.format = REPORT_FORMAT_AUTO})

/* Bounds, named so that tests and docs can refer to them. */
#define REPORT_MAX_RECORD (16u << 20) /* bytes in one CSV record or JSON line */
#define REPORT_MAX_LABELS 1000000u    /* distinct labels */
#define REPORT_DENSE_MAX 1000u        /* metrics.json holds the dense matrix up to this many */
#define REPORT_TABLE_MAX 20u          /* report.md shows the matrix as a table up to this many */
#define REPORT_IMAGE_MAX 50u          /* SVG and PNG are drawn up to this many labels */
#define REPORT_CLASS_ROWS_MAX 100u    /* per-class rows shown in report.md */

struct report_class {
    const char *label;  /* borrowed from the metrics */
    double precision;   /* tp / predicted, 0 when nothing was predicted as this label */
    double recall;      /* tp / support, 0 when the label never occurs as true */
    double f1;          /* 2pr / (p + r), 0 when p + r is 0 */
    uint64_t support;   /* rows whose true label is this one */
    uint64_t predicted; /* rows predicted as this label */
    uint64_t tp;        /* rows with this label both true and predicted */
};

/* One non-zero confusion-matrix cell: `count` rows had true label t and predicted label p. */
struct report_cell {
    uint32_t t;
    uint32_t p;
    uint64_t count;
};

struct report_metrics {
    size_t n_labels;
    char **labels;       /* sorted; labels[i] is the text shown (numbers as Python prints them) */
    bool labels_numeric; /* labels are numbers (metrics.json writes them as JSON numbers) */
    struct report_class *classes; /* n_labels entries, in label order */
    size_t n_cells;
    struct report_cell *cells; /* non-zero cells sorted by (t, p) */
    uint64_t n_samples;
    double accuracy;
    double precision_macro, recall_macro, f1_macro;
    double precision_weighted, recall_weighted, f1_weighted;
    double precision_micro, recall_micro, f1_micro;
    bool has_roc_auc;
    double roc_auc; /* binary with a score column: sklearn's roc_auc_score, positive = labels[1] */
    char *true_col; /* the column names used */
    char *pred_col;
    char *source; /* the predictions file as given */
};

/*
 * Reads the predictions at path and computes the metrics. On success *out owns them (free with
 * report_metrics_free). path "-" reads standard input (named "<stdin>" in messages). Errors:
 * ERR_IO (cannot read), ERR_INVALID (bad input; the message starts with "path:line: " where
 * there is a line).
 */
int report_load(struct report_metrics **out, const char *path, const struct report_read_opts *o,
                struct err *err);
/* Same over an in-memory buffer; `name` is used in messages and picks the format like a path. */
int report_load_mem(struct report_metrics **out, const char *name, const char *data, size_t len,
                    const struct report_read_opts *o, struct err *err);
void report_metrics_free(struct report_metrics *m);
/* The count of rows with true label t and prediction p (0 for an absent cell). */
uint64_t report_cell_count(const struct report_metrics *m, size_t t, size_t p);

/* The figures of an earlier metrics.json that the comparison table shows. */
struct report_baseline {
    double accuracy, f1_macro, f1_weighted, f1_micro, precision_macro, recall_macro;
    bool has_roc_auc;
    double roc_auc;
    size_t n_classes;
    char **class_labels; /* per_class keys */
    double *class_f1;    /* per_class[label].f1 */
};

/* Reads a metrics.json written by report_write (or by hand with the same keys). */
int report_baseline_load(struct report_baseline **out, const char *path, struct err *err);
int report_baseline_parse(struct report_baseline **out, const char *name, const char *text,
                          size_t len, struct err *err);
void report_baseline_free(struct report_baseline *b);

/* Appends metrics.json: labels, confusion_matrix, accuracy, averages, per_class (see docs). */
void report_render_json(struct sbuf *out, const struct report_metrics *m);

struct report_md_opts {
    const char *title;                      /* NULL: "Model report" */
    const struct report_baseline *baseline; /* NULL: no comparison table */
    const char *image;                      /* NULL: no image line; else the file linked */
};

/* Appends the GFM report: summary, comparison, per-class table, confusion matrix, image link. */
void report_render_markdown(struct sbuf *out, const struct report_metrics *m,
                            const struct report_md_opts *o);

/*
 * The heatmap's geometry, shared by SVG and PNG so both have the same size:
 *   cell   = clamp(floor(560 / n), 28, 72) pixels
 *   width  = max(170 + n * cell + 24, 420)
 *   height = 64 + n * cell + 130
 * Only drawn for 1 <= n <= REPORT_IMAGE_MAX.
 */
void report_image_size(size_t n_labels, int *width_out, int *height_out);
/* Appends the SVG heatmap (counts, colour by row-normalised share). n_labels <= REPORT_IMAGE_MAX.
 */
void report_render_svg(struct sbuf *out, const struct report_metrics *m, const char *title);
/* True when runnel was built with cairo and can draw PNGs. */
bool report_png_available(void);
/* Writes the PNG heatmap to path. ERR_FAIL when built without cairo, ERR_IO on write errors. */
int report_render_png(const char *path, const struct report_metrics *m, const char *title,
                      struct err *err);

struct report_out_opts {
    const char *dir;                        /* created when missing */
    const char *title;                      /* NULL: "Model report" */
    const struct report_baseline *baseline; /* NULL: no comparison */
};

/* What report_write produced, for the caller to tell the user. */
struct report_written {
    bool svg;       /* confusion_matrix.svg written */
    bool png;       /* confusion_matrix.png written */
    char note[256]; /* why an image is missing, or "" */
};

/*
 * Writes metrics.json, report.md, confusion_matrix.svg and confusion_matrix.png into o->dir.
 * Images are skipped (and said so in *written and in report.md) above REPORT_IMAGE_MAX labels;
 * the PNG is skipped when built without cairo. An image left in o->dir by an earlier report and
 * not drawn this time is removed (only these two names; other files in o->dir stay).
 */
int report_write(struct report_written *written, const struct report_metrics *m,
                 const struct report_out_opts *o, struct err *err);

#endif
