/*
 * Case-insensitive comparison as GitHub's engines do it: the C# runner compares strings with
 * OrdinalIgnoreCase (simple upper-case mapping of each character) and the TypeScript engine
 * upper-cases both sides except the Turkish dotless i (U+0131). The conformance data checks
 * Latin-1, Greek final sigma, Cyrillic and the Turkish i's. This file holds the simple upper-case
 * mapping for the scripts in common use; other code points compare as they are.
 */
#include <string.h>

#include "expr/internal.h"

uint32_t expr_utf8_next(const char *str, size_t len, size_t *i)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t k = *i;
    uint32_t c = s[k];
    size_t need = 0;
    if (c < 0x80) {
        *i = k + 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0) {
        need = 1;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3;
        c &= 0x07;
    } else {
        *i = k + 1;
        return 0xDC00 | s[k]; /* a stray byte: a value no valid character has */
    }
    if (k + need >= len) {
        *i = k + 1;
        return 0xDC00 | s[k];
    }
    for (size_t j = 1; j <= need; j++) {
        if ((s[k + j] & 0xC0) != 0x80) {
            *i = k + 1;
            return 0xDC00 | s[k];
        }
        c = (c << 6) | (s[k + j] & 0x3F);
    }
    *i = k + need + 1;
    return c;
}

size_t expr_char_pos(const char *s, size_t off)
{
    size_t pos = 1;
    size_t i = 0;
    /* ASCII, 8 bytes at a time: one unit a byte */
    for (uint64_t w; i + 8 <= off && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ull));)
        i += 8;
    pos += i;
    for (; i < off; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;                      /* continuation byte */
        pos += (c & 0xF8) == 0xF0 ? 2 : 1; /* 4-byte sequences are two UTF-16 units */
    }
    return pos;
}

uint32_t expr_upper(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') ? c - 32 : c;
    if (c < 0x100) {
        if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
            return c - 0x20;
        if (c == 0xFF)
            return 0x178;
        if (c == 0xB5)
            return 0x39C;
        return c;
    }
    if (c == 0x131)
        return c; /* dotless i stays (both engines agree 'ı' != 'I') */
    if (c == 0x17F)
        return 'S';
    if (c >= 0x100 && c <= 0x17F) {
        /* Latin Extended-A: pairs, even upper / odd lower, except 0x139-0x148 and 0x179-0x17E */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c : c - 1;
        if (c == 0x130 || c == 0x138 || c == 0x149)
            return c;
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0x180 && c <= 0x24F) {
        /* Latin Extended-B: the regular pairs */
        if ((c >= 0x1CD && c <= 0x1DC))
            return (c & 1) ? c : c - 1;
        if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) ||
            (c >= 0x222 && c <= 0x233) || (c >= 0x246 && c <= 0x24F))
            return (c & 1) ? c - 1 : c;
        if (c == 0x1C6 || c == 0x1C9 || c == 0x1CC || c == 0x1F3)
            return c - 2;
        return c;
    }
    if (c >= 0x370 && c <= 0x3FF) {
        if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)
            return c - 0x20;
        if (c == 0x3C2)
            return 0x3A3;
        if (c == 0x3AC)
            return 0x386;
        if (c >= 0x3AD && c <= 0x3AF)
            return c - 37;
        if (c == 0x3CC)
            return 0x38C;
        if (c == 0x3CD || c == 0x3CE)
            return c - 63;
        if (c >= 0x3D8 && c <= 0x3EF)
            return (c & 1) ? c - 1 : c;
        return c;
    }
    if (c >= 0x400 && c <= 0x52F) {
        if (c >= 0x430 && c <= 0x44F)
            return c - 0x20;
        if (c >= 0x450 && c <= 0x45F)
            return c - 0x50;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
            return (c & 1) ? c - 1 : c;
        if (c >= 0x4C1 && c <= 0x4CE)
            return (c & 1) ? c : c - 1;
        if (c == 0x4CF)
            return 0x4C0;
        return c;
    }
    if (c >= 0x561 && c <= 0x586)
        return c - 0x30;
    if (c >= 0x1E00 && c <= 0x1EFF) {
        if (c >= 0x1E96 && c <= 0x1E9F)
            return c;
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0x2170 && c <= 0x217F)
        return c - 0x10;
    if (c >= 0x24D0 && c <= 0x24E9)
        return c - 26;
    if (c >= 0xFF41 && c <= 0xFF5A)
        return c - 0x20;
    return c;
}

int expr_casecmp(struct str a, struct str b)
{
    size_t i = 0;
    size_t j = 0;
    while (i < a.len && j < b.len) {
        unsigned char x = (unsigned char)a.p[i];
        unsigned char y = (unsigned char)b.p[j];
        if (x < 0x80 && y < 0x80) {
            int ux = (x >= 'a' && x <= 'z') ? x - 32 : x;
            int uy = (y >= 'a' && y <= 'z') ? y - 32 : y;
            if (ux != uy)
                return ux - uy;
            i++;
            j++;
            continue;
        }
        uint32_t cx = expr_upper(expr_utf8_next(a.p, a.len, &i));
        uint32_t cy = expr_upper(expr_utf8_next(b.p, b.len, &j));
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    if (i < a.len)
        return 1;
    if (j < b.len)
        return -1;
    return 0;
}

/* Matches needle at hay[at]; returns the bytes of hay consumed, or 0 when it does not match. */
static size_t match_here(struct str hay, size_t at, struct str needle)
{
    size_t i = at;
    size_t j = 0;
    while (j < needle.len) {
        if (i >= hay.len)
            return 0;
        uint32_t x = expr_upper(expr_utf8_next(hay.p, hay.len, &i));
        uint32_t y = expr_upper(expr_utf8_next(needle.p, needle.len, &j));
        if (x != y)
            return 0;
    }
    return i - at;
}

long expr_casefind(struct str hay, struct str needle)
{
    if (!needle.len)
        return 0;
    for (size_t at = 0; at < hay.len;) {
        if (match_here(hay, at, needle))
            return (long)at;
        expr_utf8_next(hay.p, hay.len, &at);
    }
    return -1;
}

bool expr_case_prefix(struct str s, struct str affix)
{
    return affix.len == 0 || match_here(s, 0, affix) > 0;
}

bool expr_case_suffix(struct str s, struct str affix)
{
    if (!affix.len)
        return true;
    /* Try each character boundary from which the rest of s could match. */
    for (size_t at = 0; at < s.len;) {
        size_t used = match_here(s, at, affix);
        if (used && at + used == s.len)
            return true;
        expr_utf8_next(s.p, s.len, &at);
    }
    return false;
}
