/* atom.c - int, float and str: objects that hold no references and are never tracked.
 *
 * Invariants: atoms are immutable after construction; a str's bytes are followed by a NUL.
 */
#include "internal.h"

typedef struct {
	rc_object ob;
	int64_t v;
} int_obj;

typedef struct {
	rc_object ob;
	double v;
} float_obj;

typedef struct {
	rc_object ob;
	size_t len;
	char data[];
} str_obj;

const rc_type rc_int_type = {.name = "int", .size = sizeof(int_obj)};
const rc_type rc_float_type = {.name = "float", .size = sizeof(float_obj)};

static size_t str_size(const rc_object *o)
{
	return sizeof(str_obj) + ((const str_obj *)o)->len + 1;
}

const rc_type rc_str_type = {.name = "str", .size = sizeof(str_obj), .instance_size = str_size};

rc_object *rc_int_new(rc_runtime *rt, int64_t v)
{
	rc_object *o = rc_new(rt, &rc_int_type, 0);
	if (o)
		((int_obj *)o)->v = v;
	return o;
}

int64_t rc_int_value(const rc_object *o)
{
	return o && o->type == &rc_int_type ? ((const int_obj *)o)->v : 0;
}

rc_object *rc_float_new(rc_runtime *rt, double v)
{
	rc_object *o = rc_new(rt, &rc_float_type, 0);
	if (o)
		((float_obj *)o)->v = v;
	return o;
}

double rc_float_value(const rc_object *o)
{
	return o && o->type == &rc_float_type ? ((const float_obj *)o)->v : 0.0;
}

rc_object *rc_str_new(rc_runtime *rt, const char *s, size_t len)
{
	if (!s && len)
		return NULL;
	if (len > SIZE_MAX / 2)
		return NULL;
	rc_object *o = rc_new(rt, &rc_str_type, len + 1);
	if (!o)
		return NULL;
	str_obj *so = (str_obj *)o;
	so->len = len;
	if (len)
		memcpy(so->data, s, len);
	so->data[len] = '\0';
	return o;
}

rc_object *rc_str_from(rc_runtime *rt, const char *cstr)
{
	return cstr ? rc_str_new(rt, cstr, strlen(cstr)) : NULL;
}

const char *rc_str_data(const rc_object *o)
{
	return o && o->type == &rc_str_type ? ((const str_obj *)o)->data : NULL;
}

size_t rc_str_len(const rc_object *o)
{
	return o && o->type == &rc_str_type ? ((const str_obj *)o)->len : 0;
}
