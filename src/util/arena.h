#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

/*
 * arena: bump allocation for trees that die together (YAML nodes, workflow models, expression
 * ASTs, per-evaluation scratch). Nothing allocated from an arena is freed on its own.
 *
 * Lifecycle:
 *   1. struct arena a = ARENA_INIT;
 *   2. p = arena_alloc(&a, size)     zeroed, aligned for any type; aborts on out-of-memory
 *      p = arena_alloc_raw(&a, size) the same, not zeroed (for bytes about to be overwritten)
 *   3. arena_reset(&a)               forgets everything but keeps up to ARENA_KEEP bytes of
 *                                    blocks for reuse (a scratch arena reset after each
 *                                    evaluation then stops calling malloc),
 *      or arena_release(&a)          frees every block
 *
 * `used` counts the bytes handed out, so a caller can enforce its own budget.
 */

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A block: its header, then size bytes of data. Defined here for arena_reset's inline path. */
struct arena_block {
    struct arena_block *next;
    size_t size; /* bytes of data[] */
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct arena_block *head;  /* blocks in use, the current one first */
    struct arena_block *spare; /* blocks kept by arena_reset, not in use */
    size_t spare_bytes;        /* their total size */
    unsigned char *cur;        /* free space of the current block: [cur, end) */
    unsigned char *end;
    size_t used; /* bytes handed out since init or reset */
};

#define ARENA_INIT ((struct arena){0})
#define ARENA_ALIGN alignof(max_align_t)

void *arena_alloc_slow(struct arena *a, size_t size);

/* size rounded up to ARENA_ALIGN (0 counts as 1); smaller than size when that overflows. */
static inline size_t arena_round(size_t size)
{
    return (size + ARENA_ALIGN - 1 + (size == 0)) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Uninitialised memory: the fast path is a pointer bump. */
static inline void *arena_alloc_raw(struct arena *a, size_t size)
{
    size_t rounded = arena_round(size);
    if ((size_t)(a->end - a->cur) >= rounded && rounded >= size) {
        void *p = a->cur;
        a->cur += rounded;
        a->used += rounded;
        return p;
    }
    return arena_alloc_slow(a, size);
}

static inline void *arena_alloc(struct arena *a, size_t size)
{
    void *p = arena_alloc_raw(a, size);
    memset(p, 0, size);
    return p;
}

char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* printf into the arena (no temporary buffer on the heap). */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_reset_slow(struct arena *a);

/* Fast when one block was used since the last reset: it just empties it. */
static inline void arena_reset(struct arena *a)
{
    if (a->head && !a->head->next) {
        a->cur = a->head->data;
        a->used = 0;
        return;
    }
    arena_reset_slow(a);
}
void arena_release(struct arena *a);

#endif
