/* cmd_rm.c - mprof rm. Being written. */
#include "cli.h"

int cmd_rm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'rm' is not built yet");
	return CLI_FAIL;
}
