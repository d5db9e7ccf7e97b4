#include "cli.h"

/* Filled in by the capability that owns 'list' (see the issue list); until then it says so. */
int cli_cmd_list(int argc, char **argv)
{
    return cli_not_yet("list");
}
