/* test_session.c - the session loop (record/session.c) driven directly: a program started
 * with mp_spawn, sampled into a .dat that the reader then reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "dat.h"
#include "session.h"
#include "spawn.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_session.XXXXXX");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs `script` under sh with the trace channel, sampled every `interval` s into s.dat, as
 * `mprof run` does; the profile is read back into `p`. */
static void run_session(const char *script, double interval, double timeout,
			mp_session_result *r, mp_profile *p)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	assert_true(sfd >= 0);
	int ch[2];
	assert_int_equal(mp_channel_open(ch), 0);
	char fdtext[16];
	snprintf(fdtext, sizeof fdtext, "%d", ch[1]);
	char **env = mp_spawn_env(MPROF_TRACE_ENV, fdtext);
	char path[PATH_MAX];
	assert_int_equal(mp_spawn_resolve("sh", path, sizeof path), 0);
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	pid_t pid;
	assert_int_equal(mp_spawn(path, argv, env, ch[1], &old, &pid), 0);
	close(ch[1]);

	mp_dat *out = malloc(sizeof *out);
	assert_int_equal(mp_dat_create(out, "s.dat"), 0);
	mp_session_opts o = {
		.interval = interval, .timeout = timeout, .backend = MP_BACKEND_RSS, .peaks = 0,
		.pid = pid, .is_child = 1, .trace_fd = ch[0], .signal_fd = sfd, .out = out,
	};
	assert_int_equal(mp_session_run(&o, r), 0);
	assert_int_equal(mp_dat_close(out), 0);
	free(out);
	if (!r->exited) { /* the timeout: the program runs on; end it here */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(sfd);
	close(ch[0]);
	mp_spawn_env_free(env);
	sigprocmask(SIG_SETMASK, &old, NULL);
	mp_dat_error e;
	assert_int_equal(mp_profile_read(p, "s.dat", &e), 0);
}

static void test_session__samples_until_exit_and_passes_the_status(void **state)
{
	(void)state;
	mp_session_result r;
	mp_profile p;
	run_session("sleep 0.2; exit 3", 0.01, 0, &r, &p);
	assert_true(r.exited);
	assert_int_equal(r.status, 3);
	assert_false(r.timed_out);
	/* 0.2 s at 10 ms: far more than a handful, whatever the load. */
	assert_true(r.samples >= 5);
	assert_int_equal(p.nmem, r.samples);
	assert_true(p.has_exit);
	assert_int_equal(p.exit_status, 3);
	assert_true(r.max_mem > 0);
	assert_true(r.seconds >= 0.15);
	mp_profile_release(&p);
}

static void test_session__a_killed_program_reads_as_128_plus_the_signal(void **state)
{
	(void)state;
	mp_session_result r;
	mp_profile p;
	run_session("sleep 0.05; kill -KILL $$", 0.01, 0, &r, &p);
	assert_true(r.exited);
	assert_int_equal(r.status, 128 + SIGKILL);
	assert_int_equal(p.exit_status, 128 + SIGKILL);
	mp_profile_release(&p);
}

static void test_session__channel_events_become_lines(void **state)
{
	(void)state;
	mp_session_result r;
	mp_profile p;
	run_session("printf 'F %d 0 1795545560.1 1048576 1795545560.2 2097152 my func\\n' $$ "
		    ">&$MPROF_TRACE_FD; "
		    "printf 'M %d 1795545560.15 1048576 halfway\\n' $$ >&$MPROF_TRACE_FD; "
		    "printf 'G %d 2 1795545560.3 1048576 1795545560.31 1048576 12 0 40\\n' $$ "
		    ">&$MPROF_TRACE_FD; "
		    "printf 'not an event\\n' >&$MPROF_TRACE_FD; sleep 0.05",
		    0.01, 0, &r, &p);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.events, 3);
	assert_int_equal(r.bad_events, 1);
	assert_int_equal(p.ncalls, 1);
	assert_string_equal(p.fnames[p.calls[0].fn], "my func");
	assert_int_equal(p.calls[0].level, 0);
	assert_true(p.calls[0].m1 == 2.0);
	assert_int_equal(p.nmarks, 1);
	assert_string_equal(p.marks[0].name, "halfway");
	assert_int_equal(p.ngcs, 1);
	assert_int_equal(p.gcs[0].gen, 2);
	assert_int_equal(p.gcs[0].collected, 12);
	assert_int_equal(p.gcs[0].candidates, 40);
	mp_profile_release(&p);
}

static void test_session__timeout_stops_sampling_not_the_program(void **state)
{
	(void)state;
	mp_session_result r;
	mp_profile p;
	run_session("exec sleep 5", 0.01, 0.1, &r, &p);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_false(p.has_exit);
	assert_true(p.nmem >= 1);
	mp_profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session__samples_until_exit_and_passes_the_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session__a_killed_program_reads_as_128_plus_the_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session__channel_events_become_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session__timeout_stops_sampling_not_the_program, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
