/* UTF-8 checks shared by the JSON and SVG writers, which must not emit ill-formed text. */
#include "report/internal.h"

size_t report_utf8_len(const char *s, uint32_t *cp_out)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    size_t n;
    if (*p < 0x80) {
        cp = *p;
        n = 1;
    } else if (*p >= 0xC2 && *p <= 0xDF) {
        cp = *p & 0x1F;
        n = 2;
    } else if (*p >= 0xE0 && *p <= 0xEF) {
        cp = *p & 0x0F;
        n = 3;
    } else if (*p >= 0xF0 && *p <= 0xF4) {
        cp = *p & 0x07;
        n = 4;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are ill-formed (RFC 3629) */
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *cp_out = cp;
    return n;
}
