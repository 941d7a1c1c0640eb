/* peak_shared.h - what the eBPF peak program (peak.bpf.c) and mprof (peak_bpf.c) share: the
 * member map's value. Plain C types only: it is compiled for both sides. */
#ifndef MP_PEAK_SHARED_H
#define MP_PEAK_SHARED_H

#define MP_PEAK_MAX_MEMBERS 8192
/* The rss_now array that traced processes read (include/mprof/trace.h's MPROF_TRACE_RSS_*,
 * the same numbers: this header is compiled for the kernel side too, without it). */
#define MP_RSS_SLOTS 1024
#define MP_RSS_PID_SHIFT 42

enum {
	MP_PEAK_COUNTED = 1, /* its rss is in the group's total */
	MP_PEAK_PENDING = 2, /* not counted until it execs */
	MP_PEAK_ROOT = 4,    /* the profiled process */
	MP_PEAK_EXITED = 8,  /* the root has exited */
};

struct mp_peak_member {
	unsigned long long mm; /* the mm whose counters are this member's; 0: not yet seen */
	long long rss;         /* resident pages at the last event */
	unsigned int flags;
	unsigned int pad;
};

#endif
