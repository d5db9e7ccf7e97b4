#include "cli.h"

/* Filled in by the capability that owns 'hub' (see the issue list); until then it says so. */
int cli_cmd_hub(int argc, char **argv)
{
    return cli_not_yet("hub");
}
