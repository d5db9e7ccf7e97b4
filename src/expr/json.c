/*
 * fromJSON()'s reader: JSON text (RFC 8259, as JavaScript's JSON.parse reads it) straight into
 * values in the evaluation's arena, in one pass and without a tree of its own. Duplicate keys
 * keep their first place and their last value, as in JavaScript; nesting is bounded.
 */
#include <string.h>

#include "expr/expr.h"
#include "expr/internal.h"
#include "util/json.h"

#define JSON_MAX_DEPTH 1000

struct jr {
    const char *s;
    size_t len;
    size_t i;
    struct arena *a;
    int depth;
};

/* The error at where the reader stopped. */
static int jr_fail(const struct jr *r, struct err *err)
{
    return json_error_at(err, r->s, r->len, r->i);
}

static void skip_ws(struct jr *r)
{
    while (r->i < r->len) {
        char c = r->s[r->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->i++;
    }
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * A string at r->i (on its opening quote) into *out. The decoded text is never longer than
 * the escaped one, so it is decoded into memory of the escaped length. A lone surrogate is
 * kept as its three-byte form, as JSON.parse keeps it.
 */
static int read_string(struct jr *r, struct str *out, struct err *err)
{
    size_t start = ++r->i;
    size_t k = start;
    bool escapes = false;
    for (;;) {
        if (k >= r->len) {
            r->i = k;
            return jr_fail(r, err);
        }
        unsigned char c = (unsigned char)r->s[k];
        if (c == '"')
            break;
        if (c < 0x20) {
            r->i = k;
            return jr_fail(r, err);
        }
        if (c == '\\') {
            escapes = true;
            k++;
        }
        k++;
    }
    size_t end = k; /* the closing quote */
    char *d = arena_alloc_raw(r->a, end - start + 1);
    size_t n = 0;
    if (!escapes) {
        memcpy(d, r->s + start, end - start);
        n = end - start;
    } else {
        for (size_t j = start; j < end;) {
            char c = r->s[j];
            if (c != '\\') {
                d[n++] = c;
                j++;
                continue;
            }
            char e = r->s[j + 1];
            j += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                d[n++] = e;
                break;
            case 'b':
                d[n++] = '\b';
                break;
            case 'f':
                d[n++] = '\f';
                break;
            case 'n':
                d[n++] = '\n';
                break;
            case 'r':
                d[n++] = '\r';
                break;
            case 't':
                d[n++] = '\t';
                break;
            case 'u': {
                unsigned cp = 0;
                if (j + 4 > end || hex4(r->s + j, &cp) < 0) {
                    r->i = j - 2;
                    return jr_fail(r, err);
                }
                j += 4;
                unsigned lo = 0;
                if (cp >= 0xD800 && cp < 0xDC00 && j + 6 <= end && r->s[j] == '\\' &&
                    r->s[j + 1] == 'u' && hex4(r->s + j + 2, &lo) == 0 && lo >= 0xDC00 &&
                    lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    j += 6;
                }
                n += put_utf8(d + n, cp);
                break;
            }
            default:
                r->i = j - 2;
                return jr_fail(r, err);
            }
        }
    }
    d[n] = '\0';
    *out = str_make(d, n);
    r->i = end + 1;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int read_number(struct jr *r, double *out, struct err *err)
{
    size_t k = r->i;
    const char *s = r->s;
    size_t len = r->len;
    if (k < len && s[k] == '-')
        k++;
    if (k < len && s[k] == '0') {
        k++;
    } else if (k < len && is_digit(s[k])) {
        while (k < len && is_digit(s[k]))
            k++;
    } else {
        r->i = k;
        return jr_fail(r, err);
    }
    if (k < len && s[k] == '.') {
        k++;
        if (k >= len || !is_digit(s[k])) {
            r->i = k;
            return jr_fail(r, err);
        }
        while (k < len && is_digit(s[k]))
            k++;
    }
    if (k < len && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < len && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k >= len || !is_digit(s[k])) {
            r->i = k;
            return jr_fail(r, err);
        }
        while (k < len && is_digit(s[k]))
            k++;
    }
    *out = val_parse_number(s + r->i, k - r->i);
    r->i = k;
    return 0;
}

static int read_value(struct jr *r, struct val *out, struct err *err);

static int read_container(struct jr *r, struct val *out, struct err *err)
{
    bool object = r->s[r->i] == '{';
    char close = object ? '}' : ']';
    if (++r->depth > JSON_MAX_DEPTH)
        return jr_fail(r, err);
    *out = object ? val_new_object(r->a) : val_new_array(r->a);
    r->i++;
    skip_ws(r);
    if (r->i < r->len && r->s[r->i] == close) {
        r->i++;
        r->depth--;
        return 0;
    }
    for (;;) {
        struct str key = {0};
        if (object) {
            if (r->i >= r->len || r->s[r->i] != '"')
                return jr_fail(r, err);
            int rc = read_string(r, &key, err);
            if (rc < 0)
                return rc;
            skip_ws(r);
            if (r->i >= r->len || r->s[r->i] != ':')
                return jr_fail(r, err);
            r->i++;
        }
        struct val v;
        int rc = read_value(r, &v, err);
        if (rc < 0)
            return rc;
        if (object)
            val_object_set(r->a, *out, key.p, key.len, v);
        else
            val_array_push(r->a, *out, v);
        skip_ws(r);
        if (r->i < r->len && r->s[r->i] == ',') {
            r->i++;
            skip_ws(r);
            continue;
        }
        if (r->i < r->len && r->s[r->i] == close) {
            r->i++;
            r->depth--;
            return 0;
        }
        return jr_fail(r, err);
    }
}

static bool literal(struct jr *r, const char *word, size_t n)
{
    if (r->len - r->i < n || memcmp(r->s + r->i, word, n) != 0)
        return false;
    r->i += n;
    return true;
}

static int read_value(struct jr *r, struct val *out, struct err *err)
{
    skip_ws(r);
    if (r->i >= r->len)
        return jr_fail(r, err);
    switch (r->s[r->i]) {
    case '{':
    case '[':
        return read_container(r, out, err);
    case '"': {
        struct str s;
        int rc = read_string(r, &s, err);
        if (rc == 0)
            *out = val_string_borrowed(s.p, s.len);
        return rc;
    }
    case 't':
        if (!literal(r, "true", 4))
            return jr_fail(r, err);
        *out = val_bool(true);
        return 0;
    case 'f':
        if (!literal(r, "false", 5))
            return jr_fail(r, err);
        *out = val_bool(false);
        return 0;
    case 'n':
        if (!literal(r, "null", 4))
            return jr_fail(r, err);
        *out = val_null();
        return 0;
    default: {
        double num = 0;
        int rc = read_number(r, &num, err);
        if (rc == 0)
            *out = val_number(num);
        return rc;
    }
    }
}

int expr_json_read(struct val *out, struct arena *a, const char *s, size_t len, struct err *err)
{
    struct jr r = {.s = s, .len = len, .a = a};
    struct val v;
    int rc = read_value(&r, &v, err);
    if (rc < 0)
        return rc;
    skip_ws(&r);
    if (r.i != r.len)
        return jr_fail(&r, err);
    *out = v;
    return 0;
}
