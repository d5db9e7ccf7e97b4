/*
 * The streaming readers: CSV (RFC 4180 as pandas.read_csv reads it) and JSON lines. Input is read
 * in 1 MiB chunks; each complete record is split into fields and only the two or three fields we
 * need are interned. A record that does not end inside the buffer waits for the next chunk, and
 * the buffer grows up to REPORT_MAX_RECORD for records longer than a chunk.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "report/internal.h"
#include "util/json.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define CHUNK (1u << 20)

/* Where the bytes come from: a file descriptor, or a caller's memory. */
struct source {
    const char *name;
    int fd; /* -1 for memory */
    const char *mem;
    size_t mem_len, mem_off;
};

struct input {
    struct source src;
    char *buf;
    size_t alloc, start, end;
    bool eof;
};

static int input_fill(struct input *in, struct err *err)
{
    /* Keep the unconsumed tail, make room for a chunk. */
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->alloc - in->end < CHUNK) {
        if (in->end >= REPORT_MAX_RECORD) {
            return err_set(err, ERR_INVALID, "%s: a record is longer than %u bytes", in->src.name,
                           REPORT_MAX_RECORD);
        }
        in->alloc = in->end + CHUNK;
        in->buf = xrealloc(in->buf, in->alloc + 1);
    }
    if (in->src.fd < 0) {
        size_t n = in->src.mem_len - in->src.mem_off;
        if (n > in->alloc - in->end)
            n = in->alloc - in->end;
        memcpy(in->buf + in->end, in->src.mem + in->src.mem_off, n);
        in->src.mem_off += n;
        in->end += n;
        if (in->src.mem_off == in->src.mem_len)
            in->eof = true;
        return 0;
    }
    for (;;) {
        ssize_t n = read(in->src.fd, in->buf + in->end, in->alloc - in->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_errno(err, "cannot read '%s'", in->src.name);
        if (n == 0)
            in->eof = true;
        in->end += (size_t)n;
        return 0;
    }
}

/* ---- CSV ---- */

struct field {
    size_t off; /* into the input buffer, or into the scratch when `scratch` */
    size_t len;
    bool scratch; /* quoted with "" inside: unescaped into the scratch buffer */
};

struct csv {
    char delim;
    struct field *fields;
    size_t n_fields, fields_alloc;
    struct sbuf scratch;
    size_t line;     /* 1-based line of the record being read */
    size_t newlines; /* line ends inside the record just read */
};

static void csv_push(struct csv *c, size_t off, size_t len, bool scratch)
{
    if (c->n_fields == c->fields_alloc) {
        c->fields_alloc = c->fields_alloc ? 2 * c->fields_alloc : 16;
        c->fields = xreallocarray(c->fields, c->fields_alloc, sizeof(*c->fields));
    }
    c->fields[c->n_fields++] = (struct field){.off = off, .len = len, .scratch = scratch};
}

/*
 * The quoted (slow) path: a byte state machine over p[0..n). Returns the bytes consumed, 0 when
 * the record continues past the buffer and more input may come, or a negative error code.
 */
static long csv_record_slow(struct csv *c, const char *base, size_t start, size_t n, bool eof,
                            const char *name, struct err *err)
{
    const char *p = base + start;
    size_t i = 0;
    c->n_fields = 0;
    c->newlines = 0;
    sbuf_reset(&c->scratch);
    for (;;) {
        if (i < n && p[i] == '"') {
            size_t s0 = c->scratch.len;
            i++;
            for (;;) {
                const char *q = memchr(p + i, '"', n - i);
                if (!q) {
                    if (!eof)
                        return 0;
                    return err_set(err, ERR_INVALID, "%s:%zu: unterminated quoted field", name,
                                   c->line);
                }
                size_t qi = (size_t)(q - p);
                for (size_t j = i; j < qi; j++)
                    c->newlines += p[j] == '\n';
                sbuf_add(&c->scratch, p + i, qi - i);
                if (qi + 1 == n && !eof)
                    return 0;
                if (qi + 1 < n && p[qi + 1] == '"') {
                    sbuf_addch(&c->scratch, '"');
                    i = qi + 2;
                    continue;
                }
                i = qi + 1;
                break;
            }
            /* Text after the closing quote is kept, as Python's csv and pandas do. */
            while (i < n && p[i] != c->delim && p[i] != '\n' && p[i] != '\r')
                sbuf_addch(&c->scratch, p[i++]);
            csv_push(c, s0, c->scratch.len - s0, true);
        } else {
            size_t s = i;
            while (i < n && p[i] != c->delim && p[i] != '\n' && p[i] != '\r')
                i++;
            csv_push(c, start + s, i - s, false);
        }
        if (i == n) {
            if (!eof)
                return 0;
            return (long)i;
        }
        if (p[i] == c->delim) {
            i++;
            continue;
        }
        if (p[i] == '\r') {
            if (i + 1 == n && !eof)
                return 0;
            if (i + 1 < n && p[i + 1] == '\n')
                i++;
        }
        c->newlines++;
        return (long)(i + 1);
    }
}

/*
 * Reads one record at buf[start..start+n). The fast path covers lines without a quote or a bare
 * CR: one pass over the bytes, splitting at each delimiter (prediction files have short lines,
 * where this beats a memchr per delimiter). Anything else goes to the slow path.
 */
static long csv_record(struct csv *c, const char *buf, size_t start, size_t n, bool eof,
                       const char *name, struct err *err)
{
    const char *p = buf + start;
    const char delim = c->delim;
    size_t s = 0, i = 0;
    c->n_fields = 0;
    for (; i < n; i++) {
        char ch = p[i];
        if (ch == delim) {
            csv_push(c, start + s, i - s, false);
            s = i + 1;
        } else if (ch == '\n') {
            break;
        } else if (ch == '"' || ch == '\r') {
            if (ch == '\r' && i + 1 < n && p[i + 1] == '\n') {
                csv_push(c, start + s, i - s, false);
                c->newlines = 1;
                return (long)(i + 2);
            }
            return csv_record_slow(c, buf, start, n, eof, name, err);
        }
    }
    if (i == n && !eof)
        return 0;
    csv_push(c, start + s, i - s, false);
    c->newlines = i < n ? 1 : 0;
    return i < n ? (long)(i + 1) : (long)n;
}

static struct str csv_field(const struct csv *c, const char *buf, size_t i)
{
    const struct field *f = &c->fields[i];
    return str_make(f->scratch ? c->scratch.buf + f->off : buf + f->off, f->len);
}

static bool csv_blank(const struct csv *c)
{
    return c->n_fields == 1 && c->fields[0].len == 0 && !c->fields[0].scratch;
}

/* ---- column resolution ---- */

static const char *const true_names[] = {"y_true", "label", "actual", "target"};
static const char *const pred_names[] = {"y_pred", "prediction", "predicted", "pred"};

static long find_column(const struct str *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_cstr(names[i], want))
            return (long)i;
    }
    for (size_t i = 0; i < n; i++) {
        if (str_eqi_cstr(names[i], want))
            return (long)i;
    }
    return -1;
}

static int resolve_column(long *out, const struct str *names, size_t n, const char *given,
                          const char *const *common, size_t n_common, const char *what,
                          const char *file, struct err *err)
{
    if (given) {
        *out = find_column(names, n, given);
        if (*out >= 0)
            return 0;
    } else {
        for (size_t j = 0; j < n_common; j++) {
            for (size_t i = 0; i < n; i++) {
                if (str_eqi_cstr(names[i], common[j])) {
                    *out = (long)i;
                    return 0;
                }
            }
        }
    }
    struct sbuf have = SBUF_INIT;
    for (size_t i = 0; i < n && i < 20; i++) {
        sbuf_addf(&have, "%s'%.*s'", i ? ", " : "", (int)names[i].len, names[i].p);
    }
    if (given) {
        err_set(err, ERR_INVALID, "%s: no %s column '%s' (columns: %s)", file, what, given,
                have.buf);
    } else {
        err_set(err, ERR_INVALID,
                "%s: no %s column among %s, %s, %s, %s (columns: %s); name it with --%s-col", file,
                what, common[0], common[1], common[2], common[3], have.buf,
                !strcmp(what, "true-label") ? "true" : "pred");
    }
    sbuf_release(&have);
    return ERR_INVALID;
}

struct columns {
    long t, p, s; /* s is -1 without a score column */
    size_t need;  /* fields a row must have */
};

/* The names of the columns used, recorded in the metrics. */
struct used_names {
    char *t, *p;
};

static int resolve_columns(struct columns *cols, const struct str *names, size_t n,
                           const struct report_read_opts *o, const char *file,
                           struct used_names *used, struct err *err)
{
    int rc =
        resolve_column(&cols->t, names, n, o->true_col, true_names, 4, "true-label", file, err);
    if (rc)
        return rc;
    rc = resolve_column(&cols->p, names, n, o->pred_col, pred_names, 4, "prediction", file, err);
    if (rc)
        return rc;
    if (cols->t == cols->p) {
        return err_set(err, ERR_INVALID, "%s: the true and predicted columns are both '%.*s'", file,
                       (int)names[cols->t].len, names[cols->t].p);
    }
    cols->s = -1;
    if (o->score_col) {
        cols->s = find_column(names, n, o->score_col);
        if (cols->s < 0)
            return err_set(err, ERR_INVALID, "%s: no score column '%s'", file, o->score_col);
    }
    used->t = str_dup(names[cols->t]);
    used->p = str_dup(names[cols->p]);
    cols->need = n;
    return 0;
}

static int parse_score(double *out, struct str s, const char *file, size_t line, struct err *err)
{
    char buf[128];
    struct str t = str_trim(s);
    if (t.len == 0 || t.len >= sizeof(buf))
        return err_set(err, ERR_INVALID, "%s:%zu: score '%.*s' is not a number", file, line,
                       (int)(s.len > 40 ? 40 : s.len), s.p);
    memcpy(buf, t.p, t.len);
    buf[t.len] = '\0';
    if (!str_to_double(buf, out) || !isfinite(*out))
        return err_set(err, ERR_INVALID, "%s:%zu: score '%s' is not a finite number", file, line,
                       buf);
    return 0;
}

static int csv_read(struct acc *a, struct used_names *used, struct input *in,
                    const struct report_read_opts *o, char delim, struct err *err)
{
    int rc = 0;
    struct csv c = {.delim = delim, .scratch = SBUF_INIT, .line = 1};
    struct str *names = NULL;
    struct columns cols = {0};
    bool have_header = false;
    const char *file = in->src.name;

    /*
     * A UTF-8 byte-order mark opens the file, not the first field: skipped before the header is
     * read, so that a quoted first name ("y_true") is still quoted.
     */
    while (in->end - in->start < 3 && !in->eof) {
        rc = input_fill(in, err);
        if (rc)
            goto done;
    }
    if (in->end - in->start >= 3 && !memcmp(in->buf + in->start, "\xEF\xBB\xBF", 3))
        in->start += 3;
    for (;;) {
        long used_bytes = 0;
        if (in->end > in->start) {
            used_bytes =
                csv_record(&c, in->buf, in->start, in->end - in->start, in->eof, file, err);
            if (used_bytes < 0) {
                rc = (int)used_bytes;
                goto done;
            }
        }
        if (used_bytes == 0) {
            if (in->eof)
                break;
            rc = input_fill(in, err);
            if (rc)
                goto done;
            continue;
        }
        size_t line = c.line;
        c.line += c.newlines;
        if (!have_header) {
            if (csv_blank(&c)) {
                in->start += (size_t)used_bytes;
                continue;
            }
            names = xcalloc(c.n_fields, sizeof(*names));
            for (size_t i = 0; i < c.n_fields; i++)
                names[i] = csv_field(&c, in->buf, i);
            rc = resolve_columns(&cols, names, c.n_fields, o, file, used, err);
            if (rc)
                goto done;
            have_header = true;
            in->start += (size_t)used_bytes;
            continue;
        }
        if (csv_blank(&c)) {
            in->start += (size_t)used_bytes;
            continue;
        }
        if (c.n_fields != cols.need) {
            const char *which = "";
            struct str missing = STR_NULL;
            if (c.n_fields <= (size_t)cols.t)
                missing = str_from(used->t);
            else if (c.n_fields <= (size_t)cols.p)
                missing = str_from(used->p);
            if (c.n_fields < cols.need) {
                which = missing.p ? " (no '" : "";
                rc = err_set(err, ERR_INVALID,
                             "%s:%zu: row has %zu field%s, the header has %zu%s%.*s%s", file, line,
                             c.n_fields, c.n_fields == 1 ? "" : "s", cols.need, which,
                             (int)missing.len, missing.p ? missing.p : "", missing.p ? "')" : "");
            } else {
                rc = err_set(err, ERR_INVALID, "%s:%zu: row has %zu fields, the header has %zu",
                             file, line, c.n_fields, cols.need);
            }
            goto done;
        }
        struct str tv = csv_field(&c, in->buf, (size_t)cols.t);
        struct str pv = csv_field(&c, in->buf, (size_t)cols.p);
        if (tv.len == 0 || pv.len == 0) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: empty value in column '%s'", file, line,
                         tv.len == 0 ? used->t : used->p);
            goto done;
        }
        uint32_t ti, pi;
        rc = acc_intern(&ti, a, tv.p, tv.len, false, false, err);
        if (!rc)
            rc = acc_intern(&pi, a, pv.p, pv.len, false, false, err);
        if (rc) {
            err_prefix(err, "%s:%zu: ", file, line);
            goto done;
        }
        if (cols.s >= 0) {
            double score;
            rc = parse_score(&score, csv_field(&c, in->buf, (size_t)cols.s), file, line, err);
            if (rc)
                goto done;
            acc_add_score(a, ti, score);
        }
        acc_add(a, ti, pi, line);
        in->start += (size_t)used_bytes;
    }
    if (!have_header)
        rc = err_set(err, ERR_INVALID, "%s: empty file: no header row", file);
done:
    xfree(names);
    xfree(c.fields);
    sbuf_release(&c.scratch);
    return rc;
}

/* ---- JSON lines ---- */

/* Skips a JSON string at p[i] (a '"'); returns the index after its closing quote. */
static size_t json_skip_string(const char *p, size_t len, size_t i)
{
    for (i++; i < len && p[i] != '"'; i++) {
        if (p[i] == '\\')
            i++;
    }
    return i + 1;
}

/* Skips the JSON value at p[i]; returns the index after it. The text is valid JSON. */
static size_t json_skip_value(const char *p, size_t len, size_t i)
{
    if (p[i] == '"')
        return json_skip_string(p, len, i);
    if (p[i] != '{' && p[i] != '[') {
        while (i < len && !strchr(",}] \t\r\n", p[i]))
            i++;
        return i;
    }
    size_t depth = 0;
    while (i < len) {
        if (p[i] == '"') {
            i = json_skip_string(p, len, i);
            continue;
        }
        if (p[i] == '{' || p[i] == '[')
            depth++;
        else if ((p[i] == '}' || p[i] == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return i;
}

static size_t json_skip_space(const char *p, size_t len, size_t i)
{
    while (i < len && strchr(" \t\r\n", p[i]))
        i++;
    return i;
}

/*
 * The source text of the value of the index-th member of the JSON object in p[0..len), which
 * cJSON has already accepted (its children are in source order). cJSON keeps numbers only as
 * doubles; this gives back the digits of an integer above 2^53.
 */
static struct str json_member_text(const char *p, size_t len, size_t index)
{
    size_t i = json_skip_space(p, len, 0) + 1; /* past '{' */
    for (size_t k = 0;; k++) {
        i = json_skip_space(p, len, i);
        i = json_skip_string(p, len, i);    /* the key */
        i = json_skip_space(p, len, i) + 1; /* past ':' */
        i = json_skip_space(p, len, i);
        size_t end = json_skip_value(p, len, i);
        if (k == index || end >= len)
            return str_make(p + i, end - i);
        i = json_skip_space(p, len, end) + 1; /* past ',' */
    }
}

/*
 * The label text of a JSON value. An integer keeps its source digits (pandas' read_json reads
 * int64 exactly); any other number that is a whole number within int64 prints as that integer,
 * as read_json turns a float column of whole numbers into int64.
 */
static int json_label(struct sbuf *out, bool *is_string, bool *is_number, const cJSON *v,
                      struct str src)
{
    sbuf_reset(out);
    *is_string = false;
    *is_number = false;
    if (cJSON_IsString(v)) {
        sbuf_addstr(out, v->valuestring);
        *is_string = true;
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        bool digits = src.len > 0;
        for (size_t i = 0; i < src.len; i++)
            digits =
                digits && ((src.p[i] >= '0' && src.p[i] <= '9') || (i == 0 && src.p[0] == '-'));
        if (digits)
            sbuf_add(out, src.p, src.len);
        else if (d == floor(d) && d >= -0x1p63 && d < 0x1p63)
            sbuf_addf(out, "%lld", (long long)d);
        else
            sbuf_addf(out, "%.17g", d);
        *is_number = true;
    } else if (cJSON_IsBool(v)) {
        /* Python's str(bool), which is what pandas + sklearn would print. */
        sbuf_addstr(out, cJSON_IsTrue(v) ? "True" : "False");
        *is_string = true;
    } else {
        return -1;
    }
    return 0;
}

static int jsonl_line(struct acc *a, struct used_names *used, struct columns *cols, bool *have_cols,
                      const char *p, size_t len, const char *file, size_t line,
                      const struct report_read_opts *o, struct err *err)
{
    int rc = 0;
    cJSON *obj = NULL;
    struct str *names = NULL;
    struct sbuf tv = SBUF_INIT, pv = SBUF_INIT;

    rc = json_parse(&obj, p, len, err);
    if (rc) {
        err_prefix(err, "%s:%zu: ", file, line);
        goto done;
    }
    if (!cJSON_IsObject(obj)) {
        rc = err_set(err, ERR_INVALID, "%s:%zu: expected a JSON object", file, line);
        goto done;
    }
    if (!*have_cols) {
        size_t n = (size_t)cJSON_GetArraySize(obj);
        names = xcalloc(n ? n : 1, sizeof(*names));
        size_t i = 0;
        for (cJSON *it = obj->child; it; it = it->next)
            names[i++] = str_from(it->string);
        rc = resolve_columns(cols, names, n, o, file, used, err);
        if (rc)
            goto done;
        *have_cols = true;
    }
    const char *keys[2] = {used->t, used->p};
    struct sbuf *vals[2] = {&tv, &pv};
    bool is_str[2], is_num[2];
    for (int j = 0; j < 2; j++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, keys[j]);
        if (!v || cJSON_IsNull(v)) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: missing field '%s'", file, line, keys[j]);
            goto done;
        }
        struct str src = STR_NULL;
        if (cJSON_IsNumber(v)) {
            size_t index = 0;
            for (const cJSON *it = obj->child; it != v; it = it->next)
                index++;
            src = json_member_text(p, len, index);
        }
        if (json_label(vals[j], &is_str[j], &is_num[j], v, src) < 0) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: field '%s' is not a string, number or boolean",
                         file, line, keys[j]);
            goto done;
        }
        if (vals[j]->len == 0) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: empty value in column '%s'", file, line,
                         keys[j]);
            goto done;
        }
    }
    uint32_t ti, pi;
    rc = acc_intern(&ti, a, tv.buf, tv.len, is_str[0], is_num[0], err);
    if (!rc)
        rc = acc_intern(&pi, a, pv.buf, pv.len, is_str[1], is_num[1], err);
    if (rc) {
        err_prefix(err, "%s:%zu: ", file, line);
        goto done;
    }
    if (o->score_col) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, o->score_col);
        if (!s || !cJSON_IsNumber(s) || !isfinite(s->valuedouble)) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: score '%s' is missing or not a number", file,
                         line, o->score_col);
            goto done;
        }
        acc_add_score(a, ti, s->valuedouble);
    }
    acc_add(a, ti, pi, line);
done:
    cJSON_Delete(obj);
    xfree(names);
    sbuf_release(&tv);
    sbuf_release(&pv);
    return rc;
}

static int jsonl_read(struct acc *a, struct used_names *used, struct input *in,
                      const struct report_read_opts *o, struct err *err)
{
    struct columns cols = {0};
    bool have_cols = false;
    size_t line = 1;
    const char *file = in->src.name;
    for (;;) {
        size_t n = in->end - in->start;
        const char *p = in->buf + in->start;
        const char *nl = n ? memchr(p, '\n', n) : NULL;
        if (!nl && !in->eof) {
            int rc = input_fill(in, err);
            if (rc)
                return rc;
            continue;
        }
        if (!nl && n == 0)
            break;
        size_t len = nl ? (size_t)(nl - p) : n;
        struct str l = str_make(p, len);
        if (line == 1 && len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
            l = str_make(p + 3, len - 3);
        struct str t = str_trim(l);
        if (t.len) {
            /* From the line's start, so that an error's column counts the leading spaces. */
            size_t upto = (size_t)(t.p - l.p) + t.len;
            int rc = jsonl_line(a, used, &cols, &have_cols, l.p, upto, file, line, o, err);
            if (rc)
                return rc;
        }
        in->start += nl ? len + 1 : len;
        line++;
    }
    if (!have_cols)
        return err_set(err, ERR_INVALID, "%s: empty file: no JSON lines", file);
    return 0;
}

/* ---- entry points ---- */

static int load(struct report_metrics **out, struct source src, const struct report_read_opts *o,
                struct err *err)
{
    int rc = 0;
    struct acc a;
    struct input in = {.src = src};
    struct used_names used = {0};
    struct report_read_opts defaults = REPORT_READ_OPTS_INIT;
    if (!o)
        o = &defaults;

    acc_init(&a, o->score_col != NULL);
    rc = input_fill(&in, err);
    if (rc)
        goto done;

    enum report_format fmt = o->format;
    const char *name = src.name;
    if (fmt == REPORT_FORMAT_AUTO) {
        if (str_has_suffix(name, ".jsonl") || str_has_suffix(name, ".ndjson") ||
            str_has_suffix(name, ".json")) {
            fmt = REPORT_FORMAT_JSONL;
        } else {
            size_t i = 0;
            if (in.end >= 3 && !memcmp(in.buf, "\xEF\xBB\xBF", 3))
                i = 3;
            while (i < in.end && (in.buf[i] == ' ' || in.buf[i] == '\n' || in.buf[i] == '\r'))
                i++;
            fmt = i < in.end && in.buf[i] == '{' ? REPORT_FORMAT_JSONL : REPORT_FORMAT_CSV;
        }
    }
    if (fmt == REPORT_FORMAT_JSONL) {
        a.json = true;
        rc = jsonl_read(&a, &used, &in, o, err);
    } else {
        char delim = o->delimiter ? o->delimiter : str_has_suffix(name, ".tsv") ? '\t' : ',';
        if (delim == '"' || delim == '\n' || delim == '\r') {
            rc = err_set(err, ERR_INVALID, "the delimiter cannot be a quote or a line end");
            goto done;
        }
        rc = csv_read(&a, &used, &in, o, delim, err);
    }
    if (rc)
        goto done;
    a.col_names[0] = used.t;
    a.col_names[1] = used.p;
    rc = acc_finish(out, &a, name, err);
    if (rc) {
        if (rc == ERR_INVALID && !str_has_prefix(err->msg, name))
            err_prefix(err, "%s: ", name);
        goto done;
    }
    (*out)->true_col = used.t;
    (*out)->pred_col = used.p;
    used.t = used.p = NULL;
done:
    xfree(used.t);
    xfree(used.p);
    xfree(in.buf);
    acc_release(&a);
    return rc;
}

int report_load(struct report_metrics **out, const char *path, const struct report_read_opts *o,
                struct err *err)
{
    if (!strcmp(path, "-")) {
        struct source in = {.name = "<stdin>", .fd = STDIN_FILENO};
        return load(out, in, o, err);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(err, "cannot open '%s'", path);
    struct source src = {.name = path, .fd = fd};
    int rc = load(out, src, o, err);
    close(fd);
    return rc;
}

int report_load_mem(struct report_metrics **out, const char *name, const char *data, size_t len,
                    const struct report_read_opts *o, struct err *err)
{
    struct source src = {.name = name, .fd = -1, .mem = data, .mem_len = len};
    return load(out, src, o, err);
}
