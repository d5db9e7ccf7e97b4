#include "cli.h"

/* Filled in by the capability that owns 'check' (see the issue list); until then it says so. */
int cli_cmd_check(int argc, char **argv)
{
    return cli_not_yet("check");
}
