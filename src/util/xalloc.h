#ifndef UTIL_XALLOC_H
#define UTIL_XALLOC_H

/*
 * Allocation that never returns NULL.
 *
 * Out of memory is not recoverable in runnel (as in git, tmux and redis): these wrappers print one
 * line to stderr and abort. Nobody checks their results for NULL. They are the only place in the
 * tree that calls malloc/realloc/free directly (scripts/check-banned.sh enforces it).
 *
 * BUG() reports a programmer error with file and line and aborts; it stays on in release builds.
 */

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb elements of size bytes, checking the multiplication for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Copies n bytes of p into a new allocation (n may be 0). */
void *xmemdup(const void *p, size_t n);
/* free() under the project's name; accepts NULL. */
void xfree(void *p);

_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

#endif
