#ifndef RUN_COMMAND_H
#define RUN_COMMAND_H

/*
 * Workflow commands: the "::name key=value,...::data" lines (and the older "##[name k=v;]data")
 * a step prints to talk to the runner. run_cmd_parse() is a pure function of the parser state
 * and one output line (without its newline); it says what the line asks for and never acts.
 * The step runner applies the result: it prints plain lines, opens and closes groups, records
 * annotations, adds masks, sets outputs/env/state/path.
 *
 * What is matched, after actions/runner (ActionCommand.TryParseV2/TryParse and
 * ActionCommandManager):
 *   - leading whitespace is skipped; the command name is case-sensitive and must be one of the
 *     runner's commands, otherwise the line is ordinary output (RUN_CMD_NONE);
 *   - properties are split on ',' then on the first '='; names are case-insensitive; values
 *     unescape %0D %0A %3A %2C %25, the data unescapes %0D %0A %25 (in that order);
 *   - ::stop-commands::TOKEN stops all processing until a line "::TOKEN::" (token compared
 *     exactly as written); a token that is empty, "pause-logging" or a command name is refused
 * unless ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS is true; a token longer than 6 characters is to
 * be masked (mask_value);
 *   - ::set-env:: and ::add-path:: need ACTIONS_ALLOW_UNSECURE_COMMANDS=true (GitHub's message
 *     otherwise); ::set-output:: and ::save-state:: always work, with GitHub's deprecation
 *     warning (the act conformance cases rely on that);
 *   - annotations (error/warning/notice) carry file, line, endLine, col, endColumn and title,
 *     with GitHub's corrections of inconsistent lines and columns;
 *   - ::echo::on|off decides whether command lines are shown (off by default, as on GitHub).
 *
 * Lifecycle: struct run_cmd_parser p; run_cmd_parser_init(&p, &opts); then per line
 * struct run_cmd c = RUN_CMD_INIT; run_cmd_parse(&p, &c, line, len); use c; run_cmd_release(&c);
 * finally run_cmd_parser_release(&p).
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/sbuf.h"

enum run_cmd_kind {
    RUN_CMD_NONE,  /* ordinary output: print the line */
    RUN_CMD_GROUP, /* data: the group title */
    RUN_CMD_ENDGROUP,
    RUN_CMD_DEBUG,  /* data: the message (shown only with step debug logging) */
    RUN_CMD_NOTICE, /* annotations: data is the message, see file/line/... */
    RUN_CMD_WARNING,
    RUN_CMD_ERROR,
    RUN_CMD_ADD_MASK,        /* data: the value to mask (run_masker_add) */
    RUN_CMD_STOP_COMMANDS,   /* processing stops until the token (data) comes back */
    RUN_CMD_RESUME_COMMANDS, /* the token came back */
    RUN_CMD_ECHO,            /* is_echo_on tells the new setting */
    RUN_CMD_SET_OUTPUT,      /* name, data */
    RUN_CMD_SAVE_STATE,      /* name, data */
    RUN_CMD_SET_ENV,         /* name, data */
    RUN_CMD_ADD_PATH,        /* data: the directory to put in front of PATH */
    RUN_CMD_ADD_MATCHER,     /* data: a problem matcher file (not applied by runnel yet) */
    RUN_CMD_REMOVE_MATCHER,  /* name: the owner property */
    RUN_CMD_FAILED,          /* a command GitHub refuses: the step fails with `problem` */
};

struct run_cmd {
    enum run_cmd_kind kind;
    struct sbuf name; /* the name= property (owner= for remove-matcher) */
    struct sbuf data; /* the message or value, unescaped */
    /* Annotation properties; the numbers are 0 when absent. */
    struct sbuf file;
    struct sbuf title;
    long line, end_line, col, end_col;
    /* An annotation GitHub adds about the command itself (deprecation, blocked name). */
    enum run_cmd_kind note_kind; /* RUN_CMD_NONE, RUN_CMD_WARNING or RUN_CMD_ERROR */
    struct sbuf note;
    struct sbuf problem;    /* for RUN_CMD_FAILED: "Unable to process command ..." detail */
    struct sbuf mask_value; /* a value the runner masks (a long stop token) */
    bool is_shown;          /* print the line itself in the log (ordinary output, or echo on) */
    struct sbuf shown;      /* what to print when is_shown (the line, or "::add-mask::***") */
    bool is_echo_on;        /* for RUN_CMD_ECHO */
};

#define RUN_CMD_INIT                                                                               \
    ((struct run_cmd){.name = SBUF_INIT,                                                           \
                      .data = SBUF_INIT,                                                           \
                      .file = SBUF_INIT,                                                           \
                      .title = SBUF_INIT,                                                          \
                      .note = SBUF_INIT,                                                           \
                      .problem = SBUF_INIT,                                                        \
                      .mask_value = SBUF_INIT,                                                     \
                      .shown = SBUF_INIT})

struct run_cmd_parser_opts {
    bool allow_unsecure_commands;    /* ACTIONS_ALLOW_UNSECURE_COMMANDS is true */
    bool allow_unsecure_stop_tokens; /* ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS is true */
};

struct run_cmd_parser {
    struct run_cmd_parser_opts opts;
    struct sbuf stop_token; /* while is_stopped */
    bool is_stopped;
    bool is_echo_on;
};

void run_cmd_parser_init(struct run_cmd_parser *p, const struct run_cmd_parser_opts *opts);
void run_cmd_parser_release(struct run_cmd_parser *p);

/* Parses one line (no trailing newline) into *out (which must be RUN_CMD_INIT or released). */
void run_cmd_parse(struct run_cmd_parser *p, struct run_cmd *out, const char *line, size_t len);
void run_cmd_release(struct run_cmd *c);

/* True for "true" in any case, with surrounding whitespace (.NET bool.TryParse). */
bool run_cmd_is_true(const char *s);

#endif
