/*
 * The two questions the loader asks the expression language: is this expression valid for the
 * contexts its key allows, and does it call a status function (success(), failure(), cancelled(),
 * always())? The answers come from expr/ when it is built; until then expressions are kept as
 * written and a scan for status calls decides the `if` wrapping.
 */
#include "workflow/internal.h"

#include <ctype.h>
#include <string.h>

bool wf_expr_validate(const char *expr, const char *const *ctx, size_t nctx, struct sbuf *msg)
{
    return true;
}

static bool str_ncase_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    }
    return true;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

bool wf_expr_has_status_function(const char *expr, bool *parse_ok)
{
    static const char *const names[] = {"success", "failure", "cancelled", "always"};
    *parse_ok = true;
    bool in_str = false;
    for (size_t i = 0; expr[i]; i++) {
        char ch = expr[i];
        if (ch == '\'') {
            in_str = !in_str;
            continue;
        }
        if (in_str || !isalpha((unsigned char)ch) ||
            (i > 0 && (ident_char(expr[i - 1]) || expr[i - 1] == '.')))
            continue;
        size_t j = i;
        while (ident_char(expr[j]))
            j++;
        size_t k = j;
        while (expr[k] == ' ' || expr[k] == '\t')
            k++;
        if (expr[k] == '(') {
            for (size_t n = 0; n < 4; n++) {
                if (strlen(names[n]) == j - i && str_ncase_eq(expr + i, names[n], j - i))
                    return true;
            }
        }
        i = j - 1;
    }
    return false;
}
