/* uprobe.h - brackets for a program built without instrumentation: a uprobe and a uretprobe on
 * each function `mprof run --functions` names (bpf/uprobe.bpf.c), loaded before the program
 * starts. A thread of mprof's turns each finished call into an F event on the trace channel, so
 * the session records it as it records any bracket (docs/c-programs.md).
 *
 * Library code: it never prints. -ENOTSUP when mprof was built without eBPF or the kernel
 * lacks BTF or uprobes; -EPERM without root (or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN).
 */
#ifndef MP_UPROBE_H
#define MP_UPROBE_H

#include <sys/types.h>

#include "funcs.h"

struct mp_uprobes;

/* Loads the program and attaches it to `sites` (copied), following this process's next
 * child from its exec; calls that lasted `min_ns` or more go to `chan_fd` (a write end of the trace
 * channel, which it now owns, and closes even on failure). */
int mp_uprobes_open(struct mp_uprobes **out, const mp_func_site *sites, int n, long long min_ns,
		    int chan_fd);
/* The program is `pid`: only it is followed from now on. Starts the forwarding thread. */
int mp_uprobes_start(struct mp_uprobes *u, pid_t pid);
/* Forwards what is left and stops the thread (a session's before_last_drain). */
void mp_uprobes_flush(void *u);
/* Calls never sent: ring buffer full or channel full at the end, and calls left by longjmp. */
void mp_uprobes_counts(const struct mp_uprobes *u, unsigned long long *dropped,
		       unsigned long long *gone);
void mp_uprobes_free(struct mp_uprobes *u);

#endif
