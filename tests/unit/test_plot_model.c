/* test_plot_model.c - the plot model's numbers, without cairo (this test links only mpview):
 * ranges and ticks, the window, legend entries and "and N more", the trend line, decimated
 * curves, the flame lane, GC spans, marks and peaks; and out of memory at every allocation.
 * Text is measured by a fixed-width font (6 px a byte, 7 bold), so positions are exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_model.h"
#include "profile.h"
#include "test_dat_util.h"

#ifndef FIXTURES
#error "FIXTURES: the directory of the .dat fixtures"
#endif

/* Allocations go through here (-Wl,--wrap=...): the fail_at-th one fails, and the live ones
 * are counted, so that every test can check that nothing leaked. */
static long fail_at, alloc_calls, live;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
void __wrap_free(void *p);

static int injected_failure(void)
{
	return fail_at && ++alloc_calls == fail_at;
}

void *__wrap_malloc(size_t n)
{
	void *p = injected_failure() ? NULL : __real_malloc(n);
	live += p != NULL;
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = injected_failure() ? NULL : __real_calloc(n, size);
	live += p != NULL;
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q = injected_failure() ? NULL : __real_realloc(p, n);
	live += !p && q;
	return q;
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	int rc = injected_failure() ? ENOMEM : __real_posix_memalign(p, align, n);
	live += rc == 0;
	return rc;
}

void __wrap_free(void *p)
{
	live -= p != NULL;
	__real_free(p);
}

static char err[512];
static long measured;

static double fixed_width(void *ctx, const char *text, double size, int bold)
{
	(void)ctx;
	(void)size;
	measured++;
	return (double)strlen(text) * (bold ? 7 : 6);
}

static void read_fixture(mp_profile *p, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	if (test_read(p, path, err, sizeof err) != 0)
		fail_msg("%s: %s", name, err);
}

static void parse(mp_profile *p, const char *text)
{
	if (test_parse(p, text, strlen(text), "t.dat", err, sizeof err) != 0)
		fail_msg("%s", err);
}

static void build(mp_plot_model *m, const mp_profile *p, const mp_plot_opts *o)
{
	const mp_profile *pp[] = {p};
	const char *names[] = {"dir/t.dat"};
	int rc = mp_plot_model_init(m, pp, names, 1, o, 1, fixed_width, NULL);
	if (rc != 0)
		fail_msg("model: %d %s", rc, mp_strerror(rc));
}

static double X(const mp_plot_model *m, double t)
{
	return m->x0 + (t - m->tmin) / (m->tmax - m->tmin) * (m->x1 - m->x0);
}

static double Y(const mp_plot_model *m, double mem)
{
	return m->y1 - (mem - m->mmin) / (m->mmax - m->mmin) * (m->y1 - m->y0);
}

#define CLOSE(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_plot_model__ranges_ticks_and_layout_of_a_known_profile(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	mp_plot_model m;
	mp_plot_opts o = {0};
	build(&m, &p, &o);
	/* Time from the start to the last line (EXIT at 0.41 s); memory from 0 to the 50 MiB
	 * PEAK plus 8% head room, rounded up to the step of about 6 ticks (10 MiB). */
	CLOSE(m.tmin, 0);
	CLOSE(m.tmax, 0.41);
	CLOSE(m.mmin, 0);
	CLOSE(m.mmax, 60);
	/* The layout: a title (the command line), the legend as wide as its longest entry
	 * ("exited with status 0 at 0.41 s", 30 bytes at 6 px, + 40). */
	assert_true(m.has_title);
	assert_string_equal(m.title, "./memfix 'a b' c");
	CLOSE(m.title_at.x, 500 - 16 * 7 / 2.0);
	CLOSE(m.x0, 64);
	CLOSE(m.y0, 40);
	CLOSE(m.y1, 500 - 46 - 34); /* the GC lane (30 px and a 4 px gap) under the plot */
	CLOSE(m.gc_y0, m.y1 + 4);
	CLOSE(m.gc_y1, m.gc_y0 + 30);
	CLOSE(m.x1, 1000 - (30 * 6 + 40) - 16);
	CLOSE(m.legend.x, m.x1 + 12);
	assert_int_equal(m.columns, (int)(m.x1 - m.x0));
	/* Memory ticks every 10 MiB: 0 to 60, labelled without decimals, right-aligned 7 px
	 * left of the axis, a pixel row's middle for the grid. */
	assert_true(m.mem_axis.step == 10);
	assert_int_equal(m.mem_axis.nticks, 7);
	for (int k = 0; k < 7; k++) {
		const mp_plot_tick *t = &m.mem_axis.ticks[k];
		char want[8];
		snprintf(want, sizeof want, "%d", 10 * k);
		CLOSE(t->value, 10 * k);
		CLOSE(t->pos, Y(&m, 10 * k));
		assert_string_equal(t->label, want);
		CLOSE(t->at.x, m.x0 - 7 - 6 * (double)strlen(want));
		CLOSE(t->grid, floor(t->pos) + 0.5);
	}
	CLOSE(m.mem_axis.ticks[0].pos, m.y1);
	CLOSE(m.mem_axis.ticks[6].pos, m.y0);
	/* Time ticks: about one per 90 px over 0.41 s of 704 px: a 0.05 s step, 0 to 0.40,
	 * with two decimals, centred under their tick. */
	assert_true(m.time_axis.step == 0.05);
	assert_int_equal(m.time_axis.nticks, 9);
	assert_string_equal(m.time_axis.ticks[0].label, "0.00");
	assert_string_equal(m.time_axis.ticks[3].label, "0.15");
	assert_string_equal(m.time_axis.ticks[8].label, "0.40");
	CLOSE(m.time_axis.ticks[8].pos, X(&m, 0.4));
	CLOSE(m.time_axis.ticks[3].at.x, X(&m, 0.15) - 4 * 6 / 2.0);
	CLOSE(m.time_axis.ticks[3].at.y, m.gc_y1 + 15); /* under the GC lane */
	assert_string_equal(m.time_axis.title, "time (s)");
	assert_string_equal(m.mem_axis.title, "memory (MiB)");
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

/* One sample a second, 10 + t MiB; a 500 MiB spike at 8 s; a call at 8.5-9.5 s. */
static const char *spiky(void)
{
	static char text[2048];
	strcpy(text, "CMDLINE w\n");
	for (int i = 0; i <= 10; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "MEM %d %d.0\n", i == 8 ? 500 : 10 + i, 1010 + i);
	}
	strcat(text, "FUNC late 40 1018.5 40 1019.5 0\n");
	return text;
}

static void test_plot_model__the_window_sets_the_time_range_and_fits_memory_to_it(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	parse(&p, spiky());
	mp_plot_model m;
	mp_plot_opts o = {.has_tmin = 1, .tmin = 1, .has_tmax = 1, .tmax = 5};
	build(&m, &p, &o);
	CLOSE(m.tmin, 1);
	CLOSE(m.tmax, 5);
	/* 11 to 15 MiB inside, the spike left out: from 0 the data would have less than half the
	 * height, so the axis fits it: 11 less 5% of the spread, down to the 0.5 MiB step, up to
	 * 15 + 8% of the range, rounded up. */
	CLOSE(m.mmin, 10.5);
	CLOSE(m.mmax, 15.5);
	/* The samples inside, and the nearest outside each end so the line reaches the edges. */
	assert_int_equal(m.files[0].curve.kind, MP_CURVE_LINE);
	assert_int_equal(m.files[0].curve.npts, 7);
	CLOSE(m.files[0].curve.pts[1].x, m.x0);
	CLOSE(m.files[0].curve.pts[1].y, Y(&m, 11));
	CLOSE(m.files[0].curve.pts[5].x, m.x1);
	/* The call is outside: a bracket with neither end drawn. */
	assert_int_equal(m.functions, MP_FUNCS_BRACKETS);
	assert_int_equal(m.nbrackets, 1);
	assert_false(m.brackets[0].has_open || m.brackets[0].has_close);
	/* The peak (the spike) is outside: not marked. */
	assert_false(m.files[0].has_peak);
	mp_plot_model_release(&m);

	/* Open windows: "2," to the end, ",3" from the start. */
	mp_plot_opts a = {.has_tmin = 1, .tmin = 2};
	build(&m, &p, &a);
	CLOSE(m.tmin, 2);
	CLOSE(m.tmax, 10);
	assert_true(m.mmax > 500); /* the spike is in */
	assert_true(m.files[0].has_peak && m.files[0].peak_mem == 500);
	mp_plot_model_release(&m);
	mp_plot_opts b = {.has_tmax = 1, .tmax = 3};
	build(&m, &p, &b);
	CLOSE(m.tmin, 0);
	CLOSE(m.tmax, 3);
	mp_plot_model_release(&m);
	/* A window after the end still spans a second. */
	mp_plot_opts c = {.has_tmin = 1, .tmin = 20};
	build(&m, &p, &c);
	CLOSE(m.tmin, 20);
	CLOSE(m.tmax, 21);
	assert_int_equal(m.files[0].curve.npts, 1); /* the last sample, before the window */
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__legend_keys_name_colour_and_kind(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	mp_plot_model m;
	mp_plot_opts o = {0};
	build(&m, &p, &o);
	static const struct {
		mp_plot_key_kind kind;
		uint32_t color;
		const char *text;
	} want[] = {
		{MP_KEY_LINE, 0x1f77b4, "memory (5 samples)"},
		{MP_KEY_LINE, 0x17becf, "child 4243"},
		{MP_KEY_LINE, 0xbcbd22, "child 4250"},
		{MP_KEY_BAND, 0x1f77b4, "true peak between samples"},
		{MP_KEY_LINE, 0, "my func: 1 call, 0.090 s"}, /* colour: fn_colors[0] */
		{MP_KEY_LINE, 1, "work: 2 calls, 0.285 s"},
		{MP_KEY_BOX, 0x56b4e9, "GC gen 0: 1 run, 10.0 ms"},
		{MP_KEY_BOX, 0xd55e00, "GC gen 2+: 1 run, 30.0 ms"},
		{MP_KEY_TEXT, 0x222222, "exited with status 0 at 0.41 s"},
	};
	assert_int_equal(m.nkeys, 9);
	assert_int_equal(m.shown, 9);
	assert_int_equal(m.more, 0);
	for (size_t i = 0; i < m.nkeys; i++) {
		assert_int_equal(m.keys[i].kind, want[i].kind);
		assert_true(m.keys[i].shown);
		if (m.keys[i].role == MP_ROLE_FUNC)
			assert_int_equal(m.keys[i].color, m.fn_colors[want[i].color]);
		else
			assert_int_equal(m.keys[i].color, want[i].color);
		assert_string_equal(m.keys[i].text, want[i].text);
		assert_string_equal(m.keys[i].label, want[i].text);
		CLOSE(m.keys[i].y, m.y0 + 4 + 17 * (double)i + 8.5);
	}
	CLOSE(m.legend.h, 9 * 17 + 8);
	mp_plot_model_release(&m);
	/* With the flame lane, functions are boxes; with -n, they are not listed. */
	o.flame = 1;
	build(&m, &p, &o);
	assert_int_equal(m.keys[4].kind, MP_KEY_BOX);
	mp_plot_model_release(&m);
	mp_plot_opts n = {.no_functions = 1};
	build(&m, &p, &n);
	assert_int_equal(m.nkeys, 7);
	assert_int_equal(m.functions, MP_FUNCS_NONE);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__a_long_legend_ends_with_and_n_more(void **state)
{
	(void)state;
	long before = live;
	char text[8192] = "CMDLINE many functions\nMEM 1 100\nMEM 2 101\n";
	for (int i = 0; i < 40; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, "FUNC f%02d 1 %d.1 1 %d.2 0\n", i, 100, 100);
	}
	mp_profile p;
	parse(&p, text);
	mp_plot_model m;
	mp_plot_opts o = {0};
	build(&m, &p, &o);
	/* 41 entries; (454 - 40 - 10) / 17 = 23.7 rows fit: 22 entries, then "and 19 more
	 * functions", for which the legend is wide enough. */
	assert_int_equal(m.nkeys, 41);
	assert_int_equal(m.shown, 23);
	assert_int_equal(m.more, 41 - 23 + 1);
	assert_string_equal(m.keys[21].label, "f20: 1 call, 0.100 s");
	assert_string_equal(m.keys[22].label, "and 19 more functions");
	assert_string_equal(m.keys[22].text, "f21: 1 call, 0.100 s");
	assert_false(m.keys[23].shown);
	CLOSE(m.legend.h, 23 * 17 + 8);
	mp_plot_model_release(&m);
	/* A legend narrower than its entries: a third of the picture, entries cut from the
	 * left ("...tail") to fit. */
	char name[200] = "CMDLINE x\nMEM 1 1\nMEM 2 2\nFUNC ";
	memset(name + strlen(name), 'a', 100);
	strcat(name, " 1 1.1 1 1.2 0\n");
	mp_profile q;
	parse(&q, name);
	build(&m, &q, &o);
	CLOSE(m.x1, 1000 - 340 - 16);
	assert_int_equal(m.nkeys, 2);
	assert_true(!strncmp(m.keys[1].label, "...", 3));
	assert_true(6 * (double)strlen(m.keys[1].label) <= m.legend.w - 36);
	assert_true(6 * (double)(strlen(m.keys[1].label) + 1) > m.legend.w - 36);
	const char *tail = "aaa: 1 call, 0.100 s", *label = m.keys[1].label;
	assert_string_equal(label + strlen(label) - strlen(tail), tail);
	mp_plot_model_release(&m);
	mp_profile_release(&q);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__trend_line_of_a_linear_profile(void **state)
{
	(void)state;
	long before = live;
	/* 10 + 2t MiB for t = 0..9 s: slope 2 MiB/s, intercept 10 MiB. */
	char text[1024] = "CMDLINE linear\n";
	for (int i = 0; i < 10; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "MEM %d %d\n", 10 + 2 * i, 5000 + i);
	}
	mp_profile p;
	parse(&p, text);
	mp_plot_model m;
	mp_plot_opts o = {.slope = 1};
	build(&m, &p, &o);
	const mp_plot_file *f = &m.files[0];
	assert_true(f->has_trend);
	assert_true(fabs(f->slope - 2) < 1e-9);
	assert_true(fabs(f->intercept - 10) < 1e-9);
	assert_string_equal(m.keys[0].text, "memory (10 samples) slope 2.00000 MiB/s");
	/* Across the plot, from the line's value at its left edge to its right one. */
	CLOSE(f->trend[0].x, m.x0);
	CLOSE(f->trend[1].x, m.x1);
	CLOSE(f->trend[0].y, Y(&m, 10));
	CLOSE(f->trend[1].y, Y(&m, 10 + 2 * 9));
	mp_plot_model_release(&m);
	/* Inside a window, the same line (fitted on every sample), cut at the window. */
	mp_plot_opts w = {.slope = 1, .has_tmin = 1, .tmin = 2, .has_tmax = 1, .tmax = 4};
	build(&m, &p, &w);
	assert_true(fabs(m.files[0].slope - 2) < 1e-9);
	CLOSE(m.files[0].trend[0].y, Y(&m, 14));
	CLOSE(m.files[0].trend[1].y, Y(&m, 18));
	mp_plot_model_release(&m);
	/* Without -s, or with a single sample: no trend. */
	mp_plot_opts none = {0};
	build(&m, &p, &none);
	assert_false(m.files[0].has_trend);
	assert_string_equal(m.keys[0].text, "memory (10 samples)");
	mp_plot_model_release(&m);
	mp_profile one;
	parse(&one, "MEM 5 100\n");
	build(&m, &one, &o);
	assert_false(m.files[0].has_trend);
	assert_int_equal(m.files[0].curve.kind, MP_CURVE_DOT);
	assert_int_equal(m.files[0].curve.ndots, 1);
	CLOSE(m.tmax - m.tmin, 1); /* one sample spans a second */
	mp_plot_model_release(&m);
	mp_profile_release(&one);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__dense_curves_become_bars_that_keep_every_extreme(void **state)
{
	(void)state;
	long before = live;
	/* 100,000 samples between 40 and 50 MiB, one spike of 95.5 MiB. */
	size_t n = 100000;
	char *text = malloc(n * 40 + 64), *s = text;
	s += sprintf(s, "CMDLINE many\n");
	srand(5);
	for (size_t i = 0; i < n; i++) {
		double mem = i == 71111 ? 95.5 : 40 + (rand() % 1000) / 100.0;
		s += sprintf(s, "MEM %.6f %.6f\n", mem, 1000 + (double)i * 0.01);
	}
	mp_profile p;
	parse(&p, text);
	free(text);
	mp_plot_model m;
	mp_plot_opts o = {.title = ""};
	build(&m, &p, &o);
	assert_false(m.has_title);
	const mp_plot_curve *c = &m.files[0].curve;
	assert_int_equal(c->kind, MP_CURVE_BARS);
	assert_true(c->ndecimated <= 4 * (size_t)m.columns + 2);
	assert_true(c->nbars <= (size_t)m.columns + 2 && c->nbars >= (size_t)m.columns);
	/* Bars one device pixel wide, side by side; the highest reaches the spike, the
	 * others stay under the second highest sample (49.99 MiB); none below 40 MiB. */
	double top = INFINITY, spike_x = X(&m, 711.11);
	for (size_t i = 0; i < c->nbars; i++) {
		const mp_plot_rect *b = &c->bars[i];
		CLOSE(b->w, 1);
		if (i)
			CLOSE(b->x, c->bars[i - 1].x + 1);
		top = fmin(top, b->y);
		if (fabs(b->x - spike_x) > 2)
			assert_true(b->y >= Y(&m, 49.99) - c->width / 2 - 1e-9);
		assert_true(b->y + b->h <= Y(&m, 40) + c->width / 2 + 1e-9);
	}
	CLOSE(top, Y(&m, 95.5) - c->width / 2);
	/* The peak: exact, marked, labelled. */
	const mp_plot_file *f = &m.files[0];
	assert_true(f->has_peak && f->peak_mem == 95.5);
	CLOSE(f->peak_t, 711.11);
	CLOSE(f->peak.x, spike_x);
	assert_string_equal(f->peak_label.text, "peak 95.5 MiB at 711.11 s");
	mp_plot_model_release(&m);
	mp_profile_release(&p);

	/* Sparse: a line through every sample, round joins, a dot on each. */
	parse(&p, "MEM 1 100\nMEM 3 101\nMEM 2 102\nMEM 5 103\n");
	mp_plot_opts d = {0};
	build(&m, &p, &d);
	c = &m.files[0].curve;
	assert_int_equal(c->kind, MP_CURVE_LINE);
	assert_true(c->round_joins);
	assert_int_equal(c->npts, 4);
	assert_int_equal(c->ndots, 4);
	CLOSE(c->pts[2].x, X(&m, 2));
	CLOSE(c->pts[2].y, Y(&m, 2));
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__flame_lane_geometry(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	read_fixture(&p, "mp_python.dat");
	mp_plot_model m;
	mp_plot_opts o = {.flame = 1};
	build(&m, &p, &o);
	assert_int_equal(m.functions, MP_FUNCS_LANE);
	assert_int_equal(m.nbrackets, 0);
	/* Two levels of 17 px under the plot, which gives up their height. */
	assert_int_equal(m.lane_levels, 2);
	CLOSE(m.y1, 500 - 46 - (2 * 17 + 8));
	CLOSE(m.lane_y0, m.y1 + 6);
	CLOSE(m.lane_y1, m.lane_y0 + 34);
	CLOSE(m.time_axis.ticks[0].at.y, m.lane_y1 + 15); /* time labels under the lane */
	/* A box per call, at its level (0 at the bottom), as long as it lasted, less a pixel. */
	assert_int_equal(m.nlane, p.ncalls);
	for (size_t i = 0; i < m.nlane; i++) {
		const mp_call *c = &p.calls[i];
		const mp_plot_lane_box *b = &m.lane[i];
		assert_int_equal(b->color, m.fn_colors[c->fn]);
		CLOSE(b->box.x, X(&m, c->t0 - p.t_first));
		CLOSE(b->box.w, X(&m, c->t1 - p.t_first) - b->box.x - 1);
		CLOSE(b->box.y, m.lane_y1 - (c->level + 1) * 17 + 1);
		CLOSE(b->box.h, 15);
		/* Named when the name fits (6 px a byte and 6 px of margin), else its last
		 * dotted part, else not at all. */
		const char *name = p.fnames[c->fn], *dot = strrchr(name, '.');
		double room = b->box.w + 1;
		if (6 * (double)strlen(name) + 6 <= room)
			assert_string_equal(b->label, name);
		else if (dot && 6 * (double)strlen(dot + 1) + 6 <= room)
			assert_string_equal(b->label, dot + 1);
		else
			assert_null(b->label);
		if (b->label) {
			CLOSE(b->at.x, b->box.x + 3);
			CLOSE(b->at.y, b->box.y - 1 + 17 - 5);
		}
	}
	mp_plot_model_release(&m);
	/* A short picture keeps the lane to 40% of its height: one level here. */
	o.height = 150;
	build(&m, &p, &o);
	assert_int_equal(m.lane_levels, 1);
	for (size_t i = 0; i < m.nlane; i++)
		CLOSE(m.lane[i].box.y, m.lane_y1 - 17 + 1);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__gc_spans_marks_brackets_and_peak(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	mp_plot_model m;
	mp_plot_opts o = {0};
	build(&m, &p, &o);
	/* GC runs: a thin guide line at each start, in its generation's colour. */
	assert_int_equal(m.ngcs, 2);
	assert_int_equal(m.gcs[0].gen, 0);
	assert_int_equal(m.gcs[0].color, 0x56b4e9);
	CLOSE(m.gcs[0].x, X(&m, 0.11));
	CLOSE(m.gcs[0].w, 1);
	assert_int_equal(m.gcs[1].gen, 2);
	assert_int_equal(m.gcs[1].color, 0xd55e00);
	/* The mark, labelled right of its line. */
	assert_int_equal(m.nmarks, 1);
	assert_string_equal(m.marks[0].name, "half%way");
	assert_true(fabs(m.marks[0].x - X(&m, 0.15)) < 1e-6);
	CLOSE(m.marks[0].at.x, m.marks[0].x + 3);
	CLOSE(m.marks[0].at.y, m.y0 + 12);
	/* Brackets at each end of each call, at the call's own memory (as memory_profiler's), not
	 * at the sampled curve, in its function's colour. "work" 0.05-0.25 s: 20 MiB at entry
	 * (the curve says 15 there), 30 at exit (the curve says 22.5). */
	assert_int_equal(m.nbrackets, 3);
	for (size_t i = 0; i < 3; i++) {
		const mp_call *c = &p.calls[i];
		assert_true(m.brackets[i].has_open && m.brackets[i].has_close);
		assert_int_equal(m.brackets[i].color, m.fn_colors[c->fn]);
		assert_true(fabs(m.brackets[i].open.x - X(&m, c->t0 - p.t_first)) < 1e-6);
	}
	assert_string_equal(p.fnames[p.calls[0].fn], "work");
	assert_true(fabs(m.brackets[0].open.y - Y(&m, 20)) < 1e-6);
	assert_true(fabs(m.brackets[0].close.y - Y(&m, 30)) < 1e-6);
	/* The true peak, 50 MiB at 0.2 s: a red dot, a line across, a label right and above. */
	const mp_plot_file *f = &m.files[0];
	assert_true(f->has_peak && f->peak_line);
	assert_int_equal(f->peak_color, 0xd62728);
	CLOSE(f->peak_mem, 50);
	assert_true(fabs(f->peak_t - 0.2) < 1e-9);
	assert_string_equal(f->peak_label.text, "peak 50.0 MiB at 0.20 s");
	CLOSE(f->peak_label.x, f->peak.x + 8);
	CLOSE(f->peak_label.y, f->peak.y - 7);
	CLOSE(f->peak_halo.w, 23 * 7 + 4);
	/* The band under it: from the line between the samples at 0.1 and 0.2 s up to 50. */
	assert_int_equal(f->nbands, 2);
	assert_true(fabs(f->bands[0].x0 - X(&m, 0.1)) < 1e-6);
	CLOSE(f->bands[0].y_peak, Y(&m, 50));
	CLOSE(f->bands[0].y_a, Y(&m, 20));
	CLOSE(f->bands[0].y_b, Y(&m, 30));
	/* The children: a curve each, in their own colours. */
	assert_int_equal(f->nchildren, 2);
	assert_int_equal(f->children[0].color, 0x17becf);
	assert_int_equal(f->children[0].npts, 2);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__several_files_share_the_axes_and_drop_the_details(void **state)
{
	(void)state;
	long before = live;
	mp_profile a, b;
	read_fixture(&a, "ours_full.dat");
	read_fixture(&b, "mp_python.dat");
	const mp_profile *pp[] = {&a, &b};
	const char *names[] = {"x/ours_full.dat", "mp_python.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 2, &o, 2, fixed_width, NULL), 0);
	assert_false(m.has_title);
	assert_int_equal(m.functions, MP_FUNCS_NONE);
	assert_int_equal(m.ngcs + m.nmarks + m.nbrackets + m.nlane, 0);
	/* The longer file sets the time axis; each is named by its base name and, since they ran
	 * different commands, its command. */
	CLOSE(m.tmax, b.t_last - b.t_first);
	assert_string_equal(m.keys[0].text, "ours_full.dat (./memfix 'a b' c)");
	assert_true(!strncmp(m.keys[3].text, "mp_python.dat (", 15));
	assert_int_equal(m.keys[3].color, 0x222222);
	/* Each peak in its file's colour, without the line across. */
	assert_int_equal(m.files[1].peak_color, 0x222222);
	assert_false(m.files[1].peak_line);
	/* Device pixels: twice the columns. */
	assert_int_equal(m.columns, (int)((m.x1 - m.x0) * 2));
	CLOSE(m.mem_axis.ticks[1].grid, floor(m.mem_axis.ticks[1].pos * 2) / 2 + 0.25);
	mp_plot_model_release(&m);
	mp_profile_release(&a);
	mp_profile_release(&b);
	assert_int_equal(live, before);
}

static void test_plot_model__refuses_nothing_to_plot_and_bad_sizes(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	parse(&p, "CMDLINE x\n");
	const mp_profile *pp[] = {&p};
	const char *names[] = {"x.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 1, &o, 1, NULL, NULL), MP_ENOSAMPLES);
	assert_int_equal(mp_plot_check(pp, 1, &o), MP_ENOSAMPLES);
	mp_profile_release(&p);
	parse(&p, "MEM 1 1\n");
	mp_plot_opts sizes[] = {{.width = 199}, {.height = 149}, {.width = 20001}, {.height = 20001}};
	for (int i = 0; i < 4; i++)
		assert_int_equal(mp_plot_model_init(&m, pp, names, 1, &sizes[i], 1, NULL, NULL),
				 MP_EBADSIZE);
	mp_plot_opts edge = {.width = 200, .height = 150};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 1, &edge, 1, NULL, NULL), 0);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

/* Without a measure, the estimate (0.6 em a character) lays text out: nothing is needed
 * from a font to build the model. The painter's measure is asked for each text once. */
static void test_plot_model__text_is_measured_by_the_callback_or_estimated(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	const mp_profile *pp[] = {&p};
	const char *names[] = {"x.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 1, &o, 1, NULL, NULL), 0);
	/* 30 characters at 10.5 px: the longest entry's 189 px, + 40. */
	CLOSE(m.x1, 1000 - (30 * 10.5 * 0.6 + 40) - 16);
	mp_plot_model_release(&m);
	measured = 0;
	build(&m, &p, &o);
	assert_true(measured > 0 && measured < 60);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
}

static void test_plot_model__out_of_memory_at_any_allocation_leaks_nothing(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	const mp_profile *pp[] = {&p, &p};
	const char *names[] = {"a.dat", "b.dat"};
	mp_plot_opts opts[] = {{.slope = 1}, {.flame = 1}};
	for (int k = 0; k < 2; k++) {
		size_t n = k ? 1 : 2; /* two files; one with a lane */
		int rc = -ENOMEM;
		for (long at = 1; rc == -ENOMEM; at++) {
			mp_plot_model m;
			long before = live;
			fail_at = at;
			alloc_calls = 0;
			rc = mp_plot_model_init(&m, pp, names, n, &opts[k], 1, fixed_width, NULL);
			fail_at = 0;
			if (rc == 0) {
				assert_true(at > 3);
				mp_plot_model_release(&m);
			} else {
				assert_int_equal(rc, -ENOMEM);
			}
			assert_int_equal(live, before);
		}
	}
	mp_profile_release(&p);
}

/* 10 s of samples at 100 MiB; collections of each generation, one lasting no time, one at the
 * very end (the program's exit). */
static const char *collections(void)
{
	static char text[4096];
	strcpy(text, "CMDLINE gc\n");
	for (int i = 0; i <= 10; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "MEM 100 %d.0\n", 1000 + i);
	}
	strcat(text, "GC 0 100 1001.000000 100 1001.000000 5 0 10 1\n"   /* no time at all */
		     "GC 1 100 1002.000000 98 1003.000000 400 0 10 1\n"  /* 1 s, freed 2 MiB */
		     "GC 0 100 1004.000000 100 1004.500000 7 0 10 1\n"
		     "GC 2 100 1010.000000 90 1010.000000 9000 1 10 1\n"); /* at exit */
	return text;
}

static void test_plot_model__gc_lane_bars_have_position_width_and_generation(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	parse(&p, collections());
	mp_plot_model m;
	mp_plot_opts o = {0};
	build(&m, &p, &o);
	/* The lane under the plot, above the time labels. */
	CLOSE(m.gc_y0, m.y1 + 4);
	CLOSE(m.gc_y1, m.gc_y0 + MP_PLOT_GC_LANE);
	CLOSE(m.time_axis.ticks[0].at.y, m.gc_y1 + 15);
	/* By generation, then time. */
	assert_int_equal(m.ngc_bars, 4);
	const mp_plot_gc_bar *b = m.gc_bars;
	int gens[] = {0, 0, 1, 2};
	double row = m.gc_y1 - 1 - m.gc_bar_y0;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(b[i].gen, gens[i]);
		assert_int_equal(b[i].color, mp_plot_gc_color(gens[i]));
		assert_int_equal(b[i].runs, 1);
		assert_true(b[i].box.w >= MP_PLOT_GC_MIN_W - 1e-9);
		/* Taller for older generations, standing on the lane's bottom. */
		CLOSE(b[i].box.h, row * (gens[i] + 1) / 3);
		CLOSE(b[i].box.y + b[i].box.h, m.gc_y1 - 1);
		assert_true(b[i].box.x >= m.x0 && b[i].box.x + b[i].box.w <= m.x1 + 1e-9);
	}
	/* The instant one: 2 px at its time. */
	CLOSE(b[0].box.x, X(&m, 1));
	CLOSE(b[0].box.w, 2);
	/* Half a second: as wide as it lasted. */
	CLOSE(b[1].box.x, X(&m, 4));
	CLOSE(b[1].box.w, X(&m, 4.5) - X(&m, 4));
	assert_true(b[1].box.w > 20);
	/* Generation 1, one second, freed 400 objects and 2 MiB: labelled so, centred. */
	CLOSE(b[2].box.x, X(&m, 2));
	CLOSE(b[2].box.w, X(&m, 3) - X(&m, 2));
	assert_true(b[2].has_label);
	assert_string_equal(b[2].label, "400 obj, 2.0 MiB");
	CLOSE(b[2].at.x, X(&m, 2.5) - 16 * 6 / 2.0);
	assert_true(b[2].at.y > m.gc_y0 && b[2].at.y < m.gc_bar_y0);
	CLOSE(b[2].freed, 2);
	/* At exit, on the plot's right edge: kept whole inside it. */
	CLOSE(b[3].box.x + b[3].box.w, m.x1);
	CLOSE(b[3].box.w, 2);
	assert_true(b[3].has_label);
	assert_string_equal(b[3].label, "9000 obj, 10.0 MiB");
	assert_true(b[3].at.x + 18 * 6 <= m.x1 + 1e-9);
	/* Labels never overlap. */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (b[i].has_label && b[j].has_label)
				assert_true(b[i].at.x + 6 * (double)strlen(b[i].label) <= b[j].at.x ||
					    b[j].at.x + 6 * (double)strlen(b[j].label) <= b[i].at.x);
	mp_plot_model_release(&m);

	/* Thousands of collections: one bar per generation and pixel, counting them all. */
	char *many = malloc(400000);
	strcpy(many, "MEM 1 1000\nMEM 1 1010\n");
	size_t len = strlen(many);
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(many + len, 400000 - len,
					"GC %d 1 %.6f 1 %.6f 1 0 1 1\n", i % 7 ? 0 : 2,
					1000 + i * 0.002, 1000 + i * 0.002 + 1e-5);
	mp_profile q;
	parse(&q, many);
	build(&m, &q, &o);
	size_t runs = 0;
	for (size_t i = 0; i < m.ngc_bars; i++) {
		runs += m.gc_bars[i].runs;
		assert_true(m.gc_bars[i].box.w >= 2 - 1e-9);
	}
	assert_int_equal(runs, 5000);
	assert_true(m.ngc_bars < 2 * (size_t)(m.x1 - m.x0));
	mp_plot_model_release(&m);
	mp_profile_release(&q);
	free(many);

	/* A profile without GC lines: no lane. */
	read_fixture(&q, "mp_python.dat");
	build(&m, &q, &o);
	assert_int_equal(m.ngc_bars, 0);
	CLOSE(m.gc_y1 - m.gc_y0, 0);
	mp_plot_model_release(&m);
	mp_profile_release(&q);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

/* An overlay: a GC row for each profile that has collections, in the files' order, stacked
 * under the plot, each marked by its profile's colour and holding only that profile's bars;
 * one legend entry per generation gives each row's runs and time. */
static void test_plot_model__overlays_have_a_gc_row_per_profile(void **state)
{
	(void)state;
	long before = live;
	mp_profile a, none, c;
	parse(&a, collections());
	read_fixture(&none, "mp_python.dat");
	parse(&c, "CMDLINE other\nMEM 50 2000\nMEM 60 2010\n"
		  "GC 0 60 2005.000000 55 2005.250000 77 0 10 1\n");
	const mp_profile *pp[] = {&a, &none, &c};
	const char *names[] = {"a.dat", "none.dat", "c.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 3, &o, 1, fixed_width, NULL), 0);
	assert_int_equal(m.ngc_rows, 2);
	assert_int_equal(m.gc_rows[0].file, 0);
	assert_int_equal(m.gc_rows[1].file, 2);
	assert_int_equal(m.gc_rows[0].color, m.files[0].color);
	assert_int_equal(m.gc_rows[1].color, m.files[2].color);
	CLOSE(m.gc_y0, m.y1 + 4);
	CLOSE(m.gc_y1, m.gc_y0 + 2 * MP_PLOT_GC_LANE);
	CLOSE(m.gc_rows[0].y0, m.gc_y0);
	CLOSE(m.gc_rows[1].y0, m.gc_rows[0].y1);
	CLOSE(m.gc_rows[1].y1, m.gc_y1);
	CLOSE(m.time_axis.ticks[0].at.y, m.gc_y1 + 15);
	size_t per_row[2] = {0, 0};
	for (size_t i = 0; i < m.ngc_bars; i++) {
		const mp_plot_gc_bar *b = &m.gc_bars[i];
		const mp_plot_gc_row *row = &m.gc_rows[b->row];
		per_row[b->row] += b->runs;
		assert_true(b->box.w >= MP_PLOT_GC_MIN_W - 1e-9);
		CLOSE(b->box.y + b->box.h, row->y1 - 1);
		assert_true(b->box.y >= row->bar_y0 - 1e-9);
		if (b->has_label)
			assert_true(b->at.y > row->y0 && b->at.y < row->bar_y0);
	}
	assert_int_equal(per_row[0], 4);
	assert_int_equal(per_row[1], 1);
	/* The second profile's collection: a quarter second, 5 s into its run. */
	const mp_plot_gc_bar *last = &m.gc_bars[m.ngc_bars - 1];
	assert_int_equal(last->row, 1);
	CLOSE(last->box.x, X(&m, 5));
	CLOSE(last->box.w, X(&m, 5.25) - X(&m, 5));
	const char *want[] = {"GC gen 0: 2 + 1 runs, 500.0 + 250.0 ms",
			      "GC gen 1: 1 + 0 runs, 1000.0 + 0.0 ms",
			      "GC gen 2+: 1 + 0 runs, 0.0 + 0.0 ms"};
	size_t found = 0;
	for (size_t k = 0; k < m.nkeys; k++) {
		if (m.keys[k].role != MP_ROLE_GC)
			continue;
		assert_true(found < 3);
		assert_string_equal(m.keys[k].text, want[found]);
		assert_int_equal(m.keys[k].gen, (int)found);
		found++;
	}
	assert_int_equal(found, 3);
	mp_plot_model_release(&m);
	mp_profile_release(&a);
	mp_profile_release(&none);
	mp_profile_release(&c);
	assert_int_equal(live, before);
}

static void test_plot_model__legend_never_drops_gc_entries(void **state)
{
	(void)state;
	long before = live;
	static char text[16384];
	strcpy(text, "CMDLINE many\nMEM 1 100\nMEM 2 101\n"
		     "GC 0 1 100.1 1 100.2 1 0 1 1\nGC 1 1 100.3 1 100.4 1 0 1 1\n"
		     "GC 2 1 100.5 1 100.6 1 0 1 1\nEXIT 0 101\n");
	for (int i = 0; i < 40; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, "FUNC f%02d 1 100.1 1 100.2 0\n", i);
	}
	mp_profile p;
	parse(&p, text);
	mp_plot_opts o = {0};
	mp_plot_model m;
	int heights[] = {500, 300, 150};
	for (int h = 0; h < 3; h++) {
		o.height = heights[h];
		build(&m, &p, &o);
		size_t gc = 0, funcs = 0;
		for (size_t i = 0; i < m.nkeys; i++) {
			const mp_plot_key *k = &m.keys[i];
			if (k->role == MP_ROLE_GC || k->role == MP_ROLE_CURVE || k->role == MP_ROLE_EXIT)
				assert_true(k->shown);
			gc += k->role == MP_ROLE_GC && k->shown;
			if (k->role == MP_ROLE_FUNC && k->shown && k->kind != MP_KEY_TEXT)
				funcs++;
		}
		assert_int_equal(gc, 3);
		/* The functions that fit, then one row saying how many did not. */
		assert_true(m.more > 0);
		assert_int_equal(funcs + m.more, 40);
		char want[64];
		snprintf(want, sizeof want, "and %zu more functions", m.more);
		int found = 0;
		for (size_t i = 0; i < m.nkeys; i++)
			found |= m.keys[i].shown && !strcmp(m.keys[i].label, want);
		assert_true(found);
		/* Shown rows one under the other, the GC entries after the functions. */
		double y = 0;
		for (size_t i = 0; i < m.nkeys; i++)
			if (m.keys[i].shown) {
				assert_true(m.keys[i].y > y);
				y = m.keys[i].y;
			}
		CLOSE(m.legend.h, (double)m.shown * 17 + 8);
		mp_plot_model_release(&m);
	}
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__function_colours_do_not_repeat(void **state)
{
	(void)state;
	long before = live;
	static char text[16384];
	strcpy(text, "CMDLINE x\nMEM 1 100\nMEM 2 101\n");
	for (int i = 0; i < 60; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, "FUNC mod.func_%d 1 100.1 1 100.2 0\n", i);
	}
	mp_profile p;
	parse(&p, text);
	mp_plot_opts o = {0};
	mp_plot_model m;
	build(&m, &p, &o);
	for (size_t i = 0; i < 60; i++)
		for (size_t j = i + 1; j < 60; j++)
			if (m.fn_colors[i] == m.fn_colors[j])
				fail_msg("functions %zu and %zu share %06x", i, j, m.fn_colors[i]);
	uint32_t first = m.fn_colors[7];
	mp_plot_model_release(&m);
	/* A function keeps its colour in another profile where it is alone. */
	mp_profile q;
	parse(&q, "MEM 1 100\nMEM 2 101\nFUNC mod.func_7 1 100.1 1 100.2 0\n");
	build(&m, &q, &o);
	assert_int_equal(m.fn_colors[0], first);
	mp_plot_model_release(&m);
	mp_profile_release(&q);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

/* An 8 MiB leak on a 2,000 MiB process. */
static const char *leak(void)
{
	static char text[8192];
	strcpy(text, "CMDLINE big\n");
	for (int i = 0; i <= 100; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "MEM %.6f %.2f\n", 2000 + 0.08 * i, 1000 + 0.1 * i);
	}
	return text;
}

static void test_plot_model__autoscale_shows_a_leak_on_a_large_base(void **state)
{
	(void)state;
	long before = live;
	mp_profile p;
	parse(&p, leak());
	mp_plot_model m;
	mp_plot_opts o = {0};
	/* The creep spans most of the height, with or without -s or a window. */
	mp_plot_opts variants[] = {{0}, {.slope = 1}, {.has_tmin = 1, .tmin = 2}};
	for (int v = 0; v < 3; v++) {
		build(&m, &p, &variants[v]);
		double lo = v == 2 ? 2001.6 : 2000, hi = 2008;
		assert_true(m.mmin <= lo && m.mmin > lo - 2);
		assert_true(m.mmax >= hi && m.mmax < hi + 2);
		assert_true(Y(&m, lo) - Y(&m, hi) > 0.6 * (m.y1 - m.y0));
		mp_plot_model_release(&m);
	}
	/* --ylim: both ends, or one with the other automatic; "0," is the old axis from 0. */
	o = (mp_plot_opts){.has_mmin = 1, .mmin = 1990, .has_mmax = 1, .mmax = 2020};
	build(&m, &p, &o);
	CLOSE(m.mmin, 1990);
	CLOSE(m.mmax, 2020);
	mp_plot_model_release(&m);
	o = (mp_plot_opts){.has_mmin = 1, .mmin = 0};
	build(&m, &p, &o);
	CLOSE(m.mmin, 0);
	assert_true(m.mmax >= 2008);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	/* Memory that rises from little: the axis still starts at 0. */
	parse(&p, "MEM 20 1\nMEM 50 2\n");
	build(&m, &p, &o);
	mp_plot_opts none = {0};
	mp_plot_model_release(&m);
	build(&m, &p, &none);
	CLOSE(m.mmin, 0);
	mp_plot_model_release(&m);
	mp_profile_release(&p);
	assert_int_equal(live, before);
}

static void test_plot_model__overlays_are_told_apart(void **state)
{
	(void)state;
	long before = live;
	mp_profile a, b;
	parse(&a, "CMDLINE python3 exp6.py\nMEM 10 1\nMEM 50 2\nPEAK 60 2\nMEM 20 3\n");
	parse(&b, "CMDLINE python3 exp6.py\nMEM 10 5\nMEM 51 6\nPEAK 61 6\nMEM 20 7\n");
	const mp_profile *pp[] = {&a, &b, &a};
	const char *names[] = {"c/exp6_auto.dat", "python/exp6_auto.dat", "c/exp6_auto.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 3, &o, 1, fixed_width, NULL), 0);
	/* Same base name: the directory tells them apart; the same file twice: its index. */
	assert_string_equal(m.keys[0].text, "c/exp6_auto.dat #1");
	assert_string_equal(m.keys[1].text, "python/exp6_auto.dat");
	assert_string_equal(m.keys[2].text, "c/exp6_auto.dat #3");
	/* The band's swatch: a stripe in each profile's colour. */
	assert_int_equal(m.keys[3].kind, MP_KEY_BAND);
	assert_int_equal(m.keys[3].ncolors, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(m.keys[3].colors[i], m.files[i].color);
	/* Peaks at nearly the same place: labels that do not overlap, inside the plot. */
	for (int i = 0; i < 3; i++) {
		const mp_plot_rect *r = &m.files[i].peak_halo;
		assert_true(m.files[i].has_peak);
		assert_true(r->x >= m.x0 && r->x + r->w <= m.x1 && r->y >= m.y0 - 1e-9);
		for (int j = 0; j < i; j++) {
			const mp_plot_rect *q = &m.files[j].peak_halo;
			assert_true(r->x + r->w <= q->x || q->x + q->w <= r->x ||
				    r->y + r->h <= q->y || q->y + q->h <= r->y);
		}
	}
	mp_plot_model_release(&m);
	mp_profile_release(&a);
	mp_profile_release(&b);
	assert_int_equal(live, before);
}

/* Labels too long for the legend keep their start, the file that tells them apart, and lose
 * the end of their command. */
static void test_plot_model__long_overlay_labels_keep_their_file(void **state)
{
	(void)state;
	long before = live;
	mp_profile a, b;
	parse(&a, "CMDLINE /a/very/long/build/directory/examples/exp6_auto --mib 32 --hold 1\n"
		  "MEM 10 1\nMEM 50 2\n");
	parse(&b, "CMDLINE /usr/bin/python3 /a/very/long/source/directory/examples/exp6.py\n"
		  "MEM 10 5\nMEM 51 6\n");
	const mp_profile *pp[] = {&a, &b};
	const char *names[] = {"c/exp6_auto.dat", "python/exp6_auto.dat"};
	mp_plot_model m;
	mp_plot_opts o = {0};
	assert_int_equal(mp_plot_model_init(&m, pp, names, 2, &o, 1, fixed_width, NULL), 0);
	assert_true(m.keys[0].shown && m.keys[1].shown);
	assert_true(strncmp(m.keys[0].label, "c/exp6_auto.dat (/a/", 20) == 0);
	assert_true(strncmp(m.keys[1].label, "python/exp6_auto.dat (/usr/", 27) == 0);
	assert_true(strlen(m.keys[1].label) < strlen(m.keys[1].text)); /* it was shortened */
	assert_string_equal(m.keys[1].label + strlen(m.keys[1].label) - 3, "...");
	mp_plot_model_release(&m);
	mp_profile_release(&a);
	mp_profile_release(&b);
	assert_int_equal(live, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plot_model__ranges_ticks_and_layout_of_a_known_profile),
		cmocka_unit_test(test_plot_model__the_window_sets_the_time_range_and_fits_memory_to_it),
		cmocka_unit_test(test_plot_model__legend_keys_name_colour_and_kind),
		cmocka_unit_test(test_plot_model__a_long_legend_ends_with_and_n_more),
		cmocka_unit_test(test_plot_model__trend_line_of_a_linear_profile),
		cmocka_unit_test(test_plot_model__dense_curves_become_bars_that_keep_every_extreme),
		cmocka_unit_test(test_plot_model__flame_lane_geometry),
		cmocka_unit_test(test_plot_model__gc_spans_marks_brackets_and_peak),
		cmocka_unit_test(test_plot_model__several_files_share_the_axes_and_drop_the_details),
		cmocka_unit_test(test_plot_model__refuses_nothing_to_plot_and_bad_sizes),
		cmocka_unit_test(test_plot_model__text_is_measured_by_the_callback_or_estimated),
		cmocka_unit_test(test_plot_model__out_of_memory_at_any_allocation_leaks_nothing),
		cmocka_unit_test(test_plot_model__gc_lane_bars_have_position_width_and_generation),
		cmocka_unit_test(test_plot_model__legend_never_drops_gc_entries),
		cmocka_unit_test(test_plot_model__function_colours_do_not_repeat),
		cmocka_unit_test(test_plot_model__autoscale_shows_a_leak_on_a_large_base),
		cmocka_unit_test(test_plot_model__overlays_are_told_apart),
		cmocka_unit_test(test_plot_model__overlays_have_a_gc_row_per_profile),
		cmocka_unit_test(test_plot_model__long_overlay_labels_keep_their_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
