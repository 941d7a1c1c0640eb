/* jsonw.c - the one buffered text writer of every export (see jsonw.h).
 *
 * A number with d decimals is its integer part and its fraction times 10^d, each written eight
 * digits at a time (digits8: multiplications on all the digits of one word at once), and (for
 * JSON) trailing zeros dropped. The fraction is rounded
 * as printf rounds the exact value (see fmt); ties and values of 1e15 or more go to snprintf.
 * So the CSV writes what "%.*f" writes, digit for digit (a test compares them).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jsonw.h"

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
	/* The two buffers in one huge page where the kernel gives them (one fault instead of
	 * 512: on a virtual machine where a fault costs about 10 us, a few ms of an export). */
	void *bufs;
	if (posix_memalign(&bufs, 2 * (size_t)MP__JW_ASYNC_BUF, 2 * (size_t)MP__JW_ASYNC_BUF))
		goto fail_bufs;
#ifdef MADV_HUGEPAGE
	madvise(bufs, 2 * (size_t)MP__JW_ASYNC_BUF, MADV_HUGEPAGE);
#endif
	a->bufs[0] = bufs;
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

/* The 8 decimal digits of `n` < 10^8, zeros in front, as the bytes of one word holding the
 * digits' values (0 to 9), the first digit in the lowest byte (as memcpy stores it on a
 * little-endian machine). Two multiplications a step on all lanes at once instead of a
 * division per digit: halves of 4 digits in 32-bit lanes, quarters of 2 in 16-bit lanes, then
 * single digits in bytes; x * 5243 >> 19 is x / 100 for x < 10^4 and x * 103 >> 10 is x / 10
 * for x < 100, and no lane's product reaches the next lane's bits. */
static inline uint64_t digits8(uint32_t n)
{
	uint64_t v = n / 10000 | (uint64_t)(n % 10000) << 32;
	uint64_t q = (v * 5243 >> 19) & 0x0000007f0000007fULL;
	v = q | (v - q * 100) << 16;
	q = (v * 103 >> 10) & 0x000f000f000f000fULL;
	return q | (v - q * 10) << 8;
}

#define ASCII_ZEROS 0x3030303030303030ULL

/* Stores the 8 bytes of `w` at `o` in memory order (the first digit first). */
static inline void store8(char *o, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(o, &w, 8);
}

/* `n` < 10^8 without zeros in front ("0" for 0); writes 8 bytes at `o` (room for them), of
 * which the returned count are the number. */
static inline size_t put_small(char *o, uint32_t n)
{
	uint64_t w = digits8(n);
	unsigned lead = w ? (unsigned)__builtin_ctzll(w) / 8 : 7; /* zero digits in front */
	store8(o, w >> 8 * lead | ASCII_ZEROS);
	return 8 - lead;
}

/* `u` in decimal at `o`, which has room for MP__JW_NUM_MAX bytes; returns the length. Up to
 * 20 digits: a head of up to 8, then whole groups of 8. */
static size_t put_uint(char *o, unsigned long long u)
{
	if (u < 100000000)
		return put_small(o, (uint32_t)u);
	unsigned long long hi = u / 100000000;
	uint32_t lo = (uint32_t)(u % 100000000);
	size_t n;
	if (hi < 100000000) {
		n = put_small(o, (uint32_t)hi);
	} else {
		n = put_small(o, (uint32_t)(hi / 100000000));
		store8(o + n, digits8((uint32_t)(hi % 100000000)) | ASCII_ZEROS);
		n += 8;
	}
	store8(o + n, digits8(lo) | ASCII_ZEROS);
	return n + 8;
}

size_t mp__fmt_int(char *o, long long v)
{
	size_t n = 0;
	unsigned long long u = (unsigned long long)v;
	if (v < 0) {
		o[n++] = '-';
		u = 0 - u;
	}
	return n + put_uint(o + n, u);
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
	unsigned long long ip = (unsigned long long)a, fr;
	/* Most values: below 2^43, x is within 2^-10 (half its last bit) of the exact a * 10^d
	 * + 0.5, so unless that is within 1/256 of an integer (a * 10^d near a half), its floor
	 * is the exact value rounded, as printf rounds it: a shorter chain of dependent
	 * operations than the fraction's below (a million values a trace). */
	double x = a * pow10[d] + 0.5;
	if (x < 8796093022208.0) { /* 2^43 */
		unsigned long long n = (unsigned long long)x;
		double t = x - (double)n;
		if (t > 1.0 / 256 && t < 1 - 1.0 / 256) {
			unsigned long long unit = (unsigned long long)pow10[d];
			fr = n - ip * unit; /* n >= ip * unit: rounding is monotonic */
			if (fr >= unit) {   /* 0.9999996 to 6 decimals: carried */
				fr -= unit;
				ip++;
			}
			goto digits;
		}
	}
	double fs = (a - (double)ip) * pow10[d];
	fr = (unsigned long long)fs; /* floor: fs >= 0 */
	double half = fs - (double)fr - 0.5;
	if (half > -1.0 / (1 << 20) && half < 1.0 / (1 << 20))
		return fmt_slow(o, v, d, trimmed);
	fr += half > 0;
	if (fr >= (unsigned long long)pow10[d]) { /* 0.9999996 to 6 decimals: carried */
		fr = 0;
		ip++;
	}
digits:;
	size_t n = 0;
	if (trimmed ? (ip | fr) != 0 && v < 0 : signbit(v))
		o[n++] = '-';
	n += put_uint(o + n, ip);
	if (d == 0 || (trimmed && fr == 0))
		return n;
	o[n++] = '.';
	if (d == 9) { /* a fraction of 9 digits: the last on its own */
		uint32_t last = (uint32_t)(fr % 10);
		store8(o + n, digits8((uint32_t)(fr / 10)) | ASCII_ZEROS);
		o[n + 8] = (char)('0' + last);
		n += 9;
		if (trimmed)
			while (o[n - 1] == '0')
				n--;
		return n;
	}
	/* d digits: the word's last d bytes; trimmed, up to its last digit that is not 0. */
	uint64_t w = digits8((uint32_t)fr) >> 8 * (8 - d);
	store8(o + n, w | ASCII_ZEROS);
	return n + (trimmed ? (63 - (size_t)__builtin_clzll(w)) / 8 + 1 : (size_t)d);
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
