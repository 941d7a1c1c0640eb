/* plot_main.c - the mprof-plot executable: `mprof plot`'s argv, argv[0] being "plot". */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_finish_stdout(cli_run_as(argc, argv, "plot", cmd_plot));
}
