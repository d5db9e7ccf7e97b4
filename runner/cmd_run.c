#include "cli.h"

/* Filled in by the capability that owns 'run' (see the issue list); until then it says so. */
int cli_cmd_run(int argc, char **argv)
{
    return cli_not_yet("run");
}
