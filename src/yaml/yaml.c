#include "yaml/yaml.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

#define YML_MAX_FILE (16u << 20)

/* One collection being built: its node and the children gathered so far. */
struct frame {
    struct yml_node *node;
    struct vec children; /* struct yml_node *, alternating key and value in a mapping */
};

struct anchor {
    const char *name; /* arena-owned */
    struct yml_node *node;
};

struct builder {
    struct yml_doc *doc;
    const struct yml_opts *opts;
    size_t max_expanded;
    size_t max_depth;
    size_t *line_starts; /* byte offset of each line's first byte, index 0 = line 1 */
    size_t nlines;
    struct vec stack;   /* struct frame */
    struct vec anchors; /* struct anchor, completed nodes only */
};

/* Byte offset of a libyaml mark (0-based line, column in characters). */
static size_t mark_offset(const struct builder *b, yaml_mark_t m)
{
    if (m.line >= b->nlines)
        return b->doc->text_len;
    const unsigned char *t = (const unsigned char *)b->doc->text;
    size_t off = b->line_starts[m.line];
    for (size_t c = 0; c < m.column && off < b->doc->text_len; c++) {
        off++;
        while (off < b->doc->text_len && (t[off] & 0xC0) == 0x80)
            off++;
    }
    return off;
}

static int located(struct builder *b, struct err *err, size_t line, size_t col, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

static int located(struct builder *b, struct err *err, size_t line, size_t col, const char *fmt,
                   ...)
{
    struct sbuf msg = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    err_set(err, ERR_INVALID, "%s (Line: %zu, Col: %zu): %s", b->doc->name, line, col, msg.buf);
    sbuf_release(&msg);
    if (b->opts && b->opts->err_pos) {
        b->opts->err_pos->line = line;
        b->opts->err_pos->col = col;
    }
    return ERR_INVALID;
}

/* The first byte that is not valid UTF-8 (overlongs, surrogates and > U+10FFFF included). */
static size_t find_bad_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode((const char *)s + i, len - i, &cp);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

static void offset_position(const struct builder *b, size_t off, size_t *line, size_t *col)
{
    size_t l = 0;
    while (l + 1 < b->nlines && b->line_starts[l + 1] <= off)
        l++;
    const unsigned char *t = (const unsigned char *)b->doc->text;
    size_t c = 1;
    for (size_t i = b->line_starts[l]; i < off; i++) {
        if ((t[i] & 0xC0) != 0x80)
            c++;
    }
    *line = l + 1;
    *col = c;
}

static struct yml_node *new_node(struct builder *b, enum yml_kind kind, yaml_mark_t start,
                                 const yaml_char_t *tag, const yaml_char_t *anchor)
{
    struct yml_node *n = arena_alloc(&b->doc->arena, sizeof(*n));
    n->kind = kind;
    n->line = start.line + 1;
    n->col = start.column + 1;
    n->offset = mark_offset(b, start);
    n->tag = tag ? arena_strdup(&b->doc->arena, (const char *)tag) : NULL;
    n->anchor = anchor ? arena_strdup(&b->doc->arena, (const char *)anchor) : NULL;
    n->expanded = 1;
    return n;
}

static void set_end(struct builder *b, struct yml_node *n, yaml_mark_t end)
{
    n->end_line = end.line + 1;
    n->end_col = end.column + 1;
    n->end_offset = mark_offset(b, end);
}

static void register_anchor(struct builder *b, struct yml_node *n)
{
    if (!n->anchor)
        return;
    /* A later anchor of the same name shadows an earlier one (YAML 1.2, 3.2.2.2). */
    struct anchor *a = vec_push(&b->anchors);
    a->name = n->anchor;
    a->node = n;
}

static struct yml_node *find_anchor(struct builder *b, const char *name)
{
    for (size_t i = b->anchors.len; i > 0; i--) {
        struct anchor *a = vec_at(&b->anchors, i - 1);
        if (!strcmp(a->name, name))
            return a->node;
    }
    return NULL;
}

/* Appends a scalar for a one-line message: control characters escaped, long values cut. */
static void add_for_message(struct sbuf *out, const char *s, size_t len)
{
    size_t shown = len > 80 ? 80 : len;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            sbuf_addstr(out, "\\n");
        else if (c < 0x20 || c == 0x7f)
            sbuf_addf(out, "\\x%02x", c);
        else
            sbuf_addch(out, c);
    }
    if (shown < len)
        sbuf_addstr(out, "...");
}

static bool keys_equal(const struct yml_node *a, const struct yml_node *b)
{
    return a->kind == YML_SCALAR && b->kind == YML_SCALAR && a->len == b->len &&
           !memcmp(a->value, b->value, a->len);
}

/*
 * Adds a finished node to the collection on top of the stack, or makes it the root. Errors are
 * reported at (line, col): the node's own position, or the alias's when n came through one.
 */
static int attach(struct builder *b, struct yml_node *n, size_t line, size_t col, struct err *err)
{
    if (!b->stack.len) {
        b->doc->root = n;
        if (n->expanded > b->max_expanded) {
            return located(b, err, line, col,
                           "the document is too large: it expands to more than %zu nodes",
                           b->max_expanded);
        }
        return 0;
    }
    struct frame *f = vec_at(&b->stack, b->stack.len - 1);
    if (f->node->kind == YML_MAPPING && f->children.len % 2 == 0 &&
        !(b->opts && b->opts->allow_duplicate_keys)) {
        for (size_t i = 0; i < f->children.len; i += 2) {
            struct yml_node *key = *(struct yml_node **)vec_at(&f->children, i);
            if (keys_equal(key, n)) {
                struct sbuf shown = SBUF_INIT;
                add_for_message(&shown, n->value, n->len);
                located(b, err, line, col, "'%s' is already defined", shown.buf);
                sbuf_release(&shown);
                return ERR_INVALID;
            }
        }
    }
    vec_append(&f->children, &n);
    f->node->expanded += n->expanded;
    if (f->node->expanded > b->max_expanded) {
        return located(b, err, line, col,
                       "the document is too large: it expands to more than %zu nodes",
                       b->max_expanded);
    }
    return 0;
}

static int on_scalar(struct builder *b, yaml_event_t *ev, struct err *err)
{
    struct yml_node *n =
        new_node(b, YML_SCALAR, ev->start_mark, ev->data.scalar.tag, ev->data.scalar.anchor);
    set_end(b, n, ev->end_mark);
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        n->style = YML_SINGLE_QUOTED;
        break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = YML_DOUBLE_QUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
        n->style = YML_LITERAL;
        break;
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = YML_FOLDED;
        break;
    default:
        n->style = YML_PLAIN;
    }
    n->len = ev->data.scalar.length;
    n->value = arena_memdup(&b->doc->arena, ev->data.scalar.value, n->len + 1);
    /* The scalar's own text starts after its anchor and tag, if any. */
    size_t raw_start = n->offset;
    if (ev->data.scalar.anchor || ev->data.scalar.tag) {
        const char *t = b->doc->text;
        size_t i = raw_start;
        while (i < n->end_offset && (t[i] == '&' || t[i] == '!')) {
            while (i < n->end_offset && t[i] != ' ' && t[i] != '\t' && t[i] != '\n')
                i++;
            while (i < n->end_offset && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n'))
                i++;
        }
        raw_start = i;
    }
    n->raw = b->doc->text + raw_start;
    n->raw_len = n->end_offset > raw_start ? n->end_offset - raw_start : 0;
    int rc = attach(b, n, n->line, n->col, err);
    if (rc == 0)
        register_anchor(b, n);
    return rc;
}

static int on_start(struct builder *b, yaml_event_t *ev, enum yml_kind kind, struct err *err)
{
    bool seq = kind == YML_SEQUENCE;
    struct yml_node *n = new_node(
        b, kind, ev->start_mark, seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag,
        seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor);
    bool flow = seq ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                    : ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    n->style = flow ? YML_FLOW : YML_BLOCK;
    if (b->stack.len >= b->max_depth) {
        return located(b, err, n->line, n->col, "maximum nesting depth of %zu exceeded",
                       b->max_depth);
    }
    struct frame *f = vec_push(&b->stack);
    f->node = n;
    f->children = VEC_INIT(struct yml_node *);
    return 0;
}

static int on_end(struct builder *b, yaml_event_t *ev, struct err *err)
{
    struct frame f = *(struct frame *)vec_at(&b->stack, b->stack.len - 1);
    vec_pop(&b->stack);
    struct yml_node *n = f.node;
    set_end(b, n, ev->end_mark);
    struct yml_node **kids = f.children.items;
    if (n->kind == YML_SEQUENCE) {
        n->nitems = f.children.len;
        n->items = arena_memdup(&b->doc->arena, kids, n->nitems * sizeof(*kids));
    } else {
        n->npairs = f.children.len / 2;
        n->pairs = arena_alloc(&b->doc->arena, n->npairs * sizeof(*n->pairs));
        for (size_t i = 0; i < n->npairs; i++) {
            n->pairs[i].key = kids[2 * i];
            n->pairs[i].value = kids[2 * i + 1];
        }
    }
    vec_release(&f.children);
    int rc = attach(b, n, n->line, n->col, err);
    if (rc == 0)
        register_anchor(b, n);
    return rc;
}

static int on_alias(struct builder *b, yaml_event_t *ev, struct err *err)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct yml_node *target = find_anchor(b, name);
    if (!target) {
        struct sbuf shown = SBUF_INIT;
        add_for_message(&shown, name, strlen(name));
        located(b, err, ev->start_mark.line + 1, ev->start_mark.column + 1, "unknown anchor '%s'",
                shown.buf);
        sbuf_release(&shown);
        return ERR_INVALID;
    }
    b->doc->alias_count++;
    return attach(b, target, ev->start_mark.line + 1, ev->start_mark.column + 1, err);
}

static int parser_error(struct builder *b, yaml_parser_t *p, struct err *err)
{
    const char *problem = p->problem ? p->problem : "invalid YAML";
    size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
    const char *hint = "";
    if (p->error == YAML_READER_ERROR) {
        offset_position(b, p->problem_offset, &line, &col);
    } else {
        size_t off = mark_offset(b, p->problem_mark);
        if (off < b->doc->text_len && b->doc->text[off] == '\t')
            hint = " (a tab: YAML indentation must use spaces)";
    }
    if (p->context)
        return located(b, err, line, col, "%s %s%s", problem, p->context, hint);
    return located(b, err, line, col, "%s%s", problem, hint);
}

static void release_stack(struct builder *b)
{
    vec_foreach (struct frame, f, &b->stack) {
        vec_release(&f->children);
    }
    vec_release(&b->stack);
    vec_release(&b->anchors);
}

static int build(struct builder *b, struct err *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0;
    bool done = false;
    size_t docs = 0;

    if (!yaml_parser_initialize(&parser))
        BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)b->doc->text, b->doc->text_len);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(b, &parser, err);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rc = located(b, err, ev.start_mark.line + 1, ev.start_mark.column + 1,
                             "only one YAML document is allowed in a file");
            }
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(b, &ev, err);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(b, &ev, YML_SEQUENCE, err);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(b, &ev, YML_MAPPING, err);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(b, &ev, err);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(b, &ev, err);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    release_stack(b);
    return rc;
}

int yml_parse(struct yml_doc **out, const char *name, const char *text, size_t len,
              const struct yml_opts *opts, struct err *err)
{
    struct yml_doc *doc = xcalloc(1, sizeof(*doc));
    doc->arena = ARENA_INIT;
    doc->name = arena_strdup(&doc->arena, name);
    char *copy = arena_alloc(&doc->arena, len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    doc->text = copy;
    doc->text_len = len;

    struct builder b = {
        .doc = doc,
        .opts = opts,
        .max_expanded =
            opts && opts->max_expanded_nodes ? opts->max_expanded_nodes : YML_MAX_EXPANDED_NODES,
        .max_depth = opts && opts->max_depth ? opts->max_depth : YML_MAX_DEPTH,
        .stack = VEC_INIT(struct frame),
        .anchors = VEC_INIT(struct anchor),
    };
    struct vec lines = VEC_INIT(size_t);
    size_t zero = 0;
    vec_append(&lines, &zero);
    for (size_t i = 0; i < len; i++) {
        /* libyaml counts "\r\n", "\r" and "\n" each as one line break. */
        if (copy[i] == '\n' || (copy[i] == '\r' && (i + 1 >= len || copy[i + 1] != '\n'))) {
            size_t next = i + 1;
            vec_append(&lines, &next);
        }
    }
    b.line_starts = lines.items;
    b.nlines = lines.len;

    int rc = 0;
    size_t bad = find_bad_utf8((const unsigned char *)copy, len);
    if (bad < len) {
        size_t line, col;
        offset_position(&b, bad, &line, &col);
        rc = located(&b, err, line, col, "invalid UTF-8 byte 0x%02x; the file must be UTF-8",
                     (unsigned char)copy[bad]);
    } else if (memchr(copy, '\0', len)) {
        size_t line, col;
        offset_position(&b, (size_t)((char *)memchr(copy, '\0', len) - copy), &line, &col);
        rc = located(&b, err, line, col, "the file contains a NUL byte");
    } else {
        rc = build(&b, err);
    }
    if (rc == 0 && !doc->root && !(opts && opts->allow_empty))
        rc = located(&b, err, 1, 1, "the file is empty");
    vec_release(&lines);
    if (rc < 0) {
        yml_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

int yml_load(struct yml_doc **out, const char *path, const struct yml_opts *opts, struct err *err)
{
    struct sbuf sb = SBUF_INIT;
    int rc = sbuf_read_file(&sb, path, YML_MAX_FILE, err);
    if (rc == 0)
        rc = yml_parse(out, path, sb.buf, sb.len, opts, err);
    sbuf_release(&sb);
    return rc;
}

void yml_free(struct yml_doc *doc)
{
    if (!doc)
        return;
    arena_release(&doc->arena);
    xfree(doc);
}

struct yml_node *yml_map_find(const struct yml_node *map, const char *key)
{
    if (!map || map->kind != YML_MAPPING)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < map->npairs; i++) {
        const struct yml_node *k = map->pairs[i].key;
        if (k->kind == YML_SCALAR && k->len == len && !memcmp(k->value, key, len))
            return map->pairs[i].value;
    }
    return NULL;
}

static bool is_plain(const struct yml_node *n)
{
    return n && n->kind == YML_SCALAR && n->style == YML_PLAIN && !n->tag;
}

bool yml_is_null(const struct yml_node *node)
{
    if (!is_plain(node))
        return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        if (!strcmp(node->value, nulls[i]))
            return true;
    }
    return false;
}

bool yml_as_bool(const struct yml_node *node, bool *out)
{
    if (!is_plain(node))
        return false;
    const char *v = node->value;
    if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
        *out = false;
        return true;
    }
    return false;
}

/* YAML 1.2 core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+, floats, [-+]?.inf, .nan. */
bool yml_as_number(const struct yml_node *node, double *out)
{
    if (!is_plain(node) || !node->len)
        return false;
    const char *v = node->value;
    if (!strcmp(v, ".inf") || !strcmp(v, ".Inf") || !strcmp(v, ".INF") || !strcmp(v, "+.inf") ||
        !strcmp(v, "+.Inf") || !strcmp(v, "+.INF")) {
        *out = INFINITY;
        return true;
    }
    if (!strcmp(v, "-.inf") || !strcmp(v, "-.Inf") || !strcmp(v, "-.INF")) {
        *out = -INFINITY;
        return true;
    }
    if (!strcmp(v, ".nan") || !strcmp(v, ".NaN") || !strcmp(v, ".NAN")) {
        *out = NAN;
        return true;
    }
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'o') && v[2]) {
        int base = v[1] == 'x' ? 16 : 8;
        double r = 0;
        for (const char *p = v + 2; *p; p++) {
            int d;
            if (*p >= '0' && *p <= '9')
                d = *p - '0';
            else if (base == 16 && *p >= 'a' && *p <= 'f')
                d = *p - 'a' + 10;
            else if (base == 16 && *p >= 'A' && *p <= 'F')
                d = *p - 'A' + 10;
            else
                return false;
            if (d >= base)
                return false;
            r = r * base + d;
        }
        *out = r;
        return true;
    }
    /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    const char *p = v;
    if (*p == '-' || *p == '+')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    /* the pattern decides that it is a number; a value out of range rounds (to ±inf or 0) as
       JavaScript's parseFloat and .NET's double.Parse do, it does not become a string */
    *out = strtod(v, NULL);
    return true;
}

const char *yml_kind_name(enum yml_kind kind)
{
    switch (kind) {
    case YML_SCALAR:
        return "scalar";
    case YML_SEQUENCE:
        return "sequence";
    case YML_MAPPING:
        return "mapping";
    }
    return "node";
}
