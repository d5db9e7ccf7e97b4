#include "cli.h"

/* Filled in by the capability that owns 'artifacts' (see the issue list); until then it says so. */
int cli_cmd_artifacts(int argc, char **argv)
{
    return cli_not_yet("artifacts");
}
