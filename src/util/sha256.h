#ifndef UTIL_SHA256_H
#define UTIL_SHA256_H

/*
 * SHA-256 (FIPS 180-4), streaming. Used by hashFiles(), LFS object ids and cache keys.
 *
 *   1. struct sha256 c; sha256_init(&c);
 *   2. sha256_update(&c, data, len) as often as needed
 *   3. sha256_final(&c, digest)  writes 32 bytes; the context is spent
 *
 * hex_encode() writes lowercase hex.
 */

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
    uint32_t state[8];
    uint64_t bytes;          /* total bytes fed */
    unsigned char block[64]; /* pending partial block */
    size_t block_len;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char digest[SHA256_DIGEST_SIZE]);
/* One-shot: digest of data. */
void sha256_buf(unsigned char digest[SHA256_DIGEST_SIZE], const void *data, size_t len);
/* Writes 2*len lowercase hex characters and a NUL into out (size >= 2*len + 1). */
void hex_encode(char *out, const unsigned char *data, size_t len);

#endif
