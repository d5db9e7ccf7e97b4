/*
 * The tokenizer and parser. Both follow GitHub's engines closely, because users see their
 * quirks: the tokenizer (languageservices expressions/src/lexer.ts, C# LexicalAnalyzer) reads the
 * whole expression before the parser starts, so a bad symbol anywhere is a lexing error even
 * after a grammar error; the parser is a Pratt parser (binding powers || < && < == != <
 * < <= > >=, then ! and the postfix index and call forms), and counts depth the way GitHub's
 * recursive-descent parsers do, so that "Exceeded max expression depth 50" fires on the same
 * inputs.
 */
#include "expr/expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"
#include "util/str.h"
#include "util/xalloc.h"

const struct expr_func_info expr_funcs[] = {
    [EXPR_FN_CONTAINS] = {"contains", "contains", 2, 2, false, 8},
    [EXPR_FN_STARTS_WITH] = {"startswith", "startsWith", 2, 2, false, 10},
    [EXPR_FN_ENDS_WITH] = {"endswith", "endsWith", 2, 2, false, 8},
    [EXPR_FN_FORMAT] = {"format", "format", 1, EXPR_MAX_FORMAT_ARGS, false, 6},
    [EXPR_FN_JOIN] = {"join", "join", 1, 2, false, 4},
    [EXPR_FN_TO_JSON] = {"tojson", "toJSON", 1, 1, false, 6},
    [EXPR_FN_FROM_JSON] = {"fromjson", "fromJSON", 1, 1, false, 8},
    [EXPR_FN_CASE] = {"case", "case", 3, SIZE_MAX, false, 4},
    [EXPR_FN_HASH_FILES] = {"hashfiles", "hashFiles", 1, EXPR_MAX_FORMAT_ARGS, true, 9},
    [EXPR_FN_SUCCESS] = {"success", "success", 0, 0, true, 7},
    [EXPR_FN_FAILURE] = {"failure", "failure", 0, 0, true, 7},
    [EXPR_FN_CANCELLED] = {"cancelled", "cancelled", 0, 0, true, 9},
    [EXPR_FN_ALWAYS] = {"always", "always", 0, 0, true, 6},
};
const size_t expr_n_funcs = sizeof(expr_funcs) / sizeof(expr_funcs[0]);

/* ---- tokens -------------------------------------------------------------------------------- */

enum tok_type {
    T_LPAREN,
    T_RPAREN,
    T_LBRACKET,
    T_RBRACKET,
    T_COMMA,
    T_DOT,
    T_BANG,
    T_NE,
    T_EQ,
    T_GT,
    T_GE,
    T_LT,
    T_LE,
    T_AND,
    T_OR,
    T_STAR,
    T_NUMBER,
    T_STRING,
    T_IDENT,
    T_TRUE,
    T_FALSE,
    T_NULL,
    T_EOF,
};

struct tok {
    enum tok_type type;
    size_t start; /* byte offsets into the source */
    size_t end;
    double num; /* T_NUMBER */
};

struct parser {
    const char *src;
    size_t len;
    struct arena *a;
    const struct expr_parse_opts *opts;
    struct err *err;
    struct tok *toks;
    size_t ntoks;
    size_t alloc;
    size_t pos; /* next token */
    int depth;
    const char *copy;     /* the source in the arena, made when a name first needs it */
    struct tok small[64]; /* most expressions fit; longer ones move to the heap */
};

/*
 * Sets GitHub's message "<what>: '<token>'. Located at position N within expression: <src>"
 * (one formatting call: error cases are common enough in tooling to be worth it).
 */
static int fail(struct parser *p, enum expr_err_kind kind, size_t offset, const char *what,
                const char *tok, size_t toklen)
{
    size_t pos = expr_char_pos(p->src, offset);
    /* Assembled by hand: printf's %.*s machinery costs more than the rest of a parse. */
    char buf[ERR_MSG_MAX];
    size_t n = 0;
    char num[24];
    size_t numlen = expr_integer_chars(num, (double)pos);
    const struct str parts[] = {
        str_from(what),           str_make(": '", 3),
        str_make(tok, toklen),    str_make("'. Located at position ", 23),
        str_make(num, numlen),    str_make(" within expression: ", 20),
        str_make(p->src, p->len),
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t k = parts[i].len < sizeof(buf) - 1 - n ? parts[i].len : sizeof(buf) - 1 - n;
        memcpy(buf + n, parts[i].p, k);
        n += k;
    }
    buf[n] = '\0';
    /* what err_set(p->err, ERR_INVALID, "%s", buf) does, without printf */
    p->err->code = ERR_INVALID;
    memcpy(p->err->msg, buf, n + 1);
    if (p->opts->diag_out)
        *p->opts->diag_out = (struct expr_diag){.kind = kind, .pos = pos, .offset = offset};
    return ERR_INVALID;
}

/* Moves the tokens to a bigger array (the first 64 live in the parser itself). */
static __attribute__((noinline)) void grow_toks(struct parser *p)
{
    size_t n = p->alloc * 4;
    if (p->toks == p->small) {
        p->toks = xreallocarray(NULL, n, sizeof(*p->toks));
        memcpy(p->toks, p->small, sizeof(p->small));
    } else {
        p->toks = xreallocarray(p->toks, n, sizeof(*p->toks));
    }
    p->alloc = n;
}

static inline void add_tok(struct parser *p, enum tok_type type, size_t start, size_t end,
                           double num)
{
    if (p->ntoks == p->alloc)
        grow_toks(p);
    p->toks[p->ntoks++] = (struct tok){.type = type, .start = start, .end = end, .num = num};
}

static enum tok_type prev_type(const struct parser *p)
{
    return p->ntoks ? p->toks[p->ntoks - 1].type : T_EOF;
}

/*
 * Character classes (SQLite's tokenizer style): a boundary ends an identifier or a number
 * (GitHub's lexers stop at these and at whitespace); identifiers start with a letter or '_' and
 * go on with letters, digits, '_' and '-'.
 */
enum {
    CC_BOUNDARY = 1u << 0,
    CC_IDENT_START = 1u << 1,
    CC_IDENT = 1u << 2,
};

/* 1 = CC_BOUNDARY, 2 = CC_IDENT_START, 4 = CC_IDENT, by byte value */
static const unsigned char char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 4, 1, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 1, 1, 1, 0,
    0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 1, 0, 1, 0, 6,
    0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static bool is_boundary(unsigned char c)
{
    return char_class[c] & CC_BOUNDARY;
}

static int unexpected_lexeme(struct parser *p, size_t start, size_t end)
{
    return fail(p, EXPR_ERR_LEXING, start, "Unexpected symbol", p->src + start, end - start);
}

/* A number literal: JavaScript's Number() grammar, which is C#'s for these inputs. */
static int lex_number(struct parser *p, size_t start, size_t *i)
{
    size_t k = *i;
    while (k < p->len && (!is_boundary((unsigned char)p->src[k]) || p->src[k] == '.'))
        k++;
    *i = k;
    /* The common case, a short run of digits, is exact without the general parser. */
    double v = 0;
    size_t d = start;
    while (d < k && d - start < 15 && p->src[d] >= '0' && p->src[d] <= '9')
        v = v * 10 + (p->src[d++] - '0');
    if (d != k || d == start) {
        v = val_parse_number(p->src + start, k - start);
        if (isnan(v))
            return unexpected_lexeme(p, start, k);
    }
    add_tok(p, T_NUMBER, start, k, v);
    return 0;
}

static int lex_identifier(struct parser *p, size_t start, size_t *i)
{
    size_t k = *i;
    /* Legal when it starts with a letter or '_' and goes on with identifier characters. */
    unsigned all = char_class[(unsigned char)p->src[start]] & CC_IDENT_START ? CC_IDENT : 0;
    while (k < p->len) {
        unsigned cc = char_class[(unsigned char)p->src[k]];
        if (cc & CC_BOUNDARY)
            break;
        all &= cc; /* keeps CC_IDENT while every character is one */
        k++;
    }
    bool legal = all & CC_IDENT;
    *i = k;
    const char *s = p->src + start;
    size_t n = k - start;
    enum tok_type type = T_IDENT;
    double num = 0;
    /* Keywords (case-sensitive, as in GitHub's lexers), except as a property name after '.' */
    bool maybe_keyword = (n == 3 || n == 4 || n == 5 || n == 8) &&
                         (s[0] == 't' || s[0] == 'f' || s[0] == 'n' || s[0] == 'N' || s[0] == 'I');
    if (maybe_keyword && prev_type(p) != T_DOT) {
        if (n == 4 && memcmp(s, "true", 4) == 0) {
            type = T_TRUE;
        } else if (n == 5 && memcmp(s, "false", 5) == 0) {
            type = T_FALSE;
        } else if (n == 4 && memcmp(s, "null", 4) == 0) {
            type = T_NULL;
        } else if (n == 3 && memcmp(s, "NaN", 3) == 0) {
            type = T_NUMBER;
            num = NAN;
        } else if (n == 8 && memcmp(s, "Infinity", 8) == 0) {
            type = T_NUMBER;
            num = INFINITY;
        }
    }
    if (!legal)
        return unexpected_lexeme(p, start, k);
    add_tok(p, type, start, k, num);
    return 0;
}

static int lex_string(struct parser *p, size_t start, size_t *i)
{
    size_t k = *i; /* after the opening quote */
    for (;;) {
        if (k >= p->len)
            return unexpected_lexeme(p, start, p->len);
        if (p->src[k] == '\'') {
            if (k + 1 < p->len && p->src[k + 1] == '\'') {
                k += 2;
                continue;
            }
            break;
        }
        k++;
    }
    *i = k + 1;
    add_tok(p, T_STRING, start, k + 1, 0);
    return 0;
}

static int lex(struct parser *p)
{
    size_t i = 0;
    while (i < p->len) {
        size_t start = i;
        unsigned char c = (unsigned char)p->src[i++];
        if (c == ' ')
            continue;
        int rc = 0;
        if (char_class[c] & CC_IDENT_START) { /* the commonest token, ahead of the jump table */
            rc = lex_identifier(p, start, &i);
            if (rc < 0)
                return rc;
            continue;
        }
        switch (c) {
        case '(':
            add_tok(p, T_LPAREN, start, i, 0);
            break;
        case ')':
            add_tok(p, T_RPAREN, start, i, 0);
            break;
        case '[':
            add_tok(p, T_LBRACKET, start, i, 0);
            break;
        case ']':
            add_tok(p, T_RBRACKET, start, i, 0);
            break;
        case ',':
            add_tok(p, T_COMMA, start, i, 0);
            break;
        case '.': {
            enum tok_type prev = prev_type(p);
            if (prev != T_IDENT && prev != T_RBRACKET && prev != T_RPAREN && prev != T_STAR)
                rc = lex_number(p, start, &i);
            else
                add_tok(p, T_DOT, start, i, 0);
            break;
        }
        case '-':
        case '+':
            rc = lex_number(p, start, &i);
            break;
        case '!':
            if (i < p->len && p->src[i] == '=') {
                i++;
                add_tok(p, T_NE, start, i, 0);
            } else {
                add_tok(p, T_BANG, start, i, 0);
            }
            break;
        case '=':
            if (i < p->len && p->src[i] == '=') {
                i++;
                add_tok(p, T_EQ, start, i, 0);
            } else {
                rc = lex_identifier(p, start, &i); /* reports the illegal symbol */
            }
            break;
        case '<':
            if (i < p->len && p->src[i] == '=') {
                i++;
                add_tok(p, T_LE, start, i, 0);
            } else {
                add_tok(p, T_LT, start, i, 0);
            }
            break;
        case '>':
            if (i < p->len && p->src[i] == '=') {
                i++;
                add_tok(p, T_GE, start, i, 0);
            } else {
                add_tok(p, T_GT, start, i, 0);
            }
            break;
        case '&':
            if (i < p->len && p->src[i] == '&') {
                i++;
                add_tok(p, T_AND, start, i, 0);
            } else {
                rc = lex_identifier(p, start, &i);
            }
            break;
        case '|':
            if (i < p->len && p->src[i] == '|') {
                i++;
                add_tok(p, T_OR, start, i, 0);
            } else {
                rc = lex_identifier(p, start, &i);
            }
            break;
        case '*':
            add_tok(p, T_STAR, start, i, 0);
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
        case '\v':
        case '\f':
            break;
        case '\'':
            rc = lex_string(p, start, &i);
            break;
        default:
            if (c >= '0' && c <= '9')
                rc = lex_number(p, start, &i);
            else
                rc = lex_identifier(p, start, &i);
            break;
        }
        if (rc < 0)
            return rc;
    }
    add_tok(p, T_EOF, p->len, p->len, 0);
    return 0;
}

/* ---- parser -------------------------------------------------------------------------------- */

enum parse_err {
    PE_UNEXPECTED_SYMBOL,
    PE_UNEXPECTED_END,
    PE_MAX_DEPTH,
    PE_UNRECOGNIZED_NAMED_VALUE,
    PE_UNRECOGNIZED_FUNCTION,
    PE_TOO_FEW,
    PE_TOO_MANY,
    PE_EVEN,
};

static const char *const parse_err_text[] = {
    [PE_UNEXPECTED_SYMBOL] = "Unexpected symbol",
    [PE_UNEXPECTED_END] = "Unexpected end of expression",
    [PE_MAX_DEPTH] = "Exceeded max expression depth 50",
    [PE_UNRECOGNIZED_NAMED_VALUE] = "Unrecognized named-value",
    [PE_UNRECOGNIZED_FUNCTION] = "Unrecognized function",
    [PE_TOO_FEW] = "Too few parameters supplied",
    [PE_TOO_MANY] = "Too many parameters supplied",
    [PE_EVEN] = "Even number of parameters supplied, requires an odd number of parameters",
};

/* Appends the unescaped text of a string token ('' becomes '). */
static void unescape(struct sbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sbuf_addch(out, s[i]);
        if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'')
            i++;
    }
}

/* The error as GitHub words it: "<what>: '<token>'. Located at position N within ...". */
static int parse_fail(struct parser *p, enum parse_err what, const struct tok *t)
{
    const char *text = parse_err_text[what];
    if (t->type == T_EOF)
        return fail(p, EXPR_ERR_PARSING, t->start, text, "EOF", 3);
    if (t->type != T_STRING)
        return fail(p, EXPR_ERR_PARSING, t->start, text, p->src + t->start, t->end - t->start);
    struct sbuf tok = SBUF_INIT;
    unescape(&tok, p->src + t->start + 1, t->end - t->start - 2);
    int rc = fail(p, EXPR_ERR_PARSING, t->start, text, tok.buf, tok.len);
    sbuf_release(&tok);
    return rc;
}

static const struct tok *peek(const struct parser *p)
{
    return &p->toks[p->pos];
}

static const struct tok *previous(const struct parser *p)
{
    return &p->toks[p->pos - 1];
}

static bool at_end(const struct parser *p)
{
    return p->toks[p->pos].type == T_EOF;
}

/* t is never T_EOF, so the end needs no test of its own. */
static bool check(const struct parser *p, enum tok_type t)
{
    return p->toks[p->pos].type == t;
}

static bool match(struct parser *p, enum tok_type t)
{
    if (!check(p, t))
        return false;
    p->pos++;
    return true;
}

static int incr_depth(struct parser *p)
{
    if (++p->depth > EXPR_MAX_DEPTH)
        return parse_fail(p, PE_MAX_DEPTH, peek(p));
    return 0;
}

/* A string literal (NUL-terminated copy) in the tree's memory, set field by field. */
static void set_string(struct parser *p, struct val *v, const char *s, size_t n)
{
    char *c = arena_alloc_raw(p->a, n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    v->kind = VAL_STRING;
    v->s.p = c;
    v->s.len = n;
}

static struct expr *new_node(struct parser *p, enum expr_node_kind kind, size_t offset,
                             size_t n_args)
{
    /* The node and its operand pointers in one allocation. */
    struct expr *e = arena_alloc_raw(p->a, sizeof(*e) + n_args * sizeof(*e->args));
    *e = (struct expr){.kind = kind, .offset = offset, .n_args = n_args};
    if (n_args)
        e->args = (struct expr **)(e + 1);
    return e;
}

/* The source copied into the arena once, for names that point into it. */
static const char *source_copy(struct parser *p)
{
    if (!p->copy)
        p->copy = arena_strndup(p->a, p->src, p->len);
    return p->copy;
}

/* A growable list of nodes in the arena (for call arguments and && / || chains). */
struct node_list {
    struct expr **items;
    size_t len;
    size_t alloc;
};

static void list_push(struct parser *p, struct node_list *l, struct expr *e)
{
    if (l->len == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 4;
        struct expr **items = arena_alloc_raw(p->a, n * sizeof(*items));
        if (l->len)
            memcpy(items, l->items, l->len * sizeof(*items));
        l->items = items;
        l->alloc = n;
    }
    l->items[l->len++] = e;
}

static int expression(struct parser *p, struct expr **out);

static int unary(struct parser *p, struct expr **out);

static int parse_call_args(struct parser *p, struct node_list *args)
{
    while (!match(p, T_RPAREN)) {
        struct expr *arg = NULL;
        int rc = expression(p, &arg);
        if (rc < 0)
            return rc;
        list_push(p, args, arg);
        if (!check(p, T_RPAREN)) {
            /* An unclosed call: GitHub names the last token as written (quotes included). */
            if (at_end(p)) {
                const struct tok *last = previous(p);
                return fail(p, EXPR_ERR_PARSING, last->start, parse_err_text[PE_UNEXPECTED_END],
                            p->src + last->start, last->end - last->start);
            }
            if (!match(p, T_COMMA))
                return parse_fail(p, PE_UNEXPECTED_SYMBOL, peek(p));
        }
    }
    return 0;
}

/* ASCII case-insensitive equality of s (len bytes) and the NUL-terminated name. */
static bool name_eq(const char *name, const char *s, size_t len)
{
    if (!len || ((unsigned char)name[0] | 0x20) != ((unsigned char)s[0] | 0x20))
        return len == 0 && name[0] == '\0'; /* quick reject on the first letter */
    for (size_t i = 1; i < len; i++) {
        if (!name[i] || str_lower((unsigned char)name[i]) != str_lower((unsigned char)s[i]))
            return false;
    }
    return name[len] == '\0';
}

static bool name_listed(const char *const *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (name_eq(names[i], s, len))
            return true;
    }
    return false;
}

/*
 * Finds the caller's entry for an optional function: "name", or "name(min,max)" in the
 * workflow schema's notation (max may be MAX), which then sets the argument counts.
 * Returns false when the function is not listed.
 */
static bool find_function_spec(const struct expr_parse_opts *opts, const char *s, size_t len,
                               size_t *min, size_t *max)
{
    for (size_t i = 0; i < opts->n_functions; i++) {
        const char *spec = opts->functions[i];
        const char *paren = strchr(spec, '(');
        size_t name_len = paren ? (size_t)(paren - spec) : strlen(spec);
        if (name_len != len || !str_eqi(str_make(spec, name_len), str_make(s, len)))
            continue;
        if (paren) {
            char *end = NULL;
            unsigned long lo = strtoul(paren + 1, &end, 10);
            if (end && *end == ',') {
                const char *hi_text = end + 1;
                *min = lo;
                if (str_has_prefix(hi_text, "MAX"))
                    *max = SIZE_MAX;
                else
                    *max = strtoul(hi_text, NULL, 10);
            }
        }
        return true;
    }
    return false;
}

static int resolve_function(struct parser *p, const struct tok *id, size_t n_args,
                            enum expr_func *fn_out)
{
    const char *s = p->src + id->start;
    size_t n = id->end - id->start;
    for (size_t f = 0; f < expr_n_funcs; f++) {
        const struct expr_func_info *info = &expr_funcs[f];
        if (info->name_len != n || !name_eq(info->name, s, n))
            continue;
        size_t min = info->min_args;
        size_t max = info->max_args;
        if (info->optional && !find_function_spec(p->opts, s, n, &min, &max))
            break;
        if (n_args < min)
            return parse_fail(p, PE_TOO_FEW, id);
        if (n_args > max)
            return parse_fail(p, PE_TOO_MANY, id);
        if (f == EXPR_FN_CASE && n_args % 2 == 0)
            return parse_fail(p, PE_EVEN, id);
        *fn_out = (enum expr_func)f;
        return 0;
    }
    return parse_fail(p, PE_UNRECOGNIZED_FUNCTION, id);
}

static bool context_allowed(const struct parser *p, const char *s, size_t n)
{
    return p->opts->allow_any_context || name_listed(p->opts->contexts, p->opts->n_contexts, s, n);
}

static int primary(struct parser *p, struct expr **out, bool *is_group)
{
    const struct tok *t = peek(p);
    if (at_end(p))
        return parse_fail(p, PE_UNEXPECTED_END, previous(p));
    struct expr *e = NULL;
    switch (t->type) {
    case T_FALSE:
    case T_TRUE:
    case T_NULL:
    case T_NUMBER:
    case T_STRING:
        p->pos++;
        /* Fields are set one by one: a struct val built aside and copied in stalls the
         * store buffer (it was the parser's hottest line). */
        e = new_node(p, EXPR_LITERAL, t->start, 0);
        if (t->type == T_FALSE || t->type == T_TRUE) {
            e->literal.kind = VAL_BOOL;
            e->literal.b = t->type == T_TRUE;
        } else if (t->type == T_NUMBER) {
            e->literal.kind = VAL_NUMBER;
            e->literal.num = t->num;
        } else if (t->type == T_STRING) {
            const char *s = p->src + t->start + 1;
            size_t n = t->end - t->start - 2;
            if (memchr(s, '\'', n)) {
                struct sbuf sb = SBUF_INIT;
                unescape(&sb, s, n);
                set_string(p, &e->literal, sb.buf, sb.len);
                sbuf_release(&sb);
            } else {
                set_string(p, &e->literal, s, n);
            }
        }
        *out = e;
        return 0;
    case T_LPAREN: {
        p->pos++;
        int rc = expression(p, &e);
        if (rc < 0)
            return rc;
        if (at_end(p))
            return parse_fail(p, PE_UNEXPECTED_END, previous(p));
        if (!match(p, T_RPAREN))
            return parse_fail(p, PE_UNEXPECTED_SYMBOL, peek(p));
        *is_group = true;
        *out = e;
        return 0;
    }
    default:
        return parse_fail(p, PE_UNEXPECTED_SYMBOL, t);
    }
}

/* An identifier: a named value, or a function call when '(' follows. */
static int call(struct parser *p, struct expr **out, bool *indexable)
{
    if (!check(p, T_IDENT))
        return primary(p, out, indexable);
    const struct tok *id = peek(p);
    p->pos++;
    const char *s = p->src + id->start;
    size_t n = id->end - id->start;
    if (!match(p, T_LPAREN)) {
        if (!context_allowed(p, s, n))
            return parse_fail(p, PE_UNRECOGNIZED_NAMED_VALUE, id);
        struct expr *e = new_node(p, EXPR_CONTEXT, id->start, 0);
        e->name = str_make(source_copy(p) + id->start, n);
        *indexable = true;
        *out = e;
        return 0;
    }
    struct node_list args = {0};
    int rc = parse_call_args(p, &args);
    if (rc < 0)
        return rc;
    enum expr_func fn = EXPR_FN_CONTAINS;
    rc = resolve_function(p, id, args.len, &fn);
    if (rc < 0)
        return rc;
    struct expr *e = new_node(p, EXPR_CALL, id->start, 0);
    e->name = str_make(source_copy(p) + id->start, n);
    e->func = fn;
    e->args = args.items;
    e->n_args = args.len;
    *indexable = true;
    *out = e;
    return 0;
}

static int index_access(struct parser *p, struct expr **out)
{
    bool indexable = false;
    struct expr *e = NULL;
    int rc = call(p, &e, &indexable);
    if (rc < 0)
        return rc;
    int added = 0;
    while (indexable) {
        if (check(p, T_LBRACKET)) {
            size_t at = peek(p)->start;
            p->pos++;
            struct expr *idx = NULL;
            if (!match(p, T_STAR)) {
                rc = expression(p, &idx);
                if (rc < 0)
                    return rc;
            }
            if (!match(p, T_RBRACKET))
                return parse_fail(p, PE_UNEXPECTED_SYMBOL, peek(p));
            rc = incr_depth(p);
            if (rc < 0)
                return rc;
            added++;
            struct expr *ix = new_node(p, EXPR_INDEX, at, 2);
            ix->args[0] = e;
            ix->args[1] = idx;
            e = ix;
        } else if (check(p, T_DOT)) {
            p->pos++;
            rc = incr_depth(p);
            if (rc < 0)
                return rc;
            added++;
            const struct tok *t = peek(p);
            struct expr *idx = NULL;
            if (match(p, T_IDENT)) {
                idx = new_node(p, EXPR_LITERAL, t->start, 0);
                set_string(p, &idx->literal, p->src + t->start, t->end - t->start);
            } else if (!match(p, T_STAR)) {
                return parse_fail(p, PE_UNEXPECTED_SYMBOL, peek(p));
            }
            struct expr *ix = new_node(p, EXPR_INDEX, t->start, 2);
            ix->args[0] = e;
            ix->args[1] = idx;
            e = ix;
        } else {
            break;
        }
    }
    p->depth -= added;
    *out = e;
    return 0;
}

static int unary(struct parser *p, struct expr **out)
{
    if (!check(p, T_BANG))
        return index_access(p, out);
    size_t at = peek(p)->start;
    p->pos++;
    int rc = incr_depth(p);
    if (rc < 0)
        return rc;
    struct expr *operand = NULL;
    rc = unary(p, &operand);
    if (rc < 0)
        return rc;
    p->depth--;
    struct expr *e = new_node(p, EXPR_NOT, at, 1);
    e->args[0] = operand;
    *out = e;
    return 0;
}

/* Binding power of an infix operator token; 0 for anything else. */
enum {
    BP_NONE,
    BP_OR,
    BP_AND,
    BP_EQUALITY, /* == != */
    BP_COMPARE,  /* < <= > >= */
};

static int binding_power(enum tok_type t)
{
    switch (t) {
    case T_OR:
        return BP_OR;
    case T_AND:
        return BP_AND;
    case T_EQ:
    case T_NE:
        return BP_EQUALITY;
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
        return BP_COMPARE;
    default:
        return BP_NONE;
    }
}

static enum expr_node_kind binary_kind(enum tok_type t)
{
    switch (t) {
    case T_EQ:
        return EXPR_EQ;
    case T_NE:
        return EXPR_NE;
    case T_LT:
        return EXPR_LT;
    case T_LE:
        return EXPR_LE;
    case T_GT:
        return EXPR_GT;
    default:
        return EXPR_GE;
    }
}

/*
 * The Pratt loop over the infix operators whose binding power is at least min_bp. Comparison
 * and equality operators are left-associative binary nodes; a run of && (or of ||) becomes one
 * n-ary node, as GitHub builds them, and the run counts one level of depth while it is parsed
 * (GitHub's parsers do the same, which decides where "Exceeded max expression depth" fires).
 */
static int infix(struct parser *p, struct expr **out, int min_bp)
{
    struct expr *left = NULL;
    int rc = unary(p, &left);
    if (rc < 0)
        return rc;
    for (;;) {
        const struct tok *t = peek(p);
        int bp = binding_power(t->type);
        if (bp == BP_NONE || bp < min_bp)
            break;
        if (bp == BP_OR || bp == BP_AND) {
            rc = incr_depth(p);
            if (rc < 0)
                return rc;
            struct node_list args = {0};
            list_push(p, &args, left);
            while (match(p, t->type)) {
                struct expr *next = NULL;
                rc = infix(p, &next, bp + 1);
                if (rc < 0)
                    return rc;
                list_push(p, &args, next);
            }
            p->depth--;
            struct expr *e = new_node(p, bp == BP_OR ? EXPR_OR : EXPR_AND, t->start, 0);
            e->args = args.items;
            e->n_args = args.len;
            left = e;
            continue;
        }
        p->pos++;
        struct expr *right = NULL;
        rc = infix(p, &right, bp + 1);
        if (rc < 0)
            return rc;
        struct expr *e = new_node(p, binary_kind(t->type), t->start, 2);
        e->args[0] = left;
        e->args[1] = right;
        left = e;
    }
    *out = left;
    return 0;
}

static int expression(struct parser *p, struct expr **out)
{
    int rc = incr_depth(p);
    if (rc < 0)
        return rc;
    rc = infix(p, out, BP_OR);
    if (rc < 0)
        return rc;
    p->depth--;
    return 0;
}

static size_t utf16_len(const char *s, size_t len)
{
    return expr_char_pos(s, len) - 1;
}

int expr_parse(struct expr **out, struct arena *a, const char *src, size_t len,
               const struct expr_parse_opts *opts, struct err *err)
{
    static const struct expr_parse_opts defaults = {.contexts = NULL};
    /* Field by field: zeroing the token buffer on every parse would cost more than parsing. */
    struct parser p;
    p.src = src;
    p.len = len;
    p.a = a;
    p.opts = opts ? opts : &defaults;
    p.err = err;
    p.toks = p.small;
    p.ntoks = 0;
    p.alloc = sizeof(p.small) / sizeof(p.small[0]);
    p.pos = 0;
    p.depth = 0;
    p.copy = NULL;
    int rc = 0;
    if (len > EXPR_MAX_LENGTH && utf16_len(src, len) > EXPR_MAX_LENGTH) {
        rc = err_set(err, ERR_INVALID, "Exceeded max expression length %d", EXPR_MAX_LENGTH);
        if (p.opts->diag_out)
            *p.opts->diag_out = (struct expr_diag){.kind = EXPR_ERR_PARSING};
        goto done;
    }
    rc = lex(&p);
    if (rc < 0)
        goto done;
    struct expr *e = NULL;
    if (at_end(&p)) {
        e = new_node(&p, EXPR_LITERAL, 0, 0);
        e->literal = val_null();
    } else {
        rc = expression(&p, &e);
        if (rc < 0)
            goto done;
        if (!at_end(&p)) {
            rc = parse_fail(&p, PE_UNEXPECTED_SYMBOL, peek(&p));
            goto done;
        }
    }
    *out = e;
done:
    if (p.toks != p.small)
        xfree(p.toks);
    return rc;
}

bool expr_status_names_job(const struct val *args, size_t n_args, const char *id)
{
    if (!n_args)
        return true;
    for (size_t i = 0; i < n_args; i++) {
        if (args[i].kind == VAL_STRING && !str_casecmp(args[i].s.p, id))
            return true;
    }
    return false;
}

bool expr_has_status_function(const struct expr *e)
{
    if (!e)
        return false;
    if (e->kind == EXPR_CALL && (e->func == EXPR_FN_SUCCESS || e->func == EXPR_FN_FAILURE ||
                                 e->func == EXPR_FN_CANCELLED || e->func == EXPR_FN_ALWAYS))
        return true;
    for (size_t i = 0; i < e->n_args; i++) {
        if (expr_has_status_function(e->args[i]))
            return true;
    }
    return false;
}
