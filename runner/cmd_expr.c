#include "cli.h"

/* Filled in by the capability that owns 'expr' (see the issue list); until then it says so. */
int cli_cmd_expr(int argc, char **argv)
{
    return cli_not_yet("expr");
}
