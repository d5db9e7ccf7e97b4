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
        /* A normalised path never climbs out, never starts with '/' and has no .git part. */
        if (out.buf[0] == '/' || strstr(out.buf, "..") == out.buf || !strcmp(out.buf, ".git"))
            BUG("bad normalised path '%s'", out.buf);
    }
    sbuf_release(&out);
    xfree(s);
    return 0;
}
