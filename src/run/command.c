#include "run/command.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/map.h"
#include "util/str.h"
#include "util/xalloc.h"

/* The runner's registered commands (ActionCommandManager's extensions). */
static const char *const commands[] = {
    "group",         "endgroup", "debug",       "notice",         "warning",
    "error",         "add-mask", "echo",        "set-output",     "save-state",
    "set-env",       "add-path", "add-matcher", "remove-matcher", "internal-set-repo-path",
    "stop-commands", NULL};

#define UNSUPPORTED_DISABLED                                                                       \
    "The `%s` command is disabled. Please upgrade to using Environment Files or opt into "         \
    "unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "     \
    "variable to `true`. For more information see: "                                               \
    "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-"    \
    "commands/"
#define DEPRECATED                                                                                 \
    "The `%s` command is deprecated and will be disabled soon. Please upgrade to using "           \
    "Environment Files. For more information see: "                                                \
    "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-"      \
    "output-commands/"
static const char bad_stop_token[] =
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or "
    "opt into insecure command execution by setting the "
    "`ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

bool run_cmd_is_true(const char *s)
{
    if (!s)
        return false;
    struct str t = str_trim(str_from(s));
    return str_eqi_cstr(t, "true");
}

void run_cmd_parser_init(struct run_cmd_parser *p, const struct run_cmd_parser_opts *opts)
{
    memset(p, 0, sizeof(*p));
    if (opts)
        p->opts = *opts;
    p->stop_token = SBUF_INIT;
}

void run_cmd_parser_release(struct run_cmd_parser *p)
{
    sbuf_release(&p->stop_token);
}

void run_cmd_release(struct run_cmd *c)
{
    sbuf_release(&c->name);
    sbuf_release(&c->data);
    sbuf_release(&c->file);
    sbuf_release(&c->title);
    sbuf_release(&c->note);
    sbuf_release(&c->problem);
    sbuf_release(&c->mask_value);
    sbuf_release(&c->shown);
    *c = RUN_CMD_INIT;
}

/* Replaces every occurrence of from (in order of the table) like .NET's String.Replace. */
static void unescape(struct sbuf *out, const char *s, size_t n, const char *const (*map)[2])
{
    struct sbuf cur = SBUF_INIT;
    struct sbuf next = SBUF_INIT;
    sbuf_add(&cur, s, n);
    for (size_t k = 0; map[k][0]; k++) {
        const char *from = map[k][0];
        size_t fl = strlen(from);
        sbuf_reset(&next);
        for (size_t i = 0; i < cur.len;) {
            if (i + fl <= cur.len && !memcmp(cur.buf + i, from, fl)) {
                sbuf_addstr(&next, map[k][1]);
                i += fl;
            } else {
                sbuf_addch(&next, cur.buf[i++]);
            }
        }
        struct sbuf t = cur;
        cur = next;
        next = t;
    }
    sbuf_add(out, cur.buf, cur.len);
    sbuf_release(&cur);
    sbuf_release(&next);
}

static const char *const data_map[][2] = {{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}, {NULL}};
static const char *const prop_map[][2] = {{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"},
                                          {"%2C", ","},  {"%25", "%"},  {NULL}};
static const char *const v1_map[][2] = {{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"},
                                        {"%5D", "]"}, {"%25", "%"},  {NULL}};

struct parsed {
    struct sbuf name; /* the command name */
    struct map props; /* case-insensitive; values are xmalloc'd strings */
    struct sbuf data;
};

static void parsed_release(struct parsed *pc)
{
    sbuf_release(&pc->name);
    map_release(&pc->props, xfree);
    sbuf_release(&pc->data);
}

static bool is_registered(const struct sbuf *name, const struct run_cmd_parser *p)
{
    for (size_t i = 0; commands[i]; i++) {
        if (!strcmp(name->buf, commands[i]))
            return true;
    }
    /* While stopped, the token is registered too (the runner adds it). */
    return p->is_stopped && !strcmp(name->buf, p->stop_token.buf);
}

static void set_prop(struct parsed *pc, const char *k, size_t kl, const char *v, size_t vl,
                     const char *const (*map)[2])
{
    struct sbuf val = SBUF_INIT;
    unescape(&val, v, vl, map);
    char *old = map_set_n(&pc->props, k, kl, sbuf_detach(&val, NULL));
    xfree(old);
}

/* Splits "k=v<sep>k=v" as the runner does (empty entries dropped, pairs need both parts). */
static void parse_props(struct parsed *pc, const char *s, size_t n, char sep,
                        const char *const (*map)[2])
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != sep)
            j++;
        /* Split on the first '=' with empty parts removed: "=v" has one part, "k=" too. */
        const char *e = memchr(s + i, '=', j - i);
        if (e) {
            size_t kl = (size_t)(e - (s + i));
            const char *v = e + 1;
            size_t vl = (size_t)((s + j) - v);
            /* RemoveEmptyEntries with count 2: a leading '=' run is skipped. */
            if (kl > 0 && vl > 0)
                set_prop(pc, s + i, kl, v, vl, map);
        }
        i = j + 1;
    }
}

static bool parse_v2(struct parsed *pc, const struct run_cmd_parser *p, const char *line,
                     size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)line[i]))
        i++;
    const char *m = line + i;
    size_t n = len - i;
    if (n < 2 || m[0] != ':' || m[1] != ':')
        return false;
    const char *end = NULL;
    for (size_t k = 2; k + 1 < n; k++) {
        if (m[k] == ':' && m[k + 1] == ':') {
            end = m + k;
            break;
        }
    }
    if (!end)
        return false;
    const char *info = m + 2;
    size_t info_len = (size_t)(end - info);
    const char *sp = memchr(info, ' ', info_len);
    size_t name_len = sp ? (size_t)(sp - info) : info_len;
    sbuf_add(&pc->name, info, name_len);
    if (!is_registered(&pc->name, p))
        return false;
    if (sp && sp > info) {
        struct str props = str_trim(str_make(sp + 1, info_len - name_len - 1));
        parse_props(pc, props.p, props.len, ',', prop_map);
    }
    const char *data = end + 2;
    unescape(&pc->data, data, (size_t)(m + n - data), data_map);
    return true;
}

static bool parse_v1(struct parsed *pc, const struct run_cmd_parser *p, const char *line,
                     size_t len)
{
    const char *pre = NULL;
    for (size_t k = 0; k + 3 <= len; k++) {
        if (!memcmp(line + k, "##[", 3)) {
            pre = line + k;
            break;
        }
    }
    if (!pre)
        return false;
    const char *rb = memchr(pre, ']', (size_t)(line + len - pre));
    if (!rb)
        return false;
    const char *info = pre + 3;
    size_t info_len = (size_t)(rb - info);
    const char *sp = memchr(info, ' ', info_len);
    size_t name_len = sp ? (size_t)(sp - info) : info_len;
    sbuf_reset(&pc->name);
    sbuf_add(&pc->name, info, name_len);
    if (!is_registered(&pc->name, p))
        return false;
    if (sp && sp > info)
        parse_props(pc, sp + 1, info_len - name_len - 1, ';', v1_map);
    unescape(&pc->data, rb + 1, (size_t)(line + len - rb - 1), v1_map);
    return true;
}

static const char *prop(const struct parsed *pc, const char *name)
{
    return map_find(&pc->props, name);
}

/* .NET int.TryParse: optional whitespace and sign, decimal digits, fits in an int. */
static bool parse_int(const char *s, long *out)
{
    if (!s)
        return false;
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v < INT_MIN || v > INT_MAX)
        return false;
    *out = v;
    return true;
}

/* IssueCommandExtension.ValidateLinesAndColumns. */
static void annotation(struct run_cmd *c, const struct parsed *pc)
{
    long line = 0, end_line = 0, col = 0, end_col = 0;
    bool has_line = parse_int(prop(pc, "line"), &line);
    bool has_end_line = parse_int(prop(pc, "endLine"), &end_line);
    bool has_col = parse_int(prop(pc, "col"), &col);
    bool has_end_col = parse_int(prop(pc, "endColumn"), &end_col);
    bool has_column = has_col || has_end_col;
    if (has_end_line && !has_line) {
        line = end_line;
        has_line = true;
    }
    if (has_end_col && !has_col) {
        col = end_col;
        has_col = true;
    }
    if (!has_line && has_column)
        has_col = has_end_col = false;
    if (has_end_line && line != end_line && has_column)
        has_col = has_end_col = false;
    if (has_line && has_end_line && end_line < line)
        has_line = has_end_line = false;
    if (has_col && has_end_col && end_col < col)
        has_col = has_end_col = false;
    c->line = has_line ? line : 0;
    c->end_line = has_end_line ? end_line : 0;
    c->col = has_col ? col : 0;
    c->end_col = has_end_col ? end_col : 0;
    if (prop(pc, "file"))
        sbuf_addstr(&c->file, prop(pc, "file"));
    if (prop(pc, "title"))
        sbuf_addstr(&c->title, prop(pc, "title"));
}

static void fail_missing_name(struct run_cmd *c, const char *command)
{
    c->kind = RUN_CMD_FAILED;
    sbuf_addf(&c->problem, "Required field 'name' is missing in ##[%s] command.", command);
}

static void run_command(struct run_cmd_parser *p, struct run_cmd *c, struct parsed *pc)
{
    const char *name = pc->name.buf;
    bool omit_echo = false;
    bool was_echo_on = p->is_echo_on; /* the runner echoes before running the command */
    if (!strcmp(name, "group") || !strcmp(name, "endgroup")) {
        c->kind = name[0] == 'g' ? RUN_CMD_GROUP : RUN_CMD_ENDGROUP;
    } else if (!strcmp(name, "debug")) {
        c->kind = RUN_CMD_DEBUG;
        omit_echo = true;
    } else if (!strcmp(name, "notice") || !strcmp(name, "warning") || !strcmp(name, "error")) {
        c->kind = name[0] == 'n'   ? RUN_CMD_NOTICE
                  : name[0] == 'w' ? RUN_CMD_WARNING
                                   : RUN_CMD_ERROR;
        annotation(c, pc);
        omit_echo = true;
    } else if (!strcmp(name, "add-mask")) {
        omit_echo = true;
        c->kind = RUN_CMD_ADD_MASK;
        struct str d = str_trim(str_make(pc->data.buf, pc->data.len));
        if (d.len == 0) {
            c->note_kind = RUN_CMD_WARNING;
            sbuf_addstr(&c->note,
                        "Can't add secret mask for empty string in ##[add-mask] command.");
            sbuf_reset(&pc->data);
        } else if (p->is_echo_on) {
            c->is_shown = true;
            sbuf_addstr(&c->shown, "::add-mask::***");
        }
    } else if (!strcmp(name, "echo")) {
        struct str d = str_trim(str_make(pc->data.buf, pc->data.len));
        if (str_eqi_cstr(d, "on") || str_eqi_cstr(d, "off")) {
            c->kind = RUN_CMD_ECHO;
            p->is_echo_on = c->is_echo_on = str_eqi_cstr(d, "on");
        } else {
            c->kind = RUN_CMD_FAILED;
            sbuf_addf(&c->problem,
                      "Invalid echo command value. Possible values can be: 'on', 'off'. Current "
                      "value is: '%s'.",
                      pc->data.buf);
        }
    } else if (!strcmp(name, "set-output") || !strcmp(name, "save-state")) {
        bool out = name[1] == 'e';
        const char *n = prop(pc, "name");
        if (!n || !*n) {
            fail_missing_name(c, name);
        } else {
            c->kind = out ? RUN_CMD_SET_OUTPUT : RUN_CMD_SAVE_STATE;
            sbuf_addstr(&c->name, n);
            c->note_kind = RUN_CMD_WARNING;
            sbuf_addf(&c->note, DEPRECATED, name);
        }
    } else if (!strcmp(name, "set-env") || !strcmp(name, "add-path")) {
        const char *n = prop(pc, "name");
        if (!p->opts.allow_unsecure_commands) {
            c->kind = RUN_CMD_FAILED;
            sbuf_addf(&c->problem, UNSUPPORTED_DISABLED, name);
        } else if (name[0] == 'a') {
            c->kind = RUN_CMD_ADD_PATH;
        } else if (!n || !*n) {
            fail_missing_name(c, name);
        } else if (!strcasecmp(n, "NODE_OPTIONS")) {
            /* GitHub records an error annotation and ignores the command. */
            c->kind = RUN_CMD_ERROR;
            sbuf_reset(&pc->data);
            sbuf_addstr(&pc->data,
                        "Can't update NODE_OPTIONS environment variable using ::set-env:: "
                        "command.");
        } else {
            c->kind = RUN_CMD_SET_ENV;
            sbuf_addstr(&c->name, n);
        }
    } else if (!strcmp(name, "add-matcher")) {
        c->kind = RUN_CMD_ADD_MATCHER;
    } else if (!strcmp(name, "remove-matcher")) {
        c->kind = RUN_CMD_REMOVE_MATCHER;
        if (prop(pc, "owner"))
            sbuf_addstr(&c->name, prop(pc, "owner"));
    } else {
        c->kind = RUN_CMD_NONE; /* internal-set-repo-path: nothing for a local run */
        return;
    }
    if (was_echo_on && !omit_echo)
        c->is_shown = true;
    sbuf_add(&c->data, pc->data.buf, pc->data.len);
}

void run_cmd_parse(struct run_cmd_parser *p, struct run_cmd *out, const char *line, size_t len)
{
    struct parsed pc = {.name = SBUF_INIT, .props = MAP_INIT_CI, .data = SBUF_INIT};
    out->kind = RUN_CMD_NONE;
    bool ok = parse_v2(&pc, p, line, len);
    if (!ok) {
        parsed_release(&pc);
        pc = (struct parsed){.name = SBUF_INIT, .props = MAP_INIT_CI, .data = SBUF_INIT};
        ok = parse_v1(&pc, p, line, len);
    }
    if (!ok) {
        out->is_shown = true;
        sbuf_add(&out->shown, line, len);
        goto done;
    }
    if (p->is_stopped) {
        if (!strcasecmp(pc.name.buf, p->stop_token.buf)) {
            out->kind = RUN_CMD_RESUME_COMMANDS;
            p->is_stopped = false;
            sbuf_reset(&p->stop_token);
        }
        out->is_shown = true; /* stopped: everything is plain output, the resume line too */
        sbuf_add(&out->shown, line, len);
        goto done;
    }
    if (!strcmp(pc.name.buf, "stop-commands")) {
        /* ActionCommandManager.ValidateStopToken: the token must not be a command name
           (compared exactly), empty, or "pause-logging" (any case). */
        bool is_bad = pc.data.len == 0 || !strcasecmp(pc.data.buf, "pause-logging");
        for (size_t i = 0; commands[i]; i++)
            is_bad |= !strcmp(pc.data.buf, commands[i]);
        if (is_bad && !p->opts.allow_unsecure_stop_tokens) {
            out->kind = RUN_CMD_FAILED;
            sbuf_addstr(&out->problem, bad_stop_token);
            goto done;
        }
        out->kind = RUN_CMD_STOP_COMMANDS;
        p->is_stopped = true;
        sbuf_reset(&p->stop_token);
        sbuf_add(&p->stop_token, pc.data.buf, pc.data.len);
        sbuf_add(&out->data, pc.data.buf, pc.data.len);
        if (pc.data.len > 6)
            sbuf_add(&out->mask_value, pc.data.buf, pc.data.len);
        out->is_shown = true;
        sbuf_add(&out->shown, line, len);
        goto done;
    }
    run_command(p, out, &pc);
    if (out->is_shown && out->kind != RUN_CMD_ADD_MASK) {
        sbuf_reset(&out->shown);
        sbuf_add(&out->shown, line, len);
    }
done:
    parsed_release(&pc);
}
