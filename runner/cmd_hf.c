#include "cli.h"

/* Filled in by the capability that owns 'hf' (see the issue list); until then it says so. */
int cli_cmd_hf(int argc, char **argv)
{
    return cli_not_yet("hf");
}
