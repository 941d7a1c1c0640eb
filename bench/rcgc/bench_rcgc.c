/* bench_rcgc.c - the collector's costs on the graph shapes of reference/cpython-gc.md §4.
 *
 * Usage: bench_rcgc CASE N. Prints "CASE N FIGURE UNIT [FIGURE2]" lines that bench/rcgc/run
 * sets beside CPython's and PHP's. Each case runs in a fresh process, like the reference's.
 * Objects are 1-slot lists, as in the CPython runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rcgc.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

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

static void die(const char *what)
{
	fprintf(stderr, "bench_rcgc: %s\n", what);
	exit(1);
}

static rc_object *list1(rc_runtime *rt)
{
	rc_object *l = rc_list_new(rt);
	if (!l)
		die("out of memory");
	return l;
}

static void add(rc_runtime *rt, rc_object *from, rc_object *to)
{
	if (rc_list_append(rt, from, to))
		die("out of memory");
}

/* n/2 2-cycles a=[]; b=[a]; a.append(b); returned in `hold` when given, else garbage. */
static void make_pairs(rc_runtime *rt, size_t n, rc_object *hold)
{
	for (size_t i = 0; i < n / 2; i++) {
		rc_object *a = list1(rt), *b = list1(rt);
		add(rt, b, a);
		add(rt, a, b);
		if (hold)
			add(rt, hold, a);
		rc_decref(rt, b);
		rc_decref(rt, a);
	}
}

/* A user-defined container type: garbage made of it takes the collector's general path
 * (traverse and clear through the type, dealloc at each death), as a Python class does. */
typedef struct unode {
	rc_object ob;
	rc_object *a, *b;
} unode;

static void unode_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	unode *u = (unode *)self;
	visit(u->a, arg);
	visit(u->b, arg);
}

static void unode_clear(rc_runtime *rt, rc_object *self)
{
	unode *u = (unode *)self;
	rc_setref(rt, &u->a, NULL);
	rc_setref(rt, &u->b, NULL);
}

static const rc_type unode_type = {
	.name = "unode", .size = sizeof(unode), .flags = RC_TYPE_GC, .traverse = unode_traverse,
	.clear = unode_clear, .dealloc = unode_clear,
};

/* A compiler barrier: the loop it sits in is not optimized away. */
#define KEEP(x) __asm__ volatile("" : : "r"(x) : "memory")

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double time_full_collect(rc_runtime *rt, long expect)
{
	double t0 = now_ns();
	long got = rc_gc_collect(rt, 2);
	double dt = now_ns() - t0;
	if (expect >= 0 && got != expect) {
		fprintf(stderr, "bench_rcgc: collected %ld, expected %ld\n", got, expect);
		exit(1);
	}
	return dt;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: bench_rcgc CASE N");
	const char *c = argv[1];
	size_t n = strtoul(argv[2], NULL, 10);
	rc_runtime *rt = rc_runtime_new(NULL);
	if (!rt)
		die("out of memory");
	rc_gc_disable(rt);

	if (!strcmp(c, "pairs")) {
		make_pairs(rt, n, NULL);
		printf("pairs %zu %.1f ns/obj\n", n, time_full_collect(rt, (long)n) / (double)n);
	} else if (!strcmp(c, "ring100")) {
		for (size_t r = 0; r < n / 100; r++) {
			rc_object *first = list1(rt), *prev = first;
			for (int i = 1; i < 100; i++) {
				rc_object *l = list1(rt);
				add(rt, prev, l);
				rc_decref(rt, l);
				prev = l;
			}
			add(rt, prev, first);
			rc_decref(rt, first);
		}
		printf("ring100 %zu %.1f ns/obj\n", n, time_full_collect(rt, (long)n) / (double)n);
	} else if (!strcmp(c, "randpairs")) {
		rc_object **o = malloc(n * sizeof *o);
		size_t *perm = malloc(n * sizeof *perm);
		if (!o || !perm)
			die("out of memory");
		for (size_t i = 0; i < n; i++) {
			o[i] = list1(rt);
			perm[i] = i;
		}
		uint64_t s = 88172645463325252ULL;
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)(rng(&s) % (i + 1)), t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		for (size_t i = 0; i + 1 < n; i += 2) {
			add(rt, o[perm[i]], o[perm[i + 1]]);
			add(rt, o[perm[i + 1]], o[perm[i]]);
		}
		for (size_t i = 0; i < n; i++)
			rc_decref(rt, o[i]);
		free(o);
		free(perm);
		printf("randpairs %zu %.1f ns/obj\n", n, time_full_collect(rt, (long)n) / (double)n);
	} else if (!strcmp(c, "alive")) {
		rc_object *hold = list1(rt);
		make_pairs(rt, n, hold);
		double first = time_full_collect(rt, 0), second = time_full_collect(rt, 0);
		printf("alive %zu %.1f ns/obj %.1f\n", n, first / (double)n, second / (double)n);
		rc_decref(rt, hold);
	} else if (!strcmp(c, "young")) {
		rc_object *hold = list1(rt);
		for (size_t i = 0; i < n; i++)
			rc_list_append_steal(rt, hold, list1(rt));
		rc_gc_collect(rt, 2);
		rc_gc_collect(rt, 2);
		double best = 1e30;
		for (int k = 0; k < 9; k++) {
			rc_object *young = list1(rt); /* one young object, as CPython always has some */
			double t0 = now_ns();
			rc_gc_collect(rt, 0);
			double dt = now_ns() - t0;
			best = dt < best ? dt : best;
			rc_decref(rt, young);
		}
		printf("young %zu %.3f us\n", n, best / 1e3);
		rc_decref(rt, hold);
	} else if (!strcmp(c, "usergc")) {
		for (size_t i = 0; i < n / 2; i++) {
			unode *a = (unode *)rc_new(rt, &unode_type, 0);
			unode *b = (unode *)rc_new(rt, &unode_type, 0);
			if (!a || !b)
				die("out of memory");
			a->a = &b->ob; /* each holds the other: the creation's reference moves in */
			b->a = &a->ob;
		}
		printf("usergc %zu %.1f ns/obj\n", n, time_full_collect(rt, (long)n) / (double)n);
	} else if (!strcmp(c, "young2000")) {
		/* a young collection of 2000 new objects beside n old ones, per young object */
		rc_object *hold = list1(rt);
		for (size_t i = 0; i < n; i++)
			rc_list_append_steal(rt, hold, list1(rt));
		rc_gc_collect(rt, 2);
		rc_gc_collect(rt, 2);
		double best = 1e30;
		for (int k = 0; k < 9; k++) {
			rc_object *young = list1(rt);
			for (int i = 0; i < 1999; i++)
				rc_list_append_steal(rt, young, list1(rt));
			double t0 = now_ns();
			rc_gc_collect(rt, 0);
			double dt = now_ns() - t0;
			best = dt < best ? dt : best;
			rc_decref(rt, young);
		}
		printf("young2000 %zu %.2f ns/obj\n", n, best / 2000);
		rc_decref(rt, hold);
	} else if (!strcmp(c, "alloc1")) {
		/* allocate and free a one-item list, net of the loop, in the order of CPython's
		 * `x = [None]`: the new list is made while the previous one is still held, then the
		 * previous one is released. No other object is kept alive to help: both sides
		 * recycle the dead list through their list free list (CPython's holds up to 80,
		 * rcgc's too), and the allocator is reached only when that is empty, as in CPython.
		 * (Before rcgc had a free list, an extra live list kept its pool from emptying on
		 * every iteration; the free list made that moot, and dropping it leaves the two
		 * loops doing the same work.) */
		rc_object *none = rc_none(rt), *x = NULL;
		double t0 = now_ns();
		for (size_t i = 0; i < n; i++) {
			rc_object *l = rc_list_new(rt);
			rc_list_append(rt, l, none);
			rc_xdecref(rt, x);
			x = l;
		}
		double dt = now_ns() - t0;
		rc_xdecref(rt, x);
		t0 = now_ns();
		for (size_t i = 0; i < n; i++)
			KEEP(i);
		dt -= now_ns() - t0;
		printf("alloc1 %zu %.1f ns/obj\n", n, dt / (double)n);
	} else if (!strcmp(c, "autogc") || !strcmp(c, "autogc_off")) {
		int on = !strcmp(c, "autogc");
		if (on)
			rc_gc_enable(rt);
		rc_object *hold = list1(rt);
		double t0 = now_ns();
		make_pairs(rt, n, hold);
		double dt = now_ns() - t0;
		rc_gc_stats st[3];
		rc_gc_get_stats(rt, st);
		double in_gc = (st[0].duration + st[1].duration + st[2].duration) * 1e9;
		printf("%s %zu %.1f ns/obj %.1f %llu/%llu/%llu\n", c, n, in_gc / (double)n,
		       dt / (double)n, (unsigned long long)st[0].collections,
		       (unsigned long long)st[1].collections, (unsigned long long)st[2].collections);
		rc_gc_disable(rt);
		rc_decref(rt, hold);
	} else if (!strcmp(c, "acyclic")) {
		rc_object *hold = list1(rt);
		for (size_t i = 0; i < n; i++) {
			rc_object *l = list1(rt);
			add(rt, l, rc_none(rt));
			rc_list_append_steal(rt, hold, l);
		}
		double t0 = now_ns();
		rc_decref(rt, hold);
		printf("acyclic %zu %.1f ns/obj\n", n, (now_ns() - t0) / (double)n);
	} else if (!strcmp(c, "alloc")) {
		double t0 = now_ns();
		for (size_t i = 0; i < n; i++)
			rc_decref(rt, list1(rt));
		printf("alloc %zu %.1f ns/obj\n", n, (now_ns() - t0) / (double)n);
	} else if (!strcmp(c, "mem_empty") || !strcmp(c, "mem_one")) {
		int one = !strcmp(c, "mem_one");
		rc_object *hold = list1(rt);
		for (size_t i = 0; i < n; i++)
			add(rt, hold, rc_none(rt));
		rc_mem_stats m0, m1;
		rc_mem_get_stats(rt, &m0);
		long r0 = rss_bytes();
		for (size_t i = 0; i < n; i++) {
			rc_object *l = list1(rt);
			if (one)
				add(rt, l, rc_none(rt));
			rc_list_set(rt, hold, i, l);
			rc_decref(rt, l);
		}
		long r1 = rss_bytes();
		rc_mem_get_stats(rt, &m1);
		printf("%s %zu %.1f bytes %.1f\n", c, n, (double)(r1 - r0) / (double)n,
		       (double)(m1.live_bytes - m0.live_bytes) / (double)n);
		rc_decref(rt, hold);
	} else {
		die("unknown case");
	}
	rc_runtime_free(rt);
	return 0;
}
