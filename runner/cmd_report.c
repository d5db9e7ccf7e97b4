#include "cli.h"

/* Filled in by the capability that owns 'report' (see the issue list); until then it says so. */
int cli_cmd_report(int argc, char **argv)
{
    return cli_not_yet("report");
}
