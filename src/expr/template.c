/*
 * Templates and if: conditions, after the C# runner's TemplateReader.ParseScalar and
 * WorkflowTemplateConverter.ConvertToIfCondition.
 */
#include "expr/expr.h"

#include <string.h>

#include "expr/internal.h"

#define MSG_NOT_CLOSED                                                                             \
    "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} "       \
    "sequence was not found."

struct part_list {
    struct expr_template_part *items;
    size_t len;
    size_t alloc;
};

static struct expr_template_part *push_part(struct arena *a, struct part_list *l)
{
    if (l->len == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 4;
        struct expr_template_part *items = arena_alloc(a, n * sizeof(*items));
        if (l->len)
            memcpy(items, l->items, l->len * sizeof(*items));
        l->items = items;
        l->alloc = n;
    }
    return &l->items[l->len++];
}

static const char *find_open(const char *s, size_t len, size_t from)
{
    for (size_t i = from; i + 2 < len; i++) {
        if (s[i] == '$' && s[i + 1] == '{' && s[i + 2] == '{')
            return s + i;
    }
    return NULL;
}

int expr_template_parse(struct expr_template **out, struct arena *a, const char *s, size_t len,
                        const struct expr_parse_opts *opts, struct err *err)
{
    struct part_list parts = {0};
    size_t start = 0;
    struct expr_parse_opts po = opts ? *opts : EXPR_PARSE_OPTS_INIT;
    while (start < len) {
        const char *open = find_open(s, len, start);
        if (!open) {
            struct expr_template_part *lit = push_part(a, &parts);
            lit->text = str_make(arena_strndup(a, s + start, len - start), len - start);
            lit->offset = start;
            break;
        }
        size_t at = (size_t)(open - s);
        if (at > start) {
            struct expr_template_part *lit = push_part(a, &parts);
            lit->text = str_make(arena_strndup(a, s + start, at - start), at - start);
            lit->offset = start;
        }
        /* The end is the first "}}" outside a single-quoted string ('' toggles twice). */
        size_t end = 0;
        bool in_string = false;
        for (size_t i = at + 3; i < len; i++) {
            if (s[i] == '\'') {
                in_string = !in_string;
            } else if (!in_string && s[i] == '}' && s[i - 1] == '}') {
                end = i;
                break;
            }
        }
        if (!end) {
            if (opts && opts->diag_out)
                *opts->diag_out = (struct expr_diag){.kind = EXPR_ERR_PARSING, .offset = at};
            return err_set(err, ERR_INVALID, MSG_NOT_CLOSED);
        }
        struct str raw = str_trim(str_make(s + at + 3, end - 1 - (at + 3)));
        if (!raw.len) {
            if (opts && opts->diag_out)
                *opts->diag_out = (struct expr_diag){.kind = EXPR_ERR_PARSING, .offset = at};
            return err_set(err, ERR_INVALID, "An expression was expected");
        }
        struct expr_template_part *part = push_part(a, &parts);
        part->offset = (size_t)(raw.p - s);
        part->text = str_make(arena_strndup(a, raw.p, raw.len), raw.len);
        int rc = expr_parse(&part->expr, a, part->text.p, part->text.len, &po, err);
        if (rc < 0) {
            if (opts && opts->diag_out)
                opts->diag_out->offset += part->offset;
            return rc;
        }
        start = end + 1;
    }
    struct expr_template *t = arena_alloc(a, sizeof(*t));
    t->parts = parts.items;
    t->n_parts = parts.len;
    t->is_single = parts.len == 1 && parts.items[0].expr;
    *out = t;
    return 0;
}

int expr_template_eval(struct val *out, struct arena *scratch, const struct expr_template *t,
                       const struct expr_ctx *ctx, struct err *err)
{
    if (t->is_single)
        return expr_eval(out, scratch, t->parts[0].expr, ctx, err);
    struct sbuf sb = SBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        const struct expr_template_part *p = &t->parts[i];
        if (!p->expr) {
            sbuf_add(&sb, p->text.p, p->text.len);
            continue;
        }
        struct val v;
        rc = expr_eval(&v, scratch, p->expr, ctx, err);
        if (rc < 0)
            goto done;
        val_to_sbuf(&sb, &v);
    }
    *out = val_string(scratch, sb.buf, sb.len);
done:
    sbuf_release(&sb);
    return rc;
}

static struct expr *node(struct arena *a, enum expr_node_kind kind, size_t n_args)
{
    struct expr *e = arena_alloc(a, sizeof(*e));
    e->kind = kind;
    e->n_args = n_args;
    if (n_args)
        e->args = arena_alloc(a, n_args * sizeof(*e->args));
    return e;
}

/* format('<literal text with {{ }} escaped and {N} for each expression>', expr0, expr1, ...) */
static struct expr *template_as_format(struct arena *a, const struct expr_template *t)
{
    struct sbuf fmt = SBUF_INIT;
    size_t n_exprs = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        const struct expr_template_part *p = &t->parts[i];
        if (p->expr) {
            sbuf_addf(&fmt, "{%zu}", n_exprs++);
            continue;
        }
        for (size_t k = 0; k < p->text.len; k++) {
            char c = p->text.p[k];
            sbuf_addch(&fmt, c);
            if (c == '{' || c == '}')
                sbuf_addch(&fmt, c);
        }
    }
    struct expr *call = node(a, EXPR_CALL, n_exprs + 1);
    call->func = EXPR_FN_FORMAT;
    call->name = str_from("format");
    struct expr *lit = node(a, EXPR_LITERAL, 0);
    lit->literal = val_string(a, fmt.buf, fmt.len);
    call->args[0] = lit;
    size_t k = 1;
    for (size_t i = 0; i < t->n_parts; i++) {
        if (t->parts[i].expr)
            call->args[k++] = t->parts[i].expr;
    }
    sbuf_release(&fmt);
    return call;
}

int expr_if_parse(struct expr **out, struct arena *a, const char *s, size_t len,
                  const struct expr_parse_opts *opts, struct err *err)
{
    struct expr *cond = NULL;
    int rc = 0;
    if (!find_open(s, len, 0)) {
        rc = expr_parse(&cond, a, s, len, opts, err);
    } else {
        struct expr_template *t = NULL;
        rc = expr_template_parse(&t, a, s, len, opts, err);
        if (rc == 0)
            cond = t->is_single ? t->parts[0].expr : template_as_format(a, t);
    }
    if (rc < 0)
        return rc;
    if (!expr_has_status_function(cond)) {
        struct expr *success = node(a, EXPR_CALL, 0);
        success->func = EXPR_FN_SUCCESS;
        success->name = str_from("success");
        struct expr *and = node(a, EXPR_AND, 2);
        and->args[0] = success;
        and->args[1] = cond;
        cond = and;
    }
    *out = cond;
    return 0;
}
