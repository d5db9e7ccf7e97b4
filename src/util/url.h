#ifndef UTIL_URL_H
#define UTIL_URL_H

/*
 * url: the parts of a git remote address that messages and repository names need, in both forms
 * git accepts for a network remote: "scheme://[user[:password]@]host[:port]/path" and the
 * scp-like "[user[:password]@]host:path". Nothing is decoded or allocated: the parts are slices
 * of the caller's string.
 *
 * The credentials are found as publish has always masked them: in a URL, the last '@' before the
 * path (libgit2's reading); in the scp-like form, the last '@' that a ':' follows (the host
 * between them holds neither '@' nor ':'), so a password may hold '@', ':' or '/'. Use
 * url_add_display for anything a user sees: a password never reaches it.
 */

#include <stdbool.h>

#include "util/sbuf.h"
#include "util/str.h"

struct url_parts {
    bool scp;            /* the scp-like form */
    struct str user;     /* before the password; p == NULL without "...@" */
    struct str password; /* as written (%XX kept); p == NULL without one */
    struct str host;     /* host[:port] of a URL, the host of the scp-like form */
    struct str path;     /* the rest: "/o/r.git" in a URL, "o/r.git" in the scp-like form */
};

/*
 * Splits a network address. Returns false for a local path (no "://", and no ':' before the
 * first '/', as git tells them apart), leaving *out zeroed.
 */
bool url_split(struct url_parts *out, const char *url);

/*
 * Appends url without "user:password@", or without "user@" in a URL; an scp-like "user@"
 * without a password stays (the SSH login, as git shows it). A local path is appended as it is.
 */
void url_add_display(struct sbuf *out, const char *url);

/* Appends s with its %XX escapes decoded (as libgit2 decodes a URL's user and password); a '%'
 * not followed by two hex digits stays as it is. */
void url_percent_decode(struct sbuf *out, const char *s);

#endif
