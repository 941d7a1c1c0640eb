/* top_exec.c - `mprof top` runs the mprof-live executable, which alone links ncurses (as
 * `mprof plot` runs mprof-plot): `mprof run` without --live never loads a terminal library. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_live_path(char *buf, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, cap, "%s/mprof-live", self);
			if (access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, cap, "%s/mprof-live", GCLAB_LIBEXECDIR);
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
