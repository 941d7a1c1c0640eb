/* plot_exec.c - `mprof plot` runs the mprof-plot executable, which alone links cairo. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_plot(int argc, char **argv)
{
	(void)argc;
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof path, "%s/mprof-plot", self);
			execv(path, argv);
		}
	}
	snprintf(path, sizeof path, "%s/mprof-plot", GCLAB_LIBEXECDIR);
	execv(path, argv);
	cli_error("cannot run '%s': %s", path, strerror(errno));
	return CLI_FAIL;
}
