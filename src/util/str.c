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

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c;
    size_t n;
    if (!len)
        return 0;
    if (p[0] < 0x80) {
        c = p[0];
        n = 1;
    } else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        c = p[0] & 0x1F;
        n = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        c = p[0] & 0x0F;
        n = 3;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        c = p[0] & 0x07;
        n = 4;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (i >= len || (p[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3F);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_for_len[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}
