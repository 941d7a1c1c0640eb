/* cmd_list.c - mprof list. Being written. */
#include "cli.h"

int cmd_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'list' is not built yet");
	return CLI_FAIL;
}
