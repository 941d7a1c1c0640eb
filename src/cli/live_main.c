/* live_main.c - the mprof-live executable: `mprof top`'s argv, argv[0] being "top". */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	memcpy(args, argv, (size_t)argc * sizeof *args);
	args[0] = (char *)"top";
	int rc = cmd_top(argc, args);
	free(args);
	return rc;
}
