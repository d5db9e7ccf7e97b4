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

/*
 * How pandas 1.5's C parser reads one field as an integer (tokenizer.c: str_to_int64 and
 * str_to_uint64, spaces around the digits skipped). A column is int64 when every field reads as
 * ACC_INT_OK; the first field that does not decides what is tried next (see struct acc_column).
 */
enum acc_int {
    ACC_INT_OK = 0,
    ACC_INT_INVALID,  /* not an integer: no digit, or something after the digits */
    ACC_INT_OVERFLOW, /* the digits leave int64 (checked before what follows them) */
};

enum acc_uint {
    ACC_UINT_OK = 0,
    ACC_UINT_BIG,      /* above INT64_MAX (seen_uint in pandas) */
    ACC_UINT_SIGNED,   /* starts with '-': str_to_uint64 stops there without an error */
    ACC_UINT_INVALID,  /* not an integer */
    ACC_UINT_OVERFLOW, /* the digits leave uint64 */
};

struct acc_label {
    char *text; /* owned, NUL-terminated */
    size_t len;
    uint64_t hash;
    bool numeric;     /* reads as a finite number (pandas' float64 parse of CSV text, or JSON) */
    bool json_string; /* came from a JSON string: forces string labels */
    enum acc_int as_int;
    enum acc_uint as_uint;
    double value;  /* the number when numeric */
    bool negative; /* an integer below zero ("-0" is not) */
    uint64_t mag;  /* the integer's exact magnitude when as_int or as_uint is OK (or BIG) */
};

/*
 * Where a column's dtype was decided, for the message when the two columns cannot be compared:
 * the 1-based line and the label found there (0 lines: not seen).
 */
struct acc_seen {
    size_t line;
    uint32_t label;
};

/*
 * One column (true or predicted) as pandas types it, column by column. read_csv tries int64,
 * then float64, then object (parsers.pyx, _convert_tokens): the int64 pass stops at the first
 * field str_to_int64 refuses; an overflow there sends the column to a uint64 pass, anything else
 * to the float64 pass. The uint64 pass stops at its first refused field (an overflow makes the
 * column object, anything else goes to float64); a column with a '-' field and no refusal is
 * object too (uint64_conflict, or "seen_sint"). So the order of the rows matters, and this keeps
 * the first of each kind.
 */
struct acc_column {
    struct acc_seen int_fail; /* first field that is not ACC_INT_OK */
    enum acc_int int_why;
    struct acc_seen uint_fail; /* first field that is ACC_UINT_INVALID or ACC_UINT_OVERFLOW */
    enum acc_uint uint_why;
    struct acc_seen text; /* first field that does not read as a number */
    struct acc_seen sign; /* first field starting with '-' */
    struct acc_seen big;  /* first integer above INT64_MAX */
    bool has_fraction;    /* JSON: a number that is not an integer */
};

/* A column's dtype as pandas infers it. */
enum acc_dtype { ACC_INT64, ACC_UINT64, ACC_FLOAT64, ACC_OBJECT };

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
    bool json;                    /* JSON lines (set by the reader): typed as read_json does */
    const char *col_names[2];     /* borrowed, for messages; NULL: "true label", "predicted" */
    struct acc_column columns[2]; /* [0] true, [1] predicted */
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
/* Counts one row, read at `line` (1-based) of the file. */
void acc_add(struct acc *a, uint32_t t, uint32_t p, size_t line);
void acc_add_score(struct acc *a, uint32_t t, double score);

/*
 * Turns the counts into metrics: types each column as pandas does and compares the two as numpy
 * promotes them (int64 with int64 or uint64 with uint64 exactly, int64 with uint64 or anything
 * with float64 as doubles, object with object as strings), sorts and merges labels, builds the
 * sorted cell list and computes every figure. Fails with ERR_INVALID when there are no rows, when
 * one column is text and the other numbers (scikit-learn's "Mix of label input types"), or when
 * scores were collected but the task is not binary. On success *out is owned by the caller.
 */
int acc_finish(struct report_metrics **out, struct acc *a, const char *source, struct err *err);

/* numpy's pairwise summation (numpy/core/src/umath/loops_utils.h.src), for bit-equal means. */
double report_pairwise_sum(const double *a, size_t n);

#endif
