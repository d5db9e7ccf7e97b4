#include "harness.h"

#include "util/sbuf.h"

static void sbuf_starts_empty_and_terminated(void)
{
    struct sbuf sb = SBUF_INIT;
    CHECK(sb.buf != NULL);
    CHECK_INT(sb.len, 0);
    CHECK_STR(sb.buf, "");
    sbuf_release(&sb);
}

int main(int argc, char **argv)
{
    static const struct harness_test tests[] = {TEST(sbuf_starts_empty_and_terminated)};
    return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
