/* error.c - the text of the core's error codes (error.h). */
#include <errno.h>
#include <string.h>

#include "error.h"

const char *mp_strerror(int err)
{
	static const char *const text[] = {
#define MP_ERROR_TEXT(name, msg) msg,
		MP_ERRNO_MAP(MP_ERROR_TEXT)
#undef MP_ERROR_TEXT
	};
	if (err > MP_ERROR_BASE && err < MP_ERROR_END)
		return text[err - MP_ERROR_BASE - 1];
	if (err == -ENOMEM)
		return "out of memory";
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}
