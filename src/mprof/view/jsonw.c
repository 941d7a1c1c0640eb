/* jsonw.c - the one buffered text writer of every export (see jsonw.h).
 *
 * A number with d decimals is its integer part and its fraction times 10^d, each written two
 * digits at a time from a table, and (for JSON) trailing zeros dropped. The fraction is rounded
 * as printf rounds the exact value (see fmt); ties and values of 1e15 or more go to snprintf.
 * So the CSV writes what "%.*f" writes, digit for digit (a test compares them).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* The thread that writes full buffers, one at a time, while the caller fills the other. */
struct mp__jw_async {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	const char *out;  /* the buffer handed over; NULL when none waits */
	size_t outlen;
	int quit;
	int err;          /* the writing's first error (-errno) */
	char *bufs[2];
};

static int put(FILE *f, const char *s, size_t n)
{
	errno = 0;
	return fwrite(s, 1, n, f) == n ? 0 : -(errno ? errno : EIO);
}

static void *writer(void *arg)
{
	mp__jw *w = arg;
	struct mp__jw_async *a = w->async;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->out && !a->quit)
			pthread_cond_wait(&a->work, &a->lock);
		if (!a->out)
			break;
		const char *s = a->out;
		size_t n = a->outlen;
		int failed = a->err;
		pthread_mutex_unlock(&a->lock);
		int rc = failed ? 0 : put(w->f, s, n);
		pthread_mutex_lock(&a->lock);
		if (rc && !a->err)
			a->err = rc;
		a->out = NULL;
		pthread_cond_signal(&a->idle);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Waits until the thread has written what it was handed; takes its error. */
static void drain(mp__jw *w)
{
	struct mp__jw_async *a = w->async;
	pthread_mutex_lock(&a->lock);
	while (a->out)
		pthread_cond_wait(&a->idle, &a->lock);
	if (a->err && !w->err)
		w->err = a->err;
	pthread_mutex_unlock(&a->lock);
}

void mp__jw_init(mp__jw *w, FILE *f)
{
	w->f = f;
	w->err = 0;
	w->len = 0;
	w->cap = sizeof w->local;
	w->buf = w->local;
	w->async = NULL;
}

mp__jw *mp__jw_new(FILE *f)
{
	mp__jw *w = malloc(sizeof *w);
	if (!w)
		return NULL;
	mp__jw_init(w, f);
	struct mp__jw_async *a = calloc(1, sizeof *a);
	if (!a)
		goto fail_async;
	if (!(a->bufs[0] = malloc(2 * (size_t)MP__JW_ASYNC_BUF)))
		goto fail_bufs;
	a->bufs[1] = a->bufs[0] + MP__JW_ASYNC_BUF;
	if (pthread_mutex_init(&a->lock, NULL))
		goto fail_lock;
	if (pthread_cond_init(&a->work, NULL))
		goto fail_work;
	if (pthread_cond_init(&a->idle, NULL))
		goto fail_idle;
	w->async = a;
	if (pthread_create(&a->thread, NULL, writer, w))
		goto fail_thread;
	w->buf = a->bufs[0];
	w->cap = MP__JW_ASYNC_BUF;
	return w;
	/* No thread: the caller's thread writes, from the local buffer. */
fail_thread:
	w->async = NULL;
	pthread_cond_destroy(&a->idle);
fail_idle:
	pthread_cond_destroy(&a->work);
fail_work:
	pthread_mutex_destroy(&a->lock);
fail_lock:
	free(a->bufs[0]);
fail_bufs:
	free(a);
fail_async:
	return w;
}

static void flush(mp__jw *w)
{
	if (!w->len)
		return;
	if (!w->async) {
		if (!w->err)
			w->err = put(w->f, w->buf, w->len);
		w->len = 0;
		return;
	}
	struct mp__jw_async *a = w->async;
	drain(w);
	pthread_mutex_lock(&a->lock);
	a->out = w->buf;
	a->outlen = w->len;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
	w->buf = w->buf == a->bufs[0] ? a->bufs[1] : a->bufs[0];
	w->len = 0;
}

void mp__jw_raw(mp__jw *w, const char *s, size_t n)
{
	if (w->len + n > w->cap) {
		flush(w);
		if (n > w->cap) {
			if (w->async)
				drain(w);
			if (!w->err)
				w->err = put(w->f, s, n);
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

char *mp__jw_reserve(mp__jw *w, size_t n)
{
	if (w->len + n > w->cap)
		flush(w);
	return w->buf + w->len;
}

void mp__jw_commit(mp__jw *w, const char *end)
{
	w->len = (size_t)(end - w->buf);
}

/* How many decimal digits `u` has: from its bit length (log10(2) ~ 1233/4096), then one
 * comparison. */
static size_t ndigits(unsigned long long u)
{
	static const unsigned long long p10[] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
		100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
	unsigned bits = 64 - (unsigned)__builtin_clzll(u | 1);
	unsigned t = bits * 1233 >> 12; /* digits - 1 or digits */
	return (size_t)t + (u >= p10[t]) + (u == 0); /* 0 has one digit */
}

/* Exactly `n` digits of `u` (zeros in front), written so that they end just before `end`. */
static void put_digits(char *end, unsigned long long u, size_t n)
{
	char *p = end;
	for (; n >= 2; n -= 2) {
		unsigned k = (unsigned)(u % 100) * 2;
		u /= 100;
		p -= 2;
		p[0] = digits2[k];
		p[1] = digits2[k + 1];
	}
	if (n)
		p[-1] = (char)('0' + u % 10);
}

size_t mp__fmt_int(char *o, long long v)
{
	size_t n = 0;
	unsigned long long u = (unsigned long long)v;
	if (v < 0) {
		o[n++] = '-';
		u = 0 - u;
	}
	size_t k = ndigits(u);
	put_digits(o + n + k, u, k);
	return n + k;
}

/* Drops trailing zeros after a point in o[0..n), and the point when nothing follows it. */
static size_t trim(char *o, size_t n)
{
	if (!memchr(o, '.', n))
		return n;
	while (o[n - 1] == '0')
		n--;
	if (o[n - 1] == '.')
		n--;
	return n;
}

/* `v` with `d` decimals by snprintf: values of 1e15 and more, ties, what is not finite. */
static size_t fmt_slow(char *o, double v, int d, int trimmed)
{
	int n, exp = 0;
	if (!isfinite(v))
		n = trimmed ? (memcpy(o, "null", 4), 4) : snprintf(o, MP__JW_NUM_MAX, "%f", v);
	else if (fabs(v) >= 1e15)
		n = snprintf(o, MP__JW_NUM_MAX, "%.17g", v), exp = 1;
	else
		n = snprintf(o, MP__JW_NUM_MAX, "%.*f", d, v);
	if (n < 0)
		n = 0;
	if (n >= MP__JW_NUM_MAX)
		n = MP__JW_NUM_MAX - 1;
	if (trimmed && isfinite(v) && !exp) {
		n = (int)trim(o, (size_t)n);
		if (n == 2 && o[0] == '-' && o[1] == '0')
			o[0] = '0', n = 1;
	}
	return (size_t)n;
}

/* `v` with `d` decimals; `trimmed` (JSON): trailing zeros dropped, and no sign on a value that
 * rounds to zero; else (CSV) as printf's "%.*f", "-0.000" included.
 * Below 1e15 the integer part is exact and so is the fraction (a - floor(a)); the fraction
 * times 10^d (under 10^9) is off by less than 2^-23, so it is rounded as printf rounds the
 * exact value unless it is within 2^-20 of a half: that tie goes to snprintf. */
static size_t fmt(char *o, double v, int d, int trimmed)
{
	if (d < 0)
		d = 0;
	if (d > 9)
		d = 9;
	double a = fabs(v);
	if (!(a < 1e15))
		return fmt_slow(o, v, d, trimmed);
	unsigned long long ip = (unsigned long long)a;
	double fs = (a - (double)ip) * pow10[d];
	unsigned long long fr = (unsigned long long)fs; /* floor: fs >= 0 */
	double half = fs - (double)fr - 0.5;
	if (half > -1.0 / (1 << 20) && half < 1.0 / (1 << 20))
		return fmt_slow(o, v, d, trimmed);
	fr += half > 0;
	if (fr >= (unsigned long long)pow10[d]) { /* 0.9999996 to 6 decimals: carried */
		fr = 0;
		ip++;
	}
	size_t n = 0;
	if (trimmed ? (ip | fr) != 0 && v < 0 : signbit(v))
		o[n++] = '-';
	size_t k = ndigits(ip);
	n += k;
	put_digits(o + n, ip, k);
	if (d == 0 || (trimmed && fr == 0))
		return n;
	o[n++] = '.';
	n += (size_t)d;
	put_digits(o + n, fr, (size_t)d);
	if (trimmed)
		while (o[n - 1] == '0')
			n--;
	return n;
}

size_t mp__fmt_num(char *o, double v, int decimals)
{
	return fmt(o, v, decimals, 1);
}

void mp__jw_int(mp__jw *w, long long v)
{
	char *o = mp__jw_reserve(w, 24);
	mp__jw_commit(w, o + mp__fmt_int(o, v));
}

void mp__jw_num(mp__jw *w, double v, int decimals)
{
	char *o = mp__jw_reserve(w, MP__JW_NUM_MAX);
	mp__jw_commit(w, o + fmt(o, v, decimals, 1));
}

void mp__jw_fixed(mp__jw *w, double v, int decimals)
{
	char *o = mp__jw_reserve(w, MP__JW_NUM_MAX);
	mp__jw_commit(w, o + fmt(o, v, decimals, 0));
}

void mp__jw_color(mp__jw *w, unsigned rgb, int quoted)
{
	static const char hex[] = "0123456789abcdef";
	char s[9], *p = s;
	if (quoted)
		*p++ = '"';
	*p++ = '#';
	for (int sh = 20; sh >= 0; sh -= 4)
		*p++ = hex[rgb >> sh & 15];
	if (quoted)
		*p++ = '"';
	mp__jw_raw(w, s, (size_t)(p - s));
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
	size_t run = 0; /* bytes from s + run on are not written yet */
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<') {
			i++;
			continue;
		}
		size_t len = c < 0x80 ? 1 : mp__utf8_len(u + i, n - i);
		if (len > 1) {
			i += len;
			continue;
		}
		mp__jw_raw(w, s + run, i - run);
		if (!len) {
			mp__jw_lit(w, "\xef\xbf\xbd"); /* U+FFFD */
		} else if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			mp__jw_raw(w, esc, 2);
		} else {
			static const char hex[] = "0123456789abcdef";
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			mp__jw_raw(w, esc, 6);
		}
		run = ++i;
	}
	mp__jw_raw(w, s + run, n - run);
	mp__jw_raw(w, "\"", 1);
}

int mp__jw_finish(mp__jw *w)
{
	flush(w);
	struct mp__jw_async *a = w->async;
	if (a) {
		drain(w);
		pthread_mutex_lock(&a->lock);
		a->quit = 1;
		pthread_cond_signal(&a->work);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
		pthread_cond_destroy(&a->idle);
		pthread_cond_destroy(&a->work);
		pthread_mutex_destroy(&a->lock);
		free(a->bufs[0]);
		free(a);
		w->async = NULL;
		w->buf = w->local;
		w->cap = sizeof w->local;
	}
	errno = 0;
	if (!w->err && (fflush(w->f) != 0 || ferror(w->f)))
		w->err = -(errno ? errno : EIO);
	return w->err;
}
