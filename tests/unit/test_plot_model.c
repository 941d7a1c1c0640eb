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
	CLOSE(m.y1, 500 - 46);
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
	CLOSE(m.time_axis.ticks[3].at.y, m.y1 + 15);
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
	/* 11 to 15 MiB inside: a 2 MiB step, 15 + 8% rounded up to 18; the spike is left out. */
	CLOSE(m.mmin, 0);
	CLOSE(m.mmax, 18);
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
		{MP_KEY_LINE, 0x2ca02c, "my func: 1 call, 0.090 s"},
		{MP_KEY_LINE, 0x9467bd, "work: 2 calls, 0.285 s"},
		{MP_KEY_BOX, 0xc7e9c0, "GC gen 0: 1 run, 10.0 ms"},
		{MP_KEY_BOX, 0xf4a582, "GC gen 2+: 1 run, 30.0 ms"},
		{MP_KEY_TEXT, 0x222222, "exited with status 0 at 0.41 s"},
	};
	assert_int_equal(m.nkeys, 9);
	assert_int_equal(m.shown, 9);
	assert_int_equal(m.more, 0);
	for (size_t i = 0; i < m.nkeys; i++) {
		assert_int_equal(m.keys[i].kind, want[i].kind);
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
	/* 41 entries; (454 - 40 - 10) / 17 = 23.7 rows fit: 22 entries, then "and 19 more". */
	assert_int_equal(m.nkeys, 41);
	assert_int_equal(m.shown, 23);
	assert_int_equal(m.more, 41 - 23 + 1);
	assert_string_equal(m.keys[21].label, "f20: 1 call, 0.100 s");
	assert_string_equal(m.keys[22].label, "and 19 more");
	assert_string_equal(m.keys[22].text, "f21: 1 call, 0.100 s");
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
		static const uint32_t cols[] = {0x2ca02c, 0x9467bd, 0xff7f0e};
		assert_int_equal(b->color, cols[c->fn]);
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
	/* GC runs as wide as they lasted, shaded by generation. */
	assert_int_equal(m.ngcs, 2);
	assert_int_equal(m.gcs[0].gen, 0);
	assert_int_equal(m.gcs[0].color, 0xc7e9c0);
	CLOSE(m.gcs[0].x, X(&m, 0.11));
	assert_true(fabs(m.gcs[0].w - (X(&m, 0.12) - X(&m, 0.11))) < 1e-6);
	assert_int_equal(m.gcs[1].gen, 2);
	assert_int_equal(m.gcs[1].color, 0xf4a582);
	/* The mark, labelled right of its line. */
	assert_int_equal(m.nmarks, 1);
	assert_string_equal(m.marks[0].name, "half%way");
	assert_true(fabs(m.marks[0].x - X(&m, 0.15)) < 1e-6);
	CLOSE(m.marks[0].at.x, m.marks[0].x + 3);
	CLOSE(m.marks[0].at.y, m.y0 + 12);
	/* Brackets at each end of each call, in its function's colour. */
	assert_int_equal(m.nbrackets, 3);
	for (size_t i = 0; i < 3; i++) {
		const mp_call *c = &p.calls[i];
		assert_true(m.brackets[i].has_open && m.brackets[i].has_close);
		assert_int_equal(m.brackets[i].color, c->fn == 0 ? 0x2ca02c : 0x9467bd);
		assert_true(fabs(m.brackets[i].open.x - X(&m, c->t0 - p.t_first)) < 1e-6);
		CLOSE(m.brackets[i].close.y, Y(&m, c->m1));
	}
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
	/* The longer file sets the time axis; each is named by its base name. */
	CLOSE(m.tmax, b.t_last - b.t_first);
	assert_string_equal(m.keys[0].text, "ours_full.dat");
	assert_string_equal(m.keys[3].text, "mp_python.dat");
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
