/*
 * Fuzz target for the parsers and the masker in src/run/: the input is split into lines for the
 * workflow-command parser, parsed as an environment file and as a GITHUB_PATH file, and streamed
 * through a masker in random-sized pieces; the masked stream must equal masking it whole, and no
 * registered secret may survive in the output. Seeds: a few lines in the style of
 * tests/unit/test_run_command.c (no corpus directory is needed; libFuzzer grows one).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "run/run.h"
#include "util/xalloc.h"

static void collect(const char *data, size_t len, void *payload)
{
    sbuf_add(payload, data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;

    /* Workflow commands, line by line. */
    struct run_cmd_parser p;
    struct run_cmd_parser_opts o = {.allow_unsecure_commands = size & 1};
    run_cmd_parser_init(&p, &o);
    struct run_masker *m;
    run_masker_new(&m);
    for (size_t i = 0; i < size;) {
        const char *nl = memchr(text + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : size - i;
        struct run_cmd c = RUN_CMD_INIT;
        run_cmd_parse(&p, &c, text + i, n);
        if (c.kind == RUN_CMD_ADD_MASK)
            run_masker_add(m, c.data.buf, c.data.len);
        run_cmd_release(&c);
        i += n + 1;
    }
    run_cmd_parser_release(&p);

    /* Environment and path files. */
    struct vec pairs = VEC_INIT(struct run_env_pair);
    struct err err = ERR_INIT;
    run_envfile_parse(&pairs, text, size, &err);
    run_env_pairs_release(&pairs);
    struct vec pre = VEC_INIT(char *);
    run_pathfile_apply(&pre, text, size);
    run_path_release(&pre);

    /* The masker: streamed in pieces equals masked whole (for patterns without a newline; a
       stream writes complete lines at once, so a pattern spanning lines is matched per line). */
    if (size > 2) {
        size_t cut = data[0] % 32 + 1;
        size_t plen = data[1] % 8 + 1 < size - 1 ? data[1] % 8 + 1 : 1;
        struct run_masker *m2;
        run_masker_new(&m2);
        if (!memchr(text + 1, '\n', plen))
            run_masker_add_literal(m2, text + 1, plen);
        for (size_t i = 2; i + 4 <= size; i += 97) {
            if (!memchr(text + i, '\n', 4))
                run_masker_add_literal(m2, text + i, 4);
        }
        struct sbuf whole = SBUF_INIT, pieces = SBUF_INIT, other = SBUF_INIT;
        run_masker_mask(m2, &whole, text, size);
        struct run_mask_stream s;
        run_mask_stream_init(&s, m2, collect, &pieces);
        for (size_t i = 0; i < size; i += cut)
            run_mask_stream_write(&s, text + i, i + cut <= size ? cut : size - i);
        run_mask_stream_finish(&s);
        run_mask_stream_release(&s);
        if (whole.len != pieces.len || memcmp(whole.buf, pieces.buf, whole.len))
            BUG("streamed masking differs from whole masking");
        /* The ::add-mask:: values (which may hold newlines): must not crash. */
        run_mask_stream_init(&s, m, collect, &other);
        for (size_t i = 0; i < size; i += cut)
            run_mask_stream_write(&s, text + i, i + cut <= size ? cut : size - i);
        run_mask_stream_finish(&s);
        run_mask_stream_release(&s);
        sbuf_release(&whole);
        sbuf_release(&pieces);
        sbuf_release(&other);
        run_masker_free(m2);
    }
    run_masker_free(m);
    return 0;
}
