#ifndef EXPR_EXPR_H
#define EXPR_EXPR_H

/*
 * expr: the ${{ }} expression language, evaluated as GitHub evaluates it.
 *
 * The language (docs.github.com, "Evaluate expressions in workflows and actions"): literals
 * (null, true, false, numbers in decimal, 0x hex, 0o octal, exponent forms, NaN, Infinity;
 * strings in single quotes with '' as the escape), named values (contexts), property access
 * a.b, index a['b'] and a[0], the object filter a.*.b, function calls, and the operators
 * ! < <= > >= == != && || with GitHub's precedence and parentheses. The behaviour follows the
 * cases GitHub's C#, Go and TypeScript engines share (../shared/conformance/expressions/), and
 * where they differ the C# runner, which is what users see.
 *
 * Lifecycle of one expression:
 *   1. struct arena tree = ARENA_INIT;                 the caller's arena (a workflow's, say)
 *   2. struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
 *      po.contexts = names; po.n_contexts = n;          the named values allowed in this key
 *      po.functions = extra; po.n_functions = m;        e.g. "success", "hashFiles"
 *   3. expr_parse(&e, &tree, src, len, &po, &err)       AST allocated in `tree`; on failure err
 *                                                       holds GitHub's message, po.diag_out (when
 *                                                       set) its kind and position
 *   4. struct arena scratch = ARENA_INIT;
 *      struct expr_ctx ctx = EXPR_CTX_INIT; ctx.contexts = &contexts_object; ...
 *      expr_eval(&v, &scratch, e, &ctx, &err)           v lives in `scratch`
 *   5. use v: val_to_sbuf() (GitHub's string conversion), val_to_json(), val_copy() into a
 *      longer-lived arena
 *   6. arena_reset(&scratch) before the next evaluation; arena_release(&tree) when the tree dies
 *
 * Templates (strings holding ${{ }} parts, as in env: values and with: inputs) go through
 * expr_template_parse() / expr_template_eval(); `if:` conditions through expr_if_parse().
 *
 * Ownership: nothing here is freed on its own. ASTs, values and templates live in the arena they
 * were made in; the source text given to a parse function is copied where the tree needs it,
 * so the caller may free it after parsing. Values handed in through expr_ctx are borrowed for
 * the duration of the evaluation (a result may point into them, so keep them alive as long as
 * the result is used, or val_copy() the result).
 *
 * Errors follow GitHub's wording, for example
 *   "Unrecognized named-value: 'secrets'. Located at position 1 within expression: secrets.foo"
 * where the position is the 1-based character offset (UTF-16 code units, as the C# runner
 * counts) in the whole expression. Callers that map positions to file:line:col (workflow/) read
 * struct expr_diag, which carries the kind, the position and the byte offset.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/str.h"

/* GitHub's limits (actions/runner ExpressionConstants; languageservices errors.ts). */
#define EXPR_MAX_DEPTH 50     /* nesting of the parse tree, "Exceeded max expression depth 50" */
#define EXPR_MAX_LENGTH 21000 /* characters, "Exceeded max expression length 21000" */
#define EXPR_MAX_MEMORY (1u << 20) /* bytes of evaluation results, as the C# runner counts them */
#define EXPR_MAX_FORMAT_ARGS 255   /* format() takes at most this many arguments after the format */

/* ---------------------------------------------------------------------------------------------
 * Values
 *
 * A struct val is small and passed by value. Strings, arrays and objects point into an arena
 * (or into memory the caller keeps alive); a val never owns heap memory. Objects keep insertion
 * order and look keys up ignoring case (ASCII and the Unicode simple case mapping of the
 * evaluator's comparisons is not used for keys: GitHub keys compare OrdinalIgnoreCase on ASCII).
 * Setting an existing key replaces its value and keeps the first spelling of the key.
 */

enum val_kind {
    VAL_NULL,
    VAL_BOOL,
    VAL_NUMBER,
    VAL_STRING,
    VAL_ARRAY,
    VAL_OBJECT,
};

struct val_array;
struct val_object;

struct val {
    enum val_kind kind;
    union {
        bool b;                 /* VAL_BOOL */
        double num;             /* VAL_NUMBER */
        struct str s;           /* VAL_STRING: bytes (UTF-8), NUL-terminated at s.len */
        struct val_array *arr;  /* VAL_ARRAY */
        struct val_object *obj; /* VAL_OBJECT */
    };
};

struct val_array {
    struct val *items;
    size_t len;
    size_t alloc;
    bool is_filtered; /* made by a '*' filter: further indexes apply to each element */
};

struct val_member {
    struct str key; /* NUL-terminated at key.len */
    struct val value;
};

struct val_object {
    struct val_member *members; /* in insertion order */
    size_t len;
    size_t alloc;
    uint32_t *index;   /* hash index (member index + 1, 0 = empty), built once len grows */
    size_t index_size; /* power of two, or 0 while there is no index */
};

static inline struct val val_null(void)
{
    return (struct val){.kind = VAL_NULL};
}
static inline struct val val_bool(bool b)
{
    return (struct val){.kind = VAL_BOOL, .b = b};
}
static inline struct val val_number(double num)
{
    return (struct val){.kind = VAL_NUMBER, .num = num};
}
/* A string value copying len bytes of p into a. */
struct val val_string(struct arena *a, const char *p, size_t len);
/* A string value pointing at p (NUL-terminated at len), which must outlive the value. */
static inline struct val val_string_borrowed(const char *p, size_t len)
{
    return (struct val){.kind = VAL_STRING, .s = {.p = p, .len = len}};
}
/* A new empty array or object in a. */
struct val val_new_array(struct arena *a);
struct val val_new_object(struct arena *a);
/* Appends item to the array arr (arr.kind must be VAL_ARRAY). */
void val_array_push(struct arena *a, struct val arr, struct val item);
/* Sets key (copied into a) to v in the object obj; see the replacement rule above. */
void val_object_set(struct arena *a, struct val obj, const char *key, size_t keylen, struct val v);
/* The value of key in obj ignoring ASCII case, or NULL (borrowed from obj). */
const struct val *val_object_find(const struct val_object *obj, const char *key, size_t keylen);

/* "Null", "Boolean", "Number", "String", "Array", "Object": the kind names GitHub prints. */
const char *val_kind_name(enum val_kind kind);

/* GitHub's truthiness: false for null, false, 0, -0, NaN and ''; true otherwise. */
bool val_is_truthy(const struct val *v);
/*
 * GitHub's number conversion: null 0, false 0, true 1, strings parsed after trimming whitespace
 * ('' is 0; decimal with sign, point and exponent, 0x hex, 0o octal, Infinity; anything else
 * NaN), arrays and objects NaN.
 */
double val_to_number(const struct val *v);
/*
 * Appends GitHub's string conversion: null '', booleans 'true'/'false', numbers like the C#
 * runner's G15 format (val_number_to_sbuf), strings as they are, arrays 'Array', objects
 * 'Object'.
 */
void val_to_sbuf(struct sbuf *out, const struct val *v);
/*
 * Appends a number the way the C# runner converts it to a string: ToString("G15",
 * InvariantCulture), so 0.3, 1.23456789012346E+17, 1E+21, -1E-07, negative zero as 0, and NaN,
 * Infinity, -Infinity.
 */
void val_number_to_sbuf(struct sbuf *out, double num);
/* The same into buf (not NUL-terminated); returns the length. */
#define VAL_NUMBER_CHARS 40
size_t val_number_to_chars(char buf[VAL_NUMBER_CHARS], double num);
/*
 * Parses a number the way the evaluator converts strings (see val_to_number). Returns NaN when
 * the text is not a number.
 */
double val_parse_number(const char *s, size_t len);

/* The operators: loose equality with coercion to number, strings compared ignoring case. */
bool val_equals(const struct val *a, const struct val *b);
bool val_less(const struct val *a, const struct val *b);
bool val_greater(const struct val *a, const struct val *b);

/*
 * Builds a value from a cJSON tree into a (strings, keys and containers copied; object keys
 * case-insensitive with the first spelling kept; duplicates keep the last value).
 */
struct val val_from_json(struct arena *a, const cJSON *json);
/* A new cJSON tree for v (free with cJSON_Delete); numbers as doubles. */
cJSON *val_to_json(const struct val *v);
/*
 * Appends v as JSON the way toJSON() prints it: objects and arrays indented with 2 spaces
 * ("{\n  \"a\": 1\n}", empty ones as {} and []), numbers in G15 form (integers without a
 * fraction), when `pretty` is false on one line without spaces.
 */
void val_to_json_sbuf(struct sbuf *out, const struct val *v, bool pretty);
/* A deep copy of v in a (strings, arrays and objects copied). */
struct val val_copy(struct arena *a, const struct val *v);

/* ---------------------------------------------------------------------------------------------
 * Parsing
 */

/* The built-in functions (always allowed) and the optional ones a caller may allow. */
enum expr_func {
    EXPR_FN_CONTAINS,
    EXPR_FN_STARTS_WITH,
    EXPR_FN_ENDS_WITH,
    EXPR_FN_FORMAT,
    EXPR_FN_JOIN,
    EXPR_FN_TO_JSON,
    EXPR_FN_FROM_JSON,
    EXPR_FN_CASE,
    /* Optional: allowed only when named in expr_parse_opts.functions. */
    EXPR_FN_HASH_FILES,
    EXPR_FN_SUCCESS,
    EXPR_FN_FAILURE,
    EXPR_FN_CANCELLED,
    EXPR_FN_ALWAYS,
};

enum expr_node_kind {
    EXPR_LITERAL, /* .literal */
    EXPR_CONTEXT, /* a named value: .name */
    EXPR_INDEX,   /* .args[0] indexed by .args[1]; args[1] is NULL for '*' (a.* and a[*]) */
    EXPR_CALL,    /* .func with .name as written, .args */
    EXPR_NOT,     /* .args[0] */
    EXPR_AND,     /* .args[0 .. n_args), evaluated left to right, short-circuit */
    EXPR_OR,      /* same */
    EXPR_EQ,      /* binary operators: .args[0] op .args[1] */
    EXPR_NE,
    EXPR_LT,
    EXPR_LE,
    EXPR_GT,
    EXPR_GE,
};

/*
 * One node of a parse tree, allocated in the caller's arena. The tree is read-only after
 * parsing; callers may walk it (to find the contexts or functions an expression uses).
 */
struct expr {
    enum expr_node_kind kind;
    size_t offset;       /* byte offset of the node's token in the parsed text */
    struct val literal;  /* EXPR_LITERAL */
    struct str name;     /* EXPR_CONTEXT, EXPR_CALL: as written (in the arena; no NUL after it) */
    enum expr_func func; /* EXPR_CALL */
    struct expr **args;
    size_t n_args;
};

enum expr_err_kind {
    EXPR_ERR_NONE,
    EXPR_ERR_LEXING,     /* "Unexpected symbol: '@abc'" from the tokenizer */
    EXPR_ERR_PARSING,    /* grammar, unknown names, argument counts, limits */
    EXPR_ERR_EVALUATION, /* format strings, fromJSON input, memory limit, case() predicates */
};

/* Where and what kind of error the last failing call met (filled only on failure). */
struct expr_diag {
    enum expr_err_kind kind;
    size_t pos;    /* 1-based character offset (UTF-16 units) in the expression; 0 when none */
    size_t offset; /* byte offset of the same place in the parsed text (for file:line:col) */
};

/* Which "named" names an expression may use; everything else is a parse error. */
struct expr_parse_opts {
    const char *const *contexts; /* allowed named values (matched ignoring case) */
    size_t n_contexts;
    /*
     * Optional functions allowed here, by name ignoring case: "hashFiles", "success",
     * "failure", "cancelled", "always". An entry may carry the argument counts in the workflow
     * schema's notation, "success(0,MAX)" (job-level if: success('build') names needed jobs);
     * without them the step-level counts apply (none for status functions, 1..255 hashFiles).
     */
    const char *const *functions;
    size_t n_functions;
    bool allow_any_context;     /* accept every named value (for tools; GitHub never does) */
    struct expr_diag *diag_out; /* optional: kind and position of a failure */
};

#define EXPR_PARSE_OPTS_INIT ((struct expr_parse_opts){.contexts = NULL})

/*
 * Parses len bytes of src (one expression, without ${{ }}) into a tree allocated in a.
 * An empty or all-blank expression parses to a null literal. Fails with ERR_INVALID and
 * GitHub's message (see the top of this file); *out is set only on success.
 */
int expr_parse(struct expr **out, struct arena *a, const char *src, size_t len,
               const struct expr_parse_opts *opts, struct err *err);

/* True when the tree calls success(), failure(), cancelled() or always() anywhere. */
bool expr_has_status_function(const struct expr *e);
/* True when a job-level status function's arguments name the job id (case-insensitive), or
 * when it has none (success() with no argument reads every needed job). */
bool expr_status_names_job(const struct val *args, size_t n_args, const char *id);

/* ---------------------------------------------------------------------------------------------
 * Evaluation
 */

/* The status a status function reads: the job's, a step's or a composite action's. */
enum expr_status {
    EXPR_STATUS_SUCCESS,
    EXPR_STATUS_FAILURE,
    EXPR_STATUS_CANCELLED,
};

/*
 * What an evaluation sees. Named values come from `contexts` (an object value whose top-level
 * keys are the contexts, looked up ignoring case) and, for names it lacks, from `lookup`.
 * A name that neither knows evaluates to null.
 */
struct expr_ctx {
    const struct val *contexts; /* optional VAL_OBJECT; borrowed */
    /* Optional: fills *out for a named value; returns false when unknown. */
    bool (*lookup)(struct val *out, const char *name, size_t len, void *payload);
    /*
     * The truth of the status functions (the caller decides, as GitHub does per job, step or
     * composite action); args are the call's evaluated arguments (job-level success('a')
     * names needed jobs), borrowed for the call. When NULL: success() is status == SUCCESS,
     * failure() status == FAILURE, cancelled() status == CANCELLED, always() true.
     */
    bool (*status_fn)(enum expr_func fn, const struct val *args, size_t n_args, void *payload);
    enum expr_status status;
    const char *workspace;      /* hashFiles() root (GITHUB_WORKSPACE); NULL: hashFiles fails */
    size_t max_memory;          /* bytes; 0 means EXPR_MAX_MEMORY */
    void *payload;              /* passed to lookup and status_fn */
    struct expr_diag *diag_out; /* optional: kind of a failure (EXPR_ERR_EVALUATION) */
};

#define EXPR_CTX_INIT ((struct expr_ctx){.contexts = NULL})

/*
 * Evaluates e. The result and everything it points to live in `scratch` (or in the context
 * values). Fails with ERR_INVALID and GitHub's message on an evaluation error ("The following
 * format string is invalid: {0", "The maximum allowed memory size was exceeded", ...), ERR_IO
 * when hashFiles cannot read a file.
 */
int expr_eval(struct val *out, struct arena *scratch, const struct expr *e,
              const struct expr_ctx *ctx, struct err *err);

/*
 * Convenience for tools and tests: parses and evaluates src in one go, the named values allowed
 * being the top-level keys of ctx->contexts (as in GitHub's conformance harness) plus `lookup`
 * names when allow_any_context is set in opts. The tree goes into scratch as well.
 */
int expr_eval_str(struct val *out, struct arena *scratch, const char *src, size_t len,
                  const struct expr_parse_opts *opts, const struct expr_ctx *ctx, struct err *err);

/* ---------------------------------------------------------------------------------------------
 * Templates: strings with ${{ }} parts
 *
 * A template splits into literal text and expressions as GitHub's TemplateReader does: each
 * "${{" opens an expression that ends at the first "}}" outside a single-quoted string; the text
 * in between is trimmed. A template that is exactly one ${{ }} (nothing else, not even spaces)
 * keeps the expression's type when evaluated (so `matrix: ${{ fromJSON(...) }}` is an object);
 * any other template evaluates to a string, each expression converted with val_to_sbuf().
 * Text without "${{" is a literal.
 */

struct expr_template_part {
    struct str text;   /* literal text, or the trimmed expression source (in the arena) */
    size_t offset;     /* byte offset of text in the template string */
    struct expr *expr; /* NULL for literal text */
};

struct expr_template {
    struct expr_template_part *parts;
    size_t n_parts;
    bool is_single; /* exactly one expression and nothing else: evaluation keeps its type */
};

/*
 * Splits and parses len bytes of s into a template allocated in a. Errors (ERR_INVALID):
 *   "The expression is not closed. An unescaped ${{ sequence was found, but the closing }}
 *    sequence was not found."
 *   "An expression was expected"   (for "${{ }}")
 *   or a parse error of one expression (its diag offset is then relative to the template).
 */
int expr_template_parse(struct expr_template **out, struct arena *a, const char *s, size_t len,
                        const struct expr_parse_opts *opts, struct err *err);
/* Evaluates t as described above; the result lives in scratch. */
int expr_template_eval(struct val *out, struct arena *scratch, const struct expr_template *t,
                       const struct expr_ctx *ctx, struct err *err);

/*
 * Parses an `if:` condition the way GitHub does: the text is an expression with or without an
 * enclosing ${{ }} (text around or several ${{ }} make it a template whose string is tested for
 * truth), and a condition that calls no status function means `success() && (<condition>)`.
 * The "success" function is implied (it need not be listed in opts.functions); other status
 * functions must be allowed by opts as usual. *out is the tree to evaluate with expr_eval(),
 * whose result is tested with val_is_truthy().
 */
int expr_if_parse(struct expr **out, struct arena *a, const char *s, size_t len,
                  const struct expr_parse_opts *opts, struct err *err);

#endif
