/*
 * sha1 and base64 against the published test vectors (FIPS 180 examples, RFC 4648 section 10),
 * and sha256 over whole blocks (the SHA-NI path where the CPU has it) against sha256sum.
 */
#include "harness.h"

#include "util/base64.h"
#include "util/sha1.h"
#include "util/sha256.h"
#include "util/xalloc.h"

static void hex_sha1(char out[41], const void *data, size_t len, const char *prefix)
{
    struct sha1 c;
    unsigned char d[SHA1_DIGEST_SIZE];
    sha1_init(&c);
    if (prefix)
        sha1_update(&c, prefix, strlen(prefix) + 1); /* with its NUL, as git's object header */
    sha1_update(&c, data, len);
    sha1_final(&c, d);
    hex_encode(out, d, sizeof(d));
}

static void sha1_matches_fips_vectors(void)
{
    char hex[41];
    hex_sha1(hex, "abc", 3, NULL);
    CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    hex_sha1(hex, "", 0, NULL);
    CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_sha1(hex, two, strlen(two), NULL);
    CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    struct sha1 c;
    unsigned char d[SHA1_DIGEST_SIZE];
    char block[1001];
    memset(block, 'a', sizeof(block));
    sha1_init(&c);
    for (int i = 0; i < 1000; i++)
        sha1_update(&c, block, i % 2 ? 999 : 1001); // odd sizes cross block edges
    sha1_final(&c, d);
    hex_encode(hex, d, sizeof(d));
    CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void sha1_gives_git_blob_ids(void)
{
    char hex[41];
    /* `printf 'hello\n' | git hash-object --stdin` and the empty blob. */
    hex_sha1(hex, "hello\n", 6, "blob 6");
    CHECK_STR(hex, "ce013625030ba8dba906f756967f9e9ca394464a");
    hex_sha1(hex, "", 0, "blob 0");
    CHECK_STR(hex, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

static void base64_matches_rfc4648(void)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        struct sbuf e = SBUF_INIT, d = SBUF_INIT;
        base64_encode(&e, plain[i], strlen(plain[i]));
        bool ok = base64_decode(&d, coded[i], strlen(coded[i]));
        bool same = !strcmp(e.buf, coded[i]) && ok && !strcmp(d.buf, plain[i]);
        sbuf_release(&e);
        sbuf_release(&d);
        CHECK(same);
    }
}

static void base64_rejects_bad_input(void)
{
    struct sbuf d = SBUF_INIT;
    CHECK(!base64_decode(&d, "Zm9", 3));
    CHECK(!base64_decode(&d, "Zm9v!A==", 8));
    CHECK(!base64_decode(&d, "Zg==Zg==", 8));
    CHECK(!base64_decode(&d, "Z=9v", 4));
    CHECK_INT(d.len, 0);
    sbuf_release(&d);
}

/* Digests from coreutils sha256sum of the same pattern. */
static void sha256_long_inputs_match_sha256sum(void)
{
    size_t n = 1u << 20;
    unsigned char *d = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)((i * 7 + 3) & 255);
    unsigned char digest[SHA256_DIGEST_SIZE];
    char hex[65];
    sha256_buf(digest, d, n);
    hex_encode(hex, digest, sizeof(digest));
    bool whole = !strcmp(hex, "172c15dc2e12b50e523d8e657cbe7fbb11c1053252bbf1e1431077d57d8128fd");
    struct sha256 c;
    sha256_init(&c);
    /* Odd-sized pieces cross block edges: 1 + 100 + 4093 + ... up to 1000003 bytes. */
    size_t off = 0, step = 1;
    while (off < 1000003) {
        size_t take = step < 1000003 - off ? step : 1000003 - off;
        sha256_update(&c, d + off, take);
        off += take;
        step = step * 3 + 97;
    }
    sha256_final(&c, digest);
    hex_encode(hex, digest, sizeof(digest));
    bool pieces = !strcmp(hex, "987ab1b5b3b71c1d1053a817cffc3695c96e78c2b068d558c6b340a8255c3ed8");
    xfree(d);
    CHECK(whole);
    CHECK(pieces);
    unsigned char abc[SHA256_DIGEST_SIZE];
    sha256_buf(abc, "abc", 3);
    hex_encode(hex, abc, sizeof(abc));
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(sha1_matches_fips_vectors),
        TEST(sha1_gives_git_blob_ids),
        TEST(base64_matches_rfc4648),
        TEST(base64_rejects_bad_input),
        TEST(sha256_long_inputs_match_sha256sum),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
