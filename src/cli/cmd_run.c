/* cmd_run.c - mprof run. Being written. */
#include "cli.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'run' is not built yet");
	return CLI_FAIL;
}
