#include "util/json.h"

#include <string.h>

#include "util/xalloc.h"

/* Line and column (1-based, columns in bytes) of byte off. */
static void json_position(size_t *line_out, size_t *col_out, const char *text, size_t len,
                          size_t off)
{
    size_t line = 1;
    size_t col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    *line_out = line;
    *col_out = col;
}

int json_error_at(struct err *err, const char *text, size_t len, size_t off)
{
    size_t line, col;
    json_position(&line, &col, text, len, off);
    return err_set(err, ERR_INVALID, "invalid JSON at line %zu, column %zu", line, col);
}

int json_parse(cJSON **out, const char *text, size_t len, struct err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root)
        return json_error_at(err, text, len, end ? (size_t)(end - text) : 0);
    /*
     * One value and nothing after it but white space, as RFC 8259 and Python's json.loads want
     * ("Extra data"): cJSON stops after the first value and would drop `{"a":1}{"b":2}`'s second.
     */
    size_t off = (size_t)(end - text);
    while (off < len &&
           (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
        off++;
    if (off < len) {
        cJSON_Delete(root);
        size_t line, col;
        json_position(&line, &col, text, len, off);
        return err_set(err, ERR_INVALID,
                       "invalid JSON at line %zu, column %zu: data after the value", line, col);
    }
    *out = root;
    return 0;
}

int json_load(cJSON **out, const char *path, size_t max, struct err *err)
{
    struct sbuf sb = SBUF_INIT;
    int rc = sbuf_read_file(&sb, path, max, err);
    if (rc == 0) {
        rc = json_parse(out, sb.buf, sb.len, err);
        if (rc < 0)
            err_prefix(err, "%s: ", path);
    }
    sbuf_release(&sb);
    return rc;
}

void json_add(struct sbuf *out, const cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    if (!s)
        BUG("cJSON_PrintUnformatted failed");
    sbuf_addstr(out, s);
    cJSON_free(s);
}

const char *json_get_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
