#include "util/gitattr.h"

#include <string.h>

#define SPACE_CLASS "[[:space:]]"

void gitattr_escape_path(struct sbuf *out, const char *path)
{
    for (const char *c = path; *c; c++) {
        switch (*c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            sbuf_addstr(out, SPACE_CLASS); /* a blank would end the pattern */
            break;
        case '\\':
        case '*':
        case '?':
        case '[':
        case ']':
        case '#': /* git-lfs escapes it everywhere; at the start it would begin a comment */
            sbuf_addch(out, '\\');
            sbuf_addch(out, *c);
            break;
        case '!': /* a leading '!' makes a negative pattern, which .gitattributes ignores */
        case '"': /* a leading '"' makes git read a C-quoted pattern */
            if (c == path)
                sbuf_addch(out, '\\');
            sbuf_addch(out, *c);
            break;
        default:
            sbuf_addch(out, *c);
        }
    }
}

bool gitattr_unescape_path(struct sbuf *out, const char *pattern)
{
    for (const char *c = pattern; *c; c++) {
        if (*c == '\\' && c[1]) {
            sbuf_addch(out, *++c);
        } else if (!strncmp(c, SPACE_CLASS, strlen(SPACE_CLASS))) {
            sbuf_addch(out, ' ');
            c += strlen(SPACE_CLASS) - 1;
        } else if (strchr("*?[]\\", *c)) {
            return false;
        } else {
            sbuf_addch(out, *c);
        }
    }
    return true;
}
