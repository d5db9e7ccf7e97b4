#include "cli.h"

/* Filled in by the capability that owns 'cml' (see the issue list); until then it says so. */
int cli_cmd_cml(int argc, char **argv)
{
    return cli_not_yet("cml");
}
