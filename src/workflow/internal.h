#ifndef WORKFLOW_INTERNAL_H
#define WORKFLOW_INTERNAL_H

/*
 * Private to src/workflow/: the schema, the template reader and the converter.
 *
 * The loader follows GitHub's two passes (actions/languageservices workflow-parser, and the C#
 * parser the github.com server runs):
 *   1. the template reader walks the YAML tree against the workflow schema (schema.c), turns every
 *      scalar into a template token (string, number, boolean, null, or an expression when it holds
 *      `${{ }}`), and reports schema errors (unknown keys, wrong types, missing properties);
 *   2. the converter (convert.c) reads the tokens into the job/step model and adds the semantic
 *      checks (ids, needs, cycles, cron, reusable workflows).
 * Errors of pass 1 stop pass 2, as the reference does.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/map.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/vec.h"
#include "workflow/workflow.h"

/* ---- schema (schema.c) ---- */

enum wf_def_type {
    WF_DEF_NULL,
    WF_DEF_BOOLEAN,
    WF_DEF_NUMBER,
    WF_DEF_STRING,
    WF_DEF_SEQUENCE,
    WF_DEF_MAPPING,
    WF_DEF_ONE_OF,
};

struct wf_def;

struct wf_prop {
    const char *name;
    const struct wf_def *def;
    bool required;
};

struct wf_def {
    const char *name;
    enum wf_def_type type;
    const char **context; /* allowed named values and functions ("hashFiles(1,255)") */
    size_t ncontext;
    /* string */
    const char *constant; /* NULL: any string */
    bool ignore_case;
    bool require_non_empty;
    bool is_expression;
    /* sequence */
    const struct wf_def *item;
    /* mapping */
    struct wf_prop *props;
    size_t nprops;
    struct map *prop_index;         /* name -> struct wf_prop *, for lookups while reading */
    const struct wf_def *loose_key; /* NULL: no loose properties */
    const struct wf_def *loose_value;
    /* one-of */
    const struct wf_def **one_of;
    size_t n_one_of;
};

/* The schema JSON in pieces (ISO C bounds string literal length); NULL-terminated. */
extern const char *const wf_schema_json_parts[];
extern const char *const wf_action_schema_json_parts[];

/* The parsed workflow schema; built on first use and kept for the life of the process. */
const struct wf_def *wf_schema_lookup(const char *name);
/* The same for action.yml's schema (action-v1.0). */
const struct wf_def *wf_action_schema_lookup(const char *name);
const struct wf_prop *wf_def_prop(const struct wf_def *def, const char *name);

/* ---- allowed context: the definition chain's contexts, accumulated like DefinitionInfo ---- */

struct wf_dinfo {
    const struct wf_def *def;
    const char *const *ctx; /* arena-owned */
    size_t nctx;
};

/* ---- reader (reader.c) ---- */

struct wf;
struct wf_ctx {
    struct wf *wf; /* the workflow being loaded (owns the YAML documents) */
    struct arena *arena;
    struct vec *diags;    /* struct wf_diag */
    struct vec *warnings; /* struct wf_diag */
    const char **files;   /* file table, 1-based ids */
    size_t nfiles;
    bool action_schema;  /* reading action.yml: definitions come from the action schema */
    size_t cur_file;     /* id of the file being read */
    size_t result_bytes; /* memory GitHub would account for the tokens read (TemplateMemory) */
    bool result_too_big; /* "Maximum object size exceeded" already reported */
    const struct wf_token *calling; /* while reading a called workflow: the caller's uses: */
    size_t called_loads;            /* called workflows loaded so far (bounded) */
    size_t max_errors;              /* 0: unlimited */
    const struct wf_load_opts *opts;
};

void wf_ctx_error(struct wf_ctx *c, const struct wf_token *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wf_ctx_error_at(struct wf_ctx *c, size_t file, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* True when opts->lenient turns errors that act lets pass into warnings the caller keeps. */
bool wf_ctx_is_lenient(const struct wf_ctx *c);
/* Like wf_ctx_error, into c->warnings (nothing when the loader keeps no warnings). */
void wf_ctx_warning(struct wf_ctx *c, const struct wf_token *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t wf_ctx_file_id(struct wf_ctx *c, const char *name);
/* Accounts a string as GitHub's TemplateMemory does (26 bytes + 2 per UTF-16 unit). */
void wf_ctx_add_string_bytes(struct wf_ctx *c, const char *s);

struct yml_node;
/* Reads a YAML tree as definition `root_def` ("workflow-root"); errors go to c->diags. */
struct wf_token *wf_read_template(struct wf_ctx *c, const struct yml_node *root,
                                  const char *root_def);

/* The name of a core-schema tag ("str" for "tag:yaml.org,2002:str"), or NULL (NULL-safe). */
const char *wf_core_tag(const char *tag);
/* The core-schema type of scalar n as tag_name says (untagged plain scalars by their spelling),
 * into *kind and *b or *d; false when a tagged value does not read as its tag's type. */
bool wf_scalar_typed(const struct yml_node *n, const char *tag_name, enum wf_tok_kind *kind,
                     bool *b, double *d);

/* Token helpers. */
struct wf_token *wf_tok_new(struct arena *a, enum wf_tok_kind kind);
struct wf_token *wf_tok_str(struct arena *a, const char *s);
struct wf_token *wf_tok_expr(struct arena *a, const char *expr);
const char *wf_tok_display(struct arena *a, const struct wf_token *t);
/* A string token's own text, any other token as wf_tok_display shows it; NULL for NULL. */
const char *wf_tok_text(struct arena *a, const struct wf_token *t);
/* JavaScript's Number#toString, used in messages and in the JSON export. */
void wf_format_number(struct sbuf *out, double d);
bool wf_tok_is_scalar(const struct wf_token *t);

/*
 * Parses an expression against the allowed context list (expr_check.c). Returns false and
 * appends the message to msg when it is invalid; when it is valid and has_status is not NULL,
 * sets *has_status to whether it calls success(), failure(), cancelled() or always() anywhere.
 */
bool wf_expr_validate(const char *expr, const char *const *ctx, size_t nctx, struct sbuf *msg,
                      bool *has_status);

/* Parses a file (the workflow, or a workflow it calls) into tokens in c's arena, as root_def;
 * NULL when its YAML is unreadable (the error is in c). */
struct wf_token *wf_read_file_tokens(struct wf_ctx *c, const char *name, const char *text,
                                     size_t len, const char *root_def);

/* ---- converter (convert.c) ---- */
/* Reads `on:` into wf->events (events.c). */
void wf_read_events(struct wf_ctx *c, struct wf *wf, struct wf_token *on);
/* The filter of ev named key ("branches", "paths-ignore", "types", ...), or NULL. */
const struct wf_strlist *wf_event_filter(const struct wf_event *ev, const char *key);
void wf_convert(struct wf_ctx *c, struct wf *wf, struct wf_token *root);
/* Steps (a sequence token) to the step model, with generated ids; used for composite actions. */
void wf_convert_steps(struct wf_ctx *c, struct wf_step ***out, size_t *nout, struct wf_token *tok);
/* Job id checks shared with the reusable workflow loader. */
const char *wf_id_error(struct arena *a, const char *value);

#endif
