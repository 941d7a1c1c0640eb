/* test_ring.c - mprof's end of the trace ring (ring.h): what a writer publishes arrives in
 * order, across the circle's end and a wrapped head; a drain keeps to its budget; whatever a
 * broken writer leaves (a head behind, a head too far, a line without its newline) is counted,
 * never read past, and reading resumes. The E event (integer ns) parses as F. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"

#define SIZE ((size_t)MPROF_TRACE_RING_SLOTS * MPROF_TRACE_RING_SLOT_SIZE)

struct got {
	int n;
	char last[64];
	long long rss1;
	struct timespec t1;
};

static void on_event(const mp_event *ev, void *ctx)
{
	struct got *g = ctx;
	g->n++;
	size_t k = ev->name_len < sizeof g->last - 1 ? ev->name_len : sizeof g->last - 1;
	memcpy(g->last, ev->name, k);
	g->last[k] = 0;
	g->rss1 = ev->rss1;
	g->t1 = ev->t1;
}

static unsigned char *slot(unsigned char *m, int i)
{
	return m + (size_t)i * MPROF_TRACE_RING_SLOT_SIZE;
}

static unsigned long long *head_of(unsigned char *s)
{
	return (unsigned long long *)(s + MPROF_TRACE_RING_HEAD);
}

/* Writes as an emitter does: the bytes at head % CAP, then the head. */
static void put(unsigned char *s, const char *line)
{
	unsigned long long h = *head_of(s);
	size_t n = strlen(line);
	for (size_t k = 0; k < n; k++)
		s[MPROF_TRACE_RING_DATA + ((h + k) & (MPROF_TRACE_RING_CAP - 1))] =
			(unsigned char)line[k];
	*head_of(s) = h + n;
}

static unsigned char *new_ring(mp_ring *r)
{
	unsigned char *m =
		mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	mp_ring_init_over(r, m);
	return m;
}

static void test_ring__delivers_lines_of_every_slot(void **state)
{
	(void)state;
	mp_ring r;
	unsigned char *m = new_ring(&r);
	struct got g = {0};
	put(slot(m, 0), "F 1 0 1.0 4096 2.0 8192 a\n");
	put(slot(m, 15), "E 2 1 1500000000 4096 2500000001 12288 b c\n");
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.last, "b c");
	assert_int_equal(g.rss1, 12288);
	assert_int_equal(g.t1.tv_sec, 2);
	assert_int_equal(g.t1.tv_nsec, 500000001);
	assert_int_equal(r.events, 2);
	assert_int_equal(r.bad, 0);
	/* What was read is told to the writer, and not read twice. */
	assert_int_equal(*(unsigned long long *)(slot(m, 15) + MPROF_TRACE_RING_TAIL),
			 *head_of(slot(m, 15)));
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 2);
	munmap(m, SIZE);
}

static void test_ring__reads_across_the_end_and_a_wrapped_head(void **state)
{
	(void)state;
	mp_ring r;
	unsigned char *m = new_ring(&r);
	struct got g = {0};
	unsigned char *s = slot(m, 3);
	/* A head 10 bytes short of 2^64: the line crosses both the circle's end and the wrap. */
	unsigned long long start = ~0ULL - 9;
	*head_of(s) = start;
	r.tail[3] = start;
	put(s, "F 9 0 1.0 1 2.0 2 across the end\n");
	put(s, "F 9 0 1.0 1 2.0 3 next\n");
	assert_true(*head_of(s) < 100); /* it wrapped */
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.last, "next");
	assert_int_equal(r.bad, 0);
	munmap(m, SIZE);
}

static void test_ring__drain_keeps_to_its_budget_and_resumes(void **state)
{
	(void)state;
	mp_ring r;
	unsigned char *m = new_ring(&r);
	struct got g = {0};
	const char *line = "F 1 0 1.0 4096 2.0 8192 abcdefghij\n";
	for (int i = 0; i < 1000; i++)
		put(slot(m, 1), line);
	/* Whole lines only, as many as fit. */
	assert_int_equal(mp_ring_drain(&r, 3600, on_event, &g), 1);
	assert_int_equal(g.n, (int)(3600 / strlen(line)));
	while (mp_ring_drain(&r, 3600, on_event, &g) == 1)
		;
	assert_int_equal(g.n, 1000);
	assert_int_equal(r.bad, 0);
	munmap(m, SIZE);
}

static void test_ring__survives_broken_writers(void **state)
{
	(void)state;
	mp_ring r;
	unsigned char *m = new_ring(&r);
	struct got g = {0};
	/* A head behind mprof's tail, one too far ahead, a line without its newline. */
	*head_of(slot(m, 0)) = ~0ULL;
	*head_of(slot(m, 1)) = MPROF_TRACE_RING_CAP + 1;
	put(slot(m, 2), "F 1 0 1.0 1 2.0 2 whole\nF 1 0 1.0 1 2.0 2 cut");
	put(slot(m, 4), "E 1 0 -5 1 2 2 negative time\nnonsense\n");
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.last, "whole");
	assert_int_equal(r.bad, 5);
	/* Reading resumes from where each broken head was. */
	put(slot(m, 0), "F 1 0 1.0 1 2.0 2 again\n");
	put(slot(m, 1), "F 1 0 1.0 1 2.0 2 again too\n");
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(r.bad, 5);
	munmap(m, SIZE);
}

static void test_ring__open_makes_a_sealed_memfd(void **state)
{
	(void)state;
	mp_ring r;
	assert_int_equal(mp_ring_open(&r), 0);
	assert_true(r.fd >= 0);
	/* The program cannot shrink it under mprof's mapping. */
	assert_true(ftruncate(r.fd, 4096) < 0);
	struct got g = {0};
	put(slot(r.map, 7), "M 5 1.0 4096 mark\n");
	assert_int_equal(mp_ring_drain(&r, 1 << 20, on_event, &g), 0);
	assert_int_equal(g.n, 1);
	mp_ring_close(&r);
	assert_int_equal(r.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring__delivers_lines_of_every_slot),
		cmocka_unit_test(test_ring__reads_across_the_end_and_a_wrapped_head),
		cmocka_unit_test(test_ring__drain_keeps_to_its_budget_and_resumes),
		cmocka_unit_test(test_ring__survives_broken_writers),
		cmocka_unit_test(test_ring__open_makes_a_sealed_memfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
