/*
 * libFuzzer target for src/actions/: the first byte picks what the rest is fed to.
 *   0: actions_ref_parse (then the canonical form must parse to the same reference)
 *   1: actions_version_satisfies ("have\nspec")
 *   2: actions_unpack_tarball on the bytes as a tarball (any format/filter libarchive reads),
 *      into a fresh directory that is removed afterwards; nothing may appear outside it
 * Seeds: fuzz/run.sh actions writes a few valid references, versions and tarballs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions/actions.h"
#include "util/path.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ref(const char *s)
{
    struct actions_ref r;
    struct err err = ERR_INIT;
    if (actions_ref_parse(&r, s, &err) < 0)
        return;
    struct sbuf canon = SBUF_INIT;
    actions_ref_format(&canon, &r);
    struct actions_ref again;
    if (actions_ref_parse(&again, canon.buf, &err) < 0)
        BUG("canonical form does not parse");
    if (again.kind != r.kind)
        BUG("canonical form parses differently");
    actions_ref_release(&again);
    sbuf_release(&canon);
    actions_ref_release(&r);
}

static void fuzz_unpack(const uint8_t *data, size_t size)
{
    static char base[64];
    if (!base[0]) {
        snprintf(base, sizeof(base), "/tmp/actions-fuzz-XXXXXX");
        if (!mkdtemp(base))
            BUG("mkdtemp");
    }
    struct sbuf tar = SBUF_INIT;
    struct sbuf dest = SBUF_INIT;
    struct err err = ERR_INIT;
    sbuf_addf(&tar, "%s/in.tar", base);
    sbuf_addf(&dest, "%s/out", base);
    if (fs_write_file(tar.buf, data, size, &err) == 0) {
        actions_unpack_tarball(tar.buf, dest.buf, "fuzz/fuzz@v1", &err);
        fs_remove_tree(dest.buf, &err);
    }
    sbuf_release(&tar);
    sbuf_release(&dest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = xstrndup((const char *)data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        fuzz_ref(s);
        break;
    case 1: {
        char *nl = strchr(s, '\n');
        bool bad;
        if (nl) {
            *nl = '\0';
            actions_version_satisfies(s, nl + 1, &bad);
        }
        break;
    }
    default:
        fuzz_unpack(data + 1, size - 1);
        break;
    }
    xfree(s);
    return 0;
}
