/* jsonw.c - a fast buffered JSON writer (see jsonw.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "jsonw.h"

void mp__jw_init(mp__jw *w, FILE *f)
{
	w->f = f;
	w->err = 0;
	w->len = 0;
}

static void flush(mp__jw *w)
{
	if (!w->err && w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
		w->err = -(errno ? errno : EIO);
	w->len = 0;
}

void mp__jw_raw(mp__jw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof w->buf) {
		flush(w);
		if (n > sizeof w->buf) {
			if (!w->err && fwrite(s, 1, n, w->f) != n)
				w->err = -(errno ? errno : EIO);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void mp__jw_lit(mp__jw *w, const char *s)
{
	mp__jw_raw(w, s, strlen(s));
}

/* Room for `n` more bytes in the buffer. */
static char *room(mp__jw *w, size_t n)
{
	if (w->len + n > sizeof w->buf)
		flush(w);
	return w->buf + w->len;
}

static size_t put_u64(char *out, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void mp__jw_int(mp__jw *w, long long v)
{
	char *o = room(w, 24);
	size_t n = 0;
	unsigned long long u = (unsigned long long)v;
	if (v < 0) {
		o[n++] = '-';
		u = 0 - u;
	}
	n += put_u64(o + n, u);
	w->len += n;
}

void mp__jw_num(mp__jw *w, double v, int decimals)
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	double scaled = v * pow10[decimals];
	if (!isfinite(scaled) || fabs(scaled) >= 9e17) {
		mp__jw_lit(w, "null");
		return;
	}
	long long r = llround(scaled);
	char *o = room(w, 32);
	size_t n = 0;
	unsigned long long u = (unsigned long long)(r < 0 ? -r : r);
	unsigned long long scale = (unsigned long long)pow10[decimals];
	unsigned long long ip = u / scale, fp = u % scale;
	if (r < 0)
		o[n++] = '-';
	n += put_u64(o + n, ip);
	if (fp) {
		int d = decimals;
		while (fp % 10 == 0) { /* trailing zeros dropped */
			fp /= 10;
			d--;
		}
		o[n++] = '.';
		for (int k = d - 1; k >= 0; k--) {
			o[n + (size_t)k] = (char)('0' + fp % 10);
			fp /= 10;
		}
		n += (size_t)d;
	}
	w->len += n;
}

size_t mp__utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min, cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

void mp__jw_string(mp__jw *w, const char *s)
{
	if (!s) {
		mp__jw_lit(w, "null");
		return;
	}
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	mp__jw_raw(w, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t len = mp__utf8_len(u + i, n - i);
		if (!len) {
			mp__jw_lit(w, "\xef\xbf\xbd"); /* U+FFFD */
			i++;
			continue;
		}
		unsigned char c = u[i];
		if (len == 1 && (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == 0x7f)) {
			char esc[8];
			if (c == '"' || c == '\\') {
				esc[0] = '\\';
				esc[1] = (char)c;
				mp__jw_raw(w, esc, 2);
			} else {
				static const char hex[] = "0123456789abcdef";
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				mp__jw_raw(w, esc, 6);
			}
		} else {
			mp__jw_raw(w, s + i, len);
		}
		i += len;
	}
	mp__jw_raw(w, "\"", 1);
}

int mp__jw_finish(mp__jw *w)
{
	flush(w);
	errno = 0;
	if (!w->err && (fflush(w->f) != 0 || ferror(w->f)))
		w->err = -(errno ? errno : EIO);
	return w->err;
}
