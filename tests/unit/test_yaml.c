#include "harness.h"

#include <math.h>
#include <stdio.h>

#include "util/sbuf.h"
#include "yaml/yaml.h"

static struct yml_doc *parse(const char *text, struct err *err)
{
    struct yml_doc *doc = NULL;
    if (yml_parse(&doc, "t.yml", text, strlen(text), NULL, err) < 0)
        return NULL;
    return doc;
}

/* Parses text that must fail; returns the message (static storage). */
static const char *parse_error(const char *text, size_t len, struct yml_pos *pos)
{
    static struct err err;
    struct yml_doc *doc = NULL;
    struct yml_opts opts = {.err_pos = pos};
    err = ERR_INIT;
    if (yml_parse(&doc, "t.yml", text, len, &opts, &err) == 0) {
        yml_free(doc);
        return NULL;
    }
    return err.msg;
}

static void loader_keeps_positions_and_styles(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = parse("on: push\n"
                                "jobs:\n"
                                "  build:\n"
                                "    runs-on: 'ubuntu-latest'\n"
                                "    steps:\n"
                                "      - run: |\n"
                                "          echo hi\n"
                                "      - uses: \"actions/checkout@v4\"\n",
                                &err);
    CHECK(doc != NULL);
    CHECK_INT(doc->root->kind, YML_MAPPING);
    CHECK_INT(doc->root->npairs, 2);
    struct yml_node *on = doc->root->pairs[0].value;
    CHECK_STR(on->value, "push");
    CHECK_INT(on->line, 1);
    CHECK_INT(on->col, 5);
    struct yml_node *build = yml_map_find(yml_map_find(doc->root, "jobs"), "build");
    CHECK(build != NULL);
    struct yml_node *runs_on = yml_map_find(build, "runs-on");
    CHECK_INT(runs_on->style, YML_SINGLE_QUOTED);
    CHECK_STR(runs_on->value, "ubuntu-latest");
    CHECK_INT(runs_on->raw_len, strlen("'ubuntu-latest'"));
    CHECK(!strncmp(runs_on->raw, "'ubuntu-latest'", runs_on->raw_len));
    CHECK_INT(runs_on->line, 4);
    CHECK_INT(runs_on->col, 14);
    struct yml_node *steps = yml_map_find(build, "steps");
    CHECK_INT(steps->kind, YML_SEQUENCE);
    CHECK_INT(steps->nitems, 2);
    struct yml_node *run = yml_map_find(steps->items[0], "run");
    CHECK_INT(run->style, YML_LITERAL);
    CHECK_STR(run->value, "echo hi\n");
    struct yml_node *uses = yml_map_find(steps->items[1], "uses");
    CHECK_INT(uses->style, YML_DOUBLE_QUOTED);
    CHECK_INT(uses->line, 8);
    CHECK_INT(uses->col, 15);
    CHECK_INT(steps->items[1]->line, 8);
    CHECK_INT(steps->items[1]->col, 9);
    yml_free(doc);
}

static void columns_count_characters_not_bytes(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = parse("name: \"h\xc3\xa9llo\"\nx: {a: 1, \xc3\xa9: 2, b: 3}\n", &err);
    CHECK(doc != NULL);
    struct yml_node *x = yml_map_find(doc->root, "x");
    CHECK_INT(x->style, YML_FLOW);
    struct yml_node *b = yml_map_find(x, "b");
    /* "x: {a: 1, é: 2, b: 3}": b's value is the 20th character. */
    CHECK_INT(b->col, 20);
    CHECK_INT(b->line, 2);
    CHECK_STR(b->raw, "3}\n");
    yml_free(doc);
}

static void crlf_line_endings_count_once(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = parse("a: 1\r\nb: 2\r\nc: 3\r\n", &err);
    CHECK(doc != NULL);
    struct yml_node *c = yml_map_find(doc->root, "c");
    CHECK_INT(c->line, 3);
    CHECK_INT(c->col, 4);
    CHECK_INT(c->raw_len, 1);
    yml_free(doc);
}

static void anchors_tags_and_aliases_are_kept(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = parse("a: &x {k: v}\nb: *x\nc: !!str 12\n", &err);
    CHECK(doc != NULL);
    struct yml_node *a = yml_map_find(doc->root, "a");
    struct yml_node *b = yml_map_find(doc->root, "b");
    CHECK(a == b);
    CHECK_STR(a->anchor, "x");
    CHECK_INT(doc->alias_count, 1);
    struct yml_node *c = yml_map_find(doc->root, "c");
    CHECK_STR(c->tag, "tag:yaml.org,2002:str");
    CHECK_STR(c->value, "12");
    CHECK_INT(c->raw_len, 2);
    /* root, three keys, {k: v} twice (through the alias), the scalar 12 */
    CHECK_INT(doc->root->expanded, 1 + 3 + 3 + 3 + 1);
    yml_free(doc);
}

static void scalars_convert_like_yaml_core_schema(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc =
        parse("[true, False, 'true', ~, null, '', 0x1F, 0o17, -1.5e2, .inf, abc, 1_000]", &err);
    CHECK(doc != NULL);
    struct yml_node **it = doc->root->items;
    bool bv;
    double d;
    CHECK(yml_as_bool(it[0], &bv) && bv);
    CHECK(yml_as_bool(it[1], &bv) && !bv);
    CHECK(!yml_as_bool(it[2], &bv)); /* quoted: a string */
    CHECK(yml_is_null(it[3]));
    CHECK(yml_is_null(it[4]));
    CHECK(!yml_is_null(it[5]));
    CHECK(yml_as_number(it[6], &d) && d == 31);
    CHECK(yml_as_number(it[7], &d) && d == 15);
    CHECK(yml_as_number(it[8], &d) && d == -150);
    CHECK(yml_as_number(it[9], &d) && isinf(d));
    CHECK(!yml_as_number(it[10], &d));
    CHECK(!yml_as_number(it[11], &d)); /* YAML 1.2 has no '_' separators */
    yml_free(doc);
}

/*
 * The core schema resolves a plain scalar by its pattern (YAML 1.2.2, 10.3.2), not by whether
 * the value fits a double: out of range it is still a float, rounded as parseFloat rounds it
 * (Infinity, -Infinity, 0), which is what the reference parser's round-to-infinity case expects.
 */
static void numbers_out_of_range_still_resolve_as_numbers(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = parse("[1e400, -1e400, 1e-400, 99999999999999999999999999.5]", &err);
    CHECK(doc != NULL);
    struct yml_node **it = doc->root->items;
    double d = 0;
    CHECK(yml_as_number(it[0], &d) && isinf(d) && d > 0);
    CHECK(yml_as_number(it[1], &d) && isinf(d) && d < 0);
    CHECK(yml_as_number(it[2], &d) && d == 0);
    CHECK(yml_as_number(it[3], &d) && d == 1e26);
    yml_free(doc);
}

struct bad_case {
    const char *name;
    const char *text;
    size_t line, col;
    const char *needle;
};

static void malformed_yaml_is_located(void)
{
    static const struct bad_case cases[] = {
        {"tab indentation", "a:\n\tb: 1\n", 2, 1, "tab"},
        {"unclosed quote", "a: \"open\nb: 2\n", 3, 1, "quoted scalar"},
        {"bad indentation", "a:\n  b: 1\n c: 2\n", 3, 2, "expected key"},
        {"duplicate key", "a: 1\nb: 2\na: 3\n", 3, 1, "'a' is already defined"},
        {"duplicate nested key", "x:\n  k: 1\n  k: 2\n", 3, 3, "'k' is already defined"},
        {"empty file", "", 1, 1, "empty"},
        {"only comments", "# nothing\n", 1, 1, "empty"},
        {"two documents", "a: 1\n---\nb: 2\n", 2, 1, "one YAML document"},
        {"unknown alias", "a: *nope\n", 1, 4, "unknown anchor 'nope'"},
        {"self alias", "a: &s [1, *s]\n", 1, 11, "unknown anchor 's'"},
        {"unclosed flow", "a: [1, 2\n", 2, 1, "flow sequence"},
        {"multi-line duplicate key", "? |\n  a\n  b\n: 1\n? |\n  a\n  b\n: 2\n", 5, 3,
         "'a\\nb\\n' is already defined"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct yml_pos pos = {0};
        const char *msg = parse_error(cases[i].text, strlen(cases[i].text), &pos);
        if (!msg) {
            harness_fail(__FILE__, __LINE__, "%s: accepted", cases[i].name);
            return;
        }
        char where[64];
        snprintf(where, sizeof(where), "t.yml (Line: %zu, Col: %zu): ", cases[i].line,
                 cases[i].col);
        if (strncmp(msg, where, strlen(where)) || !strstr(msg, cases[i].needle) ||
            strchr(msg, '\n') || pos.line != cases[i].line || pos.col != cases[i].col) {
            harness_fail(__FILE__, __LINE__, "%s: got '%s' at %zu:%zu", cases[i].name, msg,
                         pos.line, pos.col);
            return;
        }
    }
}

static void non_utf8_is_located(void)
{
    struct yml_pos pos = {0};
    const char *msg = parse_error("a: 1\nb: caf\xe9\n", 13, &pos);
    CHECK(msg != NULL);
    CHECK(strstr(msg, "t.yml (Line: 2, Col: 7): invalid UTF-8 byte 0xe9") == msg);
    msg = parse_error("a: \xc0\xaf\n", 6, &pos); /* overlong '/' */
    CHECK(msg != NULL);
    CHECK(strstr(msg, "(Line: 1, Col: 4)") != NULL);
    msg = parse_error("a: 1\0\n", 6, &pos);
    CHECK(msg != NULL);
    CHECK(strstr(msg, "NUL") != NULL);
}

static void alias_bomb_fails_cleanly(void)
{
    struct sbuf text = SBUF_INIT;
    sbuf_addstr(&text, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
        sbuf_addf(&text, "a%d: &a%d [", i, i);
        for (int k = 0; k < 10; k++)
            sbuf_addf(&text, "%s*a%d", k ? ", " : "", i - 1);
        sbuf_addstr(&text, "]\n");
    }
    struct yml_pos pos = {0};
    const char *msg = parse_error(text.buf, text.len, &pos);
    CHECK(msg != NULL);
    CHECK(strstr(msg, "expands to more than") != NULL);
    CHECK_INT(pos.line, 6); /* 10^6 nodes are passed on line 6 */
    sbuf_release(&text);
}

static void nesting_depth_is_bounded(void)
{
    struct sbuf text = SBUF_INIT;
    sbuf_addchars(&text, '[', 5000);
    sbuf_addchars(&text, ']', 5000);
    struct yml_pos pos = {0};
    const char *msg = parse_error(text.buf, text.len, &pos);
    CHECK(msg != NULL);
    CHECK(strstr(msg, "maximum nesting depth") != NULL);
    sbuf_release(&text);
}

static void options_allow_empty_and_duplicates(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = NULL;
    struct yml_opts opts = {.allow_empty = true, .allow_duplicate_keys = true};
    CHECK_INT(yml_parse(&doc, "e.yml", "", 0, &opts, &err), 0);
    CHECK(doc->root == NULL);
    yml_free(doc);
    CHECK_INT(yml_parse(&doc, "d.yml", "a: 1\na: 2\n", 10, &opts, &err), 0);
    CHECK_INT(doc->root->npairs, 2);
    yml_free(doc);
}

static void load_reads_files_and_names_them(void)
{
    struct err err = ERR_INIT;
    struct yml_doc *doc = NULL;
    CHECK(yml_load(&doc, "/nonexistent/ci.yml", NULL, &err) < 0);
    CHECK(strstr(err.msg, "'/nonexistent/ci.yml'") != NULL);
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/ci.yml", harness_tmpdir());
    FILE *f = fopen(path.buf, "w");
    CHECK(f != NULL);
    fputs("on: [push\n", f);
    fclose(f);
    CHECK(yml_load(&doc, path.buf, NULL, &err) < 0);
    CHECK(strstr(err.msg, path.buf) == err.msg);
    CHECK(strstr(err.msg, "(Line: 2, Col: 1)") != NULL);
    sbuf_release(&path);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(loader_keeps_positions_and_styles),
        TEST(columns_count_characters_not_bytes),
        TEST(crlf_line_endings_count_once),
        TEST(anchors_tags_and_aliases_are_kept),
        TEST(scalars_convert_like_yaml_core_schema),
        TEST(numbers_out_of_range_still_resolve_as_numbers),
        TEST(malformed_yaml_is_located),
        TEST(non_utf8_is_located),
        TEST(alias_bomb_fails_cleanly),
        TEST(nesting_depth_is_bounded),
        TEST(options_allow_empty_and_duplicates),
        TEST(load_reads_files_and_names_them),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
