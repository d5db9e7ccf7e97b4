#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "util/xalloc.h"

#define ARENA_BLOCK 8192

struct arena_block {
    struct arena_block *next;
    size_t size; /* bytes of data[] */
    size_t used; /* bytes of data[] handed out */
    alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) & ~(a - 1);
}

void *arena_alloc(struct arena *a, size_t size)
{
    size = align_up(size ? size : 1);
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t data = size > ARENA_BLOCK / 2 ? size : ARENA_BLOCK;
        b = xmalloc(sizeof(*b) + data);
        b->size = data;
        b->used = 0;
        /* A big one-off allocation goes behind the current block so it keeps filling. */
        if (size > ARENA_BLOCK / 2 && a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    a->used += size;
    memset(p, 0, size);
    return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_reset(struct arena *a)
{
    struct arena_block *keep = NULL;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        if (!keep && b->size == ARENA_BLOCK) {
            keep = b;
            keep->used = 0;
            keep->next = NULL;
        } else {
            xfree(b);
        }
        b = next;
    }
    a->head = keep;
    a->used = 0;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        xfree(b);
        b = next;
    }
    *a = ARENA_INIT;
}
