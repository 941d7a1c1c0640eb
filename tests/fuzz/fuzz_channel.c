/* fuzz_channel.c - libFuzzer target: any bytes a traced program could send down the trace
 * channel, split into events and written as .dat lines, must neither crash mprof nor make it
 * write anything but whole, well-formed lines. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "dat.h"

static mp_dat out;

static void on_event(const mp_event *ev, void *ctx)
{
	(void)ctx;
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
	default:
		abort(); /* the parser promised F, M or G */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mp_channel chan;
	int p[2];
	if (size > 60000 || pipe(p) < 0) /* one pipe's worth, written at once */
		return 0;
	if (write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (out.fd <= 0)
		out.fd = open("/dev/null", O_WRONLY);
	mp_channel_init(&chan, p[0]);
	while (!chan.eof)
		if (mp_channel_drain(&chan, on_event, NULL) < 0)
			abort();
	close(p[0]);
	mp_dat_flush(&out);
	mp_event ev;
	mp_event_parse((const char *)data, size, &ev);
	return 0;
}
