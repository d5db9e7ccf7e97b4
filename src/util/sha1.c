#include "util/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *c, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    }
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->state[0], b = c->state[1], d = c->state[3], e = c->state[4];
    uint32_t cc = c->state[2];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ cc ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->state[0] += a;
    c->state[1] += b;
    c->state[2] += cc;
    c->state[3] += d;
    c->state[4] += e;
}

void sha1_init(struct sha1 *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(c->state, iv, sizeof(iv));
    c->bytes = 0;
    c->block_len = 0;
}

void sha1_update(struct sha1 *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->bytes += len;
    if (c->block_len) {
        size_t take = 64 - c->block_len < len ? 64 - c->block_len : len;
        memcpy(c->block + c->block_len, p, take);
        c->block_len += take;
        p += take;
        len -= take;
        if (c->block_len < 64)
            return;
        sha1_block(c, c->block);
        c->block_len = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        sha1_block(c, p);
    memcpy(c->block, p, len);
    c->block_len = len;
}

void sha1_final(struct sha1 *c, unsigned char digest[SHA1_DIGEST_SIZE])
{
    uint64_t bits = c->bytes * 8;
    unsigned char pad[72] = {0x80};
    size_t padlen = (c->block_len < 56 ? 56 : 120) - c->block_len;
    for (int i = 0; i < 8; i++)
        pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(c, pad, padlen + 8);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (unsigned char)(c->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(c->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(c->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)c->state[i];
    }
}
