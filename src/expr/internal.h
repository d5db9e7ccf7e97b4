#ifndef EXPR_INTERNAL_H
#define EXPR_INTERNAL_H

/* Declarations shared by the files of the expr module; not part of its API. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr/expr.h"

/* Decodes one UTF-8 code point at s[*i] (advancing *i); invalid bytes decode as themselves. */
uint32_t expr_utf8_next(const char *s, size_t len, size_t *i);
/* The 1-based character position (UTF-16 units, as C# counts) of byte offset off in s. */
size_t expr_char_pos(const char *s, size_t off);
/* Simple Unicode upper-casing as OrdinalIgnoreCase does it, except U+0131 stays as it is. */
uint32_t expr_upper(uint32_t cp);
/* Compares two UTF-8 strings ignoring case as above; returns <0, 0 or >0. */
int expr_casecmp(struct str a, struct str b);
/* Finds needle in hay ignoring case; returns its byte offset or -1. */
long expr_casefind(struct str hay, struct str needle);
/* True when s starts (ends) with affix ignoring case. */
bool expr_case_prefix(struct str s, struct str affix);
bool expr_case_suffix(struct str s, struct str affix);

/*
 * The JSON of v as val_to_json_sbuf writes it, in one pass: j->p, j->len. When it would pass
 * limit bytes, j->p is NULL and j->len still gives the size. expr_json_done frees it.
 */
struct expr_json {
    const char *p;
    size_t len;
    char *heap;
    char stack[4096];
};
void expr_json_render(struct expr_json *j, const struct val *v, bool pretty, size_t limit);
void expr_json_done(struct expr_json *j);

/*
 * fromJSON()'s reader: the JSON text s (JSON.parse's grammar) as values in a. On bad input,
 * "invalid JSON at line L, column C".
 */
int expr_json_read(struct val *out, struct arena *a, const char *s, size_t len, struct err *err);

/* The decimal digits (and '-') of an integral num with |num| < 9.2e18; returns the length. */
size_t expr_integer_chars(char buf[24], double num);

/* Names of the functions by enum expr_func, and their argument limits. */
struct expr_func_info {
    const char *name;    /* lower case */
    const char *display; /* as documented ("startsWith") */
    size_t min_args;
    size_t max_args;
    bool optional;   /* allowed only when listed in expr_parse_opts.functions */
    size_t name_len; /* strlen(name) */
};
extern const struct expr_func_info expr_funcs[];
extern const size_t expr_n_funcs;

/* Hashes the files under workspace matching patterns (hashFiles()); out gets 64 hex chars or "". */
int expr_hash_files(struct sbuf *out, const char *workspace, const struct val *args, size_t n,
                    struct err *err);

#endif
