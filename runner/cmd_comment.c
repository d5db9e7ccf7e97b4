#include "cli.h"

/* Filled in by the capability that owns 'comment' (see the issue list); until then it says so. */
int cli_cmd_comment(int argc, char **argv)
{
    return cli_not_yet("comment");
}
