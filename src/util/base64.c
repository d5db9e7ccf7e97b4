#include "util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct sbuf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    sbuf_grow(out, (len + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63],
                        alphabet[v & 63]};
        sbuf_add(out, quad, 4);
    }
    if (len - i == 1) {
        unsigned v = (unsigned)p[i] << 16;
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '='};
        sbuf_add(out, quad, 4);
    } else if (len - i == 2) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '='};
        sbuf_add(out, quad, 4);
    }
}

static int value_of(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

bool base64_decode(struct sbuf *out, const char *text, size_t len)
{
    if (len % 4)
        return false;
    size_t start = out->len;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        size_t pad = 0;
        for (size_t j = 0; j < 4; j++) {
            char ch = text[i + j];
            if (ch == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
            } else if (pad) {
                goto bad; /* data after padding */
            } else {
                v[j] = value_of(ch);
                if (v[j] < 0)
                    goto bad;
            }
        }
        unsigned u =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        char bytes[3] = {(char)(u >> 16), (char)(u >> 8), (char)u};
        sbuf_add(out, bytes, 3 - pad);
    }
    return true;
bad:
    sbuf_setlen(out, start);
    return false;
}
