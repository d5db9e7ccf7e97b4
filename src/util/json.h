#ifndef UTIL_JSON_H
#define UTIL_JSON_H

/*
 * JSON helpers over cJSON, so that every module parses with the same error convention: a parse
 * error names the byte offset (and line and column) where cJSON stopped, read from
 * cJSON_ParseWithOpts' return_parse_end, never from the global cJSON_GetErrorPtr.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/err.h"
#include "util/sbuf.h"

/*
 * Parses len bytes of text: one JSON value, with only white space around it (anything after the
 * value is an error naming where it starts, as Python's json.loads "Extra data"). On success
 * *out owns a tree (free with cJSON_Delete).
 */
int json_parse(cJSON **out, const char *text, size_t len, struct err *err);
/*
 * The error for JSON text that stops being valid at byte off: "invalid JSON at line L,
 * column C" (1-based, columns in bytes). Every JSON reader in runnel words it this way.
 */
int json_error_at(struct err *err, const char *text, size_t len, size_t off);
/* Reads and parses a file of at most max bytes; errors are prefixed with the path. */
int json_load(cJSON **out, const char *path, size_t max, struct err *err);
/* Appends the unformatted serialisation of item. */
void json_add(struct sbuf *out, const cJSON *item);
/* The string value of a member, or NULL when missing or not a string (borrowed). */
const char *json_get_str(const cJSON *obj, const char *key);

#endif
