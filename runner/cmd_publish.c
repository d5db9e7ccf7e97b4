#include "cli.h"

/* Filled in by the capability that owns 'publish' (see the issue list); until then it says so. */
int cli_cmd_publish(int argc, char **argv)
{
    return cli_not_yet("publish");
}
