#ifndef UTIL_STR_H
#define UTIL_STR_H

/*
 * struct str: a borrowed slice of bytes (pointer + length), not NUL-terminated in general.
 * Lexers return slices into their source and never allocate. A slice lives as long as the
 * memory it points into; it owns nothing.
 *
 * Also small helpers on C strings that do not deserve a module: case-insensitive comparison
 * (ASCII only, as GitHub's contexts use ordinal-ignore-case on ASCII keys), prefix tests and
 * checked number parsing (atoi and friends are banned).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
    const char *p;
    size_t len;
};

#define STR_NULL ((struct str){0})

static inline struct str str_make(const char *p, size_t len)
{
    return (struct str){.p = p, .len = len};
}
struct str str_from(const char *s);
bool str_eq(struct str a, struct str b);
bool str_eqi(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *b);
bool str_eqi_cstr(struct str a, const char *b);
bool str_starts_with(struct str s, const char *prefix);
/* Strips ASCII whitespace at both ends. */
struct str str_trim(struct str s);
/* A new heap NUL-terminated copy (free with xfree). */
char *str_dup(struct str s);

/* ASCII case-insensitive comparison of NUL-terminated strings; like strcmp's sign. */
int str_casecmp(const char *a, const char *b);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* ASCII lower-casing of one byte. */
static inline int str_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
/*
 * Parses a whole decimal integer (optional sign, no trailing junk) into *out.
 * Returns false on empty input, junk or overflow.
 */
/*
 * The length (1-4) of the well-formed UTF-8 character at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), with its code point in *cp; 0 when the bytes there are
 * ill-formed or cut off by len. For a NUL-terminated s, len may be SIZE_MAX: a NUL is never a
 * continuation byte, so nothing past it is read.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
bool str_to_long(const char *s, long *out);
bool str_to_double(const char *s, double *out);

#endif
