/* live_main.c - the mprof-live executable: `mprof top`'s argv, argv[0] being "top". */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_run_as(argc, argv, "top", cmd_top);
}
