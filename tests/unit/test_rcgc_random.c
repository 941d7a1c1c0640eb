/* test_rcgc_random.c - randomized differential test of the collector against a plain model.
 *
 * Random graphs of a user container type under random mutations (new object, set or drop an
 * edge, take or drop an external reference, collect a random generation). The model keeps
 * the edges, the external references and each object's generation, and after every step
 * derives what must be alive: refcounting frees what nothing references; collect(g) frees
 * exactly the objects of generations <= g that nothing outside those generations (external
 * references, older objects) reaches, then refcounting cascades. After every step the test
 * checks that exactly the model's objects are alive, every refcount equals the model's, and
 * after a collection every object sits in the generation the model says. Half the cases use
 * a user container type, half use built-in lists (whose garbage takes the collector's direct
 * free path); a list's death is seen through an atom of a user type it holds.
 * RCGC_RANDOM_CASES overrides the number of cases (default 5000).
 */
#include "test_rcgc_util.h"

#include "rcgc/internal.h" /* rc__gc_verify, rc__pool_allocator */

#define MAXN 96
#define NKIDS 3

typedef struct model model;

typedef struct gnode {
	rc_object ob;
	rc_object *kid[NKIDS];
	int id;
	model *m;
} gnode;

struct model {
	/* model side */
	int exists[MAXN];
	int gen[MAXN];
	int held[MAXN];      /* external references the test holds */
	int edge[MAXN][NKIDS]; /* -1: none */
	/* runtime side */
	rc_object *obj[MAXN];
	int freed[MAXN];     /* set by the dealloc hook */
	int n;               /* ids handed out */
	int lists;           /* nodes are rc lists [kid0, kid1, kid2, tag] instead of gnodes */
};

typedef struct tag {
	rc_object ob;
	int id;
	model *m;
} tag;

static void tag_dealloc(rc_runtime *rt, rc_object *self)
{
	(void)rt;
	tag *t = (tag *)self;
	t->m->freed[t->id]++;
}

static const rc_type tag_type = {.name = "tag", .size = sizeof(tag), .dealloc = tag_dealloc};

static void gnode_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	gnode *g = (gnode *)self;
	for (int k = 0; k < NKIDS; k++)
		visit(g->kid[k], arg);
}

static void gnode_clear(rc_runtime *rt, rc_object *self)
{
	gnode *g = (gnode *)self;
	for (int k = 0; k < NKIDS; k++) {
		rc_object *c = g->kid[k];
		g->kid[k] = NULL;
		rc_xdecref(rt, c);
	}
}

static void gnode_dealloc(rc_runtime *rt, rc_object *self)
{
	gnode *g = (gnode *)self;
	g->m->freed[g->id]++;
	gnode_clear(rt, self);
}

static const rc_type gnode_type = {
	.name = "gnode", .size = sizeof(gnode), .flags = RC_TYPE_GC, .traverse = gnode_traverse,
	.clear = gnode_clear, .dealloc = gnode_dealloc,
};

static rc_object *node_kid(const model *m, rc_object *o, int k)
{
	if (!m->lists)
		return ((gnode *)o)->kid[k];
	rc_object *v = rc_list_get(o, (size_t)k);
	return v && v->type == &rc_none_type ? NULL : v;
}

static void node_set_kid(rc_runtime *rt, const model *m, rc_object *o, int k, rc_object *v)
{
	if (m->lists)
		assert_int_equal(rc_list_set(rt, o, (size_t)k, v ? v : rc_none(rt)), RC_OK);
	else
		rc_setref(rt, &((gnode *)o)->kid[k], v);
}

static int mnode_id(const model *m, const rc_object *o)
{
	if (!m->lists) {
		assert_ptr_equal(o->type, &gnode_type);
		return ((const gnode *)o)->id;
	}
	assert_ptr_equal(o->type, &rc_list_type);
	const tag *t = (const tag *)rc_list_get(o, NKIDS);
	assert_ptr_equal(t->ob.type, &tag_type);
	return t->id;
}

static rc_object *node_create(rc_runtime *rt, model *m, int id)
{
	if (!m->lists) {
		gnode *g = (gnode *)rc_new(rt, &gnode_type, 0);
		assert_non_null(g);
		g->id = id;
		g->m = m;
		return &g->ob;
	}
	rc_object *l = rc_list_new(rt);
	assert_non_null(l);
	for (int k = 0; k < NKIDS; k++)
		assert_int_equal(rc_list_append(rt, l, rc_none(rt)), RC_OK);
	tag *t = (tag *)rc_new(rt, &tag_type, 0);
	assert_non_null(t);
	t->id = id;
	t->m = m;
	assert_int_equal(rc_list_append_steal(rt, l, &t->ob), RC_OK);
	return l;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int model_refcnt(const model *m, int id)
{
	int rc = m->held[id];
	for (int i = 0; i < m->n; i++)
		if (m->exists[i])
			for (int k = 0; k < NKIDS; k++)
				rc += m->edge[i][k] == id;
	return rc;
}

/* Refcounting in the model: free what nothing references, until nothing changes. */
static void model_cascade(model *m)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int i = 0; i < m->n; i++)
			if (m->exists[i] && model_refcnt(m, i) == 0) {
				m->exists[i] = 0;
				changed = 1;
			}
	}
}

static void model_collect(model *m, int g)
{
	int live[MAXN] = {0}, stack[MAXN], sp = 0;
	for (int i = 0; i < m->n; i++)
		if (m->exists[i] && (m->held[i] || m->gen[i] > g)) {
			live[i] = 1;
			stack[sp++] = i;
		}
	while (sp) {
		int i = stack[--sp];
		for (int k = 0; k < NKIDS; k++) {
			int j = m->edge[i][k];
			if (j >= 0 && m->exists[j] && !live[j]) {
				live[j] = 1;
				stack[sp++] = j;
			}
		}
	}
	for (int i = 0; i < m->n; i++) {
		if (!m->exists[i] || m->gen[i] > g)
			continue;
		if (live[i])
			m->gen[i] = g < 2 ? g + 1 : 2;
		else
			m->exists[i] = 0;
	}
	model_cascade(m);
}

static void check(rc_runtime *rt, model *m, int check_gens)
{
	assert_int_equal(rc__gc_verify(rt), 0);
	for (int i = 0; i < m->n; i++)
		assert_int_equal(m->freed[i], !m->exists[i]);
	for (int i = 0; i < m->n; i++) {
		if (m->exists[i]) {
			assert_int_equal(m->freed[i], 0);
			assert_int_equal(rc_refcnt(m->obj[i]), model_refcnt(m, i));
			assert_int_equal(mnode_id(m, m->obj[i]), i);
			for (int k = 0; k < NKIDS; k++)
				assert_ptr_equal(node_kid(m, m->obj[i], k),
						 m->edge[i][k] >= 0 ? m->obj[m->edge[i][k]] : NULL);
		} else {
			assert_int_equal(m->freed[i], 1);
		}
	}
	if (!check_gens)
		return;
	int was = rc_gc_disable(rt); /* the result list must not set off a collection */
	for (int gen = 0; gen < 3; gen++) {
		rc_object *out;
		assert_int_equal(rc_gc_get_objects(rt, gen, &out), RC_OK);
		int in[MAXN] = {0};
		for (size_t j = 0; j < rc_list_size(out); j++)
			in[mnode_id(m, rc_list_get(out, j))] = 1;
		for (int i = 0; i < m->n; i++)
			assert_int_equal(in[i], m->exists[i] && m->gen[i] == gen);
		rc_decref(rt, out);
	}
	if (was)
		rc_gc_enable(rt);
}

/* Which generation an automatic collection just collected (-1: none ran). */
static int auto_collected(const rc_gc_stats before[3], const rc_gc_stats after[3])
{
	int g = -1;
	for (int i = 0; i < 3; i++)
		if (after[i].collections != before[i].collections) {
			assert_int_equal(after[i].collections, before[i].collections + 1);
			assert_int_equal(g, -1); /* one collection per allocation at most */
			g = i;
		}
	return g;
}

static int pick_live(model *m, uint64_t *s)
{
	int cand[MAXN], c = 0;
	for (int i = 0; i < m->n; i++)
		if (m->exists[i])
			cand[c++] = i;
	return c ? cand[rng_next(s) % (uint64_t)c] : -1;
}

static long total_checks, total_collections, total_cycle_frees, total_alive, total_auto;

/* The built-in allocator, with every block scribbled over (0xdb) as it is freed: an object
 * used after its free then has a wild type pointer and the test crashes at once, in every
 * build (the pool's blocks are invisible to ASan). */
static void *scribbling_pool(void *ud, void *ptr, size_t osize, size_t nsize)
{
	if (nsize == 0 && ptr)
		memset(ptr, 0xdb, osize);
	return rc__pool_allocator(ud, ptr, osize, nsize);
}

static void run_case(uint64_t seed, int steps)
{
	/* one case in four runs on the built-in pool allocator (scribbling over freed blocks), the
	 * others on the counting allocator */
	talloc t;
	int pool = seed % 4 == 3;
	rc__pool_state *ps = pool ? rc__pool_new() : NULL;
	rc_runtime_config pcfg = {.alloc = scribbling_pool, .alloc_ud = ps};
	rc_runtime *rt = pool ? rc_runtime_new(&pcfg) : new_rt(&t);
	assert_non_null(rt);
	rc_mem_stats ms0, ms1;
	rc_mem_get_stats(rt, &ms0);
	model *m = calloc(1, sizeof *m);
	assert_non_null(m);
	m->lists = (seed / 2) % 2;
	uint64_t s = seed * 2654435761u + 1;
	/* half the cases let automatic collections run too, at small thresholds (the stress
	 * build runs one at every allocation); the model learns which from the stats */
	if (seed % 2) {
		long th[3] = {(long)(rng_next(&s) % 6) + 1, (long)(rng_next(&s) % 3) + 1,
			      (long)(rng_next(&s) % 3) + 1};
		rc_gc_set_threshold(rt, 3, th);
	} else {
		rc_gc_disable(rt);
	}
	for (int step = 0; step < steps; step++) {
		unsigned op = (unsigned)(rng_next(&s) % 100);
		int a = pick_live(m, &s), b = pick_live(m, &s), k = (int)(rng_next(&s) % NKIDS);
		int collected = 0;
		if (op < 22 || a < 0) { /* new object, held */
			if (m->n == MAXN)
				continue;
			rc_gc_stats st0[3], st1[3];
			rc_gc_get_stats(rt, st0);
			int id = m->n;
			rc_object *o = node_create(rt, m, id);
			rc_gc_get_stats(rt, st1);
			int ag = auto_collected(st0, st1);
			if (ag >= 0) {
				model_collect(m, ag);
				total_auto++;
				collected = 1;
			}
			m->n++;
			m->obj[id] = o;
			m->exists[id] = 1;
			m->held[id] = 1;
			for (int j = 0; j < NKIDS; j++)
				m->edge[id][j] = -1;
		} else if (op < 60) { /* set an edge a -> b */
			node_set_kid(rt, m, m->obj[a], k, m->obj[b]);
			m->edge[a][k] = b;
		} else if (op < 64) { /* drop an edge */
			node_set_kid(rt, m, m->obj[a], k, NULL);
			m->edge[a][k] = -1;
		} else if (op < 92) { /* drop an external reference */
			if (!m->held[a])
				continue;
			m->held[a]--;
			rc_decref(rt, m->obj[a]);
		} else if (op < 95) { /* take one */
			m->held[a]++;
			rc_incref(m->obj[a]);
		} else { /* collect */
			int g = (int)(rng_next(&s) % 3);
			long before = 0, after = 0;
			for (int i = 0; i < m->n; i++)
				before += m->exists[i];
			long n = rc_gc_collect(rt, g);
			model_collect(m, g);
			for (int i = 0; i < m->n; i++)
				after += m->exists[i];
			assert_true(n >= 0 && n <= before - after);
			collected = 1;
			total_collections++;
			total_cycle_frees += n;
		}
		model_cascade(m); /* replacing or dropping a reference may free */
		check(rt, m, collected);
		total_checks++;
		for (int i = 0; i < m->n; i++)
			total_alive += m->exists[i];
	}
	for (int i = 0; i < m->n; i++)
		while (m->exists[i] && m->held[i]) {
			m->held[i]--;
			rc_decref(rt, m->obj[i]);
		}
	rc_gc_collect(rt, 2);
	for (int i = 0; i < m->n; i++)
		assert_int_equal(m->freed[i], 1); /* freed exactly once */
	rc_mem_get_stats(rt, &ms1);
	assert_int_equal(ms1.live_bytes, ms0.live_bytes);
	if (pool) {
		rc_runtime_free(rt);
		rc__pool_free(ps);
	} else {
		free_rt(rt, &t);
	}
	free(m);
}

static void test_random__collector_matches_reachability_model(void **state)
{
	(void)state;
	int cases = 5000;
	const char *e = getenv("RCGC_RANDOM_CASES");
	if (e && atoi(e) > 0)
		cases = atoi(e);
	for (int c = 0; c < cases; c++)
		run_case((uint64_t)c + 1, 200);
	/* the cases must exercise the collector, not just refcounting */
	assert_true(total_collections > cases);
	assert_true(total_cycle_frees > cases);
	assert_true(total_auto > cases);
	print_message("%d cases, %ld steps checked, %ld manual collections freed %ld objects in "
		      "cycles, %ld automatic collections, %.1f objects alive on average\n", cases,
		      total_checks, total_collections, total_cycle_frees, total_auto,
		      (double)total_alive / (double)total_checks);
}

/* ---- chaos: finalizers and weakref callbacks that mutate the graph while it is collected ----
 *
 * No exact model here: finalizers resurrect, allocate, cut links and re-enter the collector;
 * weakref callbacks keep data alive. The test checks what must hold whatever they do: no
 * object is freed twice or while a live object still refers to it, no finalizer runs twice,
 * no weakref outlives its target uncleared, and in the end everything is freed, nothing leaks.
 * Under ASan this is also a use-after-free hunt. */

#define MAXC 4096

typedef struct chaos chaos;

typedef struct cnode {
	rc_object ob;
	rc_object *kid[NKIDS];
	int id;
	chaos *c;
} cnode;

struct chaos {
	rc_runtime *rt;
	uint64_t rng;
	int n;
	rc_object *obj[MAXC];    /* borrowed: valid while freed[id] == 0 */
	int freed[MAXC];
	int finalized[MAXC];
	rc_object *keep;         /* resurrected objects and callback data land here */
	rc_object *dict;         /* a dict nodes refer to, whose tracking user code changes */
	rc_object *ext[64];      /* the test's own references: nodes, weakrefs, lists */
	long reentry_nonzero; /* collect calls from finalizers that failed */
	long callbacks;
	long acts;            /* chaos_act calls, from any kind of user code */
};

static const rc_type cnode_type;

static rc_object *cnode_new(chaos *c)
{
	if (c->n == MAXC)
		return NULL;
	cnode *x = (cnode *)rc_new(c->rt, &cnode_type, 0);
	if (!x)
		return NULL;
	x->id = c->n++;
	x->c = c;
	c->obj[x->id] = &x->ob;
	return &x->ob;
}

/* A weakref's target, as user code may read it: alive (count above 0, never freed) or NULL. */
static void read_weakref(chaos *c, rc_object *w)
{
	if (!w || w->type != &rc_weakref_type)
		return;
	rc_object *t = rc_weakref_get(w);
	if (!t)
		return;
	assert_true(rc_refcnt(t) > 0);
	if (t->type == &cnode_type)
		assert_int_equal(c->freed[((cnode *)t)->id], 0);
	rc_list_append(c->rt, c->keep, t); /* and keeps it: a use after free for ASan if dead */
}

/* What any user code (finalizer, weakref callback, an atom's finalizer met while garbage is
 * freed) may do to the collector: read weakrefs and keep the result, freeze or unfreeze,
 * untrack and track again, make the shared dict tracked or untracked-able, resurrect. */
static void chaos_act(rc_runtime *rt, chaos *c, rc_object *self)
{
	c->acts++;
	rc_object *e = c->ext[rng_next(&c->rng) % 64];
	switch (rng_next(&c->rng) % 7) {
	case 0: /* read a weakref we hold, or one a node holds */
		read_weakref(c, e);
		if (e && e->type == &cnode_type)
			for (int k = 0; k < NKIDS; k++)
				read_weakref(c, ((cnode *)e)->kid[k]);
		break;
	case 1:
		if (rng_next(&c->rng) % 2)
			rc_gc_freeze(rt);
		else
			rc_gc_unfreeze(rt);
		break;
	case 2: /* untrack and track again: the object leaves whatever list it was on */
		if (e && rc_gc_is_tracked(e)) {
			rc_gc_untrack(rt, e);
			rc_gc_track(rt, e);
		}
		if (self && rc_gc_is_tracked(self)) {
			rc_gc_untrack(rt, self);
			rc_gc_track(rt, self);
		}
		break;
	case 3: { /* a container into the shared dict (it becomes tracked), or out again */
		if (rng_next(&c->rng) % 2) {
			rc_object *l = rc_list_new(rt);
			if (l) {
				rc_dict_set_str(rt, c->dict, "l", l);
				rc_decref(rt, l);
			}
		} else {
			rc_object *one = rc_int_new(rt, 1);
			if (one) {
				rc_dict_set_str(rt, c->dict, "l", one);
				rc_decref(rt, one);
			}
		}
		break;
	}
	case 4: /* resurrect */
		if (self)
			rc_list_append(rt, c->keep, self);
		break;
	default:
		break;
	}
}

static void cnode_finalize(rc_runtime *rt, rc_object *self)
{
	cnode *x = (cnode *)self;
	chaos *c = x->c;
	c->finalized[x->id]++;
	switch (rng_next(&c->rng) % 7) {
	case 0: /* resurrect */
		rc_list_append(rt, c->keep, self);
		break;
	case 1: { /* allocate during the collection and hang it on self */
		rc_object *n = cnode_new(c);
		if (n) {
			rc_setref(rt, &x->kid[0], n);
			rc_decref(rt, n);
		}
		break;
	}
	case 2: /* cut a link */
		rc_setref(rt, &x->kid[rng_next(&c->rng) % NKIDS], NULL);
		break;
	case 3: /* re-enter (returns 0 inside a collection; at a refcount death it collects) */
		if (rc_gc_collect(rt, 2) < 0)
			c->reentry_nonzero++;
		break;
	case 4:
	case 5:
		chaos_act(rt, c, self);
		break;
	default:
		break;
	}
}

/* An atom of a user type whose finalizer acts: garbage lists that hold one must not free it
 * while the collector's state is half done (the plain path's first pass once did). */
typedef struct catom {
	rc_object ob;
	chaos *c;
} catom;

static void catom_finalize(rc_runtime *rt, rc_object *self)
{
	catom *a = (catom *)self;
	chaos_act(rt, a->c, NULL);
}

static const rc_type catom_type = {
	.name = "catom", .size = sizeof(catom), .finalize = catom_finalize,
};

static void cnode_dealloc(rc_runtime *rt, rc_object *self)
{
	cnode *x = (cnode *)self;
	x->c->freed[x->id]++;
	gnode_clear(rt, self); /* same layout for the kids */
}

static const rc_type cnode_type = {
	.name = "cnode", .size = sizeof(cnode), .flags = RC_TYPE_GC, .traverse = gnode_traverse,
	.clear = gnode_clear, .finalize = cnode_finalize, .dealloc = cnode_dealloc,
};

_Static_assert(offsetof(cnode, kid) == offsetof(gnode, kid), "cnode shares gnode's kids");

static void chaos_cb(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	chaos *c = (chaos *)(uintptr_t)rc_int_value(rc_tuple_get(data, 0));
	c->callbacks++;
	assert_null(rc_weakref_get(wr));
	if (rng_next(&c->rng) % 2)
		rc_list_append(rt, c->keep, data);
	else
		chaos_act(rt, c, NULL);
}

static void chaos_check(chaos *c, rc_object *const *ext, int next)
{
	assert_int_equal(rc__gc_verify(c->rt), 0);
	for (int i = 0; i < c->n; i++) {
		assert_true(c->freed[i] <= 1);
		assert_true(c->finalized[i] <= 1);
		if (c->freed[i])
			continue;
		cnode *x = (cnode *)c->obj[i];
		for (int k = 0; k < NKIDS; k++) {
			rc_object *kid = x->kid[k];
			if (kid && kid->type == &cnode_type)
				assert_int_equal(c->freed[((cnode *)kid)->id], 0);
			if (kid && kid->type == &rc_weakref_type && rc_weakref_get(kid))
				assert_int_equal(c->freed[((cnode *)rc_weakref_get(kid))->id], 0);
		}
	}
	for (int i = 0; i < next; i++) {
		if (!ext[i])
			continue;
		if (ext[i]->type == &cnode_type)
			assert_int_equal(c->freed[((cnode *)ext[i])->id], 0);
		else if (ext[i]->type == &rc_weakref_type && rc_weakref_get(ext[i]) &&
			 rc_weakref_get(ext[i])->type == &cnode_type)
			assert_int_equal(c->freed[((cnode *)rc_weakref_get(ext[i]))->id], 0);
	}
}

static void chaos_case(uint64_t seed, int steps, long *callbacks, long *acts)
{
	talloc t;
	chaos *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->rt = new_rt(&t);
	c->rng = seed * 0x9e3779b97f4a7c15ULL + 7;
	c->keep = rc_list_new(c->rt);
	rc_runtime *rt = c->rt;
	if (seed % 2) {
		long th[3] = {(long)(rng_next(&c->rng) % 8) + 1, 2, 2};
		rc_gc_set_threshold(rt, 3, th);
	} else {
		rc_gc_disable(rt);
	}
	rc_object **ext = c->ext;
	c->dict = rc_dict_new(rt);
	for (int step = 0; step < steps; step++) {
		unsigned op = (unsigned)(rng_next(&c->rng) % 100);
		int e = (int)(rng_next(&c->rng) % 64), f = (int)(rng_next(&c->rng) % 64);
		int k = (int)(rng_next(&c->rng) % NKIDS);
		if (op < 25) { /* new node */
			rc_object *n = cnode_new(c);
			if (!n)
				break;
			rc_setref(rt, &ext[e], n);
			rc_decref(rt, n);
		} else if (op < 55) { /* link two nodes we hold */
			if (ext[e] && ext[f] && ext[e]->type == &cnode_type)
				rc_setref(rt, &((cnode *)ext[e])->kid[k], ext[f]);
		} else if (op < 65) { /* a weakref, held by us or inside a node */
			if (!ext[f] || ext[f]->type != &cnode_type)
				continue;
			rc_object *items[1];
			items[0] = rc_int_new(rt, (int64_t)(uintptr_t)c);
			rc_object *data = rc_tuple_pack(rt, 1, items);
			rc_decref(rt, items[0]);
			rc_object *w = rc_weakref_new(rt, ext[f], rng_next(&c->rng) % 3 ? chaos_cb : NULL, data);
			rc_decref(rt, data);
			if (ext[e] && ext[e]->type == &cnode_type && rng_next(&c->rng) % 2)
				rc_setref(rt, &((cnode *)ext[e])->kid[k], w);
			else
				rc_setref(rt, &ext[e], w);
			rc_decref(rt, w);
		} else if (op < 70) { /* a list in a cycle through a node, holding a catom, the
				       * shared dict and another of our objects: plain garbage once
				       * dropped, unless the collector sees what its release runs */
			rc_object *l = rc_list_new(rt);
			catom *a = (catom *)rc_new(rt, &catom_type, 0);
			if (!l || !a) {
				rc_xdecref(rt, l);
				rc_xdecref(rt, &a->ob);
				continue;
			}
			a->c = c;
			rc_list_append_steal(rt, l, &a->ob);
			rc_list_append(rt, l, c->dict);
			rc_list_append(rt, l, l);
			if (ext[f])
				rc_list_append(rt, l, ext[f]);
			if (ext[e] && ext[e]->type == &cnode_type)
				rc_setref(rt, &((cnode *)ext[e])->kid[k], l);
			rc_setref(rt, &ext[e], l);
			rc_decref(rt, l);
		} else if (op < 90) { /* drop one of our references */
			rc_setref(rt, &ext[e], NULL);
		} else if (op < 93) { /* let go of what finalizers and callbacks kept */
			rc_list_clear(rt, c->keep);
		} else {
			long r = rc_gc_collect(rt, (int)(rng_next(&c->rng) % 3));
			assert_true(r >= 0);
		}
		chaos_check(c, ext, 64);
	}
	for (int i = 0; i < 64; i++)
		rc_setref(rt, &ext[i], NULL);
	/* finalizers may resurrect into keep, or freeze; a few rounds empty everything */
	for (int round = 0; round < 10; round++) {
		rc_list_clear(rt, c->keep);
		rc_object *kl = rc_str_from(rt, "l");
		rc_dict_del(rt, c->dict, kl);
		rc_decref(rt, kl);
		rc_gc_unfreeze(rt);
		rc_gc_collect(rt, 2);
	}
	for (int i = 0; i < c->n; i++)
		assert_int_equal(c->freed[i], 1);
	assert_int_equal(c->reentry_nonzero, 0);
	*callbacks += c->callbacks;
	*acts += c->acts;
	rc_decref(rt, c->keep);
	rc_decref(rt, c->dict);
	free_rt(rt, &t);
	free(c);
}

static void test_random__chaos_finalizers_and_weakrefs_keep_invariants(void **state)
{
	(void)state;
	int cases = 2000;
	const char *e = getenv("RCGC_RANDOM_CASES");
	if (e && atoi(e) > 0)
		cases = atoi(e) / 3 + 1;
	long callbacks = 0, acts = 0;
	for (int i = 0; i < cases; i++)
		chaos_case((uint64_t)i + 1, 300, &callbacks, &acts);
	assert_true(callbacks > cases); /* the weakref callbacks did run */
	assert_true(acts > cases);      /* and user code touched the collector */
	print_message("%d chaos cases, %ld weakref callbacks, %ld acts of user code on the "
		      "collector\n", cases, callbacks, acts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random__collector_matches_reachability_model),
		cmocka_unit_test(test_random__chaos_finalizers_and_weakrefs_keep_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
