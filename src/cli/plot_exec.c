/* plot_exec.c - `mprof plot` runs the mprof-plot executable, which alone links cairo.
 *
 * mprof-plot is found relative to mprof's own executable (/proc/self/exe, symlinks resolved):
 * <bindir>/GCLAB_BIN_TO_LIBEXEC/mprof-plot, "../libexec/gclab" in the default layout. The build
 * tree stages the same layout, so an installed, moved or DESTDIR-staged mprof and one run in
 * place all find their own mprof-plot, and none looks anywhere else. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef GCLAB_BIN_TO_LIBEXEC
#define GCLAB_BIN_TO_LIBEXEC "../libexec/gclab"
#endif

int cmd_plot(int argc, char **argv)
{
	(void)argc;
	char self[PATH_MAX], path[PATH_MAX + sizeof GCLAB_BIN_TO_LIBEXEC + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash = n > 0 ? (self[n] = 0, strrchr(self, '/')) : NULL;
	if (!slash) {
		cli_error("cannot find mprof-plot: /proc/self/exe: %s",
			  n < 0 ? strerror(errno) : "not a path");
		return CLI_FAIL;
	}
	*slash = 0;
	snprintf(path, sizeof path, "%s/%s/mprof-plot", self, GCLAB_BIN_TO_LIBEXEC);
	execv(path, argv);
	cli_error("cannot run '%s': %s", path, strerror(errno));
	return CLI_FAIL;
}
