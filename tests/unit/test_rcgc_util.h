/* test_rcgc_util.h - what the rcgc tests share: a counting allocator that can fail on
 * demand, and a user-defined container type ("node") with hooks that log what happens.
 * Header-only (static functions): each test file is its own program.
 */
#ifndef TEST_RCGC_UTIL_H
#define TEST_RCGC_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rcgc.h"

/* Counts every block; with fail_at > 0 the fail_at-th allocation (1-based) returns NULL,
 * and every later one too when fail_after is set. */
typedef struct talloc {
	long live_blocks;
	size_t live_bytes;
	size_t peak_bytes;
	long calls;
	long fail_at;
	int fail_after;
	long failures;
} talloc;

static void *talloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
	talloc *t = ud;
	if (nsize == 0) {
		if (ptr) {
			t->live_blocks--;
			t->live_bytes -= osize;
			free(ptr);
		}
		return NULL;
	}
	t->calls++;
	if (t->fail_at > 0 && (t->calls == t->fail_at || (t->fail_after && t->calls > t->fail_at))) {
		t->failures++;
		return NULL;
	}
	void *r = realloc(ptr, nsize);
	if (!r)
		return NULL;
	if (!ptr)
		t->live_blocks++;
	t->live_bytes += nsize - osize;
	if (t->live_bytes > t->peak_bytes)
		t->peak_bytes = t->live_bytes;
	return r;
}

static inline rc_runtime *new_rt(talloc *t)
{
	memset(t, 0, sizeof *t);
	rc_runtime_config cfg = {.alloc = talloc_fn, .alloc_ud = t};
	rc_runtime *rt = rc_runtime_new(&cfg);
	assert_non_null(rt);
	return rt;
}

/* Frees the runtime and checks that nothing leaked, by the allocator's own count. */
static inline void free_rt(rc_runtime *rt, talloc *t)
{
	rc_runtime_free(rt);
	assert_int_equal(t->live_blocks, 0);
	assert_int_equal(t->live_bytes, 0);
}

/* ---- a user type: a node with two references, an id, and a log of hook calls ---- */

typedef struct tlog {
	char ev[64][24];
	int n;
	rc_object *keep; /* a finalizer that resurrects stores itself here */
} tlog;

static inline void tlog_add(tlog *l, const char *fmt, ...)
{
	if (!l || l->n >= 64)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->ev[l->n++], sizeof l->ev[0], fmt, ap);
	va_end(ap);
}

typedef struct node {
	rc_object ob;
	rc_object *a, *b;
	int id;
	int resurrect;      /* finalize stores a reference to itself in log->keep */
	int seen_peer_id;   /* finalize records a->id here (-1 when a is gone) */
	tlog *log;
} node;

static inline void node_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	node *n = (node *)self;
	visit(n->a, arg);
	visit(n->b, arg);
}

static inline void node_clear(rc_runtime *rt, rc_object *self)
{
	node *n = (node *)self;
	rc_object *a = n->a, *b = n->b;
	n->a = n->b = NULL;
	rc_xdecref(rt, a);
	rc_xdecref(rt, b);
}

static inline void node_dealloc(rc_runtime *rt, rc_object *self)
{
	node *n = (node *)self;
	tlog_add(n->log, "free %d", n->id);
	node_clear(rt, self);
}

static const rc_type node_type = {
	.name = "node",
	.size = sizeof(node),
	.flags = RC_TYPE_GC,
	.traverse = node_traverse,
	.clear = node_clear,
	.dealloc = node_dealloc,
};

static inline int node_id(const rc_object *o) { return o ? ((const node *)o)->id : -1; }

static inline void node_finalize(rc_runtime *rt, rc_object *self)
{
	node *n = (node *)self;
	tlog_add(n->log, "fin %d", n->id);
	n->seen_peer_id = n->a && n->a->type->traverse == node_traverse ? node_id(n->a) : -1;
	if (n->resurrect && n->log && !n->log->keep)
		n->log->keep = rc_incref(self);
	(void)rt;
}

static const rc_type fnode_type = {
	.name = "fnode",
	.size = sizeof(node),
	.flags = RC_TYPE_GC,
	.traverse = node_traverse,
	.clear = node_clear,
	.finalize = node_finalize,
	.dealloc = node_dealloc,
};

static inline void node_legacy_del(rc_runtime *rt, rc_object *self)
{
	node *n = (node *)self;
	tlog_add(n->log, "del %d", n->id);
	(void)rt;
}

static const rc_type lnode_type = {
	.name = "lnode",
	.size = sizeof(node),
	.flags = RC_TYPE_GC,
	.traverse = node_traverse,
	.clear = node_clear,
	.legacy_del = node_legacy_del,
	.dealloc = node_dealloc,
};

static inline rc_object *node_new(rc_runtime *rt, const rc_type *type, int id, tlog *log)
{
	node *n = (node *)rc_new(rt, type, 0);
	assert_non_null(n);
	n->id = id;
	n->log = log;
	return &n->ob;
}

static inline void node_set_a(rc_runtime *rt, rc_object *self, rc_object *v)
{
	rc_setref(rt, &((node *)self)->a, v);
}
static inline void node_set_b(rc_runtime *rt, rc_object *self, rc_object *v)
{
	rc_setref(rt, &((node *)self)->b, v);
}

static inline int tlog_has(const tlog *l, const char *ev)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->ev[i], ev) == 0)
			return 1;
	return 0;
}

static inline int tlog_index(const tlog *l, const char *ev)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->ev[i], ev) == 0)
			return i;
	return -1;
}

#endif
