#ifndef UTIL_GLOB_H
#define UTIL_GLOB_H

/*
 * glob: GitHub's pattern matching, in its two dialects.
 *
 * GLOB_FILTER (the default) is the "filter pattern" syntax of on.<event>.branches/tags/paths
 * (GitHub docs, "Filter pattern cheat sheet"):
 *   *    zero or more characters except '/'
 *   **   zero or more of any character; a whole '**' segment followed by '/' may match no
 *        directory at all (so "docs/", "**", "/", "*.md" joined match 'docs/README.md')
 *   ?    zero or one of the preceding character or class
 *   +    one or more of the preceding character or class
 *   [ ]  one character from a list or range (a-z, A-Z, 0-9); '[!..]' or '[^..]' negates
 *   \    makes the next character literal
 * GLOB_PATHS is the syntax of hashFiles() and @actions/glob: '?' is any one character except '/'
 * and '+' is literal; the rest as above.
 *
 * A leading '!' is negation, meaningful in a list: glob_match_list() runs the patterns in order,
 * a match of a positive pattern includes, a match of a negated one excludes; the last match wins.
 *
 * Lifecycle: glob_compile() -> glob_match() as often as needed -> glob_free().
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum glob_flags {
    GLOB_FILTER = 0,
    GLOB_PATHS = 1u << 0,
    GLOB_CASEFOLD = 1u << 1, /* compare ASCII letters ignoring case */
};

struct glob;

/* Compiles pattern (without a leading '!': the caller strips it). ERR_INVALID on bad syntax. */
int glob_compile(struct glob **out, const char *pattern, unsigned flags, struct err *err);
bool glob_match(const struct glob *g, const char *s);
void glob_free(struct glob *g);
/* One-shot compile and match; an invalid pattern matches nothing. */
bool glob_match_str(const char *pattern, const char *s, unsigned flags);
/* Ordered list with '!' negation as described above. */
bool glob_match_list(const char *const *patterns, size_t n, const char *s, unsigned flags);

#endif
