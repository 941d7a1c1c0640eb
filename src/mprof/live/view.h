/* view.h - the live view's painter: draws an mp_live on the terminal with ncurses. The only
 * part of mprof that knows ncurses; linked into mprof-live alone. */
#ifndef MP_LIVE_VIEW_H
#define MP_LIVE_VIEW_H

#include "live.h"

typedef struct mp_live_view {
	double window;   /* seconds the chart shows */
	int paused;      /* p: the picture stands still */
	int procs;       /* m: the tree's largest processes instead of the brackets' detail */
	int color;       /* the terminal has colours and NO_COLOR is not set */
	int utf8;        /* block characters; else ASCII */
	int redraw_all;  /* repaint every cell next time (the program may have written over it) */
	struct mp_live_frame *frame; /* what is on the screen (view.c) */
} mp_live_view;

enum { MP_LIVE_KEY_NONE, MP_LIVE_KEY_QUIT, MP_LIVE_KEY_REDRAW };

/* Takes over the terminal (stdin, stdout). Returns 0, or -1 when it is not one ncurses can
 * drive. */
int mp_live_view_open(mp_live_view *v);

/* Draws the model as of `now` (epoch seconds); `state` is the one-word status ("running",
 * "exited 0", "replay x10"). */
void mp_live_view_draw(mp_live_view *v, const mp_live *m, double now, const char *state);

/* Reads the keys waiting (never blocks) and applies them; returns MP_LIVE_KEY_QUIT on q,
 * MP_LIVE_KEY_REDRAW when the picture must change, else MP_LIVE_KEY_NONE. */
int mp_live_view_keys(mp_live_view *v);

/* Gives the terminal back as it was. */
void mp_live_view_close(mp_live_view *v);

#endif
