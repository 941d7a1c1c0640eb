/* cmd_peak.c - mprof peak. Placeholder until the .dat reader lands (issue 4). */
#include "cli.h"

int cmd_peak(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'peak' is not built yet");
	return CLI_FAIL;
}
