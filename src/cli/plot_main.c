/* plot_main.c - the mprof-plot executable: `mprof plot`'s argv, argv[0] being "plot". */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	/* Room for the "--" that cli_protect_negative_index may insert. */
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	memcpy(args, argv, (size_t)argc * sizeof *args);
	args[0] = (char *)"plot";
	int rc = cmd_plot(argc, args);
	free(args);
	return cli_finish_stdout(rc);
}
