/* cmd_export.c - mprof export. Placeholder until the .dat reader lands (issue 4). */
#include "cli.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'export' is not built yet");
	return CLI_FAIL;
}
