/* cmd_clean.c - mprof clean. Being written. */
#include "cli.h"

int cmd_clean(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'clean' is not built yet");
	return CLI_FAIL;
}
