#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

/*
 * report module internals: the streaming accumulator the readers feed, and its finalisation into
 * struct report_metrics. Labels are interned by their text in first-seen order; (true, predicted)
 * pairs are counted in a hash table keyed by the two label indices. Nothing here grows with rows,
 * except the optional score list.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "util/err.h"

struct acc_label {
    char *text; /* owned, NUL-terminated */
    size_t len;
    uint64_t hash;
    bool numeric;     /* reads as a number (CSV text, or a JSON number) */
    bool integer;     /* written as an integer: digits with an optional sign */
    bool json_string; /* came from a JSON string: forces string labels */
    double value;     /* the number when numeric */
    bool negative;    /* integer: below zero ("-0" is not) */
    uint64_t mag;     /* integer: the exact magnitude (pandas reads int64/uint64 exactly) */
};

struct acc_pair {
    uint64_t key; /* true index << 32 | predicted index; ACC_EMPTY for a free slot */
    uint64_t count;
};

struct acc_score {
    double score;
    uint32_t t; /* true label index */
};

/* Pairs of label indices below this are counted in a dense table instead of the hash. */
#define ACC_DENSE 128u

struct acc {
    struct acc_label *labels;
    size_t n_labels, labels_alloc;
    uint32_t *slots; /* label index + 1, 0 when free; size is a power of two */
    size_t n_slots;
    uint64_t *dense; /* ACC_DENSE x ACC_DENSE counts, [t * ACC_DENSE + p] */
    struct acc_pair *pairs;
    size_t n_pairs, pair_slots; /* pair_slots is a power of two */
    bool want_scores;
    struct acc_score *scores;
    size_t n_scores, scores_alloc;
    uint64_t rows;
};

#define ACC_EMPTY UINT64_MAX

void acc_init(struct acc *a, bool want_scores);
void acc_release(struct acc *a);
/*
 * Interns a label and returns its index. `json_string` marks a JSON string value; `json_number`
 * a JSON number (numeric whatever its spelling). Fails with ERR_INVALID past REPORT_MAX_LABELS.
 */
int acc_intern(uint32_t *out, struct acc *a, const char *p, size_t len, bool json_string,
               bool json_number, struct err *err);
/* Counts one row. */
void acc_add(struct acc *a, uint32_t t, uint32_t p);
void acc_add_score(struct acc *a, uint32_t t, double score);

/*
 * Turns the counts into metrics: sorts and merges labels, builds the sorted cell list and
 * computes every figure. Fails with ERR_INVALID when there are no rows, or when scores were
 * collected but the task is not binary. On success *out is owned by the caller.
 */
int acc_finish(struct report_metrics **out, struct acc *a, const char *source, struct err *err);

/* numpy's pairwise summation (numpy/core/src/umath/loops_utils.h.src), for bit-equal means. */
double report_pairwise_sum(const double *a, size_t n);

#endif
