/*
 * The Space card: README.md's YAML front matter, checked against the Hub's "Spaces Configuration
 * Reference" (huggingface.co/docs/hub/spaces-config-reference) before anything is sent, because
 * the Hub accepts a bad card and the Space then fails to build.
 *
 * The front matter is read with a small parser for the subset cards use: top-level `key: value`
 * lines, quoted scalars, flow lists `[a, b]`, and indented block content (lists, maps) that
 * belongs to the key above it. Only top-level keys are checked; block content is not.
 */
#include "hub/hub.h"

#include "hub/internal.h"

#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

struct card_value {
    struct str key;
    struct str value; /* raw, trimmed; quotes removed for quoted scalars */
    size_t line;      /* 1-based */
    size_t col;       /* 1-based column of the value (of the key when the value is empty) */
    bool has_block;   /* indented lines follow */
    bool quoted;
};

#define MAX_KEYS 128

static int card_error(struct err *err, size_t line, size_t col, const char *msg)
{
    return err_set(err, ERR_INVALID, "README.md:%zu:%zu: %s", line, col, msg);
}

static const struct card_value *find(const struct card_value *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_cstr(v[i].key, key))
            return &v[i];
    }
    return NULL;
}

static bool one_of(struct str s, const char *const *list)
{
    for (; *list; list++) {
        if (str_eq_cstr(s, *list))
            return true;
    }
    return false;
}

static bool is_bool(struct str s)
{
    return str_eq_cstr(s, "true") || str_eq_cstr(s, "false");
}

static bool is_uint(struct str s, long max)
{
    if (!s.len || s.len > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (s.p[i] - '0');
    }
    return v >= 1 && v <= max;
}

static bool is_version(struct str s)
{
    if (!s.len)
        return false;
    bool digit = false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.p[i];
        if (ch >= '0' && ch <= '9') {
            digit = true;
        } else if (ch == '.' && digit) {
            digit = false;
        } else {
            return false;
        }
    }
    return digit;
}

/* Splits the front matter into top-level keys. */
static int parse_front_matter(struct card_value *out, size_t *n_out, const char *text, size_t len,
                              struct err *err)
{
    size_t n = 0;
    size_t line = 1;
    const char *p = text;
    const char *end = text + len;
    /* A UTF-8 byte order mark is allowed before the opening fence. */
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    struct str first = str_trim(str_make(p, nl ? (size_t)(nl - p) : (size_t)(end - p)));
    if (!str_eq_cstr(first, "---"))
        return card_error(err, 1, 1, "no YAML front matter: a Space card starts with '---'");
    p = nl ? nl + 1 : end;
    bool closed = false;
    while (p < end) {
        line++;
        nl = memchr(p, '\n', (size_t)(end - p));
        struct str raw = str_make(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        if (raw.len && raw.p[raw.len - 1] == '\r')
            raw.len--;
        p = nl ? nl + 1 : end;
        struct str t = str_trim(raw);
        if (str_eq_cstr(raw, "---") || str_eq_cstr(raw, "...")) {
            closed = true;
            break;
        }
        if (!t.len || t.p[0] == '#')
            continue;
        if (raw.p[0] == ' ' || raw.p[0] == '\t' || raw.p[0] == '-') {
            if (!n)
                return card_error(err, line, 1, "indented content before any key");
            out[n - 1].has_block = true;
            continue;
        }
        const char *colon = NULL;
        for (size_t i = 0; i < raw.len; i++) {
            if (raw.p[i] == ':' && (i + 1 == raw.len || raw.p[i + 1] == ' ')) {
                colon = raw.p + i;
                break;
            }
        }
        if (!colon)
            return card_error(err, line, 1, "expected 'key: value'");
        if (n == MAX_KEYS)
            return card_error(err, line, 1, "more than 128 keys");
        struct card_value *v = &out[n];
        *v = (struct card_value){.line = line};
        v->key = str_trim(str_make(raw.p, (size_t)(colon - raw.p)));
        struct str val = str_make(colon + 1, raw.len - (size_t)(colon + 1 - raw.p));
        /* A trailing " # comment" is not part of an unquoted value. */
        val = str_trim(val);
        v->col = val.len ? (size_t)(val.p - raw.p) + 1 : 1;
        if (val.len && (val.p[0] == '"' || val.p[0] == '\'')) {
            const char *close = memchr(val.p + 1, val.p[0], val.len - 1);
            if (!close)
                return card_error(err, line, v->col, "unterminated quoted value");
            v->value = str_make(val.p + 1, (size_t)(close - val.p - 1));
            v->quoted = true;
        } else {
            for (size_t i = 0; i + 1 < val.len; i++) {
                if (val.p[i] == ' ' && val.p[i + 1] == '#') {
                    val.len = i;
                    break;
                }
            }
            v->value = str_trim(val);
        }
        for (size_t i = 0; i < n; i++) {
            if (str_eq(out[i].key, v->key)) {
                return err_set(err, ERR_INVALID, "README.md:%zu:1: duplicate key '%.*s'", line,
                               (int)v->key.len, v->key.p);
            }
        }
        n++;
    }
    if (!closed)
        return card_error(err, 1, 1, "the front matter has no closing '---'");
    *n_out = n;
    return 0;
}

/* Characters (code points) in s; an ill-formed byte counts as one. The Hub's limits count
 * characters, not bytes: "at most 60 characters" holds 60 'é' (120 bytes). */
static size_t utf8_length(struct str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; n++) {
        uint32_t cp;
        size_t k = utf8_decode(s.p + i, s.len - i, &cp);
        i += k ? k : 1;
    }
    return n;
}

static int bad_value(struct err *err, const struct card_value *v, const char *expected)
{
    return err_set(err, ERR_INVALID, "README.md:%zu:%zu: '%.*s' must be %s", v->line, v->col,
                   (int)v->key.len, v->key.p, expected);
}

int hub_check_space_card(const char *text, size_t len, struct err *err)
{
    static const char *const sdks[] = {"gradio", "streamlit", "docker", "static", NULL};
    static const char *const colors[] = {"red",    "yellow", "green", "blue", "indigo",
                                         "purple", "pink",   "gray",  NULL};
    static const char *const headers[] = {"mini", "default", NULL};
    static const char *const bools[] = {"fullWidth", "pinned", "hf_oauth", "disable_embedding",
                                        NULL};
    static const char *const lists[] = {"models",           "datasets",        "tags",
                                        "preload_from_hub", "hf_oauth_scopes", NULL};
    struct card_value *v = xcalloc(MAX_KEYS, sizeof(*v));
    size_t n = 0;
    int rc = parse_front_matter(v, &n, text, len, err);
    if (rc < 0)
        goto done;

    const struct card_value *sdk = find(v, n, "sdk");
    if (!sdk) {
        rc = card_error(err, 1, 1,
                        "the Space card has no 'sdk' (one of gradio, streamlit, docker, static)");
        goto done;
    }
    if (!one_of(sdk->value, sdks)) {
        rc = bad_value(err, sdk, "one of gradio, streamlit, docker, static");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const struct card_value *x = &v[i];
        struct str k = x->key;
        if (str_eq_cstr(k, "colorFrom") || str_eq_cstr(k, "colorTo")) {
            if (!one_of(x->value, colors)) {
                rc = bad_value(err, x,
                               "one of red, yellow, green, blue, indigo, purple, pink, "
                               "gray");
                goto done;
            }
        } else if (str_eq_cstr(k, "sdk_version") || str_eq_cstr(k, "python_version")) {
            if (!is_version(x->value)) {
                rc = bad_value(err, x, "a version such as 4.44.1");
                goto done;
            }
        } else if (str_eq_cstr(k, "app_file")) {
            struct str f = x->value;
            bool bad = !f.len || f.p[0] == '/' || x->has_block;
            for (size_t j = 0; j + 1 < f.len && !bad; j++)
                bad = f.p[j] == '.' && f.p[j + 1] == '.' && (j == 0 || f.p[j - 1] == '/');
            if (bad) {
                rc = bad_value(err, x, "a relative path inside the Space");
                goto done;
            }
        } else if (str_eq_cstr(k, "app_port")) {
            if (!is_uint(x->value, 65535)) {
                rc = bad_value(err, x, "a port number from 1 to 65535");
                goto done;
            }
        } else if (str_eq_cstr(k, "hf_oauth_expiration_minutes")) {
            if (!is_uint(x->value, 10000000)) {
                rc = bad_value(err, x, "a positive number of minutes");
                goto done;
            }
        } else if (one_of(k, bools)) {
            if (!is_bool(x->value) || x->quoted) {
                rc = bad_value(err, x, "true or false");
                goto done;
            }
        } else if (str_eq_cstr(k, "header")) {
            if (!one_of(x->value, headers)) {
                rc = bad_value(err, x, "mini or default");
                goto done;
            }
        } else if (str_eq_cstr(k, "short_description")) {
            if (utf8_length(x->value) > 60) {
                rc = bad_value(err, x, "at most 60 characters");
                goto done;
            }
        } else if (one_of(k, lists)) {
            bool flow = x->value.len && x->value.p[0] == '[' && x->value.p[x->value.len - 1] == ']';
            if (x->value.len && !flow) {
                rc = bad_value(err, x, "a list");
                goto done;
            }
        } else if (str_eq_cstr(k, "startup_duration_timeout")) {
            struct str s = x->value;
            bool ok = s.len >= 2 && (s.p[s.len - 1] == 'm' || s.p[s.len - 1] == 'h') &&
                      is_uint(str_make(s.p, s.len - 1), 100000);
            if (!ok) {
                rc = bad_value(err, x, "a duration such as 30m or 1h");
                goto done;
            }
        }
    }
done:
    xfree(v);
    return rc;
}

bool hub_card_field(struct sbuf *out, const char *text, size_t len, const char *key)
{
    struct card_value *v = xcalloc(MAX_KEYS, sizeof(*v));
    size_t n = 0;
    struct err ignored = ERR_INIT;
    bool found = false;
    if (parse_front_matter(v, &n, text, len, &ignored) == 0) {
        const struct card_value *x = find(v, n, key);
        if (x && x->value.len) {
            sbuf_add(out, x->value.p, x->value.len);
            found = true;
        }
    }
    xfree(v);
    return found;
}
