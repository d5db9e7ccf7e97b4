#ifndef UTIL_MAP_H
#define UTIL_MAP_H

/*
 * map: a string-keyed hash map that remembers insertion order.
 *
 * GitHub's contexts and expression objects are ordered and case-insensitive, so a map is made in
 * one of two modes: MAP_INIT (keys compared exactly) or MAP_INIT_CI (keys compared ASCII
 * case-insensitively; the first spelling set is the one kept). Either mode can also be asked with
 * map_find_ci(), which finds the first key in insertion order that matches ignoring case.
 *
 * Lifecycle:
 *   1. struct map m = MAP_INIT;   (or MAP_INIT_CI)
 *   2. map_set(&m, "key", value)  copies the key; the value pointer is stored as given
 *   3. map_find(&m, "key"), or walk m.entries[0 .. m.len) in insertion order
 *   4. map_release(&m, free_fn)   frees the keys, calls free_fn (if not NULL) on every value
 *
 * Values are borrowed pointers as far as the map is concerned: it never frees one on its own.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct map_entry {
    char *key;     /* owned by the map */
    void *value;   /* whatever the caller stored */
    uint32_t hash; /* hash of the lower-cased key */
};

struct map {
    struct map_entry *entries; /* in insertion order */
    size_t len;
    size_t alloc;
    uint32_t *index;   /* open addressing: entry index + 1, 0 for an empty slot */
    size_t index_size; /* a power of two, or 0 */
    bool ci;           /* compare keys ignoring ASCII case */
};

#define MAP_INIT ((struct map){.ci = false})
#define MAP_INIT_CI ((struct map){.ci = true})

/*
 * Sets key to value. When the key exists (in the map's mode) its value is replaced and the old
 * one is returned; otherwise the entry is appended and NULL is returned.
 */
void *map_set(struct map *m, const char *key, void *value);
/* Same with a key that is not NUL-terminated. */
void *map_set_n(struct map *m, const char *key, size_t keylen, void *value);
/* The value for key in the map's mode, or NULL. */
void *map_find(const struct map *m, const char *key);
/* The entry for key (key of keylen bytes) in the map's mode, or NULL. */
struct map_entry *map_find_entry(const struct map *m, const char *key, size_t keylen);
/* The first entry in insertion order whose key equals key ignoring ASCII case, or NULL. */
struct map_entry *map_find_ci(const struct map *m, const char *key, size_t keylen);
bool map_has(const struct map *m, const char *key);
/* Removes key, keeping the order of the others; returns its value or NULL. */
void *map_remove(struct map *m, const char *key);
void map_release(struct map *m, void (*free_fn)(void *));

#endif
