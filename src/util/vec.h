#ifndef UTIL_VEC_H
#define UTIL_VEC_H

/*
 * vec: a growable array of fixed-size elements.
 *
 * Lifecycle:
 *   1. struct vec v = VEC_INIT(struct foo);
 *   2. struct foo *f = vec_push(&v);    a new zeroed slot at the end (pointer valid until the
 *                                       next push); vec_at(&v, i) reads element i
 *   3. vec_release(&v);                 frees the array (not what elements point to)
 *
 * vec_foreach(struct foo, f, &v) { ... } walks the elements in order.
 */

#include <stddef.h>

struct vec {
    void *items;
    size_t len;       /* elements in use */
    size_t alloc;     /* elements allocated */
    size_t elem_size; /* bytes per element */
};

#define VEC_INIT(type) ((struct vec){.elem_size = sizeof(type)})

/* Appends a zeroed element and returns it. */
void *vec_push(struct vec *v);
/* Appends a copy of elem_size bytes from elem. */
void vec_append(struct vec *v, const void *elem);
/* Removes the last element. */
void vec_pop(struct vec *v);
/* Removes element i, keeping the order of the rest. */
void vec_remove(struct vec *v, size_t i);
void vec_clear(struct vec *v);
/* Sorts the elements with qsort's cmp; an empty vector (items may be NULL) is left alone. */
void vec_sort(struct vec *v, int (*cmp)(const void *, const void *));
void vec_release(struct vec *v);

static inline void *vec_at(const struct vec *v, size_t i)
{
    return (char *)v->items + i * v->elem_size;
}

/* An empty vec may have items == NULL, so the end pointer is only formed when there are items. */
#define vec_foreach(type, var, v)                                                                  \
    for (type *var = (type *)(v)->items; var && var < (type *)(v)->items + (v)->len; var++)

#endif
