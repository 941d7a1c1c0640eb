/* dat_text.c - the .dat grammar's small pieces that the writer and the reader share: the name
 * codec, the command-line and META builders, the default file names, the backend names.
 *
 * Invariant: mp_dat_decode_name(mp_dat_encode_name(x)) == x for every byte string x that fits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dat.h"

int mp_backend_parse(const char *name, mp_backend *out)
{
	static const struct {
		const char *name;
		mp_backend b;
	} table[] = {
		{"rss", MP_BACKEND_RSS}, {"psutil", MP_BACKEND_RSS},
		{"pss", MP_BACKEND_PSS}, {"psutil_pss", MP_BACKEND_PSS},
		{"uss", MP_BACKEND_USS}, {"psutil_uss", MP_BACKEND_USS},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (!strcmp(name, table[i].name)) {
			*out = table[i].b;
			return 0;
		}
	}
	return MP_EBADNAME;
}

const char *mp_backend_name(mp_backend b)
{
	return b == MP_BACKEND_PSS ? "pss" : b == MP_BACKEND_USS ? "uss" : "rss";
}

size_t mp_dat_encode_name(const char *name, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c == 0x7f || c == '%') {
			if (o + 4 > cap)
				break;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t mp_dat_decode_name(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
	return o;
}

size_t mp_dat_format_cmdline(char *const *argv, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; argv[i]; i++) {
		int quote = strchr(argv[i], ' ') || strchr(argv[i], '\t');
		int n = snprintf(out + o, cap - o, quote ? "%s'%s'" : "%s%s", i ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= cap - o)
			return strlen(out);
		o += (size_t)n;
	}
	return o;
}

void mp_dat_format_argv_repr(const char *args, size_t len, char *out, size_t cap)
{
	size_t o = 0;
#define PUT(ch)                          \
	do {                             \
		if (o + 2 < cap)         \
			out[o++] = (ch); \
	} while (0)
	PUT('[');
	for (size_t i = 0; i < len;) {
		const char *s = args + i;
		size_t n = strnlen(s, len - i);
		char q = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
		if (i) {
			PUT(',');
			PUT(' ');
		}
		PUT(q);
		for (size_t k = 0; k < n; k++) {
			if (s[k] == q || s[k] == '\\')
				PUT('\\');
			PUT(s[k]);
		}
		PUT(q);
		i += n + 1;
	}
	PUT(']');
	out[o] = 0;
#undef PUT
}

static const char *const peak_source_names[] = {"none", "hwm", "reset", "bpf"};

const char *mp_peak_source_name(mp_peak_source s)
{
	return (unsigned)s < 4 ? peak_source_names[s] : "none";
}

int mp_peak_source_parse(const char *name, mp_peak_source *out)
{
	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(name, peak_source_names[i])) {
			*out = (mp_peak_source)i;
			return 0;
		}
	}
	return MP_EBADNAME;
}

size_t mp_dat_format_meta(const mp_dat_run_info *info, char *out, size_t cap)
{
	const char *children = info->sum_children && info->each_child ? "sum,each"
			       : info->sum_children		      ? "sum"
			       : info->each_child		      ? "each"
								      : "none";
	int n = snprintf(out, cap, "META mprof=%s interval=%g backend=%s peaks=%s children=%s pid=%d",
			 GCLAB_VERSION, info->interval, mp_backend_name(info->backend),
			 mp_peak_source_name(info->peaks), children, (int)info->pid);
	if (n >= 0 && (size_t)n < cap && info->peaks_fallback) {
		int k = snprintf(out + n, cap - (size_t)n, " peaks_fallback=%s", info->peaks_fallback);
		n = k < 0 ? n : n + k;
	}
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void mp_dat_default_name(char *buf, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, MP_DAT_NAME_MAX, "mprofile_%Y%m%d%H%M%S.dat", &tm);
}

int mp_dat_is_default_name(const char *name)
{
	static const char prefix[] = "mprofile_";
	size_t n = sizeof prefix - 1;
	if (strncmp(name, prefix, n))
		return 0;
	for (size_t i = 0; i < 14; i++)
		if (name[n + i] < '0' || name[n + i] > '9')
			return 0;
	return !strcmp(name + n + 14, ".dat");
}
