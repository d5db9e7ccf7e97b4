/*
 * report: the reader's corner cases (RFC 4180 quoting, CRLF, records across the 1 MiB read
 * chunks, BOM, blank lines), label ordering and the numbers on hand-checkable inputs. The
 * comparison with scikit-learn on generated data is tests/report/check_sklearn.py.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>

#include "report/internal.h"
#include "report/report.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

static struct report_metrics *load_str(const char *name, const char *text, struct err *err)
{
    struct report_metrics *m = NULL;
    struct report_read_opts o = REPORT_READ_OPTS_INIT;
    if (report_load_mem(&m, name, text, strlen(text), &o, err))
        return NULL;
    return m;
}

static void quoted_fields_and_crlf(void)
{
    struct err err = ERR_INIT;
    /* RFC 4180: "" inside quotes is one quote; a quoted field may hold the delimiter and CRLF */
    struct report_metrics *m =
        load_str("q.csv",
                 "id,y_true,y_pred\r\n1,\"a,b\",\"a,b\"\r\n2,\"say \"\"hi\"\"\",x\r\n"
                 "3,\"two\r\nlines\",x\r\n",
                 &err);
    CHECK(m);
    CHECK_INT(m->n_samples, 3);
    CHECK_INT(m->n_labels, 4);
    /* sorted by bytes: "a,b" < "say \"hi\"" < "two\r\nlines" < "x" */
    CHECK_STR(m->labels[0], "a,b");
    CHECK_STR(m->labels[1], "say \"hi\"");
    CHECK_STR(m->labels[2], "two\r\nlines");
    CHECK_STR(m->labels[3], "x");
    CHECK_INT(report_cell_count(m, 0, 0), 1);
    CHECK_INT(report_cell_count(m, 1, 3), 1);
    CHECK_INT(report_cell_count(m, 2, 3), 1);
    report_metrics_free(m);
}

static void bom_blank_lines_and_last_line_without_newline(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m =
        load_str("b.csv", "\xEF\xBB\xBFlabel,prediction\n\na,a\n\r\nb,a\nb,b", &err);
    CHECK(m);
    CHECK_STR(m->true_col, "label");
    CHECK_STR(m->pred_col, "prediction");
    CHECK_INT(m->n_samples, 3);
    CHECK(fabs(m->accuracy - 2.0 / 3.0) < 1e-15);
    report_metrics_free(m);
}

static void numbers_sort_numerically_and_merge(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m = load_str("n.csv", "y_true,y_pred\n10,10\n2,2.0\n-1,2\n2,10\n", &err);
    CHECK(m);
    CHECK(m->labels_numeric);
    CHECK_INT(m->n_labels, 3);
    /* "2" and "2.0" are one label; printed as Python prints the floats */
    CHECK_STR(m->labels[0], "-1.0");
    CHECK_STR(m->labels[1], "2.0");
    CHECK_STR(m->labels[2], "10.0");
    CHECK_INT(report_cell_count(m, 1, 1), 1);
    report_metrics_free(m);

    m = load_str("i.csv", "y_true,y_pred\n10,9\n9,10\n100,9\n", &err);
    CHECK(m);
    CHECK_STR(m->labels[0], "9");
    CHECK_STR(m->labels[1], "10");
    CHECK_STR(m->labels[2], "100");
    report_metrics_free(m);

    /* a word in each column: pandas reads both as text, sorted by bytes: "10" < "9" < "a" */
    m = load_str("s.csv", "y_true,y_pred\n10,9\nb,a\n", &err);
    CHECK(m);
    CHECK(!m->labels_numeric);
    CHECK_STR(m->labels[0], "10");
    CHECK_STR(m->labels[1], "9");
    CHECK_STR(m->labels[2], "a");
    report_metrics_free(m);

    /* a word in one column only: int64 beside object, which scikit-learn refuses */
    CHECK(!load_str("s.csv", "y_true,y_pred\n10,9\n9,a\n", &err));
    CHECK_STR(err.msg, "s.csv: pandas reads column 'y_pred' as text (line 3: 'a' is not a number) "
                       "and column 'y_true' as numbers: scikit-learn refuses a mix of label input "
                       "types (string and number)");
}

/* pandas' parser reads " 1" as the number 1 (it skips spaces around a number); text keeps them. */
static void spaces_around_numbers(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m =
        load_str("s.csv", "y_true,y_pred\n1, 1\n0, 0\n1, 0\n\t2 ,2\r\n", &err);
    CHECK(m);
    CHECK(m->labels_numeric);
    CHECK_INT(m->n_labels, 3);
    CHECK_STR(m->labels[0], "0");
    CHECK_STR(m->labels[2], "2");
    CHECK(m->accuracy == 0.75);
    report_metrics_free(m);

    /* one word: every label is text, and " a" and "a" differ as in pandas' object column */
    m = load_str("t.csv", "y_true,y_pred\na, a\n1, 1\n", &err);
    CHECK(m);
    CHECK(!m->labels_numeric);
    CHECK_INT(m->n_labels, 4);
    CHECK_STR(m->labels[0], " 1");
    CHECK_STR(m->labels[1], " a");
    CHECK(m->accuracy == 0.0);
    report_metrics_free(m);
}

/*
 * Integers compare exactly where pandas reads both columns as int64, or both as uint64: 2^53 + 1
 * is not 2^53. Columns are typed one by one, and numpy compares int64 with uint64 as float64.
 */
static void integers_compare_exactly(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m = load_str("b.csv",
                                        "y_true,y_pred\n9007199254740993,9007199254740992\n1,1\n"
                                        "-9223372036854775808,+1\n",
                                        &err);
    CHECK(m);
    CHECK_INT(m->n_labels, 4);
    CHECK_STR(m->labels[0], "-9223372036854775808");
    CHECK_STR(m->labels[1], "1");
    CHECK_STR(m->labels[2], "9007199254740992");
    CHECK_STR(m->labels[3], "9007199254740993");
    CHECK(m->accuracy == 1.0 / 3.0);
    report_metrics_free(m);

    m = load_str("u.csv", "y_true,y_pred\n18446744073709551615,18446744073709551614\n1,1\n", &err);
    CHECK(m);
    CHECK_INT(m->n_labels, 3);
    CHECK_STR(m->labels[1], "18446744073709551614");
    CHECK_STR(m->labels[2], "18446744073709551615");
    CHECK(m->accuracy == 0.5);
    report_metrics_free(m);

    /* uint64 beside int64: float64, where 2^53 + 1 and 2^53 are one label (pandas + numpy) */
    m = load_str("p.csv",
                 "y_true,y_pred\n18446744073709551615,-1\n9007199254740993,9007199254740992\n",
                 &err);
    CHECK(m);
    CHECK(m->labels_numeric);
    CHECK_INT(m->n_labels, 3);
    CHECK_STR(m->labels[0], "-1.0");
    CHECK_STR(m->labels[1], "9007199254740992.0");
    CHECK_STR(m->labels[2], "1.8446744073709552e+19");
    CHECK(m->accuracy == 0.5);
    report_metrics_free(m);

    /* a negative and a value above int64 in one column: object, so strings */
    m = load_str("o.csv", "y_true,y_pred\n-1,18446744073709551615\n18446744073709551615,-1\n5,5\n",
                 &err);
    CHECK(m);
    CHECK(!m->labels_numeric);
    CHECK_STR(m->labels[0], "-1");
    CHECK_STR(m->labels[1], "18446744073709551615");
    CHECK_STR(m->labels[2], "5");
    report_metrics_free(m);
    CHECK(!load_str("o.csv", "y_true,y_pred\n5,-1\n5,18446744073709551615\n", &err));
    CHECK_STR(err.msg,
              "o.csv: pandas reads column 'y_pred' as text (line 2: '-1' is negative and "
              "line 3: '18446744073709551615' above int64) and column 'y_true' as numbers: "
              "scikit-learn refuses a mix of label input types (string and number)");

    /* the first field pandas' int64 pass refuses decides: an overflow first is object */
    CHECK(!load_str(
        "f.csv", "y_true,y_pred\n99999999999999999999.5,2.0\n2.0,99999999999999999999.5\n", &err));
    CHECK(strstr(err.msg, "column 'y_true' as text (line 2: '99999999999999999999.5' is an "
                          "integer beyond uint64) and column 'y_pred' as numbers"));

    m = load_str("b.jsonl",
                 "{\"y_true\": 9007199254740993, \"y_pred\": 9007199254740992}\n"
                 "{\"y_pred\": 1, \"y_true\": 1.0}\n",
                 &err);
    CHECK(m);
    CHECK_INT(m->n_labels, 3);
    CHECK_STR(m->labels[2], "9007199254740993");
    CHECK(m->accuracy == 0.5);
    report_metrics_free(m);

    /* a float among them: doubles, as pandas' float64 column (2^53 + 1 rounds to 2^53) */
    m = load_str("f.csv", "y_true,y_pred\n9007199254740993,9007199254740992\n1.5,1.5\n", &err);
    CHECK(m);
    CHECK_INT(m->n_labels, 2);
    report_metrics_free(m);
}

/* The mark opens the file; a quoted header after it is still quoted (pandas: ['y_true', ...]). */
static void bom_before_a_quoted_header(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m =
        load_str("q.csv", "\xEF\xBB\xBF\"y_true\",\"y_pred\"\r\na,b\r\n", &err);
    CHECK(m);
    CHECK_STR(m->true_col, "y_true");
    CHECK_INT(m->n_samples, 1);
    report_metrics_free(m);
}

/* A record that straddles the reader's 1 MiB chunks, and one longer than a chunk. */
static void records_across_chunks(void)
{
    struct sbuf sb = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addstr(&sb, "y_true,y_pred,note\n");
    size_t rows = 0;
    while (sb.len < (1u << 20) - 5) {
        sbuf_addstr(&sb, "a,b,\"x\"\"y\"\n");
        rows++;
    }
    sbuf_addstr(&sb, "b,b,\"");
    sbuf_addchars(&sb, 'z', 3u << 20); /* 3 MiB quoted field */
    sbuf_addstr(&sb, "\"\r\n");
    rows++;
    sbuf_addstr(&sb, "a,a,end\n");
    rows++;
    struct report_metrics *m = NULL;
    struct report_read_opts o = REPORT_READ_OPTS_INIT;
    int rc = report_load_mem(&m, "big.csv", sb.buf, sb.len, &o, &err);
    sbuf_release(&sb);
    CHECK_INT(rc, 0);
    CHECK_INT(m->n_samples, rows);
    CHECK_INT(report_cell_count(m, 1, 1), 1);
    CHECK_INT(report_cell_count(m, 0, 0), 1);
    CHECK_INT(report_cell_count(m, 0, 1), rows - 2);
    report_metrics_free(m);
}

static void errors_name_file_and_line(void)
{
    struct err err = ERR_INIT;
    CHECK(!load_str("e.csv", "", &err));
    CHECK_STR(err.msg, "e.csv: empty file: no header row");
    CHECK(!load_str("h.csv", "y_true,y_pred\n", &err));
    CHECK_STR(err.msg, "h.csv: no rows after the header: nothing to measure");
    CHECK(!load_str("m.csv", "y_true,y_pred\na,a\n\nb\n", &err));
    CHECK_STR(err.msg, "m.csv:4: row has 1 field, the header has 2 (no 'y_pred')");
    CHECK(!load_str("x.csv", "y_true,y_pred\na,a,a\n", &err));
    CHECK_STR(err.msg, "x.csv:2: row has 3 fields, the header has 2");
    CHECK(!load_str("v.csv", "y_true,y_pred\n\"\",a\n", &err));
    CHECK_STR(err.msg, "v.csv:2: empty value in column 'y_true'");
    CHECK(!load_str("u.csv", "y_true,y_pred\na,\"a\n", &err));
    CHECK_STR(err.msg, "u.csv:2: unterminated quoted field");
    CHECK(!load_str("c.csv", "truth,guess\na,a\n", &err));
    CHECK(strstr(err.msg, "no true-label column among y_true, label, actual, target"));
    CHECK(!load_str("j.jsonl", "{\"y_true\": 1, \"y_pred\": 2}\n{\"y_true\": 1}\n", &err));
    CHECK_STR(err.msg, "j.jsonl:2: missing field 'y_pred'");
    CHECK(!load_str("k.jsonl", "{\"y_true\": 1, \"y_pred\": 2}\n{\"y_true\": 1,\n", &err));
    CHECK(str_has_prefix(err.msg, "k.jsonl:2: "));
    /* json.loads: "Extra data"; the column counts from the line's start */
    CHECK(!load_str("t.jsonl", "{\"y_true\": 1, \"y_pred\": 2}\n{\"y_true\":1,\"y_pred\":1}{}\n",
                    &err));
    CHECK_STR(err.msg, "t.jsonl:2: invalid JSON at line 1, column 24: data after the value");
    CHECK(!load_str("t.jsonl", "  {\"y_true\":1,\"y_pred\":1} junk\n", &err));
    CHECK_STR(err.msg, "t.jsonl:1: invalid JSON at line 1, column 27: data after the value");
}

static void jsonl_labels(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m = load_str(
        "l.jsonl",
        "{\"actual\": true, \"predicted\": false}\n{\"actual\": true, \"predicted\": true}\n",
        &err);
    CHECK(m);
    CHECK_INT(m->n_labels, 2);
    CHECK_STR(m->labels[0], "False");
    CHECK_STR(m->labels[1], "True");
    report_metrics_free(m);
}

/* Hand-checked: the sklearn docs' example of precision_recall_fscore_support. */
static void figures_of_the_sklearn_docs_example(void)
{
    struct err err = ERR_INIT;
    /* y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog] */
    struct report_metrics *m = load_str(
        "d.csv", "y_true,y_pred\ncat,cat\ndog,pig\npig,dog\ncat,cat\ndog,cat\npig,dog\n", &err);
    CHECK(m);
    /* macro (0.22..., 0.33..., 0.26...) as in the scikit-learn documentation */
    CHECK(fabs(m->precision_macro - 2.0 / 9.0) < 1e-15);
    CHECK(fabs(m->recall_macro - 1.0 / 3.0) < 1e-15);
    CHECK(fabs(m->f1_macro - 0.8 / 3.0) < 1e-15);
    CHECK(fabs(m->classes[0].f1 - 0.8) < 1e-15);
    CHECK_INT(m->classes[1].support, 2);
    CHECK(m->classes[1].precision == 0.0);
    report_metrics_free(m);
}

static void pairwise_sum_matches_numpy_order(void)
{
    /* 1e16 + 1 + ... : the pairwise order keeps the small terms a naive loop would lose */
    double a[200];
    for (size_t i = 0; i < 200; i++)
        a[i] = i % 8 == 0 ? 1e16 : 1.0;
    double naive = 0;
    for (size_t i = 0; i < 200; i++)
        naive += a[i];
    double pw = report_pairwise_sum(a, 200);
    /* 25 big terms, 175 ones: exact sum 2.5e17 + 175 */
    CHECK(pw != naive);
    CHECK(fabs(pw - (2.5e17 + 175)) <= fabs(naive - (2.5e17 + 175)));
}

static void markdown_and_json(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m = load_str("p.csv", "y_true,y_pred\na|b,a|b\nc,a|b\n", &err);
    CHECK(m);
    struct sbuf md = SBUF_INIT, js = SBUF_INIT;
    report_render_markdown(&md, m, &(struct report_md_opts){.title = "T"});
    CHECK(strstr(md.buf, "## T\n"));
    CHECK(strstr(md.buf, "| a\\|b | 0.5000 | 1.0000 | 0.6667 | 1 |"));
    CHECK(strstr(md.buf, "| **c** | 1 (100.0%) | 0 |"));
    report_render_json(&js, m);
    struct report_baseline *b = NULL;
    CHECK_INT(report_baseline_parse(&b, "j", js.buf, js.len, &err), 0);
    CHECK(b->accuracy == m->accuracy && b->f1_macro == m->f1_macro);
    CHECK_INT(b->n_classes, 2);
    sbuf_reset(&md);
    b->f1_macro = 0.5;
    report_render_markdown(&md, m, &(struct report_md_opts){.baseline = b});
    /* f1_macro = (2/3 + 0) / 2 = 0.3333 against 0.5 */
    CHECK(strstr(md.buf, "| F1 (macro) | 0.5000 | 0.3333 | ▼ -0.1667 |"));
    CHECK(strstr(md.buf, "| accuracy | 0.5000 | 0.5000 | = 0.0000 |"));
    report_baseline_free(b);
    sbuf_release(&md);
    sbuf_release(&js);
    report_metrics_free(m);
}

/* Every cell escapes '|' (ROC AUC's positive label too) and '&' (GitHub decodes "&amp;"). */
static void markdown_escapes_every_label(void)
{
    struct err err = ERR_INIT;
    struct report_metrics *m = NULL;
    struct report_read_opts o = REPORT_READ_OPTS_INIT;
    o.score_col = "s";
    const char *csv = "y_true,y_pred,s\nx|y,x|y,0.9\na,a,0.1\nx|y,a,0.4\n&amp;,a,0.2\n";
    CHECK_INT(report_load_mem(&m, "r.csv", csv, strlen(csv), &o, &err), ERR_INVALID);
    csv = "y_true,y_pred,s\nx|y,x|y,0.9\n&amp;,&amp;,0.1\nx|y,&amp;,0.4\n&amp;,x|y,0.6\n";
    CHECK_INT(report_load_mem(&m, "r.csv", csv, strlen(csv), &o, &err), 0);
    struct sbuf md = SBUF_INIT;
    report_render_markdown(&md, m, NULL);
    CHECK(strstr(md.buf, "| ROC AUC (positive: x\\|y) | 0.7500 |\n"));
    CHECK(strstr(md.buf, "| \\&amp; | 0.5000 | 0.5000 | 0.5000 | 2 |\n"));
    CHECK(strstr(md.buf, "| **\\&amp;** |"));
    sbuf_release(&md);
    report_metrics_free(m);
}

/* An image from an earlier report that this one does not draw is removed; nothing else is. */
static void write_removes_stale_images(void)
{
    struct err err = ERR_INIT;
    const char *dir = harness_tmpdir();
    struct sbuf csv = SBUF_INIT, svg = SBUF_INIT, png = SBUF_INIT, mine = SBUF_INIT;
    sbuf_addstr(&csv, "y_true,y_pred\n");
    for (unsigned i = 0; i <= REPORT_IMAGE_MAX; i++)
        sbuf_addf(&csv, "c%u,c%u\n", i, i);
    path_join(&svg, dir, "confusion_matrix.svg");
    path_join(&png, dir, "confusion_matrix.png");
    path_join(&mine, dir, "confusion_matrix.pdf");
    CHECK_INT(fs_write_file(svg.buf, "old", 3, &err), 0);
    CHECK_INT(fs_write_file(png.buf, "old", 3, &err), 0);
    CHECK_INT(fs_write_file(mine.buf, "user", 4, &err), 0);
    struct report_metrics *m = load_str("many.csv", csv.buf, &err);
    CHECK(m);
    struct report_written w;
    CHECK_INT(report_write(&w, m, &(struct report_out_opts){.dir = dir}, &err), 0);
    report_metrics_free(m);
    CHECK(!w.svg && !w.png);
    CHECK(!fs_is_file(svg.buf));
    CHECK(!fs_is_file(png.buf));
    CHECK(fs_is_file(mine.buf));
    /* and with nothing to remove, nothing fails */
    m = load_str("many.csv", csv.buf, &err);
    CHECK(m);
    CHECK_INT(report_write(&w, m, &(struct report_out_opts){.dir = dir}, &err), 0);
    report_metrics_free(m);
    sbuf_release(&csv);
    sbuf_release(&svg);
    sbuf_release(&png);
    sbuf_release(&mine);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(quoted_fields_and_crlf),
        TEST(bom_blank_lines_and_last_line_without_newline),
        TEST(numbers_sort_numerically_and_merge),
        TEST(spaces_around_numbers),
        TEST(integers_compare_exactly),
        TEST(bom_before_a_quoted_header),
        TEST(records_across_chunks),
        TEST(errors_name_file_and_line),
        TEST(jsonl_labels),
        TEST(figures_of_the_sklearn_docs_example),
        TEST(pairwise_sum_matches_numpy_order),
        TEST(markdown_and_json),
        TEST(markdown_escapes_every_label),
        TEST(write_removes_stale_images),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
