/* test_rcgc_mem.c - the built-in allocator (pool.c): size classes, arenas given back, big
 * blocks straight to the system; counting (mem.c); the pool as a plain rc_alloc_fn. */
#include <unistd.h>

#include "test_rcgc_util.h"

#include "rcgc/internal.h" /* rc__pool_allocator */

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void test_mem__small_blocks_of_every_size_class(void **state)
{
	(void)state;
	rc_runtime *rt = rc_runtime_new(NULL);
	assert_non_null(rt);
	rc_mem_stats ms0, ms;
	rc_mem_get_stats(rt, &ms0);
	enum { N = 600 };
	unsigned char *p[N];
	for (int i = 0; i < N; i++) {
		size_t n = (size_t)i + 1;
		p[i] = rc_alloc(rt, n);
		assert_non_null(p[i]);
		if (n % 16 == 0)
			assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], i & 0xff, n);
	}
	for (int i = 0; i < N; i++) /* no block overlaps another */
		for (size_t j = 0; j < (size_t)i + 1; j++)
			assert_int_equal(p[i][j], i & 0xff);
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.live_bytes - ms0.live_bytes, (size_t)N * (N + 1) / 2);
	assert_int_equal(ms.allocs - ms0.allocs, N);
	for (int i = 0; i < N; i++)
		rc_free(rt, p[i], (size_t)i + 1);
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.live_bytes, ms0.live_bytes);
	assert_int_equal(ms.frees - ms0.frees, N);
	assert_true(ms.peak_bytes >= ms0.live_bytes + (size_t)N * (N + 1) / 2);
	rc_runtime_free(rt);
}

static void test_mem__realloc_keeps_contents_across_classes(void **state)
{
	(void)state;
	rc_runtime *rt = rc_runtime_new(NULL);
	size_t sizes[] = {8, 24, 100, 512, 513, 5000, 300000, 40, 1};
	unsigned char *p = rc_alloc(rt, 1);
	p[0] = 7;
	size_t cur = 1;
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		p = rc_realloc(rt, p, cur, n);
		assert_non_null(p);
		assert_int_equal(p[0], 7);
		memset(p + 1, 3, n - 1);
		if (n > 1)
			assert_int_equal(p[n - 1], 3);
		cur = n;
	}
	rc_free(rt, p, cur);
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.large_bytes, 0);
	rc_runtime_free(rt);
}

static void test_mem__empty_arenas_go_back_to_the_system(void **state)
{
	(void)state;
	rc_runtime *rt = rc_runtime_new(NULL);
	rc_gc_disable(rt);
	rc_mem_stats ms0, ms1, ms2;
	rc_mem_get_stats(rt, &ms0);
	rc_object *keep = rc_list_new(rt);
	for (int i = 0; i < 200000; i++)
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_mem_get_stats(rt, &ms1);
	assert_true(ms1.arenas >= 8); /* 200000 * 48 bytes */
	rc_decref(rt, keep);
	rc_gc_collect(rt, 2); /* gives back the list free list's 80 blocks (CPython's) */
	rc_mem_get_stats(rt, &ms2);
	assert_true(ms2.arenas <= ms0.arenas + 1); /* at most one spare kept */
	assert_int_equal(ms2.live_bytes, ms0.live_bytes);
	rc_runtime_free(rt);
}

static void test_mem__empty_pool_kept_aside_is_reused_by_any_class(void **state)
{
	(void)state;
	rc_runtime *rt = rc_runtime_new(NULL);
	rc_mem_stats ms0, ms;
	void *keep = rc_alloc(rt, 100); /* the arena stays in use: its emptied pools are cached */
	rc_mem_get_stats(rt, &ms0);
	for (int i = 0; i < 10000; i++) { /* one pool, emptied and reused each time */
		unsigned char *b = rc_alloc(rt, 16);
		assert_non_null(b);
		memset(b, 0xab, 16);
		rc_free(rt, b, 16);
	}
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.arenas, ms0.arenas);
	/* the cached pool (16-byte class) now serves another class: blocks must not overlap */
	enum { N = 200 };
	unsigned char *big[N];
	for (int i = 0; i < N; i++) {
		big[i] = rc_alloc(rt, 512);
		assert_non_null(big[i]);
		memset(big[i], i & 0xff, 512);
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < 512; j++)
			assert_int_equal(big[i][j], i & 0xff);
	for (int i = 0; i < N; i++)
		rc_free(rt, big[i], 512);
	rc_free(rt, keep, 100);
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.live_bytes, ms0.live_bytes - 100);
	assert_true(ms.arenas <= 1); /* the last pools in use went back: at most the spare */
	rc_runtime_free(rt);
}

static void test_mem__big_array_leaves_the_process_when_freed(void **state)
{
	(void)state;
	rc_runtime *rt = rc_runtime_new(NULL);
	size_t n = (size_t)8 << 20; /* 64 MiB of int64 */
	long r0 = rss_bytes();
	rc_object *a = rc_array_random_int(rt, n, 0, 1000, 1);
	assert_non_null(a);
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	assert_true(ms.large_bytes >= n * 8);
	long r1 = rss_bytes();
	assert_true(r1 - r0 > (long)(n * 8) * 9 / 10);
	rc_decref(rt, a);
	long r2 = rss_bytes();
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.large_bytes, 0);
	assert_true(r1 - r2 > (long)(n * 8) * 9 / 10);
	rc_runtime_free(rt);
}

static void test_mem__custom_allocator_sees_every_block(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.live_bytes, t.live_bytes);
	assert_int_equal(ms.arenas, 0);
	rc_object *l = rc_list_new(rt);
	rc_list_append_steal(rt, l, rc_str_from(rt, "hello"));
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.live_bytes, t.live_bytes);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

/* The default allocator is an rc_alloc_fn like any other: given explicitly, with a pool state
 * as its user data, it serves the runtime the same way (arenas reported, blocks reused), and
 * the runtime leaves the pool state to whoever made it. */
static void test_mem__pool_is_an_ordinary_allocator_function(void **state)
{
	(void)state;
	rc__pool_state *ps = rc__pool_new();
	assert_non_null(ps);
	rc_runtime_config cfg = {.alloc = rc__pool_allocator, .alloc_ud = ps};
	rc_runtime *rt = rc_runtime_new(&cfg);
	assert_non_null(rt);
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.arenas, 1); /* the runtime's own block lives in the pool */
	rc_object *l = rc_list_new(rt);
	void *big = rc_alloc(rt, RC__POOL_LARGE_MIN);
	assert_non_null(l);
	assert_non_null(big);
	rc_mem_get_stats(rt, &ms);
	assert_int_equal(ms.large_bytes, RC__POOL_LARGE_MIN);
	rc_free(rt, big, RC__POOL_LARGE_MIN);
	rc_decref(rt, l);
	void *a = rc_alloc(rt, 40), *b;
	rc_free(rt, a, 40);
	b = rc_alloc(rt, 40);
	assert_ptr_equal(a, b); /* the block just freed is the next one handed out */
	rc_free(rt, b, 40);
	rc_runtime_free(rt);
	/* still usable: the runtime did not free a pool state it was given */
	void *c = rc__pool_allocator(ps, NULL, 0, 100);
	assert_non_null(c);
	assert_null(rc__pool_allocator(ps, c, 100, 0));
	assert_null(rc__pool_allocator(ps, NULL, 0, 0)); /* freeing NULL does nothing */
	rc__pool_free(ps);
}

int main(void)
{
	/* these tests are about the built-in pools, which RCGC_MALLOC=malloc would replace */
	unsetenv("RCGC_MALLOC");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem__small_blocks_of_every_size_class),
		cmocka_unit_test(test_mem__realloc_keeps_contents_across_classes),
		cmocka_unit_test(test_mem__empty_arenas_go_back_to_the_system),
		cmocka_unit_test(test_mem__empty_pool_kept_aside_is_reused_by_any_class),
		cmocka_unit_test(test_mem__big_array_leaves_the_process_when_freed),
		cmocka_unit_test(test_mem__custom_allocator_sees_every_block),
		cmocka_unit_test(test_mem__pool_is_an_ordinary_allocator_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
