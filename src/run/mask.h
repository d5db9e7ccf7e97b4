#ifndef RUN_MASK_H
#define RUN_MASK_H

/*
 * The secret masker: replaces every registered secret in everything runnel writes with "***",
 * as GitHub's runner does, on streams whose reads may split a secret anywhere.
 *
 * What a secret registers (run_masker_add), matching actions/runner's SecretMasker and the value
 * encoders its HostContext installs:
 *   - the value itself, and for a multi-line value each line, trimmed, that is not empty;
 *   - for each of those: base64 of the bytes from offset 0, 1 and 2 (standard and URL-safe
 *     alphabets; the padded form GitHub registers, plus the form without the trailing character
 *     that depends on what follows, so a secret inside a longer base64 text is also caught when
 *     that form is at least 6 characters), the JSON string escape, the URI data escape
 *     (Uri.EscapeDataString), the XML escape, the command-line escape (" as \"), the expression
 *     escape (' as '') and, for a value of more than 8 characters in double quotes, the value
 *     without them. The PowerShell ampersand escapes are Windows-only and not registered.
 * Where matches overlap or touch they are replaced by one "***" (as GitHub merges them).
 *
 * Matching is a multi-pattern search: every position is checked against a bit filter of the
 * patterns' first bytes, and only filter hits are compared with the candidate patterns, so
 * the cost per byte does not grow with the number of secrets.
 *
 * Lifecycle:
 *   1. run_masker_new(&m)
 *   2. run_masker_add(m, value, len)        any time, also while streams are open (values
 *                                           from ::add-mask:: apply to what is not yet written)
 *   3. per output stream: struct run_mask_stream s; run_mask_stream_init(&s, m, write_fn, p);
 *      run_mask_stream_write(&s, data, len) as data arrives (writes every complete line at
 *      once and holds back at most the longest secret's length minus one byte of an unfinished
 *      line), run_mask_stream_finish(&s) at the end (writes the rest),
 *      run_mask_stream_release(&s)
 *      or, for a whole string: run_masker_mask(m, &out, s, len)
 *   4. run_masker_free(m)
 *
 * The masker owns copies of the secrets; a stream borrows its masker, which must outlive it.
 */

#include <stddef.h>
#include <stdint.h>

#include "util/sbuf.h"
#include "util/vec.h"

struct run_masker;

/* Where a stream's masked bytes go; data is borrowed for the call. */
typedef void (*run_write_fn)(const char *data, size_t len, void *payload);

void run_masker_new(struct run_masker **out);
void run_masker_free(struct run_masker *m);

/* Registers a secret with its lines and encoded forms (above). Blank values are ignored. */
void run_masker_add(struct run_masker *m, const char *value, size_t len);
/* Registers exactly these bytes, with no encoded forms. Empty is ignored. */
void run_masker_add_literal(struct run_masker *m, const char *value, size_t len);
/* The number of distinct patterns registered. */
size_t run_masker_count(const struct run_masker *m);

/* Appends s with every secret masked. */
void run_masker_mask(struct run_masker *m, struct sbuf *out, const char *s, size_t len);

struct run_mask_range {
    uint64_t start, end; /* absolute stream offsets, end exclusive */
};

struct run_mask_stream {
    struct run_masker *masker; /* borrowed */
    run_write_fn write;
    void *payload;
    struct sbuf pending; /* bytes from stream offset `base` not yet written */
    uint64_t base;       /* stream offset of pending.buf[0] */
    uint64_t scanned;    /* stream offset up to which match starts have been checked */
    uint64_t emitted;    /* stream offset up to which output has been decided */
    uint64_t mask_end;   /* end of the last "***" written (valid when has_mask) */
    int has_mask;
    struct vec ranges; /* struct run_mask_range: found, not yet written, sorted, disjoint */
};

void run_mask_stream_init(struct run_mask_stream *s, struct run_masker *m, run_write_fn write,
                          void *payload);
void run_mask_stream_write(struct run_mask_stream *s, const char *data, size_t len);
/* Writes everything held back (end of stream). The stream can be written again afterwards. */
void run_mask_stream_finish(struct run_mask_stream *s);
void run_mask_stream_release(struct run_mask_stream *s);

#endif
