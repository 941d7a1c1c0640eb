// SPDX-License-Identifier: GPL-2.0
/* peak.bpf.c - the kernel side of mprof's eBPF peak source (docs/peaks.md).
 *
 * Keeps, for the profiled process (and, with -C, every process it forks), its resident memory
 * as statm reports it (file + anon + shmem pages of its mm), the sum over the group, and the
 * highest sum since mprof's last reading with the time it was reached. mprof reads and resets
 * `max` once per sampling interval through the mmapped .bss; the program is never written to.
 *
 * Invariants:
 * - `total` is the sum of the `rss` of the members flagged COUNTED: every change of a member's
 *   rss goes through set_rss(), which exchanges it and adds the difference to `total`.
 * - A member's rss is read from its mm's counters, never accumulated from deltas, so a missed
 *   event costs one stale value until the next, not a drift.
 * - A member flagged PENDING (mprof's own fork, or a vfork child sharing its parent's mm) is not
 *   counted until it execs: the forked copy of mprof is not the program.
 * - `rss_now` (mmapped read-only by the traced processes, docs/trace-protocol.md) holds, at
 *   word tgid % MP_RSS_SLOTS, (tgid << MP_RSS_PID_SHIFT) | rss of each member not PENDING,
 *   stored whole at every change of its rss (one 64-bit store: a reader never sees half of
 *   one). Members whose tgids share a word overwrite each other: a reader checks the tgid. A
 *   member's word is cleared when it exits, so a later process with its pid never reads it.
 * Attach points need no tracefs: tp_btf (BTF-typed raw tracepoints).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "peak_shared.h"
#include "rss.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_EXITING 0x00000004

/* Set by mprof before loading. */
const volatile __u32 adopt_parent = 0; /* mprof's tgid: its next child becomes the root */
const volatile __u32 follow = 0;       /* -C: the group is the whole tree */

/* Read and reset by mprof (mmapped). Pages and CLOCK_MONOTONIC ns. */
__s64 total = 0;
__s64 max = 0;
__u64 max_ns = 0;
__s64 exec_rss = -1; /* the root's rss when it exec'd, and when */
__u64 exec_ns = 0;
__u32 adopted = 0;
__u64 lost = 0;      /* processes not followed: the member map was full */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MP_RSS_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} rss_now SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MP_PEAK_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct mp_peak_member);
} members SEC(".maps");

static __always_inline void raise_max(__s64 t)
{
	for (int i = 0; i < 8; i++) {
		__s64 cur = max;
		if (t <= cur)
			return;
		if (__sync_val_compare_and_swap(&max, cur, t) == cur) {
			max_ns = bpf_ktime_get_ns();
			return;
		}
	}
}

/* Publishes member `tgid`'s rss (pages) in its word; rss < 0 clears the word if it is still
 * the member's. */
static __always_inline void publish_rss(__u32 tgid, __s64 rss)
{
	__u32 idx = tgid % MP_RSS_SLOTS;
	__u64 *w = bpf_map_lookup_elem(&rss_now, &idx);
	if (!w)
		return;
	if (rss < 0) {
		__u64 cur = *w;
		if ((cur >> MP_RSS_PID_SHIFT) == tgid)
			__sync_val_compare_and_swap(w, cur, 0);
		return;
	}
	__u64 v = ((__u64)tgid << MP_RSS_PID_SHIFT) |
		  ((__u64)rss & ((1ULL << MP_RSS_PID_SHIFT) - 1));
	__sync_lock_test_and_set(w, v);
}

static __always_inline void set_rss(struct mp_peak_member *m, __u32 tgid, __s64 rss)
{
	publish_rss(tgid, rss);
	__s64 old = __sync_lock_test_and_set(&m->rss, rss);
	if (!(m->flags & MP_PEAK_COUNTED) || old == rss)
		return;
	__s64 t = __sync_fetch_and_add(&total, rss - old) + (rss - old);
	raise_max(t);
}

SEC("tp_btf/rss_stat")
int BPF_PROG(on_rss_stat, struct mm_struct *mm, int member)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *own = task->mm;
	__u32 tgid;
	if (own == mm) {
		tgid = task->tgid;
	} else {
		/* Another task changed this mm: reclaim, the exit's teardown, a fork copying it. */
		if (!bpf_core_field_exists(mm->owner))
			return 0;
		struct task_struct *owner = BPF_CORE_READ(mm, owner);
		if (!owner)
			return 0;
		tgid = BPF_CORE_READ(owner, tgid);
	}
	struct mp_peak_member *m = bpf_map_lookup_elem(&members, &tgid);
	if (!m || (m->flags & MP_PEAK_PENDING))
		return 0;
	if (own == mm)
		m->mm = (__u64)mm; /* after an exec, the new mm is the member's */
	else if (m->mm != (__u64)mm)
		return 0; /* not the member's mm: a child's being copied by fork, or the old one */
	set_rss(m, tgid, rss_of(mm));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, pid = child->pid;
	if (child->tgid != pid)
		return 0; /* a thread */
	struct mp_peak_member m = {};
	if (adopt_parent && ptgid == adopt_parent) {
		if (__sync_val_compare_and_swap(&adopted, 0, 1) != 0)
			return 0;
		m.flags = MP_PEAK_ROOT | MP_PEAK_PENDING | MP_PEAK_COUNTED;
	} else {
		if (!follow || !bpf_map_lookup_elem(&members, &ptgid))
			return 0;
		m.flags = MP_PEAK_COUNTED;
		if (child->mm == parent->mm)
			m.flags |= MP_PEAK_PENDING; /* vfork: the parent's mm, counted there */
	}
	m.mm = (__u64)child->mm;
	if (bpf_map_update_elem(&members, &pid, &m, BPF_NOEXIST) < 0) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	struct mp_peak_member *e = bpf_map_lookup_elem(&members, &pid);
	if (e && !(e->flags & MP_PEAK_PENDING) && child->mm)
		set_rss(e, pid, rss_of(child->mm));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct mp_peak_member *m = bpf_map_lookup_elem(&members, &tgid);
	if (!m)
		return 0;
	struct mm_struct *mm = p->mm;
	m->mm = (__u64)mm;
	m->flags &= ~MP_PEAK_PENDING;
	__s64 rss = rss_of(mm);
	set_rss(m, tgid, rss);
	if ((m->flags & MP_PEAK_ROOT) && exec_rss < 0) {
		exec_ns = bpf_ktime_get_ns();
		exec_rss = rss;
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads live on */
	__u32 tgid = p->tgid;
	struct mp_peak_member *m = bpf_map_lookup_elem(&members, &tgid);
	if (!m)
		return 0;
	set_rss(m, tgid, 0);
	publish_rss(tgid, -1);
	if (m->flags & MP_PEAK_ROOT)
		m->flags |= MP_PEAK_EXITED;
	else
		bpf_map_delete_elem(&members, &tgid);
	return 0;
}
