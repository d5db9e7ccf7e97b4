/*
 * GitHub's workflow schema (schema_data.c) read into struct wf_def, the way the reference's
 * TemplateSchema does: built-in null/boolean/number/string/sequence/mapping/any definitions, and
 * `allowed-values` expanded into one constant string definition per value.
 */
#include "workflow/internal.h"

#include <string.h>

#include "util/json.h"
#include "util/map.h"
#include "util/xalloc.h"

/* One parsed schema: its definitions by name. Built on first use, kept for the process. */
struct schema {
    struct arena arena;
    struct map defs; /* name -> struct wf_def * */
    bool ready;
};

static struct schema workflow_schema;
static struct schema action_schema;
static struct schema *cur; /* the schema being built */
#define schema_arena (cur->arena)
#define schema_defs (cur->defs)

static struct wf_def *def_new(const char *name, enum wf_def_type type)
{
    struct wf_def *d = arena_alloc(&schema_arena, sizeof(*d));
    d->name = arena_strdup(&schema_arena, name);
    d->type = type;
    map_set(&schema_defs, d->name, d);
    return d;
}

/* Definitions refer to each other by name; the second pass resolves them. */
struct pending {
    const struct wf_def **slot;
    const char *name;
};

static struct vec pending = {.elem_size = sizeof(struct pending)};

static void defer(const struct wf_def **slot, const char *name)
{
    struct pending *p = vec_push(&pending);
    p->slot = slot;
    p->name = arena_strdup(&schema_arena, name);
}

static void read_context(struct wf_def *d, const cJSON *ctx)
{
    if (!cJSON_IsArray(ctx))
        return;
    size_t n = (size_t)cJSON_GetArraySize(ctx);
    d->context = arena_alloc(&schema_arena, sizeof(char *) * (n ? n : 1));
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, ctx)
    {
        if (cJSON_IsString(it))
            d->context[d->ncontext++] = arena_strdup(&schema_arena, it->valuestring);
    }
}

static void read_definition(const char *name, const cJSON *obj)
{
    const cJSON *v = NULL;
    struct wf_def *d = NULL;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "null"))) {
        d = def_new(name, WF_DEF_NULL);
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "boolean"))) {
        d = def_new(name, WF_DEF_BOOLEAN);
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "number"))) {
        d = def_new(name, WF_DEF_NUMBER);
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "string"))) {
        d = def_new(name, WF_DEF_STRING);
        const char *c = json_get_str(v, "constant");
        if (c)
            d->constant = arena_strdup(&schema_arena, c);
        d->ignore_case = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "ignore-case"));
        d->require_non_empty =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "require-non-empty"));
        d->is_expression = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "is-expression"));
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "sequence"))) {
        d = def_new(name, WF_DEF_SEQUENCE);
        const char *it = json_get_str(v, "item-type");
        defer(&d->item, it ? it : "any");
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "mapping"))) {
        d = def_new(name, WF_DEF_MAPPING);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(v, "properties");
        size_t n = (size_t)cJSON_GetArraySize(props);
        d->props = arena_alloc(&schema_arena, sizeof(struct wf_prop) * (n ? n : 1));
        const cJSON *p = NULL;
        cJSON_ArrayForEach(p, props)
        {
            struct wf_prop *prop = &d->props[d->nprops++];
            memset(prop, 0, sizeof(*prop));
            prop->name = arena_strdup(&schema_arena, p->string);
            if (cJSON_IsString(p)) {
                defer(&prop->def, p->valuestring);
            } else {
                defer(&prop->def, json_get_str(p, "type"));
                prop->required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "required"));
            }
        }
        d->prop_index = arena_alloc(&schema_arena, sizeof(struct map));
        *d->prop_index = MAP_INIT;
        for (size_t i = 0; i < d->nprops; i++)
            map_set(d->prop_index, d->props[i].name, &d->props[i]);
        const char *lk = json_get_str(v, "loose-key-type");
        const char *lv = json_get_str(v, "loose-value-type");
        if (lk && lv) {
            defer(&d->loose_key, lk);
            defer(&d->loose_value, lv);
        }
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "one-of"))) {
        d = def_new(name, WF_DEF_ONE_OF);
        size_t n = (size_t)cJSON_GetArraySize(v);
        d->one_of = arena_alloc(&schema_arena, sizeof(struct wf_def *) * (n ? n : 1));
        const cJSON *it = NULL;
        cJSON_ArrayForEach(it, v)
        {
            d->one_of[d->n_one_of] = NULL;
            defer(&d->one_of[d->n_one_of], it->valuestring);
            d->n_one_of++;
        }
    } else if ((v = cJSON_GetObjectItemCaseSensitive(obj, "allowed-values"))) {
        d = def_new(name, WF_DEF_ONE_OF);
        size_t n = (size_t)cJSON_GetArraySize(v);
        d->one_of = arena_alloc(&schema_arena, sizeof(struct wf_def *) * (n ? n : 1));
        const cJSON *it = NULL;
        cJSON_ArrayForEach(it, v)
        {
            struct sbuf key = SBUF_INIT;
            sbuf_addf(&key, "%s-%s", name, it->valuestring);
            struct wf_def *c = def_new(key.buf, WF_DEF_STRING);
            c->constant = arena_strdup(&schema_arena, it->valuestring);
            d->one_of[d->n_one_of++] = c;
            sbuf_release(&key);
        }
    } else {
        BUG("workflow schema: definition '%s' has no type", name);
    }
    read_context(d, cJSON_GetObjectItemCaseSensitive(obj, "context"));
}

static void schema_build(struct schema *sc, const char *const *parts)
{
    cJSON *root = NULL;
    struct err err = ERR_INIT;
    cur = sc;
    schema_defs = MAP_INIT;
    struct sbuf text = SBUF_INIT;
    for (size_t i = 0; parts[i]; i++)
        sbuf_addstr(&text, parts[i]);
    if (json_parse(&root, text.buf, text.len, &err) < 0)
        BUG("workflow schema: %s", err.msg);
    sbuf_release(&text);

    def_new("null", WF_DEF_NULL);
    def_new("boolean", WF_DEF_BOOLEAN);
    def_new("number", WF_DEF_NUMBER);
    def_new("string", WF_DEF_STRING);
    struct wf_def *seq = def_new("sequence", WF_DEF_SEQUENCE);
    struct wf_def *map = def_new("mapping", WF_DEF_MAPPING);
    struct wf_def *any = def_new("any", WF_DEF_ONE_OF);
    any->one_of = arena_alloc(&schema_arena, sizeof(struct wf_def *) * 6);
    static const char *const any_names[] = {"null",   "boolean",  "number",
                                            "string", "sequence", "mapping"};
    for (size_t i = 0; i < 6; i++)
        any->one_of[i] = map_find(&schema_defs, any_names[i]);
    any->n_one_of = 6;
    seq->item = any;
    map->loose_key = map_find(&schema_defs, "string");
    map->loose_value = any;

    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(root, "definitions");
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, defs) read_definition(it->string, it);

    vec_foreach (struct pending, p, &pending) {
        const struct wf_def *d = map_find(&schema_defs, p->name);
        if (!d)
            BUG("workflow schema: unknown definition '%s'", p->name);
        *p->slot = d;
    }
    vec_release(&pending);
    cJSON_Delete(root);
    sc->ready = true;
    cur = NULL;
}

const struct wf_def *wf_schema_lookup(const char *name)
{
    if (!workflow_schema.ready)
        schema_build(&workflow_schema, wf_schema_json_parts);
    return map_find(&workflow_schema.defs, name);
}

const struct wf_def *wf_action_schema_lookup(const char *name)
{
    if (!action_schema.ready)
        schema_build(&action_schema, wf_action_schema_json_parts);
    return map_find(&action_schema.defs, name);
}

const struct wf_prop *wf_def_prop(const struct wf_def *def, const char *name)
{
    if (def->prop_index)
        return map_find(def->prop_index, name);
    for (size_t i = 0; i < def->nprops; i++) {
        if (strcmp(def->props[i].name, name) == 0)
            return &def->props[i];
    }
    return NULL;
}
