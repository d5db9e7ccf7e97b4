/*
 * The `cml` alias: runnel invoked as `cml` (a symlink) or as `runnel cml ...` accepts CML's
 * spellings so existing Makefiles keep working (../shared/reference/cml.md, 1.2):
 *   cml comment create|update FILE ...   -> runnel comment create|update
 *   cml send-comment FILE [--update]     -> runnel comment create (CML's legacy name)
 *   cml check create FILE ...            -> runnel check create
 *   cml send-github-check FILE ...       -> runnel check create
 *   cml publish FILE [--md] [-t T] [-f OUT], cml asset publish ...
 *       prints a markdown link to the local file instead of uploading it to a third-party
 *       host; `comment create` then handles the file with the rest of the report
 * Global options (--log, --driver, --repo, --token, --driver-token) may come first.
 */
#include "cli.h"

#include <string.h>

#include "util/path.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/xalloc.h"

static void usage(FILE *out)
{
    fputs("usage: cml comment create|update FILE [options]   (runnel comment --help)\n"
          "       cml check create FILE [options]            (runnel check --help)\n"
          "       cml publish FILE [--md] [--title T] [--file OUT]\n"
          "       cml send-comment FILE [--update], cml send-github-check FILE\n"
          "runnel's CML-compatible subset; files are never uploaded to a third-party host.\n",
          out);
}

static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"--log",   "--driver",       "--repo",
                                             "--token", "--driver-token", NULL};
    for (const char *const *p = with_value; *p; p++) {
        if (!strcmp(opt, *p))
            return true;
    }
    return false;
}

static bool is_image(const char *path)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp",
                                      ".PNG", ".JPG", ".JPEG", ".GIF", ".SVG", NULL};
    for (const char *const *p = ext; *p; p++) {
        if (str_has_suffix(path, *p))
            return true;
    }
    return false;
}

/*
 * CML parses options with yargs, which takes a long option's value as the next word or after '='
 * (--title=x). Returns whether argv[*i] is `name` (or `alias`, a short spelling) with a value;
 * the value goes to *value and *i moves past it. A missing value is reported and *value left
 * NULL.
 */
static bool opt_value(const char **value, int argc, char **argv, int *i, const char *name,
                      const char *alias)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (!strncmp(a, name, n) && a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (strcmp(a, name) && (!alias || strcmp(a, alias)))
        return false;
    *value = NULL;
    if (*i + 1 < argc)
        *value = argv[++*i];
    else
        cli_error("publish: option '%s' needs a value", a);
    return true;
}

/*
 * A link destination for CommonMark: as it is when it has no space, control character,
 * parenthesis, '<', '>' or backslash; else in <...> with '<', '>' and '\' escaped.
 */
static void add_md_destination(struct sbuf *out, const char *path)
{
    bool plain = *path != '\0';
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p <= ' ' || *p == 0x7f || strchr("()<>\\", *p))
            plain = false;
    }
    if (plain) {
        sbuf_addstr(out, path);
        return;
    }
    sbuf_addch(out, '<');
    for (const char *p = path; *p; p++) {
        if (strchr("<>\\", *p))
            sbuf_addch(out, '\\');
        sbuf_addch(out, *p);
    }
    sbuf_addch(out, '>');
}

/* Text with the characters in `special` backslash-escaped, line breaks as spaces. */
static void add_md_escaped(struct sbuf *out, const char *text, const char *special)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            sbuf_addch(out, ' ');
            continue;
        }
        if (strchr(special, *p))
            sbuf_addch(out, '\\');
        sbuf_addch(out, *p);
    }
}

/* cml publish: the markdown (or path) that stands for a local file. */
static int cml_publish(int argc, char **argv)
{
    const char *file = NULL, *title = NULL, *out_file = NULL, *ignored = NULL;
    bool md = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **value = NULL;
        if (!strcmp(a, "--md")) {
            md = true;
            continue;
        }
        if (opt_value(&title, argc, argv, &i, "--title", "-t"))
            value = &title;
        else if (opt_value(&out_file, argc, argv, &i, "--file", "-f"))
            value = &out_file;
        else if (opt_value(&ignored, argc, argv, &i, "--mime-type", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--url", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--log", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--driver", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--repo", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--token", NULL) ||
                 opt_value(&ignored, argc, argv, &i, "--driver-token", NULL))
            value = &ignored;
        if (value) {
            if (!*value)
                return CLI_USAGE;
            continue;
        }
        if (!strcmp(a, "--native") || !strcmp(a, "--rm-watermark")) {
            continue;
        } else if (a[0] == '-' && a[1]) {
            cli_error("publish: unknown option '%s'", a);
            return CLI_USAGE;
        } else if (!file) {
            file = a;
        } else {
            cli_error("publish takes one file");
            return CLI_USAGE;
        }
    }
    if (!file) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!fs_is_file(file)) {
        cli_error("publish: no file '%s'", file);
        return CLI_USAGE;
    }
    if (md && strpbrk(file, "\n\r")) {
        cli_error("publish: a path with a line break cannot be a markdown link");
        return CLI_USAGE;
    }
    struct sbuf out = SBUF_INIT;
    if (!md) {
        sbuf_addstr(&out, file);
    } else if (is_image(file)) {
        /* CML: ![](uri "title"); the title's quotes and backslashes escaped (CommonMark) */
        sbuf_addstr(&out, "![](");
        add_md_destination(&out, file);
        sbuf_addstr(&out, " \"");
        add_md_escaped(&out, title ? title : "", "\"\\");
        sbuf_addstr(&out, "\")");
    } else {
        sbuf_addch(&out, '[');
        add_md_escaped(&out, title ? title : path_basename(file), "[]\\");
        sbuf_addstr(&out, "](");
        add_md_destination(&out, file);
        sbuf_addch(&out, ')');
    }
    sbuf_addch(&out, '\n');
    int ret = CLI_OK;
    if (out_file) {
        struct err err = ERR_INIT;
        if (fs_append_file(out_file, out.buf, out.len, &err)) {
            cli_error_err(NULL, &err);
            ret = CLI_USAGE;
        }
    } else {
        fputs(out.buf, stdout);
    }
    fprintf(stderr,
            "runnel: note: '%s' was not uploaded: runnel never sends files to a third-party "
            "host; the link is the local path, handled when the comment is posted\n",
            file);
    sbuf_release(&out);
    return ret;
}

int cli_cmd_cml(int argc, char **argv)
{
    /* Split: leading global options, then the command words, then the rest. */
    int i = 1;
    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--help") && strcmp(argv[i], "-h") &&
           strcmp(argv[i], "--version")) {
        i += takes_value(argv[i]) ? 2 : 1;
    }
    if (i >= argc || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[i], "--version")) {
        printf("runnel %s (cml-compatible subset)\n", RUNNEL_VERSION);
        return CLI_OK;
    }
    const char *cmd = argv[i];
    const char *verb = i + 1 < argc ? argv[i + 1] : "";
    int (*fn)(int, char **) = NULL;
    const char *new_cmd = NULL, *new_verb = NULL;
    int rest = 0;
    if (!strcmp(cmd, "comment") && (!strcmp(verb, "create") || !strcmp(verb, "update"))) {
        fn = cli_cmd_comment;
        new_cmd = "comment";
        new_verb = verb;
        rest = i + 2;
    } else if (!strcmp(cmd, "send-comment")) {
        fprintf(stderr, "runnel: note: 'send-comment' is CML's old name for 'comment create'\n");
        fn = cli_cmd_comment;
        new_cmd = "comment";
        new_verb = "create";
        rest = i + 1;
    } else if (!strcmp(cmd, "check") && !strcmp(verb, "create")) {
        fn = cli_cmd_check;
        new_cmd = "check";
        new_verb = "create";
        rest = i + 2;
    } else if (!strcmp(cmd, "send-github-check")) {
        fn = cli_cmd_check;
        new_cmd = "check";
        new_verb = "create";
        rest = i + 1;
    } else if (!strcmp(cmd, "publish")) {
        return cml_publish(argc - (i + 1), argv + i + 1);
    } else if (!strcmp(cmd, "asset") && !strcmp(verb, "publish")) {
        return cml_publish(argc - (i + 2), argv + i + 2);
    } else {
        cli_error("cml '%s%s%s' is not part of runnel's CML-compatible subset (comment "
                  "create/update, check create, send-comment, publish)",
                  cmd, *verb && verb[0] != '-' ? " " : "", verb[0] != '-' ? verb : "");
        return CLI_USAGE;
    }

    /* argv for the runnel command: name, verb, the global options, then the rest. */
    char **args = xcalloc((size_t)argc + 2, sizeof(*args));
    int n = 0;
    args[n++] = (char *)new_cmd;
    args[n++] = (char *)new_verb;
    for (int j = 1; j < i; j++)
        args[n++] = argv[j];
    for (int j = rest; j < argc; j++)
        args[n++] = argv[j];
    args[n] = NULL;
    int ret = fn(n, args);
    xfree(args);
    return ret;
}
