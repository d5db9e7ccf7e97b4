/* metrics.json: written for people and for the next run's baseline; read back as a baseline. */
#include "report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report/internal.h"
#include "util/str.h"
#include "util/json.h"
#include "util/xalloc.h"

#define BASELINE_MAX_BYTES (256u << 20)

/* The shortest %g spelling that reads back as the same double (what Python's json writes). */
static void add_double(struct sbuf *out, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        sbuf_addstr(out, "null");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    sbuf_addstr(out, buf);
}

/* A JSON string body: escaped, with ill-formed UTF-8 bytes replaced by U+FFFD (RFC 8259). */
static void add_str(struct sbuf *out, const char *s)
{
    while (*s) {
        uint32_t cp;
        size_t n = utf8_decode(s, SIZE_MAX, &cp);
        if (n) {
            sbuf_add_json_escaped(out, s, n);
            s += n;
        } else {
            sbuf_addstr(out, "\\ufffd");
            s++;
        }
    }
}

static void add_label(struct sbuf *out, const struct report_metrics *m, size_t i)
{
    if (m->labels_numeric) {
        sbuf_addstr(out, m->labels[i]);
        return;
    }
    sbuf_addch(out, '"');
    add_str(out, m->labels[i]);
    sbuf_addch(out, '"');
}

static void add_key_double(struct sbuf *out, const char *key, double v)
{
    sbuf_addf(out, "  \"%s\": ", key);
    add_double(out, v);
    sbuf_addstr(out, ",\n");
}

void report_render_json(struct sbuf *out, const struct report_metrics *m)
{
    size_t k = m->n_labels;
    sbuf_addstr(out, "{\n  \"source\": \"");
    add_str(out, m->source ? m->source : "");
    sbuf_addstr(out, "\",\n  \"true_col\": \"");
    add_str(out, m->true_col ? m->true_col : "");
    sbuf_addstr(out, "\",\n  \"pred_col\": \"");
    add_str(out, m->pred_col ? m->pred_col : "");
    sbuf_addf(out, "\",\n  \"n_samples\": %llu,\n  \"labels\": [",
              (unsigned long long)m->n_samples);
    for (size_t i = 0; i < k; i++) {
        if (i)
            sbuf_addstr(out, ", ");
        add_label(out, m, i);
    }
    sbuf_addstr(out, "],\n");
    if (k <= REPORT_DENSE_MAX) {
        sbuf_addstr(out, "  \"confusion_matrix\": [");
        size_t c = 0;
        for (size_t t = 0; t < k; t++) {
            sbuf_addstr(out, t ? ",\n    [" : "\n    [");
            for (size_t p = 0; p < k; p++) {
                uint64_t v = 0;
                if (c < m->n_cells && m->cells[c].t == t && m->cells[c].p == p)
                    v = m->cells[c++].count;
                sbuf_addf(out, p ? ", %llu" : "%llu", (unsigned long long)v);
            }
            sbuf_addch(out, ']');
        }
        sbuf_addstr(out, "\n  ],\n");
    } else {
        /* A dense matrix of a million labels squared would not fit anywhere useful. */
        sbuf_addstr(out, "  \"confusion_matrix_sparse\": [");
        for (size_t c = 0; c < m->n_cells; c++) {
            sbuf_addf(out, "%s[%u, %u, %llu]", c ? ", " : "", m->cells[c].t, m->cells[c].p,
                      (unsigned long long)m->cells[c].count);
        }
        sbuf_addstr(out, "],\n");
    }
    add_key_double(out, "accuracy", m->accuracy);
    add_key_double(out, "f1_macro", m->f1_macro);
    add_key_double(out, "f1_weighted", m->f1_weighted);
    add_key_double(out, "f1_micro", m->f1_micro);
    add_key_double(out, "precision_macro", m->precision_macro);
    add_key_double(out, "recall_macro", m->recall_macro);
    add_key_double(out, "precision_weighted", m->precision_weighted);
    add_key_double(out, "recall_weighted", m->recall_weighted);
    add_key_double(out, "precision_micro", m->precision_micro);
    add_key_double(out, "recall_micro", m->recall_micro);
    if (m->has_roc_auc)
        add_key_double(out, "roc_auc", m->roc_auc);
    sbuf_addstr(out, "  \"per_class\": {");
    for (size_t i = 0; i < k; i++) {
        const struct report_class *c = &m->classes[i];
        sbuf_addstr(out, i ? ",\n    \"" : "\n    \"");
        add_str(out, c->label);
        sbuf_addstr(out, "\": {\"precision\": ");
        add_double(out, c->precision);
        sbuf_addstr(out, ", \"recall\": ");
        add_double(out, c->recall);
        sbuf_addstr(out, ", \"f1\": ");
        add_double(out, c->f1);
        sbuf_addf(out, ", \"support\": %llu}", (unsigned long long)c->support);
    }
    sbuf_addstr(out, "\n  }\n}\n");
}

/* ---- baseline ---- */

static int get_number(double *out, const cJSON *obj, const char *key, const char *name,
                      struct err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v))
        return err_set(err, ERR_INVALID, "%s: no number '%s'", name, key);
    *out = v->valuedouble;
    return 0;
}

int report_baseline_parse(struct report_baseline **out, const char *name, const char *text,
                          size_t len, struct err *err)
{
    int rc = 0;
    cJSON *root = NULL;
    struct report_baseline *b = xcalloc(1, sizeof(*b));

    rc = json_parse(&root, text, len, err);
    if (rc) {
        err_prefix(err, "%s: ", name);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        rc = err_set(err, ERR_INVALID, "%s: not a metrics.json object", name);
        goto done;
    }
    struct {
        const char *key;
        double *dst;
    } keys[] = {
        {"accuracy", &b->accuracy},
        {"f1_macro", &b->f1_macro},
        {"f1_weighted", &b->f1_weighted},
        {"f1_micro", &b->f1_micro},
        {"precision_macro", &b->precision_macro},
        {"recall_macro", &b->recall_macro},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        rc = get_number(keys[i].dst, root, keys[i].key, name, err);
        if (rc)
            goto done;
    }
    const cJSON *auc = cJSON_GetObjectItemCaseSensitive(root, "roc_auc");
    if (cJSON_IsNumber(auc)) {
        b->has_roc_auc = true;
        b->roc_auc = auc->valuedouble;
    }
    const cJSON *per = cJSON_GetObjectItemCaseSensitive(root, "per_class");
    if (cJSON_IsObject(per)) {
        size_t n = (size_t)cJSON_GetArraySize(per);
        b->class_labels = xcalloc(n ? n : 1, sizeof(*b->class_labels));
        b->class_f1 = xcalloc(n ? n : 1, sizeof(*b->class_f1));
        for (const cJSON *it = per->child; it; it = it->next) {
            const cJSON *f1 = cJSON_GetObjectItemCaseSensitive(it, "f1");
            if (!cJSON_IsNumber(f1) || !it->string)
                continue;
            b->class_labels[b->n_classes] = xstrdup(it->string);
            b->class_f1[b->n_classes] = f1->valuedouble;
            b->n_classes++;
        }
    }
    *out = b;
    b = NULL;
done:
    cJSON_Delete(root);
    report_baseline_free(b);
    return rc;
}

int report_baseline_load(struct report_baseline **out, const char *path, struct err *err)
{
    struct sbuf sb = SBUF_INIT;
    int rc = sbuf_read_file(&sb, path, BASELINE_MAX_BYTES, err);
    if (!rc)
        rc = report_baseline_parse(out, path, sb.buf, sb.len, err);
    sbuf_release(&sb);
    return rc;
}

void report_baseline_free(struct report_baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_classes; i++)
        xfree(b->class_labels[i]);
    xfree(b->class_labels);
    xfree(b->class_f1);
    xfree(b);
}
