#ifndef UTIL_GITATTR_H
#define UTIL_GITATTR_H

/*
 * .gitattributes patterns for one literal path, as `git lfs track --filename` writes them.
 *
 * A .gitattributes line is "<pattern> <attr>...": the pattern ends at the first blank and is
 * matched with git's wildmatch, so a file name holding '*', '?', '[' or a blank cannot be
 * written as it is. gitattr_escape_path() writes the pattern that matches the path itself:
 * wildmatch's special characters behind a backslash, blanks as the class [[:space:]] (git-lfs's
 * choice: git reads a pattern up to the first blank, and git-lfs reads the file itself too), and
 * a leading '!' or '"' escaped so that git reads neither a negative pattern nor a quoted one.
 * gitattr_unescape_path() reads such a pattern back.
 *
 * Used by runnel publish (src/git/) for the LFS lines of a branch's .gitattributes; meant for the
 * file:// hub's (src/hub/) as well. Nothing here allocates except into the caller's sbuf.
 */

#include <stdbool.h>

#include "util/sbuf.h"

/*
 * Appends to out the pattern that matches exactly `path` ("a/b c.bin" gives "a/b[[:space:]]c.bin",
 * "d[1].bin" gives "d\[1\].bin"). The pattern is relative: a caller that wants it anchored to the
 * folder of the .gitattributes file (a pattern without a '/' matches at any depth) puts a '/' in
 * front.
 */
void gitattr_escape_path(struct sbuf *out, const char *path);

/*
 * Appends to out the path a pattern written by gitattr_escape_path() matches, and returns true;
 * returns false (out then holds an unspecified prefix) when the pattern has an unescaped
 * wildcard or bracket, so it is no single literal path. [[:space:]] reads back as ' '.
 */
bool gitattr_unescape_path(struct sbuf *out, const char *pattern);

#endif
