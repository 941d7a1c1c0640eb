/* error.h - the profiler core's one error convention.
 *
 * Every core function that can fail returns 0 (or a count) on success and a negative code on
 * failure: either -errno from the system (-ENOENT, -ENOMEM, ...) or one of the MP_E* codes
 * below, which are far outside errno's range. mp_strerror() turns either into a short
 * lower-case phrase. The core never prints: the CLI composes the sentence around the phrase
 * ("mprof: cannot open 'x.dat': No such file or directory"). The table is one X-macro, as
 * libuv's UV_ERRNO_MAP, so a code and its text cannot drift apart.
 */
#ifndef MP_ERROR_H
#define MP_ERROR_H

#define MP_ERRNO_MAP(X)                                                                      \
	X(MALFORMED, "malformed profile")                                                    \
	X(BADEVENT, "malformed trace event")                                                 \
	X(BADNAME, "unknown name")                                                           \
	X(NOSAMPLES, "nothing to plot: no memory samples (MEM lines)")                       \
	X(EMPTYWINDOW, "nothing to plot inside the window")                                  \
	X(BADSIZE, "image size out of range (200x150 to 20000x20000)")                       \
	X(DRAW, "cannot draw")                                                               \
	X(NOFUNC, "no such function")                                                        \
	X(NOSAMPLE, "no sample inside the function's calls")

enum {
	MP_ERROR_BASE = -100000,
#define MP_ERROR_ENUM(name, text) MP_E##name,
	MP_ERRNO_MAP(MP_ERROR_ENUM)
#undef MP_ERROR_ENUM
	MP_ERROR_END
};

/* The phrase for `err`: an MP_E* code, or -errno (then strerror's text, except that -ENOMEM
 * reads "out of memory"). Never NULL; the string is static. */
const char *mp_strerror(int err);

#endif
