/* ring.h - mprof's end of the trace ring (docs/trace-protocol.md, include/mprof/trace.h): a
 * sealed memfd the traced processes append finished brackets to, one slot each, read by mprof
 * at every sample and at the program's end, so that a killed program keeps them.
 *
 * The program is untrusted: whatever it writes there (heads, tails, bytes) is read as data,
 * bounded and checked; garbage becomes counted bad events, never a crash or a hang. The memfd
 * is sealed against shrinking, so the program cannot make mprof's mapping fault.
 */
#ifndef MP_RING_H
#define MP_RING_H

#include <stddef.h>

#include "channel.h"

typedef struct mp_ring {
	int fd;		    /* the memfd (close-on-exec; mp_ring_share hands a copy out) */
	unsigned char *map; /* the whole ring, mapped read-write */
	unsigned long long tail[MPROF_TRACE_RING_SLOTS]; /* what mprof has read: its own copy */
	unsigned next;	      /* the slot a budget-cut drain resumes at */
	unsigned long long bytes; /* read so far */
	unsigned long events; /* events delivered */
	unsigned long bad;    /* lines skipped: malformed, unknown, too long, or a slot whose
				   head made no sense */
} mp_ring;

/* Creates the ring: a memfd named "mprof-ring", sized and sealed (no shrinking, no growing,
 * no more seals), mapped. Returns 0 or -errno. */
int mp_ring_open(mp_ring *r);
void mp_ring_close(mp_ring *r);

/* Lays `r` over `mem` (MPROF_TRACE_RING_SLOTS * MPROF_TRACE_RING_SLOT_SIZE bytes that the
 * caller owns), for tests and the fuzzer. */
void mp_ring_init_over(mp_ring *r, unsigned char *mem);

/* Reads what the writers have published, at most about `budget` bytes, and calls `fn` for
 * each event, as mp_channel_drain does. Returns 0 when every slot was read to its head, 1
 * when the budget ran out first. */
int mp_ring_drain(mp_ring *r, size_t budget, void (*fn)(const mp_event *ev, void *ctx), void *ctx);

#endif
