/* view.c - the live view's painter (view.h): header, chart, brackets, collector, tree.
 *
 * Everything drawn comes from the model's queries (live.h); nothing is computed here but
 * layout. Colours only when the terminal has them and NO_COLOR is unset (no-color.org).
 * Block characters need a UTF-8 locale; elsewhere the chart is drawn in ASCII.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

enum { PAIR_CHART = 1, PAIR_GC, PAIR_PEAK, PAIR_TITLE };

static const double windows[] = {5, 10, 30, 60, 120, 300, 600, 1800, 3600};
#define NWINDOWS (sizeof windows / sizeof windows[0])

int mp_live_view_open(mp_live_view *v)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	v->utf8 = cs && !strcmp(cs, "UTF-8");
	if (!newterm(NULL, stdout, stdin))
		return -1;
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
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
	(void)v;
	endwin();
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

static void on(const mp_live_view *v, int pair, int attr)
{
	if (v->color && pair)
		attron(COLOR_PAIR(pair));
	if (attr)
		attron(attr);
}

static void off(const mp_live_view *v, int pair, int attr)
{
	if (v->color && pair)
		attroff(COLOR_PAIR(pair));
	if (attr)
		attroff(attr);
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

/* One cell of the chart: how much of it (0..8 eighths) is filled. */
static void put_cell(const mp_live_view *v, int y, int x, int eighths)
{
	static const char *blocks[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
				       "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = " ..::;;||#";
	if (v->utf8) {
		mvaddstr(y, x, blocks[eighths]);
	} else {
		mvaddch(y, x, (chtype)ascii[eighths]);
	}
}

static void draw_chart(mp_live_view *v, const mp_live *m, double now, int top, int rows, int cols)
{
	int label = 9, ncols = cols - label - 1;
	if (ncols < 4 || rows < 2)
		return;
	double *val = calloc((size_t)ncols, sizeof *val);
	int *gc = calloc((size_t)ncols, sizeof *gc);
	if (!val || !gc) {
		free(val);
		free(gc);
		return;
	}
	double hi = mp_live_chart(m, now, v->window, ncols, val, gc);
	if (m->peak > hi && m->peak_t > now - v->window)
		hi = m->peak;
	if (hi <= 0)
		hi = 1;
	int bars = rows - 1; /* the last row: the time axis and the collections */
	mvprintw(top, 0, "%7.1f ", hi);
	mvprintw(top + bars - 1, 0, "%7.1f ", 0.0);
	mvprintw(top + bars / 2, 0, "%7s ", "MiB");
	/* A column without a sample carries the last one forward: memory did not vanish. */
	double carry = -1;
	on(v, PAIR_CHART, 0);
	for (int c = 0; c < ncols; c++) {
		double x = val[c] >= 0 ? val[c] : carry;
		if (val[c] >= 0)
			carry = val[c];
		int eighths = x < 0 ? 0 : (int)(x / hi * bars * 8 + 0.5);
		for (int r = 0; r < bars; r++) {
			int level = eighths - (bars - 1 - r) * 8;
			put_cell(v, top + r, label + 1 + c, level < 0 ? 0 : level > 8 ? 8 : level);
		}
	}
	off(v, PAIR_CHART, 0);
	int axis = top + bars;
	mvhline(axis, label + 1, v->utf8 ? ACS_HLINE : '-', ncols);
	char w[32];
	fmt_secs(w, sizeof w, v->window);
	mvprintw(axis, 0, "%8s", "");
	mvprintw(axis, label + 1, "-%s", w);
	mvaddstr(axis, label + 1 + ncols - 3, "now");
	on(v, PAIR_GC, A_BOLD);
	for (int c = 0; c < ncols; c++)
		if (gc[c])
			mvaddch(axis, label + 1 + c, (chtype)('0' + (gc[c] - 1 > 9 ? 9 : gc[c] - 1)));
	off(v, PAIR_GC, A_BOLD);
	free(val);
	free(gc);
}

static void draw_brackets(const mp_live *m, double now, int y, int cols)
{
	if (m->depth > 0) {
		const mp_live_bracket *in = &m->stack[m->depth - 1];
		char el[32];
		fmt_secs(el, sizeof el, now - in->t0);
		mvprintw(y, 0, "in       %s  %s  %+.1f MiB", in->name, el, in->m1 - in->m0);
		char path[512] = "";
		size_t len = 0;
		for (int i = 0; i < m->depth && len < sizeof path - 4; i++)
			len += (size_t)snprintf(path + len, sizeof path - len, "%s%s",
						i ? " > " : "", m->stack[i].name);
		mvprintw(y + 1, 0, "stack    %.*s", cols > 10 ? cols - 10 : 0, path);
	} else if (m->last.name[0]) {
		char el[32];
		fmt_secs(el, sizeof el, m->last.t1 - m->last.t0);
		mvprintw(y, 0, "%s %s  %s  %+.1f MiB", m->have_begins ? "last    " : "finished",
			 m->last.name, el, m->last.m1 - m->last.m0);
	} else {
		mvprintw(y, 0, "brackets none yet");
	}
}

static void draw_gc(const mp_live_view *v, const mp_live *m, double now, int y)
{
	mvprintw(y, 0, "GC runs  %lu  (gen0 %lu  gen1 %lu  gen2 %lu", m->gc_total, m->gc_runs[0],
		 m->gc_runs[1], m->gc_runs[2]);
	if (m->gc_runs[3])
		printw("  older %lu", m->gc_runs[3]);
	printw(")");
	if (!m->gc_total)
		return;
	char ago[32];
	fmt_secs(ago, sizeof ago, now - m->gc_last.t1);
	on(v, PAIR_GC, 0);
	mvprintw(y + 1, 0, "last GC  gen%d  %.1f ms  freed %ld objects  %+.1f MiB  %s ago",
		 m->gc_last.gen, (m->gc_last.t1 - m->gc_last.t0) * 1e3, m->gc_last.collected,
		 m->gc_last.m1 - m->gc_last.m0, ago);
	off(v, PAIR_GC, 0);
}

static void draw_procs(const mp_live *m, int y, int rows)
{
	mp_live_proc top[16];
	size_t n = mp_live_top_procs(m, 1.0 + (m->t_last - m->t_first) / (m->samples + 1.0) * 3,
				     top, rows < 16 ? (size_t)rows : 16);
	mvprintw(y, 0, "processes (%zu shown, largest first)", n);
	for (size_t i = 0; i < n && (int)i + 1 < rows; i++)
		mvprintw(y + 1 + (int)i, 0, "  pid %-8ld %9.1f MiB", top[i].pid, top[i].mem);
	if (!n)
		mvprintw(y + 1, 0, "  none seen (the tree shows with -C or -M)");
}

void mp_live_view_draw(mp_live_view *v, const mp_live *m, double now, const char *state)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	if (v->redraw_all) {
		clearok(curscr, TRUE);
		v->redraw_all = 0;
	}
	erase();
	if (rows < 8 || cols < 30) {
		mvprintw(0, 0, "mprof: window too small");
		refresh();
		return;
	}
	on(v, PAIR_TITLE, A_BOLD);
	mvprintw(0, 0, "mprof %-8s", state);
	off(v, PAIR_TITLE, A_BOLD);
	printw(" pid %ld  %.*s", m->pid, cols > 30 ? cols - 30 : 0, m->cmdline);
	char el[32], pk[32];
	double end = m->exited ? m->exit_t : now;
	fmt_secs(el, sizeof el, m->t_first ? end - m->t_first : 0);
	fmt_secs(pk, sizeof pk, m->peak_t - m->t_first);
	mvprintw(1, 0, "elapsed  %-9s  RSS %.1f MiB  ", el, m->mem);
	on(v, PAIR_PEAK, A_BOLD);
	printw("peak %.1f MiB", m->peak);
	off(v, PAIR_PEAK, A_BOLD);
	printw(" at %s  samples %llu", pk, m->samples);

	int detail = v->procs ? (rows - 8 > 6 ? 6 : rows - 8) : 4;
	if (detail < 2)
		detail = 2;
	int chart_rows = rows - 3 - detail - 1;
	draw_chart(v, m, now, 2, chart_rows, cols);
	int y = 2 + chart_rows;
	if (v->procs) {
		draw_procs(m, y, detail);
	} else {
		draw_brackets(m, now, y, cols);
		draw_gc(v, m, now, y + 2);
	}
	attron(A_REVERSE);
	mvprintw(rows - 1, 0, "%-*.*s", cols, cols,
		 v->paused ? " q quit  p resume  +/- window  m processes   [paused]"
			   : " q quit  p pause  +/- window  m processes");
	attroff(A_REVERSE);
	refresh();
}
