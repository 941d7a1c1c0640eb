/* top_exec.c - `mprof top` runs the mprof-live executable, which alone links ncurses (as
 * `mprof plot` runs mprof-plot): `mprof run` without --live never loads a terminal library. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef GCLAB_BIN_TO_LIBEXEC
#define GCLAB_BIN_TO_LIBEXEC "../libexec/gclab"
#endif

/* Found as mprof-plot is (plot_exec.c): relative to mprof's own executable, never elsewhere;
 * mprof-live itself (which also runs `top`) finds itself. */
void cli_live_path(char *buf, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash = n > 0 ? (self[n] = 0, strrchr(self, '/')) : NULL;
	if (!slash) {
		snprintf(buf, cap, "mprof-live");
		return;
	}
	*slash = 0;
	if (!strcmp(slash + 1, "mprof-live"))
		snprintf(buf, cap, "%s/mprof-live", self);
	else
		snprintf(buf, cap, "%s/%s/mprof-live", self, GCLAB_BIN_TO_LIBEXEC);
}

int cmd_top(int argc, char **argv)
{
	(void)argc;
	char path[PATH_MAX + 16];
	cli_live_path(path, sizeof path);
	execv(path, argv);
	cli_error("cannot run '%s': %s", path, strerror(errno));
	return CLI_FAIL;
}
