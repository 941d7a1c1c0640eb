/* jsonw.h - a fast buffered JSON writer shared by the trace exporter and the HTML page.
 *
 * Numbers are formatted without printf (a million samples a second matters to `mprof export
 * --format trace` and `mprof plot -o x.html`); strings are valid UTF-8 (bytes that are not
 * become U+FFFD) with '<' escaped, so that JSON can sit inside an HTML <script> element.
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

typedef struct mp__jw {
	FILE *f;
	int err;          /* first error as -errno; 0 while all is well */
	size_t len;
	char buf[MP__JW_BUF];
} mp__jw;

void mp__jw_init(mp__jw *w, FILE *f);
/* `n` bytes as they are. */
void mp__jw_raw(mp__jw *w, const char *s, size_t n);
/* A NUL-terminated literal, as it is. */
void mp__jw_lit(mp__jw *w, const char *s);
void mp__jw_int(mp__jw *w, long long v);
/* `v` with at most `decimals` (0 to 9) decimals, trailing zeros dropped ("1.5", "2"); null
 * when it is not finite or too large for 18 digits. */
void mp__jw_num(mp__jw *w, double v, int decimals);
/* A JSON string, quoted; NULL writes null. */
void mp__jw_string(mp__jw *w, const char *s);
/* Flushes; returns 0 or the first error (-errno). */
int mp__jw_finish(mp__jw *w);

/* The length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0. */
size_t mp__utf8_len(const unsigned char *s, size_t n);

#endif
