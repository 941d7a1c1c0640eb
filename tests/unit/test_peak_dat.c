/* test_peak_dat.c - PEAK lines both ways (the time of the maximum, or the interval that holds
 * it), META's peak source, and `peak --func` crediting a function only with its own peaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dat.h"
#include "profile.h"

static int parse(mp_profile *p, const char *text)
{
	return mp_profile_parse(p, text, strlen(text), NULL);
}

static void test_peak_dat__writer_and_reader_agree_on_both_forms(void **state)
{
	(void)state;
	char path[] = "/tmp/test_peak_dat.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	mp_dat *w = malloc(sizeof *w);
	assert_int_equal(mp_dat_create(w, path), 0);
	struct timespec t0 = {1000, 100000000}, t1 = {1000, 150000000}, t2 = {1000, 200000000};
	mp_dat_run_info info = {.interval = 0.1, .backend = MP_BACKEND_RSS, .peaks = MP_PEAKS_HWM,
				.peaks_fallback = "denied", .pid = 7};
	mp_dat_meta(w, &info);
	mp_dat_mem(w, 10 << 20, &t0);
	mp_dat_mem(w, 10 << 20, &t2);
	mp_dat_peak(w, 50 << 20, &t1, NULL);  /* exact */
	mp_dat_peak(w, 40 << 20, &t2, &t0);   /* somewhere in [t0, t2] */
	assert_int_equal(mp_dat_close(w), 0);
	free(w);
	mp_profile p;
	assert_int_equal(mp_profile_read(&p, path, NULL), 0);
	assert_string_equal(p.meta.peak_source, "hwm");
	assert_int_equal(p.meta.peaks, 1);
	assert_int_equal(p.npeaks, 2);
	assert_true(p.peaks[0].mem == 50 && p.peaks[0].t == 1000.15);
	/* no third field in an hwm file: a line of a version before the field, whose interval
	 * began at the previous MEM */
	assert_true(p.peak_since[0] == 1000.1);
	assert_true(p.peaks[1].mem == 40 && p.peaks[1].t == 1000.2 && p.peak_since[1] == 1000.1);
	mp_profile_release(&p);
	unlink(path);
}

static void test_peak_dat__meta_names_every_source(void **state)
{
	(void)state;
	static const char *names[] = {"none", "hwm", "reset", "bpf"};
	for (int i = 0; i < 4; i++) {
		char line[256];
		mp_dat_run_info info = {.interval = 0.1, .peaks = (mp_peak_source)i, .pid = 1};
		mp_dat_format_meta(&info, line, sizeof line);
		char want[32];
		snprintf(want, sizeof want, " peaks=%s ", names[i]);
		assert_non_null(strstr(line, want));
		assert_null(strstr(line, "peaks_fallback"));
		mp_peak_source s;
		assert_int_equal(mp_peak_source_parse(names[i], &s), 0);
		assert_int_equal(s, i);
		assert_string_equal(mp_peak_source_name(s), names[i]);
		mp_profile p;
		assert_int_equal(parse(&p, line), 0);
		assert_string_equal(p.meta.peak_source, names[i]);
		assert_int_equal(p.meta.peaks, i != 0);
		mp_profile_release(&p);
	}
	mp_peak_source s;
	assert_int_equal(mp_peak_source_parse("auto", &s), MP_EBADNAME);
}

static void test_peak_dat__bpf_peaks_are_exact_and_bad_intervals_refused(void **state)
{
	(void)state;
	mp_profile p;
	assert_int_equal(parse(&p, "META peaks=bpf\nMEM 1 10.0\nPEAK 9 10.05\nMEM 1 10.1\n"), 0);
	assert_true(p.peak_since[0] == 10.05);
	mp_profile_release(&p);
	assert_int_equal(parse(&p, "MEM 1 10.0\nPEAK 9 10.05 10.1\n"), MP_EMALFORMED);
	assert_int_equal(parse(&p, "MEM 1 10.0\nPEAK 9 10.05 x\n"), MP_EMALFORMED);
	assert_int_equal(parse(&p, "MEM 1 10.0\nPEAK 9 10.05 nan\n"), MP_EMALFORMED);
}

/* big() holds 200 MiB, then small() runs, inside one sampling interval [10.0, 10.5]. */
static const char two_funcs_interval[] =
	"META peaks=hwm\n"
	"MEM 10 10.0\n"
	"FUNC big 10 10.01 10 10.2 0\n"
	"FUNC small 10 10.21 10 10.9 0\n"
	"MEM 10 10.5\n"
	"PEAK 210 10.5 10.0\n"
	"MEM 10 11.0\n";

static void test_peak_dat__func_gets_no_peak_of_an_interval_it_does_not_hold(void **state)
{
	(void)state;
	mp_profile p;
	double mem;
	assert_int_equal(parse(&p, two_funcs_interval), 0);
	assert_int_equal(mp_profile_peak_func(&p, "small", &mem), 0);
	assert_true(mem == 10); /* its own samples, not big's peak */
	/* nor does big get it: its call does not hold the whole interval either */
	assert_int_equal(mp_profile_peak_func(&p, "big", &mem), MP_ENOSAMPLE);
	double top;
	assert_int_equal(mp_profile_peak(&p, &top, NULL), 0);
	assert_true(top == 210); /* the profile's peak is still the true one */
	mp_profile_release(&p);
}

static void test_peak_dat__func_gets_an_exact_peak_inside_its_call(void **state)
{
	(void)state;
	mp_profile p;
	double mem;
	assert_int_equal(parse(&p, "META peaks=bpf\n"
				   "MEM 10 10.0\n"
				   "FUNC big 10 10.01 10 10.2 0\n"
				   "FUNC small 10 10.21 10 10.9 0\n"
				   "MEM 10 10.5\n"
				   "PEAK 210 10.15\n"
				   "MEM 10 11.0\n"),
			 0);
	assert_int_equal(mp_profile_peak_func(&p, "big", &mem), 0);
	assert_true(mem == 210);
	assert_int_equal(mp_profile_peak_func(&p, "small", &mem), 0);
	assert_true(mem == 10);
	mp_profile_release(&p);
}

static void test_peak_dat__old_files_credit_by_the_interval_since_the_previous_sample(void **state)
{
	(void)state;
	/* written before the interval field: the PEAK is stamped at its interval's end */
	mp_profile p;
	double mem;
	assert_int_equal(parse(&p, "META peaks=hwm\n"
				   "MEM 10 10.0\n"
				   "FUNC big 10 10.01 10 10.2 0\n"
				   "FUNC small 10 10.21 10 10.9 0\n"
				   "MEM 10 10.5\n"
				   "PEAK 210 10.5\n"
				   "MEM 10 11.0\n"),
			 0);
	assert_true(p.peak_since[0] == 10.0);
	assert_int_equal(mp_profile_peak_func(&p, "small", &mem), 0);
	assert_true(mem == 10);
	mp_profile_release(&p);
	/* an interval wholly inside the call is the call's */
	assert_int_equal(parse(&p, "MEM 10 10.0\nFUNC f 10 9.9 10 10.6 0\nMEM 10 10.5\n"
				   "PEAK 99 10.5\n"),
			 0);
	assert_int_equal(mp_profile_peak_func(&p, "f", &mem), 0);
	assert_true(mem == 99);
	mp_profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peak_dat__writer_and_reader_agree_on_both_forms),
		cmocka_unit_test(test_peak_dat__meta_names_every_source),
		cmocka_unit_test(test_peak_dat__bpf_peaks_are_exact_and_bad_intervals_refused),
		cmocka_unit_test(test_peak_dat__func_gets_no_peak_of_an_interval_it_does_not_hold),
		cmocka_unit_test(test_peak_dat__func_gets_an_exact_peak_inside_its_call),
		cmocka_unit_test(test_peak_dat__old_files_credit_by_the_interval_since_the_previous_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
