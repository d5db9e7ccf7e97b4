#include "cli.h"

/* Filled in by the capability that owns 'plan' (see the issue list); until then it says so. */
int cli_cmd_plan(int argc, char **argv)
{
    return cli_not_yet("plan");
}
