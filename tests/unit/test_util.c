#include "harness.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/glob.h"
#include "util/json.h"
#include "util/map.h"
#include "util/path.h"
#include "util/sbuf.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/vec.h"
#include "util/xalloc.h"

static void sbuf_starts_empty_and_terminated(void)
{
    struct sbuf sb = SBUF_INIT;
    CHECK(sb.buf != NULL);
    CHECK_INT(sb.len, 0);
    CHECK_STR(sb.buf, "");
    sbuf_release(&sb);
    CHECK(sb.buf == sbuf_empty);
}

static void sbuf_appends_and_formats(void)
{
    struct sbuf sb = SBUF_INIT;
    sbuf_addstr(&sb, "a");
    sbuf_addch(&sb, 'b');
    sbuf_addf(&sb, "%d-%s", 42, "x");
    sbuf_addchars(&sb, '.', 3);
    CHECK_STR(sb.buf, "ab42-x...");
    CHECK_INT(sb.len, 9);
    /* A long format forces a second vsnprintf pass. */
    sbuf_reset(&sb);
    sbuf_addf(&sb, "%0500d", 7);
    CHECK_INT(sb.len, 500);
    CHECK(sb.buf[499] == '7' && sb.buf[500] == '\0');
    sbuf_release(&sb);
}

static void sbuf_detach_hands_over_the_bytes(void)
{
    struct sbuf sb = SBUF_INIT;
    size_t len = 99;
    char *empty = sbuf_detach(&sb, &len);
    CHECK_INT(len, 0);
    CHECK_STR(empty, "");
    xfree(empty);
    sbuf_add(&sb, "a\0b", 3);
    char *p = sbuf_detach(&sb, &len);
    CHECK_INT(len, 3);
    CHECK(p[1] == '\0' && p[2] == 'b' && p[3] == '\0');
    CHECK(sb.buf == sbuf_empty && sb.len == 0);
    xfree(p);
}

static void sbuf_read_file_enforces_its_maximum(void)
{
    struct sbuf path = SBUF_INIT;
    struct err err = ERR_INIT;
    path_join(&path, harness_tmpdir(), "f.txt");
    CHECK_INT(fs_write_file(path.buf, "0123456789", 10, &err), 0);
    struct sbuf sb = SBUF_INIT;
    CHECK_INT(sbuf_read_file(&sb, path.buf, 10, &err), 0);
    CHECK_STR(sb.buf, "0123456789");
    sbuf_reset(&sb);
    CHECK_INT(sbuf_read_file(&sb, path.buf, 9, &err), ERR_INVALID);
    CHECK(strstr(err.msg, "exceeds 9 bytes") != NULL);
    CHECK_INT(sb.len, 0);
    CHECK(sbuf_read_file(&sb, "/nonexistent/x", 9, &err) == ERR_IO);
    CHECK(strstr(err.msg, "'/nonexistent/x'") != NULL);
    sbuf_release(&sb);
    sbuf_release(&path);
}

static void sbuf_escapes_json(void)
{
    struct sbuf sb = SBUF_INIT;
    sbuf_add_json_escaped(&sb, "a\"b\\c\n\x01", 7);
    CHECK_STR(sb.buf, "a\\\"b\\\\c\\n\\u0001");
    sbuf_release(&sb);
}

static void err_prefix_keeps_code_and_message(void)
{
    struct err err = ERR_INIT;
    CHECK_INT(err_set(&err, ERR_NOTFOUND, "no such job '%s'", "x"), ERR_NOTFOUND);
    err_prefix(&err, "ci.yml:%d:%d: ", 3, 4);
    CHECK_STR(err.msg, "ci.yml:3:4: no such job 'x'");
    CHECK_INT(err.code, ERR_NOTFOUND);
    char big[600];
    memset(big, 'a', sizeof(big) - 1);
    big[599] = '\0';
    err_set(&err, ERR_FAIL, "%s", big);
    CHECK(strlen(err.msg) == ERR_MSG_MAX - 1);
    CHECK(!strcmp(err.msg + ERR_MSG_MAX - 4, "..."));
}

static void str_slices_compare(void)
{
    struct str a = str_from("Hello");
    CHECK(str_eqi_cstr(a, "hELLO"));
    CHECK(!str_eq_cstr(a, "hello"));
    CHECK(str_eq(str_trim(str_from("  x y \n")), str_from("x y")));
    CHECK(str_casecmp("abc", "ABD") < 0);
    long v;
    CHECK(str_to_long("-42", &v) && v == -42);
    CHECK(!str_to_long("42x", &v));
    CHECK(!str_to_long("", &v));
    CHECK(!str_to_long("99999999999999999999999", &v));
    double d;
    CHECK(str_to_double("1.5e3", &d) && d == 1500);
}

static void vec_grows_and_removes_in_order(void)
{
    struct vec v = VEC_INIT(int);
    for (int i = 0; i < 100; i++)
        *(int *)vec_push(&v) = i;
    CHECK_INT(v.len, 100);
    vec_remove(&v, 0);
    CHECK_INT(*(int *)vec_at(&v, 0), 1);
    int sum = 0;
    vec_foreach (int, p, &v) {
        sum += *p;
    }
    CHECK_INT(sum, 4950 - 0);
    vec_release(&v);
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* An empty vector has no items at all (NULL), which qsort must not be given. */
static void vec_sort_orders_and_leaves_empty_alone(void)
{
    struct vec v = VEC_INIT(int);
    vec_sort(&v, cmp_int);
    CHECK(v.items == NULL && v.len == 0);
    for (int i = 0; i < 50; i++)
        *(int *)vec_push(&v) = (i * 37) % 50;
    vec_sort(&v, cmp_int);
    for (int i = 0; i < 50; i++)
        CHECK_INT(*(int *)vec_at(&v, (size_t)i), i);
    vec_release(&v);
}

/* The five entities of SecurityElement.Escape (what GitHub masks as a secret's XML form). */
static void sbuf_xml_escapes_the_five(void)
{
    struct sbuf sb = SBUF_INIT;
    const char in[] = "a<b>&\"c'd\0e";
    sbuf_add_xml_escaped(&sb, in, sizeof(in) - 1);
    CHECK(sb.len == strlen("a&lt;b&gt;&amp;&quot;c&apos;d") + 2);
    CHECK(!memcmp(sb.buf, "a&lt;b&gt;&amp;&quot;c&apos;d\0e", sb.len));
    sbuf_release(&sb);
}

/*
 * Go's module cache makes its folders read-only (0555); their owner must still be able to remove
 * them (old runs are pruned with fs_remove_tree). Root ignores modes, so as root the removal is
 * done in a child running as nobody, on a tree nobody owns.
 */
static void fs_remove_tree_empties_read_only_folders(void)
{
    struct err err = ERR_INIT;
    struct sbuf base = SBUF_INIT, top = SBUF_INIT, mid = SBUF_INIT, sub = SBUF_INIT,
                file = SBUF_INIT;
    path_join(&base, harness_tmpdir(), "owner");
    path_join(&top, base.buf, "modcache");
    path_join(&mid, top.buf, "pkg@v1");
    path_join(&sub, mid.buf, "inner");
    path_join(&file, sub.buf, "go.mod");
    CHECK_INT(fs_mkdirs(sub.buf, 0755, &err), 0);
    CHECK_INT(fs_write_file(file.buf, "module x\n", 9, &err), 0);
    bool as_root = geteuid() == 0;
    uid_t nobody = 65534;
    if (as_root) {
        CHECK(chmod(harness_tmpdir(), 0755) == 0);
        const char *const own[] = {base.buf, top.buf, mid.buf, sub.buf, file.buf, NULL};
        for (size_t i = 0; own[i]; i++)
            CHECK(lchown(own[i], nobody, nobody) == 0);
    }
    CHECK(chmod(file.buf, 0444) == 0);
    const char *const read_only[] = {sub.buf, mid.buf, top.buf, NULL};
    for (size_t i = 0; read_only[i]; i++)
        CHECK(chmod(read_only[i], 0555) == 0);
    if (as_root) {
        pid_t pid = fork();
        if (pid == 0) {
            if (setgid(nobody) < 0 || setuid(nobody) < 0)
                _exit(3);
            struct err e2 = ERR_INIT;
            _exit(fs_remove_tree(top.buf, &e2) == 0 && !fs_exists(top.buf) ? 0 : 1);
        }
        int status = -1;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    } else {
        CHECK_INT(fs_remove_tree(top.buf, &err), 0);
    }
    CHECK(!fs_exists(top.buf));
    struct sbuf *bufs[] = {&base, &top, &mid, &sub, &file};
    for (size_t i = 0; i < 5; i++)
        sbuf_release(bufs[i]);
}

/* A link below base, on the way to path, is found; the base's own links and path's last are not. */
static void fs_through_link_sees_links_below_the_base(void)
{
    struct err err = ERR_INIT;
    struct sbuf base = SBUF_INIT, real = SBUF_INIT, link = SBUF_INIT, p = SBUF_INIT;
    path_join(&base, harness_tmpdir(), "base");
    path_join(&real, base.buf, "real/deeper");
    CHECK_INT(fs_mkdirs(real.buf, 0755, &err), 0);
    path_join(&link, base.buf, "link");
    CHECK(symlink(harness_tmpdir(), link.buf) == 0);
    path_join(&p, base.buf, "real/deeper/file");
    CHECK(!fs_through_link(base.buf, p.buf));
    sbuf_reset(&p);
    path_join(&p, base.buf, "link/x/file");
    CHECK(fs_through_link(base.buf, p.buf));
    CHECK(!fs_through_link(base.buf, link.buf)); /* the last component is not "on the way" */
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/", link.buf); /* ... unless the path goes into it */
    CHECK(fs_through_link(base.buf, p.buf));
    CHECK(!fs_through_link(real.buf, "/elsewhere/file"));
    /* a link that stays inside base (a repository's vendor -> third_party) is fine */
    struct sbuf inner = SBUF_INIT;
    path_join(&inner, base.buf, "vendor");
    CHECK(symlink("real", inner.buf) == 0);
    sbuf_addstr(&inner, "/deeper/file");
    CHECK(!fs_through_link(base.buf, inner.buf));
    sbuf_release(&inner);
    struct sbuf *bufs[] = {&base, &real, &link, &p};
    for (size_t i = 0; i < 4; i++)
        sbuf_release(bufs[i]);
}

/* path_within is textual and stops at folder boundaries; fs_real_within resolves links first. */
static void path_within_and_fs_real_within(void)
{
    CHECK(path_within("/a/b", "/a"));
    CHECK(path_within("/a", "/a/"));
    CHECK(path_within("/a/b", "/"));
    CHECK(!path_within("/ab", "/a"));
    CHECK(!path_within("/a", "/a/b"));
    struct err err = ERR_INIT;
    struct sbuf dir = SBUF_INIT, in = SBUF_INIT, link = SBUF_INIT;
    path_join(&dir, harness_tmpdir(), "realw/inside");
    CHECK_INT(fs_mkdirs(dir.buf, 0755, &err), 0);
    path_join(&in, harness_tmpdir(), "realw");
    path_join(&link, harness_tmpdir(), "lw");
    CHECK(symlink(dir.buf, link.buf) == 0);
    CHECK(fs_real_within(link.buf, in.buf));  /* the link leads inside */
    CHECK(!path_within(link.buf, in.buf));    /* though its name does not */
    CHECK(!fs_real_within(in.buf, link.buf)); /* the parent is not inside its child */
    CHECK(!fs_real_within("/no/such/path", in.buf));
    sbuf_release(&dir);
    sbuf_release(&in);
    sbuf_release(&link);
}

static void map_keeps_insertion_order(void)
{
    struct map m = MAP_INIT;
    char name[16];
    static int values[300];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "k%03d", 299 - i);
        values[i] = i;
        CHECK(map_set(&m, name, &values[i]) == NULL);
    }
    CHECK_INT(m.len, 300);
    CHECK_STR(m.entries[0].key, "k299");
    CHECK_STR(m.entries[299].key, "k000");
    CHECK(*(int *)map_find(&m, "k000") == 299);
    CHECK(map_find(&m, "K000") == NULL); /* exact mode */
    CHECK(map_find_ci(&m, "K000", 4) != NULL);
    CHECK(map_remove(&m, "k150") != NULL);
    CHECK_INT(m.len, 299);
    CHECK(map_find(&m, "k150") == NULL);
    CHECK(*(int *)map_find(&m, "k149") == 150);
    map_release(&m, NULL);
}

static void map_ci_mode_matches_github_contexts(void)
{
    struct map m = MAP_INIT_CI;
    int a = 1, b = 2;
    map_set(&m, "Foo", &a);
    CHECK(map_set(&m, "FOO", &b) == &a); /* same key ignoring case: value replaced */
    CHECK_INT(m.len, 1);
    CHECK_STR(m.entries[0].key, "Foo"); /* the first spelling is kept */
    CHECK(map_find(&m, "foo") == &b);
    map_release(&m, NULL);
}

static void arena_allocations_are_zeroed_and_aligned(void)
{
    struct arena a = ARENA_INIT;
    for (int i = 0; i < 1000; i++) {
        char *p = arena_alloc(&a, (size_t)i % 37 + 1);
        CHECK(((uintptr_t)p % sizeof(max_align_t)) == 0 || ((uintptr_t)p % 16) == 0);
        CHECK(p[0] == 0);
    }
    char *big = arena_alloc(&a, 100000);
    CHECK(big[99999] == 0);
    CHECK_STR(arena_strndup(&a, "hello world", 5), "hello");
    CHECK(a.used >= 100000);
    arena_reset(&a);
    CHECK_INT(a.used, 0);
    arena_release(&a);
}

/* After a reset the kept blocks are reused: arena_alloc still zeroes, big blocks come back. */
static void arena_reset_reuses_blocks(void)
{
    struct arena a = ARENA_INIT;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 300; i++) {
            char *p = arena_alloc(&a, 100);
            for (int k = 0; k < 100; k++)
                CHECK(p[k] == 0);
            memset(p, 0xAA, 100);
        }
        char *big = arena_alloc(&a, 300000);
        CHECK(big[0] == 0 && big[299999] == 0);
        memset(big, 0xBB, 300000);
        char *raw = arena_alloc_raw(&a, 0);
        CHECK(raw != NULL);
        CHECK(a.used >= 330000);
        arena_reset(&a);
        CHECK_INT(a.used, 0);
        CHECK(a.spare_bytes <= (1u << 20));
    }
    arena_release(&a);
}

static void arena_printf_formats_into_the_arena(void)
{
    struct arena a = ARENA_INIT;
    CHECK_STR(arena_printf(&a, "%s=%d", "n", 42), "n=42");
    CHECK_STR(arena_printf(&a, "%s", ""), "");
    char *big = arena_printf(&a, "%6000d|", 7); /* longer than a block's half */
    CHECK_INT(strlen(big), 6001);
    CHECK(big[5999] == '7' && big[6000] == '|' && big[0] == ' ');
    arena_release(&a);
}

/* execvp's rules: first executable regular file wins, an empty entry is ".", others skipped. */
static void search_path_finds_executables_like_execvp(void)
{
    char tmpl[] = "/tmp/runnel-test-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    struct sbuf p = SBUF_INIT;
    struct err err = ERR_INIT;
    const char *dirs[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++) {
        sbuf_reset(&p);
        sbuf_addf(&p, "%s/%s", tmpl, dirs[i]);
        CHECK_INT(fs_mkdirs(p.buf, 0755, &err), 0);
    }
    sbuf_reset(&p); /* a/tool: not executable; b/tool: a directory; c/tool: the one */
    sbuf_addf(&p, "%s/a/tool", tmpl);
    CHECK_INT(fs_write_file(p.buf, "x", 1, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/b/tool", tmpl);
    CHECK_INT(fs_mkdirs(p.buf, 0755, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/c/tool", tmpl);
    CHECK_INT(fs_write_file(p.buf, "x", 1, &err), 0);
    CHECK_INT(chmod(p.buf, 0755), 0);
    struct sbuf dirs_list = SBUF_INIT;
    sbuf_addf(&dirs_list, "%s/a:%s/b:%s/c", tmpl, tmpl, tmpl);
    struct sbuf out = SBUF_INIT;
    CHECK(fs_search_path(&out, dirs_list.buf, "tool"));
    CHECK_STR(out.buf, p.buf);
    sbuf_reset(&out);
    CHECK(!fs_search_path(&out, dirs_list.buf, "missing"));
    CHECK_INT(out.len, 0);
    /* an empty entry is the current directory */
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/c", tmpl);
    CHECK_INT(chdir(p.buf), 0);
    CHECK(fs_search_path(&out, "/nonexistent::", "tool"));
    CHECK_STR(out.buf, "./tool");
    CHECK_INT(chdir(cwd), 0);
    CHECK_INT(fs_remove_tree(tmpl, &err), 0);
    sbuf_release(&out);
    sbuf_release(&dirs_list);
    sbuf_release(&p);
}

static void count_progress(uint64_t done, void *ctx)
{
    uint64_t *calls = ctx;
    calls[0]++;
    calls[1] = done;
}

/* 3 MiB + 1 byte in 1 MiB chunks: four progress reports, the last at the full size. */
static void copy_fd_copies_everything_and_reports_progress(void)
{
    char tmpl[] = "/tmp/runnel-test-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    struct sbuf src = SBUF_INIT;
    struct sbuf dst = SBUF_INIT;
    struct sbuf data = SBUF_INIT;
    struct err err = ERR_INIT;
    for (size_t i = 0; i < (3u << 20) + 1; i++)
        sbuf_addch(&data, (char)('a' + i % 23));
    sbuf_addf(&src, "%s/src", tmpl);
    sbuf_addf(&dst, "%s/dst", tmpl);
    CHECK_INT(fs_write_file(src.buf, data.buf, data.len, &err), 0);
    int in = open(src.buf, O_RDONLY);
    int out = open(dst.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(in >= 0 && out >= 0);
    uint64_t calls[2] = {0, 0};
    uint64_t copied = 0;
    CHECK_INT(fs_copy_fd(in, "src", out, "dst", count_progress, calls, &copied, &err), 0);
    close(in);
    close(out);
    CHECK(copied == data.len);
    CHECK(calls[0] == 4 && calls[1] == data.len);
    struct sbuf back = SBUF_INIT;
    CHECK_INT(sbuf_read_file(&back, dst.buf, 16u << 20, &err), 0);
    CHECK(back.len == data.len && memcmp(back.buf, data.buf, data.len) == 0);
    /* a read error names the source */
    CHECK(fs_copy_fd(-1, "src", 1, "dst", NULL, NULL, NULL, &err) < 0);
    CHECK(strstr(err.msg, "cannot read 'src'") != NULL);
    CHECK_INT(fs_remove_tree(tmpl, &err), 0);
    sbuf_release(&back);
    sbuf_release(&data);
    sbuf_release(&dst);
    sbuf_release(&src);
}

/* RFC 3629's table and its ill-formed examples. */
static void utf8_decode_takes_only_well_formed_characters(void)
{
    uint32_t cp = 0;
    CHECK_INT(utf8_decode("A", 1, &cp), 1);
    CHECK(cp == 0x41);
    CHECK_INT(utf8_decode("\xC3\xA9", 2, &cp), 2);
    CHECK(cp == 0xE9);
    CHECK_INT(utf8_decode("\xE2\x98\x83", 3, &cp), 3);
    CHECK(cp == 0x2603);
    CHECK_INT(utf8_decode("\xF0\x9F\x98\x8A", SIZE_MAX, &cp), 4);
    CHECK(cp == 0x1F60A);
    CHECK_INT(utf8_decode("\xC0\x80", 2, &cp), 0);         /* overlong NUL */
    CHECK_INT(utf8_decode("\xE0\x80\xAF", 3, &cp), 0);     /* overlong '/' */
    CHECK_INT(utf8_decode("\xED\xA0\x80", 3, &cp), 0);     /* a surrogate */
    CHECK_INT(utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0); /* past U+10FFFF */
    CHECK_INT(utf8_decode("\x80", 1, &cp), 0);             /* a lone continuation byte */
    CHECK_INT(utf8_decode("\xE2\x98\x83", 2, &cp), 0);     /* cut off by len */
    CHECK_INT(utf8_decode("\xE2\x98", SIZE_MAX, &cp), 0);  /* cut off by the NUL */
    CHECK_INT(utf8_decode("", 0, &cp), 0);
}

static void path_normalize_folds_dots(void)
{
    static const char *const cases[][2] = {
        {"a/b/../c", "a/c"}, {"./a//b/", "a/b"}, {"../a", "../a"}, {"/../x", "/x"},
        {"", "."},           {"a/..", "."},      {"/", "/"},       {"a/../../b", "../b"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sbuf sb = SBUF_INIT;
        path_normalize(&sb, cases[i][0]);
        CHECK_STR(sb.buf, cases[i][1]);
        sbuf_release(&sb);
    }
    CHECK(path_is_contained("a/b/../c"));
    CHECK(!path_is_contained("a/../../c"));
    CHECK(!path_is_contained("/etc/passwd"));
    CHECK_STR(path_basename("a/b/c.txt"), "c.txt");
    struct sbuf d = SBUF_INIT;
    path_dirname(&d, "a/b/c.txt");
    CHECK_STR(d.buf, "a/b");
    sbuf_release(&d);
}

static void fs_mkdirs_and_remove_tree(void)
{
    struct err err = ERR_INIT;
    struct sbuf p = SBUF_INIT;
    path_join(&p, harness_tmpdir(), "x/y/z");
    CHECK_INT(fs_mkdirs(p.buf, 0755, &err), 0);
    CHECK(fs_is_dir(p.buf));
    CHECK_INT(fs_mkdirs(p.buf, 0755, &err), 0);
    sbuf_addstr(&p, "/f");
    CHECK_INT(fs_write_file(p.buf, "hi", 2, &err), 0);
    CHECK_INT(fs_append_file(p.buf, "!", 1, &err), 0);
    struct sbuf content = SBUF_INIT;
    CHECK_INT(sbuf_read_file(&content, p.buf, 100, &err), 0);
    CHECK_STR(content.buf, "hi!");
    sbuf_reset(&p);
    path_join(&p, harness_tmpdir(), "x");
    CHECK_INT(fs_remove_tree(p.buf, &err), 0);
    CHECK(!fs_exists(p.buf));
    CHECK_INT(fs_remove_tree(p.buf, &err), 0); /* missing is fine */
    sbuf_release(&content);
    sbuf_release(&p);
}

/* A link a step left in the destination is replaced, never written through (checkout's path). */
static void fs_copy_tree_writes_through_no_link(void)
{
    struct err err = ERR_INIT;
    struct sbuf src = SBUF_INIT, dst = SBUF_INIT, out = SBUF_INIT, p = SBUF_INIT;
    struct sbuf body = SBUF_INIT;
    path_join(&src, harness_tmpdir(), "src");
    path_join(&dst, harness_tmpdir(), "dst");
    path_join(&out, harness_tmpdir(), "outside");
    CHECK_INT(fs_mkdirs(out.buf, 0755, &err), 0);
    sbuf_addf(&p, "%s/sub", src.buf);
    CHECK_INT(fs_mkdirs(p.buf, 0755, &err), 0);
    sbuf_addstr(&p, "/f");
    CHECK_INT(fs_write_file(p.buf, "repo", 4, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/README", src.buf);
    CHECK_INT(fs_write_file(p.buf, "readme", 6, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/victim", out.buf);
    CHECK_INT(fs_write_file(p.buf, "orig", 4, &err), 0);
    CHECK_INT(fs_mkdirs(dst.buf, 0755, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/README", dst.buf);
    struct sbuf victim = SBUF_INIT;
    sbuf_addf(&victim, "%s/victim", out.buf);
    CHECK(symlink(victim.buf, p.buf) == 0);
    CHECK_INT(fs_copy_tree(dst.buf, src.buf, NULL, NULL, &err), 0);
    CHECK_INT(sbuf_read_file(&body, victim.buf, 100, &err), 0);
    CHECK_STR(body.buf, "orig");
    struct stat st;
    CHECK_INT(lstat(p.buf, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    /* a link where a folder goes: an error, nothing written below its target */
    CHECK_INT(fs_remove_tree(dst.buf, &err), 0);
    CHECK_INT(fs_mkdirs(dst.buf, 0755, &err), 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/sub", dst.buf);
    CHECK(symlink(out.buf, p.buf) == 0);
    CHECK(fs_copy_tree(dst.buf, src.buf, NULL, NULL, &err) < 0);
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/f", out.buf);
    CHECK(!fs_exists(p.buf));
    /* a file that may hold secrets can be written private */
    sbuf_reset(&p);
    sbuf_addf(&p, "%s/script.sh", out.buf);
    CHECK_INT(fs_write_file_mode(p.buf, "s", 1, 0600, &err), 0);
    CHECK_INT(stat(p.buf, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    struct sbuf *bufs[] = {&src, &dst, &out, &p, &body, &victim};
    for (size_t i = 0; i < 6; i++)
        sbuf_release(bufs[i]);
}

/* FIPS 180-4 / NIST example vectors. */
static void sha256_matches_nist_vectors(void)
{
    static const char *const cases[][2] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < 3; i++) {
        unsigned char d[32];
        char hex[65];
        sha256_buf(d, cases[i][0], strlen(cases[i][0]));
        hex_encode(hex, d, 32);
        CHECK_STR(hex, cases[i][1]);
    }
    /* One million 'a', fed in uneven pieces. */
    struct sha256 c;
    sha256_init(&c);
    char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        sha256_update(&c, chunk, n);
        left -= n;
    }
    unsigned char d[32];
    char hex[65];
    sha256_final(&c, d);
    hex_encode(hex, d, 32);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void json_parse_reports_position(void)
{
    cJSON *root = NULL;
    struct err err = ERR_INIT;
    const char *good = "{\"a\": [1, 2]}";
    CHECK_INT(json_parse(&root, good, strlen(good), &err), 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "a")) == 2);
    cJSON_Delete(root);
    const char *bad = "{\n  \"a\": tru\n}";
    CHECK_INT(json_parse(&root, bad, strlen(bad), &err), ERR_INVALID);
    CHECK(strstr(err.msg, "line 2") != NULL);
}

/* json.loads: white space may follow the value, anything else is "Extra data". */
static void json_parse_rejects_data_after_the_value(void)
{
    cJSON *root = NULL;
    struct err err = ERR_INIT;
    const char *spaced = " {\"a\": 1} \r\n\t\n";
    CHECK_INT(json_parse(&root, spaced, strlen(spaced), &err), 0);
    cJSON_Delete(root);
    root = NULL;
    const char *two = "{\"a\":1}{\"b\":2}";
    CHECK_INT(json_parse(&root, two, strlen(two), &err), ERR_INVALID);
    CHECK(root == NULL);
    CHECK_STR(err.msg, "invalid JSON at line 1, column 8: data after the value");
    const char *junk = "[1, 2]\n  junk";
    CHECK_INT(json_parse(&root, junk, strlen(junk), &err), ERR_INVALID);
    CHECK_STR(err.msg, "invalid JSON at line 2, column 3: data after the value");
    const char nul[] = "{}\0";
    CHECK_INT(json_parse(&root, nul, sizeof(nul) - 1, &err), ERR_INVALID);
}

/*
 * The examples of GitHub's "Filter pattern cheat sheet" (workflow syntax documentation):
 * each pattern with the refs or paths the documentation says it matches.
 */
struct glob_case {
    const char *pattern;
    const char *subject;
    bool match;
};

static void glob_matches_branch_cheat_sheet(void)
{
    static const struct glob_case cases[] = {
        {"feature/*", "feature/my-branch", true},
        {"feature/*", "feature/your-branch", true},
        {"feature/*", "feature/beta-a/my-branch", false},
        {"feature/**", "feature/beta-a/my-branch", true},
        {"feature/**", "feature/your-branch", true},
        {"feature/**", "feature/mona/the/octocat", true},
        {"main", "main", true},
        {"main", "main2", false},
        {"releases/mona-the-octocat", "releases/mona-the-octocat", true},
        {"*", "main", true},
        {"*", "releases", true},
        {"*", "releases/v1", false},
        {"**", "all/the/branches", true},
        {"**", "every/tag", true},
        {"*feature", "mona-feature", true},
        {"*feature", "feature", true},
        {"*feature", "ver-10-feature", true},
        {"v2*", "v2", true},
        {"v2*", "v2.0", true},
        {"v2*", "v2.9", true},
        {"v2*", "v3", false},
        {"v[12].[0-9]+.[0-9]+", "v1.10.1", true},
        {"v[12].[0-9]+.[0-9]+", "v2.0.0", true},
        {"v[12].[0-9]+.[0-9]+", "v3.0.0", false},
        {"v[12].[0-9]+.[0-9]+", "v1..0", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = glob_match_str(cases[i].pattern, cases[i].subject, GLOB_FILTER);
        if (got != cases[i].match) {
            harness_fail(__FILE__, __LINE__, "'%s' vs '%s': got %d", cases[i].pattern,
                         cases[i].subject, got);
            return;
        }
    }
}

static void glob_matches_path_cheat_sheet(void)
{
    static const struct glob_case cases[] = {
        {"*", "README.md", true},
        {"*", "server.rb", true},
        {"*.jsx?", "page.js", true},
        {"*.jsx?", "page.jsx", true},
        {"*.jsx?", "page.jsxx", false},
        {"**", "all/the/files.md", true},
        {"*.js", "app.js", true},
        {"*.js", "index.js", true},
        {"*.js", "js/index.js", false},
        {"**.js", "index.js", true},
        {"**.js", "js/index.js", true},
        {"**.js", "src/js/app.js", true},
        {"docs/*", "docs/README.md", true},
        {"docs/*", "docs/file.txt", true},
        {"docs/*", "docs/mona/octocat.txt", false},
        {"docs/**", "docs/README.md", true},
        {"docs/**", "docs/mona/octocat.txt", true},
        {"docs/**/*.md", "docs/README.md", true},
        {"docs/**/*.md", "docs/mona/hello-world.md", true},
        {"docs/**/*.md", "docs/a/markdown/file.md", true},
        {"docs/**/*.md", "docs/a/markdown/file.txt", false},
        {"**/docs/**", "docs/hello.md", true},
        {"**/docs/**", "dir/docs/my-file.txt", true},
        {"**/docs/**", "space/docs/plan/space.doc", true},
        {"**/README.md", "README.md", true},
        {"**/README.md", "js/README.md", true},
        {"**/*src/**", "a/src/app.js", true},
        {"**/*src/**", "my-src/code/js/app.js", true},
        {"**/*-post.md", "my-post.md", true},
        {"**/*-post.md", "path/their-post.md", true},
        {"**/migrate-*.sql", "migrate-10909.sql", true},
        {"**/migrate-*.sql", "db/migrate-v1.0.sql", true},
        {"**/migrate-*.sql", "db/sept/migrate-v1.sql", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = glob_match_str(cases[i].pattern, cases[i].subject, GLOB_FILTER);
        if (got != cases[i].match) {
            harness_fail(__FILE__, __LINE__, "'%s' vs '%s': got %d", cases[i].pattern,
                         cases[i].subject, got);
            return;
        }
    }
}

static void glob_list_negation_follows_order(void)
{
    /* Cheat sheet: '*.md' '!README.md' and then 'README*' added back. */
    const char *const two[] = {"*.md", "!README.md"};
    CHECK(glob_match_list(two, 2, "hello.md", GLOB_FILTER));
    CHECK(!glob_match_list(two, 2, "README.md", GLOB_FILTER));
    CHECK(!glob_match_list(two, 2, "docs/hello.md", GLOB_FILTER));
    const char *const three[] = {"*.md", "!README.md", "README*"};
    CHECK(glob_match_list(three, 3, "hello.md", GLOB_FILTER));
    CHECK(glob_match_list(three, 3, "README.md", GLOB_FILTER));
    CHECK(glob_match_list(three, 3, "README.doc", GLOB_FILTER));
    CHECK(!glob_match_list(three, 3, "docs/hello.md", GLOB_FILTER));
}

static void glob_paths_dialect_for_hashfiles(void)
{
    /* @actions/glob: '?' is one character, '+' is literal. */
    CHECK(glob_match_str("src/?.c", "src/a.c", GLOB_PATHS));
    CHECK(!glob_match_str("src/?.c", "src/.c/x", GLOB_PATHS));
    CHECK(!glob_match_str("src/?.c", "src/ab.c", GLOB_PATHS));
    CHECK(glob_match_str("**/package-lock.json", "a/b/package-lock.json", GLOB_PATHS));
    CHECK(glob_match_str("**/package-lock.json", "package-lock.json", GLOB_PATHS));
    CHECK(glob_match_str("c++/*.h", "c++/x.h", GLOB_PATHS));
    CHECK(glob_match_str("[!a]*", "bcd", GLOB_PATHS));
    CHECK(!glob_match_str("[!a]*", "abc", GLOB_PATHS));
}

static void glob_rejects_bad_patterns(void)
{
    struct glob *g = NULL;
    struct err err = ERR_INIT;
    CHECK_INT(glob_compile(&g, "a[bc", GLOB_FILTER, &err), ERR_INVALID);
    CHECK(strstr(err.msg, "unclosed '['") != NULL);
    CHECK_INT(glob_compile(&g, "+a", GLOB_FILTER, &err), ERR_INVALID);
    CHECK_INT(glob_compile(&g, "[z-a]", GLOB_FILTER, &err), ERR_INVALID);
    CHECK(!glob_match_str("a[bc", "ab", GLOB_FILTER));
    CHECK(glob_match_str("a\\*b", "a*b", GLOB_FILTER));
    CHECK(!glob_match_str("a\\*b", "axb", GLOB_FILTER));
}

static void glob_does_not_backtrack_exponentially(void)
{
    char subject[4001];
    memset(subject, 'a', 4000);
    subject[4000] = '\0';
    CHECK(!glob_match_str("*a*a*a*a*a*a*a*a*a*b", subject, GLOB_FILTER));
    CHECK(!glob_match_str("**a**a**a**a**a**b", subject, GLOB_FILTER));
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {
        TEST(sbuf_starts_empty_and_terminated),
        TEST(sbuf_appends_and_formats),
        TEST(sbuf_detach_hands_over_the_bytes),
        TEST(sbuf_read_file_enforces_its_maximum),
        TEST(sbuf_escapes_json),
        TEST(err_prefix_keeps_code_and_message),
        TEST(str_slices_compare),
        TEST(vec_grows_and_removes_in_order),
        TEST(vec_sort_orders_and_leaves_empty_alone),
        TEST(sbuf_xml_escapes_the_five),
        TEST(fs_remove_tree_empties_read_only_folders),
        TEST(fs_through_link_sees_links_below_the_base),
        TEST(path_within_and_fs_real_within),
        TEST(map_keeps_insertion_order),
        TEST(map_ci_mode_matches_github_contexts),
        TEST(arena_allocations_are_zeroed_and_aligned),
        TEST(arena_reset_reuses_blocks),
        TEST(arena_printf_formats_into_the_arena),
        TEST(search_path_finds_executables_like_execvp),
        TEST(copy_fd_copies_everything_and_reports_progress),
        TEST(utf8_decode_takes_only_well_formed_characters),
        TEST(path_normalize_folds_dots),
        TEST(fs_mkdirs_and_remove_tree),
        TEST(fs_copy_tree_writes_through_no_link),
        TEST(sha256_matches_nist_vectors),
        TEST(json_parse_reports_position),
        TEST(json_parse_rejects_data_after_the_value),
        TEST(glob_matches_branch_cheat_sheet),
        TEST(glob_matches_path_cheat_sheet),
        TEST(glob_list_negation_follows_order),
        TEST(glob_paths_dialect_for_hashfiles),
        TEST(glob_rejects_bad_patterns),
        TEST(glob_does_not_backtrack_exponentially),
    };
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
