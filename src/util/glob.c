#include "util/glob.h"

#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

enum tok_kind {
    TOK_CHAR,  /* one literal byte */
    TOK_CLASS, /* one byte from a set */
    TOK_STAR,  /* any run of bytes except '/' */
    TOK_ANY,   /* any run of bytes */
    TOK_DIRS,  /* "**" + "/": empty, or any run of bytes ending in '/' */
    TOK_QMARK, /* any one byte except '/' (GLOB_PATHS) */
};

struct tok {
    enum tok_kind kind;
    unsigned char c;       /* TOK_CHAR */
    unsigned char set[32]; /* TOK_CLASS: bitmap of accepted bytes */
    unsigned min, max;     /* repetition of a CHAR or CLASS: {1,1}, {0,1} '?', {1,inf} '+' */
};

#define REP_INF ((unsigned)-1)

struct glob {
    struct tok *toks;
    size_t ntoks;
    bool casefold;
};

static void set_bit(unsigned char *set, unsigned c)
{
    set[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static bool has_bit(const unsigned char *set, unsigned c)
{
    return set[c >> 3] & (1u << (c & 7));
}

static int parse_class(struct tok *t, const char **pp, bool casefold, struct err *err,
                       const char *pattern)
{
    const char *p = *pp + 1; /* after '[' */
    bool negate = false;
    if (*p == '!' || *p == '^') {
        negate = true;
        p++;
    }
    bool first = true;
    while (*p && (*p != ']' || first)) {
        unsigned lo = (unsigned char)*p;
        if (*p == '\\' && p[1])
            lo = (unsigned char)*++p;
        unsigned hi = lo;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            hi = (unsigned char)p[2];
            p += 2;
            if (hi < lo)
                return err_set(err, ERR_INVALID, "invalid range in pattern '%s'", pattern);
        }
        for (unsigned c = lo; c <= hi; c++) {
            set_bit(t->set, c);
            if (casefold)
                set_bit(t->set, (unsigned)str_lower((int)c));
        }
        p++;
        first = false;
    }
    if (*p != ']')
        return err_set(err, ERR_INVALID, "unclosed '[' in pattern '%s'", pattern);
    if (negate) {
        for (size_t i = 0; i < sizeof(t->set); i++)
            t->set[i] = (unsigned char)~t->set[i];
    }
    *pp = p + 1;
    return 0;
}

int glob_compile(struct glob **out, const char *pattern, unsigned flags, struct err *err)
{
    bool paths = flags & GLOB_PATHS;
    bool casefold = flags & GLOB_CASEFOLD;
    size_t cap = strlen(pattern) + 1;
    struct tok *toks = xcalloc(cap, sizeof(*toks));
    size_t n = 0;
    const char *p = pattern;
    while (*p) {
        struct tok *t = &toks[n];
        *t = (struct tok){.min = 1, .max = 1};
        if (p[0] == '*' && p[1] == '*') {
            /* A '**' segment followed by '/' may stand for no directory at all. */
            bool seg_start = p == pattern || p[-1] == '/';
            p += 2;
            while (*p == '*')
                p++;
            if (*p == '/' && seg_start) {
                t->kind = TOK_DIRS;
                p++;
            } else {
                t->kind = TOK_ANY;
            }
        } else if (*p == '*') {
            t->kind = TOK_STAR;
            p++;
        } else if (*p == '?' && paths) {
            t->kind = TOK_QMARK;
            p++;
        } else if ((*p == '?' || *p == '+') && !paths) {
            struct tok *prev = n ? &toks[n - 1] : NULL;
            if (!prev || (prev->kind != TOK_CHAR && prev->kind != TOK_CLASS) || prev->max != 1 ||
                prev->min != 1) {
                xfree(toks);
                return err_set(err, ERR_INVALID, "'%c' follows nothing it can repeat in '%s'", *p,
                               pattern);
            }
            if (*p == '?')
                prev->min = 0;
            else
                prev->max = REP_INF;
            p++;
            continue;
        } else if (*p == '[') {
            t->kind = TOK_CLASS;
            if (parse_class(t, &p, casefold, err, pattern) < 0) {
                xfree(toks);
                return err->code;
            }
        } else {
            if (*p == '\\' && p[1])
                p++;
            t->kind = TOK_CHAR;
            t->c = (unsigned char)(casefold ? str_lower((unsigned char)*p) : *p);
            p++;
        }
        n++;
    }
    struct glob *g = xcalloc(1, sizeof(*g));
    g->toks = toks;
    g->ntoks = n;
    g->casefold = casefold;
    *out = g;
    return 0;
}

void glob_free(struct glob *g)
{
    if (!g)
        return;
    xfree(g->toks);
    xfree(g);
}

struct matcher {
    const struct glob *g;
    const unsigned char *s;
    size_t len;
    unsigned char *memo; /* (ntoks + 1) * (len + 1): 0 unknown, 1 match, 2 no match */
};

static bool one(const struct matcher *m, const struct tok *t, size_t si)
{
    if (si >= m->len)
        return false;
    unsigned c = m->s[si];
    if (m->g->casefold)
        c = (unsigned)str_lower((int)c);
    return t->kind == TOK_CHAR ? c == t->c : has_bit(t->set, c);
}

/* Does the pattern from token ti match the subject from byte si to the end? */
static bool match_at(struct matcher *m, size_t ti, size_t si)
{
    unsigned char *memo = &m->memo[ti * (m->len + 1) + si];
    if (*memo)
        return *memo == 1;
    bool ok = false;
    if (ti == m->g->ntoks) {
        ok = si == m->len;
    } else {
        const struct tok *t = &m->g->toks[ti];
        switch (t->kind) {
        case TOK_CHAR:
        case TOK_CLASS: {
            size_t j = si;
            unsigned count = 0;
            while (count < t->min) {
                if (!one(m, t, j))
                    goto done;
                j++;
                count++;
            }
            for (;;) {
                if (match_at(m, ti + 1, j)) {
                    ok = true;
                    break;
                }
                if (count >= t->max || !one(m, t, j))
                    break;
                j++;
                count++;
            }
            break;
        }
        case TOK_QMARK:
            ok = si < m->len && m->s[si] != '/' && match_at(m, ti + 1, si + 1);
            break;
        case TOK_STAR:
            for (size_t j = si;; j++) {
                if (match_at(m, ti + 1, j)) {
                    ok = true;
                    break;
                }
                if (j >= m->len || m->s[j] == '/')
                    break;
            }
            break;
        case TOK_ANY:
            for (size_t j = si; j <= m->len && !ok; j++)
                ok = match_at(m, ti + 1, j);
            break;
        case TOK_DIRS:
            ok = match_at(m, ti + 1, si);
            for (size_t j = si + 1; j <= m->len && !ok; j++) {
                if (m->s[j - 1] == '/')
                    ok = match_at(m, ti + 1, j);
            }
            break;
        }
    }
done:
    *memo = ok ? 1 : 2;
    return ok;
}

bool glob_match(const struct glob *g, const char *s)
{
    struct matcher m = {.g = g, .s = (const unsigned char *)s, .len = strlen(s)};
    m.memo = xcalloc((g->ntoks + 1) * (m.len + 1), 1);
    bool ok = match_at(&m, 0, 0);
    xfree(m.memo);
    return ok;
}

bool glob_match_str(const char *pattern, const char *s, unsigned flags)
{
    struct glob *g = NULL;
    struct err err = ERR_INIT;
    if (glob_compile(&g, pattern, flags, &err) < 0)
        return false;
    bool ok = glob_match(g, s);
    glob_free(g);
    return ok;
}

bool glob_match_list(const char *const *patterns, size_t n, const char *s, unsigned flags)
{
    bool included = false;
    for (size_t i = 0; i < n; i++) {
        const char *p = patterns[i];
        bool negate = p[0] == '!';
        if (glob_match_str(negate ? p + 1 : p, s, flags))
            included = !negate;
    }
    return included;
}
