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

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * How pandas 1.5's str_to_int64 and str_to_uint64 (tokenizer.c, no thousands separator) read the
 * field: spaces skipped around it (str_trim's bytes are pandas' isspace_ascii), an optional sign,
 * digits whose overflow is found while they are read, before anything after them is looked at
 * ("99999999999999999999.5" overflows, "1.5" is invalid), then nothing but spaces. Sets as_int,
 * as_uint, negative and mag (exact whenever either is OK or BIG).
 */
static void read_integer(struct acc_label *l, struct str t)
{
    const char *p = t.p;
    size_t len = t.len;
    size_t i = 0;
    bool minus = false;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        minus = p[i++] == '-';
    if (i == len || !is_digit(p[i])) {
        l->as_int = ACC_INT_INVALID;
        l->as_uint = minus ? ACC_UINT_SIGNED : ACC_UINT_INVALID;
        return;
    }
    uint64_t mag = 0;
    bool overflow = false;
    for (; i < len && is_digit(p[i]); i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (mag > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            mag = mag * 10 + d;
    }
    bool rest = i != len;
    uint64_t int_max = minus ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || mag > int_max)
        l->as_int = ACC_INT_OVERFLOW;
    else
        l->as_int = rest ? ACC_INT_INVALID : ACC_INT_OK;
    if (minus)
        l->as_uint = ACC_UINT_SIGNED;
    else if (overflow)
        l->as_uint = ACC_UINT_OVERFLOW;
    else if (rest)
        l->as_uint = ACC_UINT_INVALID;
    else
        l->as_uint = mag > (uint64_t)INT64_MAX ? ACC_UINT_BIG : ACC_UINT_OK;
    l->negative = minus && mag != 0 && !overflow;
    l->mag = overflow ? 0 : mag;
}

/*
 * Whether text reads as a number the way pandas' float64 parse reads it:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, with spaces around it allowed,
 * and finite. Also reads it as an integer (read_integer); which of the two counts is decided per
 * column (struct acc_column), as pandas decides it.
 */
static bool parse_number(struct acc_label *l, const char *p, size_t len)
{
    struct str t = str_trim(str_make(p, len));
    read_integer(l, t);
    p = t.p;
    len = t.len;
    size_t i = 0;
    size_t digits = 0;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        i++;
    while (i < len && is_digit(p[i])) {
        i++;
        digits++;
    }
    if (i < len && p[i] == '.') {
        i++;
        while (i < len && is_digit(p[i])) {
            i++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < len && is_digit(p[i])) {
            i++;
            exp_digits++;
        }
        if (!exp_digits)
            return false;
    }
    if (i != len || len > 400)
        return false;
    char buf[402];
    memcpy(buf, p, len);
    buf[len] = '\0';
    l->value = strtod(buf, NULL);
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

/* Notes the first field of each kind in the column (see struct acc_column). */
static void column_add(struct acc_column *c, const struct acc_label *l, uint32_t index, size_t line)
{
    struct acc_seen here = {.line = line, .label = index};
    if (!c->int_fail.line && l->as_int != ACC_INT_OK) {
        c->int_fail = here;
        c->int_why = l->as_int;
    }
    if (!c->uint_fail.line && (l->as_uint == ACC_UINT_INVALID || l->as_uint == ACC_UINT_OVERFLOW)) {
        c->uint_fail = here;
        c->uint_why = l->as_uint;
    }
    if (!c->text.line && !l->numeric)
        c->text = here;
    if (!c->sign.line && l->as_uint == ACC_UINT_SIGNED)
        c->sign = here;
    if (!c->big.line && l->as_uint == ACC_UINT_BIG)
        c->big = here;
    if (l->as_int == ACC_INT_INVALID)
        c->has_fraction = true;
}

void acc_add(struct acc *a, uint32_t t, uint32_t p, size_t line)
{
    a->rows++;
    column_add(&a->columns[0], &a->labels[t], t, line);
    column_add(&a->columns[1], &a->labels[p], p, line);
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

/* The dtype pandas gives the column (struct acc_column says how). */
static enum acc_dtype column_dtype(const struct acc_column *c, bool json)
{
    if (!c->int_fail.line)
        return ACC_INT64;
    if (json) {
        /*
         * read_json builds the column from Python numbers: float64 once a number is not an
         * integer or a negative meets one above INT64_MAX, uint64 for those alone. (An integer
         * beyond 64 bits is an error there; it is a float here.)
         */
        return c->has_fraction || c->uint_fail.line || c->sign.line ? ACC_FLOAT64 : ACC_UINT64;
    }
    if (c->int_why == ACC_INT_OVERFLOW) {
        if (!c->uint_fail.line)
            return c->sign.line ? ACC_OBJECT : ACC_UINT64;
        if (c->uint_why == ACC_UINT_OVERFLOW)
            return ACC_OBJECT;
    }
    return c->text.line ? ACC_OBJECT : ACC_FLOAT64;
}

/* "line N: 'label'", the label cut at 40 bytes and escaped so that the message is one line. */
static void add_seen(struct sbuf *sb, const struct acc *a, struct acc_seen s)
{
    const struct acc_label *l = &a->labels[s.label];
    sbuf_addf(sb, "line %zu: '", s.line);
    sbuf_add_json_escaped(sb, l->text, l->len > 40 ? 40 : l->len);
    sbuf_addstr(sb, l->len > 40 ? "...'" : "'");
}

/* The error for a text column `text` (0 true, 1 predicted) beside a numeric one. */
static int mix_error(const struct acc *a, int text, struct err *err)
{
    const struct acc_column *c = &a->columns[text];
    struct sbuf why = SBUF_INIT;
    if (c->int_why == ACC_INT_OVERFLOW && c->uint_fail.line && c->uint_why == ACC_UINT_OVERFLOW) {
        add_seen(&why, a, c->uint_fail);
        sbuf_addstr(&why, " is an integer beyond uint64");
    } else if (c->int_why == ACC_INT_OVERFLOW && !c->uint_fail.line && c->big.line) {
        add_seen(&why, a, c->sign);
        sbuf_addstr(&why, " is negative and ");
        add_seen(&why, a, c->big);
        sbuf_addstr(&why, " above int64");
    } else if (c->int_why == ACC_INT_OVERFLOW && !c->uint_fail.line) {
        add_seen(&why, a, c->int_fail);
        sbuf_addstr(&why, " is an integer below int64");
    } else {
        add_seen(&why, a, c->text);
        sbuf_addstr(&why, " is not a number");
    }
    const char *names[2] = {a->col_names[0] ? a->col_names[0] : "true label",
                            a->col_names[1] ? a->col_names[1] : "predicted"};
    int rc = err_set(err, ERR_INVALID,
                     "pandas reads column '%s' as text (%s) and column '%s' as numbers: "
                     "scikit-learn refuses a mix of label input types (string and number)",
                     names[text], why.buf, names[1 - text]);
    sbuf_release(&why);
    return rc;
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

    /*
     * Each column gets pandas' dtype, and the two are compared as numpy promotes them
     * (np.result_type): int64 with int64 and uint64 with uint64 exactly, int64 with uint64 or
     * anything with float64 as float64. JSON strings (and booleans) make every label a string,
     * as before; in CSV a text column beside a numeric one is refused, as scikit-learn refuses
     * it (unique_labels: "Mix of label input types (string and number)").
     */
    bool any_json_string = false;
    for (size_t i = 0; i < a->n_labels; i++)
        any_json_string = any_json_string || a->labels[i].json_string;
    enum acc_dtype dt = column_dtype(&a->columns[0], a->json);
    enum acc_dtype dp = column_dtype(&a->columns[1], a->json);
    if (!any_json_string && (dt == ACC_OBJECT) != (dp == ACC_OBJECT)) {
        rc = mix_error(a, dt == ACC_OBJECT ? 0 : 1, err);
        goto done;
    }
    bool numeric = !any_json_string && dt != ACC_OBJECT;
    bool all_integer = numeric && dt == dp && dt != ACC_FLOAT64;

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
