#include "run/mask.h"

#include <ctype.h>
#include <string.h>

#include "util/base64.h"
#include "util/map.h"
#include "util/xalloc.h"

/* Below this many characters a trimmed (unpadded, partial) base64 form matches too often. */
#define MIN_TRIMMED_BASE64 6

struct pattern {
    char *bytes; /* owned */
    size_t len;
};

struct run_masker {
    struct vec patterns; /* struct pattern */
    struct map seen;     /* pattern bytes -> (void *)1, to skip duplicates */
    size_t min_len;      /* shortest pattern */
    size_t max_len;      /* longest pattern */
    /* The index, rebuilt lazily after additions. */
    int is_dirty;
    size_t key_len; /* bytes hashed at each checked position: min(KEY_MAX, min_len) */
    uint64_t key_mask;
    unsigned bits;           /* log2 of the filter and bucket table sizes */
    uint64_t *filter;        /* 1 << bits bits */
    size_t stride;           /* positions checked: every stride-th stream offset (see scan) */
    uint32_t *heads;         /* 1 << bits bucket heads: entry index + 1, 0 for none */
    uint32_t *next;          /* per entry: next in its bucket, + 1 */
    uint32_t *entry_pattern; /* per entry: the pattern */
    uint32_t *entry_offset;  /* per entry: where in the pattern its key starts */
};

void run_masker_new(struct run_masker **out)
{
    struct run_masker *m = xcalloc(1, sizeof(*m));
    m->patterns = VEC_INIT(struct pattern);
    m->seen = MAP_INIT;
    *out = m;
}

void run_masker_free(struct run_masker *m)
{
    if (!m)
        return;
    vec_foreach (struct pattern, p, &m->patterns)
        xfree(p->bytes);
    vec_release(&m->patterns);
    map_release(&m->seen, NULL);
    xfree(m->filter);
    xfree(m->heads);
    xfree(m->next);
    xfree(m->entry_pattern);
    xfree(m->entry_offset);
    xfree(m);
}

size_t run_masker_count(const struct run_masker *m)
{
    return m->patterns.len;
}

void run_masker_add_literal(struct run_masker *m, const char *value, size_t len)
{
    if (len == 0 || memchr(value, '\0', len))
        return; /* a NUL cannot be in an environment value; the map needs C strings */
    if (map_find_entry(&m->seen, value, len))
        return;
    map_set_n(&m->seen, value, len, (void *)1);
    struct pattern *p = vec_push(&m->patterns);
    p->bytes = xmemdup(value, len);
    p->len = len;
    if (m->patterns.len == 1 || len < m->min_len)
        m->min_len = len;
    if (len > m->max_len)
        m->max_len = len;
    m->is_dirty = 1;
}

/* ------------------------------------------------------------------- encoders ---- */

static void add_sb(struct run_masker *m, struct sbuf *sb)
{
    run_masker_add_literal(m, sb->buf, sb->len);
    sbuf_reset(sb);
}

/* The base64 forms of value shifted by 0, 1 and 2 bytes (GitHub's Base64StringEscapeShift). */
static void add_base64_forms(struct run_masker *m, const char *value, size_t len)
{
    struct sbuf sb = SBUF_INIT;
    for (size_t shift = 0; shift < 3; shift++) {
        const unsigned char *p = (const unsigned char *)value;
        size_t n = len;
        if (len > shift) { /* as GitHub: too short to shift means the unshifted form */
            p += shift;
            n -= shift;
        }
        for (int url = 0; url < 2; url++) {
            base64_encode(&sb, p, n);
            for (size_t i = 0; url && i < sb.len; i++) { /* the URL-safe alphabet */
                if (sb.buf[i] == '+')
                    sb.buf[i] = '-';
                else if (sb.buf[i] == '/')
                    sb.buf[i] = '_';
            }
            run_masker_add_literal(m, sb.buf, sb.len);
            /* Inside a longer base64 text the last character of a partial group depends on
               the bytes that follow: register the unpadded form without it as well. */
            size_t trimmed = sb.len;
            while (trimmed && sb.buf[trimmed - 1] == '=')
                trimmed--;
            if (n % 3)
                trimmed--;
            sbuf_setlen(&sb, trimmed);
            if (sb.len >= MIN_TRIMMED_BASE64)
                run_masker_add_literal(m, sb.buf, sb.len);
            sbuf_reset(&sb);
        }
    }
    sbuf_release(&sb);
}

/* Uri.EscapeDataString: RFC 3986 unreserved characters stay, every other byte is %XX. */
static void uri_escape(struct sbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            sbuf_addch(out, c);
        else
            sbuf_addf(out, "%%%02X", c);
    }
}

/* Replaces every c in s with rep. */
static void replace_char(struct sbuf *out, const char *s, size_t n, char c, const char *rep)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == c)
            sbuf_addstr(out, rep);
        else
            sbuf_addch(out, s[i]);
    }
}

static void add_with_encodings(struct run_masker *m, const char *v, size_t n)
{
    struct sbuf sb = SBUF_INIT;
    run_masker_add_literal(m, v, n);
    add_base64_forms(m, v, n);
    replace_char(&sb, v, n, '"', "\\\"");
    add_sb(m, &sb);
    replace_char(&sb, v, n, '\'', "''");
    add_sb(m, &sb);
    sbuf_add_json_escaped(&sb, v, n); /* Newtonsoft's JsonConvert.ToString, unquoted */
    add_sb(m, &sb);
    uri_escape(&sb, v, n);
    add_sb(m, &sb);
    sbuf_add_xml_escaped(&sb, v, n); /* SecurityElement.Escape */
    add_sb(m, &sb);
    if (n > 8 && v[0] == '"' && v[n - 1] == '"')
        run_masker_add_literal(m, v + 1, n - 2);
    sbuf_release(&sb);
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isspace((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

void run_masker_add(struct run_masker *m, const char *value, size_t len)
{
    if (is_blank(value, len))
        return;
    add_with_encodings(m, value, len);
    if (!memchr(value, '\n', len) && !memchr(value, '\r', len))
        return;
    /* Each line on its own, trimmed, as the runner splits on CR and LF. */
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && value[j] != '\n' && value[j] != '\r')
            j++;
        size_t a = i, b = j;
        while (a < b && isspace((unsigned char)value[a]))
            a++;
        while (b > a && isspace((unsigned char)value[b - 1]))
            b--;
        if (b > a)
            add_with_encodings(m, value + a, b - a);
        i = j + 1;
    }
}

/* ---------------------------------------------------------------------- index ---- */

static inline uint64_t load_key(const char *p, uint64_t mask)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w & mask;
}

static inline uint32_t key_hash(uint64_t key, unsigned bits)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/*
 * Sampling: every pattern is at least min_len bytes long, so any occurrence covers stride =
 * min_len - key_len + 1 consecutive positions at which a whole key fits inside it. Checking
 * only the stream offsets that are multiples of stride therefore meets every occurrence once,
 * at some offset o < stride into the pattern; the index holds each pattern's key at every such
 * offset. This divides the per-byte work by the stride (13 for 16-byte secrets).
 */
#define MAX_STRIDE 16
/* Bytes hashed per checked position. 4 rather than 8: a longer stride (min_len - 3) saves more
   than the shorter key costs in filter hits (measured with bench/mask). */
#define KEY_MAX 4

static void build_index(struct run_masker *m)
{
    size_t n = m->patterns.len;
    m->key_len = m->min_len < KEY_MAX ? m->min_len : KEY_MAX;
    m->key_mask = m->key_len == 8 ? ~0ull : ((1ull << (8 * m->key_len)) - 1);
    m->stride = m->min_len - m->key_len + 1;
    if (m->stride > MAX_STRIDE)
        m->stride = MAX_STRIDE;
    size_t entries = n * m->stride;
    unsigned bits = 12;
    while (bits < 23 && ((size_t)1 << bits) < entries * 32)
        bits++;
    m->bits = bits;
    size_t slots = (size_t)1 << bits;
    xfree(m->filter);
    xfree(m->heads);
    xfree(m->next);
    xfree(m->entry_pattern);
    xfree(m->entry_offset);
    m->filter = xcalloc(slots / 64, sizeof(uint64_t));
    m->heads = xcalloc(slots, sizeof(uint32_t));
    m->next = xcalloc(entries ? entries : 1, sizeof(uint32_t));
    m->entry_pattern = xcalloc(entries ? entries : 1, sizeof(uint32_t));
    m->entry_offset = xcalloc(entries ? entries : 1, sizeof(uint32_t));
    char key[8];
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pattern *p = vec_at(&m->patterns, i);
        for (size_t o = 0; o < m->stride; o++, e++) {
            memset(key, 0, sizeof(key));
            memcpy(key, p->bytes + o, m->key_len);
            uint32_t h = key_hash(load_key(key, m->key_mask), bits);
            m->filter[h >> 6] |= 1ull << (h & 63);
            m->entry_pattern[e] = (uint32_t)i;
            m->entry_offset[e] = (uint32_t)o;
            m->next[e] = m->heads[h];
            m->heads[h] = (uint32_t)e + 1;
        }
    }
    m->is_dirty = 0;
}

/* ---------------------------------------------------------------------- streams ---- */

void run_mask_stream_init(struct run_mask_stream *s, struct run_masker *m, run_write_fn write,
                          void *payload)
{
    memset(s, 0, sizeof(*s));
    s->masker = m;
    s->write = write;
    s->payload = payload;
    s->pending = SBUF_INIT;
    s->ranges = VEC_INIT(struct run_mask_range);
}

void run_mask_stream_release(struct run_mask_stream *s)
{
    sbuf_release(&s->pending);
    vec_release(&s->ranges);
}

/* Records a match [start, end), merging with what it overlaps or touches. */
static void add_range(struct run_mask_stream *s, uint64_t start, uint64_t end)
{
    if (s->has_mask && start <= s->mask_end) {
        /* It continues the "***" already written. */
        if (end > s->mask_end)
            s->mask_end = end;
        return;
    }
    struct vec *v = &s->ranges;
    /* Ranges are sorted and disjoint; a new one may swallow several at the end. */
    size_t i = v->len;
    while (i > 0) {
        struct run_mask_range *r = vec_at(v, i - 1);
        if (r->end < start)
            break;
        if (r->start > end) {
            i--;
            continue;
        }
        if (r->start < start)
            start = r->start;
        if (r->end > end)
            end = r->end;
        vec_remove(v, i - 1);
        i--;
    }
    /* Insert at the sorted position i. */
    vec_push(v);
    struct run_mask_range *items = v->items;
    memmove(items + i + 1, items + i, (v->len - 1 - i) * sizeof(*items));
    items[i] = (struct run_mask_range){start, end};
}

/* Finds the matches that start at stream offsets [s->scanned, limit). */
static void scan(struct run_mask_stream *s, uint64_t limit)
{
    struct run_masker *m = s->masker;
    if (m->is_dirty)
        build_index(m);
    if (!m->patterns.len || limit <= s->scanned) {
        if (limit > s->scanned)
            s->scanned = limit;
        return;
    }
    const char *buf = s->pending.buf;
    const uint64_t base = s->base;
    const uint64_t end = base + s->pending.len;
    const uint64_t stride = m->stride;
    /* A start p is met at q = p rounded up to a multiple of stride (see build_index). */
    uint64_t q = (s->scanned + stride - 1) / stride * stride;
    uint64_t q_last = (limit - 1 + stride - 1) / stride * stride;
    if (end < m->key_len)
        q_last = 0, q = 1;
    else if (q_last > end - m->key_len)
        q_last = end - m->key_len;
    const uint64_t *filter = m->filter;
    const uint64_t mask = m->key_mask;
    const unsigned bits = m->bits;
    for (; q <= q_last; q += stride) {
        uint32_t h = key_hash(load_key(buf + (q - base), mask), bits);
        if (!((filter[h >> 6] >> (h & 63)) & 1))
            continue;
        for (uint32_t e = m->heads[h]; e; e = m->next[e - 1]) {
            uint64_t o = m->entry_offset[e - 1];
            if (q < s->scanned + o)
                continue;
            uint64_t p = q - o;
            if (p < s->scanned || p >= limit)
                continue;
            const struct pattern *pat = vec_at(&m->patterns, m->entry_pattern[e - 1]);
            if (p + pat->len <= end && !memcmp(buf + (p - base), pat->bytes, pat->len))
                add_range(s, p, p + pat->len);
        }
    }
    s->scanned = limit;
}

/* Writes out the decided bytes before stream offset upto, straight from the pending buffer. */
static void emit(struct run_mask_stream *s, uint64_t upto)
{
    uint64_t pos = s->emitted;
    while (pos < upto) {
        if (s->has_mask && pos < s->mask_end) {
            pos = s->mask_end;
            continue;
        }
        if (s->ranges.len) {
            struct run_mask_range *r = vec_at(&s->ranges, 0);
            if (r->start <= pos) {
                int continues = s->has_mask && r->start <= s->mask_end;
                if (!continues) {
                    s->write("***", 3, s->payload);
                    s->mask_end = r->end;
                } else if (r->end > s->mask_end) {
                    s->mask_end = r->end;
                }
                s->has_mask = 1;
                vec_remove(&s->ranges, 0);
                continue;
            }
        }
        uint64_t next = upto;
        if (s->ranges.len) {
            struct run_mask_range *r = vec_at(&s->ranges, 0);
            if (r->start < next)
                next = r->start;
        }
        s->write(s->pending.buf + (pos - s->base), (size_t)(next - pos), s->payload);
        pos = next;
    }
    s->emitted = pos;
    /* Drop what is both written and scanned. */
    uint64_t keep = s->emitted < s->scanned ? s->emitted : s->scanned;
    size_t drop = (size_t)(keep - s->base);
    if (drop > s->pending.len)
        drop = s->pending.len;
    if (drop) {
        memmove(s->pending.buf, s->pending.buf + drop, s->pending.len - drop);
        sbuf_setlen(&s->pending, s->pending.len - drop);
        s->base += drop;
    }
}

void run_mask_stream_write(struct run_mask_stream *s, const char *data, size_t len)
{
    if (!len)
        return;
    /* 8 bytes of slack so the scanner can always load a whole word. */
    sbuf_grow(&s->pending, len + 8);
    sbuf_add(&s->pending, data, len);
    memset(s->pending.buf + s->pending.len, 0, 8);
    uint64_t end = s->base + s->pending.len;
    size_t hold = s->masker->max_len ? s->masker->max_len - 1 : 0;
    uint64_t limit = end > hold ? end - hold : 0;
    if (limit > s->scanned)
        scan(s, limit);
    /*
     * Complete lines are not held back, so a live log shows each line as soon as it is written.
     * A match cannot span the newline unless the pattern holds one, and a multi-line secret's
     * lines are registered on their own: masking stays line by line, as GitHub's runner masks.
     */
    size_t from = (size_t)(s->scanned - s->base);
    if (from < s->pending.len) {
        const char *nl = memrchr(s->pending.buf + from, '\n', s->pending.len - from);
        if (nl)
            scan(s, s->base + (uint64_t)(nl - s->pending.buf) + 1);
    }
    emit(s, s->scanned);
}

void run_mask_stream_finish(struct run_mask_stream *s)
{
    uint64_t end = s->base + s->pending.len;
    sbuf_grow(&s->pending, 8);
    memset(s->pending.buf + s->pending.len, 0, 8);
    scan(s, end);
    emit(s, end);
    /* Reset the stream state so that a finished stream can be reused. */
    s->has_mask = 0;
    vec_clear(&s->ranges);
}

static void to_sbuf(const char *data, size_t len, void *payload)
{
    sbuf_add(payload, data, len);
}

void run_masker_mask(struct run_masker *m, struct sbuf *out, const char *str, size_t len)
{
    struct run_mask_stream s;
    run_mask_stream_init(&s, m, to_sbuf, out);
    run_mask_stream_write(&s, str, len);
    run_mask_stream_finish(&s);
    run_mask_stream_release(&s);
}
