/* cmd_attach.c - mprof attach. Being written. */
#include "cli.h"

int cmd_attach(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'attach' is not built yet");
	return CLI_FAIL;
}
