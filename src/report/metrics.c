#include "report/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

/* ---- the accumulator ---- */

void acc_init(struct acc *a, bool want_scores)
{
    memset(a, 0, sizeof(*a));
    a->n_slots = 64;
    a->slots = xcalloc(a->n_slots, sizeof(*a->slots));
    a->pair_slots = 256;
    a->pairs = xmalloc(a->pair_slots * sizeof(*a->pairs));
    for (size_t i = 0; i < a->pair_slots; i++)
        a->pairs[i].key = ACC_EMPTY;
    a->dense = xcalloc((size_t)ACC_DENSE * ACC_DENSE, sizeof(*a->dense));
    a->want_scores = want_scores;
}

void acc_release(struct acc *a)
{
    for (size_t i = 0; i < a->n_labels; i++)
        xfree(a->labels[i].text);
    xfree(a->labels);
    xfree(a->slots);
    xfree(a->pairs);
    xfree(a->dense);
    xfree(a->scores);
    memset(a, 0, sizeof(*a));
}

/* FNV-1a: labels are short, and this is only paid once per field. */
static uint64_t hash_bytes(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211u;
    }
    return h;
}

/*
 * Whether text reads as a number the way pandas' C parser reads a numeric column:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, with spaces around it allowed
 * (pandas' str_to_int64 and xstrtod skip them; a label that stays text keeps them). An integer
 * also gets its exact value: pandas reads int64 or uint64 exactly, so integers are compared
 * exactly, not as doubles. An integer outside both ranges makes pandas read the column as text,
 * so it is not a number here either.
 */
static bool parse_number(struct acc_label *l, const char *p, size_t len)
{
    /* str_trim's bytes are pandas' isspace_ascii (tokenizer.c). */
    struct str t = str_trim(str_make(p, len));
    p = t.p;
    len = t.len;
    size_t i = 0;
    size_t digits = 0;
    bool is_int = true;
    bool negative = false;
    bool overflow = false;
    uint64_t mag = 0;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        negative = p[i++] == '-';
    while (i < len && p[i] >= '0' && p[i] <= '9') {
        unsigned d = (unsigned)(p[i] - '0');
        if (mag > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            mag = mag * 10 + d;
        i++;
        digits++;
    }
    if (i < len && p[i] == '.') {
        is_int = false;
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        is_int = false;
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
            exp_digits++;
        }
        if (!exp_digits)
            return false;
    }
    if (i != len || len > 400)
        return false;
    if (is_int && (overflow || (negative && mag > (uint64_t)1 << 63)))
        return false;
    char buf[402];
    memcpy(buf, p, len);
    buf[len] = '\0';
    l->value = strtod(buf, NULL);
    l->integer = is_int;
    l->negative = is_int && negative && mag != 0;
    l->mag = is_int ? mag : 0;
    return isfinite(l->value);
}

static void grow_slots(struct acc *a)
{
    size_t n = a->n_slots * 2;
    uint32_t *slots = xcalloc(n, sizeof(*slots));
    for (size_t i = 0; i < a->n_labels; i++) {
        size_t s = a->labels[i].hash & (n - 1);
        while (slots[s])
            s = (s + 1) & (n - 1);
        slots[s] = (uint32_t)(i + 1);
    }
    xfree(a->slots);
    a->slots = slots;
    a->n_slots = n;
}

int acc_intern(uint32_t *out, struct acc *a, const char *p, size_t len, bool json_string,
               bool json_number, struct err *err)
{
    uint64_t h = hash_bytes(p, len);
    size_t s = h & (a->n_slots - 1);
    while (a->slots[s]) {
        struct acc_label *l = &a->labels[a->slots[s] - 1];
        if (l->hash == h && l->len == len && !memcmp(l->text, p, len)) {
            if (json_string)
                l->json_string = true;
            *out = a->slots[s] - 1;
            return 0;
        }
        s = (s + 1) & (a->n_slots - 1);
    }
    /* Labels are C strings everywhere downstream (metrics.json keys, markdown, SVG). */
    if (memchr(p, '\0', len))
        return err_set(err, ERR_INVALID, "a label contains a NUL byte");
    if (a->n_labels >= REPORT_MAX_LABELS)
        return err_set(err, ERR_INVALID, "more than %u distinct labels", REPORT_MAX_LABELS);
    if (a->n_labels == a->labels_alloc) {
        a->labels_alloc = a->labels_alloc ? 2 * a->labels_alloc : 16;
        a->labels = xreallocarray(a->labels, a->labels_alloc, sizeof(*a->labels));
    }
    struct acc_label *l = &a->labels[a->n_labels];
    memset(l, 0, sizeof(*l));
    l->text = xstrndup(p, len);
    l->len = len;
    l->hash = h;
    l->json_string = json_string;
    l->numeric = parse_number(l, p, len);
    if (json_number && !l->numeric) {
        /* A JSON number cJSON accepted but we did not (e.g. a huge exponent): keep it as text. */
        l->json_string = true;
    }
    a->slots[s] = (uint32_t)(a->n_labels + 1);
    *out = (uint32_t)a->n_labels;
    a->n_labels++;
    if (a->n_labels * 2 > a->n_slots)
        grow_slots(a);
    return 0;
}

/* Fibonacci hashing, folded so that both halves of the key (true and predicted) count. */
static size_t pair_slot(uint64_t key, size_t n_slots)
{
    uint64_t h = key * 0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 32)) & (n_slots - 1);
}

static void grow_pairs(struct acc *a)
{
    size_t n = a->pair_slots * 2;
    struct acc_pair *pairs = xmalloc(n * sizeof(*pairs));
    for (size_t i = 0; i < n; i++)
        pairs[i].key = ACC_EMPTY;
    for (size_t i = 0; i < a->pair_slots; i++) {
        if (a->pairs[i].key == ACC_EMPTY)
            continue;
        size_t s = pair_slot(a->pairs[i].key, n);
        while (pairs[s].key != ACC_EMPTY)
            s = (s + 1) & (n - 1);
        pairs[s] = a->pairs[i];
    }
    xfree(a->pairs);
    a->pairs = pairs;
    a->pair_slots = n;
}

static void add_pair(struct acc *a, uint64_t key, uint64_t count)
{
    size_t s = pair_slot(key, a->pair_slots);
    while (a->pairs[s].key != key) {
        if (a->pairs[s].key == ACC_EMPTY) {
            a->pairs[s].key = key;
            a->pairs[s].count = 0;
            a->n_pairs++;
            break;
        }
        s = (s + 1) & (a->pair_slots - 1);
    }
    a->pairs[s].count += count;
    if (a->n_pairs * 2 > a->pair_slots)
        grow_pairs(a);
}

void acc_add(struct acc *a, uint32_t t, uint32_t p)
{
    a->rows++;
    if (t < ACC_DENSE && p < ACC_DENSE)
        a->dense[t * ACC_DENSE + p]++;
    else
        add_pair(a, (uint64_t)t << 32 | p, 1);
}

/* Moves the dense counts into the pair table, so that finishing sees one list. */
static void fold_dense(struct acc *a)
{
    for (uint32_t t = 0; t < ACC_DENSE; t++) {
        for (uint32_t p = 0; p < ACC_DENSE; p++) {
            uint64_t *c = &a->dense[t * ACC_DENSE + p];
            if (*c) {
                add_pair(a, (uint64_t)t << 32 | p, *c);
                *c = 0;
            }
        }
    }
}

void acc_add_score(struct acc *a, uint32_t t, double score)
{
    if (a->n_scores == a->scores_alloc) {
        a->scores_alloc = a->scores_alloc ? 2 * a->scores_alloc : 1024;
        a->scores = xreallocarray(a->scores, a->scores_alloc, sizeof(*a->scores));
    }
    a->scores[a->n_scores++] = (struct acc_score){.score = score, .t = t};
}

/* ---- numpy-compatible sums ---- */

static double pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

/*
 * numpy's add.reduce hands its inner loop at most one buffer (8192 elements) at a time and adds
 * the pairwise sums of the chunks in order.
 */
double report_pairwise_sum(const double *a, size_t n)
{
    double res = 0.;
    for (size_t i = 0; i < n; i += 8192)
        res += pairwise(a + i, n - i < 8192 ? n - i : 8192);
    return res;
}

/* ---- finishing ---- */

struct sort_ctx_item {
    const struct acc_label *label;
    uint32_t index; /* index in the accumulator */
};

static int cmp_numeric(const void *x, const void *y)
{
    const struct sort_ctx_item *a = x, *b = y;
    if (a->label->value < b->label->value)
        return -1;
    if (a->label->value > b->label->value)
        return 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Exact order of two integer labels (sign, then magnitude). */
static int cmp_int_value(const struct acc_label *a, const struct acc_label *b)
{
    if (a->negative != b->negative)
        return a->negative ? -1 : 1;
    if (a->mag == b->mag)
        return 0;
    return (a->mag < b->mag) != a->negative ? -1 : 1;
}

/* When every label is an integer: exact comparison, as numpy sorts int64 (or uint64). */
static int cmp_integer(const void *x, const void *y)
{
    const struct sort_ctx_item *a = x, *b = y;
    int c = cmp_int_value(a->label, b->label);
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_text(const void *x, const void *y)
{
    const struct sort_ctx_item *a = x, *b = y;
    size_t n = a->label->len < b->label->len ? a->label->len : b->label->len;
    int c = memcmp(a->label->text, b->label->text, n);
    if (c)
        return c;
    return a->label->len < b->label->len ? -1 : a->label->len > b->label->len;
}

static int cmp_cell(const void *x, const void *y)
{
    const struct report_cell *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->p < b->p ? -1 : a->p > b->p;
}

/* Python's repr() of a float: the shortest digits that read back, fixed for 1e-4 <= |v| < 1e16. */
static char *python_float_repr(double v)
{
    char buf[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    const char *e = strchr(buf, 'e');
    long exp10 = e ? strtol(e + 1, NULL, 10) : 0;
    if (v == 0)
        return xstrdup(v == 0 && signbit(v) ? "-0.0" : "0.0");
    if (exp10 >= -4 && exp10 < 16) {
        int decimals = prec - 1 - (int)exp10;
        if (decimals < 1)
            decimals = 1;
        snprintf(buf, sizeof(buf), "%.*f", decimals, v);
        return xstrdup(buf);
    }
    return xstrdup(buf);
}

static char *label_text(const struct acc_label *l, bool numeric, bool all_integer)
{
    if (!numeric)
        return xstrdup(l->text);
    if (all_integer) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%s%llu", l->negative ? "-" : "", (unsigned long long)l->mag);
        return xstrdup(buf);
    }
    return python_float_repr(l->value);
}

static int cmp_score_desc(const void *x, const void *y)
{
    const struct acc_score *a = x, *b = y;
    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    return 0;
}

/*
 * sklearn's roc_auc_score for a binary task: the area under the ROC curve built from every
 * distinct score (trapezoids), positive = labels[1]. `map` turns accumulator indices into sorted
 * label indices.
 */
static int roc_auc(double *out, struct acc *a, const uint32_t *map, struct err *err)
{
    qsort(a->scores, a->n_scores, sizeof(*a->scores), cmp_score_desc);
    uint64_t pos = 0, neg = 0;
    for (size_t i = 0; i < a->n_scores; i++) {
        if (map[a->scores[i].t] == 1)
            pos++;
        else
            neg++;
    }
    if (!pos || !neg) {
        return err_set(err, ERR_INVALID,
                       "only one class present in the true labels: ROC AUC is not defined");
    }
    /* Trapezoids between consecutive distinct thresholds, in counts; one division at the end. */
    long double area = 0;
    uint64_t tp = 0, fp = 0, prev_tp = 0, prev_fp = 0;
    for (size_t i = 0; i < a->n_scores; i++) {
        if (map[a->scores[i].t] == 1)
            tp++;
        else
            fp++;
        if (i + 1 < a->n_scores && a->scores[i + 1].score == a->scores[i].score)
            continue;
        area += (long double)(fp - prev_fp) * (long double)(tp + prev_tp) / 2.0L;
        prev_tp = tp;
        prev_fp = fp;
    }
    *out = (double)(area / ((long double)pos * (long double)neg));
    return 0;
}

static void compute_figures(struct report_metrics *m)
{
    size_t k = m->n_labels;
    struct report_class *c = m->classes;
    double *buf = xcalloc(k ? k : 1, sizeof(double));
    uint64_t tp_total = 0;

    for (size_t i = 0; i < m->n_cells; i++) {
        const struct report_cell *cell = &m->cells[i];
        c[cell->t].support += cell->count;
        c[cell->p].predicted += cell->count;
        if (cell->t == cell->p) {
            c[cell->t].tp += cell->count;
            tp_total += cell->count;
        }
    }
    for (size_t i = 0; i < k; i++) {
        /* _prf_divide with zero_division=0, then (1 + beta^2) * p * r / (beta^2 * p + r). */
        c[i].precision = c[i].predicted ? (double)c[i].tp / (double)c[i].predicted : 0.0;
        c[i].recall = c[i].support ? (double)c[i].tp / (double)c[i].support : 0.0;
        double denom = c[i].precision + c[i].recall;
        if (denom == 0.0)
            denom = 1;
        c[i].f1 = 2.0 * c[i].precision * c[i].recall / denom;
    }

    double n = (double)m->n_samples;
    m->accuracy = (double)tp_total / n;

    /* macro: np.mean, i.e. the pairwise sum divided by the count */
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].precision;
    m->precision_macro = report_pairwise_sum(buf, k) / (double)k;
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].recall;
    m->recall_macro = report_pairwise_sum(buf, k) / (double)k;
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].f1;
    m->f1_macro = report_pairwise_sum(buf, k) / (double)k;

    /* weighted: np.average(x, weights=support) = sum(x * support) / sum(support) */
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].precision * (double)c[i].support;
    m->precision_weighted = report_pairwise_sum(buf, k) / n;
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].recall * (double)c[i].support;
    m->recall_weighted = report_pairwise_sum(buf, k) / n;
    for (size_t i = 0; i < k; i++)
        buf[i] = c[i].f1 * (double)c[i].support;
    m->f1_weighted = report_pairwise_sum(buf, k) / n;

    /* micro: the same formulas over the summed counts (every row is predicted once) */
    m->precision_micro = (double)tp_total / n;
    m->recall_micro = (double)tp_total / n;
    double denom = m->precision_micro + m->recall_micro;
    if (denom == 0.0)
        denom = 1;
    m->f1_micro = 2.0 * m->precision_micro * m->recall_micro / denom;
    xfree(buf);
}

int acc_finish(struct report_metrics **out, struct acc *a, const char *source, struct err *err)
{
    int rc = 0;
    struct sort_ctx_item *items = NULL;
    uint32_t *map = NULL;
    struct report_metrics *m = NULL;

    if (!a->rows)
        return err_set(err, ERR_INVALID, "no rows after the header: nothing to measure");
    fold_dense(a);

    bool numeric = true;
    bool all_integer = true;
    for (size_t i = 0; i < a->n_labels; i++) {
        if (!a->labels[i].numeric || a->labels[i].json_string)
            numeric = false;
        if (!a->labels[i].integer)
            all_integer = false;
    }

    size_t k0 = a->n_labels;
    items = xcalloc(k0, sizeof(*items));
    for (size_t i = 0; i < k0; i++)
        items[i] = (struct sort_ctx_item){.label = &a->labels[i], .index = (uint32_t)i};
    qsort(items, k0, sizeof(*items), !numeric ? cmp_text : all_integer ? cmp_integer : cmp_numeric);

    /* Merge labels that are the same number ("1" and "1.0"); text labels are already unique. */
    m = xcalloc(1, sizeof(*m));
    m->labels_numeric = numeric;
    m->labels = xcalloc(k0, sizeof(*m->labels));
    map = xcalloc(k0, sizeof(*map));
    size_t k = 0;
    for (size_t i = 0; i < k0; i++) {
        bool same = false;
        if (numeric && k > 0 && all_integer)
            same = !cmp_int_value(items[i].label, items[i - 1].label);
        else if (numeric && k > 0)
            same = items[i].label->value == items[i - 1].label->value;
        if (same) {
            map[items[i].index] = (uint32_t)(k - 1);
            continue;
        }
        m->labels[k] = label_text(items[i].label, numeric, all_integer);
        map[items[i].index] = (uint32_t)k;
        k++;
    }
    m->n_labels = k;
    m->classes = xcalloc(k, sizeof(*m->classes));
    for (size_t i = 0; i < k; i++)
        m->classes[i].label = m->labels[i];

    m->cells = xcalloc(a->n_pairs ? a->n_pairs : 1, sizeof(*m->cells));
    size_t nc = 0;
    for (size_t i = 0; i < a->pair_slots; i++) {
        if (a->pairs[i].key == ACC_EMPTY)
            continue;
        m->cells[nc].t = map[a->pairs[i].key >> 32];
        m->cells[nc].p = map[a->pairs[i].key & 0xffffffffu];
        m->cells[nc].count = a->pairs[i].count;
        nc++;
    }
    qsort(m->cells, nc, sizeof(*m->cells), cmp_cell);
    size_t w = 0;
    for (size_t i = 0; i < nc; i++) {
        if (w > 0 && m->cells[w - 1].t == m->cells[i].t && m->cells[w - 1].p == m->cells[i].p)
            m->cells[w - 1].count += m->cells[i].count;
        else
            m->cells[w++] = m->cells[i];
    }
    m->n_cells = w;
    m->n_samples = a->rows;
    compute_figures(m);

    if (a->want_scores) {
        if (k != 2) {
            rc = err_set(err, ERR_INVALID,
                         "a score column needs a binary task (2 labels), found %zu label%s", k,
                         k == 1 ? "" : "s");
            goto done;
        }
        rc = roc_auc(&m->roc_auc, a, map, err);
        if (rc)
            goto done;
        m->has_roc_auc = true;
    }
    m->source = xstrdup(source);
    *out = m;
    m = NULL;
done:
    report_metrics_free(m);
    xfree(items);
    xfree(map);
    return rc;
}

void report_metrics_free(struct report_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_labels; i++)
        xfree(m->labels[i]);
    xfree(m->labels);
    xfree(m->classes);
    xfree(m->cells);
    xfree(m->true_col);
    xfree(m->pred_col);
    xfree(m->source);
    xfree(m);
}

uint64_t report_cell_count(const struct report_metrics *m, size_t t, size_t p)
{
    size_t lo = 0, hi = m->n_cells;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct report_cell *c = &m->cells[mid];
        if (c->t < t || (c->t == t && c->p < p))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n_cells && m->cells[lo].t == t && m->cells[lo].p == p)
        return m->cells[lo].count;
    return 0;
}
