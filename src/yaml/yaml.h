#ifndef YAML_YAML_H
#define YAML_YAML_H

/*
 * yaml: YAML text to a read-only node tree that remembers where every node came from.
 *
 * The tree is built from libyaml's event stream (this module is the only one that includes
 * <yaml.h>). Every node keeps its 1-based line and column, scalars keep their style and their
 * original source text, tags and anchors are kept for the caller to judge (GitHub, for instance,
 * refuses anchors in workflows), and aliases are resolved by pointing at the anchored node.
 * Because an alias shares its target, the loader bounds the *expanded* size of the document
 * (YML_MAX_EXPANDED_NODES by default): a "billion laughs" file fails cleanly.
 *
 * Errors read as GitHub prints them: "file.yml (Line: L, Col: C): message". The position is also
 * given in struct yml_opts.err_pos when the caller asks for it, so runner/ can underline it.
 *
 * Lifecycle:
 *   1. struct yml_doc *doc; yml_load(&doc, "ci.yml", NULL, &err)   (or yml_parse on a string)
 *   2. walk doc->root: node->kind, ->pairs / ->items, ->value, ->line, ->col
 *   3. yml_free(doc): every node and string of the tree lives in the document's arena.
 *
 * Only the first document of a stream is read; a second document is an error. An empty file (or
 * one holding only comments) is an error unless opts->allow_empty, which gives doc->root == NULL.
 * Text that is not UTF-8 is an error with the position of the first bad byte.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

#define YML_MAX_EXPANDED_NODES 1000000 /* nodes counted with aliases expanded */
#define YML_MAX_DEPTH 1000             /* nesting of collections */

enum yml_kind {
    YML_SCALAR,
    YML_SEQUENCE,
    YML_MAPPING,
};

enum yml_style {
    YML_PLAIN,
    YML_SINGLE_QUOTED,
    YML_DOUBLE_QUOTED,
    YML_LITERAL, /* | */
    YML_FOLDED,  /* > */
    YML_FLOW,    /* a flow collection: [ ] or { } */
    YML_BLOCK,   /* a block collection */
};

struct yml_node;

struct yml_pair {
    struct yml_node *key;
    struct yml_node *value;
};

struct yml_node {
    enum yml_kind kind;
    enum yml_style style;
    size_t line;     /* 1-based line of the node's first character (its tag/anchor, if any) */
    size_t col;      /* 1-based column, in characters */
    size_t end_line; /* 1-based position just past the node */
    size_t end_col;
    size_t offset;      /* byte offset of the start in the source */
    size_t end_offset;  /* byte offset just past the node */
    const char *tag;    /* explicit tag as resolved by libyaml ("tag:yaml.org,2002:str"), or NULL */
    const char *anchor; /* the anchor this node defines ('&name'), or NULL */
    /* YML_SCALAR */
    const char *value; /* the scalar's value after YAML processing; NUL-terminated */
    size_t len;        /* bytes of value (it may hold NULs) */
    const char *raw;   /* the source text of the scalar as written (quotes included) */
    size_t raw_len;
    /* YML_SEQUENCE */
    struct yml_node **items;
    size_t nitems;
    /* YML_MAPPING, in document order */
    struct yml_pair *pairs;
    size_t npairs;
    size_t expanded; /* nodes in this subtree counted with aliases expanded (>= 1) */
};

struct yml_doc {
    struct arena arena; /* owns every node and string below */
    const char *name;   /* file name used in messages (a copy) */
    const char *text;   /* the whole source text (a copy, NUL-terminated) */
    size_t text_len;
    struct yml_node *root; /* NULL for an empty document */
    size_t alias_count;    /* aliases resolved while loading */
};

struct yml_pos {
    size_t line; /* 1-based; 0 when the error has no position */
    size_t col;
};

struct yml_opts {
    size_t max_expanded_nodes; /* 0: YML_MAX_EXPANDED_NODES */
    size_t max_depth;          /* 0: YML_MAX_DEPTH */
    bool allow_duplicate_keys; /* default: a repeated mapping key is an error */
    bool allow_empty;          /* default: an empty document (no root node) is an error */
    struct yml_pos *err_pos;   /* if not NULL, receives the error position */
};

/* Parses len bytes of text; `name` is used in messages. */
int yml_parse(struct yml_doc **out, const char *name, const char *text, size_t len,
              const struct yml_opts *opts, struct err *err);
/* Reads path (at most 16 MiB) and parses it, naming it by path in messages. */
int yml_load(struct yml_doc **out, const char *path, const struct yml_opts *opts, struct err *err);
void yml_free(struct yml_doc *doc);

/* The value of key in a mapping (exact match), or NULL; NULL-safe on map. */
struct yml_node *yml_map_find(const struct yml_node *map, const char *key);
/* True for a plain scalar spelling null: "", "~", "null", "Null", "NULL". */
bool yml_is_null(const struct yml_node *node);
/* YAML 1.2 core schema booleans for plain scalars: true/True/TRUE/false/False/FALSE. */
bool yml_as_bool(const struct yml_node *node, bool *out);
/*
 * YAML 1.2 core schema numbers for plain scalars (ints, 0x, 0o, floats, .inf, .nan). Whether a
 * scalar is a number is decided by the schema's patterns alone: a decimal too large for a double
 * reads as ±infinity, one too small as 0 (or a subnormal).
 */
bool yml_as_number(const struct yml_node *node, double *out);
/* "scalar", "sequence" or "mapping". */
const char *yml_kind_name(enum yml_kind kind);

#endif
