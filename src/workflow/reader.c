/*
 * The template reader: a YAML tree checked against the workflow schema and turned into template
 * tokens. It follows GitHub's TemplateReader (actions/languageservices workflow-parser
 * templates/template-reader.ts) step for step, because its order of checks decides which message
 * a user sees: duplicate keys, then known properties, then loose properties, then "Unexpected
 * value"; one-of mappings narrowed by the keys present; required properties checked last.
 */
#include "workflow/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "util/map.h"
#include "util/xalloc.h"
#include "yaml/yaml.h"

/* ---- tokens ---- */

struct wf_token *wf_tok_new(struct arena *a, enum wf_tok_kind kind)
{
    struct wf_token *t = arena_alloc(a, sizeof(*t));
    t->kind = kind;
    return t;
}

struct wf_token *wf_tok_str(struct arena *a, const char *s)
{
    struct wf_token *t = wf_tok_new(a, WF_TOK_STRING);
    t->str = arena_strdup(a, s);
    t->len = strlen(s);
    return t;
}

struct wf_token *wf_tok_expr(struct arena *a, const char *expr)
{
    struct wf_token *t = wf_tok_str(a, expr);
    t->kind = WF_TOK_EXPR;
    return t;
}

bool wf_tok_is_scalar(const struct wf_token *t)
{
    return t->kind != WF_TOK_SEQUENCE && t->kind != WF_TOK_MAPPING;
}

bool wf_tok_is_expr(const struct wf_token *t)
{
    return t && (t->kind == WF_TOK_EXPR || t->kind == WF_TOK_INSERT);
}

struct wf_token *wf_tok_get(const struct wf_token *map, const char *key)
{
    if (!map || map->kind != WF_TOK_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->npairs; i++) {
        const struct wf_token *k = map->pairs[i].key;
        if (k->kind == WF_TOK_STRING && strcmp(k->str, key) == 0)
            return map->pairs[i].value;
    }
    return NULL;
}

/* JavaScript's Number.prototype.toString, which GitHub's messages and exports use. */
void wf_format_number(struct sbuf *out, double d)
{
    if (d != d) {
        sbuf_addstr(out, "NaN");
        return;
    }
    if (d > 1.7976931348623157e308) {
        sbuf_addstr(out, "Infinity");
        return;
    }
    if (d < -1.7976931348623157e308) {
        sbuf_addstr(out, "-Infinity");
        return;
    }
    if (d == 0) {
        sbuf_addch(out, '0'); /* JavaScript prints -0 as 0 */
        return;
    }
    if (d < 1e21 && d > -1e21 && floor(d) == d) {
        sbuf_addf(out, "%.0f", d); /* integral values below 1e21 print in full */
        return;
    }
    /* shortest representation that round-trips */
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        double back = 0;
        sscanf(buf, "%lf", &back);
        if (back == d)
            break;
    }
    /* JS writes exponents as e+21 / e-7 without zero padding */
    char *e = strchr(buf, 'e');
    if (e) {
        char mant[64];
        size_t ml = (size_t)(e - buf);
        memcpy(mant, buf, ml);
        mant[ml] = '\0';
        int ex = (int)strtol(e + 1, NULL, 10);
        if (ex >= -6 && ex < 21) {
            snprintf(buf, sizeof(buf), "%.17f", d);
            /* fall back to plain notation trimmed of zeros */
            char *dot = strchr(buf, '.');
            if (dot) {
                char *end = buf + strlen(buf) - 1;
                while (end > dot && *end == '0')
                    *end-- = '\0';
                if (end == dot)
                    *end = '\0';
            }
            sbuf_addstr(out, buf);
            return;
        }
        sbuf_addf(out, "%se%c%d", mant, ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
        return;
    }
    sbuf_addstr(out, buf);
}

const char *wf_tok_display(struct arena *a, const struct wf_token *t)
{
    struct sbuf sb = SBUF_INIT;
    switch (t->kind) {
    case WF_TOK_STRING:
        sbuf_add(&sb, t->str, t->len);
        break;
    case WF_TOK_NUMBER:
        val_number_to_sbuf(&sb, t->number); /* the C# runner's ToString("G15") */
        break;
    case WF_TOK_BOOL:
        sbuf_addstr(&sb, t->boolean ? "true" : "false");
        break;
    case WF_TOK_NULL:
        break;
    case WF_TOK_EXPR:
        sbuf_addf(&sb, "${{ %s }}", t->str);
        break;
    case WF_TOK_INSERT:
        sbuf_addstr(&sb, "${{ insert }}");
        break;
    case WF_TOK_SEQUENCE:
        sbuf_addstr(&sb, "[]");
        break;
    case WF_TOK_MAPPING:
        sbuf_addstr(&sb, "{}");
        break;
    }
    const char *r = arena_strndup(a, sb.buf, sb.len);
    sbuf_release(&sb);
    return r;
}

const char *wf_tok_text(struct arena *a, const struct wf_token *t)
{
    if (!t)
        return NULL;
    return t->kind == WF_TOK_STRING ? t->str : wf_tok_display(a, t);
}

/* ---- errors ---- */

#define WF_MAX_MESSAGE 500
#define WF_MAX_EXPRESSION_LENGTH 21000

size_t wf_ctx_file_id(struct wf_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nfiles; i++) {
        if (str_casecmp(c->files[i], name) == 0)
            return i + 1;
    }
    wf_ctx_add_string_bytes(c, name); /* the file table counts too */
    const char **files = arena_alloc(c->arena, sizeof(char *) * (c->nfiles + 1));
    if (c->nfiles)
        memcpy(files, c->files, sizeof(char *) * c->nfiles);
    files[c->nfiles++] = arena_strdup(c->arena, name);
    c->files = files;
    return c->nfiles;
}

static void ctx_vadd(struct wf_ctx *c, struct vec *list, size_t file, size_t line, size_t col,
                     const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Adds a located message to list (c->diags or c->warnings), which holds at most max_errors. */
static void ctx_vadd(struct wf_ctx *c, struct vec *list, size_t file, size_t line, size_t col,
                     const char *fmt, va_list ap)
{
    if (c->max_errors && list->len >= c->max_errors)
        return;
    struct sbuf sb = SBUF_INIT;
    const char *fname = file && file <= c->nfiles ? c->files[file - 1] : NULL;
    if (fname && line)
        sbuf_addf(&sb, "%s (Line: %zu, Col: %zu): ", fname, line, col);
    else if (fname)
        sbuf_addf(&sb, "%s: ", fname);
    else if (line)
        sbuf_addf(&sb, "(Line: %zu, Col: %zu): ", line, col);
    sbuf_vaddf(&sb, fmt, ap);
    if (sb.len > WF_MAX_MESSAGE) {
        /* GitHub keeps the first 500 characters of a message */
        sbuf_setlen(&sb, WF_MAX_MESSAGE);
        sbuf_addstr(&sb, "[...]");
    }
    struct wf_diag *d = vec_push(list);
    d->msg = arena_strndup(c->arena, sb.buf, sb.len);
    d->line = line;
    d->col = col;
    sbuf_release(&sb);
}

void wf_ctx_error(struct wf_ctx *c, const struct wf_token *tok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (tok)
        ctx_vadd(c, c->diags, tok->file, tok->line, tok->col, fmt, ap);
    else
        ctx_vadd(c, c->diags, c->cur_file, 0, 0, fmt, ap);
    va_end(ap);
}

bool wf_ctx_is_lenient(const struct wf_ctx *c)
{
    return c->opts && c->opts->lenient && c->warnings;
}

void wf_ctx_warning(struct wf_ctx *c, const struct wf_token *tok, const char *fmt, ...)
{
    if (!c->warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    ctx_vadd(c, c->warnings, tok->file, tok->line, tok->col, fmt, ap);
    va_end(ap);
}

void wf_ctx_error_at(struct wf_ctx *c, size_t file, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx_vadd(c, c->diags, file, line, col, fmt, ap);
    va_end(ap);
}

/* ---- definition info ---- */

static struct wf_dinfo dinfo_child(struct wf_ctx *c, const struct wf_dinfo *parent,
                                   const struct wf_def *def)
{
    struct wf_dinfo d = {.def = def};
    if (def->ncontext == 0) {
        if (parent) {
            d.ctx = parent->ctx;
            d.nctx = parent->nctx;
        }
        return d;
    }
    size_t pn = parent ? parent->nctx : 0;
    const char **list = arena_alloc(c->arena, sizeof(char *) * (pn + def->ncontext));
    size_t n = 0;
    for (size_t i = 0; i < pn; i++)
        list[n++] = parent->ctx[i];
    for (size_t i = 0; i < def->ncontext; i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = str_casecmp(list[j], def->context[i]) == 0;
        if (!seen)
            list[n++] = def->context[i];
    }
    d.ctx = list;
    d.nctx = n;
    return d;
}

/* Definitions of one type, with one-of expanded one level (TemplateSchema.getDefinitionsOfType). */
static size_t defs_of_type(const struct wf_def *def, enum wf_def_type type,
                           const struct wf_def **out, size_t max)
{
    size_t n = 0;
    if (def->type == type) {
        out[n++] = def;
    } else if (def->type == WF_DEF_ONE_OF) {
        for (size_t i = 0; i < def->n_one_of && n < max; i++) {
            if (def->one_of[i]->type == type)
                out[n++] = def->one_of[i];
        }
    }
    return n;
}

static size_t scalar_defs(const struct wf_def *def, const struct wf_def **out, size_t n, size_t max)
{
    switch (def->type) {
    case WF_DEF_NULL:
    case WF_DEF_BOOLEAN:
    case WF_DEF_NUMBER:
    case WF_DEF_STRING:
        if (n < max)
            out[n++] = def;
        break;
    case WF_DEF_ONE_OF:
        for (size_t i = 0; i < def->n_one_of; i++)
            n = scalar_defs(def->one_of[i], out, n, max);
        break;
    default:
        break;
    }
    return n;
}

static bool def_matches(const struct wf_def *d, const struct wf_token *t)
{
    switch (d->type) {
    case WF_DEF_NULL:
        return t->kind == WF_TOK_NULL;
    case WF_DEF_BOOLEAN:
        return t->kind == WF_TOK_BOOL;
    case WF_DEF_NUMBER:
        return t->kind == WF_TOK_NUMBER;
    case WF_DEF_STRING:
        if (t->kind != WF_TOK_STRING)
            return false;
        if (d->constant)
            return d->ignore_case ? str_casecmp(d->constant, t->str) == 0
                                  : strcmp(d->constant, t->str) == 0;
        if (d->require_non_empty)
            return t->len > 0;
        return true;
    default:
        return false;
    }
}

/* ---- result size: GitHub's TemplateMemory accounting ---- */

#define MIN_OBJECT_SIZE 24      /* any token */
#define STRING_BASE_OVERHEAD 26 /* plus two bytes per UTF-16 code unit */

static size_t utf16_units(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80)
            n += ch >= 0xF0 ? 2 : 1;
    }
    return n;
}

void wf_ctx_add_string_bytes(struct wf_ctx *c, const char *s)
{
    c->result_bytes += STRING_BASE_OVERHEAD + 2 * utf16_units(s, strlen(s));
}

static void add_token_bytes(struct wf_ctx *c, const struct wf_token *t)
{
    size_t b = MIN_OBJECT_SIZE;
    if (t->kind == WF_TOK_STRING || t->kind == WF_TOK_EXPR)
        b += STRING_BASE_OVERHEAD + 2 * utf16_units(t->str, t->len);
    c->result_bytes += b;
}

/* ---- reader ---- */

struct reader {
    struct wf_ctx *c;
    size_t depth;
};

static struct wf_token *read_value(struct reader *r, const struct yml_node *n,
                                   const struct wf_dinfo *di);

static void set_pos(struct reader *r, struct wf_token *t, const struct yml_node *n)
{
    t->file = r->c->cur_file;
    t->line = n->line;
    t->col = n->col;
}

/*
 * Reads a scalar as its core-schema type when tag_name says so (or, for an untagged plain
 * scalar, when it spells one). Returns false when a tagged value does not parse.
 */
bool wf_scalar_typed(const struct yml_node *n, const char *tag_name, enum wf_tok_kind *kind,
                     bool *b, double *d)
{
    struct yml_node plain = *n;
    plain.style = YML_PLAIN;
    plain.tag = NULL;
    if (!tag_name) {
        if (n->style != YML_PLAIN)
            return *kind = WF_TOK_STRING, true;
        /* most plain scalars are words: only these first characters can start a null, a
           boolean or a number in the core schema */
        char c0 = n->value[0];
        if (c0 && c0 != '~' && c0 != 'n' && c0 != 'N' && c0 != 't' && c0 != 'T' && c0 != 'f' &&
            c0 != 'F' && c0 != '.' && c0 != '+' && c0 != '-' && !(c0 >= '0' && c0 <= '9')) {
            *kind = WF_TOK_STRING;
            return true;
        }
        if (yml_is_null(n))
            *kind = WF_TOK_NULL;
        else if (yml_as_bool(n, b))
            *kind = WF_TOK_BOOL;
        else if (yml_as_number(n, d))
            *kind = WF_TOK_NUMBER;
        else
            *kind = WF_TOK_STRING;
        return true;
    }
    if (strcmp(tag_name, "str") == 0) {
        *kind = WF_TOK_STRING;
        return true;
    }
    if (strcmp(tag_name, "null") == 0) {
        *kind = WF_TOK_NULL;
        return yml_is_null(&plain);
    }
    if (strcmp(tag_name, "bool") == 0) {
        *kind = WF_TOK_BOOL;
        return yml_as_bool(&plain, b);
    }
    if (strcmp(tag_name, "int") == 0 || strcmp(tag_name, "float") == 0) {
        *kind = WF_TOK_NUMBER;
        return yml_as_number(&plain, d);
    }
    *kind = WF_TOK_STRING;
    return true;
}

const char *wf_core_tag(const char *tag)
{
    static const char prefix[] = "tag:yaml.org,2002:";
    if (tag && strncmp(tag, prefix, sizeof(prefix) - 1) == 0)
        return tag + sizeof(prefix) - 1;
    return NULL;
}

/* A YAML scalar as a literal token: YAML 1.2 core schema for plain scalars, strings otherwise. */
static struct wf_token *literal_token(struct reader *r, const struct yml_node *n)
{
    struct arena *a = r->c->arena;
    enum wf_tok_kind kind = WF_TOK_STRING;
    bool b = false;
    double d = 0;
    if (!wf_scalar_typed(n, wf_core_tag(n->tag), &kind, &b, &d))
        kind = WF_TOK_STRING; /* reported by the YAML checks before reading */
    struct wf_token *t = wf_tok_new(a, kind);
    t->boolean = b;
    t->number = d;
    if (kind == WF_TOK_STRING) {
        t->str = n->value;
        t->len = n->len;
    }
    set_pos(r, t, n);
    t->multiline = n->end_line > n->line && (n->style == YML_LITERAL || n->style == YML_FOLDED);
    return t;
}

static struct wf_token *to_string_token(struct reader *r, const struct wf_token *t)
{
    if (t->kind == WF_TOK_STRING)
        return (struct wf_token *)t;
    struct wf_token *s = wf_tok_str(r->c->arena, wf_tok_display(r->c->arena, t));
    s->file = t->file;
    s->line = t->line;
    s->col = t->col;
    s->def = t->def;
    return s;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/*
 * Bytes of Unicode white space (as .NET's String.Trim and JavaScript's trim see it) starting at
 * p, or 0: ASCII space and controls, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000, U+FEFF.
 */
static size_t ws_len_at(const unsigned char *p, size_t avail)
{
    if (avail >= 1 && is_ws((char)p[0]))
        return 1;
    if (avail >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2;
    if (avail >= 3) {
        unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
            (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
             cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF))
            return 3;
    }
    return 0;
}

/* Length of Unicode white space ending just before end (scanning back over UTF-8). */
static size_t ws_len_before(const unsigned char *start, const unsigned char *end)
{
    if (end > start && is_ws((char)end[-1]))
        return 1;
    for (size_t k = 2; k <= 3; k++) {
        if ((size_t)(end - start) >= k && ws_len_at(end - k, k) == k)
            return k;
    }
    return 0;
}

/* Text of an expression that is only a string literal ('{{ x }}'), or NULL. */
static const char *expression_string(struct arena *a, const char *s)
{
    struct sbuf sb = SBUF_INIT;
    bool in = false;
    const char *res = NULL;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\'') {
            in = !in;
            if (in && i != 0)
                sbuf_addch(&sb, '\'');
        } else if (!in) {
            goto done;
        } else {
            sbuf_addch(&sb, s[i]);
        }
    }
    res = arena_strndup(a, sb.buf, sb.len);
done:
    sbuf_release(&sb);
    return res;
}

struct segment {
    bool is_expr;
    struct sbuf text;
};

/*
 * A string scalar that holds ${{ }} becomes an expression token: the expression itself when the
 * whole value is one expression, a literal when the expression is only a string literal, and
 * format('literal {0}', expr) for mixed text, exactly as GitHub rewrites it.
 */
static struct wf_token *parse_scalar(struct reader *r, struct wf_token *tok,
                                     const struct wf_dinfo *di)
{
    if (tok->kind != WF_TOK_STRING || tok->len == 0)
        return tok;
    const char *raw = tok->str;
    const char *first = strstr(raw, "${{");
    if (!first)
        return tok;
    struct arena *a = r->c->arena;
    struct wf_token *result = tok;
    struct vec segs = VEC_INIT(struct segment);
    bool failed = false;
    size_t len = tok->len;
    size_t i = 0;
    size_t start = (size_t)(first - raw);
    bool insert = false;
    while (i < len) {
        if (i == start) {
            size_t end = 0;
            bool found = false;
            bool in_str = false;
            for (i += 3; i < len; i++) {
                if (raw[i] == '\'') {
                    in_str = !in_str;
                } else if (!in_str && raw[i] == '}' && raw[i - 1] == '}') {
                    end = i;
                    found = true;
                    i++;
                    break;
                }
            }
            if (!found) {
                wf_ctx_error(r->c, tok,
                             "The expression is not closed. An unescaped ${{ sequence was found, "
                             "but the closing }} sequence was not found.");
                goto done;
            }
            /* the text between ${{ and }}, trimmed */
            size_t es = start + 3;
            size_t ee = end - 1; /* index of the first '}' */
            const unsigned char *u = (const unsigned char *)raw;
            size_t w = 0;
            while (es < ee && (w = ws_len_at(u + es, ee - es)) > 0)
                es += w;
            while (ee > es && (w = ws_len_before(u + es, u + ee)) > 0)
                ee -= w;
            char *expr = arena_strndup(a, raw + es, ee - es);
            if (!*expr) {
                wf_ctx_error(r->c, tok, "An expression was expected");
                failed = true;
            } else if (strncmp(expr, "insert", 6) == 0 && (!expr[6] || is_ws(expr[6]))) {
                if (expr[6]) {
                    size_t params = 0;
                    for (const char *p = expr + 6; *p;) {
                        while (*p && is_ws(*p))
                            p++;
                        if (!*p)
                            break;
                        params++;
                        while (*p && !is_ws(*p))
                            p++;
                    }
                    wf_ctx_error(r->c, tok,
                                 "Exactly 0 parameter(s) were expected following the directive "
                                 "'insert'. Actual parameter count: %zu",
                                 params);
                    failed = true;
                } else {
                    if (start != 0 || i < len) {
                        wf_ctx_error(r->c, tok,
                                     "The directive 'insert' is not allowed in this context. "
                                     "Directives are not supported for expressions that are "
                                     "embedded within a string. Directives are only supported "
                                     "when the entire value is an expression.");
                        goto done;
                    }
                    insert = true;
                }
            } else {
                struct sbuf msg = SBUF_INIT;
                if (!wf_expr_validate(expr, di->ctx, di->nctx, &msg, NULL)) {
                    wf_ctx_error(r->c, tok, "%s", msg.buf);
                    failed = true;
                } else {
                    struct segment *s = vec_push(&segs);
                    s->is_expr = true;
                    s->text = SBUF_INIT;
                    sbuf_addstr(&s->text, expr);
                }
                sbuf_release(&msg);
            }
            const char *next = i < len ? strstr(raw + i, "${{") : NULL;
            start = next ? (size_t)(next - raw) : (size_t)-1;
        } else {
            size_t stop = start < len ? start : len;
            struct segment *last = segs.len ? &((struct segment *)segs.items)[segs.len - 1] : NULL;
            if (!last || last->is_expr) {
                last = vec_push(&segs);
                last->is_expr = false;
                last->text = SBUF_INIT;
            }
            sbuf_add(&last->text, raw + i, stop - i);
            i = stop;
        }
    }
    if (failed)
        goto done;
    if (insert) {
        result = wf_tok_new(a, WF_TOK_INSERT);
        result->str = "insert";
        result->len = 6;
    } else {
        struct segment *sv = segs.items;
        if (segs.len == 1 && sv[0].is_expr) {
            const char *lit = expression_string(a, sv[0].text.buf);
            if (lit) {
                result = wf_tok_str(a, lit);
            } else {
                result = wf_tok_expr(a, sv[0].text.buf);
            }
        } else {
            struct sbuf fmt = SBUF_INIT;
            struct sbuf args = SBUF_INIT;
            size_t argi = 0;
            sbuf_addstr(&fmt, "format('");
            for (size_t k = 0; k < segs.len; k++) {
                if (sv[k].is_expr) {
                    sbuf_addf(&fmt, "{%zu}", argi++);
                    sbuf_addf(&args, ", %s", sv[k].text.buf);
                    continue;
                }
                for (size_t q = 0; q < sv[k].text.len; q++) {
                    char ch = sv[k].text.buf[q];
                    if (ch == '\'')
                        sbuf_addstr(&fmt, "''");
                    else if (ch == '{')
                        sbuf_addstr(&fmt, "{{");
                    else if (ch == '}')
                        sbuf_addstr(&fmt, "}}");
                    else
                        sbuf_addch(&fmt, ch);
                }
            }
            sbuf_addf(&fmt, "'%s)", args.buf);
            if (fmt.len > WF_MAX_EXPRESSION_LENGTH) {
                /* GitHub parses the rewritten format() and meets its length limit */
                wf_ctx_error(r->c, tok, "Exceeded max expression length %d",
                             WF_MAX_EXPRESSION_LENGTH);
                sbuf_release(&fmt);
                sbuf_release(&args);
                goto done;
            }
            result = wf_tok_expr(a, fmt.buf);
            sbuf_release(&fmt);
            sbuf_release(&args);
        }
    }
    result->file = tok->file;
    result->line = tok->line;
    result->col = tok->col;
    result->multiline = tok->multiline;
done:
    vec_foreach (struct segment, s, &segs)
        sbuf_release(&s->text);
    vec_release(&segs);
    return result;
}

static struct wf_token *validate_scalar(struct reader *r, struct wf_token *t,
                                        const struct wf_dinfo *di)
{
    const struct wf_def *defs[64];
    switch (t->kind) {
    case WF_TOK_NULL:
    case WF_TOK_BOOL:
    case WF_TOK_NUMBER:
    case WF_TOK_STRING: {
        size_t n = scalar_defs(di->def, defs, 0, 64);
        for (size_t i = 0; i < n; i++) {
            if (def_matches(defs[i], t)) {
                t->def = defs[i];
                return t;
            }
        }
        if (t->kind != WF_TOK_STRING) {
            struct wf_token *s = to_string_token(r, t);
            for (size_t i = 0; i < n; i++) {
                if (def_matches(defs[i], s)) {
                    s->def = defs[i];
                    return s;
                }
            }
        }
        wf_ctx_error(r->c, t, "Unexpected value '%s'", wf_tok_display(r->c->arena, t));
        return t;
    }
    case WF_TOK_EXPR:
        if (di->nctx == 0)
            wf_ctx_error(r->c, t, "A template expression is not allowed in this context");
        return t;
    default:
        wf_ctx_error(r->c, t, "Unexpected value '%s'", wf_tok_display(r->c->arena, t));
        return t;
    }
}

static struct wf_token *read_key(struct reader *r, const struct yml_node *k,
                                 const struct wf_dinfo *di)
{
    if (k->kind != YML_SCALAR) {
        /* A collection used as a key: GitHub reads it as an empty key and rejects it. */
        struct wf_token *t = wf_tok_str(r->c->arena, "");
        set_pos(r, t, k);
        return t;
    }
    struct wf_token *t = to_string_token(r, literal_token(r, k));
    t = parse_scalar(r, t, di);
    add_token_bytes(r->c, t);
    return t;
}

static void add_pair(struct reader *r, struct vec *pairs, struct wf_token *k, struct wf_token *v)
{
    struct wf_pair *p = vec_push(pairs);
    p->key = k;
    p->value = v;
}

static void finish_mapping(struct reader *r, struct wf_token *m, struct vec *pairs)
{
    m->npairs = pairs->len;
    if (pairs->len) {
        m->pairs = arena_memdup(r->c->arena, pairs->items, sizeof(struct wf_pair) * pairs->len);
    }
    vec_release(pairs);
}

static void read_mapping_known(struct reader *r, const struct yml_node *n, struct wf_token *m,
                               const struct wf_dinfo *di, const struct wf_def **mdefs,
                               size_t nmdefs)
{
    struct vec pairs = VEC_INIT(struct wf_pair);
    struct map seen = MAP_INIT_CI;
    const struct wf_def *loose_key = mdefs[0]->loose_key;
    const struct wf_def *loose_value = mdefs[0]->loose_value;
    for (size_t i = 0; i < n->npairs; i++) {
        const struct yml_node *kn = n->pairs[i].key;
        const struct yml_node *vn = n->pairs[i].value;
        struct wf_token *key = read_key(r, kn, di);
        if (key->kind == WF_TOK_EXPR || key->kind == WF_TOK_INSERT) {
            m->has_expr_key = true;
            if (di->nctx > 0) {
                struct wf_dinfo any = dinfo_child(r->c, di, wf_schema_lookup("any"));
                add_pair(r, &pairs, key, read_value(r, vn, &any));
            } else {
                wf_ctx_error(r->c, key, "A template expression is not allowed in this context");
            }
            continue;
        }
        key = to_string_token(r, key);
        if (key->len) {
            if (map_has(&seen, key->str)) {
                wf_ctx_error(r->c, key, "'%s' is already defined", key->str);
                continue;
            }
            map_set(&seen, key->str, NULL);
        }
        /* well-known property: narrow the candidate definitions to those that have it */
        const struct wf_prop *prop = NULL;
        bool missing_in_some = false;
        for (size_t d = 0; d < nmdefs; d++) {
            const struct wf_prop *p = wf_def_prop(mdefs[d], key->str);
            if (p)
                prop = p;
            else
                missing_in_some = true;
        }
        if (prop && missing_in_some) {
            size_t w = 0;
            for (size_t d = 0; d < nmdefs; d++) {
                if (wf_def_prop(mdefs[d], key->str))
                    mdefs[w++] = mdefs[d];
            }
            nmdefs = w;
        }
        if (prop) {
            bool bg_enabled = r->c->opts && r->c->opts->allow_background_steps;
            char k0 = key->str[0];
            if (!bg_enabled && (k0 == 'b' || k0 == 'w' || k0 == 'c') &&
                (strcmp(key->str, "background") == 0 || strcmp(key->str, "wait") == 0 ||
                 strcmp(key->str, "wait-all") == 0 || strcmp(key->str, "cancel") == 0)) {
                wf_ctx_error(r->c, key, "Unexpected value '%s'", key->str);
                continue;
            }
            struct wf_dinfo vd = dinfo_child(r->c, di, prop->def);
            key->def = prop->def;
            add_pair(r, &pairs, key, read_value(r, vn, &vd));
            continue;
        }
        if (loose_key) {
            struct wf_dinfo kd = dinfo_child(r->c, di, loose_key);
            struct wf_dinfo vd = dinfo_child(r->c, di, loose_value);
            key = validate_scalar(r, key, &kd);
            add_pair(r, &pairs, key, read_value(r, vn, &vd));
            continue;
        }
        wf_ctx_error(r->c, key, "Unexpected value '%s'", key->str);
    }
    if (nmdefs == 1) {
        m->def = mdefs[0];
    } else if (nmdefs > 1) {
        /* properties that appear in exactly one candidate, sorted */
        struct map hits = MAP_INIT;
        for (size_t d = 0; d < nmdefs; d++) {
            for (size_t p = 0; p < mdefs[d]->nprops; p++) {
                const char *name = mdefs[d]->props[p].name;
                size_t cnt = (size_t)map_find(&hits, name);
                map_set(&hits, name, (void *)(cnt + 1));
            }
        }
        const char **names = xcalloc(hits.len + 1, sizeof(char *));
        size_t nn = 0;
        for (size_t h = 0; h < hits.len; h++) {
            const char *name = hits.entries[h].key;
            bool bg_only = strcmp(name, "wait") == 0 || strcmp(name, "wait-all") == 0 ||
                           strcmp(name, "cancel") == 0;
            if ((size_t)hits.entries[h].value == 1 &&
                (!bg_only || (r->c->opts && r->c->opts->allow_background_steps)))
                names[nn++] = name;
        }
        for (size_t x = 1; x < nn; x++) {
            for (size_t y = x; y > 0 && strcmp(names[y - 1], names[y]) > 0; y--) {
                const char *tmp = names[y];
                names[y] = names[y - 1];
                names[y - 1] = tmp;
            }
        }
        struct sbuf sb = SBUF_INIT;
        for (size_t x = 0; x < nn; x++)
            sbuf_addf(&sb, "%s%s", x ? ", " : "", names[x]);
        wf_ctx_error(r->c, m,
                     "There's not enough info to determine what you meant. Add one of these "
                     "properties: %s",
                     sb.buf);
        sbuf_release(&sb);
        xfree(names);
        map_release(&hits, NULL);
    }
    if (nmdefs == 1 && !m->has_expr_key) {
        for (size_t p = 0; p < mdefs[0]->nprops; p++) {
            const struct wf_prop *prop = &mdefs[0]->props[p];
            if (!prop->required || map_has(&seen, prop->name))
                continue;
            if (wf_ctx_is_lenient(r->c) &&
                strcmp(mdefs[0]->name, "workflow-call-input-definition") == 0 &&
                strcmp(prop->name, "type") == 0) {
                wf_ctx_warning(r->c, m, "Required property is missing: %s (read as 'string')",
                               prop->name);
                continue;
            }
            wf_ctx_error(r->c, m, "Required property is missing: %s", prop->name);
        }
    }
    map_release(&seen, NULL);
    finish_mapping(r, m, &pairs);
}

static void read_mapping_loose(struct reader *r, const struct yml_node *n, struct wf_token *m,
                               const struct wf_dinfo *di, const struct wf_def *mdef)
{
    struct vec pairs = VEC_INIT(struct wf_pair);
    struct map seen = MAP_INIT_CI;
    struct wf_dinfo kd = dinfo_child(r->c, di, mdef->loose_key);
    struct wf_dinfo vd = dinfo_child(r->c, di, mdef->loose_value);
    for (size_t i = 0; i < n->npairs; i++) {
        struct wf_token *key = read_key(r, n->pairs[i].key, di);
        if (key->kind == WF_TOK_EXPR || key->kind == WF_TOK_INSERT) {
            if (di->nctx > 0)
                add_pair(r, &pairs, key, read_value(r, n->pairs[i].value, &vd));
            else
                wf_ctx_error(r->c, key, "A template expression is not allowed in this context");
            continue;
        }
        key = to_string_token(r, key);
        if (key->len) {
            if (map_has(&seen, key->str)) {
                wf_ctx_error(r->c, key, "'%s' is already defined", key->str);
                continue;
            }
            map_set(&seen, key->str, NULL);
        }
        key = validate_scalar(r, key, &kd);
        add_pair(r, &pairs, key, read_value(r, n->pairs[i].value, &vd));
    }
    map_release(&seen, NULL);
    finish_mapping(r, m, &pairs);
}

static struct wf_token *read_value(struct reader *r, const struct yml_node *n,
                                   const struct wf_dinfo *di)
{
    struct arena *a = r->c->arena;
    if (n->kind == YML_SCALAR) {
        struct wf_token *t = literal_token(r, n);
        t = parse_scalar(r, t, di);
        t = validate_scalar(r, t, di);
        add_token_bytes(r->c, t);
        t->ctx = di->ctx;
        t->nctx = di->nctx;
        if (!t->def)
            t->def = di->def;
        return t;
    }
    if (n->kind == YML_SEQUENCE) {
        struct wf_token *s = wf_tok_new(a, WF_TOK_SEQUENCE);
        set_pos(r, s, n);
        add_token_bytes(r->c, s);
        s->def = di->def;
        s->ctx = di->ctx;
        s->nctx = di->nctx;
        const struct wf_def *sd[8];
        if (defs_of_type(di->def, WF_DEF_SEQUENCE, sd, 8) == 0) {
            wf_ctx_error(r->c, s, "A sequence was not expected");
            return s;
        }
        struct wf_dinfo item = dinfo_child(r->c, di, sd[0]->item);
        s->items = arena_alloc(a, sizeof(struct wf_token *) * (n->nitems ? n->nitems : 1));
        for (size_t i = 0; i < n->nitems; i++)
            s->items[s->nitems++] = read_value(r, n->items[i], &item);
        return s;
    }
    struct wf_token *m = wf_tok_new(a, WF_TOK_MAPPING);
    set_pos(r, m, n);
    add_token_bytes(r->c, m);
    m->def = di->def;
    m->ctx = di->ctx;
    m->nctx = di->nctx;
    const struct wf_def *md[16];
    size_t nmd = defs_of_type(di->def, WF_DEF_MAPPING, md, 16);
    if (nmd == 0) {
        wf_ctx_error(r->c, m, "A mapping was not expected");
        return m;
    }
    if (nmd > 1 || md[0]->nprops > 0 || !md[0]->loose_key)
        read_mapping_known(r, n, m, di, md, nmd);
    else
        read_mapping_loose(r, n, m, di, md[0]);
    return m;
}

struct wf_token *wf_read_template(struct wf_ctx *c, const struct yml_node *root,
                                  const char *root_def)
{
    struct reader r = {.c = c};
    struct wf_dinfo di = dinfo_child(
        c, NULL, c->action_schema ? wf_action_schema_lookup(root_def) : wf_schema_lookup(root_def));
    if (!root) {
        /* an empty document reads as null */
        struct wf_token *t = wf_tok_new(c->arena, WF_TOK_NULL);
        t->file = c->cur_file;
        t->line = 1;
        t->col = 1;
        return validate_scalar(&r, t, &di);
    }
    struct wf_token *t = read_value(&r, root, &di);
    const struct wf_load_opts *o = c->opts;
    if (o && o->max_result_size && c->result_bytes > o->max_result_size && !c->result_too_big) {
        c->result_too_big = true;
        const struct wf_token *u = c->calling;
        if (u && u->file && u->file <= c->nfiles)
            wf_ctx_error_at(c, 0, 0, 0,
                            "In %s (Line: %zu, Col: %zu): Error from called workflow %s: Maximum "
                            "object size exceeded",
                            c->files[u->file - 1], u->line, u->col, u->str);
        else
            wf_ctx_error(c, NULL, "Maximum object size exceeded");
    }
    return t;
}
