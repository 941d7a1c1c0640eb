/* test_trace.c - the C emitter: what a traced program sends, and that it sends nothing
 * outside mprof. The emitting side runs in a re-executed copy of this test, since the channel
 * is found from the environment when the library loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "mprof/trace.h"

static int emit(void)
{
	{
		MPROF_SCOPE("outer");
		mprof_begin("inner one");
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(p, 1, 1 << 20);
		mprof_end();
		munmap(p, 1 << 20);
		mprof_mark("line\nbreak");
	}
	mprof_end(); /* unmatched: ignored */
	mprof_gc_start(1);
	mprof_gc_stop(1, 5, 0, 77);
	mprof_gc_stop(1, 5, 0, 77); /* no start: ignored */
	if (fork() == 0) {
		mprof_mark("from the child");
		_exit(0);
	}
	wait(NULL);
	return 0;
}

struct got {
	int n;
	mp_event ev[8];
	char names[8][64];
};

static void collect(const mp_event *ev, void *ctx)
{
	struct got *g = ctx;
	if (g->n >= 8)
		return;
	g->ev[g->n] = *ev;
	size_t n = ev->name_len < 63 ? ev->name_len : 63;
	if (ev->name)
		memcpy(g->names[g->n], ev->name, n);
	g->names[g->n][ev->name ? n : 0] = 0;
	g->n++;
}

static void test_trace__events_reach_the_channel_in_order(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(sv[0]);
		char fd[16];
		snprintf(fd, sizeof fd, "%d", sv[1]);
		setenv("MPROF_TRACE_FD", fd, 1);
		execl("/proc/self/exe", "test_trace", "--emit", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	int st;
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	mp_channel *c = malloc(sizeof *c);
	mp_channel_init(c, sv[0]);
	struct got g = {0};
	while (!c->eof)
		assert_int_equal(mp_channel_drain(c, 1 << 30, collect, &g), 0);
	assert_int_equal(c->bad, 0);
	assert_int_equal(g.n, 5);
	/* inner ends first, at level 1, and its memory grew by the megabyte it touched */
	assert_int_equal(g.ev[0].type, 'F');
	assert_string_equal(g.names[0], "inner one");
	assert_int_equal(g.ev[0].level, 1);
	assert_int_equal(g.ev[0].pid, kid);
	assert_true(g.ev[0].rss1 - g.ev[0].rss0 >= 1000000);
	assert_string_equal(g.names[1], "line?break");
	assert_int_equal(g.ev[2].type, 'F');
	assert_string_equal(g.names[2], "outer");
	assert_int_equal(g.ev[2].level, 0);
	assert_true(g.ev[2].t1.tv_sec > g.ev[2].t0.tv_sec ||
		    (g.ev[2].t1.tv_sec == g.ev[2].t0.tv_sec && g.ev[2].t1.tv_nsec >= g.ev[2].t0.tv_nsec));
	assert_int_equal(g.ev[3].type, 'G');
	assert_int_equal(g.ev[3].gen, 1);
	assert_int_equal(g.ev[3].collected, 5);
	assert_int_equal(g.ev[3].candidates, 77);
	assert_true(g.ev[3].rss0 > 0);
	/* the forked child reports under its own pid, with its own memory */
	assert_string_equal(g.names[4], "from the child");
	assert_int_not_equal(g.ev[4].pid, kid);
	assert_true(g.ev[4].rss0 > 0);
	close(sv[0]);
	free(c);
}

static void test_trace__does_nothing_outside_mprof(void **state)
{
	(void)state;
	/* This process was started without MPROF_TRACE_FD. */
	assert_int_equal(mprof_enabled(), 0);
	assert_int_equal(mprof__trace_fd, -1);
	mprof_begin("x");
	mprof_end();
	mprof_mark("y");
}

/* Emitting side of the fd tests: argv[2] is the channel's number. "reuse": the program closes
 * it and opens a file that lands on the same number, then sends; "nonblock": the program
 * makes the shared socket non-blocking and floods it. */
static int emit_mode(const char *mode, const char *path)
{
	int fd = atoi(getenv("MPROF_TRACE_FD"));
	if (!strcmp(mode, "reuse")) {
		close(fd);
		int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (f != fd && dup2(f, fd) < 0)
			return 2;
		mprof_begin("after reuse");
		mprof_end();
		mprof_mark("mark after reuse");
		return 0;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < 5000; i++) {
		mprof_begin("flood");
		mprof_end();
	}
	return 0;
}

/* Runs this test again as the emitting program with the channel at `fd`; returns its pid. */
static pid_t start_emitter(int fd, const char *mode, const char *path)
{
	pid_t kid = fork();
	if (kid == 0) {
		char text[16];
		snprintf(text, sizeof text, "%d", fd);
		setenv("MPROF_TRACE_FD", text, 1);
		execl("/proc/self/exe", "test_trace", "--emit-mode", mode, path, (char *)NULL);
		_exit(127);
	}
	return kid;
}

static int wait_ok(pid_t kid)
{
	int st;
	return waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_trace__a_file_on_the_channel_number_gets_nothing(void **state)
{
	(void)state;
	char path[] = "/tmp/test_trace_reuse.XXXXXX";
	close(mkstemp(path));
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t kid = start_emitter(sv[1], "reuse", path);
	close(sv[1]);
	assert_true(wait_ok(kid));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0); /* not one event in the user's file */
	/* ... and they reached the channel instead, through the emitter's own copy. */
	mp_channel *c = malloc(sizeof *c);
	mp_channel_init(c, sv[0]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	struct got g = {0};
	while (!c->eof)
		assert_true(mp_channel_drain(c, 1 << 30, collect, &g) >= 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.names[0], "after reuse");
	close(sv[0]);
	free(c);
	unlink(path);

	/* A file there from the start (`sh -c 'exec 5>log; prog'`): tracing stays off. */
	char path2[] = "/tmp/test_trace_file.XXXXXX";
	int f = mkstemp(path2);
	kid = start_emitter(f, "reuse", path2);
	close(f);
	assert_true(wait_ok(kid));
	assert_int_equal(stat(path2, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(path2);
}

static void test_trace__a_non_blocking_channel_loses_nothing(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int small = 4096;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	pid_t kid = start_emitter(sv[1], "nonblock", "-");
	close(sv[1]);
	mp_channel *c = malloc(sizeof *c);
	mp_channel_init(c, sv[0]);
	struct got g = {0};
	/* A slow reader: the sender must wait for room, not drop. */
	while (!c->eof) {
		usleep(200);
		assert_true(mp_channel_drain(c, 1 << 30, collect, &g) >= 0);
	}
	assert_true(wait_ok(kid));
	assert_int_equal(c->bad, 0);
	assert_int_equal(c->events, 5000);
	close(sv[0]);
	free(c);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--emit"))
		return emit();
	if (argc > 3 && !strcmp(argv[1], "--emit-mode"))
		return emit_mode(argv[2], argv[3]);
	unsetenv("MPROF_TRACE_FD");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace__events_reach_the_channel_in_order),
		cmocka_unit_test(test_trace__does_nothing_outside_mprof),
		cmocka_unit_test(test_trace__a_file_on_the_channel_number_gets_nothing),
		cmocka_unit_test(test_trace__a_non_blocking_channel_loses_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
