/*
 * The two questions the loader asks the expression language: is this expression valid for the
 * contexts its key allows, and does it call a status function (success(), failure(), cancelled(),
 * always())? expr/ answers both from one parse.
 */
#include "workflow/internal.h"

#include <ctype.h>
#include <string.h>

#include "expr/expr.h"

static int strncasecmp_ascii(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = tolower((unsigned char)a[i]);
        int y = tolower((unsigned char)b[i]);
        if (x != y || !x)
            return x - y;
    }
    return 0;
}

/* Splits the schema's context list into named values and function names ("hashFiles(1,255)"). */
static void split_context(const char *const *ctx, size_t nctx, const char **names, size_t *nnames,
                          const char **funcs, size_t *nfuncs, struct arena *a)
{
    *nnames = 0;
    *nfuncs = 0;
    for (size_t i = 0; i < nctx; i++) {
        const char *paren = strchr(ctx[i], '(');
        if (paren)
            funcs[(*nfuncs)++] = arena_strndup(a, ctx[i], (size_t)(paren - ctx[i]));
        else
            names[(*nnames)++] = ctx[i];
    }
}

/* Replaces the arguments of every call to `name` (its first n bytes) with spaces. */
static void blank_arguments(char *text, const char *name, size_t n)
{
    bool in_str = false;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '\'') {
            in_str = !in_str;
            continue;
        }
        if (in_str || (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_' ||
                                 text[i - 1] == '.')))
            continue;
        if (strncasecmp_ascii(text + i, name, n) != 0 || isalnum((unsigned char)text[i + n]) ||
            text[i + n] == '_')
            continue;
        size_t j = i + n;
        while (text[j] == ' ' || text[j] == '\t')
            j++;
        if (text[j] != '(')
            continue;
        /* blank up to the matching ')' */
        int depth = 0;
        bool s = false;
        for (size_t k = j + 1; text[k]; k++) {
            if (text[k] == '\'')
                s = !s;
            else if (!s && text[k] == '(')
                depth++;
            else if (!s && text[k] == ')' && depth-- == 0)
                break;
            text[k] = ' ';
        }
    }
}

bool wf_expr_validate(const char *expr, const char *const *ctx, size_t nctx, struct sbuf *msg,
                      bool *has_status)
{
    struct arena a = ARENA_INIT;
    struct err err = ERR_INIT;
    struct expr *e = NULL;
    const char **names = arena_alloc(&a, sizeof(char *) * (nctx + 1));
    const char **funcs = arena_alloc(&a, sizeof(char *) * (nctx + 1));
    size_t nnames = 0;
    size_t nfuncs = 0;
    split_context(ctx, nctx, names, &nnames, funcs, &nfuncs, &a);
    struct expr_parse_opts po = EXPR_PARSE_OPTS_INIT;
    po.contexts = names;
    po.n_contexts = nnames;
    po.functions = funcs;
    po.n_functions = nfuncs;
    /*
     * Job-level status functions take arguments (success(0,MAX): `success('build')` asks about
     * the named needs); expr/ checks the step-level arity, so blank the arguments out (keeping
     * every position) before parsing when the schema allows them.
     */
    char *text = arena_strdup(&a, expr);
    for (size_t i = 0; i < nctx; i++) {
        const char *spec = ctx[i];
        const char *paren = strchr(spec, '(');
        if (paren && strstr(paren, ",MAX)"))
            blank_arguments(text, spec, (size_t)(paren - spec));
    }
    bool ok = expr_parse(&e, &a, text, strlen(text), &po, &err) == 0;
    if (!ok && msg)
        sbuf_addstr(msg, err.msg);
    if (ok && has_status)
        *has_status = expr_has_status_function(e);
    arena_release(&a);
    return ok;
}
