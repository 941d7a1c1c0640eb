/* test_plot.c - end to end: plots rendered from known profiles and read back with cairo:
 * what must be there is there (curve, peak marker, GC span, brackets, flame lane), nothing is
 * drawn outside the window, decimation keeps every column's extremes, and failures leave no
 * file. The model's numbers themselves are tested in test_plot_model.c, without pixels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "png.h"
#include "profile.h"
#include "test_dat_util.h"

#ifndef FIXTURES
#error "FIXTURES: the directory of the .dat fixtures"
#endif

#define BLUE 0x1f77b4  /* the first file's curve */
#define RED 0xd62728   /* the peak marker */
#define GC0 0x56b4e9   /* a generation-0 collection */
#define GC2 0xd55e00   /* a generation-2 collection */

static char dir[64], err[512];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_plot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *out_path(const char *name)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
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

/* Renders one profile to a PNG and loads it back. */
static cairo_surface_t *render(const mp_profile *p, const mp_plot_opts *o, mp_plot_layout *lay)
{
	const mp_profile *pp[] = {p};
	const char *names[] = {"t.dat"};
	const char *path = out_path("t.png");
	int rc = mp_plot_write(pp, names, 1, o, MP_PLOT_PNG, path, lay, NULL);
	if (rc != 0)
		fail_msg("plot: %d %s", rc, mp_strerror(rc));
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), lay->width);
	assert_int_equal(cairo_image_surface_get_height(s), lay->height);
	return s;
}

/* The colour the model gives function `fn` of `p`. */
static unsigned func_color(const mp_profile *p, size_t fn)
{
	const mp_profile *pp[] = {p};
	const char *names[] = {"t.dat"};
	mp_plot_opts o = {0};
	mp_plot_model m;
	assert_int_equal(mp_plot_model_init(&m, pp, names, 1, &o, 1, NULL, NULL), 0);
	unsigned c = m.fn_colors[fn];
	mp_plot_model_release(&m);
	return c;
}

static unsigned pixel(cairo_surface_t *s, int x, int y)
{
	if (x < 0 || y < 0 || x >= cairo_image_surface_get_width(s) ||
	    y >= cairo_image_surface_get_height(s))
		return 0xffffff;
	const unsigned char *row = cairo_image_surface_get_data(s) +
				   (size_t)y * (size_t)cairo_image_surface_get_stride(s);
	return ((const uint32_t *)(const void *)row)[x] & 0xffffff;
}

static int close_to(unsigned a, unsigned b, int tol)
{
	for (int sh = 0; sh < 24; sh += 8) {
		int d = (int)((a >> sh) & 0xff) - (int)((b >> sh) & 0xff);
		if (d > tol || d < -tol)
			return 0;
	}
	return 1;
}

/* A pixel of colour `c` (within `tol` per channel) within `r` pixels of (x, y). */
static int near(cairo_surface_t *s, double x, double y, int r, unsigned c, int tol)
{
	for (int dy = -r; dy <= r; dy++)
		for (int dx = -r; dx <= r; dx++)
			if (close_to(pixel(s, (int)lround(x) + dx, (int)lround(y) + dy), c, tol))
				return 1;
	return 0;
}

static double X(const mp_plot_layout *l, double t)
{
	return l->x0 + (t - l->tmin) / (l->tmax - l->tmin) * (l->x1 - l->x0);
}

static double Y(const mp_plot_layout *l, double m)
{
	return l->y1 - (m - l->mmin) / (l->mmax - l->mmin) * (l->y1 - l->y0);
}

static void test_plot__curve_peak_gc_and_brackets_are_where_the_data_is(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	mp_plot_opts o = {0};
	mp_plot_layout l;
	cairo_surface_t *s = render(&p, &o, &l);
	assert_true(l.tmin == 0 && fabs(l.tmax - 0.41) < 1e-9);
	assert_true(l.mmin == 0 && l.mmax >= 50);
	/* The curve passes through every sample. */
	for (size_t i = 0; i < p.nmem; i++) {
		double x = X(&l, p.mem[i].t - p.t_first), y = Y(&l, p.mem[i].mem);
		if (!near(s, x, y, 2, BLUE, 40))
			fail_msg("no curve at sample %zu (%.0f, %.0f)", i, x, y);
	}
	/* The peak marker: the PEAK line's 50 MiB at 0.2 s, above every sample. */
	assert_true(near(s, X(&l, 0.2), Y(&l, 50), 1, RED, 30));
	/* Below the peak, inside its interval: the true-peak band (the curve's blue, light). */
	unsigned band = pixel(s, (int)X(&l, 0.17), (int)Y(&l, 45));
	assert_true(close_to(band, 0xbfd6ea, 24));
	/* The GC lane under the plot: the generation-0 collection [0.11, 0.12] s is a bar of its
	 * width near the lane's bottom (a third of the bar row high). */
	assert_true(l.gc_y0 > l.y1 && l.gc_y1 > l.gc_y0 + 20);
	int row = (int)l.gc_y1 - 3, left = -1, right = -1;
	for (int x = (int)l.x0; x < (int)l.x1; x++)
		if (pixel(s, x, row) == GC0) {
			if (left < 0)
				left = x;
			right = x;
		}
	assert_true(left >= 0);
	assert_true(fabs(left - X(&l, 0.11)) <= 1.5);
	assert_true(fabs(right + 1 - X(&l, 0.12)) <= 1.5);
	assert_int_not_equal(pixel(s, (int)X(&l, 0.115), (int)l.gc_y1 - 12), GC0);
	/* The generation-2 one [0.31, 0.34] s, in its own colour, the bar row's full height. */
	assert_int_equal(pixel(s, (int)X(&l, 0.325), (int)l.gc_y1 - 3), GC2);
	assert_int_equal(pixel(s, (int)X(&l, 0.325), (int)l.gc_y1 - 15), GC2);
	/* A thin guide line across the plot at each collection's start, faint. */
	assert_true(near(s, X(&l, 0.11), (int)l.y0 + 3, 1, 0xc5e5f7, 30));
	/* A bracket at each end of each call, at the call's own memory, in its function's colour. */
	unsigned func0 = func_color(&p, 0);
	for (size_t i = 0; i < p.ncalls; i++) {
		const mp_call *c = &p.calls[i];
		unsigned col = func_color(&p, c->fn);
		assert_true(near(s, X(&l, c->t0 - p.t_first), Y(&l, c->m0), 2, col, 40));
		assert_true(near(s, X(&l, c->t1 - p.t_first), Y(&l, c->m1), 2, col, 40));
	}
	/* Nothing of the functions' colours where no call begins or ends. */
	assert_false(near(s, X(&l, 0.35), Y(&l, 30), 6, func0, 40));
	cairo_surface_destroy(s);
	mp_profile_release(&p);
}

static void test_plot__no_function_ts_leaves_brackets_out(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	mp_plot_opts o = {.no_functions = 1};
	mp_plot_layout l;
	cairo_surface_t *s = render(&p, &o, &l);
	for (size_t i = 0; i < p.ncalls; i++) {
		const mp_call *c = &p.calls[i];
		unsigned col = func_color(&p, c->fn);
		assert_false(near(s, X(&l, c->t0 - p.t_first) + 3,
				  Y(&l, c->m0) - 10, 1, col, 30));
	}
	assert_true(near(s, X(&l, 0.2), Y(&l, 50), 1, RED, 30)); /* the peak stays */
	cairo_surface_destroy(s);
	mp_profile_release(&p);
}

static void test_plot__nothing_is_drawn_outside_the_window(void **state)
{
	(void)state;
	/* One sample a second; a 500 MiB spike at 8 s, outside the window [1, 5]. */
	char text[2048] = "CMDLINE w\n";
	for (int i = 0; i <= 10; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "MEM %d %d.0\n", i == 8 ? 500 : 10 + i, 1010 + i);
	}
	strcat(text, "FUNC late 40 1018.5 40 1019.5 0\n"); /* at 8.5 s */
	mp_profile p;
	parse(&p, text);
	mp_plot_opts o = {.has_tmin = 1, .tmin = 1, .has_tmax = 1, .tmax = 5};
	mp_plot_layout l;
	cairo_surface_t *s = render(&p, &o, &l);
	assert_true(l.tmin == 1 && l.tmax == 5);
	/* The y axis fits what is inside the window, not the spike. */
	assert_true(l.mmax < 100);
	/* Curve pixels inside the plot area only: none left of it, none between it and the
	 * legend, none above or below it. */
	int w = l.width, h = l.height;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int inside = x >= l.x0 - 1 && x <= l.x1 + 1 && y >= l.y0 - 1 && y <= l.y1 + 1;
			if (inside || x >= l.legend_x)
				continue;
			if (close_to(pixel(s, x, y), BLUE, 60))
				fail_msg("curve colour outside the plot area at %d,%d", x, y);
		}
	/* Inside: samples 1 to 5 are drawn, and the function at 8.5-9.5 s is not. */
	for (int i = 1; i <= 5; i++)
		assert_true(near(s, X(&l, i), Y(&l, 10 + i), 2, BLUE, 40));
	unsigned late = func_color(&p, 0);
	for (int y = (int)l.y0; y < (int)l.y1; y++)
		for (int x = (int)l.x0; x < (int)l.x1; x++)
			assert_false(close_to(pixel(s, x, y), late, 30));
	cairo_surface_destroy(s);
	mp_profile_release(&p);

	/* Open windows: "2," and ",3". */
	parse(&p, text);
	mp_plot_opts a = {.has_tmin = 1, .tmin = 2};
	s = render(&p, &a, &l);
	assert_true(l.tmin == 2 && l.tmax == 10);
	cairo_surface_destroy(s);
	mp_plot_opts b = {.has_tmax = 1, .tmax = 3};
	s = render(&p, &b, &l);
	assert_true(l.tmin == 0 && l.tmax == 3);
	cairo_surface_destroy(s);
	mp_profile_release(&p);
}

static void test_plot__decimation_keeps_each_columns_extremes(void **state)
{
	(void)state;
	size_t n = 200000;
	mp_point *pts = malloc(n * sizeof *pts), *out = malloc((4 * 700 + 2) * sizeof *out);
	srand(3);
	for (size_t i = 0; i < n; i++) {
		pts[i].t = (double)i * 0.001;
		pts[i].mem = 50 + (rand() % 10000) / 1000.0;
	}
	pts[123457].mem = 99.75; /* one narrow spike */
	for (int cols = 1; cols <= 700; cols += 233) {
		double t0 = 10, t1 = 150;
		size_t k = mp_plot_decimate(pts, n, t0, t1, cols, out);
		assert_true(k <= 4 * (size_t)cols + 2);
		for (size_t i = 1; i < k; i++)
			assert_true(out[i - 1].t <= out[i].t);
		/* Per column: the same maximum and minimum as the samples in it. */
		double *hi = calloc((size_t)cols, sizeof *hi), *lo = calloc((size_t)cols, sizeof *lo);
		double *dhi = calloc((size_t)cols, sizeof *dhi), *dlo = calloc((size_t)cols, sizeof *dlo);
		for (int c = 0; c < cols; c++)
			lo[c] = dlo[c] = 1e9;
		for (size_t i = 0; i < n; i++) {
			if (pts[i].t < t0 || pts[i].t > t1)
				continue;
			int c = (int)((pts[i].t - t0) * cols / (t1 - t0));
			c = c >= cols ? cols - 1 : c;
			hi[c] = fmax(hi[c], pts[i].mem);
			lo[c] = fmin(lo[c], pts[i].mem);
		}
		for (size_t i = 0; i < k; i++) {
			if (out[i].t < t0 || out[i].t > t1)
				continue;
			int c = (int)((out[i].t - t0) * cols / (t1 - t0));
			c = c >= cols ? cols - 1 : c;
			dhi[c] = fmax(dhi[c], out[i].mem);
			dlo[c] = fmin(dlo[c], out[i].mem);
		}
		for (int c = 0; c < cols; c++) {
			assert_true(hi[c] == dhi[c]);
			assert_true(lo[c] == dlo[c]);
		}
		/* The edges: the nearest point outside each end is kept. */
		assert_true(out[0].t < t0 && out[k - 1].t > t1);
		free(hi);
		free(lo);
		free(dhi);
		free(dlo);
	}
	/* Few points: all kept. */
	assert_int_equal(mp_plot_decimate(pts, 10, 0, 1, 700, out), 10);
	free(pts);
	free(out);
}

static void test_plot__the_drawn_peak_is_the_exact_peak_of_many_samples(void **state)
{
	(void)state;
	/* 300,000 samples: the highest drawn pixel is the one spike, in its column. */
	size_t n = 300000;
	size_t cap = n * 40 + 64;
	char *text = malloc(cap), *s = text;
	s += sprintf(s, "CMDLINE many\n");
	srand(5);
	for (size_t i = 0; i < n; i++) {
		double m = i == 211111 ? 95.5 : 40 + (rand() % 1000) / 100.0;
		s += sprintf(s, "MEM %.6f %.6f\n", m, 1000 + (double)i * 0.01);
	}
	mp_profile p;
	parse(&p, text);
	free(text);
	mp_plot_opts o = {.title = ""};
	mp_plot_layout l;
	cairo_surface_t *img = render(&p, &o, &l);
	/* The spike's column reaches the spike (its top is under the peak marker, a 4.5 px
	 * disc); every other column stays at or below the second highest sample, 49.99. */
	double want_y = Y(&l, 95.5), want_x = X(&l, 2111.11), rest_y = Y(&l, 49.99);
	int spike_top = -1;
	for (int y = (int)l.y0 + 1; y < (int)l.y1; y++)
		for (int x = (int)l.x0 + 2; x < (int)l.x1 - 1; x++) {
			if (!close_to(pixel(img, x, y), BLUE, 50))
				continue;
			if (fabs(x - want_x) <= 2) {
				if (spike_top < 0)
					spike_top = y;
			} else if (y < rest_y - 2) {
				fail_msg("curve pixel at %d,%d above every sample but the spike", x, y);
			}
		}
	if (spike_top < want_y - 1 || spike_top > want_y + 6)
		fail_msg("spike drawn up to y %d; the peak is at y %.1f", spike_top, want_y);
	assert_true(near(img, want_x, want_y, 1, RED, 40)); /* and it is marked */
	cairo_surface_destroy(img);
	mp_profile_release(&p);
}

static void test_plot__flame_lane_has_a_rectangle_per_call(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "mp_python.dat");
	mp_plot_opts o = {.flame = 1};
	mp_plot_layout l;
	cairo_surface_t *s = render(&p, &o, &l);
	assert_int_equal(l.lane_levels, 2);
	assert_true(l.lane_y1 - l.lane_y0 > 30 && l.lane_y0 > l.y1);
	for (size_t i = 0; i < p.ncalls; i++) {
		const mp_call *c = &p.calls[i];
		unsigned col = func_color(&p, c->fn);
		/* 85% of the function's colour over the lane's background. */
		unsigned want = 0;
		for (int sh = 0; sh < 24; sh += 8)
			want |= (unsigned)lround(((col >> sh) & 0xff) * 0.85 + 0xf6 * 0.15) << sh;
		double x = X(&l, (c->t0 + c->t1) / 2 - p.t_first);
		double y = l.lane_y1 - (c->level + 0.5) * 17 - 6; /* above the name's baseline */
		if (!near(s, x, y, 3, want, 12))
			fail_msg("call %zu: no rectangle at %.0f,%.0f", i, x, y);
	}
	/* The names are written inside: dark text pixels in the first inner call. */
	const mp_call *inner = NULL;
	for (size_t i = 0; i < p.ncalls && !inner; i++)
		if (p.calls[i].level == 1)
			inner = &p.calls[i];
	int dark = 0;
	double a = X(&l, inner->t0 - p.t_first), b = X(&l, inner->t1 - p.t_first);
	for (int y = (int)(l.lane_y1 - 2 * 17); y < (int)(l.lane_y1 - 17); y++)
		for (int x = (int)a + 1; x < (int)b; x++)
			dark += close_to(pixel(s, x, y), 0x111111, 60);
	assert_true(dark > 20);
	/* No brackets in flame mode. */
	assert_false(near(s, X(&l, inner->t0 - p.t_first) + 3, Y(&l, inner->m0) - 10, 1,
			  func_color(&p, inner->fn), 8));
	cairo_surface_destroy(s);
	mp_profile_release(&p);
}

static void test_plot__several_files_children_and_sizes(void **state)
{
	(void)state;
	mp_profile a, b;
	read_fixture(&a, "mp_children.dat");
	read_fixture(&b, "mp_command.dat");
	const mp_profile *pp[] = {&a, &b};
	const char *names[] = {"a.dat", "b.dat"};
	mp_plot_opts o = {.width = 640, .height = 360, .dpi = 192};
	mp_plot_layout l;
	const char *path = out_path("two.png");
	assert_int_equal(mp_plot_write(pp, names, 2, &o, MP_PLOT_PNG, path, &l, NULL), 0);
	assert_int_equal(l.width, 1280);
	assert_int_equal(l.height, 720);
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_image_surface_get_width(s), 1280);
	/* Each child is its own curve, in its own colour, at its samples. */
	static const unsigned child[] = {0x17becf, 0xbcbd22};
	for (size_t c = 0; c < 2; c++) {
		const mp_point *pt = &a.children[c].pts[a.children[c].n / 2];
		assert_true(near(s, X(&l, pt->t - a.t_first), Y(&l, pt->mem), 3, child[c], 40));
	}
	/* The second file, from its own start, in the second file colour. */
	const mp_point *pt = &b.mem[b.nmem / 2];
	assert_true(near(s, X(&l, pt->t - b.t_first), Y(&l, pt->mem), 3, 0x222222, 40));
	cairo_surface_destroy(s);
	mp_profile_release(&a);
	mp_profile_release(&b);
}

static void test_plot__svg_and_pdf_stay_small(void **state)
{
	(void)state;
	size_t n = 100000;
	char *text = malloc(n * 40 + 64), *s = text;
	s += sprintf(s, "CMDLINE svg\n");
	for (size_t i = 0; i < n; i++)
		s += sprintf(s, "MEM %.6f %.4f\n", 30 + (double)(i * 7919 % 1000) / 50, 1e3 + i * 0.1);
	mp_profile p;
	parse(&p, text);
	free(text);
	const mp_profile *pp[] = {&p};
	const char *names[] = {"s.dat"};
	mp_plot_opts o = {0};
	const char *fmt[] = {"t.svg", "t.pdf"};
	const char *magic[] = {"<?xml", "%PDF-"};
	for (int i = 0; i < 2; i++) {
		const char *path = out_path(fmt[i]);
		assert_int_equal(mp_plot_format_of(path), i == 0 ? MP_PLOT_SVG : MP_PLOT_PDF);
		assert_int_equal(mp_plot_write(pp, names, 1, &o, (mp_plot_format)mp_plot_format_of(path),
					       path, NULL, NULL),
				 0);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 1000 && st.st_size < 1000000);
		char head[8] = {0};
		FILE *f = fopen(path, "rb");
		assert_int_equal(fread(head, 1, 5, f), 5);
		fclose(f);
		assert_memory_equal(head, magic[i], 5);
	}
	assert_int_equal(mp_plot_format_of("x.PNG"), MP_PLOT_PNG);
	assert_int_equal(mp_plot_format_of("x.jpg"), -1);
	assert_int_equal(mp_plot_format_of("dir.png/x"), -1);
	mp_profile_release(&p);
}

static int count_files(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_plot__failures_leave_no_file(void **state)
{
	(void)state;
	mp_profile p;
	read_fixture(&p, "ours_full.dat");
	const mp_profile *pp[] = {&p};
	const char *names[] = {"x.dat"};
	mp_plot_opts o = {0};
	/* A directory that does not exist; the output is a directory. */
	char path[256];
	snprintf(path, sizeof path, "%s/no/such/x.png", dir);
	const char *detail = "";
	assert_int_equal(mp_plot_write(pp, names, 1, &o, MP_PLOT_PNG, path, NULL, &detail), -ENOENT);
	assert_null(detail); /* not cairo's doing */
	assert_int_equal(mp_plot_write(pp, names, 1, &o, MP_PLOT_PNG, dir, NULL, NULL), -EISDIR);
	assert_int_equal(count_files(), 0);
	/* A write that fails half way (a file size limit): no image, no temporary file. */
	for (int f = 0; f < 3; f++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct rlimit rl = {2000, 2000};
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
			const char *ext[] = {"x.png", "x.svg", "x.pdf"};
			int rc = mp_plot_write(pp, names, 1, &o, (mp_plot_format)f, out_path(ext[f]),
					       NULL, NULL);
			_exit(rc == -EFBIG ? 0 : 1);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		assert_int_equal(count_files(), 0);
	}
	/* An existing image is replaced whole. */
	FILE *f = fopen(out_path("old.png"), "w");
	fputs("old", f);
	fclose(f);
	assert_int_equal(mp_plot_write(pp, names, 1, &o, MP_PLOT_PNG, out_path("old.png"), NULL, NULL),
			 0);
	cairo_surface_t *s = cairo_image_surface_create_from_png(out_path("old.png"));
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	assert_int_equal(count_files(), 1);
	/* Nothing to draw; a size out of range: refused before any file is made. */
	mp_profile empty;
	parse(&empty, "CMDLINE x\n");
	const mp_profile *pe[] = {&empty};
	assert_int_equal(mp_plot_write(pe, names, 1, &o, MP_PLOT_PNG, out_path("e.png"), NULL, NULL),
			 MP_ENOSAMPLES);
	mp_plot_opts tiny = {.width = 199};
	assert_int_equal(mp_plot_write(pp, names, 1, &tiny, MP_PLOT_PNG, out_path("e.png"), NULL,
				       NULL),
			 MP_EBADSIZE);
	assert_int_equal(count_files(), 1);
	mp_profile_release(&empty);
	mp_profile_release(&p);
}

/* Names and commands can hold any byte; cairo takes only UTF-8. Drawn anyway. */
static void test_plot__any_bytes_in_names_are_drawn(void **state)
{
	(void)state;
	mp_profile p;
	parse(&p, "CMDLINE caf\xe9 \x01\xff\xfe\nMEM 1 10\nMEM 1.5 10.5\nMEM 2 11\n"
		  "FUNC %FF%FE%0Abad%C3 1 10.1 2 10.9 0\nMARK %C0%80 1 10.5 1\n");
	mp_plot_opts o = {0};
	mp_plot_layout l;
	cairo_surface_t *s = render(&p, &o, &l);
	/* Everything was drawn: the bracket, and the curve's last sample. */
	assert_true(near(s, X(&l, 0.1), Y(&l, 1), 2, func_color(&p, 0), 40));
	assert_true(near(s, X(&l, 0.5), Y(&l, 1.5), 2, BLUE, 40));
	cairo_surface_destroy(s);
	o.flame = 1;
	s = render(&p, &o, &l);
	cairo_surface_destroy(s);
	mp_profile_release(&p);
}

static void test_plot__png_encoder_roundtrips_through_cairo(void **state)
{
	(void)state;
	int w = 301, h = 123;
	cairo_surface_t *src = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	unsigned char *data = cairo_image_surface_get_data(src);
	int stride = cairo_image_surface_get_stride(src);
	srand(11);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			/* flat areas, runs, rows like the one above, and noise */
			uint32_t v = y < 40 ? 0xffffff : y < 80 ? (uint32_t)(x / 7) * 0x010203
				     : (uint32_t)rand() & 0xffffff;
			((uint32_t *)(void *)(data + y * stride))[x] = v;
		}
	cairo_surface_mark_dirty(src);
	FILE *f = fopen(out_path("enc.png"), "wb");
	assert_int_equal(mp_png_write(f, data, w, h, (size_t)stride, 150), 0);
	fclose(f);
	cairo_surface_t *back = cairo_image_surface_create_from_png(out_path("enc.png"));
	assert_int_equal(cairo_surface_status(back), CAIRO_STATUS_SUCCESS);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			assert_int_equal(pixel(back, x, y), pixel(src, x, y));
	cairo_surface_destroy(back);
	cairo_surface_destroy(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plot__curve_peak_gc_and_brackets_are_where_the_data_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__no_function_ts_leaves_brackets_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__nothing_is_drawn_outside_the_window, setup, teardown),
		cmocka_unit_test(test_plot__decimation_keeps_each_columns_extremes),
		cmocka_unit_test_setup_teardown(test_plot__the_drawn_peak_is_the_exact_peak_of_many_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__flame_lane_has_a_rectangle_per_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__several_files_children_and_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__svg_and_pdf_stay_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__failures_leave_no_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__any_bytes_in_names_are_drawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plot__png_encoder_roundtrips_through_cairo, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
