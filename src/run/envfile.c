#include "run/envfile.h"

#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

/* One line from text at *pos; *has_newline tells whether it ended with '\n'. */
static bool read_line(const char *text, size_t len, size_t *pos, const char **line,
                      size_t *line_len, bool *has_newline)
{
    if (*pos >= len)
        return false;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    *line = start;
    if (!nl) {
        *line_len = len - *pos;
        *pos = len;
        *has_newline = false;
    } else {
        *line_len = (size_t)(nl - start);
        *pos += *line_len + 1;
        *has_newline = true;
    }
    return true;
}

static const char *find2(const char *s, size_t n, const char *what)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == what[0] && s[i + 1] == what[1])
            return s + i;
    }
    return NULL;
}

int run_envfile_parse(struct vec *pairs, const char *text, size_t len, struct err *err)
{
    struct vec found = VEC_INIT(struct run_env_pair);
    size_t pos = 0;
    const char *line;
    size_t n;
    bool nl;
    int rc = 0;
    while (read_line(text, len, &pos, &line, &n, &nl)) {
        if (n == 0)
            continue;
        const char *eq = memchr(line, '=', n);
        const char *hd = find2(line, n, "<<");
        struct run_env_pair pair = {NULL, NULL};
        if (eq && (!hd || eq < hd)) {
            if (eq == line) {
                rc = err_set(err, ERR_INVALID, "Invalid format '%.*s'. Name must not be empty",
                             (int)n, line);
                goto done;
            }
            pair.name = xstrndup(line, (size_t)(eq - line));
            pair.value = xstrndup(eq + 1, (size_t)(line + n - eq - 1));
        } else if (hd && (!eq || hd < eq)) {
            size_t name_len = (size_t)(hd - line);
            const char *delim = hd + 2;
            size_t delim_len = (size_t)(line + n - delim);
            if (name_len == 0 || delim_len == 0) {
                rc = err_set(err, ERR_INVALID,
                             "Invalid format '%.*s'. Name must not be empty and delimiter must "
                             "not be empty",
                             (int)n, line);
                goto done;
            }
            size_t start = pos, end = pos;
            const char *l2;
            size_t n2;
            bool nl2;
            for (;;) {
                if (!read_line(text, len, &pos, &l2, &n2, &nl2)) {
                    rc = err_set(err, ERR_INVALID,
                                 "Invalid value. Matching delimiter not found '%.*s'",
                                 (int)delim_len, delim);
                    goto done;
                }
                if (n2 == delim_len && !memcmp(l2, delim, delim_len))
                    break;
                if (!nl2) {
                    rc = err_set(err, ERR_INVALID, "Invalid value. EOF marker missing new line.");
                    goto done;
                }
                end = pos - 1; /* the value ends before this line's newline */
            }
            pair.name = xstrndup(line, name_len);
            pair.value = xstrndup(text + start, end > start ? end - start : 0);
        } else {
            rc = err_set(err, ERR_INVALID, "Invalid format '%.*s'", (int)n, line);
            goto done;
        }
        vec_append(&found, &pair);
    }
    vec_foreach (struct run_env_pair, p, &found)
        vec_append(pairs, p);
    vec_release(&found);
    return 0;
done:
    run_env_pairs_release(&found);
    return rc;
}

void run_env_pairs_release(struct vec *pairs)
{
    vec_foreach (struct run_env_pair, p, pairs) {
        xfree(p->name);
        xfree(p->value);
    }
    vec_release(pairs);
}

const char *run_envfile_refused(const char *name)
{
    if (!strcasecmp(name, "NODE_OPTIONS"))
        return "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.";
    return NULL;
}

void run_path_prepend(struct vec *prepend, const char *dir, size_t len)
{
    for (size_t i = 0; i < prepend->len; i++) {
        char *d = *(char **)vec_at(prepend, i);
        if (strlen(d) == len && !memcmp(d, dir, len)) {
            xfree(d);
            vec_remove(prepend, i);
            break;
        }
    }
    *(char **)vec_push(prepend) = xstrndup(dir, len);
}

void run_pathfile_apply(struct vec *prepend, const char *text, size_t len)
{
    size_t pos = 0;
    const char *line;
    size_t n;
    bool nl;
    while (read_line(text, len, &pos, &line, &n, &nl)) {
        /* File.ReadAllLines also ends a line at "\r\n" and a lone '\r'. */
        while (n && line[n - 1] == '\r')
            n--;
        if (n)
            run_path_prepend(prepend, line, n);
    }
}

void run_path_render(struct sbuf *out, const struct vec *prepend, const char *original)
{
    for (size_t i = prepend->len; i > 0; i--) {
        if (i != prepend->len)
            sbuf_addch(out, ':');
        sbuf_addstr(out, *(char **)vec_at(prepend, i - 1));
    }
    if (original && *original) {
        if (prepend->len)
            sbuf_addch(out, ':');
        sbuf_addstr(out, original);
    }
}

void run_path_release(struct vec *prepend)
{
    vec_foreach (char *, d, prepend)
        xfree(*d);
    vec_release(prepend);
}
