#ifndef ACTIONS_INTERNAL_H
#define ACTIONS_INTERNAL_H

/* Module-private helpers of src/actions/: file matching, copying, the default directories. */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/sbuf.h"
#include "util/vec.h"

enum actions_file_kind {
    ACTIONS_FILE_REG,
    ACTIONS_FILE_DIR,
    ACTIONS_FILE_LINK,
};

/* One matched file system entry. */
struct actions_file {
    char *abs; /* owned: absolute, normalised path */
    enum actions_file_kind kind;
};

struct actions_match_opts {
    const char *workspace;       /* relative patterns start here */
    const char *const *patterns; /* '!' excludes; lines may be blank; '~/' is home */
    const char *home;            /* the steps' own home in a sandbox, else NULL ($HOME): links
                                    a step made are checked only in a sandbox */
    const char *temp_dir;        /* RUNNER_TEMP, checked like the workspace; may be NULL */
    size_t npatterns;
    bool include_hidden; /* false: skip names starting with '.' below a search root */
    bool include_dirs;   /* also list directories (for the cache) */
};

/*
 * Matches the patterns like @actions/glob (implicit descendants: a pattern naming a directory
 * takes everything below it). out gets struct actions_file in walk order, without duplicates.
 * root_out gets the least common ancestor of the positive patterns' search roots (a literal
 * file's root is its directory): upload-artifact v4 stores files relative to it.
 */
/*
 * True when path, in the workspace, the steps' home or the temp folder, is reached through a
 * symbolic link that leads out of that folder: one a sandboxed step could have made to have the
 * built-ins, which run outside the sandbox, read or write elsewhere.
 */
bool actions_step_link(const struct actions_match_opts *o, const char *path);
int actions_match(struct vec *out, struct sbuf *root_out, const struct actions_match_opts *o,
                  struct err *err);
/*
 * In a sandbox (o->home set), ERR_FAIL naming the first pattern whose search root lies outside
 * the workspace, the steps' home and the temp folder: the built-ins, which run outside the
 * sandbox, would read (or a restore write) host files the steps cannot. 0 otherwise, and always
 * with --sandbox none (o->home NULL). actions_match() checks it first.
 */
int actions_paths_check(const struct actions_match_opts *o, struct err *err);
void actions_match_release(struct vec *files);

/* Splits a multi-line input into trimmed non-empty lines (char * owned, in vec). */
void actions_split_lines(struct vec *out, const char *s);
void actions_lines_release(struct vec *lines);

/* Copies regular file src to dst (parents created), keeping the executable bits. */
int actions_copy_file(const char *src, const char *dst, struct err *err);

/* Appends ${XDG_CACHE_HOME:-$HOME/.cache}/runnel/<leaf>. */
int actions_default_dir(struct sbuf *out, const char *leaf, struct err *err);

/* upload-artifact v4's rule for names: none of " : < > | * ? \r \n \ / (ERR_INVALID). */
int actions_artifact_name_check(const char *name, struct err *err);

/*
 * Stores files (struct actions_file from actions_match) under <run_dir>/artifacts/<name>, each
 * at its path below root, atomically. ERR_FAIL when the name exists and !overwrite.
 */
struct actions_artifact_store_opts {
    const char *run_dir;
    const char *name;
    const struct vec *files;
    const char *root;
    bool overwrite;
};
int actions_artifact_store(const struct actions_artifact_store_opts *o, struct err *err);

/* True when path lies in one of the job's folders: the workspace, the steps' home or the temp
 * folder (by text; NULL folders are skipped). */
bool actions_in_job_folders(const char *path, const char *workspace, const char *home,
                            const char *temp_dir);

#endif
