/* uprobe_shared.h - what the uprobe bracket program (uprobe.bpf.c) and mprof (uprobe.c) share.
 * Plain C types only: it is compiled for both sides. */
#ifndef MP_UPROBE_SHARED_H
#define MP_UPROBE_SHARED_H

#define MP_UPROBE_DEPTH 64 /* open probed calls per thread; deeper ones are not bracketed */

/* A finished call, as the ring buffer carries it. Times CLOCK_MONOTONIC ns, memory in pages. */
struct mp_uprobe_event {
	unsigned int tgid;
	unsigned int level; /* among the probed calls open on its thread, 0 = outermost */
	unsigned int fn;    /* index into mprof's list of functions (the attach cookie) */
	unsigned int pad;
	unsigned long long t0, t1;
	long long rss0, rss1;
};

#endif
