/* dict.c - hash maps from keys to values (open addressing, linear probing).
 *
 * Invariants:
 * - cap is 0 or a power of two; used + tombstones < cap * 3/4 after every insertion.
 * - A slot is empty (key NULL), a tombstone (key == TOMB) or holds a key and a value, both
 *   references owned by the dict.
 * - RC__F_GENERAL is set once a key that is not a str was stored (CPython's general keys
 *   table): from then on traverse visits the str keys too.
 * - Tracking follows CPython <= 3.13: a new dict is untracked; storing a key or value that may
 *   be tracked tracks it; only a full collection untracks it again (rc__dict_may_untrack).
 */
#include "internal.h"

typedef struct {
	uint64_t hash;
	rc_object *key;
	rc_object *value;
} entry;

typedef struct {
	rc_object ob;
	size_t used, tombs, cap;
	entry *slots;
} dict_obj;

static const rc_object tomb_key; /* address only: marks a deleted slot */
#define TOMB ((rc_object *)&tomb_key)

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t bytes_hash(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static uint64_t key_hash(const rc_object *k)
{
	if (k->type == &rc_str_type)
		return bytes_hash(rc_str_data(k), rc_str_len(k));
	if (k->type == &rc_int_type)
		return mix((uint64_t)rc_int_value(k));
	if (k->type == &rc_float_type) {
		double d = rc_float_value(k);
		uint64_t b;
		if (d == 0)
			d = 0; /* -0.0 and 0.0 are equal */
		memcpy(&b, &d, sizeof b);
		return mix(b ^ 0x5bd1e995ULL);
	}
	return mix((uint64_t)(uintptr_t)k);
}

static bool key_eq(const rc_object *a, const rc_object *b)
{
	if (a == b)
		return true;
	if (a->type != b->type)
		return false;
	if (a->type == &rc_str_type)
		return rc_str_len(a) == rc_str_len(b) &&
		       memcmp(rc_str_data(a), rc_str_data(b), rc_str_len(a)) == 0;
	if (a->type == &rc_int_type)
		return rc_int_value(a) == rc_int_value(b);
	if (a->type == &rc_float_type)
		return rc_float_value(a) == rc_float_value(b);
	return false;
}

static void dict_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	dict_obj *d = (dict_obj *)self;
	/* CPython's dicts whose keys are all str (a "unicode" keys table) visit values only;
	 * once another key was stored (a general table, which stays so) they visit every key */
	bool general = (self->flags & RC__F_GENERAL) != 0;
	for (size_t i = 0; i < d->cap; i++) {
		entry *e = &d->slots[i];
		if (!e->key || e->key == TOMB)
			continue;
		visit(e->value, arg);
		if (general || e->key->type != &rc_str_type)
			visit(e->key, arg);
	}
}

static void dict_clear(rc_runtime *rt, rc_object *self)
{
	dict_obj *d = (dict_obj *)self;
	entry *slots = d->slots;
	size_t cap = d->cap;
	d->slots = NULL;
	d->used = d->tombs = d->cap = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!slots[i].key || slots[i].key == TOMB)
			continue;
		rc_decref(rt, slots[i].key);
		rc_decref(rt, slots[i].value);
	}
	rc__mem_free(rt, slots, cap * sizeof *slots);
}

const rc_type rc_dict_type = {
	.name = "dict",
	.size = sizeof(dict_obj),
	.flags = RC_TYPE_GC,
	.traverse = dict_traverse,
	.clear = dict_clear,
	.dealloc = dict_clear,
};

rc_object *rc_dict_new(rc_runtime *rt)
{
	rc_object *o = rc_new(rt, &rc_dict_type, 0);
	if (o)
		rc__untrack(o);
	return o;
}

size_t rc_dict_size(const rc_object *o)
{
	return o && o->type == &rc_dict_type ? ((const dict_obj *)o)->used : 0;
}

/* The slot holding key, or NULL. */
static entry *lookup(const dict_obj *d, const rc_object *key, uint64_t h)
{
	if (!d->cap)
		return NULL;
	size_t mask = d->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		entry *e = &d->slots[i];
		if (!e->key)
			return NULL;
		if (e->key != TOMB && e->hash == h && key_eq(e->key, key))
			return e;
	}
}

static int resize(rc_runtime *rt, dict_obj *d, size_t ncap)
{
	entry *ns = rc__mem_alloc(rt, ncap * sizeof *ns);
	if (!ns)
		return RC_ENOMEM;
	memset(ns, 0, ncap * sizeof *ns);
	for (size_t i = 0; i < d->cap; i++) {
		entry *e = &d->slots[i];
		if (!e->key || e->key == TOMB)
			continue;
		size_t j = e->hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = *e;
	}
	rc__mem_free(rt, d->slots, d->cap * sizeof *d->slots);
	d->slots = ns;
	d->cap = ncap;
	d->tombs = 0;
	return RC_OK;
}

int rc_dict_set(rc_runtime *rt, rc_object *o, rc_object *key, rc_object *value)
{
	if (!o || o->type != &rc_dict_type)
		return RC_ETYPE;
	if (!key || !value)
		return RC_EINVAL;
	dict_obj *d = (dict_obj *)o;
	uint64_t h = key_hash(key);
	entry *e = lookup(d, key, h);
	if (!e) {
		if ((d->used + d->tombs + 1) * 4 > d->cap * 3) {
			size_t ncap = d->cap ? d->cap : 8;
			while ((d->used + 1) * 4 > ncap * 3 / 2)
				ncap *= 2;
			int err = resize(rt, d, ncap);
			if (err)
				return err;
		}
		size_t mask = d->cap - 1, i = h & mask;
		while (d->slots[i].key && d->slots[i].key != TOMB)
			i = (i + 1) & mask;
		e = &d->slots[i];
		if (e->key == TOMB)
			d->tombs--;
		e->hash = h;
		if (key->type != &rc_str_type)
			o->flags |= RC__F_GENERAL;
		e->key = rc_incref(key);
		e->value = rc_incref(value);
		d->used++;
	} else {
		rc_setref(rt, &e->value, value);
	}
	if (o->gen == RC__GEN_NONE && (rc__may_be_tracked(key) || rc__may_be_tracked(value)))
		rc__track(rt, o);
	return RC_OK;
}

rc_object *rc_dict_get(const rc_object *o, const rc_object *key)
{
	if (!o || o->type != &rc_dict_type || !key)
		return NULL;
	entry *e = lookup((const dict_obj *)o, key, key_hash(key));
	return e ? e->value : NULL;
}

int rc_dict_del(rc_runtime *rt, rc_object *o, const rc_object *key)
{
	if (!o || o->type != &rc_dict_type)
		return RC_ETYPE;
	if (!key)
		return RC_EINVAL;
	dict_obj *d = (dict_obj *)o;
	entry *e = lookup(d, key, key_hash(key));
	if (!e)
		return RC_EKEY;
	rc_object *k = e->key, *v = e->value;
	e->key = TOMB;
	e->value = NULL;
	d->used--;
	d->tombs++;
	rc_decref(rt, k);
	rc_decref(rt, v);
	return RC_OK;
}

int rc_dict_set_str(rc_runtime *rt, rc_object *d, const char *key, rc_object *value)
{
	if (!key)
		return RC_EINVAL;
	rc_object *k = rc_str_from(rt, key);
	if (!k)
		return RC_ENOMEM;
	int err = rc_dict_set(rt, d, k, value);
	rc_decref(rt, k);
	return err;
}

rc_object *rc_dict_get_str(const rc_object *o, const char *key)
{
	if (!o || o->type != &rc_dict_type || !key)
		return NULL;
	const dict_obj *d = (const dict_obj *)o;
	if (!d->cap)
		return NULL;
	size_t n = strlen(key), mask = d->cap - 1;
	uint64_t h = bytes_hash(key, n);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const entry *e = &d->slots[i];
		if (!e->key)
			return NULL;
		if (e->key != TOMB && e->hash == h && e->key->type == &rc_str_type &&
		    rc_str_len(e->key) == n && memcmp(rc_str_data(e->key), key, n) == 0)
			return e->value;
	}
}

int rc_dict_next(const rc_object *o, size_t *pos, rc_object **key, rc_object **value)
{
	if (!o || o->type != &rc_dict_type || !pos)
		return 0;
	const dict_obj *d = (const dict_obj *)o;
	for (size_t i = *pos; i < d->cap; i++) {
		entry *e = &d->slots[i];
		if (!e->key || e->key == TOMB)
			continue;
		if (key)
			*key = e->key;
		if (value)
			*value = e->value;
		*pos = i + 1;
		return 1;
	}
	*pos = d->cap;
	return 0;
}

void rc__dict_release(rc_runtime *rt, rc_object *o,
		      bool (*release)(const rc_object *, const void *), const void *arg)
{
	dict_obj *d = (dict_obj *)o;
	for (size_t i = 0; i < d->cap; i++) {
		entry *e = &d->slots[i];
		if (!e->key || e->key == TOMB)
			continue;
		if (release(e->key, arg))
			rc_decref(rt, e->key);
		if (release(e->value, arg))
			rc_decref(rt, e->value);
	}
	rc__mem_free(rt, d->slots, d->cap * sizeof *d->slots);
	d->slots = NULL;
	d->used = d->tombs = d->cap = 0;
}

static bool may_stay_tracked(const rc_object *v, bool loose)
{
	return rc__may_be_tracked(v) && !(loose && v->type == &rc_tuple_type);
}

bool rc__dict_may_untrack(const rc_object *o, bool loose)
{
	const dict_obj *d = (const dict_obj *)o;
	for (size_t i = 0; i < d->cap; i++) {
		entry *e = &d->slots[i];
		if (e->key && e->key != TOMB &&
		    (may_stay_tracked(e->key, loose) || may_stay_tracked(e->value, loose)))
			return false;
	}
	return true;
}
