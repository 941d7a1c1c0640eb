/* test_export.c - mprof export's CSV and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jsonw.h"
#include "profile.h"
#include "trace.h"
#include "test_dat_util.h"

#ifndef FIXTURES
#error "FIXTURES: the directory of the .dat fixtures"
#endif

static char err[512];

/* What an export writes, as a string (static buffer). */
static const char *run(const mp_profile *p, int json)
{
	static char buf[1 << 16];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	assert_non_null(f);
	assert_int_equal(json ? mp_export_json(p, "f.dat", f) : mp_export_csv(p, f), 0);
	long n = ftell(f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static void test_export__csv_has_a_row_per_thing_with_its_kind(void **state)
{
	(void)state;
	mp_profile p;
	char path[512];
	snprintf(path, sizeof path, "%s/ours_full.dat", FIXTURES);
	assert_int_equal(test_read(&p, path, err, sizeof err), 0);
	assert_string_equal(
		run(&p, 0),
		"kind,t,mem,t_end,mem_end,name,level,pid,gen,collected,uncollectable,candidates,status\n"
		"sample,0.000000,10.000000,,,,,,,,,,\n"
		"sample,0.100000,20.000000,,,,,,,,,,\n"
		"sample,0.200000,30.000000,,,,,,,,,,\n"
		"sample,0.300000,15.000000,,,,,,,,,,\n"
		"sample,0.400000,12.000000,,,,,,,,,,\n"
		"peak,0.200000,50.000000,,,,,,,,,,\n"
		"peak,0.400000,16.000000,,,,,,,,,,\n"
		"child,0.100000,5.000000,,,,,4243,,,,,\n"
		"child,0.200000,7.500000,,,,,4243,,,,,\n"
		"child,0.200000,1.000000,,,,,4250,,,,,\n"
		"call,0.050000,20.0000,0.250000,30.0000,work,0,0,,,,,\n"
		"call,0.060000,20.0000,0.150000,25.0000,my func,1,4243,,,,,\n"
		"call,0.305000,15.0000,0.390000,12.0000,work,0,0,,,,,\n"
		"gc,0.110000,20.0000,0.120000,19.5000,,,4242,0,12,0,300,\n"
		"gc,0.310000,15.0000,0.340000,12.0000,,,4242,2,1000,2,-1,\n"
		"mark,0.150000,20.0000,,,half%way,,4242,,,,,\n"
		"exit,0.410000,,,,,,,,,,,0\n");
	mp_profile_release(&p);
}

static void test_export__names_are_quoted_and_escaped(void **state)
{
	(void)state;
	mp_profile p;
	/* A name holding a comma, a quote, a newline, a tab and a byte that is not UTF-8;
	 * and a legacy 5-field FUNC (no level). */
	const char *text = "MEM 1 10\nFUNC a%2C%22b%0A%09%FF%C3%A9 1 10 2 11\n";
	assert_int_equal(test_parse(&p, text, strlen(text), "x", err, sizeof err), 0);
	const char *csv = run(&p, 0);
	assert_non_null(strstr(csv, "call,0.000000,1.0000,1.000000,2.0000,\"a,\"\"b\n\t\xff\xc3\xa9\",,0,"));
	const char *json = run(&p, 1);
	assert_non_null(strstr(json, "{\"name\":\"a,\\\"b\\u000a\\u0009\xef\xbf\xbd\xc3\xa9\",\"calls\":"
				     "[{\"start\":0,\"end\":1,\"mem_start\":1,"
				     "\"mem_end\":2,\"level\":-1,\"pid\":0}]}"));
	assert_non_null(strstr(json, "\"cmdline\":null"));
	assert_non_null(strstr(json, "\"meta\":null"));
	assert_non_null(strstr(json, "\"exit\":null}"));
	mp_profile_release(&p);
}

/* A spreadsheet must not run a name as a formula. */
static void test_export__csv_neutralises_formula_names(void **state)
{
	(void)state;
	mp_profile p;
	const char *text = "MEM 1 10\nFUNC =HYPERLINK(\"x\") 1 10 2 11 0\nFUNC +1 1 10 2 11 0\n"
			   "FUNC -2 1 10 2 11 0\nFUNC @SUM(A1) 1 10 2 11 0\nFUNC a=b 1 10 2 11 0\n"
			   "MARK =m 1 10.5 7\n";
	assert_int_equal(test_parse(&p, text, strlen(text), "x", err, sizeof err), 0);
	const char *csv = run(&p, 0);
	assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"x\"\")\","));
	assert_non_null(strstr(csv, ",'+1,"));
	assert_non_null(strstr(csv, ",'-2,"));
	assert_non_null(strstr(csv, ",'@SUM(A1),"));
	assert_non_null(strstr(csv, ",a=b,"));
	assert_non_null(strstr(csv, ",'=m,"));
	mp_profile_release(&p);
}

/* Times far apart can overflow a double when subtracted: JSON gets null, never inf. */
static void test_export__json_is_always_valid_json(void **state)
{
	(void)state;
	mp_profile p;
	const char *text = "MEM 1 -1.5e308\nMEM 2 1.5e308\nMARK m 1 1e308 1\n";
	assert_int_equal(test_parse(&p, text, strlen(text), "x", err, sizeof err), 0);
	const char *json = run(&p, 1);
	assert_null(strstr(json, "inf"));
	assert_null(strstr(json, "nan"));
	assert_non_null(strstr(json, "[null,2]"));
	mp_profile_release(&p);
}

static void test_export__json_has_every_part(void **state)
{
	(void)state;
	mp_profile p;
	char path[512];
	snprintf(path, sizeof path, "%s/ours_full.dat", FIXTURES);
	assert_int_equal(test_read(&p, path, err, sizeof err), 0);
	const char *j = run(&p, 1);
	const char *want[] = {
		"{\"file\":\"f.dat\",\"cmdline\":\"./memfix 'a b' c\",\"start\":1000,",
		"\"meta\":{\"interval\":0.1,\"backend\":\"rss\",\"peaks\":true,\"children\":\"each\","
		"\"pid\":4242,\"version\":\"0.1.0\"}",
		"\"samples\":[[0,10],[0.1,20],",
		"\"peaks\":[[0.2,50],[0.4,16]]",
		"\"children\":[{\"pid\":4243,\"samples\":[[0.1,5],[0.2,7.5]]},"
		"{\"pid\":4250,",
		"{\"name\":\"my func\",\"calls\":[{\"start\":0.06,\"end\":0.15,"
		"\"mem_start\":20,\"mem_end\":25,\"level\":1,\"pid\":4243}]}",
		"{\"gen\":2,\"start\":0.31,\"end\":0.34,\"mem_start\":15,\"mem_end\":12,"
		"\"collected\":1000,\"uncollectable\":2,\"candidates\":-1,\"pid\":4242}",
		"\"marks\":[{\"name\":\"half%way\",\"t\":0.15,\"mem\":20,\"pid\":4242}]",
		"\"exit\":{\"status\":0,\"t\":0.41}}\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(j, want[i]))
			fail_msg("missing %s in\n%s", want[i], j);
	mp_profile_release(&p);
}

static void test_export__write_errors_are_returned(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	mp_profile p;
	char path[512];
	snprintf(path, sizeof path, "%s/mp_python_fast.dat", FIXTURES);
	assert_int_equal(test_read(&p, path, err, sizeof err), 0);
	assert_int_equal(mp_export_csv(&p, f), -ENOSPC);
	fclose(f);
	f = fopen("/dev/full", "w");
	assert_int_equal(mp_export_json(&p, "x", f), -ENOSPC);
	fclose(f);
	mp_profile_release(&p);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* The trace export: an event per line, counted against the profile; names in valid UTF-8
 * with '<' escaped; numbers without printf. tests/web/trace.sh checks it with a real reader. */
static void test_export__trace_has_an_event_per_line_of_the_profile(void **state)
{
	(void)state;
	mp_profile p;
	char path[512];
	snprintf(path, sizeof path, "%s/ours_full.dat", FIXTURES);
	assert_int_equal(test_read(&p, path, err, sizeof err), 0);
	static char buf[1 << 16];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	assert_int_equal(mp_export_trace(&p, "f.dat", f), 0);
	long n = ftell(f);
	fclose(f);
	buf[n] = 0;
	assert_int_equal(count(buf, "{\"ph\":\"C\""), 5 + 2 + 3);     /* MEM + PEAK + CHLD */
	assert_int_equal(count(buf, "\"cat\":\"function\""), 3);    /* FUNC */
	assert_int_equal(count(buf, "\"cat\":\"gc\""), 2);          /* GC */
	assert_int_equal(count(buf, "{\"ph\":\"i\""), 2);           /* MARK + EXIT */
	/* Counters named by the backend (or true peak), one series in MiB, on their process. */
	assert_non_null(strstr(buf, "\n{\"ph\":\"C\",\"name\":\"rss\",\"pid\":4242,\"ts\":100000,"
				    "\"args\":{\"MiB\":20}},\n"));
	assert_non_null(strstr(buf, "\n{\"ph\":\"C\",\"name\":\"true peak\",\"pid\":4242,"
				    "\"ts\":200000,\"args\":{\"MiB\":50}},\n"));
	assert_non_null(strstr(buf, "\n{\"ph\":\"C\",\"name\":\"rss\",\"pid\":4243,\"ts\":200000,"
				    "\"args\":{\"MiB\":7.5}},\n"));
	assert_non_null(strstr(buf, "{\"ph\":\"X\",\"cat\":\"gc\",\"pid\":4242,\"tid\":1000004242,"
				    "\"ts\":310000,\"dur\":30000,\"name\":\"GC gen 2\",\"args\":"
				    "{\"generation\":2,\"collected\":1000,\"uncollectable\":2,"
				    "\"candidates\":null,\"duration_ms\":30,\"mem_before_MiB\":15,"
				    "\"mem_after_MiB\":12}}"));
	assert_non_null(strstr(buf, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":4242,"
				    "\"tid\":4242,\"args\":{\"name\":\"./memfix 'a b' c\"}}"));
	mp_profile_release(&p);
	/* Any bytes in a name; no META: the pid of the GC lines. */
	mp_profile q;
	const char *text = "MEM 1 10\nFUNC %FF%3C/script%3E 1 10.1 1 10.2 0\nGC 0 1 10 1 10 1 0 1 77\n";
	assert_int_equal(test_parse(&q, text, strlen(text), "t.dat", err, sizeof err), 0);
	f = fmemopen(buf, sizeof buf, "w");
	assert_int_equal(mp_export_trace(&q, "t.dat", f), 0);
	n = ftell(f);
	fclose(f);
	buf[n] = 0;
	assert_non_null(strstr(buf, "\"name\":\"\xef\xbf\xbd\\u003c/script>\""));
	assert_non_null(strstr(buf, "\"pid\":77,"));
	mp_profile_release(&q);
}

/* What the writer wrote for one number: JSON's shortest form, or CSV's fixed decimals. */
static const char *one_num(double v, int dec, int fixed)
{
	static mp__jw w;
	static char buf[64];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	assert_non_null(f);
	mp__jw_init(&w, f);
	if (fixed)
		mp__jw_fixed(&w, v, dec);
	else
		mp__jw_num(&w, v, dec);
	assert_int_equal(mp__jw_finish(&w), 0);
	long n = ftell(f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static void test_export__numbers_are_shortest_fixed_decimals(void **state)
{
	(void)state;
	static const struct {
		double v;
		int dec;
		const char *want;
	} cases[] = {
		{0, 3, "0"}, {1.5, 6, "1.5"}, {-2.25, 2, "-2.25"}, {0.000001, 6, "0.000001"},
		{0.0000004, 6, "0"}, {-0.0000004, 6, "0"}, {-7, 0, "-7"}, {1e300, 3, "1.0000000000000001e+300"},
		{1.0 / 0.0, 3, "null"}, {0.0 / 0.0, 3, "null"}, {1795545560.1, 6, "1795545560.1"},
		/* 123456789.0005 is 123456789.000499993... in binary: rounded down, as printf does */
		{123456789.0005, 3, "123456789"}, {100, 3, "100"}, {99.9999999, 6, "100"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(one_num(cases[i].v, cases[i].dec, 0), cases[i].want);
}

/* The CSV's numbers are printf's "%.*f", digit for digit, ties and signs included. */
static void test_export__fixed_numbers_are_printfs(void **state)
{
	(void)state;
	static const double some[] = {0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.0000005, -0.0000001,
				      59.268728, 1795545560.1, 1e14, 7.1e13, 123456789.0005, 1e300};
	char want[400];
	for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
		for (int d = 0; d <= 9; d++) {
			snprintf(want, sizeof want, "%.*f", d, some[i]);
			if (strlen(want) < 30)
				assert_string_equal(one_num(some[i], d, 1), want);
		}
	unsigned long long x = 88172645463325252ULL; /* xorshift: the same numbers every run */
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int d = (int)(x % 10);
		/* dyadic values (exact ties) and decimal ones (as a .dat holds), up to 1e14 */
		double v = (x & 2) ? (double)(long long)(x >> 20) / (double)(1ULL << (x % 50))
				   : (double)(x % 100000000000000ULL) / pow(10, (double)(x >> 8 & 15));
		v *= (x & 1) ? -1 : 1;
		snprintf(want, sizeof want, "%.*f", d, v);
		if (strlen(want) >= 30)
			continue;
		if (strcmp(one_num(v, d, 1), want) != 0)
			fail_msg("%.17g with %d decimals: %s, printf %s", v, d, one_num(v, d, 1), want);
		/* JSON's form: the same digits, trailing zeros (and a bare point, a "-" on 0) dropped */
		size_t n = strlen(want);
		if (strchr(want, '.'))
			while (want[n - 1] == '0' || want[n - 1] == '.')
				if (want[--n] == '.')
					break;
		want[n] = 0;
		if (!strcmp(want, "-0"))
			strcpy(want, "0");
		if (strcmp(one_num(v, d, 0), want) != 0)
			fail_msg("%.17g with %d decimals: %s, want %s", v, d, one_num(v, d, 0),
				 want);
	}
}

/* Integers (the trace's microseconds, pids, counts) are printf's "%lld", at every length. */
static void test_export__integers_are_printfs(void **state)
{
	(void)state;
	char got[MP__JW_NUM_MAX + 8], want[32];
	long long some[] = {0, 1, -1, 9, 10, 99999999, 100000000, -100000000, 1234567890123456789LL,
			    9999999999999999LL, 10000000000000000LL, LLONG_MAX, LLONG_MIN};
	for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
		snprintf(want, sizeof want, "%lld", some[i]);
		got[mp__fmt_int(got, some[i])] = 0;
		assert_string_equal(got, want);
	}
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		long long v = (long long)(x >> (x % 64)) * ((x & 1) ? -1 : 1); /* every length */
		snprintf(want, sizeof want, "%lld", v);
		got[mp__fmt_int(got, v)] = 0;
		if (strcmp(got, want) != 0)
			fail_msg("%s, printf %s", got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export__csv_neutralises_formula_names),
		cmocka_unit_test(test_export__json_is_always_valid_json),
		cmocka_unit_test(test_export__csv_has_a_row_per_thing_with_its_kind),
		cmocka_unit_test(test_export__names_are_quoted_and_escaped),
		cmocka_unit_test(test_export__json_has_every_part),
		cmocka_unit_test(test_export__write_errors_are_returned),
		cmocka_unit_test(test_export__trace_has_an_event_per_line_of_the_profile),
		cmocka_unit_test(test_export__numbers_are_shortest_fixed_decimals),
		cmocka_unit_test(test_export__fixed_numbers_are_printfs),
		cmocka_unit_test(test_export__integers_are_printfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
