#include "util/arena.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/xalloc.h"

#define ARENA_BLOCK 8192
#define ARENA_KEEP (1u << 20) /* bytes of blocks arena_reset keeps for reuse */

/* The smallest spare block with room for size bytes (taken off the spare list), or a new one. */
static struct arena_block *take_block(struct arena *a, size_t size)
{
    struct arena_block **best = NULL;
    for (struct arena_block **pp = &a->spare; *pp; pp = &(*pp)->next) {
        if ((*pp)->size >= size && (!best || (*pp)->size < (*best)->size))
            best = pp;
    }
    if (best) {
        struct arena_block *b = *best;
        *best = b->next;
        a->spare_bytes -= b->size;
        return b;
    }
    size_t data = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    struct arena_block *b = xmalloc(sizeof(*b) + data);
    b->size = data;
    return b;
}

void *arena_alloc_slow(struct arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        (void)xreallocarray(NULL, 2, size); /* overflows: reports out of memory and aborts */
    size = arena_round(size);
    struct arena_block *b = take_block(a, size);
    a->used += size;
    if (size > ARENA_BLOCK / 2 && a->head) {
        /* A big one-off allocation goes behind the current block so it keeps filling. */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
        a->cur = b->data + size;
        a->end = b->data + b->size;
    }
    return b->data;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *q = arena_alloc_raw(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_raw(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("arena_printf: bad format '%s'", fmt);
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_reset_slow(struct arena *a)
{
    /* The current block stays current, emptied; the others are spare while the kept total
     * stays within ARENA_KEEP. */
    struct arena_block *cur = a->head;
    if (!cur)
        return;
    struct arena_block *b = cur->next;
    while (b) {
        struct arena_block *next = b->next;
        if (cur->size + a->spare_bytes + b->size <= ARENA_KEEP) {
            a->spare_bytes += b->size;
            b->next = a->spare;
            a->spare = b;
        } else {
            xfree(b);
        }
        b = next;
    }
    cur->next = NULL;
    a->cur = cur->data;
    a->end = cur->data + cur->size;
    a->used = 0;
}

static void free_list(struct arena_block *b)
{
    while (b) {
        struct arena_block *next = b->next;
        xfree(b);
        b = next;
    }
}

void arena_release(struct arena *a)
{
    free_list(a->head);
    free_list(a->spare);
    *a = ARENA_INIT;
}
