#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void vec_grow(struct vec *v)
{
    if (!v->elem_size)
        BUG("vec used without VEC_INIT");
    if (v->len < v->alloc)
        return;
    v->alloc = v->alloc ? v->alloc * 2 : 8;
    v->items = xreallocarray(v->items, v->alloc, v->elem_size);
}

void *vec_push(struct vec *v)
{
    vec_grow(v);
    void *slot = vec_at(v, v->len++);
    memset(slot, 0, v->elem_size);
    return slot;
}

void vec_append(struct vec *v, const void *elem)
{
    memcpy(vec_push(v), elem, v->elem_size);
}

void vec_pop(struct vec *v)
{
    if (!v->len)
        BUG("vec_pop on an empty vec");
    v->len--;
}

void vec_remove(struct vec *v, size_t i)
{
    if (i >= v->len)
        BUG("vec_remove out of range");
    memmove(vec_at(v, i), vec_at(v, i + 1), (v->len - i - 1) * v->elem_size);
    v->len--;
}

void vec_clear(struct vec *v)
{
    v->len = 0;
}

void vec_sort(struct vec *v, int (*cmp)(const void *, const void *))
{
    if (v->len > 1)
        qsort(v->items, v->len, v->elem_size, cmp);
}

void vec_release(struct vec *v)
{
    xfree(v->items);
    v->items = NULL;
    v->len = v->alloc = 0;
}
