/* python.c - starts a Python program. Placeholder: runs "python3 script.py args" with no
 * bootstrap, until the Python bridge (issue 5) lands. */
#include <stdlib.h>
#include <string.h>

#include "python.h"

int mp_python_is_script(const char *program)
{
	size_t n = strlen(program);
	return n > 3 && !strcmp(program + n - 3, ".py");
}

int mp_python_is_interpreter(const char *program)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	return !strncmp(base, "python", 6);
}

char **mp_python_argv(const char *interp, char *const *user_argv)
{
	size_t n = 0;
	while (user_argv[n])
		n++;
	int has_interp = n && mp_python_is_interpreter(user_argv[0]);
	char **v = calloc(n + 2, sizeof *v);
	if (!v)
		return NULL;
	size_t k = 0;
	if (!has_interp && !(v[k++] = strdup(interp ? interp : "python3")))
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!(v[k++] = strdup(user_argv[i])))
			goto fail;
	return v;
fail:
	mp_python_argv_free(v);
	return NULL;
}

void mp_python_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
