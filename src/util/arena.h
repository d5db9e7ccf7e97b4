#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

/*
 * arena: bump allocation for trees that die together (YAML nodes, workflow models, expression
 * ASTs, per-evaluation scratch). Nothing allocated from an arena is freed on its own.
 *
 * Lifecycle:
 *   1. struct arena a = ARENA_INIT;
 *   2. p = arena_alloc(&a, size)     zeroed, aligned for any type; aborts on out-of-memory
 *   3. arena_reset(&a)               forgets everything but keeps the first block for reuse,
 *      or arena_release(&a)          frees every block
 *
 * `used` counts the bytes handed out, so a caller can enforce its own budget (the YAML loader
 * bounds alias expansion this way).
 */

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t used;              /* bytes handed out since init or reset */
};

#define ARENA_INIT ((struct arena){0})

void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

#endif
