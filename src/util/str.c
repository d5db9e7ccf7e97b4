#include "util/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct str str_from(const char *s)
{
    return str_make(s, strlen(s));
}

bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || !memcmp(a.p, b.p, a.len));
}

bool str_eqi(struct str a, struct str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        if (str_lower((unsigned char)a.p[i]) != str_lower((unsigned char)b.p[i]))
            return false;
    }
    return true;
}

bool str_eq_cstr(struct str a, const char *b)
{
    return str_eq(a, str_from(b));
}

bool str_eqi_cstr(struct str a, const char *b)
{
    return str_eqi(a, str_from(b));
}

bool str_starts_with(struct str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && !memcmp(s.p, prefix, n);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

struct str str_trim(struct str s)
{
    while (s.len && is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

char *str_dup(struct str s)
{
    char *p = xmalloc(s.len + 1);
    if (s.len)
        memcpy(p, s.p, s.len);
    p[s.len] = '\0';
    return p;
}

int str_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = str_lower((unsigned char)*a);
        int cb = str_lower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

bool str_has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool str_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return m <= n && !memcmp(s + n - m, suffix, m);
}

bool str_to_long(const char *s, long *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool str_to_double(const char *s, double *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}
