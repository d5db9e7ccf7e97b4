/*
 * libFuzzer target for the YAML loader: any bytes must load or fail with a located one-line
 * message; never crash, leak or trip a sanitizer. Seeds: the workflow files under ../shared
 * (fuzz/run.sh gathers them into a scratch corpus).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yml_doc *doc = NULL;
    struct err err = ERR_INIT;
    struct yml_opts opts = {.max_expanded_nodes = 100000};
    if (yml_parse(&doc, "fuzz.yml", (const char *)data, size, &opts, &err) == 0) {
        /* Touch the tree so that bad pointers would be found. */
        struct yml_node *root = doc->root;
        if (root->kind == YML_MAPPING && root->npairs)
            (void)yml_map_find(root, root->pairs[0].key->value ? root->pairs[0].key->value : "");
        yml_free(doc);
    } else if (strchr(err.msg, '\n') || !strstr(err.msg, "fuzz.yml")) {
        __builtin_trap(); /* messages are one line and name the file */
    }
    return 0;
}
