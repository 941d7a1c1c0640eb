/* view.c - the live view's painter (view.h): header, chart, brackets, collector, tree.
 *
 * Everything drawn comes from the model's queries (live.h); nothing is computed here but
 * layout. Colours only when the terminal has them and NO_COLOR is unset (no-color.org).
 * Block characters need a UTF-8 locale; elsewhere the chart is drawn in ASCII.
 *
 * Cost (the view may take at most 1 % of a core on top of recording, docs/live.md): a frame
 * writes only what changed since the last one. Each row's text is kept as it was drawn and
 * compared; each chart column's height is kept and only the cells of a column whose height
 * changed are put; the columns are fixed spans of the clock, so between frames only the newest
 * changes. ncurses then sends the cells that differ, in one write per frame: typeahead
 * checks are off and the screen goes through endwin once before the first frame (ncurses 6.4
 * flushes at every cursor move until then).
 *
 * Layout of the chart's last row: the window's length in the label column on the left, the
 * collections' generation digits on the axis, "now" after its right end, so that a mark never
 * covers a label.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "view.h"

enum { PAIR_CHART = 1, PAIR_GC, PAIR_PEAK, PAIR_TITLE };

/* What is on the screen, so that a frame writes only what changed: each row's text (its
 * styles and characters, as one string) and each chart column's height and collection mark.
 * Any change of layout (size, m) makes a new, empty one, and that frame draws everything. */
#define ROW_MAX 600
struct mp_live_frame {
	int rows, cols, procs; /* the layout it was drawn for */
	char (*text)[ROW_MAX]; /* per row */
	int *eighths, *gc;     /* per chart column; -1: not drawn yet */
	cchar_t cells[9];      /* the chart's cells, 0..8 eighths filled, in its colour */
};

static void frame_free(struct mp_live_frame *f);

static const double windows[] = {5, 10, 30, 60, 120, 300, 600, 1800, 3600};
#define NWINDOWS (sizeof windows / sizeof windows[0])

int mp_live_view_open(mp_live_view *v)
{
	/* The character set alone (wide characters, UTF-8 blocks): numbers stay in the C locale,
	 * as the profile writes them and its reader's strtod reads them, and the other
	 * categories' files are not loaded. */
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	v->utf8 = cs && !strcmp(cs, "UTF-8");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return -1;
	/* A terminal without cursor addressing (TERM=dumb) would get the picture as a stream
	 * of lines: refused, as an unknown one is. */
	const char *cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		endwin();
		delscreen(scr);
		return -1;
	}
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	typeahead(-1);
	/* ncurses (6.4) flushes its output at every cursor move until the screen has been
	 * suspended and resumed once (lib_mvcur.c: _endwin == ewInitial), a write() per changed
	 * stretch of a line; once through endwin, the next doupdate resumes and a frame is one
	 * write. */
	endwin();
	const char *nc = getenv("NO_COLOR");
	v->color = has_colors() && !(nc && *nc);
	if (v->color) {
		start_color();
		use_default_colors();
		init_pair(PAIR_CHART, COLOR_CYAN, -1);
		init_pair(PAIR_GC, COLOR_YELLOW, -1);
		init_pair(PAIR_PEAK, COLOR_RED, -1);
		init_pair(PAIR_TITLE, COLOR_GREEN, -1);
	}
	if (v->window <= 0)
		v->window = 30;
	return 0;
}

void mp_live_view_close(mp_live_view *v)
{
	endwin();
	frame_free(v->frame);
	v->frame = NULL;
}

static void step_window(mp_live_view *v, int dir)
{
	size_t i = 0;
	while (i + 1 < NWINDOWS && windows[i] < v->window)
		i++;
	if (dir < 0 && i > 0)
		i--;
	else if (dir > 0 && i + 1 < NWINDOWS)
		i++;
	v->window = windows[i];
}

int mp_live_view_keys(mp_live_view *v)
{
	int rc = MP_LIVE_KEY_NONE, ch;
	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return MP_LIVE_KEY_QUIT;
		case 'p':
		case ' ':
			v->paused = !v->paused;
			break;
		case '+':
		case '=':
			step_window(v, 1);
			break;
		case '-':
		case '_':
			step_window(v, -1);
			break;
		case 'm':
			v->procs = !v->procs;
			break;
		case KEY_RESIZE:
			v->redraw_all = 1;
			break;
		case 12: /* ^L */
			v->redraw_all = 1;
			break;
		default:
			continue;
		}
		rc = MP_LIVE_KEY_REDRAW;
	}
	return rc;
}

enum { STYLE_PLAIN = 1, STYLE_TITLE, STYLE_PEAK, STYLE_GC, STYLE_KEYS, NSTYLES };

/* One row of text being made: segments of a style, as "\x01plain\x02title..." */
struct line {
	char s[ROW_MAX];
	size_t len;
};

static void line_add(struct line *l, int style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line_add(struct line *l, int style, const char *fmt, ...)
{
	if (l->len + 2 >= sizeof l->s)
		return;
	l->s[l->len++] = (char)style;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->s + l->len, sizeof l->s - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	size_t end = l->len + (size_t)n < sizeof l->s ? l->len + (size_t)n : sizeof l->s - 1;
	/* A control character (a command line's newline, a bracket's escape) would move the
	 * cursor or be shown as two cells: it is shown as '?'. */
	for (size_t i = l->len; i < end; i++)
		if ((unsigned char)l->s[i] < 0x20 || l->s[i] == 0x7f)
			l->s[i] = '?';
	l->len = end;
	l->s[l->len] = 0;
}

static void style_on(const mp_live_view *v, int style, int on)
{
	static const struct { short pair; attr_t attr; } styles[NSTYLES] = {
		[STYLE_TITLE] = {PAIR_TITLE, A_BOLD},
		[STYLE_PEAK] = {PAIR_PEAK, A_BOLD},
		[STYLE_GC] = {PAIR_GC, 0},
		[STYLE_KEYS] = {0, A_REVERSE},
	};
	attr_t a = styles[style].attr;
	if (v->color && styles[style].pair)
		a |= COLOR_PAIR(styles[style].pair);
	if (a)
		(on ? attron : attroff)((int)a);
}

/* Writes `text` (a multibyte string) at the cursor in at most `width` columns; returns the
 * columns used. Never past the row's end: ncurses would wrap to the next row. */
static int put_text(const char *text, int width)
{
	wchar_t w[ROW_MAX];
	size_t n = mbstowcs(w, text, ROW_MAX - 1);
	if (n == (size_t)-1) {
		/* Not valid in this locale: ASCII as it is, any other byte as '?' (ncurses would
		 * show it as "M-x", wider than one column). */
		int len = 0;
		for (; text[len] && len < width; len++)
			addch((unsigned char)text[len] < 0x80 ? (chtype)text[len] : '?');
		return len;
	}
	int used = 0;
	size_t k = 0;
	for (; k < n; k++) {
		int cw = wcwidth(w[k]);
		if (cw < 0)
			w[k] = L'?', cw = 1;
		if (used + cw > width)
			break;
		used += cw;
	}
	addnwstr(w, (int)k);
	return used;
}

/* Puts a row of text at (y, 0) when it differs from what is there: to the row's end
 * (width < 0), else in `width` columns (a chart row's label). */
static void line_put(mp_live_view *v, int y, int width, const struct line *l)
{
	struct mp_live_frame *f = v->frame;
	if (y < 0 || y >= f->rows || !strcmp(f->text[y], l->s))
		return;
	memcpy(f->text[y], l->s, l->len + 1);
	int room = width < 0 ? f->cols : width, x = 0;
	move(y, 0);
	for (size_t i = 0; i < l->len && x < room;) {
		int style = l->s[i++];
		size_t end = i;
		while (end < l->len && (unsigned char)l->s[end] >= 0x20)
			end++;
		char seg[ROW_MAX];
		memcpy(seg, l->s + i, end - i);
		seg[end - i] = 0;
		style_on(v, style, 1);
		x += put_text(seg, room - x);
		style_on(v, style, 0);
		i = end;
	}
	/* A row written to its last column leaves the cursor on the next one: nothing to clear. */
	if (width < 0 && x < room)
		clrtoeol();
	else if (width >= 0 && x < width)
		printw("%*s", width - x, "");
}

static void frame_free(struct mp_live_frame *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->eighths);
	free(f->gc);
	free(f);
}

/* A frame for the layout (rows, cols, procs): the same one when it fits, else a new, empty
 * one and a blank screen. Returns NULL when out of memory. */
static struct mp_live_frame *frame_for(mp_live_view *v, int rows, int cols)
{
	struct mp_live_frame *f = v->frame;
	if (f && f->rows == rows && f->cols == cols && f->procs == v->procs)
		return f;
	frame_free(f);
	v->frame = f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->text = malloc((size_t)rows * sizeof *f->text);
	f->eighths = malloc((size_t)cols * sizeof *f->eighths);
	f->gc = malloc((size_t)cols * sizeof *f->gc);
	if (!f->text || !f->eighths || !f->gc) {
		frame_free(f);
		v->frame = NULL;
		return NULL;
	}
	f->rows = rows;
	f->cols = cols;
	f->procs = v->procs;
	static const wchar_t blocks[] = L" \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
	static const char ascii[] = " ..::;;||#";
	for (int i = 0; i < 9; i++) {
		wchar_t wc[2] = {v->utf8 ? blocks[i] : (wchar_t)ascii[i], 0};
		setcchar(&f->cells[i], wc, A_NORMAL, v->color ? PAIR_CHART : 0, NULL);
	}
	erase();
	for (int y = 0; y < rows; y++)
		f->text[y][0] = 0; /* blank, as erase() left it */
	for (int c = 0; c < cols; c++)
		f->eighths[c] = f->gc[c] = -1;
	return f;
}

static void fmt_secs(char *buf, size_t cap, double s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, cap, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, cap, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

/* The chart: the label column (9), a space, the columns, " now". */
#define CHART_LABEL 9
#define CHART_NOW 4

/* The chart's cells that changed since the last frame: a column whose height did not change
 * is not touched. */
static void draw_bars(struct mp_live_frame *f, const int *eighths, int ncols, int top, int bars)
{
	int x0 = CHART_LABEL + 1;
	for (int c = 0; c < ncols; c++) {
		int was = f->eighths[c], now = eighths[c];
		if (was == now)
			continue;
		for (int r = 0; r < bars; r++) {
			int floor8 = (bars - 1 - r) * 8;
			int a = now - floor8, b = was - floor8;
			a = a < 0 ? 0 : a > 8 ? 8 : a;
			b = b < 0 ? 0 : b > 8 ? 8 : b;
			if (a != b || was < 0)
				mvadd_wch(top + r, x0 + c, &f->cells[a]);
		}
		f->eighths[c] = now;
	}
}

/* The axis: a line, the collections' generation digits on it, " now" after it. Redrawn
 * whole when a mark moved. */
static void draw_axis(mp_live_view *v, struct mp_live_frame *f, const int *gc, int ncols, int y)
{
	int x0 = CHART_LABEL + 1, same = 1;
	for (int c = 0; c < ncols && same; c++)
		same = f->gc[c] == gc[c];
	if (same)
		return;
	memcpy(f->gc, gc, (size_t)ncols * sizeof *gc);
	mvhline(y, x0, v->utf8 ? ACS_HLINE : '-', ncols);
	mvaddstr(y, x0 + ncols, " now");
	style_on(v, STYLE_GC, 1);
	attron(A_BOLD);
	for (int c = 0; c < ncols; c++)
		if (gc[c])
			mvaddch(y, x0 + c, (chtype)('0' + (gc[c] - 1 > 9 ? 9 : gc[c] - 1)));
	attroff(A_BOLD);
	style_on(v, STYLE_GC, 0);
}

static void draw_chart(mp_live_view *v, const mp_live *m, double now, int top, int rows, int cols)
{
	struct mp_live_frame *f = v->frame;
	int ncols = cols - CHART_LABEL - 1 - CHART_NOW;
	if (ncols < 4 || rows < 2)
		return;
	double *val = malloc((size_t)ncols * sizeof *val);
	int *gc = malloc((size_t)ncols * sizeof *gc);
	int *eighths = malloc((size_t)ncols * sizeof *eighths);
	if (!val || !gc || !eighths)
		goto out;
	/* The columns are fixed spans of the clock, not of the frame's moment: between two
	 * frames only the newest column changes, and when a span has passed the picture moves
	 * by one whole column (ncurses then rewrites a row in one stretch, not cell by cell, and
	 * each cursor move costs it thousands of instructions). */
	double per = v->window / ncols, t_end = ceil(now / per) * per;
	double hi = mp_live_chart(m, t_end, v->window, ncols, val, gc);
	if (m->peak > hi && m->peak_t > now - v->window)
		hi = m->peak;
	if (hi <= 0)
		hi = 1;
	int bars = rows - 1; /* the last row: the time axis and the collections */
	/* A column without a sample carries the last one forward: memory did not vanish. */
	double carry = -1;
	for (int c = 0; c < ncols; c++) {
		double x = val[c] >= 0 ? val[c] : carry;
		if (val[c] >= 0)
			carry = val[c];
		eighths[c] = x < 0 ? 0 : (int)(x / hi * bars * 8 + 0.5);
	}
	for (int r = 0; r < bars; r++) {
		struct line l = {.len = 0};
		if (r == 0)
			line_add(&l, STYLE_PLAIN, "%7.1f", hi);
		else if (r == bars - 1)
			line_add(&l, STYLE_PLAIN, "%7.1f", 0.0);
		else if (r == bars / 2)
			line_add(&l, STYLE_PLAIN, "%7s", "MiB");
		line_put(v, top + r, CHART_LABEL, &l);
	}
	draw_bars(f, eighths, ncols, top, bars);
	char w[32], wl[40];
	fmt_secs(w, sizeof w, v->window);
	snprintf(wl, sizeof wl, "-%s", w);
	struct line axis = {.len = 0};
	line_add(&axis, STYLE_PLAIN, "%8.8s", wl);
	line_put(v, top + bars, CHART_LABEL, &axis);
	draw_axis(v, f, gc, ncols, top + bars);
out:
	free(val);
	free(gc);
	free(eighths);
}

static void draw_brackets(mp_live_view *v, const mp_live *m, double now, int y)
{
	struct line a = {.len = 0}, b = {.len = 0};
	if (m->depth > 0) {
		const mp_live_bracket *in = &m->stack[m->depth - 1];
		char el[32];
		fmt_secs(el, sizeof el, now - in->t0);
		line_add(&a, STYLE_PLAIN, "in       %s  %s  %+.1f MiB", in->name, el,
			 in->m1 - in->m0);
		char path[512] = "";
		size_t len = 0;
		for (int i = 0; i < m->depth && len < sizeof path - 4; i++)
			len += (size_t)snprintf(path + len, sizeof path - len, "%s%s",
						i ? " > " : "", m->stack[i].name);
		line_add(&b, STYLE_PLAIN, "stack    %s", path);
	} else if (m->last.name[0]) {
		char el[32];
		fmt_secs(el, sizeof el, m->last.t1 - m->last.t0);
		line_add(&a, STYLE_PLAIN, "%s %s  %s  %+.1f MiB",
			 m->have_begins ? "last    " : "finished", m->last.name, el,
			 m->last.m1 - m->last.m0);
	} else {
		line_add(&a, STYLE_PLAIN, "brackets none yet");
	}
	line_put(v, y, -1, &a);
	line_put(v, y + 1, -1, &b);
}

static void draw_gc(mp_live_view *v, const mp_live *m, double now, int y)
{
	struct line a = {.len = 0}, b = {.len = 0};
	line_add(&a, STYLE_PLAIN, "GC runs  %lu  (gen0 %lu  gen1 %lu  gen2 %lu", m->gc_total,
		 m->gc_runs[0], m->gc_runs[1], m->gc_runs[2]);
	if (m->gc_runs[3])
		line_add(&a, STYLE_PLAIN, "  older %lu", m->gc_runs[3]);
	line_add(&a, STYLE_PLAIN, ")");
	if (m->gc_total) {
		char ago[32];
		fmt_secs(ago, sizeof ago, now - m->gc_last.t1);
		line_add(&b, STYLE_GC,
			 "last GC  gen%d  %.1f ms  freed %ld objects  %+.1f MiB  %s ago",
			 m->gc_last.gen, (m->gc_last.t1 - m->gc_last.t0) * 1e3,
			 m->gc_last.collected, m->gc_last.m1 - m->gc_last.m0, ago);
	}
	line_put(v, y, -1, &a);
	line_put(v, y + 1, -1, &b);
}

static void draw_procs(mp_live_view *v, const mp_live *m, int y, int rows)
{
	mp_live_proc top[16];
	size_t n = mp_live_top_procs(m, 1.0 + (m->t_last - m->t_first) / (m->samples + 1.0) * 3,
				     top, rows - 1 < 16 ? (size_t)(rows - 1) : 16);
	struct line l = {.len = 0};
	line_add(&l, STYLE_PLAIN, "processes (%zu shown, largest first)", n);
	line_put(v, y, -1, &l);
	for (int i = 1; i < rows; i++) {
		l.len = 0;
		l.s[0] = 0;
		if ((size_t)i <= n)
			line_add(&l, STYLE_PLAIN, "  pid %-8ld %9.1f MiB", top[i - 1].pid,
				 top[i - 1].mem);
		else if (i == 1)
			line_add(&l, STYLE_PLAIN, "  none seen (the tree shows with -C or -M)");
		line_put(v, y + i, -1, &l);
	}
}

static void draw_small(mp_live_view *v, int rows, int cols)
{
	/* Nothing of the frame is kept: the next one of a usable size draws everything. */
	frame_free(v->frame);
	v->frame = NULL;
	erase();
	mvaddnstr(0, 0, "mprof: window too small", cols);
	(void)rows;
}

void mp_live_view_draw(mp_live_view *v, const mp_live *m, double now, const char *state)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	if (v->redraw_all) {
		clearok(curscr, TRUE);
		v->redraw_all = 0;
	}
	struct mp_live_frame *f = rows < 8 || cols < 30 ? NULL : frame_for(v, rows, cols);
	if (!f) {
		draw_small(v, rows, cols);
		goto show;
	}
	struct line l = {.len = 0};
	line_add(&l, STYLE_TITLE, "mprof %-8s", state);
	line_add(&l, STYLE_PLAIN, " pid %ld  %s", m->pid, m->cmdline);
	line_put(v, 0, -1, &l);

	char el[32], pk[32];
	double end = m->exited ? m->exit_t : now;
	fmt_secs(el, sizeof el, m->t_first ? end - m->t_first : 0);
	fmt_secs(pk, sizeof pk, m->peak_t - m->t_first);
	l.len = 0;
	line_add(&l, STYLE_PLAIN, "elapsed  %-9s  RSS %.1f MiB  ", el, m->mem);
	line_add(&l, STYLE_PEAK, "peak %.1f MiB", m->peak);
	line_add(&l, STYLE_PLAIN, " at %s  samples %llu", pk, m->samples);
	line_put(v, 1, -1, &l);

	int detail = v->procs ? (rows - 8 > 6 ? 6 : rows - 8) : 4;
	if (detail < 2)
		detail = 2;
	int chart_rows = rows - 3 - detail - 1;
	draw_chart(v, m, now, 2, chart_rows, cols);
	int y = 2 + chart_rows;
	if (v->procs) {
		draw_procs(v, m, y, detail);
	} else {
		draw_brackets(v, m, now, y);
		draw_gc(v, m, now, y + 2);
	}
	l.len = 0;
	l.s[0] = 0;
	line_put(v, rows - 2, -1, &l);
	l.len = 0;
	line_add(&l, STYLE_KEYS, "%-*s", cols,
		 v->paused ? " q quit  p resume  +/- window  m processes   [paused]"
			   : " q quit  p pause  +/- window  m processes");
	line_put(v, rows - 1, -1, &l);
show:
	wnoutrefresh(stdscr);
	doupdate();
}
