#include "expr/expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/internal.h"
#include "util/xalloc.h"

/* ---- construction -------------------------------------------------------------------------- */

struct val val_string(struct arena *a, const char *p, size_t len)
{
    return (struct val){.kind = VAL_STRING, .s = str_make(arena_strndup(a, p, len), len)};
}

struct val val_new_array(struct arena *a)
{
    struct val_array *arr = arena_alloc(a, sizeof(*arr));
    return (struct val){.kind = VAL_ARRAY, .arr = arr};
}

struct val val_new_object(struct arena *a)
{
    struct val_object *obj = arena_alloc(a, sizeof(*obj));
    return (struct val){.kind = VAL_OBJECT, .obj = obj};
}

void val_array_push(struct arena *a, struct val arr, struct val item)
{
    struct val_array *ar = arr.arr;
    if (arr.kind != VAL_ARRAY)
        BUG("val_array_push on a %s", val_kind_name(arr.kind));
    if (ar->len == ar->alloc) {
        size_t n = ar->alloc ? ar->alloc * 2 : 4;
        struct val *items = arena_alloc_raw(a, n * sizeof(*items));
        if (ar->len)
            memcpy(items, ar->items, ar->len * sizeof(*items));
        ar->items = items;
        ar->alloc = n;
    }
    ar->items[ar->len++] = item;
}

/* FNV-1a over the ASCII-lower-cased key. */
static uint32_t key_hash(const char *k, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint32_t)str_lower((unsigned char)k[i]);
        h *= 16777619u;
    }
    return h;
}

static bool key_eq(struct str a, const char *k, size_t len)
{
    if (a.len != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (str_lower((unsigned char)a.p[i]) != str_lower((unsigned char)k[i]))
            return false;
    }
    return true;
}

#define OBJ_INDEX_MIN 8 /* objects up to this size are searched linearly */

static void index_insert(struct val_object *o, size_t member)
{
    struct str k = o->members[member].key;
    size_t mask = o->index_size - 1;
    size_t slot = key_hash(k.p, k.len) & mask;
    while (o->index[slot])
        slot = (slot + 1) & mask;
    o->index[slot] = (uint32_t)member + 1;
}

static void index_rebuild(struct arena *a, struct val_object *o, size_t size)
{
    o->index = arena_alloc(a, size * sizeof(*o->index));
    o->index_size = size;
    for (size_t i = 0; i < o->len; i++)
        index_insert(o, i);
}

static long find_member(const struct val_object *o, const char *key, size_t keylen)
{
    if (!o->index_size) {
        for (size_t i = 0; i < o->len; i++) {
            if (key_eq(o->members[i].key, key, keylen))
                return (long)i;
        }
        return -1;
    }
    size_t mask = o->index_size - 1;
    size_t slot = key_hash(key, keylen) & mask;
    while (o->index[slot]) {
        size_t m = o->index[slot] - 1;
        if (key_eq(o->members[m].key, key, keylen))
            return (long)m;
        slot = (slot + 1) & mask;
    }
    return -1;
}

void val_object_set(struct arena *a, struct val obj, const char *key, size_t keylen, struct val v)
{
    struct val_object *o = obj.obj;
    if (obj.kind != VAL_OBJECT)
        BUG("val_object_set on a %s", val_kind_name(obj.kind));
    long at = find_member(o, key, keylen);
    if (at >= 0) {
        o->members[at].value = v;
        return;
    }
    if (o->len == o->alloc) {
        size_t n = o->alloc ? o->alloc * 2 : 4;
        struct val_member *m = arena_alloc_raw(a, n * sizeof(*m));
        if (o->len)
            memcpy(m, o->members, o->len * sizeof(*m));
        o->members = m;
        o->alloc = n;
    }
    o->members[o->len].key = str_make(arena_strndup(a, key, keylen), keylen);
    o->members[o->len].value = v;
    o->len++;
    if (o->len > OBJ_INDEX_MIN) {
        if (o->len * 2 > o->index_size)
            index_rebuild(a, o, o->index_size ? o->index_size * 2 : 32);
        else
            index_insert(o, o->len - 1);
    }
}

const struct val *val_object_find(const struct val_object *obj, const char *key, size_t keylen)
{
    long at = find_member(obj, key, keylen);
    return at < 0 ? NULL : &obj->members[at].value;
}

const char *val_kind_name(enum val_kind kind)
{
    switch (kind) {
    case VAL_NULL:
        return "Null";
    case VAL_BOOL:
        return "Boolean";
    case VAL_NUMBER:
        return "Number";
    case VAL_STRING:
        return "String";
    case VAL_ARRAY:
        return "Array";
    case VAL_OBJECT:
        return "Object";
    }
    return "Unknown";
}

/* ---- conversions --------------------------------------------------------------------------- */

bool val_is_truthy(const struct val *v)
{
    switch (v->kind) {
    case VAL_NULL:
        return false;
    case VAL_BOOL:
        return v->b;
    case VAL_NUMBER:
        return !(v->num == 0 || isnan(v->num));
    case VAL_STRING:
        return v->s.len > 0;
    case VAL_ARRAY:
    case VAL_OBJECT:
        return true;
    }
    return false;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/*
 * The evaluator's string-to-number rule (C# ExpressionUtility.ParseNumber, which the TypeScript
 * engine matches with JavaScript's Number()): trimmed; '' is 0; a decimal with optional sign,
 * point and exponent; 0x hex and 0o octal without a sign; [+-]Infinity; otherwise NaN.
 */
double val_parse_number(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_space((unsigned char)s[i]))
        i++;
    while (len > i && is_space((unsigned char)s[len - 1]))
        len--;
    if (i == len)
        return 0;
    const char *p = s + i;
    size_t n = len - i;
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'o')) {
        int base = p[1] == 'x' ? 16 : 8;
        double v = 0;
        for (size_t j = 2; j < n; j++) {
            int d = digit_value((unsigned char)p[j]);
            if (d >= base)
                return NAN;
            v = v * base + d;
        }
        return v;
    }
    size_t j = 0;
    bool neg = false;
    if (p[j] == '+' || p[j] == '-') {
        neg = p[j] == '-';
        j++;
    }
    if (n - j == 8 && memcmp(p + j, "Infinity", 8) == 0)
        return neg ? -INFINITY : INFINITY;
    /* Validate the decimal grammar before strtod, which accepts more (hex floats, nan, inf). */
    size_t k = j;
    size_t digits = 0;
    while (k < n && p[k] >= '0' && p[k] <= '9') {
        k++;
        digits++;
    }
    if (k < n && p[k] == '.') {
        k++;
        while (k < n && p[k] >= '0' && p[k] <= '9') {
            k++;
            digits++;
        }
    }
    if (!digits)
        return NAN;
    if (k < n && (p[k] == 'e' || p[k] == 'E')) {
        k++;
        if (k < n && (p[k] == '+' || p[k] == '-'))
            k++;
        size_t ed = 0;
        while (k < n && p[k] >= '0' && p[k] <= '9') {
            k++;
            ed++;
        }
        if (!ed)
            return NAN;
    }
    if (k != n)
        return NAN;
    /*
     * Clinger's fast path: with at most 15 significant digits m and a decimal exponent e of at
     * most 22, m and 10^e are exact doubles and one multiplication or division rounds
     * correctly, as strtod would.
     */
    if (digits <= 15) {
        static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        double m = 0;
        long e = 0;
        size_t d = j;
        for (; d < n && p[d] >= '0' && p[d] <= '9'; d++)
            m = m * 10 + (p[d] - '0');
        if (d < n && p[d] == '.') {
            for (d++; d < n && p[d] >= '0' && p[d] <= '9'; d++) {
                m = m * 10 + (p[d] - '0');
                e--;
            }
        }
        if (d < n) { /* the exponent part, validated above */
            d++;
            bool eneg = p[d] == '-';
            if (p[d] == '+' || p[d] == '-')
                d++;
            long x = 0;
            for (; d < n && x < 10000; d++)
                x = x * 10 + (p[d] - '0');
            e += eneg ? -x : x;
        }
        if (e >= -22 && e <= 22) {
            double v = e >= 0 ? m * pow10[e] : m / pow10[-e];
            return neg ? -v : v;
        }
    }
    char small[64];
    char *buf = n < sizeof(small) ? small : xmalloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (buf != small)
        xfree(buf);
    return v;
}

double val_to_number(const struct val *v)
{
    switch (v->kind) {
    case VAL_NULL:
        return 0;
    case VAL_BOOL:
        return v->b ? 1 : 0;
    case VAL_NUMBER:
        return v->num;
    case VAL_STRING:
        return val_parse_number(v->s.p, v->s.len);
    case VAL_ARRAY:
    case VAL_OBJECT:
        return NAN;
    }
    return NAN;
}

/*
 * Writes num in fixed notation when a decimal of at most 15 significant digits reads back as
 * num; returns its length, or 0 to leave num to printf. Such a decimal is what "G15" (and the
 * shortest round trip) prints: num lies within half an ulp of it, far less than half a step of
 * the 15-digit grid, so rounding num to 15 digits gives it back. Numbers below 1e-4 are left
 * to printf, which decides between fixed and scientific notation.
 */
static size_t short_decimal(double num, char buf[VAL_NUMBER_CHARS])
{
    static const double pow10[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                   1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
    double mag = fabs(num);
    if (!(mag >= 1e-4 && mag < 1e15))
        return 0;
    for (size_t k = 1; k < sizeof(pow10) / sizeof(pow10[0]); k++) {
        double scaled = mag * pow10[k];
        if (scaled >= 1e15)
            return 0;
        if (scaled != floor(scaled) || scaled / pow10[k] != mag)
            continue;
        /* digits of the integer scaled, with the point k digits from the right */
        char digits[24];
        size_t nd = 0;
        unsigned long long u = (unsigned long long)scaled;
        for (; u || nd <= k; u /= 10)
            digits[nd++] = (char)('0' + u % 10);
        size_t n = 0;
        if (num < 0)
            buf[n++] = '-';
        while (nd > k)
            buf[n++] = digits[--nd];
        buf[n++] = '.';
        while (nd)
            buf[n++] = digits[--nd];
        while (buf[n - 1] == '0') /* not expected (k is the smallest that works), but cheap */
            n--;
        if (buf[n - 1] == '.')
            n--;
        return n;
    }
    return 0;
}

/*
 * C#'s "G15": at most 15 significant digits, trailing zeros dropped, scientific notation when
 * the exponent is below -5 or at least 15, written "E+17"/"E-07" (two exponent digits at least).
 * printf's %.15G follows the same rules; only the special values and -0 need care.
 */
size_t expr_integer_chars(char buf[24], double num)
{
    /* by hand: printf costs more than the rest of writing a small value */
    char tmp[24];
    size_t i = sizeof(tmp);
    unsigned long long u = (unsigned long long)fabs(num);
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (num < 0)
        tmp[--i] = '-';
    memcpy(buf, tmp + i, sizeof(tmp) - i);
    return sizeof(tmp) - i;
}

size_t val_number_to_chars(char buf[VAL_NUMBER_CHARS], double num)
{
    if (isnan(num)) {
        memcpy(buf, "NaN", 3);
        return 3;
    }
    if (isinf(num)) {
        memcpy(buf, num < 0 ? "-Infinity" : "Infinity", num < 0 ? 9 : 8);
        return num < 0 ? 9 : 8;
    }
    if (num == 0) {
        buf[0] = '0';
        return 1;
    }
    if (fabs(num) < 1e15 && num == floor(num)) {
        return expr_integer_chars(buf, num);
    }
    size_t n = short_decimal(num, buf);
    if (n)
        return n;
    int len = snprintf(buf, VAL_NUMBER_CHARS, "%.15G", num);
    return len > 0 ? (size_t)len : 0;
}

void val_number_to_sbuf(struct sbuf *out, double num)
{
    char buf[VAL_NUMBER_CHARS];
    sbuf_add(out, buf, val_number_to_chars(buf, num));
}

void val_to_sbuf(struct sbuf *out, const struct val *v)
{
    switch (v->kind) {
    case VAL_NULL:
        return;
    case VAL_BOOL:
        sbuf_addstr(out, v->b ? "true" : "false");
        return;
    case VAL_NUMBER:
        val_number_to_sbuf(out, v->num);
        return;
    case VAL_STRING:
        sbuf_add(out, v->s.p, v->s.len);
        return;
    case VAL_ARRAY:
        sbuf_addstr(out, "Array");
        return;
    case VAL_OBJECT:
        sbuf_addstr(out, "Object");
        return;
    }
}

/* ---- comparison ---------------------------------------------------------------------------- */

/*
 * Loose comparison (languageservices result.ts coerceTypes): values of different kinds are
 * coerced: number vs string compares numbers, null and booleans become numbers, arrays and
 * objects are never coerced. Returns false when the kinds still differ.
 */
static bool coerce(struct val *l, struct val *r)
{
    for (;;) {
        if (l->kind == r->kind)
            return true;
        if (l->kind == VAL_NUMBER && r->kind == VAL_STRING) {
            *r = val_number(val_to_number(r));
            return true;
        }
        if (l->kind == VAL_STRING && r->kind == VAL_NUMBER) {
            *l = val_number(val_to_number(l));
            return true;
        }
        if (l->kind == VAL_NULL || l->kind == VAL_BOOL) {
            *l = val_number(val_to_number(l));
            continue;
        }
        if (r->kind == VAL_NULL || r->kind == VAL_BOOL) {
            *r = val_number(val_to_number(r));
            continue;
        }
        return false;
    }
}

bool val_equals(const struct val *a, const struct val *b)
{
    struct val l = *a;
    struct val r = *b;
    if (!coerce(&l, &r))
        return false;
    switch (l.kind) {
    case VAL_NULL:
        return true;
    case VAL_NUMBER:
        return l.num == r.num; /* false for NaN */
    case VAL_STRING:
        return expr_casecmp(l.s, r.s) == 0;
    case VAL_BOOL:
        return l.b == r.b;
    case VAL_ARRAY:
        return l.arr == r.arr;
    case VAL_OBJECT:
        return l.obj == r.obj;
    }
    return false;
}

/* sign of a compared to b, or 2 when they do not order (NaN, containers, mixed kinds) */
static int order(const struct val *a, const struct val *b)
{
    struct val l = *a;
    struct val r = *b;
    if (!coerce(&l, &r))
        return 2;
    switch (l.kind) {
    case VAL_NUMBER:
        if (isnan(l.num) || isnan(r.num))
            return 2;
        return l.num < r.num ? -1 : l.num > r.num ? 1 : 0;
    case VAL_STRING: {
        int c = expr_casecmp(l.s, r.s);
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case VAL_BOOL:
        return (int)l.b - (int)r.b;
    default:
        return 2;
    }
}

bool val_less(const struct val *a, const struct val *b)
{
    return order(a, b) == -1;
}

bool val_greater(const struct val *a, const struct val *b)
{
    return order(a, b) == 1;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

struct val val_from_json(struct arena *a, const cJSON *j)
{
    if (cJSON_IsNull(j) || !j)
        return val_null();
    if (cJSON_IsBool(j))
        return val_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j))
        return val_number(j->valuedouble);
    if (cJSON_IsString(j))
        return val_string(a, j->valuestring, strlen(j->valuestring));
    if (cJSON_IsArray(j)) {
        struct val arr = val_new_array(a);
        for (const cJSON *c = j->child; c; c = c->next)
            val_array_push(a, arr, val_from_json(a, c));
        return arr;
    }
    if (cJSON_IsObject(j)) {
        struct val obj = val_new_object(a);
        for (const cJSON *c = j->child; c; c = c->next) {
            const char *k = c->string ? c->string : "";
            val_object_set(a, obj, k, strlen(k), val_from_json(a, c));
        }
        return obj;
    }
    return val_null();
}

cJSON *val_to_json(const struct val *v)
{
    switch (v->kind) {
    case VAL_NULL:
        return cJSON_CreateNull();
    case VAL_BOOL:
        return cJSON_CreateBool(v->b);
    case VAL_NUMBER:
        return cJSON_CreateNumber(v->num);
    case VAL_STRING: {
        /* cJSON strings are NUL-terminated; an embedded NUL cuts the copy there. */
        return cJSON_CreateString(v->s.p);
    }
    case VAL_ARRAY: {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < v->arr->len; i++)
            cJSON_AddItemToArray(a, val_to_json(&v->arr->items[i]));
        return a;
    }
    case VAL_OBJECT: {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < v->obj->len; i++) {
            const struct val_member *m = &v->obj->members[i];
            cJSON_AddItemToObject(o, m->key.p, val_to_json(&m->value));
        }
        return o;
    }
    }
    return cJSON_CreateNull();
}

/*
 * The JSON writer: one pass into a buffer that starts as the caller's and moves to the heap
 * when it fills. Past `limit` bytes it stops keeping them and only counts (toJSON() is then
 * refused by the memory limit, whatever the value's size).
 */
struct jw {
    char *buf;  /* NULL once past the limit */
    size_t n;   /* bytes written (or counted) so far */
    size_t cap; /* bytes buf holds */
    char *heap; /* buf when it is on the heap */
    size_t limit;
};

/* Makes room for k more bytes, or drops the buffer when that would pass the limit. */
static __attribute__((noinline)) void jw_grow(struct jw *w, size_t k)
{
    if (!w->buf)
        return;
    if (w->n + k > w->limit) {
        xfree(w->heap);
        w->heap = w->buf = NULL;
        w->cap = 0;
        return;
    }
    size_t cap = w->cap * 2 > w->n + k ? w->cap * 2 : w->n + k + 256;
    if (cap > w->limit)
        cap = w->limit;
    if (w->heap) {
        w->heap = xrealloc(w->heap, cap);
    } else {
        w->heap = xmalloc(cap);
        memcpy(w->heap, w->buf, w->n);
    }
    w->buf = w->heap;
    w->cap = cap;
}

static inline void jw_put(struct jw *w, const char *p, size_t k)
{
    if (w->n + k > w->cap) {
        jw_grow(w, k);
        if (!w->buf) {
            w->n += k;
            return;
        }
    }
    memcpy(w->buf + w->n, p, k);
    w->n += k;
}

static inline void jw_ch(struct jw *w, char c)
{
    if (w->n + 1 > w->cap) {
        jw_grow(w, 1);
        if (!w->buf) {
            w->n++;
            return;
        }
    }
    w->buf[w->n++] = c;
}

/*
 * Numbers in toJSON(): integral values as integers (the runner writes them as Int64), others
 * in the shortest form that reads back to the same double.
 */
static void json_number(struct jw *w, double num)
{
    char buf[40];
    int len = 0;
    if (isnan(num)) {
        jw_put(w, "NaN", 3);
        return;
    }
    if (isinf(num)) {
        if (num < 0)
            jw_put(w, "-Infinity", 9);
        else
            jw_put(w, "Infinity", 8);
        return;
    }
    if (num == 0) {
        jw_ch(w, '0');
        return;
    }
    if (num == floor(num) && fabs(num) < 9.2e18) {
        jw_put(w, buf, expr_integer_chars(buf, num));
        return;
    }
    if ((len = (int)short_decimal(num, buf)) == 0) {
        for (int prec = 15; prec <= 17; prec++) {
            len = snprintf(buf, sizeof(buf), "%.*G", prec, num);
            if (strtod(buf, NULL) == num)
                break;
        }
    }
    jw_put(w, buf, (size_t)len);
}

static void json_indent(struct jw *w, bool pretty, size_t depth)
{
    static const char spaces[] = "                                                                ";
    if (!pretty)
        return;
    jw_ch(w, '\n');
    size_t k = depth * 2;
    while (k) {
        size_t step = k < sizeof(spaces) - 1 ? k : sizeof(spaces) - 1;
        jw_put(w, spaces, step);
        k -= step;
    }
}

/* True when one of the 8 bytes in x is below 0x20, '"' or '\\' (bit tricks on a word). */
static inline bool word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"');
    uint64_t b = x ^ (ones * '\\');
    uint64_t below = (x - ones * 0x20) & ~x;
    uint64_t quote = (q - ones) & ~q;
    uint64_t slash = (b - ones) & ~b;
    return ((below | quote | slash) & highs) != 0;
}

static inline bool byte_needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* A JSON string: runs of characters that need no escape go in one piece. */
static void json_string(struct jw *w, struct str s)
{
    static const char hex[] = "0123456789abcdef";
    jw_ch(w, '"');
    size_t run = 0;
    size_t i = 0;
    while (i < s.len) {
        /* Skip whole words that need no escape, then at most one word byte by byte. */
        uint64_t x;
        while (i + 8 <= s.len && (memcpy(&x, s.p + i, 8), !word_needs_escape(x)))
            i += 8;
        size_t stop = i + 8 < s.len ? i + 8 : s.len;
        while (i < stop && !byte_needs_escape((unsigned char)s.p[i]))
            i++;
        if (i == stop)
            continue;
        unsigned char c = (unsigned char)s.p[i];
        jw_put(w, s.p + run, i - run);
        run = i + 1;
        i++;
        char esc = c == '"'    ? '"'
                   : c == '\\' ? '\\'
                   : c == '\n' ? 'n'
                   : c == '\r' ? 'r'
                   : c == '\t' ? 't'
                   : c == '\b' ? 'b'
                   : c == '\f' ? 'f'
                               : 0;
        if (esc) {
            char e[2] = {'\\', esc};
            jw_put(w, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jw_put(w, e, 6);
        }
    }
    jw_put(w, s.p + run, s.len - run);
    jw_ch(w, '"');
}

static void json_write(struct jw *w, const struct val *v, bool pretty, size_t depth)
{
    switch (v->kind) {
    case VAL_NULL:
        jw_put(w, "null", 4);
        return;
    case VAL_BOOL:
        if (v->b)
            jw_put(w, "true", 4);
        else
            jw_put(w, "false", 5);
        return;
    case VAL_NUMBER:
        json_number(w, v->num);
        return;
    case VAL_STRING:
        json_string(w, v->s);
        return;
    case VAL_ARRAY:
        if (!v->arr->len) {
            jw_put(w, "[]", 2);
            return;
        }
        jw_ch(w, '[');
        for (size_t i = 0; i < v->arr->len; i++) {
            if (i)
                jw_ch(w, ',');
            json_indent(w, pretty, depth + 1);
            json_write(w, &v->arr->items[i], pretty, depth + 1);
        }
        json_indent(w, pretty, depth);
        jw_ch(w, ']');
        return;
    case VAL_OBJECT:
        if (!v->obj->len) {
            jw_put(w, "{}", 2);
            return;
        }
        jw_ch(w, '{');
        for (size_t i = 0; i < v->obj->len; i++) {
            const struct val_member *m = &v->obj->members[i];
            if (i)
                jw_ch(w, ',');
            json_indent(w, pretty, depth + 1);
            json_string(w, m->key);
            if (pretty)
                jw_put(w, ": ", 2);
            else
                jw_ch(w, ':');
            json_write(w, &m->value, pretty, depth + 1);
        }
        json_indent(w, pretty, depth);
        jw_ch(w, '}');
        return;
    }
}

void expr_json_render(struct expr_json *j, const struct val *v, bool pretty, size_t limit)
{
    struct jw w = {.buf = j->stack, .cap = sizeof(j->stack), .limit = limit};
    json_write(&w, v, pretty, 0);
    j->p = w.buf;
    j->len = w.n;
    j->heap = w.heap;
}

void expr_json_done(struct expr_json *j)
{
    xfree(j->heap);
    j->heap = NULL;
}

void val_to_json_sbuf(struct sbuf *out, const struct val *v, bool pretty)
{
    struct expr_json j;
    expr_json_render(&j, v, pretty, SIZE_MAX);
    sbuf_add(out, j.p, j.len);
    expr_json_done(&j);
}

struct val val_copy(struct arena *a, const struct val *v)
{
    switch (v->kind) {
    case VAL_STRING:
        return val_string(a, v->s.p, v->s.len);
    case VAL_ARRAY: {
        struct val arr = val_new_array(a);
        for (size_t i = 0; i < v->arr->len; i++)
            val_array_push(a, arr, val_copy(a, &v->arr->items[i]));
        return arr;
    }
    case VAL_OBJECT: {
        struct val obj = val_new_object(a);
        for (size_t i = 0; i < v->obj->len; i++) {
            const struct val_member *m = &v->obj->members[i];
            val_object_set(a, obj, m->key.p, m->key.len, val_copy(a, &m->value));
        }
        return obj;
    }
    default:
        return *v;
    }
}
