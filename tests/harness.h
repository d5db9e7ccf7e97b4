#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

/*
 * The project's test harness (docs/style.md, B11): about sixty lines, no framework.
 *
 * A test file defines `static void test_name(void)` functions and ends with
 *
 *     int main(int argc, char **argv)
 *     {
 *         static const struct harness_test tests[] = {TEST(lex_rejects_x), TEST(...)};
 *         return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
 *     }
 *
 * argv[1], when given, runs only the tests whose name contains it. The run ends by printing
 * "N passed, N failed"; the exit status is 1 when anything failed.
 *
 * CHECK* fail the current test and return from it. The environment set by tests/CMakeLists.txt
 * gives the paths a test needs: harness_shared_dir() (../shared), harness_source_dir(),
 * harness_runnel() (the built executable) and harness_tmpdir() (a fresh directory per test,
 * removed when the test passes).
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct harness_test {
    const char *name;
    void (*fn)(void);
};

#define TEST(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }

void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a = (long long)(a), check_b = (long long)(b);                              \
        if (check_a != check_b) {                                                                  \
            harness_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, check_a, check_b);   \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a = (a), *check_b = (b);                                                 \
        if (!check_a || !check_b || strcmp(check_a, check_b)) {                                    \
            harness_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,                  \
                         check_a ? check_a : "(null)", check_b ? check_b : "(null)");              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

int harness_main(int argc, char **argv, const struct harness_test *tests, size_t n);
const char *harness_shared_dir(void);
const char *harness_source_dir(void);
const char *harness_runnel(void);
/* A directory made for the running test; removed after the test when it passed. */
const char *harness_tmpdir(void);
/* True once the current test has failed (for tests that loop over data). */
bool harness_failed(void);

#endif
