/* test_profile.c - the .dat reader over memory_profiler's own files and ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dat.h"
#include "profile.h"
#include "test_dat_util.h"

#ifndef FIXTURES
#error "FIXTURES: the directory of the .dat fixtures"
#endif

static char err[512];

/* Fault injection: the reader's allocations go through these (the test links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign); the fail_at-th
 * one fails. */
static long fail_at, alloc_calls;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);

static int injected_failure(void)
{
	return fail_at && ++alloc_calls == fail_at;
}

void *__wrap_malloc(size_t n)
{
	return injected_failure() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return injected_failure() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return injected_failure() ? NULL : __real_realloc(p, n);
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	return injected_failure() ? ENOMEM : __real_posix_memalign(p, align, n);
}

static void read_fixture(mp_profile *p, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	int rc = test_read(p, path, err, sizeof err);
	if (rc != 0)
		fail_msg("%s: %d %s", name, rc, err);
}

/* An independent reading of a file's MEM lines (sscanf), to check the reader against. */
static size_t ref_mem(const char *name, double *max_mem, double *min_t)
{
	char path[512], line[4096];
	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = 0;
	*max_mem = -1;
	*min_t = INFINITY;
	double m, t;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "MEM %lf %lf", &m, &t) != 2)
			continue;
		n++;
		if (m > *max_mem)
			*max_mem = m;
		if (t < *min_t)
			*min_t = t;
	}
	fclose(f);
	return n;
}

static void assert_sorted(const mp_profile *p)
{
	for (size_t i = 1; i < p->nmem; i++)
		assert_true(p->mem[i - 1].t <= p->mem[i].t);
	for (size_t i = 1; i < p->npeaks; i++)
		assert_true(p->peaks[i - 1].t <= p->peaks[i].t);
	for (size_t i = 1; i < p->ncalls; i++)
		assert_true(p->calls[i - 1].t0 <= p->calls[i].t0);
	for (size_t i = 1; i < p->ngcs; i++)
		assert_true(p->gcs[i - 1].t0 <= p->gcs[i].t0);
	for (size_t c = 0; c < p->nchildren; c++)
		for (size_t i = 1; i < p->children[c].n; i++)
			assert_true(p->children[c].pts[i - 1].t <= p->children[c].pts[i].t);
	for (size_t i = 0; i < p->ncalls; i++)
		assert_true(p->calls[i].fn < p->nfnames);
}

static void test_profile__reads_memory_profiler_python_mode(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "mp_python.dat");
	double max_mem, min_t;
	size_t n = ref_mem("mp_python.dat", &max_mem, &min_t);
	assert_true(n >= 10);
	assert_int_equal(p.nmem, n);
	/* FUNC lines come before CMDLINE in this file: both are read. */
	assert_string_equal(p.cmdline, "/usr/bin/python3 demo.py");
	assert_int_equal(p.nfnames, 3);
	assert_true(mp_profile_find_func(&p, "__main__.inner") >= 0);
	assert_true(mp_profile_find_func(&p, "__main__.outer") >= 0);
	assert_true(mp_profile_find_func(&p, ".load_data") >= 0);
	assert_int_equal(p.ncalls, 5);
	long inner = mp_profile_find_func(&p, "__main__.inner");
	for (size_t i = 0; i < p.ncalls; i++)
		if (p.calls[i].fn == (size_t)inner)
			assert_int_equal(p.calls[i].level, 1);
	assert_false(p.meta.present);
	assert_int_equal(p.npeaks, 0);
	assert_false(p.has_exit);
	double peak, t;
	assert_int_equal(mp_profile_peak(&p, &peak, &t), 0);
	assert_true(peak == max_mem);
	assert_true(p.t_first <= min_t);
	assert_sorted(&p);
	mp_profile_release(&p);
}

static void test_profile__funcs_among_mem_lines(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "mp_python_fast.dat");
	double max_mem, min_t;
	assert_int_equal(p.nmem, ref_mem("mp_python_fast.dat", &max_mem, &min_t));
	assert_int_equal(p.ncalls, 5);
	assert_sorted(&p);
	mp_profile_release(&p);
}

static void test_profile__children_by_pid_in_order_of_appearance(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "mp_children.dat");
	assert_int_equal(p.nchildren, 2);
	assert_true(p.children[0].pid < p.children[1].pid); /* started first, listed first */
	/* The 40 MiB worker peaks 20 MiB above the 20 MiB one. */
	double a = mp_child_peak(&p.children[0]), b = mp_child_peak(&p.children[1]);
	assert_true(b - a > 15 && b - a < 25);
	assert_sorted(&p);
	mp_profile_release(&p);

	read_fixture(&p, "mp_include_children.dat");
	assert_int_equal(p.nchildren, 0);
	assert_true(p.nmem >= 3);
	assert_string_equal(p.cmdline, "python3 workers.py");
	mp_profile_release(&p);

	read_fixture(&p, "mp_command.dat");
	assert_string_equal(p.cmdline, "sh -c 'sleep 0.5'");
	assert_int_equal(p.ncalls, 0);
	mp_profile_release(&p);
}

static void test_profile__reads_every_line_type_of_ours(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	assert_string_equal(p.cmdline, "./memfix 'a b' c");
	assert_true(p.meta.present);
	assert_true(p.meta.interval == 0.1);
	assert_string_equal(p.meta.backend, "rss");
	assert_int_equal(p.meta.peaks, 1);
	assert_string_equal(p.meta.children, "each");
	assert_int_equal(p.meta.pid, 4242);
	assert_string_equal(p.meta.version, "0.1.0");
	assert_int_equal(p.nmem, 5);
	assert_int_equal(p.npeaks, 2);
	assert_true(p.peaks[0].mem == 50 && p.peaks[0].t == 1000.2);
	/* %XX names decoded; the 7th FUNC field is the pid. */
	assert_int_equal(p.ncalls, 3);
	assert_string_equal(p.fnames[p.calls[0].fn], "work");
	assert_string_equal(p.fnames[p.calls[1].fn], "my func");
	assert_int_equal(p.calls[1].pid, 4243);
	assert_int_equal(p.calls[1].level, 1);
	assert_int_equal(p.calls[0].pid, 0);
	assert_int_equal(p.ngcs, 2);
	assert_int_equal(p.gcs[0].gen, 0);
	assert_int_equal(p.gcs[0].collected, 12);
	assert_int_equal(p.gcs[0].candidates, 300);
	assert_int_equal(p.gcs[1].gen, 2);
	assert_int_equal(p.gcs[1].uncollectable, 2);
	assert_int_equal(p.gcs[1].candidates, -1);
	assert_true(p.gcs[1].t1 == 1000.34);
	assert_int_equal(p.nmarks, 1);
	assert_string_equal(p.marks[0].name, "half%way");
	assert_int_equal(p.marks[0].pid, 4242);
	assert_true(p.has_exit);
	assert_int_equal(p.exit_status, 0);
	assert_true(p.t_first == 1000.0 && p.t_last == 1000.41);
	assert_int_equal(p.nchildren, 2);
	assert_int_equal(p.children[0].pid, 4243);
	assert_true(mp_child_peak(&p.children[0]) == 7.5);
	/* The true peak is the PEAK line, above every sample. */
	double peak, t;
	assert_int_equal(mp_profile_peak(&p, &peak, &t), 0);
	assert_true(peak == 50 && t == 1000.2);
	assert_int_equal(p.lines, 20);
	assert_sorted(&p);
	mp_profile_release(&p);
}

static void test_profile__peak_func_counts_samples_inside_calls(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	double m = -1;
	/* work runs [1000.05, 1000.25] and [1000.305, 1000.39]: MEM 20, 30, PEAK 50. */
	assert_int_equal(mp_profile_peak_func(&p, "work", &m), 0);
	assert_true(m == 50);
	/* my func runs [1000.06, 1000.15]: only MEM 20 at 1000.1. */
	assert_int_equal(mp_profile_peak_func(&p, "my func", &m), 0);
	assert_true(m == 20);
	assert_int_equal(mp_profile_peak_func(&p, "nope", &m), MP_ENOFUNC);
	mp_profile_release(&p);

	read_fixture(&p, "legacy5.dat");
	/* f runs [500.05, 500.15]: the MEM at 500.1. */
	assert_int_equal(mp_profile_peak_func(&p, "__main__.f", &m), 0);
	assert_true(m == 2.5);
	mp_profile_release(&p);

	const char *between = "MEM 1 10.0\nMEM 2 10.1\nFUNC f 1 10.02 1 10.03 0\n";
	assert_int_equal(test_parse(&p, between, strlen(between), "b.dat", err, sizeof err), 0);
	assert_int_equal(mp_profile_peak_func(&p, "f", &m), MP_ENOSAMPLE);
	mp_profile_release(&p);
}

static void test_profile__legacy_crlf_and_no_final_newline(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "legacy5.dat");
	assert_string_equal(p.cmdline, "old.py");
	assert_int_equal(p.nmem, 3);
	assert_true(p.mem[2].mem == 2.0 && p.mem[2].t == 500.2);
	assert_int_equal(p.ncalls, 1);
	assert_int_equal(p.calls[0].level, -1);
	assert_true(p.calls[0].t1 == 500.15);
	mp_profile_release(&p);
}

/* kill -9 can cut the last line anywhere: the file stays readable. */
static void test_profile__a_torn_last_line_is_ignored_not_fatal(void **state)
{
	(void)state;
	mp_profile p;
	/* Another writer's file: a last line that does not parse is ignored... */
	read_fixture(&p, "truncated.dat");
	assert_int_equal(p.nmem, 2);
	assert_true(p.torn);
	assert_int_equal(p.lines, 3);
	mp_profile_release(&p);
	/* ... and one that parses is read (memory_profiler's files may lack the newline). */
	read_fixture(&p, "legacy5.dat");
	assert_false(p.torn);
	mp_profile_release(&p);
	/* In mprof's own file (META), a line without its newline was cut: even "MEM 1.5 17",
	 * a time cut short, is not read as valid. */
	const char *ours = "CMDLINE x\nMETA mprof=0.2.0 interval=0.1\nMEM 1.0 1795545560.1\nMEM 1.5 17";
	assert_int_equal(test_parse(&p, ours, strlen(ours), "t.dat", err, sizeof err), 0);
	assert_int_equal(p.nmem, 1);
	assert_true(p.torn);
	mp_profile_release(&p);
	/* A cut at any byte of a whole file of ours reads. */
	const char *whole = "CMDLINE x\nMETA mprof=0.2.0 interval=0.1\nMEM 1.0 1795545560.1\n"
			    "FUNC f 1.0 1795545560.1 2.0 1795545560.2 0\n"
			    "GC 2 1.0 1795545560.3 1.0 1795545560.31 12 0 40 7\nEXIT 0 1795545560.4\n";
	for (size_t cut = strlen("CMDLINE x\nMETA mprof=0.2.0 interval=0.1\n"); cut <= strlen(whole);
	     cut++) {
		assert_int_equal(test_parse(&p, whole, cut, "t.dat", err, sizeof err), 0);
		assert_int_equal(p.torn, whole[cut - 1] != '\n');
		mp_profile_release(&p);
	}
}

/* A "line" of gigabytes is refused once it passes the limit, not buffered whole. */
static void test_profile__an_endless_line_is_refused_at_the_limit(void **state)
{
	(void)state;
	char path[] = "/tmp/test_profile_long.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static char chunk[1 << 20];
	memset(chunk, 'a', sizeof chunk);
	assert_int_equal(write(fd, "CMDLINE ", 8), 8);
	for (int i = 0; i < 6; i++)
		assert_int_equal(write(fd, chunk, sizeof chunk), (ssize_t)sizeof chunk);
	close(fd);
	mp_profile p;
	mp_dat_error e;
	assert_int_equal(mp_profile_read(&p, path, &e), MP_EMALFORMED);
	assert_int_equal(e.line, 1);
	assert_non_null(strstr(e.what, "longer than"));
	unlink(path);
}

static void test_profile__any_order_last_cmdline_wins(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "unsorted.dat");
	assert_string_equal(p.cmdline, "second one");
	assert_int_equal(p.nmem, 5);
	const double want[] = {1, 2, 2.5, 3, 4};
	for (size_t i = 0; i < 5; i++)
		assert_true(p.mem[i].mem == want[i]);
	assert_true(p.mem[0].t == 10.0 && p.mem[4].t == 10.4);
	assert_string_equal(p.fnames[p.calls[0].fn], "a.g");
	assert_int_equal(p.nchildren, 2);
	assert_int_equal(p.children[0].pid, 77);
	assert_int_equal(p.children[0].n, 2);
	assert_true(p.children[0].pts[0].t == 10.1);
	assert_int_equal(p.children[1].pid, 76);
	assert_true(p.t_first == 10.0 && p.t_last == 10.4);
	assert_sorted(&p);
	mp_profile_release(&p);
}

static void test_profile__empty_and_no_mem(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "empty.dat");
	assert_int_equal(p.lines, 0);
	assert_int_equal(mp_profile_peak(&p, NULL, NULL), MP_ENOSAMPLES);
	mp_profile_release(&p);
	read_fixture(&p, "nomem.dat");
	assert_int_equal(p.lines, 1);
	assert_int_equal(p.nmem, 0);
	assert_int_equal(mp_profile_peak(&p, NULL, NULL), MP_ENOSAMPLES);
	mp_profile_release(&p);
}

static void expect_error(const char *name, const char *msg)
{
	char path[512], want[700];
	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	mp_profile p;
	assert_int_equal(test_read(&p, path, err, sizeof err), MP_EMALFORMED);
	snprintf(want, sizeof want, "%s:%s", path, msg);
	assert_string_equal(err, want);
	assert_int_equal(p.nmem, 0);
	assert_null(p.mem);
	mp_profile_release(&p);
}

static void test_profile__malformed_lines_name_file_and_line(void **state)
{
	(void)state;
	expect_error("bad_number.dat", "3: MEM: '2.0x' is not a number");
	expect_error("blank_line.dat", "3: empty line");
	expect_error("bad_func.dat",
		     "3: FUNC: expected 5 fields (name, memory, time, memory, time), found 4");
	expect_error("bad_gc.dat", "3: GC: expected 9 fields (generation, memory, time, memory, "
				   "time, collected, uncollectable, candidates, pid), found 8");
	expect_error("binary.dat", "1: not a text line (NUL byte)");

	mp_profile p;
	const char *cases[][2] = {
		{"MEM nan 1\n", "x:1: MEM: 'nan' is not a number"},
		{"MEM 1 inf\n", "x:1: MEM: 'inf' is not a number"},
		{"MEM 0x10 1\n", "x:1: MEM: '0x10' is not a number"},
		{"MEM 1e400 1\n", "x:1: MEM: '1e400' is not a number"},
		{"MEM 1e 1\n", "x:1: MEM: '1e' is not a number"},
		{"FUNC f 1 2 3 4 -1\n", "x:1: FUNC: '-1' is not an integer from 0 to 1000000"},
		{"CHLD abc 1 2\n", "x:1: CHLD: 'abc' is not an integer from 0 to 2147483647"},
		{"META interval=fast\n", "x:1: META: bad interval 'fast'"},
		{"EXIT\n", "x:1: EXIT: expected 2 fields (status, time), found 0"},
		{"MARK m 1 2\n", "x:1: MARK: expected 4 fields (name, memory, time, pid), found 3"},
		{"MEM 1 2\nPEAK 1\n", "x:2: PEAK: expected 2 fields (memory, time), found 1"},
		{"MEM \x01\xff 1\n", "x:1: MEM: '?" "?' is not a number"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = test_parse(&p, cases[i][0], strlen(cases[i][0]), "x", err, sizeof err);
		assert_int_equal(rc, MP_EMALFORMED);
		assert_string_equal(err, cases[i][1]);
		mp_profile_release(&p);
	}
}

static void test_profile__missing_file_and_directory(void **state)
{
	(void)state;
	mp_profile p;
	assert_int_equal(test_read(&p, "/nonexistent/x.dat", err, sizeof err), -ENOENT);
	assert_string_equal(err, "cannot open '/nonexistent/x.dat': No such file or directory");
	assert_int_equal(test_read(&p, FIXTURES, err, sizeof err), -EISDIR);
	assert_true(strstr(err, "Is a directory") != NULL);
	/* The reader reports the line and what, never a sentence of its own. */
	mp_dat_error e;
	assert_int_equal(mp_profile_parse(&p, "MEM 1 2\nMEM x 1\n", 16, &e), MP_EMALFORMED);
	assert_int_equal(e.line, 2);
	assert_string_equal(e.what, "MEM: 'x' is not a number");
	assert_int_equal(mp_profile_read(&p, "/nonexistent/x.dat", &e), -ENOENT);
	assert_int_equal(e.line, 0);
	assert_true(e.opening);
	assert_string_equal(e.what, "");
}

static void test_profile__numbers_are_read_exactly(void **state)
{
	(void)state;
	/* The fast path must give strtod's correctly rounded value. */
	char line[128];
	mp_profile p;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		char num[64];
		int kind = i % 4;
		long long a = ((long long)rand() << 16 | rand()) % 10000000000LL;
		int b = rand() % 1000000;
		if (kind == 0)
			snprintf(num, sizeof num, "%lld.%06d", a, b);
		else if (kind == 1)
			snprintf(num, sizeof num, "%lld.%04d", a % 100000, b % 10000);
		else if (kind == 2)
			snprintf(num, sizeof num, "0.%018lld%d", a, b);
		else
			snprintf(num, sizeof num, "%.17g", (double)a * 1e-7 * (rand() % 3 ? 1 : 1e-30));
		snprintf(line, sizeof line, "MEM %s 1\n", num);
		assert_int_equal(test_parse(&p, line, strlen(line), "n", err, sizeof err), 0);
		double want = strtod(num, NULL);
		if (p.mem[0].mem != want)
			fail_msg("%s: read %.17g, strtod %.17g", num, p.mem[0].mem, want);
		mp_profile_release(&p);
	}
	const char *ok[][2] = {{"-0.5", "-0.5"}, {".5", "0.5"}, {"5.", "5"}, {"+2", "2"},
			       {"1e3", "1000"}, {"2.5E-1", "0.25"}, {"007", "7"}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(line, sizeof line, "MEM %s 1", ok[i][0]);
		assert_int_equal(test_parse(&p, line, strlen(line), "n", err, sizeof err), 0);
		assert_true(p.mem[0].mem == strtod(ok[i][1], NULL));
		mp_profile_release(&p);
	}
}

static void test_profile__names_roundtrip_through_the_writer(void **state)
{
	(void)state;
	const char *names[] = {"a b", "100%", "tab\there", "nl\nx", "\x7f", "plain.name", "%4"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char enc[64], dec[64];
		size_t n = mp_dat_encode_name(names[i], strlen(names[i]), enc, sizeof enc);
		assert_null(strchr(enc, ' '));
		assert_int_equal(mp_dat_decode_name(enc, n, dec, sizeof dec), strlen(names[i]));
		assert_string_equal(dec, names[i]);
	}
	char out[8];
	/* A bad escape stays as it is; the output is cut to its capacity. */
	assert_int_equal(mp_dat_decode_name("%zz%4", 5, out, sizeof out), 5);
	assert_string_equal(out, "%zz%4");
	assert_int_equal(mp_dat_decode_name("abcdefghij", 10, out, sizeof out), 7);
}

static void test_profile__long_lines_and_chunk_boundaries(void **state)
{
	(void)state;
	char path[] = "/tmp/test_profile.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	/* A CMDLINE longer than the read buffer, then enough samples to cross many chunks. */
	fputs("CMDLINE ", f);
	for (int i = 0; i < 700000; i++)
		fputc('a' + i % 26, f);
	fputc('\n', f);
	for (int i = 0; i < 60000; i++)
		fprintf(f, "MEM %d.%06d %d.%06d\n", i % 1000, i % 999999, 1000 + i / 10, i % 999999);
	fputs("FUNC long%20name 1 1000 2 1001 0", f); /* no final newline */
	fclose(f);
	mp_profile p;
	int rc = test_read(&p, path, err, sizeof err);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_int_equal(strlen(p.cmdline), 700000);
	assert_int_equal(p.nmem, 60000);
	assert_int_equal(p.lines, 60002);
	assert_true(p.mem[59999].mem == 999 + (59999 % 999999) / 1e6);
	assert_string_equal(p.fnames[0], "long name");
	mp_profile_release(&p);
}

static void test_profile__memory_and_file_read_agree(void **state)
{
	(void)state;
	const char *files[] = {"mp_python.dat", "mp_python_fast.dat", "mp_children.dat",
			       "ours_full.dat", "legacy5.dat", "unsorted.dat", "gclab_python.dat"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", FIXTURES, files[i]);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		static char buf[1 << 20];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		mp_profile a, b;
		assert_int_equal(test_read(&a, path, err, sizeof err), 0);
		assert_int_equal(test_parse(&b, buf, n, path, err, sizeof err), 0);
		assert_int_equal(a.nmem, b.nmem);
		assert_int_equal(a.ncalls, b.ncalls);
		assert_int_equal(a.nchildren, b.nchildren);
		assert_int_equal(a.lines, b.lines);
		assert_memory_equal(a.mem, b.mem, a.nmem * sizeof *a.mem);
		assert_sorted(&a);
		mp_profile_release(&a);
		mp_profile_release(&b);
	}
}

/* Every allocation of a read fails in turn: each time the read says "out of memory", leaves
 * the profile empty and leaks nothing (ASan checks); past the last one it succeeds. */
static void test_profile__out_of_memory_at_every_allocation(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/ours_full.dat", FIXTURES);
	const char *text = "CMDLINE x\nMEM 1 1\nCHLD 5 1 1\nCHLD 6 1 1\nFUNC f 1 1 1 2 0\n"
			   "FUNC g 1 1 1 2 1 7\nMARK m 1 1 1\nGC 0 1 1 1 1 1 0 -1 1\nMEM 2 0.5\n";
	for (int mode = 0; mode < 2; mode++) {
		long n;
		for (n = 1; n < 1000; n++) {
			mp_profile p;
			fail_at = n;
			alloc_calls = 0;
			int rc = mode ? test_read(&p, path, err, sizeof err)
				      : test_parse(&p, text, strlen(text), "t.dat", err, sizeof err);
			fail_at = 0;
			if (rc == 0) {
				assert_true(p.nmem >= 2);
				mp_profile_release(&p);
				break;
			}
			assert_int_equal(rc, -ENOMEM);
			assert_non_null(strstr(err, "out of memory"));
			assert_null(p.mem);
			assert_null(p.cmdline);
			assert_int_equal(p.nchildren, 0);
		}
		assert_true(n > 5 && n < 1000); /* it did fail, and then got through */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile__reads_memory_profiler_python_mode),
		cmocka_unit_test(test_profile__funcs_among_mem_lines),
		cmocka_unit_test(test_profile__children_by_pid_in_order_of_appearance),
		cmocka_unit_test(test_profile__reads_every_line_type_of_ours),
		cmocka_unit_test(test_profile__peak_func_counts_samples_inside_calls),
		cmocka_unit_test(test_profile__legacy_crlf_and_no_final_newline),
		cmocka_unit_test(test_profile__a_torn_last_line_is_ignored_not_fatal),
		cmocka_unit_test(test_profile__an_endless_line_is_refused_at_the_limit),
		cmocka_unit_test(test_profile__any_order_last_cmdline_wins),
		cmocka_unit_test(test_profile__empty_and_no_mem),
		cmocka_unit_test(test_profile__malformed_lines_name_file_and_line),
		cmocka_unit_test(test_profile__missing_file_and_directory),
		cmocka_unit_test(test_profile__numbers_are_read_exactly),
		cmocka_unit_test(test_profile__names_roundtrip_through_the_writer),
		cmocka_unit_test(test_profile__long_lines_and_chunk_boundaries),
		cmocka_unit_test(test_profile__memory_and_file_read_agree),
		cmocka_unit_test(test_profile__out_of_memory_at_every_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
