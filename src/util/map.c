#include "util/map.h"

#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

/* FNV-1a over the lower-cased key: both modes can use one index. */
static uint32_t hash_ci(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint32_t)str_lower((unsigned char)key[i]);
        h *= 16777619u;
    }
    return h;
}

static bool key_matches(const struct map_entry *e, const char *key, size_t len, bool ci)
{
    if (strlen(e->key) != len)
        return false;
    return ci ? str_eqi(str_make(e->key, len), str_make(key, len)) : !memcmp(e->key, key, len);
}

static void reindex(struct map *m)
{
    size_t size = m->index_size ? m->index_size : 16;
    while (size < m->len * 2 + 2)
        size *= 2;
    xfree(m->index);
    m->index = xcalloc(size, sizeof(*m->index));
    m->index_size = size;
    for (size_t i = 0; i < m->len; i++) {
        size_t slot = m->entries[i].hash & (size - 1);
        while (m->index[slot])
            slot = (slot + 1) & (size - 1);
        m->index[slot] = (uint32_t)(i + 1);
    }
}

/* Finds in index order (collisions in probe order); for ci, the first by insertion order. */
static struct map_entry *lookup(const struct map *m, const char *key, size_t len, bool ci)
{
    if (!m->index_size)
        return NULL;
    uint32_t h = hash_ci(key, len);
    struct map_entry *best = NULL;
    for (size_t slot = h & (m->index_size - 1); m->index[slot];
         slot = (slot + 1) & (m->index_size - 1)) {
        struct map_entry *e = &m->entries[m->index[slot] - 1];
        if (e->hash != h || !key_matches(e, key, len, ci))
            continue;
        if (!ci)
            return e;
        if (!best || e < best)
            best = e;
    }
    return best;
}

struct map_entry *map_find_entry(const struct map *m, const char *key, size_t keylen)
{
    return lookup(m, key, keylen, m->ci);
}

struct map_entry *map_find_ci(const struct map *m, const char *key, size_t keylen)
{
    return lookup(m, key, keylen, true);
}

void *map_find(const struct map *m, const char *key)
{
    struct map_entry *e = lookup(m, key, strlen(key), m->ci);
    return e ? e->value : NULL;
}

bool map_has(const struct map *m, const char *key)
{
    return lookup(m, key, strlen(key), m->ci) != NULL;
}

void *map_set_n(struct map *m, const char *key, size_t keylen, void *value)
{
    struct map_entry *e = lookup(m, key, keylen, m->ci);
    if (e) {
        void *old = e->value;
        e->value = value;
        return old;
    }
    if (m->len == m->alloc) {
        m->alloc = m->alloc ? m->alloc * 2 : 8;
        m->entries = xreallocarray(m->entries, m->alloc, sizeof(*m->entries));
    }
    e = &m->entries[m->len++];
    e->key = xstrndup(key, keylen);
    e->value = value;
    e->hash = hash_ci(key, keylen);
    if (m->len * 2 + 2 > m->index_size) {
        reindex(m);
    } else {
        size_t slot = e->hash & (m->index_size - 1);
        while (m->index[slot])
            slot = (slot + 1) & (m->index_size - 1);
        m->index[slot] = (uint32_t)m->len;
    }
    return NULL;
}

void *map_set(struct map *m, const char *key, void *value)
{
    return map_set_n(m, key, strlen(key), value);
}

void *map_remove(struct map *m, const char *key)
{
    struct map_entry *e = lookup(m, key, strlen(key), m->ci);
    if (!e)
        return NULL;
    void *value = e->value;
    size_t i = (size_t)(e - m->entries);
    xfree(e->key);
    memmove(e, e + 1, (m->len - i - 1) * sizeof(*e));
    m->len--;
    reindex(m);
    return value;
}

void map_release(struct map *m, void (*free_fn)(void *))
{
    for (size_t i = 0; i < m->len; i++) {
        if (free_fn)
            free_fn(m->entries[i].value);
        xfree(m->entries[i].key);
    }
    xfree(m->entries);
    xfree(m->index);
    bool ci = m->ci;
    *m = MAP_INIT;
    m->ci = ci;
}
