/* tuple.c - fixed-size sequences. Items are stored inline; a NULL item reads as None.
 *
 * Invariants: tracked from creation (the empty tuple too, unlike CPython's shared one, since
 * a runtime has no shared empty tuple); the collector untracks a tuple once every item is
 * untracked (rc__tuple_may_untrack), as CPython's untrack_tuples does: in one collection, a
 * tuple of tuples too, once the inner ones are untracked.
 */
#include "internal.h"

static void tuple_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	rc__tuple *t = (rc__tuple *)self;
	for (size_t i = t->size; i-- > 0;) /* last to first, as CPython's tupletraverse */
		if (t->items[i])
			visit(t->items[i], arg);
}

static void tuple_clear(rc_runtime *rt, rc_object *self)
{
	rc__tuple *t = (rc__tuple *)self;
	for (size_t i = 0; i < t->size; i++) {
		rc_object *v = t->items[i];
		t->items[i] = NULL;
		rc_xdecref(rt, v);
	}
}

static size_t tuple_size(const rc_object *o)
{
	return sizeof(rc__tuple) + ((const rc__tuple *)o)->size * sizeof(rc_object *);
}

const rc_type rc_tuple_type = {
	.name = "tuple",
	.size = sizeof(rc__tuple),
	.flags = RC_TYPE_GC,
	.traverse = tuple_traverse,
	.clear = tuple_clear,
	.dealloc = tuple_clear,
	.instance_size = tuple_size,
};

rc_object *rc_tuple_new(rc_runtime *rt, size_t n)
{
	if (n > (SIZE_MAX / 2) / sizeof(rc_object *))
		return NULL;
	rc__tuple *t = (rc__tuple *)rc_new(rt, &rc_tuple_type, n * sizeof(rc_object *));
	if (!t)
		return NULL;
	t->size = n;
	if (n == 0)
		rc__untrack(&t->ob); /* () is never tracked */
	return &t->ob;
}

rc_object *rc_tuple_pack(rc_runtime *rt, size_t n, rc_object *const *items)
{
	rc_object *o = rc_tuple_new(rt, n);
	if (!o)
		return NULL;
	rc__tuple *t = (rc__tuple *)o;
	for (size_t i = 0; i < n; i++)
		t->items[i] = items[i] ? rc_incref(items[i]) : NULL;
	return o;
}

size_t rc_tuple_size(const rc_object *o)
{
	return o && o->type == &rc_tuple_type ? ((const rc__tuple *)o)->size : 0;
}

rc_object *rc_tuple_get(const rc_object *o, size_t i)
{
	if (!o || o->type != &rc_tuple_type)
		return NULL;
	const rc__tuple *t = (const rc__tuple *)o;
	if (i >= t->size)
		return NULL;
	return t->items[i];
}

int rc_tuple_set(rc_runtime *rt, rc_object *o, size_t i, rc_object *v)
{
	if (!o || o->type != &rc_tuple_type)
		return RC_ETYPE;
	rc__tuple *t = (rc__tuple *)o;
	if (i >= t->size)
		return RC_EINDEX;
	rc_setref(rt, &t->items[i], v);
	return RC_OK;
}

bool rc__tuple_may_untrack(const rc_object *o, bool loose)
{
	const rc__tuple *t = (const rc__tuple *)o;
	for (size_t i = 0; i < t->size; i++) {
		const rc_object *v = t->items[i];
		if (v && rc__may_be_tracked(v) && !(loose && v->type == &rc_tuple_type))
			return false;
	}
	return true;
}
