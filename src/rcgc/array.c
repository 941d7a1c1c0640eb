/* array.c - numeric arrays: one flat int64 or float64 buffer, numpy-like, no references.
 *
 * Invariants: data holds n elements (NULL when n == 0) allocated through the runtime, so a
 * buffer of 256 KiB or more comes straight from mmap and leaves the process when freed.
 */
#include "internal.h"

typedef struct {
	rc_object ob;
	rc_dtype dtype;
	size_t n;
	void *data;
} array_obj;

static void array_dealloc(rc_runtime *rt, rc_object *self)
{
	array_obj *a = (array_obj *)self;
	rc__mem_free(rt, a->data, a->n * 8);
	a->data = NULL;
}

const rc_type rc_array_type = {
	.name = "array", .size = sizeof(array_obj), .dealloc = array_dealloc,
};

rc_object *rc_array_new(rc_runtime *rt, rc_dtype dtype, size_t n)
{
	if ((dtype != RC_INT64 && dtype != RC_FLOAT64) || n > (SIZE_MAX / 2) / 8)
		return NULL;
	void *data = NULL;
	if (n) {
		data = rc__mem_calloc(rt, n * 8);
		if (!data)
			return NULL;
	}
	array_obj *a = (array_obj *)rc_new(rt, &rc_array_type, 0);
	if (!a) {
		rc__mem_free(rt, data, n * 8);
		return NULL;
	}
	a->dtype = dtype;
	a->n = n;
	a->data = data;
	return &a->ob;
}

size_t rc_array_len(const rc_object *o)
{
	return o && o->type == &rc_array_type ? ((const array_obj *)o)->n : 0;
}

rc_dtype rc_array_dtype(const rc_object *o)
{
	return o && o->type == &rc_array_type ? ((const array_obj *)o)->dtype : (rc_dtype)0;
}

void *rc_array_data(rc_object *o)
{
	return o && o->type == &rc_array_type ? ((array_obj *)o)->data : NULL;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t next_u64(uint64_t s[4])
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

int rc_array_fill_random(rc_object *o, int64_t lo, int64_t hi, uint64_t seed)
{
	if (!o || o->type != &rc_array_type)
		return RC_ETYPE;
	if (lo > hi)
		return RC_EINVAL;
	array_obj *a = (array_obj *)o;
	uint64_t s[4], sm = seed;
	for (int i = 0; i < 4; i++)
		s[i] = splitmix(&sm);
	uint64_t range = (uint64_t)hi - (uint64_t)lo + 1; /* 0: the whole int64 range */
	for (size_t i = 0; i < a->n; i++) {
		uint64_t r = next_u64(s);
		if (range) {
#ifdef __SIZEOF_INT128__
			r = (uint64_t)(((unsigned __int128)r * range) >> 64);
#else
			r %= range;
#endif
		}
		int64_t v = (int64_t)((uint64_t)lo + r);
		if (a->dtype == RC_INT64)
			((int64_t *)a->data)[i] = v;
		else
			((double *)a->data)[i] = (double)v;
	}
	return RC_OK;
}

int rc_array_mean(const rc_object *o, double *out)
{
	if (!o || o->type != &rc_array_type)
		return RC_ETYPE;
	if (!out)
		return RC_EINVAL;
	const array_obj *a = (const array_obj *)o;
	if (a->n == 0) {
		*out = 0;
		return RC_OK;
	}
	if (a->dtype == RC_INT64) {
		const int64_t *v = a->data;
#ifdef __SIZEOF_INT128__
		__int128 sum = 0;
		for (size_t i = 0; i < a->n; i++)
			sum += v[i];
		*out = (double)sum / (double)a->n;
#else
		long double sum = 0;
		for (size_t i = 0; i < a->n; i++)
			sum += v[i];
		*out = (double)(sum / a->n);
#endif
	} else {
		const double *v = a->data;
		double sum = 0, c = 0; /* Kahan: a mean of millions of values stays exact enough */
		for (size_t i = 0; i < a->n; i++) {
			double y = v[i] - c, t = sum + y;
			c = (t - sum) - y;
			sum = t;
		}
		*out = sum / (double)a->n;
	}
	return RC_OK;
}

rc_object *rc_array_random_int(rc_runtime *rt, size_t n, int64_t lo, int64_t hi, uint64_t seed)
{
	if (lo > hi)
		return NULL;
	rc_object *a = rc_array_new(rt, RC_INT64, n);
	if (a)
		rc_array_fill_random(a, lo, hi, seed);
	return a;
}
