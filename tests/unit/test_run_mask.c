/*
 * The secret masker. Encoded forms were computed with Python's base64.b64encode,
 * base64.urlsafe_b64encode, urllib.parse.quote(safe='-_.~'), json.dumps and
 * xml.sax.saxutils.escape (with the quote entities), the references for .NET's
 * Convert.ToBase64String, Uri.EscapeDataString, JsonConvert.ToString and SecurityElement.Escape.
 */
#include "run/mask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static void masked(struct run_masker *m, struct sbuf *out, const char *s)
{
    sbuf_reset(out);
    run_masker_mask(m, out, s, strlen(s));
}

static void mask_replaces_values_and_merges_overlaps(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    run_masker_add(m, "hunter2", 7);
    run_masker_add(m, "abcd", 4);
    run_masker_add(m, "cdef", 4);
    run_masker_add(m, "XYZW", 4);
    run_masker_add(m, "  ", 2); /* blank: ignored */
    struct sbuf out = SBUF_INIT;
    masked(m, &out, "the password is hunter2!");
    CHECK_STR(out.buf, "the password is ***!");
    masked(m, &out, "x abcdef y");
    CHECK_STR(out.buf, "x *** y");
    masked(m, &out, "abcdXYZW then abcd abcd");
    CHECK_STR(out.buf, "*** then *** ***");
    masked(m, &out, "no secrets here  ");
    CHECK_STR(out.buf, "no secrets here  ");
    sbuf_release(&out);
    run_masker_free(m);
}

static void mask_covers_encoded_forms(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    const char *secret = "p@ss w/rd\"x'<y>";
    run_masker_add(m, secret, strlen(secret));
    struct sbuf out = SBUF_INIT;
    static const char *const forms[] = {
        "cEBzcyB3L3JkIngnPHk+",            /* base64 */
        "QHNzIHcvcmQieCc8eT4=",            /* base64 of value[1:] */
        "c3Mgdy9yZCJ4Jzx5Pg==",            /* base64 of value[2:] */
        "cEBzcyB3L3JkIngnPHk-",            /* URL-safe base64 */
        "p%40ss%20w%2Frd%22x%27%3Cy%3E",   /* Uri.EscapeDataString */
        "p@ss w/rd\\\"x'<y>",              /* JSON string escape */
        "p@ss w/rd&quot;x&apos;&lt;y&gt;", /* XML escape */
        "p@ss w/rd\\\"x'<y>",              /* command-line escape */
        "p@ss w/rd\"x''<y>",               /* expression escape */
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct sbuf in = SBUF_INIT;
        sbuf_addf(&in, "[%s]", forms[i]);
        masked(m, &out, in.buf);
        if (strcmp(out.buf, "[***]"))
            harness_fail(__FILE__, __LINE__, "form %zu '%s' gave '%s'", i, forms[i], out.buf);
        sbuf_release(&in);
    }
    /* base64("user:" + secret) holds the secret's shifted form: "dXNlcjpwQHNzIHcvcmQieCc8eT4=" */
    masked(m, &out, "Authorization: Basic dXNlcjpwQHNzIHcvcmQieCc8eT4=");
    CHECK(!strstr(out.buf, "QHNzIHcvcmQieCc8eT4"));
    CHECK(strstr(out.buf, "***"));
    sbuf_release(&out);
    run_masker_free(m);
}

static void mask_handles_multiline_secrets_line_by_line(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    const char *key = "-----BEGIN KEY-----\n  line-one-secret  \r\nline-two-secret\n";
    run_masker_add(m, key, strlen(key));
    struct sbuf out = SBUF_INIT;
    masked(m, &out, "got line-two-secret and line-one-secret\n");
    CHECK_STR(out.buf, "got *** and ***\n");
    masked(m, &out, "-----BEGIN KEY-----");
    CHECK_STR(out.buf, "***");
    sbuf_release(&out);
    run_masker_free(m);
}

static void collect(const char *data, size_t len, void *payload)
{
    sbuf_add(payload, data, len);
}

static void mask_catches_secrets_split_across_reads(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    run_masker_add(m, "s3cr3t-value", 12);
    run_masker_add(m, "YWJjCg==", 8);
    const char *text = "a s3cr3t-value b YWJjCg== c s3cr3t-values3cr3t-value\nend s3cr3t-valu";
    size_t n = strlen(text);
    for (size_t step = 1; step <= n; step++) {
        struct sbuf out = SBUF_INIT;
        struct run_mask_stream s;
        run_mask_stream_init(&s, m, collect, &out);
        for (size_t i = 0; i < n; i += step)
            run_mask_stream_write(&s, text + i, i + step <= n ? step : n - i);
        run_mask_stream_finish(&s);
        run_mask_stream_release(&s);
        CHECK_STR(out.buf, "a *** b *** c ***\nend s3cr3t-valu");
        sbuf_release(&out);
    }
    run_masker_free(m);
}

static void mask_applies_values_added_mid_stream(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    struct sbuf out = SBUF_INIT;
    struct run_mask_stream s;
    run_mask_stream_init(&s, m, collect, &out);
    run_mask_stream_write(&s, "before late-secret\n", 19);
    run_masker_add(m, "late-secret", 11); /* ::add-mask:: */
    run_mask_stream_write(&s, "after late-secret\n", 18);
    run_mask_stream_finish(&s);
    run_mask_stream_release(&s);
    CHECK_STR(out.buf, "before late-secret\nafter ***\n");
    sbuf_release(&out);
    run_masker_free(m);
}

static void mask_writes_complete_lines_at_once(void)
{
    struct run_masker *m;
    run_masker_new(&m);
    run_masker_add(m, "a-rather-long-secret-value", 26);
    struct sbuf out = SBUF_INIT;
    struct run_mask_stream s;
    run_mask_stream_init(&s, m, collect, &out);
    run_mask_stream_write(&s, "first line\nsecond a-rather-long-secret-value\nthird, unfi", 56);
    CHECK_STR(out.buf, "first line\nsecond ***\n"); /* the unfinished line waits */
    run_mask_stream_write(&s, "nished a-rather-long-", 21);
    run_mask_stream_write(&s, "secret-value\n", 13);
    CHECK_STR(out.buf, "first line\nsecond ***\nthird, unfinished ***\n");
    run_mask_stream_finish(&s);
    run_mask_stream_release(&s);
    sbuf_release(&out);
    run_masker_free(m);
}

/* An independent, quadratic reference: every occurrence of every pattern, merged. */
static void naive_mask(struct sbuf *out, const char *text, size_t n, char **pats, size_t np)
{
    char *cover = xcalloc(n + 1, 1);
    for (size_t i = 0; i < np; i++) {
        size_t l = strlen(pats[i]);
        for (size_t p = 0; p + l <= n; p++) {
            if (!memcmp(text + p, pats[i], l))
                memset(cover + p, 1, l);
        }
    }
    for (size_t p = 0; p < n;) {
        if (cover[p]) {
            sbuf_addstr(out, "***");
            while (p < n && cover[p])
                p++;
        } else {
            sbuf_addch(out, text[p++]);
        }
    }
    xfree(cover);
}

static void check_against_naive(size_t min_len, size_t spread)
{
    struct run_masker *m;
    run_masker_new(&m);
    srand(7);
    char *pats[300];
    const char alpha[] = "abcdef";
    for (size_t i = 0; i < 300; i++) {
        size_t l = min_len + (size_t)rand() % spread;
        pats[i] = xcalloc(l + 1, 1);
        for (size_t j = 0; j < l; j++)
            pats[i][j] = alpha[rand() % 6];
        run_masker_add_literal(m, pats[i], l);
    }
    for (int round = 0; round < 20; round++) {
        size_t n = 2000;
        char *text = xcalloc(n + 1, 1);
        for (size_t j = 0; j < n;) {
            if (rand() % 16 == 0) { /* a whole secret, often next to or inside others */
                const char *pat = pats[rand() % 300];
                for (size_t k = 0; pat[k] && j < n; k++)
                    text[j++] = pat[k];
            } else {
                text[j++] = (rand() % 8) ? alpha[rand() % 6] : ' ';
            }
        }
        struct sbuf want = SBUF_INIT, got = SBUF_INIT;
        naive_mask(&want, text, n, pats, 300);
        struct run_mask_stream s;
        run_mask_stream_init(&s, m, collect, &got);
        for (size_t i = 0; i < n;) {
            size_t k = 1 + (size_t)rand() % 50;
            if (i + k > n)
                k = n - i;
            run_mask_stream_write(&s, text + i, k);
            i += k;
        }
        run_mask_stream_finish(&s);
        run_mask_stream_release(&s);
        int same = !strcmp(want.buf, got.buf);
        if (round == 0 && !strstr(want.buf, "***"))
            same = 0; /* the data must exercise matches */
        sbuf_release(&want);
        sbuf_release(&got);
        xfree(text);
        CHECK(same);
    }
    for (size_t i = 0; i < 300; i++)
        xfree(pats[i]);
    run_masker_free(m);
}

static void mask_matches_a_naive_reference_with_many_secrets(void)
{
    check_against_naive(3, 10);
}

/* Long secrets: the scanner samples every (min_len - 3)th position (stride 13 here). */
static void mask_matches_a_naive_reference_with_long_secrets(void)
{
    check_against_naive(16, 20);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(mask_replaces_values_and_merges_overlaps),
        TEST(mask_covers_encoded_forms),
        TEST(mask_handles_multiline_secrets_line_by_line),
        TEST(mask_catches_secrets_split_across_reads),
        TEST(mask_applies_values_added_mid_stream),
        TEST(mask_writes_complete_lines_at_once),
        TEST(mask_matches_a_naive_reference_with_many_secrets),
        TEST(mask_matches_a_naive_reference_with_long_secrets),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
