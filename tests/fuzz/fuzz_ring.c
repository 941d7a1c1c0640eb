/* fuzz_ring.c - libFuzzer target: the trace ring is memory a hostile program may write as it
 * likes. Any sequence of appends (as an emitter makes them), raw heads and raw tails over the
 * ring's slots, drained with any budget in between, goes through the ring's reader and the .dat
 * writer without a crash, an endless loop or a read outside the ring; and whatever mprof wrote
 * from it, mprof's reader reads back, one line per accepted event.
 *
 * Input: byte 0 sets the drain budget; then records [slot][op][len][len bytes]: op % 3 == 0
 * appends the bytes at the slot's head, 1 sets the head from 8 of them, 2 sets the tail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channel.h"
#include "dat.h"
#include "ring.h"

#define SIZE ((size_t)MPROF_TRACE_RING_SLOTS * MPROF_TRACE_RING_SLOT_SIZE)

static mp_dat out;
static unsigned long written;

static void on_event(const mp_event *ev, void *ctx)
{
	(void)ctx;
	written += ev->type != 'B';
	switch (ev->type) {
	case 'F':
		mp_dat_func(&out, ev->name, ev->name_len, ev->rss0, &ev->t0, ev->rss1, &ev->t1,
			    ev->level, ev->pid);
		break;
	case 'M':
		mp_dat_mark(&out, ev->name, ev->name_len, ev->rss0, &ev->t0, ev->pid);
		break;
	case 'G':
		mp_dat_gc(&out, ev->gen, ev->rss0, &ev->t0, ev->rss1, &ev->t1, ev->collected,
			  ev->uncollectable, ev->candidates, ev->pid);
		break;
	case 'B':
		break;
	default:
		abort(); /* the parser promised F, M, G or B */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char *mem;
	static mp_ring ring;
	if (size < 1 || size > 60000)
		return 0;
	if (!mem) {
		mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			abort();
	}
	for (int i = 0; i < MPROF_TRACE_RING_SLOTS; i++)
		memset(mem + (size_t)i * MPROF_TRACE_RING_SLOT_SIZE, 0, MPROF_TRACE_RING_DATA);
	mp_ring_init_over(&ring, mem);
	size_t budget = 1 + (size_t)data[0] * 37;
	data++;
	size--;
	int fd = memfd_create("fuzz.dat", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	written = 0;
	memset(&out, 0, sizeof out);
	out.fd = fd;
	mp_dat_cmdline_text(&out, "fuzz");
	mp_dat_run_info info = {.interval = 0.1, .pid = 1};
	mp_dat_meta(&out, &info);
	for (size_t i = 0; i + 3 <= size;) {
		unsigned char *s = mem + (size_t)(data[i] % MPROF_TRACE_RING_SLOTS) *
						 MPROF_TRACE_RING_SLOT_SIZE;
		int op = data[i + 1] % 3;
		size_t n = data[i + 2];
		i += 3;
		if (n > size - i)
			n = size - i;
		unsigned long long *head = (unsigned long long *)(s + MPROF_TRACE_RING_HEAD);
		unsigned long long w = 0;
		memcpy(&w, data + i, n < 8 ? n : 8);
		if (op == 0) {
			for (size_t k = 0; k < n; k++)
				s[MPROF_TRACE_RING_DATA +
				  ((*head + k) & (MPROF_TRACE_RING_CAP - 1))] = data[i + k];
			*head += n;
		} else if (op == 1) {
			*head = w;
		} else {
			memcpy(s + MPROF_TRACE_RING_TAIL, &w, 8);
		}
		i += n;
		mp_ring_drain(&ring, budget, on_event, NULL);
	}
	/* Each drain reads at least one slot's worth or reaches every head: this ends. */
	for (int k = 0; k < 100000 && mp_ring_drain(&ring, budget, on_event, NULL) == 1; k++)
		;
	if (mp_dat_flush(&out) < 0)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	mp_profile p;
	mp_dat_error e;
	int rc = mp_profile_read(&p, path, &e);
	if (rc != 0) {
		fprintf(stderr, "mprof wrote what it cannot read: line %zu: %s (%d)\n", e.line,
			e.what, rc);
		abort();
	}
	if (p.ncalls + p.nmarks + p.ngcs != written)
		abort();
	mp_profile_release(&p);
	close(fd);
	return 0;
}
