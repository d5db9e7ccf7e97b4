#ifndef RUN_ENVFILE_H
#define RUN_ENVFILE_H

/*
 * The environment files a step writes: GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STATE ("name=value"
 * lines and the heredoc form "name<<DELIM" ... "DELIM"), and GITHUB_PATH (one directory a line).
 * Parsing follows actions/runner's EnvFileKeyValuePairs and AddPathFileCommand:
 *   - lines end at '\n' only (a '\r' stays part of the line, as on Linux runners); empty lines
 *     are skipped;
 *   - a line is "name=value" when its first '=' comes before any "<<", else "name<<delimiter";
 *   - a heredoc value is every line up to the first line equal to the delimiter, joined with
 *     '\n', without the newline before the delimiter;
 *   - errors carry GitHub's messages: "Invalid format '<line>'", "Invalid format '<line>'. Name
 *     must not be empty and delimiter must not be empty", "Invalid value. Matching delimiter
 *     not found '<delimiter>'" and "Invalid value. EOF marker missing new line.". runnel also
 *     refuses "=value" with "Invalid format '<line>'. Name must not be empty", the check the
 *     runner means to make (its code tests the wrong variable and lets an empty name through).
 * GitHub fails the step when a file cannot be processed; the caller does the same with the err.
 *
 * Lifecycle: struct vec pairs = VEC_INIT(struct run_env_pair);
 * run_envfile_parse(&pairs, text, len, &err); use them in order (a later pair with the same name
 * wins); run_env_pairs_release(&pairs).
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"

struct run_env_pair {
    char *name;  /* owned */
    char *value; /* owned; may contain newlines */
};

/* Appends the pairs in file order. On error nothing is appended; err names the line. */
int run_envfile_parse(struct vec *pairs, const char *text, size_t len, struct err *err);
void run_env_pairs_release(struct vec *pairs);

/*
 * GitHub refuses some names in GITHUB_ENV (NODE_OPTIONS): returns the error annotation text for
 * a refused name, NULL when the name may be set.
 */
const char *run_envfile_refused(const char *name);

/*
 * GITHUB_PATH: applies each non-empty line of text to the prepend list (struct vec of char *,
 * owned): a directory already in the list moves to the end. run_path_render() then builds
 * PATH: the list's directories last-added first, then the original PATH.
 */
void run_pathfile_apply(struct vec *prepend, const char *text, size_t len);
void run_path_prepend(struct vec *prepend, const char *dir, size_t len);
void run_path_render(struct sbuf *out, const struct vec *prepend, const char *original);
void run_path_release(struct vec *prepend);

#endif
