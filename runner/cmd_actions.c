#include "cli.h"

/* Filled in by the capability that owns 'actions' (see the issue list); until then it says so. */
int cli_cmd_actions(int argc, char **argv)
{
    return cli_not_yet("actions");
}
