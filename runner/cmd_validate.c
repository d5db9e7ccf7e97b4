#include "cli.h"

int cli_cmd_validate(int argc, char **argv)
{
    return cli_not_yet("validate");
}
