/* cmd_plot.c - mprof plot. Placeholder until the .dat reader lands (issue 4). */
#include "cli.h"

int cmd_plot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'plot' is not built yet");
	return CLI_FAIL;
}
