/*
 * `on:` read into events: the three shapes (a name, a list of names, a mapping of configured
 * events), the filters (branches, tags, paths and their -ignore forms, types, versions, names,
 * workflows), schedule crons checked as GitHub checks them, and the inputs, secrets and outputs
 * of workflow_dispatch and workflow_call. Follows actions/languageservices
 * model/converter/events.ts, workflow-dispatch.ts, workflow-call.ts and cron.ts.
 */
#include "workflow/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- cron ---- */

struct cron_range {
    int min, max;
    const char *const *names; /* three-letter names, index = value - names_base */
    int names_base;
    size_t nnames;
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static bool casecmp3(const char *a, const char *b)
{
    for (size_t i = 0; i < 3; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        if (x != b[i])
            return false;
    }
    return true;
}

static int cron_name(const struct cron_range *r, const char *s, size_t len)
{
    for (size_t i = 0; i < r->nnames; i++) {
        if (len == 3 && casecmp3(s, r->names[i]))
            return r->names_base + (int)i;
    }
    return -1;
}

/* JavaScript's +value for the digit strings a cron field holds; -1 when not a number. */
static double cron_number(const char *s, size_t len)
{
    if (len == 0)
        return 0; /* +"" is 0 in JavaScript */
    double v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static double cron_to_number(const struct cron_range *r, const char *s, size_t len)
{
    int n = cron_name(r, s, len);
    return n >= 0 ? n : cron_number(s, len);
}

static bool cron_part(const char *s, size_t len, const struct cron_range *r, bool separators)
{
    if (cron_name(r, s, len) >= 0)
        return true;
    if (len == 1 && s[0] == '*')
        return true;
    const char *comma = memchr(s, ',', len);
    if (comma) {
        if (!separators)
            return false;
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i == len || s[i] == ',') {
                if (i == start || !cron_part(s + start, i - start, r, true))
                    return false;
                start = i + 1;
            }
        }
        return true;
    }
    const char *slash = memchr(s, '/', len);
    if (slash) {
        if (!separators)
            return false;
        size_t a = (size_t)(slash - s);
        const char *step = slash + 1;
        size_t b = len - a - 1;
        if (memchr(step, '/', b) || a == 0 || b == 0)
            return false;
        double sn = cron_number(step, b);
        if (sn <= 0)
            return false;
        return cron_part(s, a, r, true) && cron_part(step, b, r, false);
    }
    const char *dash = memchr(s, '-', len);
    if (dash) {
        if (!separators)
            return false;
        size_t a = (size_t)(dash - s);
        const char *end = dash + 1;
        size_t b = len - a - 1;
        if (memchr(end, '-', b) || a == 0 || b == 0)
            return false;
        return cron_part(s, a, r, false) && cron_part(end, b, r, false) &&
               cron_to_number(r, end, b) >= cron_to_number(r, s, a);
    }
    double v = cron_number(s, len);
    return v >= 0 && v >= r->min && v <= r->max;
}

bool wf_cron_is_valid(const char *cron)
{
    static const struct cron_range ranges[5] = {
        {0, 59, NULL, 0, 0},         {0, 23, NULL, 0, 0},     {1, 31, NULL, 0, 0},
        {1, 12, month_names, 1, 12}, {0, 6, day_names, 0, 7},
    };
    /* split on runs of spaces; a leading or trailing space makes an empty field */
    const char *fields[6];
    size_t lens[6];
    size_t n = 0;
    const char *p = cron;
    while (1) {
        const char *sp = strchr(p, ' ');
        size_t l = sp ? (size_t)(sp - p) : strlen(p);
        if (n == 6)
            return false;
        fields[n] = p;
        lens[n] = l;
        n++;
        if (!sp)
            break;
        p = sp;
        while (*p == ' ')
            p++;
    }
    if (n != 5)
        return false;
    for (size_t i = 0; i < 5; i++) {
        if (!cron_part(fields[i], lens[i], &ranges[i], true))
            return false;
    }
    return true;
}

/* ---- events ---- */

static void strlist_from(struct wf_ctx *c, struct wf_strlist *out, struct wf_token *v)
{
    out->present = true;
    if (v->kind == WF_TOK_STRING) {
        out->items = arena_alloc(c->arena, sizeof(char *));
        out->items[0] = v->str;
        out->n = 1;
        return;
    }
    if (v->kind != WF_TOK_SEQUENCE)
        return;
    out->items = arena_alloc(c->arena, sizeof(char *) * (v->nitems + 1));
    for (size_t i = 0; i < v->nitems; i++)
        out->items[out->n++] = wf_tok_text(c->arena, v->items[i]);
}

static void read_inputs(struct wf_ctx *c, struct wf_event *ev, struct wf_token *map)
{
    ev->has_inputs = true;
    if (map->kind != WF_TOK_MAPPING)
        return;
    ev->inputs = arena_alloc(c->arena, sizeof(struct wf_input) * (map->npairs + 1));
    for (size_t i = 0; i < map->npairs; i++) {
        struct wf_input *in = &ev->inputs[ev->ninputs++];
        memset(in, 0, sizeof(*in));
        in->name = wf_tok_text(c->arena, map->pairs[i].key);
        in->type = "string";
        struct wf_token *def = map->pairs[i].value;
        in->token = def;
        if (def->kind != WF_TOK_MAPPING)
            continue;
        for (size_t j = 0; j < def->npairs; j++) {
            struct wf_token *k = def->pairs[j].key;
            struct wf_token *v = def->pairs[j].value;
            if (k->kind != WF_TOK_STRING)
                continue;
            if (strcmp(k->str, "description") == 0)
                in->description = wf_tok_text(c->arena, v);
            else if (strcmp(k->str, "required") == 0)
                in->required = v->kind == WF_TOK_BOOL && v->boolean;
            else if (strcmp(k->str, "default") == 0)
                in->default_value = v;
            else if (strcmp(k->str, "type") == 0)
                in->type = wf_tok_text(c->arena, v);
            else if (strcmp(k->str, "options") == 0)
                strlist_from(c, &in->options, v);
        }
        bool is_choice = strcmp(in->type, "choice") == 0;
        if (is_choice && in->options.n == 0)
            wf_ctx_error(c, def, "Missing 'options' for choice input");
        else if (!is_choice && in->options.present)
            wf_ctx_error(c, def, "Input type is not 'choice', but 'options' is defined");
    }
}

static void read_call_items(struct wf_ctx *c, struct wf_call_item **out, size_t *n,
                            struct wf_token *map)
{
    if (map->kind != WF_TOK_MAPPING)
        return;
    *out = arena_alloc(c->arena, sizeof(struct wf_call_item) * (map->npairs + 1));
    for (size_t i = 0; i < map->npairs; i++) {
        struct wf_call_item *it = &(*out)[(*n)++];
        memset(it, 0, sizeof(*it));
        it->name = wf_tok_text(c->arena, map->pairs[i].key);
        it->token = map->pairs[i].value;
        struct wf_token *def = map->pairs[i].value;
        it->description = wf_tok_text(c->arena, wf_tok_get(def, "description"));
        struct wf_token *req = wf_tok_get(def, "required");
        it->required = req && req->kind == WF_TOK_BOOL && req->boolean;
        it->value = wf_tok_get(def, "value");
    }
}

static void read_schedule(struct wf_ctx *c, struct wf_event *ev, struct wf_token *seq)
{
    if (seq->kind != WF_TOK_SEQUENCE)
        return;
    ev->crons = arena_alloc(c->arena, sizeof(struct wf_cron) * (seq->nitems + 1));
    for (size_t i = 0; i < seq->nitems; i++) {
        struct wf_token *m = seq->items[i];
        if (m->kind != WF_TOK_MAPPING)
            continue;
        struct wf_cron cr = {0};
        bool valid = true;
        for (size_t j = 0; j < m->npairs; j++) {
            struct wf_token *k = m->pairs[j].key;
            struct wf_token *v = m->pairs[j].value;
            if (k->kind == WF_TOK_STRING && strcmp(k->str, "cron") == 0 &&
                v->kind == WF_TOK_STRING) {
                if (!wf_cron_is_valid(v->str))
                    wf_ctx_error(c, v,
                                 "Invalid cron expression. Expected format: '* * * * *' (minute "
                                 "hour day month weekday)");
                cr.cron = v->str;
            } else if (k->kind == WF_TOK_STRING && strcmp(k->str, "timezone") == 0) {
                cr.timezone = wf_tok_text(c->arena, v);
            } else {
                wf_ctx_error(c, k, "Invalid schedule key");
                valid = false;
            }
        }
        if (valid && cr.cron)
            ev->crons[ev->ncrons++] = cr;
        else if (valid)
            wf_ctx_error(c, m, "Missing required key 'cron' in schedule entry");
    }
}

const struct wf_strlist *wf_event_filter(const struct wf_event *ev, const char *key)
{
    struct {
        const char *name;
        const struct wf_strlist *slot;
    } const slots[] = {
        {"branches", &ev->branches}, {"branches-ignore", &ev->branches_ignore},
        {"tags", &ev->tags},         {"tags-ignore", &ev->tags_ignore},
        {"paths", &ev->paths},       {"paths-ignore", &ev->paths_ignore},
        {"types", &ev->types},       {"versions", &ev->versions},
        {"names", &ev->names},       {"workflows", &ev->workflows},
    };
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if (strcmp(slots[i].name, key) == 0)
            return slots[i].slot;
    }
    return NULL;
}

/*
 * github.com refuses a filter next to its -ignore form for one event ("you may only define one
 * of `branches` and `branches-ignore` for a single event", the message its workflow file
 * annotation shows; tags are checked first, then branches, then paths). The workflow-parser of
 * actions/languageservices does not check it, so its conformance cases (opts->parser_only)
 * leave it out. The error points at the second of the two keys.
 */
static void check_ignore_pairs(struct wf_ctx *c, const struct wf_token *cfg)
{
    static const char *const filters[] = {"tags", "branches", "paths"};
    if (c->opts && c->opts->parser_only)
        return;
    for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
        const struct wf_token *first = NULL;
        const struct wf_token *second = NULL;
        for (size_t i = 0; i < cfg->npairs && !second; i++) {
            const struct wf_token *k = cfg->pairs[i].key;
            if (k->kind != WF_TOK_STRING)
                continue;
            size_t n = strlen(filters[f]);
            bool is_inc = strcmp(k->str, filters[f]) == 0;
            bool is_ign = strncmp(k->str, filters[f], n) == 0 && strcmp(k->str + n, "-ignore") == 0;
            if (!is_inc && !is_ign)
                continue;
            if (!first)
                first = k;
            else if (strcmp(first->str, k->str) != 0)
                second = k;
        }
        if (second)
            wf_ctx_error(c, second,
                         "you may only define one of `%s` and `%s-ignore` for a single event",
                         filters[f], filters[f]);
    }
}

static void read_event(struct wf_ctx *c, struct wf_event *ev, struct wf_token *cfg)
{
    ev->token = cfg;
    if (!cfg || cfg->kind == WF_TOK_NULL)
        return;
    if (strcmp(ev->name, "schedule") == 0) {
        read_schedule(c, ev, cfg);
        return;
    }
    if (cfg->kind != WF_TOK_MAPPING)
        return;
    bool dispatch = strcmp(ev->name, "workflow_dispatch") == 0;
    bool call = strcmp(ev->name, "workflow_call") == 0;
    for (size_t i = 0; i < cfg->npairs; i++) {
        struct wf_token *k = cfg->pairs[i].key;
        struct wf_token *v = cfg->pairs[i].value;
        if (k->kind != WF_TOK_STRING)
            continue;
        if (dispatch || call) {
            if (strcmp(k->str, "inputs") == 0)
                read_inputs(c, ev, v);
            else if (call && strcmp(k->str, "secrets") == 0) {
                ev->has_secrets = true;
                read_call_items(c, &ev->secrets, &ev->nsecrets, v);
            } else if (call && strcmp(k->str, "outputs") == 0)
                read_call_items(c, &ev->outputs, &ev->noutputs, v);
            continue;
        }
        /* ev is ours to fill: the lookup is const only so that the export can share it */
        struct wf_strlist *slot = (struct wf_strlist *)wf_event_filter(ev, k->str);
        if (!slot)
            continue;
        strlist_from(c, slot, v);
        if (ev->nfilter_order < 10)
            ev->filter_order[ev->nfilter_order++] = k->str;
    }
    if (!dispatch && !call)
        check_ignore_pairs(c, cfg);
}

void wf_read_events(struct wf_ctx *c, struct wf *wf, struct wf_token *on)
{
    struct arena *a = c->arena;
    if (on->kind == WF_TOK_STRING) {
        wf->events = arena_alloc(a, sizeof(struct wf_event));
        wf->events[0].name = on->str;
        wf->nevents = 1;
        return;
    }
    if (on->kind == WF_TOK_SEQUENCE) {
        wf->events = arena_alloc(a, sizeof(struct wf_event) * (on->nitems + 1));
        for (size_t i = 0; i < on->nitems; i++) {
            struct wf_event *ev = &wf->events[wf->nevents++];
            memset(ev, 0, sizeof(*ev));
            ev->name = wf_tok_text(c->arena, on->items[i]);
        }
        return;
    }
    if (on->kind != WF_TOK_MAPPING) {
        wf_ctx_error(c, on, "Invalid format for 'on'");
        return;
    }
    wf->events = arena_alloc(a, sizeof(struct wf_event) * (on->npairs + 1));
    for (size_t i = 0; i < on->npairs; i++) {
        struct wf_event *ev = &wf->events[wf->nevents++];
        memset(ev, 0, sizeof(*ev));
        ev->name = wf_tok_text(c->arena, on->pairs[i].key);
        read_event(c, ev, on->pairs[i].value);
    }
}

const struct wf_event *wf_find_event(const struct wf *wf, const char *name)
{
    for (size_t i = 0; i < wf->nevents; i++) {
        if (strcmp(wf->events[i].name, name) == 0)
            return &wf->events[i];
    }
    return NULL;
}
