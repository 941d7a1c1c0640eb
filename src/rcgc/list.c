/* list.c - growable sequences of references.
 *
 * Invariants: items[0..size) are non-NULL references (items = rc__list_items(l)); a list of
 * capacity 0 or 1 keeps its one slot inline, so an empty or one-item list is a single 48-byte
 * block with the collector's header; from capacity 4 on the items live in a buffer of cap slots.
 */
#include "internal.h"

static void list_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	rc__list *l = (rc__list *)self;
	rc_object **items = rc__list_items(l);
	for (size_t i = l->size; i-- > 0;) /* last to first, as CPython's list_traverse */
		visit(items[i], arg);
}

/* Drops the items of a list with a buffer; the list is already empty when the first is
 * released, since releasing may run code that looks at the list. */
__attribute__((noinline)) static void clear_buffer(rc_runtime *rt, rc__list *l)
{
	size_t n = l->size, cap = l->cap;
	rc_object **items = l->u.items;
	l->u.items = NULL;
	l->size = l->cap = 0;
	for (size_t i = n; i-- > 0;)
		rc_decref(rt, items[i]);
	rc__mem_free(rt, items, cap * sizeof *items);
}

/* Drops every item; the list stays valid and empty. Items are detached before any is
 * released, as above. The inline slot's case is kept apart from the buffer's, so that the
 * death of an empty or one-item list (the common one) saves no registers. */
static void list_clear(rc_runtime *rt, rc_object *self)
{
	rc__list *l = (rc__list *)self;
	if (l->cap > 1) {
		clear_buffer(rt, l);
		return;
	}
	rc_object *v = l->u.one;
	size_t n = l->size;
	l->u.one = NULL;
	l->size = l->cap = 0;
	if (n)
		rc_decref(rt, v);
}

const rc_type rc_list_type = {
	.name = "list",
	.size = sizeof(rc__list),
	.flags = RC_TYPE_GC,
	.traverse = list_traverse,
	.clear = list_clear,
	.dealloc = list_clear,
};

/* A new list comes from the free list when it holds one (CPython's PyList_New): the block is
 * reused as it is, without a call to the allocator, and counts toward generation 0 and is
 * tracked like any new container. */
rc_object *rc_list_new(rc_runtime *rt)
{
	gchead *g = rt->list_free;
	if (!g)
		return rc_new(rt, &rc_list_type, 0);
	rt->list_free = g->next;
	rt->list_nfree--;
	g->next = NULL;
	rc__list *l = (rc__list *)FROM_GC(g);
	*l = (rc__list){.ob = {.refcnt = 1, .gen = RC__GEN_NONE, .type = &rc_list_type}};
	rc__gc_on_alloc(rt); /* may collect: l is not tracked yet, so it is safe */
	rc__track(rt, &l->ob);
	return &l->ob;
}

void rc__list_free_release(rc_runtime *rt)
{
	while (rt->list_free) {
		gchead *g = rt->list_free;
		rt->list_free = g->next;
		rc__mem_free(rt, g, sizeof(gchead) + sizeof(rc__list));
	}
	rt->list_nfree = 0;
}

size_t rc_list_size(const rc_object *o)
{
	return o && o->type == &rc_list_type ? ((const rc__list *)o)->size : 0;
}

/* A full list of capacity 1 or more gets a bigger buffer (capacity 0 to 1 is the append's). */
static int list_grow(rc_runtime *rt, rc__list *l)
{
	size_t cap = l->cap;
	/* CPython's over-allocation, rounded to 4: 4, 12, 20, 28, 40, ... */
	size_t ncap = cap < 4 ? 4 : cap + (cap >> 3) + 6;
	ncap = (ncap + 3) & ~(size_t)3;
	if (ncap > UINT32_MAX)
		return RC_ENOMEM;
	rc_object **items;
	if (cap == 1) {
		items = rc__mem_alloc(rt, ncap * sizeof *items);
		if (!items)
			return RC_ENOMEM;
		items[0] = l->u.one;
	} else {
		items = rc__mem_realloc(rt, l->u.items, cap * sizeof *items, ncap * sizeof *items);
		if (!items)
			return RC_ENOMEM;
	}
	l->u.items = items;
	l->cap = (uint32_t)ncap;
	return RC_OK;
}

int rc_list_append_steal(rc_runtime *rt, rc_object *o, rc_object *v)
{
	if (!o || o->type != &rc_list_type || !v) {
		rc_xdecref(rt, v);
		return !v ? RC_EINVAL : RC_ETYPE;
	}
	rc__list *l = (rc__list *)o;
	if (l->cap == 0) { /* the inline slot, the first append's (list_grow's first step) */
		l->cap = 1;
	} else if (l->size == l->cap) {
		int err = list_grow(rt, l);
		if (err) {
			rc_decref(rt, v);
			return err;
		}
	}
	rc__list_items(l)[l->size++] = v;
	return RC_OK;
}

int rc_list_append(rc_runtime *rt, rc_object *o, rc_object *v)
{
	if (!v)
		return RC_EINVAL;
	return rc_list_append_steal(rt, o, rc_incref(v));
}

rc_object *rc_list_get(const rc_object *o, size_t i)
{
	if (!o || o->type != &rc_list_type)
		return NULL;
	rc__list *l = (rc__list *)o;
	return i < l->size ? rc__list_items(l)[i] : NULL;
}

int rc_list_set(rc_runtime *rt, rc_object *o, size_t i, rc_object *v)
{
	if (!o || o->type != &rc_list_type)
		return RC_ETYPE;
	if (!v)
		return RC_EINVAL;
	rc__list *l = (rc__list *)o;
	if (i >= l->size)
		return RC_EINDEX;
	rc_setref(rt, &rc__list_items(l)[i], v);
	return RC_OK;
}

int rc_list_pop(rc_runtime *rt, rc_object *o, size_t i, rc_object **out)
{
	if (!o || o->type != &rc_list_type)
		return RC_ETYPE;
	rc__list *l = (rc__list *)o;
	if (i >= l->size)
		return RC_EINDEX;
	rc_object **items = rc__list_items(l);
	rc_object *v = items[i];
	memmove(&items[i], &items[i + 1], (l->size - i - 1) * sizeof *items);
	l->size--;
	if (out)
		*out = v;
	else
		rc_decref(rt, v);
	return RC_OK;
}

int rc_list_clear(rc_runtime *rt, rc_object *o)
{
	if (!o || o->type != &rc_list_type)
		return RC_ETYPE;
	list_clear(rt, o);
	return RC_OK;
}
