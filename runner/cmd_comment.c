/*
 * runnel comment create|update FILE: post a markdown file as a pull-request, issue or commit
 * comment, compatible with CML's `cml comment create/update` (../shared/reference/cml.md, 1.4).
 *
 * The body is FILE + "\n\n" + runnel's watermark (an invisible HTML comment). `update` replaces
 * the last comment carrying the same watermark (or CML's), looking through every page of
 * comments. Local files the markdown links to are never sent to a third-party host: they are
 * committed to --publish-branch by the git capability and linked by commit sha; without it (or
 * when that fails) runnel says which links stay local and notes them in place of the images.
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git/git.h"
#include "github/github.h"
#include "github_ctx.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

#define COMMENT_FILE_MAX (4u << 20)
#define GITHUB_COMMENT_MAX 65536u /* characters GitHub accepts in a comment body */

static void usage(FILE *out)
{
    fputs("usage: runnel comment create|update FILE [options]\n"
          "      --target T            auto (default), pr, commit, pr/N, issue/N, commit/SHA\n"
          "      --watermark-title T   label of the watermark; {workflow} and {run} replaced\n"
          "      --rm-watermark        no watermark (create only)\n"
          "      --publish-branch B    commit linked local images to branch B and link them\n"
          "      --no-publish          leave local links as they are, silently\n"
          "      --commit-sha S        commit (default: the PR head, GITHUB_SHA or HEAD)\n"
          "      --token T             default: REPO_TOKEN, repo_token or GITHUB_TOKEN\n"
          "      --repo R              owner/name or URL (default: GITHUB_REPOSITORY, origin)\n"
          "      --dry-run             print the target and body; post nothing\n"
          "  -v, --verbose           one line per GitHub request (never the token)\n"
          "Prints the comment's URL.\n",
          out);
}

/* GitHub counts characters, not bytes. */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Replaces {workflow} and {run} in a watermark label, as CML does. */
static void expand_label(struct sbuf *out, const char *label)
{
    const char *workflow = getenv("GITHUB_WORKFLOW");
    const char *run = getenv("GITHUB_RUN_ID");
    for (const char *p = label; *p;) {
        if (str_has_prefix(p, "{workflow}")) {
            sbuf_addstr(out, workflow ? workflow : "");
            p += 10;
        } else if (str_has_prefix(p, "{run}")) {
            sbuf_addstr(out, run ? run : "");
            p += 5;
        } else {
            sbuf_addch(out, *p++);
        }
    }
}

/*
 * ---- links in the markdown ----
 *
 * The CommonMark (and GFM table) parts that decide which text is a link, checked against
 * cmark-gfm: code (fenced blocks opened by ``` or ~~~, and code spans) holds no links, so an
 * example `![x](plot.png)` in a code block is left as written; code spans are found block by block
 * (paragraph, heading, table cell), never across two; a link's text opens at the '[' cmark's
 * bracket stack pairs with its ']'; a destination is <...> (spaces allowed, as `cml publish`
 * writes a path with spaces) or a run without spaces and with balanced parentheses; backslash
 * escapes an ASCII punctuation character; an optional title in "...", '...' or (...) follows.
 * Indented code blocks and HTML blocks are not recognised (in a list item the same indentation
 * is a paragraph).
 */

/* Whether md[i..] opens (or, with need > 0, closes) a fence line: up to 3 spaces, then at least
 * 3 (or `need`) backticks or tildes. Returns the run's length, 0 when it is no fence. */
static size_t fence_at(const char *md, size_t i, size_t end, char *ch, size_t need)
{
    size_t k = 0;
    while (k < 3 && i < end && md[i] == ' ') {
        i++;
        k++;
    }
    if (i >= end || (md[i] != '`' && md[i] != '~') || (need && md[i] != *ch))
        return 0;
    char c = md[i];
    size_t n = 0;
    while (i < end && md[i] == c) {
        i++;
        n++;
    }
    if (n < 3 || n < need)
        return 0;
    if (need) { /* a closing fence has nothing after it but spaces */
        while (i < end && (md[i] == ' ' || md[i] == '\t' || md[i] == '\r'))
            i++;
        return i == end ? n : 0;
    }
    if (c == '`' && memchr(md + i, '`', end - i)) /* a backtick fence's info has no backtick */
        return 0;
    *ch = c;
    return n;
}

/* What code_map says about each byte of the markdown. */
enum md_byte {
    MD_TEXT = 0, /* inline content of a paragraph, heading or table cell: links live here */
    MD_CODE = 1, /* a code span inside inline content */
    MD_OUT = 2,  /* no inline content: fenced code, a line end between blocks, table pipes and
                    delimiter rows, thematic breaks; a link never reaches across one */
};

/* A run of backticks in a block, as written (no escapes: inside a span a backslash is text). */
struct tick_run {
    size_t pos, len;
    size_t next_same;  /* index + 1 of the next run of the same length, 0 for none */
    size_t next_short; /* index + 1 of the next run one backtick shorter, 0 for none */
};

/*
 * Marks the code spans of one block's inline content md[from..to) (a paragraph, a heading, a
 * table cell: spans never cross blocks), as cmark's inline parser finds them left to right:
 * outside a span a backslash escapes the ASCII punctuation after it, so "\``" is a literal
 * backtick then a run of one; a run of k backticks opens a span that the next run of exactly k
 * closes; an opener without one is text. Each run's next run of the same length (or one
 * shorter, for a run whose first backtick is escaped) is found once, from the right, so this is
 * linear whatever the backticks.
 */
static void mark_code_spans(char *map, const char *md, size_t from, size_t to)
{
    struct vec runs = VEC_INIT(struct tick_run);
    size_t max_len = 0;
    for (size_t i = from; i < to; i++) {
        if (md[i] != '`')
            continue;
        struct tick_run *r = vec_push(&runs);
        r->pos = i;
        while (i < to && md[i] == '`')
            i++;
        r->len = i - r->pos;
        if (r->len > max_len)
            max_len = r->len;
    }
    if (!runs.len) {
        vec_release(&runs);
        return;
    }
    struct tick_run *run = runs.items;
    size_t *last = xcalloc(max_len + 1, sizeof(*last)); /* index + 1, 0 for none */
    for (size_t k = runs.len; k-- > 0;) {
        run[k].next_same = last[run[k].len];
        run[k].next_short = last[run[k].len - 1];
        last[run[k].len] = k + 1;
    }
    xfree(last);
    size_t k = 0; /* the first run at or after i */
    for (size_t i = from; i < to;) {
        bool escaped = md[i] == '\\' && i + 1 < to && ispunct((unsigned char)md[i + 1]);
        if (escaped && md[i + 1] != '`') {
            i += 2;
            continue;
        }
        if (!escaped && md[i] != '`') {
            i++;
            continue;
        }
        size_t at = escaped ? i + 1 : i;
        while (run[k].pos < at)
            k++;
        size_t open = escaped ? at + 1 : at;
        size_t close = escaped ? run[k].next_short : run[k].next_same;
        if (open == run[k].pos + run[k].len || !close) {
            i = run[k].pos + run[k].len; /* a literal run */
            continue;
        }
        const struct tick_run *c = &run[close - 1];
        memset(map + open, MD_CODE, c->pos + c->len - open);
        i = c->pos + c->len;
    }
    vec_release(&runs);
}

static size_t skip_spaces(const char *md, size_t i, size_t end)
{
    while (i < end && (md[i] == ' ' || md[i] == '\t'))
        i++;
    return i;
}

/* Whether md[i..end) is three or more of one of `chars` with only spaces between. */
static bool is_rule(const char *md, size_t i, size_t end, const char *chars)
{
    i = skip_spaces(md, i, end);
    if (i >= end || !strchr(chars, md[i]))
        return false;
    char c = md[i];
    size_t n = 0;
    for (; i < end; i++) {
        if (md[i] == c)
            n++;
        else if (md[i] != ' ' && md[i] != '\t')
            return false;
    }
    return n >= 3;
}

/* A setext heading's underline: '=' or '-' only, spaces after. */
static bool is_underline(const char *md, size_t i, size_t end)
{
    i = skip_spaces(md, i, end);
    if (i >= end || (md[i] != '=' && md[i] != '-'))
        return false;
    char c = md[i];
    while (i < end && md[i] == c)
        i++;
    return skip_spaces(md, i, end) == end;
}

/*
 * The length of a list item's marker at md[i] with the spaces after it ("- ", "1. ", "2) "), 0
 * when there is none. *interrupts says whether it may end a paragraph (CommonMark: a bullet or
 * "1." with content after it).
 */
static size_t list_marker(const char *md, size_t i, size_t end, bool *interrupts)
{
    size_t j = i;
    bool ordered = false;
    if (j < end && (md[j] == '-' || md[j] == '+' || md[j] == '*')) {
        j++;
    } else {
        while (j < end && j - i < 9 && md[j] >= '0' && md[j] <= '9')
            j++;
        if (j == i || j >= end || (md[j] != '.' && md[j] != ')'))
            return 0;
        ordered = true;
        j++;
    }
    if (j < end && md[j] != ' ' && md[j] != '\t')
        return 0;
    size_t k = skip_spaces(md, j, end);
    *interrupts = k < end && (!ordered || (j - i == 2 && md[i] == '1'));
    return k - i;
}

/*
 * The cells of a GFM table row md[i..end): split at each '|' not escaped by a backslash (even
 * inside what would be a code span), a leading and a trailing pipe dropped. With map, marks the
 * pipes MD_OUT and each cell's code spans; cells past `max` are dropped (cmark-gfm shows no
 * more cells than the header has), so they are MD_OUT too. Returns the number of cells.
 */
static size_t table_row(char *map, const char *md, size_t i, size_t end, size_t max)
{
    i = skip_spaces(md, i, end);
    size_t e = end;
    while (e > i && (md[e - 1] == ' ' || md[e - 1] == '\t' || md[e - 1] == '\r'))
        e--; /* the header row is passed with its CR */
    if (i < e && md[i] == '|') {
        if (map)
            map[i] = MD_OUT;
        i++;
    }
    size_t cells = 0, cell = i;
    for (size_t j = i; j <= e; j++) {
        if (j + 1 < e && md[j] == '\\') {
            j++;
            continue;
        }
        if (j < e && md[j] != '|')
            continue;
        if (j == e && cell == e && cells > 0)
            break; /* a trailing pipe */
        if (map && cells >= max) {
            memset(map + cell, MD_OUT, e - cell);
            return cells;
        }
        if (map) {
            mark_code_spans(map, md, cell, j);
            if (j < e)
                map[j] = MD_OUT;
        }
        cells++;
        cell = j + 1;
    }
    return cells;
}

/* A delimiter row (|---|:--:|): its cell count, 0 when md[i..end) is none. */
static size_t table_delimiter(const char *md, size_t i, size_t end)
{
    bool pipe = false;
    size_t cells = 0;
    i = skip_spaces(md, i, end);
    if (i < end && md[i] == '|') {
        pipe = true;
        i++;
    }
    for (;;) {
        i = skip_spaces(md, i, end);
        if (i >= end)
            break;
        if (md[i] == ':')
            i++;
        size_t dashes = 0;
        while (i < end && md[i] == '-') {
            i++;
            dashes++;
        }
        if (!dashes)
            return 0;
        if (i < end && md[i] == ':')
            i++;
        i = skip_spaces(md, i, end);
        cells++;
        if (i < end && md[i] == '|') {
            pipe = true;
            i++;
        } else if (i < end) {
            return 0;
        }
    }
    return pipe ? cells : 0;
}

/* The paragraph being read. */
struct para {
    size_t start, last_line; /* its first byte and its last line's; SIZE_MAX: none */
    size_t quotes;           /* the block quotes it is in */
    size_t item_col;         /* opened in a list item: its content column, else 0 */
};

/* Ends the paragraph that runs up to `end` (the start of the line after it). */
static void para_flush(struct para *p, char *map, const char *md, size_t end)
{
    if (p->start == SIZE_MAX)
        return;
    mark_code_spans(map, md, p->start, end);
    if (end > 0 && md[end - 1] == '\n')
        map[end - 1] = MD_OUT;
    *p = (struct para){SIZE_MAX, SIZE_MAX, 0, 0};
}

/* The open fenced code block. */
struct fence {
    size_t len;    /* of its opening run; 0 when none is open */
    char ch;       /* '`' or '~' */
    size_t quotes; /* the block quotes it is in: a line with fewer ends it */
    size_t indent; /* in a list item, the item's content column: a line indented less ends it */
};

/*
 * Reads md[i..eol) as a line inside the open fence: marks it MD_OUT and closes the fence at a
 * closing run. Returns false when the line is outside the fence's container (fewer block quote
 * markers, or less indented than its list item), which closes the fence too.
 */
static bool fence_line(struct fence *f, char *map, const char *md, size_t i, size_t eol,
                       size_t next)
{
    size_t c = i, q = 0;
    while (q < f->quotes) {
        size_t k = c;
        while (k < eol && k - c < 3 && md[k] == ' ')
            k++;
        if (k >= eol || md[k] != '>')
            break;
        c = k + 1 < eol && md[k + 1] == ' ' ? k + 2 : k + 1;
        q++;
    }
    size_t lead = skip_spaces(md, c, eol) - c;
    bool blank = c + lead == eol;
    if (q < f->quotes || (!blank && lead < f->indent)) {
        f->len = 0;
        return false;
    }
    memset(map + i, MD_OUT, next - i);
    if (!blank && fence_at(md, c + f->indent, eol, &f->ch, f->len))
        f->len = 0;
    return true;
}

/*
 * Maps the bytes of md (length n) to enum md_byte, block by block; the caller frees the array.
 * Blocks are read line by line as CommonMark and GFM open and close them: fenced code (also in
 * a list item or block quote), blank lines, ATX headings (one line each), setext underlines and
 * thematic breaks, list items and block quotes (their markers, then what follows them; a
 * paragraph goes on lazily on a line without them), GFM tables (a paragraph's last line
 * followed by a delimiter row with as many cells, then rows up to a blank line or another
 * block; each cell on its own), and paragraphs. Indented code blocks and HTML blocks are not
 * recognised.
 */
static char *code_map(const char *md, size_t n)
{
    char *map = xcalloc(n + 1, 1);
    struct para p = {SIZE_MAX, SIZE_MAX, 0, 0};
    struct fence f = {0};
    size_t table_cells = 0; /* inside a table: its column count */
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(md + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - md) : n;
        size_t next = nl ? end + 1 : n;
        size_t eol = end > i && md[end - 1] == '\r' ? end - 1 : end; /* CRLF */
        if (f.len && fence_line(&f, map, md, i, eol, next)) {
            i = next;
            continue;
        }
        /* container markers: block quotes and list items */
        size_t c = skip_spaces(md, i, eol);
        size_t quotes = 0, qpos = i, item_col = 0;
        bool new_item = false;
        for (;;) {
            bool interrupts = false;
            if (c < eol && md[c] == '>' && !item_col) {
                qpos = c + 1 < eol && md[c + 1] == ' ' ? c + 2 : c + 1;
                c = skip_spaces(md, c + 1, eol);
                quotes++;
                continue;
            }
            if (is_rule(md, c, eol, "-*_"))
                break;
            size_t m = list_marker(md, c, eol, &interrupts);
            if (!m)
                break;
            /* "2." or an empty item does not start a list inside a paragraph: it is text; a
             * marker left of the paragraph's list item starts a sibling item all the same */
            bool sibling = p.item_col && c - qpos < p.item_col;
            if (!new_item && p.start != SIZE_MAX && !interrupts && !sibling && quotes <= p.quotes)
                break;
            new_item = true;
            c += m;
            item_col = c - qpos;
        }
        new_item = new_item || quotes > p.quotes; /* a block quote ends a paragraph */
        bool in_para = p.start != SIZE_MAX;
        size_t open = fence_at(md, c, eol, &f.ch, 0);
        if (open) {
            para_flush(&p, map, md, i);
            table_cells = 0;
            f = (struct fence){.len = open, .ch = f.ch, .quotes = quotes, .indent = item_col};
            memset(map + i, MD_OUT, next - i);
            i = next;
            continue;
        }
        size_t h = c;
        while (h < eol && md[h] == '#' && h - c < 7)
            h++;
        bool atx = h > c && h - c <= 6 && (h == eol || md[h] == ' ' || md[h] == '\t');
        /* a setext underline is never lazy: it is in the paragraph's containers */
        bool underline =
            in_para && quotes == p.quotes && c - qpos >= p.item_col && is_underline(md, c, eol);
        if (skip_spaces(md, c, eol) == eol || atx || is_rule(md, c, eol, "-*_") || underline) {
            para_flush(&p, map, md, i);
            table_cells = 0;
            if (atx)
                mark_code_spans(map, md, h, end);
            else
                memset(map + i, MD_OUT, end - i);
            if (nl)
                map[end] = MD_OUT;
            i = next;
            continue;
        }
        if (table_cells && !new_item) {
            table_row(map, md, c, eol, table_cells);
            if (nl)
                map[end] = MD_OUT;
            i = next;
            continue;
        }
        table_cells = 0;
        /* a delimiter row is never lazy either */
        size_t cells = in_para && !new_item && quotes == p.quotes && c - qpos >= p.item_col
                           ? table_delimiter(md, c, eol)
                           : 0;
        if (cells && table_row(NULL, md, p.last_line, i - 1, SIZE_MAX) == cells) {
            size_t header = p.last_line;
            para_flush(&p, map, md, header);
            table_row(map, md, header, i - 1, cells);
            map[i - 1] = MD_OUT;
            memset(map + i, MD_OUT, next - i);
            table_cells = cells;
            i = next;
            continue;
        }
        if (new_item)
            para_flush(&p, map, md, i);
        if (p.start == SIZE_MAX)
            p = (struct para){.start = c, .quotes = quotes, .item_col = item_col};
        p.last_line = c;
        i = next;
    }
    para_flush(&p, map, md, n);
    return map;
}

/* A link's parts, as offsets into the markdown. */
struct md_link {
    size_t dest;     /* first byte of the destination (after '<' when angled) */
    size_t dest_len; /* its bytes, escapes included */
    size_t end;      /* one past the closing ')' */
};

/*
 * Parses the inline link whose "](" is at md[i]. Returns false when what follows is no link
 * destination and title closed by ')'.
 */
static bool parse_link(struct md_link *out, const char *md, size_t n, size_t i)
{
    size_t j = i + 2;
    if (j < n && md[j] == '<') {
        out->dest = ++j;
        while (j < n && md[j] != '>') {
            if (md[j] == '\n' || md[j] == '<')
                return false;
            j += md[j] == '\\' && j + 1 < n ? 2 : 1;
        }
        if (j >= n)
            return false;
        out->dest_len = j - out->dest;
        j++;
    } else {
        int depth = 0;
        out->dest = j;
        while (j < n && (unsigned char)md[j] > ' ') {
            if (md[j] == '\\' && j + 1 < n) {
                j += 2;
                continue;
            }
            if (md[j] == '(')
                depth++;
            else if (md[j] == ')' && depth-- == 0)
                break;
            j++;
        }
        out->dest_len = j - out->dest;
    }
    while (j < n && (md[j] == ' ' || md[j] == '\t' || md[j] == '\n'))
        j++;
    if (j < n && (md[j] == '"' || md[j] == '\'' || md[j] == '(')) {
        char close = md[j] == '(' ? ')' : md[j];
        for (j++; j < n && md[j] != close; j++) {
            if (md[j] == '\\' && j + 1 < n)
                j++;
        }
        if (j >= n)
            return false;
        j++;
        while (j < n && (md[j] == ' ' || md[j] == '\t' || md[j] == '\n'))
            j++;
    }
    if (j >= n || md[j] != ')')
        return false;
    out->end = j + 1;
    return true;
}

/* A link or image: its "](" and the '[' that opens its text. */
struct md_bracket {
    size_t open; /* the '[' */
    size_t at;   /* the "](" */
    bool image;  /* "![" */
};

/* An opener on cmark's bracket stack. */
struct md_opener {
    size_t pos;
    bool image;
};

/*
 * Pairs each "](" of inline content with the '[' that opens its text, as cmark's bracket stack
 * does: the nearest '[' of the same block, escaped brackets and code spans being text. A ']'
 * without one, or whose '[' is inactive, is text; its '[' opens nothing more. A link (not an
 * image) makes the '[' before it inactive, as links do not nest, and its destination and title
 * are not read again. Links and images inside an image's text are dropped: they become its alt
 * text, not links.
 */
static void find_brackets(struct vec *out, const char *md, size_t n, const char *map)
{
    struct vec stack = VEC_INIT(struct md_opener);
    size_t bang = SIZE_MAX; /* the last unescaped '!' of inline text */
    size_t inactive = 0;    /* the '[' openers below this index are inactive */
    for (size_t j = 0; j < n; j++) {
        if (map[j] == MD_OUT) {
            stack.len = inactive = 0;
            continue;
        }
        if (map[j] == MD_CODE)
            continue;
        if (md[j] == '\\' && j + 1 < n && ispunct((unsigned char)md[j + 1]) &&
            map[j + 1] == MD_TEXT) {
            j++;
            continue;
        }
        if (md[j] == '!') {
            bang = j;
        } else if (md[j] == '[') {
            struct md_opener *o = vec_push(&stack);
            o->pos = j;
            o->image = j > 0 && bang == j - 1;
        } else if (md[j] == ']' && stack.len) {
            struct md_opener o = ((struct md_opener *)stack.items)[--stack.len];
            bool active = o.image || stack.len >= inactive;
            if (inactive > stack.len)
                inactive = stack.len;
            struct md_link l;
            if (!active || j + 1 >= n || md[j + 1] != '(' || map[j + 1] != MD_TEXT ||
                !parse_link(&l, md, n, j))
                continue;
            struct md_bracket *kept = out->items;
            while (o.image && out->len && kept[out->len - 1].at > o.pos)
                out->len--; /* inside this image's text */
            struct md_bracket *b = vec_push(out);
            b->open = o.pos;
            b->at = j;
            b->image = o.image;
            if (!o.image)
                inactive = stack.len; /* links do not nest: every '[' before it is text */
            j = l.end - 1;
        }
    }
    vec_release(&stack);
}

/* The destination with backslash escapes removed: the path it names. */
static void link_path(struct sbuf *out, const char *md, const struct md_link *l)
{
    sbuf_reset(out);
    for (size_t i = l->dest; i < l->dest + l->dest_len; i++) {
        if (md[i] == '\\' && i + 1 < l->dest + l->dest_len && ispunct((unsigned char)md[i + 1]))
            i++;
        sbuf_addch(out, md[i]);
    }
}

/* Whether a link target names a file next to the markdown (relative, no scheme, existing). */
static bool is_local_file(const char *t, const char *md_dir)
{
    if (!*t || strstr(t, "://") || t[0] == '#' || t[0] == '/' || str_has_prefix(t, "data:") ||
        str_has_prefix(t, "mailto:"))
        return false;
    struct sbuf path = SBUF_INIT;
    path_join(&path, md_dir, t);
    bool local = fs_is_file(path.buf);
    sbuf_release(&path);
    return local;
}

/* The markdown as code_map and find_brackets read it. */
struct md_scan {
    char *map;           /* enum md_byte per byte */
    struct vec brackets; /* struct md_bracket, in order */
};

static void md_scan_init(struct md_scan *sc, const char *md, size_t n)
{
    sc->map = code_map(md, n);
    sc->brackets = VEC_INIT(struct md_bracket);
    find_brackets(&sc->brackets, md, n, sc->map);
}

static void md_scan_release(struct md_scan *sc)
{
    xfree(sc->map);
    vec_release(&sc->brackets);
}

/*
 * Finds the next link whose "](" is at or after pos and whose destination is a local file,
 * from the bracket *k on. Sets *b to its brackets, *link to its parts and path to the file as
 * written (relative to md_dir), and moves *k past it. Returns false when there is none.
 */
static bool next_local_link(const struct md_bracket **b, struct md_link *link, struct sbuf *path,
                            size_t *k, const char *md, size_t n, const struct md_scan *sc,
                            size_t pos, const char *md_dir)
{
    const struct md_bracket *all = sc->brackets.items;
    for (; *k < sc->brackets.len; (*k)++) {
        if (all[*k].at < pos || !parse_link(link, md, n, all[*k].at))
            continue;
        link_path(path, md, link);
        if (is_local_file(path->buf, md_dir)) {
            *b = &all[(*k)++];
            return true;
        }
    }
    return false;
}

/*
 * Lists the local files the markdown links to (images and links whose target is a relative path
 * to an existing file, resolved against the markdown file's folder, as CML resolves them), each
 * once, as normalized paths and as the quoted list for the user.
 */
static void local_links(struct vec *paths, struct sbuf *names, const char *md,
                        const struct md_scan *sc, const char *md_dir)
{
    size_t n = strlen(md), k = 0;
    const struct md_bracket *b;
    struct md_link l;
    struct sbuf path = SBUF_INIT;
    while (next_local_link(&b, &l, &path, &k, md, n, sc, 0, md_dir)) {
        struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
        path_join(&joined, md_dir, path.buf);
        path_normalize(&norm, joined.buf);
        sbuf_release(&joined);
        bool dup = false;
        vec_foreach (char *, q, paths)
            dup = dup || !strcmp(*q, norm.buf);
        if (dup) {
            sbuf_release(&norm);
            continue;
        }
        sbuf_addf(names, "%s'%s'", paths->len ? ", " : "", path.buf);
        *(char **)vec_push(paths) = sbuf_detach(&norm, NULL);
    }
    sbuf_release(&path);
}

/*
 * Copies the markdown, replacing each image of a local file that could not be published by a
 * short note, so the comment shows no broken image (CML leaves them broken, cml#1422). Code is
 * copied as it is.
 */
static void unpublished_images(struct sbuf *out, const char *md, const struct md_scan *sc,
                               const char *md_dir)
{
    size_t n = strlen(md), k = 0, pos = 0, copied = 0;
    const struct md_bracket *b;
    struct md_link l;
    struct sbuf path = SBUF_INIT;
    while (next_local_link(&b, &l, &path, &k, md, n, sc, pos, md_dir)) {
        /* an image is replaced, a link kept */
        if (!b->image || b->open == 0 || b->open - 1 < copied)
            continue;
        size_t bang = b->open - 1;
        sbuf_add(out, md + copied, bang - copied);
        sbuf_addf(out, "*(image `%s` not published)*", path.buf);
        copied = l.end;
        pos = l.end;
    }
    sbuf_addstr(out, md + copied);
    sbuf_release(&path);
}

/* A path as URL text: bytes outside RFC 3986's unreserved set and '/' are percent-encoded. */
static void add_url_path(struct sbuf *out, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            sbuf_addch(out, (char)*p);
        else
            sbuf_addf(out, "%%%02X", *p);
    }
}

/*
 * Commits the local files the markdown links to onto `branch` (repo_publish: a commit on the
 * branch's tip, pushed by compare-and-swap, never touching the work tree) and rewrites each link
 * to https://github.com/O/R/blob/<commit>/<path>?raw=true, which GitHub serves to whoever may
 * read the repository (private ones included).
 */
static int publish_links(struct sbuf *out, struct sbuf *commit_out, const char *md,
                         const struct md_scan *sc, const struct vec *paths, const char *md_dir,
                         const char *branch, const struct cli_gh *ctx, struct err *err)
{
    int rc = 0;
    struct repo *r = NULL;
    struct sbuf prefix = SBUF_INIT, base = SBUF_INIT, path = SBUF_INIT;
    struct repo_publish_result res;

    repo_global_init();
    rc = repo_open(&r, ".", err);
    if (rc)
        goto done;
    struct repo_provenance prov;
    repo_provenance_from_env(&prov);
    struct repo_publish_opts po = {.branch = branch,
                                   .paths = (const char *const *)paths->items,
                                   .npaths = paths->len,
                                   .message = "runnel report images",
                                   .token = ctx->token.buf,
                                   .prov = &prov};
    rc = repo_publish(r, &po, &res, err);
    if (rc)
        goto done;
    sbuf_addstr(commit_out, res.commit);
    /* the paths in the commit are relative to the work tree's top */
    char *cwd = getcwd(NULL, 0);
    const char *wd = repo_workdir(r);
    if (cwd && wd && str_has_prefix(cwd, wd)) /* wd ends with '/' */
        sbuf_addf(&prefix, "%s/", cwd + strlen(wd));
    xfree(cwd);
    const char *server = getenv("GITHUB_SERVER_URL");
    sbuf_addf(&base, "%s/%s/blob/%s/", server && *server ? server : "https://github.com",
              ctx->repo.buf, res.commit);
    /* rewrite: copy md, replacing each local destination by its URL (no space, no parenthesis:
     * it fits both destination forms) */
    size_t n = strlen(md), k = 0, pos = 0, copied = 0;
    const struct md_bracket *b;
    struct md_link l;
    while (next_local_link(&b, &l, &path, &k, md, n, sc, pos, md_dir)) {
        struct sbuf joined = SBUF_INIT, norm = SBUF_INIT;
        path_join(&joined, md_dir, path.buf);
        path_normalize(&norm, joined.buf);
        sbuf_add(out, md + copied, l.dest - copied);
        sbuf_addstr(out, base.buf);
        add_url_path(out, prefix.buf);
        add_url_path(out, norm.buf);
        sbuf_addstr(out, "?raw=true");
        sbuf_release(&joined);
        sbuf_release(&norm);
        copied = l.dest + l.dest_len;
        pos = l.end;
    }
    sbuf_addstr(out, md + copied);
done:
    repo_free(r);
    repo_global_shutdown();
    sbuf_release(&prefix);
    sbuf_release(&base);
    sbuf_release(&path);
    return rc;
}

int cli_cmd_comment(int argc, char **argv)
{
    enum {
        OPT_TARGET = 256,
        OPT_WM_TITLE,
        OPT_RM_WM,
        OPT_PUB_BRANCH,
        OPT_NO_PUBLISH,
        OPT_PUBLISH,
        OPT_PUBLISH_URL,
        OPT_NATIVE,
        OPT_SHA,
        OPT_TOKEN,
        OPT_REPO,
        OPT_DRY,
        OPT_PR,
        OPT_UPDATE,
        OPT_WATCH,
        OPT_DRIVER,
        OPT_LOG,
        OPT_TRIGGER,
    };
    static const struct option longopts[] = {
        {"target", required_argument, NULL, OPT_TARGET},
        {"watermark-title", required_argument, NULL, OPT_WM_TITLE},
        {"rm-watermark", no_argument, NULL, OPT_RM_WM},
        {"publish-branch", required_argument, NULL, OPT_PUB_BRANCH},
        {"no-publish", no_argument, NULL, OPT_NO_PUBLISH},
        {"publish", no_argument, NULL, OPT_PUBLISH},
        {"publish-url", required_argument, NULL, OPT_PUBLISH_URL},
        {"publish-native", no_argument, NULL, OPT_NATIVE},
        {"native", no_argument, NULL, OPT_NATIVE},
        {"commit-sha", required_argument, NULL, OPT_SHA},
        {"head-sha", required_argument, NULL, OPT_SHA},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"driver-token", required_argument, NULL, OPT_TOKEN},
        {"repo", required_argument, NULL, OPT_REPO},
        {"dry-run", no_argument, NULL, OPT_DRY},
        {"pr", no_argument, NULL, OPT_PR},
        {"update", no_argument, NULL, OPT_UPDATE},
        {"watch", no_argument, NULL, OPT_WATCH},
        {"driver", required_argument, NULL, OPT_DRIVER},
        {"log", required_argument, NULL, OPT_LOG},
        {"trigger-file", required_argument, NULL, OPT_TRIGGER},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *target_spec = "auto", *wm_title = "", *publish_branch = NULL;
    bool rm_watermark = false, no_publish = false, dry_run = false, update = false;
    struct cli_gh_opts go = {.need_sha = false};
    struct cli_gh ctx = {0};
    bool have_ctx = false;
    struct gh *g = NULL;
    struct err err = ERR_INIT;
    struct sbuf md = SBUF_INIT, body = SBUF_INIT, label = SBUF_INIT, marker = SBUF_INIT,
                cml_marker = SBUF_INIT, url = SBUF_INIT, links = SBUF_INIT, dir = SBUF_INIT;
    struct vec paths = VEC_INIT(char *);
    struct md_scan scan = {0};
    bool have_scan = false;
    int ret = CLI_OK;
    bool verbose = false;
    int c;

    if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "update"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return CLI_OK;
        }
        usage(stderr);
        return CLI_USAGE;
    }
    update = !strcmp(argv[1], "update");
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TARGET:
            target_spec = optarg;
            break;
        case OPT_WM_TITLE:
            wm_title = optarg;
            break;
        case OPT_RM_WM:
            rm_watermark = true;
            break;
        case OPT_PUB_BRANCH:
            publish_branch = optarg;
            break;
        case OPT_NO_PUBLISH:
            no_publish = true;
            break;
        case OPT_PUBLISH:
        case OPT_LOG:
        case OPT_TRIGGER:
            break;
        case OPT_PUBLISH_URL:
            cli_error("--publish-url is not supported: runnel never sends report files to a "
                      "third-party host; use --publish-branch");
            return CLI_USAGE;
        case OPT_NATIVE:
            cli_error("--native: GitHub has no API for attaching files to comments; use "
                      "--publish-branch");
            return CLI_USAGE;
        case OPT_SHA:
            go.commit_sha = optarg;
            break;
        case OPT_TOKEN:
            go.token = optarg;
            break;
        case OPT_REPO:
            go.repo = optarg;
            break;
        case OPT_DRY:
            dry_run = true;
            break;
        case OPT_PR:
            target_spec = "pr";
            break;
        case OPT_UPDATE:
            update = true;
            break;
        case OPT_WATCH:
            cli_error("--watch is not supported: run 'runnel comment update' after each change");
            return CLI_USAGE;
        case OPT_DRIVER:
            if (strcmp(optarg, "github")) {
                cli_error("--driver '%s': only github is supported", optarg);
                return CLI_USAGE;
            }
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("comment %s needs exactly one markdown FILE", update ? "update" : "create");
        return CLI_USAGE;
    }
    const char *file = argv[optind];
    if (rm_watermark && update) {
        cli_error("--rm-watermark cannot be used with update: the watermark is how the comment "
                  "is found again");
        return CLI_USAGE;
    }
    struct gh_target target;
    if (gh_target_parse(&target, target_spec, &err)) {
        cli_error_err(NULL, &err);
        return CLI_USAGE;
    }
    if (sbuf_read_file(&md, file, COMMENT_FILE_MAX, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    go.need_sha = !rm_watermark || target.kind != GH_TARGET_ISSUE;
    if (cli_gh_load(&ctx, &go, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_USAGE;
        goto done;
    }
    have_ctx = true;

    /* Linked local files: published with git when this build can, else said so, once. */
    path_dirname(&dir, file);
    md_scan_init(&scan, md.buf, strlen(md.buf));
    have_scan = true;
    local_links(&paths, &links, md.buf, &scan, dir.buf);
    size_t n_links = paths.len;
    bool published = false;
    if (n_links && !no_publish && publish_branch && !dry_run) {
        struct sbuf rewritten = SBUF_INIT;
        struct sbuf commit = SBUF_INIT;
        if (publish_links(&rewritten, &commit, md.buf, &scan, &paths, dir.buf, publish_branch, &ctx,
                          &err)) {
            cli_error_err("publish", &err);
            err_clear(&err);
        } else {
            fprintf(stderr, "runnel: published %s to branch '%s' at %s\n", links.buf,
                    publish_branch, commit.buf);
            sbuf_addstr(&body, rewritten.buf);
            published = true;
        }
        sbuf_release(&rewritten);
        sbuf_release(&commit);
    }
    if (n_links && !no_publish && !published) {
        fprintf(stderr,
                "runnel: note: %s links %zu local file%s (%s) that %s, so they stay local files "
                "and the comment says so in place of each image; the report's tables carry the "
                "same numbers (--no-publish posts the file as it is)\n",
                file, n_links, n_links == 1 ? "" : "s", links.buf,
                dry_run          ? "a dry run does not publish"
                : publish_branch ? "could not be published"
                                 : "need --publish-branch BRANCH to be published");
        unpublished_images(&body, md.buf, &scan, dir.buf);
    } else if (!published) {
        sbuf_addstr(&body, md.buf);
    }
    expand_label(&label, wm_title);
    if (!rm_watermark) {
        sbuf_addstr(&body, "\n\n");
        gh_watermark(&body, label.buf, ctx.sha.buf);
    }
    gh_watermark_marker(&marker, label.buf);
    gh_watermark_cml_marker(&cml_marker, label.buf);
    size_t chars = utf8_chars(body.buf, body.len);
    if (chars > GITHUB_COMMENT_MAX) {
        cli_error("%s: the comment would be %zu characters, more than GitHub's %u", file, chars,
                  GITHUB_COMMENT_MAX);
        ret = CLI_FAIL;
        goto done;
    }

    if (gh_new(&g,
               &(struct gh_opts){.api_url = ctx.api.buf,
                                 .token = ctx.token.buf,
                                 .repo = ctx.repo.buf,
                                 .log = verbose ? cli_gh_log : NULL},
               &err) ||
        gh_target_resolve(g, &target, ctx.sha.buf, ctx.event_pr, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_FAIL;
        goto done;
    }
    if (dry_run) {
        if (target.kind == GH_TARGET_COMMIT)
            printf("target: commit/%s\n", target.sha);
        else
            printf("target: %s/%ld\n", target.kind == GH_TARGET_ISSUE ? "issue" : "pr",
                   target.number);
        printf("%s\n", body.buf);
        goto done;
    }
    bool updated = false;
    struct gh_comment cm = {
        .body = body.buf, .marker = marker.buf, .marker_alt = cml_marker.buf, .update = update};
    if (gh_comment_post(g, &url, &updated, &target, &cm, &err)) {
        cli_error_err(NULL, &err);
        ret = CLI_FAIL;
        goto done;
    }
    printf("%s\n", url.buf);
done:
    gh_free(g);
    if (have_ctx)
        cli_gh_release(&ctx);
    sbuf_release(&md);
    sbuf_release(&body);
    sbuf_release(&label);
    sbuf_release(&marker);
    sbuf_release(&cml_marker);
    sbuf_release(&url);
    sbuf_release(&links);
    sbuf_release(&dir);
    vec_foreach (char *, q, &paths)
        xfree(*q);
    vec_release(&paths);
    if (have_scan)
        md_scan_release(&scan);
    return ret;
}
