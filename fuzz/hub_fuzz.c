/*
 * Fuzzes the hub's parsers of untrusted text: the Space card front matter (README.md) and
 * path-in-repo normalisation. Seed corpus: workflows/ml-example/app/README.md and the cards in
 * tests/unit/test_hub.c. Run: fuzz/run.sh hub 600
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hub/hub.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    hub_check_space_card((const char *)data, size, &err);
    char *s = xstrndup((const char *)data, size < 4096 ? size : 4096);
    struct sbuf out = SBUF_INIT;
    if (hub_normalize_path(&out, s, &err) == 0) {
        /* A normalised path is relative, has no empty, '.', '..', '.git' or '.cache' component. */
        if (out.buf[0] == '/' || out.len == 0)
            BUG("bad normalised path '%s'", out.buf);
        const char *p = out.buf;
        while (*p) {
            size_t n = strcspn(p, "/");
            if (!n || (n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)) ||
                (n == 4 && !memcmp(p, ".git", 4)) || (n == 6 && !memcmp(p, ".cache", 6)))
                BUG("bad component in normalised path '%s'", out.buf);
            p += n;
            if (*p == '/')
                p++;
        }
    }
    sbuf_release(&out);
    xfree(s);
    return 0;
}
