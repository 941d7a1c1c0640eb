/* jsonw.h - the one buffered text writer of every export: JSON (mprof export --format json and
 * trace, the HTML page's data) and CSV.
 *
 * Numbers are formatted without printf, from an integer scaled to their decimals, eight digits
 * at a time (a million samples a second matters to `mprof export --format trace` and `mprof plot -o
 * x.html`); printf is the fallback only for values too large for 17 digits. Strings are valid
 * UTF-8 (bytes that are not become U+FFFD) with '<' escaped, so that JSON can sit inside an
 * HTML <script> element. Output goes through a buffer written with fwrite when full, from a
 * thread of the writer's own (mp__jw_new) or the caller's (mp__jw_init).
 * Cross-file internal (mp__): not part of the view library's public API.
 *
 * Errors stick: after the first failed write, nothing more is written and mp__jw_finish
 * returns it as -errno.
 */
#ifndef MP_JSONW_H
#define MP_JSONW_H

#include <stddef.h>
#include <stdio.h>

#define MP__JW_BUF 65536

/* The most bytes one number takes (mp__fmt_*): sign, 17 digits or printf's %.17g, a point. */
#define MP__JW_NUM_MAX 40

/* The writer mp__jw_new makes: two buffers of this size, one filled while a thread writes the
 * other (writing 85 MB to the page cache costs as much as formatting it; on two cores they
 * overlap). */
#define MP__JW_ASYNC_BUF (1 << 20)

struct mp__jw_async;

typedef struct mp__jw {
	FILE *f;
	int err;          /* first error as -errno; 0 while all is well */
	size_t len;       /* bytes in buf */
	size_t cap;       /* buf's size */
	char *buf;        /* what is being filled: local, or one of async's two */
	struct mp__jw_async *async; /* NULL: written from the caller's thread */
	char local[MP__JW_BUF];
} mp__jw;

/* A writer to `f` that writes from a thread of its own, or from the caller's when no thread
 * can be started; NULL when out of memory. mp__jw_finish, then free() it. */
mp__jw *mp__jw_new(FILE *f);
/* A writer to `f` in the caller's struct, writing from the caller's thread. */
void mp__jw_init(mp__jw *w, FILE *f);
/* `n` bytes as they are. */
void mp__jw_raw(mp__jw *w, const char *s, size_t n);
/* A NUL-terminated literal, as it is. */
void mp__jw_lit(mp__jw *w, const char *s);
void mp__jw_int(mp__jw *w, long long v);
/* JSON: `v` with at most `decimals` (0 to 9) decimals, trailing zeros dropped ("1.5", "2");
 * null when it is not finite; %.17g when it is too large for 17 digits. */
void mp__jw_num(mp__jw *w, double v, int decimals);
/* CSV: `v` with exactly `decimals` decimals, as printf's "%.*f" writes it. */
void mp__jw_fixed(mp__jw *w, double v, int decimals);
/* "#rrggbb" of the low 24 bits of `rgb`, quoted when `quoted`. */
void mp__jw_color(mp__jw *w, unsigned rgb, int quoted);
/* A JSON string, quoted; NULL writes null. */
void mp__jw_string(mp__jw *w, const char *s);
/* Flushes (and stops the writer's thread); returns 0 or the first error (-errno). */
int mp__jw_finish(mp__jw *w);

/* For a loop that writes many small pieces (the trace's counter events): a pointer to `n`
 * free bytes of the buffer (n <= MP__JW_BUF), then mp__jw_commit with the end of what was
 * written there. */
char *mp__jw_reserve(mp__jw *w, size_t n);
void mp__jw_commit(mp__jw *w, const char *end);
/* The formatters behind mp__jw_num and mp__jw_int: they write at `o` (room for
 * MP__JW_NUM_MAX bytes) and return the length. */
size_t mp__fmt_num(char *o, double v, int decimals);
size_t mp__fmt_int(char *o, long long v);

/* The length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0. */
size_t mp__utf8_len(const unsigned char *s, size_t n);

#endif
