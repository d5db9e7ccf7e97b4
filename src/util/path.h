#ifndef UTIL_PATH_H
#define UTIL_PATH_H

/*
 * Path helpers: string operations on '/'-separated paths (path_*) and the few filesystem calls
 * every module needs (fs_*). Results go into a caller's sbuf; nothing here keeps state.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"
#include "util/sbuf.h"

/* Appends a joined with b to out ('/' between them; b absolute replaces a). */
void path_join(struct sbuf *out, const char *a, const char *b);
/*
 * Appends the lexically normalised form of path: repeated '/' and '.' removed, 'x/..' folded.
 * A relative path that climbs above its start keeps its leading '..' parts. "" becomes ".".
 */
void path_normalize(struct sbuf *out, const char *path);
/* True when the normalised relative path stays inside its base: not absolute, no leading '..'. */
bool path_is_contained(const char *relpath);
/* The last component (after the last '/'); borrowed from path. */
const char *path_basename(const char *path);
/* Appends everything before the last '/' ("." when none, "/" for a root file). */
void path_dirname(struct sbuf *out, const char *path);

bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);
/* True when path is dir or lies below it, by text (dir's trailing '/' ignored). */
bool path_within(const char *path, const char *dir);
/* True when path, links resolved, is dir (resolved too) or lies below it; false if either is
 * missing. */
bool fs_real_within(const char *path, const char *dir);
/*
 * True when path lies below base and one of the folders between them (below base, above path's
 * last component) is a symbolic link that leads out of base (or nowhere). Code outside the
 * sandbox uses it before it reads or writes where a step could have planted a link.
 */
bool fs_through_link(const char *base, const char *path);
/*
 * Copies everything left to read from fd in to fd out (EINTR retried, short writes resumed).
 * in_name and out_name name them in errors. When progress is given it is told the bytes copied
 * so far after each chunk; *copied (when given) gets the total.
 */
int fs_copy_fd(int in, const char *in_name, int out, const char *out_name,
               void (*progress)(uint64_t done, void *ctx), void *ctx, uint64_t *copied,
               struct err *err);
/*
 * Finds name (no '/' in it) in the colon-separated directories of dirs the way execvp does (an
 * empty entry is the current directory): appends the first dir/name that is an executable
 * regular file to out and returns true; false, appending nothing, when there is none.
 */
bool fs_search_path(struct sbuf *out, const char *dirs, const char *name);
/* mkdir -p with the given mode; existing directories are fine. */
int fs_mkdirs(const char *path, mode_t mode, struct err *err);
/* Writes data to path (created or truncated, mode 0644), through a temporary file and rename. */
int fs_write_file(const char *path, const void *data, size_t len, struct err *err);
/* The same with the given mode: 0600 for a file that may hold secrets (a step's script). */
int fs_write_file_mode(const char *path, const void *data, size_t len, mode_t mode,
                       struct err *err);
/* Appends data to path (created when missing). */
int fs_append_file(const char *path, const void *data, size_t len, struct err *err);
/* rm -rf: removes path and everything below; a missing path is not an error. Never follows links.
 */
int fs_remove_tree(const char *path, struct err *err);
/*
 * Copies the tree at src into dest (created when missing): regular files with their mode,
 * symbolic links as links, directories recursively. A link already in dest where a file or link
 * goes is replaced, and a link where a directory goes is an error: nothing is written through a
 * link below dest (dest itself is the caller's to check). When skip is not NULL it is asked for
 * each entry's path relative to src ("a/b.txt"; directories without a trailing '/') and the
 * entry is left out when it returns true.
 */
int fs_copy_tree(const char *dest, const char *src,
                 bool (*skip)(const char *rel, bool is_dir, void *payload), void *payload,
                 struct err *err);
/* Creates a fresh directory from a template ending in XXXXXX (as mkdtemp); appends its path. */
int fs_mkdtemp(struct sbuf *out, const char *template_path, struct err *err);

#endif
