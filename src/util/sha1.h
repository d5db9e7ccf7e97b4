#ifndef UTIL_SHA1_H
#define UTIL_SHA1_H

/*
 * SHA-1 (FIPS 180-4), streaming. Used for git object ids (a blob's id is the SHA-1 of
 * "blob <len>\0" followed by its bytes), which the Hugging Face Hub reports for regular files.
 * Not for security.
 *
 *   1. struct sha1 c; sha1_init(&c);
 *   2. sha1_update(&c, data, len) as often as needed
 *   3. sha1_final(&c, digest)  writes 20 bytes; the context is spent
 */

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_SIZE 20

struct sha1 {
    uint32_t state[5];
    uint64_t bytes;          /* total bytes fed */
    unsigned char block[64]; /* pending partial block */
    size_t block_len;
};

void sha1_init(struct sha1 *c);
void sha1_update(struct sha1 *c, const void *data, size_t len);
void sha1_final(struct sha1 *c, unsigned char digest[SHA1_DIGEST_SIZE]);

#endif
