/* ring.c - the trace ring, mprof's end: create the sealed memfd, read what each slot's writer
 * has published (ring.h).
 *
 * Invariants:
 * - r->tail[i] is mprof's own count of the bytes read from slot i; the copy in the slot is
 *   only for the writer. A head that is behind it or more than a slot's capacity ahead (only
 *   a broken or hostile writer does that) is taken as it is: what lies between is skipped and
 *   counted bad, and reading resumes from that head.
 * - Writers publish a head only after whole lines: bytes read up to a head end with a newline
 *   unless the writer is broken; a trailing piece is counted bad, never carried over.
 * - Each drain reads at most about `budget` bytes and visits each slot at most once.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"

#define RING_SIZE ((size_t)MPROF_TRACE_RING_SLOTS * MPROF_TRACE_RING_SLOT_SIZE)
#define CAP ((unsigned long long)MPROF_TRACE_RING_CAP)
_Static_assert((MPROF_TRACE_RING_CAP & (MPROF_TRACE_RING_CAP - 1)) == 0,
	       "a slot's circle is a power of two: offsets stay right when a head wraps");

int mp_ring_open(mp_ring *r)
{
	memset(r, 0, sizeof *r);
	r->fd = memfd_create("mprof-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->fd < 0)
		return -errno;
	int rc;
	if (ftruncate(r->fd, (off_t)RING_SIZE) < 0 ||
	    fcntl(r->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		goto fail;
	}
	void *p = mmap(NULL, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	r->map = p;
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return rc;
}

void mp_ring_close(mp_ring *r)
{
	if (r->map && r->fd >= 0)
		munmap(r->map, RING_SIZE);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

void mp_ring_init_over(mp_ring *r, unsigned char *mem)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->map = mem;
}

static void deliver(mp_ring *r, const char *line, size_t len, void (*fn)(const mp_event *, void *),
		    void *ctx)
{
	mp_event ev;
	if (len > MP_EVENT_MAX - 1 || mp_event_parse(line, len, &ev) < 0) {
		r->bad++;
		return;
	}
	r->events++;
	fn(&ev, ctx);
}

/* Splits `n` bytes (a copy, not the shared memory) into lines. */
static void split(mp_ring *r, const char *b, size_t n, void (*fn)(const mp_event *, void *),
		  void *ctx)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != '\n')
			continue;
		deliver(r, b + start, i - start, fn, ctx);
		start = i + 1;
	}
	if (start < n)
		r->bad++; /* no newline before the head: a broken writer */
}

/* Copies `len` bytes of a slot's circle from offset `off`, across its end. */
static void copy_out(char *dst, const unsigned char *data, size_t off, size_t len)
{
	size_t first = (size_t)CAP - off;
	if (first >= len) {
		memcpy(dst, data + off, len);
	} else {
		memcpy(dst, data + off, first);
		memcpy(dst + first, data, len - first);
	}
}

/* Reads slot `i` from our tail to its head, at most `budget` bytes of whole lines. Returns
 * the bytes taken; *more when the head was not reached. */
static size_t drain_slot(mp_ring *r, unsigned i, size_t budget,
			 void (*fn)(const mp_event *, void *), void *ctx, int *more)
{
	static char copy[MPROF_TRACE_RING_CAP];
	unsigned char *s = r->map + (size_t)i * MPROF_TRACE_RING_SLOT_SIZE;
	unsigned long long h = __atomic_load_n((unsigned long long *)(s + MPROF_TRACE_RING_HEAD),
					       __ATOMIC_ACQUIRE);
	unsigned long long t = r->tail[i];
	if (h == t)
		return 0;
	if (h - t > CAP) { /* behind us, or past what a slot holds: not a head a writer keeps */
		r->bad++;
		r->tail[i] = h;
		__atomic_store_n((unsigned long long *)(s + MPROF_TRACE_RING_TAIL), h,
				 __ATOMIC_RELEASE);
		return 0;
	}
	size_t n = (size_t)(h - t), off = (size_t)(t & (CAP - 1));
	const unsigned char *data = s + MPROF_TRACE_RING_DATA;
	/* Only what the budget takes is copied (a drain in small budgets must not copy the whole
	 * slot each time): whole lines, unless not one line fits, when the lot is taken. */
	size_t take = n > budget ? budget : n;
	copy_out(copy, data, off, take);
	if (take < n) {
		size_t cut = take;
		while (cut > 0 && copy[cut - 1] != '\n')
			cut--;
		if (cut > 0) {
			n = cut;
			*more = 1;
		} else {
			copy_out(copy, data, off, n);
		}
	}
	/* Copied: the writer may reuse the space while we parse. */
	r->tail[i] = t + n;
	__atomic_store_n((unsigned long long *)(s + MPROF_TRACE_RING_TAIL), t + n,
			 __ATOMIC_RELEASE);
	r->bytes += n;
	split(r, copy, n, fn, ctx);
	return n;
}

int mp_ring_drain(mp_ring *r, size_t budget, void (*fn)(const mp_event *ev, void *ctx), void *ctx)
{
	if (!r || !r->map)
		return 0;
	size_t taken = 0;
	int more = 0;
	for (unsigned k = 0; k < MPROF_TRACE_RING_SLOTS; k++) {
		unsigned i = (r->next + k) % MPROF_TRACE_RING_SLOTS;
		if (taken >= budget) {
			r->next = i;
			return 1;
		}
		taken += drain_slot(r, i, budget - taken, fn, ctx, &more);
		if (more) {
			r->next = i;
			return 1;
		}
	}
	return 0;
}
