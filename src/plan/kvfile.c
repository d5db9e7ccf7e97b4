/*
 * --secret-file, --var-file and --env-file, read the way act reads them: a YAML mapping when the
 * file name ends in .yml or .yaml, otherwise dotenv as godotenv parses it:
 *   KEY=value   KEY: value   export KEY=value   # comment lines, blank lines
 *   'single quoted' is literal and may span lines;
 *   "double quoted" may span lines, with \n \r \t \" \\ escapes;
 *   unquoted values end at the line's end or at " #", and are trimmed.
 * Variable expansion (${OTHER}) is not done.
 */

#include <string.h>

#include "internal.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "yaml/yaml.h"

#define PLAN_KV_FILE_MAX (16u << 20)

static void push(struct vec *out, struct arena *a, const char *k, size_t kl, const char *v,
                 size_t vl)
{
    struct plan_kv *kv = vec_push(out);
    kv->name = arena_strndup(a, k, kl);
    kv->value = arena_strndup(a, v, vl);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int plan_dotenv_parse(struct vec *out, struct arena *a, const char *path, const char *s, size_t len,
                      struct err *err)
{
    size_t i = 0;
    size_t line = 1;
    struct sbuf val = SBUF_INIT;
    int rc = 0;
    while (i < len) {
        while (i < len && (is_blank(s[i]) || s[i] == '\n')) {
            if (s[i] == '\n')
                line++;
            i++;
        }
        if (i >= len)
            break;
        if (s[i] == '#') {
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        if (len - i > 7 && !memcmp(s + i, "export", 6) && is_blank(s[i + 6])) {
            i += 6;
            while (i < len && is_blank(s[i]))
                i++;
        }
        size_t ks = i;
        while (i < len && s[i] != '=' && s[i] != ':' && s[i] != '\n')
            i++;
        if (i >= len || s[i] == '\n') {
            rc = err_set(err, ERR_INVALID, "%s:%zu: expected KEY=value", path, line);
            goto done;
        }
        size_t ke = i;
        while (ke > ks && is_blank(s[ke - 1]))
            ke--;
        if (ke == ks) {
            rc = err_set(err, ERR_INVALID, "%s:%zu: empty variable name", path, line);
            goto done;
        }
        i++; /* '=' or ':' */
        while (i < len && is_blank(s[i]))
            i++;
        sbuf_reset(&val);
        size_t start_line = line;
        if (i < len && (s[i] == '"' || s[i] == '\'')) {
            char q = s[i++];
            bool closed = false;
            while (i < len) {
                char c = s[i];
                if (c == q) {
                    closed = true;
                    i++;
                    break;
                }
                if (c == '\n')
                    line++;
                if (q == '"' && c == '\\' && i + 1 < len) {
                    char n = s[i + 1];
                    i += 2;
                    switch (n) {
                    case 'n':
                        sbuf_addch(&val, '\n');
                        break;
                    case 'r':
                        sbuf_addch(&val, '\r');
                        break;
                    case 't':
                        sbuf_addch(&val, '\t');
                        break;
                    case '"':
                    case '\\':
                    case '$':
                        sbuf_addch(&val, n);
                        break;
                    default:
                        sbuf_addch(&val, '\\');
                        sbuf_addch(&val, n);
                        break;
                    }
                    continue;
                }
                sbuf_addch(&val, c);
                i++;
            }
            if (!closed) {
                rc = err_set(err, ERR_INVALID, "%s:%zu: unterminated %s-quoted value", path,
                             start_line, q == '"' ? "double" : "single");
                goto done;
            }
            /* the rest of the line may hold only a comment */
            while (i < len && s[i] != '\n')
                i++;
        } else {
            size_t vs = i;
            while (i < len && s[i] != '\n') {
                if (s[i] == '#' && i > vs && is_blank(s[i - 1]))
                    break;
                i++;
            }
            size_t ve = i;
            while (ve > vs && is_blank(s[ve - 1]))
                ve--;
            sbuf_add(&val, s + vs, ve - vs);
            while (i < len && s[i] != '\n')
                i++;
        }
        push(out, a, s + ks, ke - ks, val.buf, val.len);
    }
done:
    sbuf_release(&val);
    return rc;
}

static int yaml_file(struct vec *out, struct arena *a, const char *path, struct err *err)
{
    struct yml_doc *doc = NULL;
    int rc = yml_load(&doc, path, NULL, err);
    if (rc)
        return rc;
    const struct yml_node *root = doc->root;
    if (root && root->kind != YML_MAPPING) {
        rc = err_set(err, ERR_INVALID,
                     "%s (Line: %zu, Col: %zu): expected a mapping of names "
                     "to values",
                     path, root->line, root->col);
        goto done;
    }
    for (size_t i = 0; root && i < root->npairs; i++) {
        const struct yml_node *k = root->pairs[i].key;
        const struct yml_node *v = root->pairs[i].value;
        if (k->kind != YML_SCALAR || (v && v->kind != YML_SCALAR)) {
            const struct yml_node *at = k->kind != YML_SCALAR ? k : v;
            rc = err_set(err, ERR_INVALID, "%s (Line: %zu, Col: %zu): expected a string value",
                         path, at->line, at->col);
            goto done;
        }
        if (!v || yml_is_null(v))
            push(out, a, k->value, k->len, "", 0);
        else
            push(out, a, k->value, k->len, v->value, v->len);
    }
done:
    yml_free(doc);
    return rc;
}

int plan_kv_file_load(struct vec *out, struct arena *a, const char *path, struct err *err)
{
    if (str_has_suffix(path, ".yml") || str_has_suffix(path, ".yaml"))
        return yaml_file(out, a, path, err);
    struct sbuf text = SBUF_INIT;
    int rc = sbuf_read_file(&text, path, PLAN_KV_FILE_MAX, err);
    if (rc == 0)
        rc = plan_dotenv_parse(out, a, path, text.buf, text.len, err);
    sbuf_release(&text);
    return rc;
}
