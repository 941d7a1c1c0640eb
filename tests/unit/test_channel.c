/* test_channel.c - parsing trace events and splitting the channel's stream into them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"

static int parse(const char *s, mp_event *ev)
{
	return mp_event_parse(s, strlen(s), ev);
}

static void test_channel__parses_each_event_type(void **state)
{
	(void)state;
	mp_event ev;
	assert_int_equal(parse("F 42 1 1795545560.100031 2281472 1795545560.412877 69390336 my func", &ev), 0);
	assert_int_equal(ev.type, 'F');
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.level, 1);
	assert_int_equal(ev.t0.tv_sec, 1795545560);
	assert_int_equal(ev.t0.tv_nsec, 100031000);
	assert_int_equal(ev.rss1, 69390336);
	assert_int_equal(ev.name_len, 7);
	assert_memory_equal(ev.name, "my func", 7);
	assert_int_equal(parse("M 7 12.5 -1 halfway", &ev), 0);
	assert_int_equal(ev.t0.tv_nsec, 500000000);
	assert_int_equal(ev.rss0, -1);
	assert_int_equal(parse("G 7 2 1.0 100 1.000120 100 12 0 -1", &ev), 0);
	assert_int_equal(ev.gen, 2);
	assert_int_equal(ev.collected, 12);
	assert_int_equal(ev.candidates, -1);
}

static void test_channel__rejects_malformed_events(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", "F", "X 1 2", "F 0 0 1.0 1 1.0 1 name",      /* pid 0 */
		"F 1 0 1.0 1 1.0 1",                             /* no name */
		"F 1 0 1.0 1 1.0 1 ",                            /* empty name */
		"F 1 -1 1.0 1 1.0 1 n",                          /* negative level */
		"F 1 0 1.0x 1 1.0 1 n", "M 1 1.0 12a n",
		"G 1 2 1.0 1 1.0 1 1 1",                         /* a field short */
		"G 1 2 1.0 1 1.0 1 1 1 1 extra",
		"F 99999999999999999999 0 1 1 1 1 n",            /* overflow */
		"F 1 0 99999999999999999999.0 1 1.0 1 n",
		/* What the .dat reader would refuse is refused here, never written. */
		"G 1 0 1.0 1000 1.1 1000 -5 0 0",                /* negative collected */
		"G 1 0 1.0 1000 1.1 1000 0 -1 0",                /* negative uncollectable */
		"G 1 0 1.0 1000 1.1 1000 0 0 -2",                /* candidates below -1 */
		"G 1 0 1.0 1000 1.1 1000 9000000000000000000 0 0", /* beyond the count limit */
		"G 1 1001 1.0 1 1.0 1 1 1 1",                    /* generation past the limit */
		"M 1 1.0 -2 n",                                  /* memory below -1 */
		"F 1 0 1.0 9223372036854775800 1.0 1 n",         /* memory past the limit */
		"F 1 1000001 1.0 1 1.0 1 n",                     /* level past the limit */
	};
	mp_event ev;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse(bad[i], &ev), MP_EBADEVENT);
}

struct got {
	int n;
	char names[8][32];
};

static void collect(const mp_event *ev, void *ctx)
{
	struct got *g = ctx;
	if (g->n < 8) {
		memcpy(g->names[g->n], ev->name, ev->name_len < 31 ? ev->name_len : 31);
		g->names[g->n][ev->name_len < 31 ? ev->name_len : 31] = 0;
	}
	g->n++;
}

static void test_channel__splits_lines_across_reads_and_skips_bad_ones(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	mp_channel *c = malloc(sizeof *c);
	mp_channel_init(c, sv[0]);
	struct got g = {0};
	const char *part1 = "M 1 1.0 5 first\nM 1 1.0 5 sec";
	assert_int_equal(write(sv[1], part1, strlen(part1)), (ssize_t)strlen(part1));
	assert_int_equal(mp_channel_drain(c, 1 << 30, collect, &g), 0);
	assert_int_equal(g.n, 1);
	const char *part2 = "ond\ngarbage line\n";
	assert_int_equal(write(sv[1], part2, strlen(part2)), (ssize_t)strlen(part2));
	assert_int_equal(mp_channel_drain(c, 1 << 30, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.names[1], "second");
	assert_int_equal(c->bad, 1);
	/* An over-long line is dropped whole; the next one still arrives. */
	char big[2000];
	memset(big, 'x', sizeof big);
	memcpy(big, "M 1 1.0 5 ", 10);
	assert_int_equal(write(sv[1], big, sizeof big), (ssize_t)sizeof big);
	assert_int_equal(write(sv[1], "\nM 1 1.0 5 after\n", 17), 17);
	assert_int_equal(mp_channel_drain(c, 1 << 30, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.names[2], "after");
	assert_int_equal(c->bad, 2);
	assert_int_equal(c->events, 3);
	close(sv[1]);
	assert_int_equal(mp_channel_drain(c, 1 << 30, collect, &g), 0);
	assert_true(c->eof);
	close(sv[0]);
	free(c);
}

/* A flood is read in slices: the drain returns when its budget is spent, with the rest
 * still waiting, and the next drain goes on from there with nothing lost. */
static void test_channel__drain_stops_at_its_budget_and_resumes(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int sndbuf = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	mp_channel *c = malloc(sizeof *c);
	mp_channel_init(c, sv[0]);
	/* One write: many small ones would each take a socket buffer slot of their own. */
	static char flood[8192 * 16];
	for (int i = 0; i < 8192; i++)
		memcpy(flood + 16 * i, "M 1 1.0 5 event\n", 16);
	assert_int_equal(write(sv[1], flood, sizeof flood), (ssize_t)sizeof flood);
	struct got g = {0};
	assert_int_equal(mp_channel_drain(c, 4096, collect, &g), 1);
	assert_true(g.n > 0 && g.n < 8192);
	int rounds = 1;
	while (mp_channel_drain(c, 4096, collect, &g) == 1)
		rounds++;
	assert_true(rounds > 4);
	assert_int_equal(g.n, 8192);
	assert_int_equal(c->bad, 0);
	close(sv[1]);
	close(sv[0]);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel__parses_each_event_type),
		cmocka_unit_test(test_channel__rejects_malformed_events),
		cmocka_unit_test(test_channel__splits_lines_across_reads_and_skips_bad_ones),
		cmocka_unit_test(test_channel__drain_stops_at_its_budget_and_resumes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
