/* test_dat.c - writing .dat profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dat.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_dat.XXXXXX");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = 0;
	return buf;
}

static void test_dat__lines_have_memory_profiler_fields(void **state)
{
	(void)state;
	mp_dat *w = malloc(sizeof *w);
	assert_int_equal(mp_dat_create(w, "a.dat"), 0);
	char *argv[] = {"python3", "demo.py", "a b", NULL};
	struct timespec t0 = {1795545560, 576612345}, t1 = {1795545561, 5000};
	mp_dat_cmdline(w, argv);
	mp_dat_mem(w, 22781952, &t0);                       /* 21.7265625 MiB */
	mp_dat_chld(w, 7009, 1048576, &t0);
	mp_dat_func(w, "__main__.inner", 14, 30794138, &t0, 30794138, &t1, 1, 0);
	mp_dat_func(w, "x", 1, 0, &t0, 0, &t1, 0, 4242);
	mp_dat_gc(w, 2, 1048576, &t0, 1048576, &t1, 12, 0, -1, 99);
	mp_dat_mark(w, "a b%", 4, 2097152, &t1, 99);
	mp_dat_peak(w, 88080384, &t1, NULL);
	mp_dat_exit(w, 137, &t1);
	assert_int_equal(mp_dat_close(w), 0);
	free(w);
	assert_string_equal(slurp("a.dat"),
			    "CMDLINE python3 demo.py 'a b'\n"
			    "MEM 21.726562 1795545560.576612\n"
			    "CHLD 7009 1.000000 1795545560.576612\n"
			    "FUNC __main__.inner 29.3676 1795545560.576612 29.3676 1795545561.000005 1\n"
			    "FUNC x 0.0000 1795545560.576612 0.0000 1795545561.000005 0 4242\n"
			    "GC 2 1.0000 1795545560.576612 1.0000 1795545561.000005 12 0 -1 99\n"
			    "MARK a%20b%25 2.0000 1795545561.000005 99\n"
			    "PEAK 84.000000 1795545561.000005\n"
			    "EXIT 137 1795545561.000005\n");
}

static void test_dat__names_are_encoded_one_word(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(mp_dat_encode_name("a\tb\n%", 5, out, sizeof out), 11);
	assert_string_equal(out, "a%09b%0A%25");
	/* Never cut inside an escape. */
	assert_int_equal(mp_dat_encode_name("ab c", 4, out, 5), 2);
	assert_string_equal(out, "ab");
}

static void test_dat__create_replaces_a_file_but_refuses_a_symlink(void **state)
{
	(void)state;
	mp_dat *w = malloc(sizeof *w);
	FILE *f = fopen("old.dat", "w");
	fputs("MEM 1 2\n", f);
	fclose(f);
	assert_int_equal(mp_dat_create(w, "old.dat"), 0);
	mp_dat_cmdline_text(w, "new");
	assert_int_equal(mp_dat_close(w), 0);
	assert_string_equal(slurp("old.dat"), "CMDLINE new\n");
	assert_int_equal(symlink("target.dat", "link.dat"), 0);
	assert_int_equal(mp_dat_create(w, "link.dat"), -ELOOP);
	assert_int_equal(access("target.dat", F_OK), -1);
	assert_int_equal(mp_dat_create(w, "."), -EISDIR);
	assert_int_equal(mp_dat_create(w, "nodir/x.dat"), -ENOENT);
	free(w);
}

static void test_dat__default_name_moves_to_the_next_free_second(void **state)
{
	(void)state;
	mp_dat *w = malloc(sizeof *w);
	char first[32], second[32];
	long long t = 1795545560;
	assert_int_equal(mp_dat_create_default(w, t, first), 0);
	mp_dat_close(w);
	assert_int_equal(mp_dat_create_default(w, t, second), 0);
	mp_dat_close(w);
	assert_string_not_equal(first, second);
	assert_true(mp_dat_is_default_name(first));
	assert_true(mp_dat_is_default_name(second));
	assert_true(strcmp(first, second) < 0); /* still in order for `mprof list` */
	free(w);
}

static void test_dat__flushes_only_whole_lines_after_the_deadline(void **state)
{
	(void)state;
	mp_dat *w = malloc(sizeof *w);
	assert_int_equal(mp_dat_create(w, "f.dat"), 0);
	struct timespec t = {1, 0};
	assert_int_equal(mp_dat_deadline(w), -1);
	mp_dat_mem(w, 1048576, &t);
	long long d = mp_dat_deadline(w);
	assert_true(d > 0);
	mp_dat_tick(w, d - 1);
	assert_string_equal(slurp("f.dat"), ""); /* not yet */
	mp_dat_tick(w, d);
	assert_string_equal(slurp("f.dat"), "MEM 1.000000 1.000000\n");
	assert_int_equal(mp_dat_deadline(w), -1);
	/* Far more than a buffer's worth: everything arrives, in whole lines. */
	for (int i = 0; i < 5000; i++)
		mp_dat_mem(w, i, &t);
	assert_int_equal(mp_dat_close(w), 0);
	struct stat st;
	assert_int_equal(stat("f.dat", &st), 0);
	assert_int_equal(st.st_size, 22 + 5000 * 22);
	free(w);
}

/* The next value for the digits test: every boundary the rounding has (ties, carries into the
 * MiB, pages and kB as /proc gives them, -1 for unknown), then random sizes up to 2^53. */
static long long number_case(unsigned i, unsigned long long *rng)
{
	static const long long fixed[] = {0, 1, -1, -4096, 524288, 524287, 524289, 1048575,
					  1048576, 1048577, 2048, 6144, 10240, 1048576 - 52,
					  1048576 - 53, 1048576 - 54, (1LL << 53) - 1, 1LL << 52};
	size_t nfixed = sizeof fixed / sizeof fixed[0];
	if (i < nfixed)
		return fixed[i];
	i -= (unsigned)nfixed;
	if (i < 300000)
		return (long long)i * 4096; /* every page count up to 1.1 GiB */
	if (i < 400000)
		return (long long)(i - 300000) * 1024;
	*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
	unsigned long long v = *rng >> 11; /* 53 bits */
	return (long long)(v >> (*rng % 40));
}

static void test_dat__numbers_are_printf_digits(void **state)
{
	(void)state;
	enum { N = 500000 };
	mp_dat *w = malloc(sizeof *w);
	assert_int_equal(mp_dat_create(w, "n.dat"), 0);
	unsigned long long rng = 42;
	for (unsigned i = 0; i < N; i++) {
		long long b = number_case(i, &rng);
		struct timespec t = {1795545560 + (time_t)i, (long)((i * 7919ULL * 1000003ULL) % 1000000000ULL)};
		mp_dat_mem(w, b, &t);
		mp_dat_peak(w, b, &t, i % 2 ? &t : NULL);
		if (i % 16 == 0) {
			mp_dat_chld(w, (pid_t)i + 1, b, &t);
			mp_dat_func(w, "f", 1, b, &t, -b, &t, 2, 0);
			mp_dat_mark(w, "m", 1, b, &t, 7);
		}
	}
	assert_int_equal(mp_dat_close(w), 0);
	free(w);

	FILE *f = fopen("n.dat", "r");
	assert_non_null(f);
	char got[256], want[256];
	rng = 42;
	for (unsigned i = 0; i < N; i++) {
		long long b = number_case(i, &rng);
		double m = (double)b / 1048576.0, neg = (double)-b / 1048576.0;
		long long sec = 1795545560 + (long long)i;
		long us = (long)((i * 7919ULL * 1000003ULL) % 1000000000ULL) / 1000;
		snprintf(want, sizeof want, "MEM %.6f %lld.%06ld\n", m, sec, us);
		assert_non_null(fgets(got, sizeof got, f));
		assert_string_equal(got, want);
		if (i % 2)
			snprintf(want, sizeof want, "PEAK %.6f %lld.%06ld %lld.%06ld\n", m, sec, us, sec, us);
		else
			snprintf(want, sizeof want, "PEAK %.6f %lld.%06ld\n", m, sec, us);
		assert_non_null(fgets(got, sizeof got, f));
		assert_string_equal(got, want);
		if (i % 16)
			continue;
		snprintf(want, sizeof want, "CHLD %u %.6f %lld.%06ld\n", i + 1, m, sec, us);
		assert_non_null(fgets(got, sizeof got, f));
		assert_string_equal(got, want);
		snprintf(want, sizeof want, "FUNC f %.4f %lld.%06ld %.4f %lld.%06ld 2\n", m, sec, us, neg,
			 sec, us);
		assert_non_null(fgets(got, sizeof got, f));
		assert_string_equal(got, want);
		snprintf(want, sizeof want, "MARK m %.4f %lld.%06ld 7\n", m, sec, us);
		assert_non_null(fgets(got, sizeof got, f));
		assert_string_equal(got, want);
	}
	assert_null(fgets(got, sizeof got, f));
	fclose(f);
}

static void test_dat__write_error_is_kept_and_the_file_cut_to_whole_lines(void **state)
{
	(void)state;
	mp_dat *w = malloc(sizeof *w);
	assert_int_equal(mp_dat_create(w, "e.dat"), 0);
	struct timespec t = {1, 0};
	mp_dat_mem(w, 0, &t);
	assert_int_equal(mp_dat_flush(w), 0);
	close(w->fd);
	w->fd = open("/dev/full", O_WRONLY);
	mp_dat_mem(w, 0, &t);
	assert_int_equal(mp_dat_flush(w), -ENOSPC);
	mp_dat_mem(w, 0, &t); /* dropped, not an error again */
	assert_int_equal(mp_dat_close(w), -ENOSPC);
	assert_string_equal(slurp("e.dat"), "MEM 0.000000 1.000000\n");
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dat__lines_have_memory_profiler_fields, setup, teardown),
		cmocka_unit_test(test_dat__names_are_encoded_one_word),
		cmocka_unit_test_setup_teardown(test_dat__create_replaces_a_file_but_refuses_a_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dat__default_name_moves_to_the_next_free_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dat__flushes_only_whole_lines_after_the_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dat__write_error_is_kept_and_the_file_cut_to_whole_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dat__numbers_are_printf_digits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
