/* fuzz_channel.c - libFuzzer target: any bytes a traced program could send down the trace
 * channel, arriving in chunks that split lines across reads, go through the channel's parser
 * and the .dat writer, and whatever mprof writes, mprof's reader must read. One grammar: an
 * event the channel accepts is never one the reader refuses. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"
#include "dat.h"

static mp_dat out;
static unsigned long written; /* events that became a .dat line (every one but B) */

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
		/* A begin: shown by a live view, never written. Its fields are the reader's. */
		if (ev->level < 0 || ev->rss0 < -1 || !ev->name_len)
			abort();
		break;
	default:
		abort(); /* the parser promised F, M, G or B */
	}
}

static void drain(mp_channel *chan)
{
	int rc;
	/* A small budget, so that slices end anywhere in a line too. */
	while ((rc = mp_channel_drain(chan, 97, on_event, NULL)) == 1)
		;
	if (rc < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mp_channel chan;
	if (size < 1 || size > 60000)
		return 0;
	/* The first byte sets the chunk size the program's sends arrive in. */
	size_t chunk = 1 + data[0] % 64;
	data++;
	size--;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	int sndbuf = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	int fd = memfd_create("fuzz.dat", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	written = 0;
	memset(&out, 0, sizeof out);
	out.fd = fd;
	mp_dat_cmdline_text(&out, "fuzz");
	mp_dat_run_info info = {.interval = 0.1, .pid = 1};
	mp_dat_meta(&out, &info);
	mp_channel_init(&chan, sv[0]);
	for (size_t i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		if (write(sv[1], data + i, n) != (ssize_t)n)
			abort();
		drain(&chan);
	}
	close(sv[1]);
	while (!chan.eof)
		drain(&chan);
	close(sv[0]);
	if (mp_dat_flush(&out) < 0)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	mp_profile p;
	mp_dat_error e;
	int rc = mp_profile_read(&p, path, &e);
	if (rc != 0) {
		fprintf(stderr, "mprof wrote what it cannot read: line %zu: %s (%d)\n", e.line, e.what,
			rc);
		abort();
	}
	if (p.ncalls + p.nmarks + p.ngcs != written)
		abort(); /* every accepted event is one line read back */
	mp_profile_release(&p);
	close(fd);
	mp_event ev;
	mp_event_parse((const char *)data, size, &ev);
	return 0;
}
