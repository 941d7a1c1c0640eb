/* dat_read.c - read a .dat profile: streamed line by line, sorted by time at the end.
 *
 * Invariants: every array in mp_profile is sorted once the read returns 0; on error the
 * profile is empty. A line is parsed from (pointer, length), never as a C string, so bytes
 * such as NUL or a missing final newline cannot run a scan past its end. Numbers go through a
 * fast exact path (at most 19 significant digits over a power of ten up to 10^22, where one
 * IEEE division is correctly rounded) and fall back to strtod for everything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dat.h"

#define MAX_FIELDS 12
#define READ_CHUNK (256 * 1024)
#define PID_MAX_VALUE MP_DAT_PID_MAX
#define COUNT_MAX MP_DAT_COUNT_MAX

typedef struct chld_row {
	long pid;
	double t, mem;
	size_t seq; /* line order, to keep the children in order of first appearance */
} chld_row;

/* A PEAK line as read; split into mp_profile's peaks and peak_since once sorted. */
typedef struct peak_row {
	mp_point pt;
	double since; /* NAN: the line has no third field */
} peak_row;

typedef struct reader {
	mp_profile *p;
	mp_dat_error *e;
	size_t lineno;
	size_t cap_mem, cap_peaks, cap_calls, cap_fnames, cap_gcs, cap_marks, cap_chld;
	chld_row *chld;
	size_t nchld;
	peak_row *prow;
	size_t nprow;
	size_t *hash; /* function names: open addressing, index + 1, 0 empty */
	size_t hash_cap;
	int have_time;
	int mem_unsorted; /* a MEM line earlier than the one before it was read */
} reader;

typedef struct field {
	const char *s;
	size_t len;
} field;

static int fail(reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records where the read failed and what was wrong; returns `code`. */
static int fail(reader *r, int code, const char *fmt, ...)
{
	if (!r->e)
		return code;
	r->e->line = r->lineno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->e->what, sizeof r->e->what, fmt, ap);
	va_end(ap);
	return code;
}

/* A system error (-errno), not at any line. */
static int fail_sys(reader *r, int code)
{
	if (r->e) {
		r->e->line = 0;
		r->e->what[0] = 0;
	}
	return code;
}

static int fail_open(reader *r, int code)
{
	fail_sys(r, code);
	if (r->e)
		r->e->opening = 1;
	return code;
}

/* A field quoted for a message: at most 24 bytes, anything unprintable as '?'. */
static const char *quote(const field *f, char *buf)
{
	size_t n = f->len < 24 ? f->len : 24, i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f->s[i];
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (f->len > n) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = 0;
	return buf;
}

static int grow(reader *r, void *arrp, size_t *cap, size_t n, size_t size)
{
	void **arr = arrp;
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	if (ncap < *cap || ncap > SIZE_MAX / size)
		return fail_sys(r, -ENOMEM);
	void *a = realloc(*arr, ncap * size);
	if (!a)
		return fail_sys(r, -ENOMEM);
	*arr = a;
	*cap = ncap;
	return 0;
}

/* --- numbers ----------------------------------------------------------------------------- */

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A finite decimal number, as Python's float() reads our files: [+-]digits[.digits][e[+-]N].
 * Returns 0 or -1. */
static int parse_double(const field *f, double *out)
{
	const char *s = f->s, *e = f->s + f->len;
	int neg = 0;
	if (s < e && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	uint64_t m = 0;
	int ndig = 0, nfrac = 0, any = 0, slow = 0;
	for (; s < e && *s >= '0' && *s <= '9'; s++, any = 1) {
		if (m == 0 && *s == '0')
			continue;
		if (++ndig > 19)
			slow = 1;
		else
			m = m * 10 + (uint64_t)(*s - '0');
	}
	if (s < e && *s == '.') {
		for (s++; s < e && *s >= '0' && *s <= '9'; s++, any = 1) {
			if (m == 0 && *s == '0') {
				nfrac++;
				continue;
			}
			if (++ndig > 19) {
				slow = 1;
				continue;
			}
			m = m * 10 + (uint64_t)(*s - '0');
			nfrac++;
		}
	}
	if (!any)
		return -1;
	if (s < e) {
		if (*s != 'e' && *s != 'E')
			return -1;
		const char *x = s + 1;
		if (x < e && (*x == '+' || *x == '-'))
			x++;
		if (x == e)
			return -1;
		for (; x < e; x++)
			if (*x < '0' || *x > '9')
				return -1;
		slow = 1;
	}
	if (!slow && m <= (1ULL << 53) && nfrac <= 22) {
		double v = (double)m / pow10_tab[nfrac];
		*out = neg ? -v : v;
		return 0;
	}
	/* Rare: long mantissas and exponents. The syntax is checked above, so strtod reads
	 * exactly this field; it is copied to be NUL terminated. */
	char buf[64];
	if (f->len >= sizeof buf)
		return -1;
	memcpy(buf, f->s, f->len);
	buf[f->len] = 0;
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (*end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* The common case, fast: [-]digits[.digits] with at most 19 digits in all, ending at `e` or
 * at a space. Returns the end of the number, or NULL for anything else (then parse_double,
 * on the whole field, decides). */
static inline const char *fast_double(const char *s, const char *e, double *out)
{
	int neg = 0, ndig = 0, nfrac = 0;
	uint64_t m = 0;
	if (s < e && *s == '-') {
		neg = 1;
		s++;
	}
	for (; s < e && (unsigned)(*s - '0') < 10; s++, ndig++)
		m = m * 10 + (uint64_t)(*s - '0');
	if (s < e && *s == '.') {
		const char *f = ++s;
		for (; s < e && (unsigned)(*s - '0') < 10; s++)
			m = m * 10 + (uint64_t)(*s - '0');
		nfrac = (int)(s - f);
		ndig += nfrac;
	}
	if (ndig == 0 || ndig > 19 || m > (1ULL << 53) || nfrac > 22 || (s < e && *s != ' '))
		return NULL;
	double v = (double)m / pow10_tab[nfrac];
	*out = neg ? -v : v;
	return s;
}

/* A decimal integer in [lo, hi]. Returns 0 or -1. */
static int parse_long(const field *f, long lo, long hi, long *out)
{
	const char *s = f->s, *e = f->s + f->len;
	int neg = 0;
	if (s < e && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	if (s == e)
		return -1;
	long long v = 0;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > COUNT_MAX)
			return -1;
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return -1;
	*out = (long)v;
	return 0;
}

/* --- names ------------------------------------------------------------------------------- */

static char *decode_dup(const field *f)
{
	char *s = malloc(f->len + 1);
	if (s)
		mp_dat_decode_name(f->s, f->len, s, f->len + 1);
	return s;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int hash_grow(reader *r)
{
	size_t ncap = r->hash_cap ? r->hash_cap * 2 : 64;
	size_t *t = calloc(ncap, sizeof *t);
	if (!t)
		return fail_sys(r, -ENOMEM);
	for (size_t i = 0; i < r->p->nfnames; i++) {
		size_t k = (size_t)hash_str(r->p->fnames[i]) & (ncap - 1);
		while (t[k])
			k = (k + 1) & (ncap - 1);
		t[k] = i + 1;
	}
	free(r->hash);
	r->hash = t;
	r->hash_cap = ncap;
	return 0;
}

/* The index of the decoded name of `f`, added when new. Returns 0 or an error. */
static int intern(reader *r, const field *f, size_t *index)
{
	mp_profile *p = r->p;
	char stack[256], *name = f->len < sizeof stack ? stack : malloc(f->len + 1);
	if (!name)
		return fail_sys(r, -ENOMEM);
	mp_dat_decode_name(f->s, f->len, name, f->len + 1);
	int rc = 0;
	if ((p->nfnames + 1) * 2 > r->hash_cap && (rc = hash_grow(r)) < 0)
		goto out;
	size_t k = (size_t)hash_str(name) & (r->hash_cap - 1);
	for (; r->hash[k]; k = (k + 1) & (r->hash_cap - 1)) {
		if (!strcmp(p->fnames[r->hash[k] - 1], name)) {
			*index = r->hash[k] - 1;
			goto out;
		}
	}
	if ((rc = grow(r, &p->fnames, &r->cap_fnames, p->nfnames, sizeof *p->fnames)) < 0)
		goto out;
	size_t len = strlen(name);
	char *copy = malloc(len + 1);
	if (copy)
		memcpy(copy, name, len + 1);
	if (!copy) {
		rc = fail_sys(r, -ENOMEM);
		goto out;
	}
	p->fnames[p->nfnames] = copy;
	r->hash[k] = p->nfnames + 1;
	*index = p->nfnames++;
out:
	if (name != stack)
		free(name);
	return rc;
}

/* --- lines ------------------------------------------------------------------------------- */

static void note_time(reader *r, double t)
{
	mp_profile *p = r->p;
	if (!r->have_time) {
		p->t_first = p->t_last = t;
		r->have_time = 1;
	} else if (t < p->t_first) {
		p->t_first = t;
	} else if (t > p->t_last) {
		p->t_last = t;
	}
}

/* Splits on runs of spaces and tabs. Returns the number of fields (at most `max`). */
static int split(const char *s, size_t len, field *f, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		size_t b = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		f[n].s = s + b;
		f[n].len = i - b;
		n++;
	}
	return n;
}

static int need(reader *r, const char *type, int n, int want, const char *what)
{
	if (n >= want)
		return 0;
	return fail(r, MP_EMALFORMED, "%s: expected %d fields (%s), found %d", type, want,
		    what, n);
}

static int num(reader *r, const char *type, const field *f, double *v)
{
	char q[32];
	if (parse_double(f, v) == 0)
		return 0;
	return fail(r, MP_EMALFORMED, "%s: '%s' is not a number", type, quote(f, q));
}

static int integer(reader *r, const char *type, const field *f, long lo, long hi, long *v)
{
	char q[32];
	if (parse_long(f, lo, hi, v) == 0)
		return 0;
	return fail(r, MP_EMALFORMED, "%s: '%s' is not an integer from %ld to %ld", type,
		    quote(f, q), lo, hi);
}


/* PEAK mem t [since]: the third field, when present, is the start of the interval that holds
 * the maximum (at most t); without it t is the maximum's time (peaks=bpf) or, in a file that
 * predates the field, the end of the interval since the previous MEM (see finish_peaks). */
static int line_peak(reader *r, field *f, int n)
{
	peak_row row = {.since = NAN};
	int rc;
	if ((rc = need(r, "PEAK", n, 2, "memory, time")) < 0 ||
	    (rc = num(r, "PEAK", &f[0], &row.pt.mem)) < 0 ||
	    (rc = num(r, "PEAK", &f[1], &row.pt.t)) < 0)
		return rc;
	if (n >= 3) {
		char q[32];
		if ((rc = num(r, "PEAK", &f[2], &row.since)) < 0)
			return rc;
		if (!(row.since <= row.pt.t))
			return fail(r, MP_EMALFORMED, "PEAK: interval start '%s' after its end",
				    quote(&f[2], q));
		note_time(r, row.since);
	}
	note_time(r, row.pt.t);
	if ((rc = grow(r, &r->prow, &r->cap_peaks, r->nprow, sizeof row)) < 0)
		return rc;
	r->prow[r->nprow++] = row;
	return 0;
}

/* A MEM sample, noting whether the samples are still in time order (finish then need not
 * look at them again: a second pass over 16 MB for 10^6 samples). */
static int add_mem(reader *r, mp_point pt)
{
	mp_profile *p = r->p;
	int rc;
	if ((rc = grow(r, &p->mem, &r->cap_mem, p->nmem, sizeof pt)) < 0)
		return rc;
	note_time(r, pt.t);
	if (p->nmem && pt.t < p->mem[p->nmem - 1].t)
		r->mem_unsorted = 1;
	p->mem[p->nmem++] = pt;
	return 0;
}

static int line_mem(reader *r, field *f, int n, int is_peak)
{
	const char *type = is_peak ? "PEAK" : "MEM";
	mp_point pt;
	int rc;
	if (is_peak)
		return line_peak(r, f, n);
	if ((rc = need(r, type, n, 2, "memory, time")) < 0 || (rc = num(r, type, &f[0], &pt.mem)) < 0 ||
	    (rc = num(r, type, &f[1], &pt.t)) < 0)
		return rc;
	return add_mem(r, pt);
}

static int line_chld(reader *r, field *f, int n)
{
	chld_row row;
	int rc;
	if ((rc = need(r, "CHLD", n, 3, "pid, memory, time")) < 0 ||
	    (rc = integer(r, "CHLD", &f[0], 0, PID_MAX_VALUE, &row.pid)) < 0 ||
	    (rc = num(r, "CHLD", &f[1], &row.mem)) < 0 || (rc = num(r, "CHLD", &f[2], &row.t)) < 0)
		return rc;
	/* memory_profiler writes "CHLD 0 0.000000 t" when it could not list the children. */
	if (row.pid == 0)
		return 0;
	note_time(r, row.t);
	if ((rc = grow(r, &r->chld, &r->cap_chld, r->nchld, sizeof row)) < 0)
		return rc;
	row.seq = r->nchld;
	r->chld[r->nchld++] = row;
	return 0;
}

static int line_func(reader *r, field *f, int n)
{
	mp_profile *p = r->p;
	mp_call c = {.level = -1};
	long level = -1;
	int rc;
	if ((rc = need(r, "FUNC", n, 5, "name, memory, time, memory, time")) < 0 ||
	    (rc = num(r, "FUNC", &f[1], &c.m0)) < 0 || (rc = num(r, "FUNC", &f[2], &c.t0)) < 0 ||
	    (rc = num(r, "FUNC", &f[3], &c.m1)) < 0 || (rc = num(r, "FUNC", &f[4], &c.t1)) < 0)
		return rc;
	if (n >= 6 && (rc = integer(r, "FUNC", &f[5], 0, MP_DAT_LEVEL_MAX, &level)) < 0)
		return rc;
	if (n >= 7 && (rc = integer(r, "FUNC", &f[6], 0, PID_MAX_VALUE, &c.pid)) < 0)
		return rc;
	c.level = (int)level;
	if ((rc = intern(r, &f[0], &c.fn)) < 0)
		return rc;
	note_time(r, c.t0);
	note_time(r, c.t1);
	if ((rc = grow(r, &p->calls, &r->cap_calls, p->ncalls, sizeof c)) < 0)
		return rc;
	p->calls[p->ncalls++] = c;
	return 0;
}

static int line_gc(reader *r, field *f, int n)
{
	mp_profile *p = r->p;
	mp_gc g;
	long gen;
	int rc;
	const char *what = "generation, memory, time, memory, time, collected, uncollectable, "
			   "candidates, pid";
	if ((rc = need(r, "GC", n, 9, what)) < 0 ||
	    (rc = integer(r, "GC", &f[0], 0, MP_DAT_GEN_MAX, &gen)) < 0 ||
	    (rc = num(r, "GC", &f[1], &g.m0)) < 0 || (rc = num(r, "GC", &f[2], &g.t0)) < 0 ||
	    (rc = num(r, "GC", &f[3], &g.m1)) < 0 || (rc = num(r, "GC", &f[4], &g.t1)) < 0 ||
	    (rc = integer(r, "GC", &f[5], 0, COUNT_MAX, &g.collected)) < 0 ||
	    (rc = integer(r, "GC", &f[6], 0, COUNT_MAX, &g.uncollectable)) < 0 ||
	    (rc = integer(r, "GC", &f[7], -1, COUNT_MAX, &g.candidates)) < 0 ||
	    (rc = integer(r, "GC", &f[8], 0, PID_MAX_VALUE, &g.pid)) < 0)
		return rc;
	g.gen = (int)gen;
	note_time(r, g.t0);
	note_time(r, g.t1);
	if ((rc = grow(r, &p->gcs, &r->cap_gcs, p->ngcs, sizeof g)) < 0)
		return rc;
	p->gcs[p->ngcs++] = g;
	return 0;
}

static int line_mark(reader *r, field *f, int n)
{
	mp_profile *p = r->p;
	mp_mark m;
	int rc;
	if ((rc = need(r, "MARK", n, 4, "name, memory, time, pid")) < 0 ||
	    (rc = num(r, "MARK", &f[1], &m.mem)) < 0 || (rc = num(r, "MARK", &f[2], &m.t)) < 0 ||
	    (rc = integer(r, "MARK", &f[3], 0, PID_MAX_VALUE, &m.pid)) < 0)
		return rc;
	if ((rc = grow(r, &p->marks, &r->cap_marks, p->nmarks, sizeof m)) < 0)
		return rc;
	if (!(m.name = decode_dup(&f[0])))
		return fail_sys(r, -ENOMEM);
	note_time(r, m.t);
	p->marks[p->nmarks++] = m;
	return 0;
}

static int line_exit(reader *r, field *f, int n)
{
	mp_profile *p = r->p;
	long status;
	double t;
	int rc;
	if ((rc = need(r, "EXIT", n, 2, "status, time")) < 0 ||
	    (rc = integer(r, "EXIT", &f[0], -1000000, 1000000, &status)) < 0 ||
	    (rc = num(r, "EXIT", &f[1], &t)) < 0)
		return rc;
	note_time(r, t);
	p->has_exit = 1;
	p->exit_status = (int)status;
	p->exit_t = t;
	return 0;
}

static void copy_value(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = 0;
}

/* META key=value ...: unknown keys are skipped; a known key with a bad value is an error. */
static int line_meta(reader *r, const char *s, size_t len)
{
	mp_meta *m = &r->p->meta;
	field f[1];
	char q[32];
	m->present = 1;
	for (size_t i = 0; i < len;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t b = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i == b)
			break;
		const char *tok = s + b, *eq = memchr(tok, '=', i - b);
		if (!eq)
			continue;
		size_t klen = (size_t)(eq - tok);
		f[0].s = eq + 1;
		f[0].len = i - b - klen - 1;
		if (klen == 8 && !memcmp(tok, "interval", 8)) {
			if (parse_double(f, &m->interval) < 0 || m->interval < 0)
				return fail(r, MP_EMALFORMED, "META: bad interval '%s'",
					    quote(f, q));
		} else if (klen == 3 && !memcmp(tok, "pid", 3)) {
			if (parse_long(f, 0, PID_MAX_VALUE, &m->pid) < 0)
				return fail(r, MP_EMALFORMED, "META: bad pid '%s'",
					    quote(f, q));
		} else if (klen == 5 && !memcmp(tok, "peaks", 5)) {
			copy_value(m->peak_source, sizeof m->peak_source, f[0].s, f[0].len);
			m->peaks = !strcmp(m->peak_source, "hwm") || !strcmp(m->peak_source, "reset") ||
				   !strcmp(m->peak_source, "bpf");
		} else if (klen == 7 && !memcmp(tok, "backend", 7)) {
			copy_value(m->backend, sizeof m->backend, f[0].s, f[0].len);
		} else if (klen == 8 && !memcmp(tok, "children", 8)) {
			copy_value(m->children, sizeof m->children, f[0].s, f[0].len);
		} else if (klen == 5 && !memcmp(tok, "mprof", 5)) {
			copy_value(m->version, sizeof m->version, f[0].s, f[0].len);
		}
	}
	return 0;
}

static int line_cmdline(reader *r, const char *s, size_t len)
{
	char *c = malloc(len + 1);
	if (!c)
		return fail_sys(r, -ENOMEM);
	memcpy(c, s, len);
	c[len] = 0;
	free(r->p->cmdline);
	r->p->cmdline = c;
	return 0;
}

static int is_type(const char *s, size_t len, const char *type)
{
	size_t n = strlen(type);
	return len == n && !memcmp(s, type, n);
}

/* "MEM mem t": the line that makes up nearly all of a big file. Returns 0, an error, or 1
 * when the general path must look at the line (and say what is wrong with it). */
static int fast_mem(reader *r, const char *s, const char *e)
{
	mp_point pt;
	if (!(s = fast_double(s, e, &pt.mem)) || s == e || *s != ' ' ||
	    !(s = fast_double(s + 1, e, &pt.t)))
		return 1;
	/* Fields after the time are allowed (memory_profiler ignores them), as in line_mem. */
	return add_mem(r, pt);
}

/* One line, without its '\n'. */
static int parse_line(reader *r, const char *s, size_t len)
{
	r->lineno++;
	r->p->lines++;
	if (len && s[len - 1] == '\r')
		len--;
	if (memchr(s, 0, len))
		return fail(r, MP_EMALFORMED, "not a text line (NUL byte)");
	if (!len)
		return fail(r, MP_EMALFORMED, "empty line");
	const char *sp = memchr(s, ' ', len);
	size_t tlen = sp ? (size_t)(sp - s) : len;
	const char *rest = sp ? sp + 1 : s + len;
	size_t rlen = len - (size_t)(rest - s);
	field f[MAX_FIELDS];
	int n;
	switch (s[0]) {
	case 'M':
		if (tlen == 3 && s[1] == 'E' && s[2] == 'M' && (n = fast_mem(r, rest, s + len)) <= 0)
			return n;
		if (is_type(s, tlen, "MEM"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_mem(r, f, n, 0);
		if (is_type(s, tlen, "META"))
			return line_meta(r, rest, rlen);
		if (is_type(s, tlen, "MARK"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_mark(r, f, n);
		break;
	case 'C':
		if (is_type(s, tlen, "CHLD"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_chld(r, f, n);
		if (is_type(s, tlen, "CMDLINE"))
			return line_cmdline(r, rest, rlen);
		break;
	case 'F':
		if (is_type(s, tlen, "FUNC"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_func(r, f, n);
		break;
	case 'P':
		if (is_type(s, tlen, "PEAK"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_mem(r, f, n, 1);
		break;
	case 'G':
		if (is_type(s, tlen, "GC"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_gc(r, f, n);
		break;
	case 'E':
		if (is_type(s, tlen, "EXIT"))
			return n = split(rest, rlen, f, MAX_FIELDS), line_exit(r, f, n);
		break;
	}
	return 0; /* a line type we do not know: skipped, as memory_profiler does */
}

/* --- the end of the read: sort, group ------------------------------------------------------ */

/* The last line, when the file does not end with a newline. mprof's writer only ever writes
 * whole lines, so in a file of ours (it has a META line) such a line was cut short, as kill -9
 * can leave it, and is ignored even when it parses: a cut number can read as a valid one. In
 * another writer's file it is read when it parses. A last line that does not parse is ignored
 * either way (after at least one whole line: a file of one line is judged as it is); p->torn
 * says a line was ignored. */
static int parse_last(reader *r, const char *s, size_t len)
{
	if (r->lineno == 0) /* a file of one line, whole or not: not a torn profile */
		return parse_line(r, s, len);
	if (!r->p->meta.present) {
		int rc = parse_line(r, s, len);
		if (rc != MP_EMALFORMED)
			return rc;
		r->p->lines--;
		if (r->e) {
			r->e->line = 0;
			r->e->what[0] = 0;
		}
	}
	r->p->torn = 1;
	return 0;
}

static int cmp_point(const void *a, const void *b)
{
	const mp_point *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

static int cmp_call(const void *a, const void *b)
{
	const mp_call *x = a, *y = b;
	if (x->t0 != y->t0)
		return (x->t0 > y->t0) - (x->t0 < y->t0);
	return (x->level > y->level) - (x->level < y->level);
}

static int cmp_gc(const void *a, const void *b)
{
	const mp_gc *x = a, *y = b;
	return (x->t0 > y->t0) - (x->t0 < y->t0);
}

static int cmp_mark(const void *a, const void *b)
{
	const mp_mark *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

static int cmp_chld(const void *a, const void *b)
{
	const chld_row *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

typedef struct group {
	size_t first, n, seq;
} group;

static int cmp_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts only what is out of order: files are nearly always written in time order. */
static void sort_if_needed(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	for (size_t i = 1; i < n; i++) {
		if (cmp(b + (i - 1) * size, b + i * size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
	}
}

/* The CHLD rows grouped by pid, groups in order of first appearance. All the points live in
 * one array, which children[0].pts points at (mp_profile_release frees it through that). */
static int group_children(reader *r)
{
	mp_profile *p = r->p;
	if (!r->nchld)
		return 0;
	qsort(r->chld, r->nchld, sizeof *r->chld, cmp_chld);
	size_t ng = 0;
	for (size_t i = 0; i < r->nchld; i++)
		ng += i == 0 || r->chld[i].pid != r->chld[i - 1].pid;
	group *g = calloc(ng, sizeof *g);
	mp_point *pts = malloc(r->nchld * sizeof *pts);
	p->children = calloc(ng, sizeof *p->children);
	if (!g || !pts || !p->children) {
		free(g);
		free(pts);
		return fail_sys(r, -ENOMEM);
	}
	size_t k = 0;
	for (size_t i = 0; i < r->nchld; i++) {
		if (i == 0 || r->chld[i].pid != r->chld[i - 1].pid) {
			if (i)
				k++;
			g[k].first = i;
			g[k].seq = r->chld[i].seq;
		}
		g[k].n++;
		if (r->chld[i].seq < g[k].seq)
			g[k].seq = r->chld[i].seq;
	}
	qsort(g, ng, sizeof *g, cmp_group);
	size_t o = 0;
	for (size_t i = 0; i < ng; i++) {
		mp_child *c = &p->children[i];
		c->pid = r->chld[g[i].first].pid;
		c->pts = pts + o;
		c->n = g[i].n;
		for (size_t j = 0; j < g[i].n; j++, o++) {
			pts[o].t = r->chld[g[i].first + j].t;
			pts[o].mem = r->chld[g[i].first + j].mem;
		}
	}
	p->nchildren = ng;
	free(g);
	return 0;
}

static int cmp_peak_row(const void *a, const void *b)
{
	return cmp_point(&((const peak_row *)a)->pt, &((const peak_row *)b)->pt);
}

/* Splits the PEAK rows into peaks and peak_since (MEM already sorted). A line without its
 * interval start is exact in a peaks=bpf file; elsewhere it was written by a version that
 * stamped the interval's end, and the interval began at the previous MEM sample. */
static int finish_peaks(reader *r)
{
	mp_profile *p = r->p;
	if (!r->nprow)
		return 0;
	sort_if_needed(r->prow, r->nprow, sizeof *r->prow, cmp_peak_row);
	p->peaks = malloc(r->nprow * sizeof *p->peaks);
	p->peak_since = malloc(r->nprow * sizeof *p->peak_since);
	if (!p->peaks || !p->peak_since)
		return fail_sys(r, -ENOMEM);
	int exact = !strcmp(p->meta.peak_source, "bpf");
	size_t k = 0; /* MEM samples before the current PEAK */
	for (size_t i = 0; i < r->nprow; i++) {
		const peak_row *row = &r->prow[i];
		double since = row->since;
		if (isnan(since)) {
			while (k < p->nmem && p->mem[k].t < row->pt.t)
				k++;
			since = exact ? row->pt.t : k ? p->mem[k - 1].t : p->t_first;
		}
		p->peaks[i] = row->pt;
		p->peak_since[i] = since;
	}
	p->npeaks = r->nprow;
	return 0;
}

static int finish(reader *r)
{
	mp_profile *p = r->p;
	int rc;
	if (r->mem_unsorted)
		qsort(p->mem, p->nmem, sizeof *p->mem, cmp_point);
	if ((rc = finish_peaks(r)) < 0)
		return rc;
	sort_if_needed(p->calls, p->ncalls, sizeof *p->calls, cmp_call);
	sort_if_needed(p->gcs, p->ngcs, sizeof *p->gcs, cmp_gc);
	sort_if_needed(p->marks, p->nmarks, sizeof *p->marks, cmp_mark);
	return group_children(r);
}

static void reader_init(reader *r, mp_profile *p, mp_dat_error *e)
{
	memset(r, 0, sizeof *r);
	memset(p, 0, sizeof *p);
	r->p = p;
	r->e = e;
	if (e) {
		e->line = 0;
		e->opening = 0;
		e->what[0] = 0;
	}
}

static int reader_end(reader *r, int rc)
{
	if (rc == 0)
		rc = finish(r);
	free(r->chld);
	free(r->prow);
	free(r->hash);
	if (rc < 0)
		mp_profile_release(r->p);
	return rc;
}

#define HUGE_PAGE (2u << 20)

/* Room for as many samples as a text of `bytes` can hold (a MEM line has at least 16 bytes)
 * when that is large: address space, not memory, until a sample is stored. Grown by doubling,
 * the array would move (mremap) at each size past malloc's mmap threshold, and each page
 * moved costs a fault again at the next pass over the samples. The room is aligned to, and
 * asks for, transparent huge pages: 10^6 samples fill 16 MB, 4096 page faults or 8, and on
 * the shared virtual machines we measure on, where a fault costs about 10 us, reading 10^6
 * samples took 105 ms with small pages and 45 ms with huge ones (where the kernel gives none,
 * the advice changes nothing). Without the room (a limit on address space), it grows. */
static void reserve_mem(reader *r, size_t bytes)
{
	size_t n = bytes / 16;
	if (bytes < READ_CHUNK || n > (SIZE_MAX - HUGE_PAGE) / sizeof(mp_point))
		return;
	size_t size = (n * sizeof(mp_point) + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	void *m;
	if (posix_memalign(&m, HUGE_PAGE, size))
		return;
#ifdef MADV_HUGEPAGE
	madvise(m, size, MADV_HUGEPAGE);
#endif
	r->p->mem = m;
	r->cap_mem = size / sizeof(mp_point);
}

int mp_profile_parse(mp_profile *p, const char *data, size_t len, mp_dat_error *e)
{
	reader r;
	reader_init(&r, p, e);
	reserve_mem(&r, len);
	int rc = 0;
	size_t i = 0;
	while (i < len && rc == 0) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		rc = nl ? parse_line(&r, data + i, end - i) : parse_last(&r, data + i, end - i);
		i = end + 1;
	}
	return reader_end(&r, rc);
}

int mp_profile_read(mp_profile *p, const char *path, mp_dat_error *e)
{
	reader r;
	reader_init(&r, p, e);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_open(&r, -errno);
	struct stat st;
	int have_stat = fstat(fd, &st) == 0;
	if (have_stat && S_ISDIR(st.st_mode)) {
		close(fd);
		return fail_sys(&r, -EISDIR);
	}
	if (have_stat && S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= SIZE_MAX)
		reserve_mem(&r, (size_t)st.st_size);
	size_t cap = READ_CHUNK, have = 0;
	char *buf = malloc(cap);
	int rc = buf ? 0 : fail_sys(&r, -ENOMEM);
	while (rc == 0) {
		if (have == cap && cap >= MP_DAT_LINE_MAX) {
			/* No newline in all this: refused, not buffered without end. */
			r.lineno++;
			rc = fail(&r, MP_EMALFORMED, "a line longer than %d bytes", MP_DAT_LINE_MAX);
			break;
		}
		if (have == cap) {
			/* A line longer than the buffer: make room for it. */
			char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				rc = fail_sys(&r, -ENOMEM);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail_sys(&r, -errno);
			break;
		}
		if (n == 0) {
			if (have) /* a last line without its newline */
				rc = parse_last(&r, buf, have);
			break;
		}
		size_t scanned = have, start = 0;
		have += (size_t)n;
		const char *nl;
		while (rc == 0 && (nl = memchr(buf + scanned, '\n', have - scanned))) {
			size_t end = (size_t)(nl - buf);
			rc = parse_line(&r, buf + start, end - start);
			start = scanned = end + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	free(buf);
	close(fd);
	return reader_end(&r, rc);
}

void mp_profile_release(mp_profile *p)
{
	free(p->cmdline);
	free(p->mem);
	free(p->peaks);
	free(p->peak_since);
	free(p->calls);
	for (size_t i = 0; i < p->nfnames; i++)
		free(p->fnames[i]);
	free(p->fnames);
	free(p->gcs);
	for (size_t i = 0; i < p->nmarks; i++)
		free(p->marks[i].name);
	free(p->marks);
	if (p->nchildren)
		free(p->children[0].pts);
	free(p->children);
	memset(p, 0, sizeof *p);
}
