#ifndef UTIL_BASE64_H
#define UTIL_BASE64_H

/*
 * Base64 (RFC 4648, standard alphabet with '=' padding), as the Hugging Face Hub's commit API
 * and the LFS preupload "sample" expect.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/sbuf.h"

/* Appends the encoding of len bytes of data. */
void base64_encode(struct sbuf *out, const void *data, size_t len);
/* Appends the decoded bytes of text; false (out unchanged) on any invalid character or length. */
bool base64_decode(struct sbuf *out, const char *text, size_t len);

#endif
