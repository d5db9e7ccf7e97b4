/*
 * Workflow commands. Expected results follow GitHub's documentation ("Workflow commands for
 * GitHub Actions") and actions/runner's ActionCommand/ActionCommandManager behaviour.
 */
#include "run/command.h"

#include <string.h>

#include "harness.h"

static struct run_cmd_parser parser;

static void parse(struct run_cmd *c, const char *line)
{
    run_cmd_release(c);
    run_cmd_parse(&parser, c, line, strlen(line));
}

static void cmd_plain_lines_are_output(void)
{
    run_cmd_parser_init(&parser, NULL);
    struct run_cmd c = RUN_CMD_INIT;
    parse(&c, "hello ::world");
    CHECK_INT(c.kind, RUN_CMD_NONE);
    CHECK(c.is_shown);
    CHECK_STR(c.shown.buf, "hello ::world");
    parse(&c, "::unknown-cmd::x");
    CHECK_INT(c.kind, RUN_CMD_NONE);
    CHECK_STR(c.shown.buf, "::unknown-cmd::x");
    parse(&c, "::Group::case matters");
    CHECK_INT(c.kind, RUN_CMD_NONE);
    parse(&c, "::group");
    CHECK_INT(c.kind, RUN_CMD_NONE);
    run_cmd_release(&c);
    run_cmd_parser_release(&parser);
}

static void cmd_group_and_annotations(void)
{
    run_cmd_parser_init(&parser, NULL);
    struct run_cmd c = RUN_CMD_INIT;
    parse(&c, "  ::group::My title");
    CHECK_INT(c.kind, RUN_CMD_GROUP);
    CHECK_STR(c.data.buf, "My title");
    CHECK(!c.is_shown); /* echo is off by default */
    parse(&c, "::endgroup::");
    CHECK_INT(c.kind, RUN_CMD_ENDGROUP);
    parse(&c, "::error file=app.js,line=10,col=15,endColumn=20,title=A%2C B%3A C::Something "
              "went wrong%0Aline two %2525");
    CHECK_INT(c.kind, RUN_CMD_ERROR);
    CHECK_STR(c.file.buf, "app.js");
    CHECK_STR(c.title.buf, "A, B: C");
    CHECK_INT(c.line, 10);
    CHECK_INT(c.col, 15);
    CHECK_INT(c.end_col, 20);
    CHECK_STR(c.data.buf, "Something went wrong\nline two %25");
    parse(&c, "::warning FILE=a.c,Line=3::w");
    CHECK_INT(c.kind, RUN_CMD_WARNING);
    CHECK_STR(c.file.buf, "a.c"); /* property names ignore case */
    CHECK_INT(c.line, 3);
    /* Columns without a line are dropped; endLine before line drops both. */
    parse(&c, "::notice col=4::n");
    CHECK_INT(c.kind, RUN_CMD_NOTICE);
    CHECK_INT(c.col, 0);
    parse(&c, "::notice line=9,endLine=2::n");
    CHECK_INT(c.line, 0);
    CHECK_INT(c.end_line, 0);
    parse(&c, "::debug::dbg %0D");
    CHECK_INT(c.kind, RUN_CMD_DEBUG);
    CHECK_STR(c.data.buf, "dbg \r");
    /* The old ##[...] form. */
    parse(&c, "prefix ##[warning file=x.c;line=2]old style%3B");
    CHECK_INT(c.kind, RUN_CMD_WARNING);
    CHECK_STR(c.file.buf, "x.c");
    CHECK_STR(c.data.buf, "old style;");
    run_cmd_release(&c);
    run_cmd_parser_release(&parser);
}

static void cmd_stop_commands_until_token(void)
{
    run_cmd_parser_init(&parser, NULL);
    struct run_cmd c = RUN_CMD_INIT;
    parse(&c, "::stop-commands::pause-token-1234");
    CHECK_INT(c.kind, RUN_CMD_STOP_COMMANDS);
    CHECK_STR(c.mask_value.buf, "pause-token-1234");
    parse(&c, "::error::not an error now");
    CHECK_INT(c.kind, RUN_CMD_NONE);
    CHECK_STR(c.shown.buf, "::error::not an error now");
    parse(&c, "::PAUSE-TOKEN-1234::"); /* the runner registers the token as written */
    CHECK_INT(c.kind, RUN_CMD_NONE);
    parse(&c, "::pause-token-1234::");
    CHECK_INT(c.kind, RUN_CMD_RESUME_COMMANDS);
    parse(&c, "::error::an error again");
    CHECK_INT(c.kind, RUN_CMD_ERROR);
    parse(&c, "::stop-commands::short");
    CHECK_INT(c.kind, RUN_CMD_STOP_COMMANDS);
    CHECK_INT(c.mask_value.len, 0); /* 6 characters or fewer are not masked */
    parse(&c, "::short::");
    CHECK_INT(c.kind, RUN_CMD_RESUME_COMMANDS);
    parse(&c, "::stop-commands::pause-logging");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    CHECK(strstr(c.problem.buf, "You cannot use a endToken that is an empty string"));
    parse(&c, "::stop-commands::group");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    run_cmd_release(&c);
    run_cmd_parser_release(&parser);
}

static void cmd_unsecure_commands_need_the_opt_in(void)
{
    run_cmd_parser_init(&parser, NULL);
    struct run_cmd c = RUN_CMD_INIT;
    parse(&c, "::set-env name=foo::bar");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    CHECK(strstr(c.problem.buf, "The `set-env` command is disabled."));
    parse(&c, "::add-path::/opt/bin");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    CHECK(strstr(c.problem.buf, "The `add-path` command is disabled."));
    /* set-output keeps working with a deprecation warning, as on GitHub. */
    parse(&c, "::set-output name=zoo::zar");
    CHECK_INT(c.kind, RUN_CMD_SET_OUTPUT);
    CHECK_STR(c.name.buf, "zoo");
    CHECK_STR(c.data.buf, "zar");
    CHECK_INT(c.note_kind, RUN_CMD_WARNING);
    CHECK(strstr(c.note.buf, "The `set-output` command is deprecated"));
    parse(&c, "::set-output::no name");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    CHECK_STR(c.problem.buf, "Required field 'name' is missing in ##[set-output] command.");
    run_cmd_parser_release(&parser);

    CHECK(run_cmd_is_true(" TRUE "));
    CHECK(!run_cmd_is_true("1"));
    struct run_cmd_parser_opts o = {.allow_unsecure_commands = true};
    run_cmd_parser_init(&parser, &o);
    parse(&c, "::set-env name=foo::bar");
    CHECK_INT(c.kind, RUN_CMD_SET_ENV);
    CHECK_STR(c.name.buf, "foo");
    CHECK_STR(c.data.buf, "bar");
    parse(&c, "::add-path::/opt/bin");
    CHECK_INT(c.kind, RUN_CMD_ADD_PATH);
    CHECK_STR(c.data.buf, "/opt/bin");
    parse(&c, "::set-env name=node_options::--x");
    CHECK_INT(c.kind, RUN_CMD_ERROR);
    CHECK(strstr(c.data.buf, "Can't update NODE_OPTIONS"));
    run_cmd_release(&c);
    run_cmd_parser_release(&parser);
}

static void cmd_add_mask_and_echo(void)
{
    run_cmd_parser_init(&parser, NULL);
    struct run_cmd c = RUN_CMD_INIT;
    parse(&c, "::add-mask::secret value");
    CHECK_INT(c.kind, RUN_CMD_ADD_MASK);
    CHECK_STR(c.data.buf, "secret value");
    CHECK(!c.is_shown);
    parse(&c, "::add-mask::   ");
    CHECK_INT(c.note_kind, RUN_CMD_WARNING);
    CHECK_STR(c.note.buf, "Can't add secret mask for empty string in ##[add-mask] command.");
    parse(&c, "::echo::on");
    CHECK_INT(c.kind, RUN_CMD_ECHO);
    CHECK(c.is_echo_on);
    CHECK(!c.is_shown); /* echoed only from the next command on */
    parse(&c, "::group::g");
    CHECK(c.is_shown);
    CHECK_STR(c.shown.buf, "::group::g");
    parse(&c, "::add-mask::hidden");
    CHECK(c.is_shown);
    CHECK_STR(c.shown.buf, "::add-mask::***");
    parse(&c, "::error::e");
    CHECK(!c.is_shown); /* annotations are never echoed */
    parse(&c, "::echo::maybe");
    CHECK_INT(c.kind, RUN_CMD_FAILED);
    CHECK_STR(c.problem.buf, "Invalid echo command value. Possible values can be: 'on', 'off'. "
                             "Current value is: 'maybe'.");
    run_cmd_release(&c);
    run_cmd_parser_release(&parser);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(cmd_plain_lines_are_output),    TEST(cmd_group_and_annotations),
        TEST(cmd_stop_commands_until_token), TEST(cmd_unsecure_commands_need_the_opt_in),
        TEST(cmd_add_mask_and_echo),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
