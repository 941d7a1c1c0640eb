// SPDX-License-Identifier: GPL-2.0
/* uprobe.bpf.c - the kernel side of uprobe brackets (docs/c-programs.md): a uprobe at the
 * entry and a uretprobe at the return of each function `mprof run --functions` names, in a
 * program built without instrumentation. Each finished call goes to mprof through a ring
 * buffer, with its times, the process's resident memory at both ends and its nesting level.
 *
 * Invariants:
 * - Only the profiled process is followed (target_tgid): mprof's (parent_tgid's) first child
 *   to exec, from its exec on. Its threads each have their own stack.
 * - A call records the stack slot of its return address and what it holds (until the kernel
 *   puts its uretprobe trampoline there). A return pops the calls whose slots lie below its
 *   own (longjmp left them: their returns never come); an entry pops those whose slot is below
 *   its own, or no longer holds their return address, or is its own without the trampoline
 *   in it (the same slot with the trampoline is a tail call: both returns come, ours first).
 *   Such calls are counted in `gone`, never sent: their end was not seen.
 * - Memory is the mm's counters as statm adds them (file + anon + shmem pages, with their
 *   per-CPU parts since 6.2): rss.bpf.h, as the peak source reads them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rss.bpf.h"
#include "uprobe_shared.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 parent_tgid = 0; /* mprof: its child is the program */
__u32 target_tgid = 0;                /* the program, from its exec */
__u64 dropped = 0;                    /* the ring buffer was full */
__u64 gone = 0;                       /* calls left by longjmp */
__u64 too_deep = 0;                   /* calls past MP_UPROBE_DEPTH */

struct frame {
	__u64 t0;
	__s64 rss0;
	__u64 slot; /* where the return address lives */
	__u64 ret;  /* the return address */
	__u32 fn;
	__u32 pad;
};

struct thread_stack {
	__u32 depth;
	__u32 pad;
	struct frame f[MP_UPROBE_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct thread_stack);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct thread_stack);
} zero_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline __s64 rss_now(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	if (!mm)
		return -1;
	return rss_of(mm);
}

static __always_inline int followed(void)
{
	__u32 target = target_tgid;
	return target && (__u32)(bpf_get_current_pid_tgid() >> 32) == target;
}

/* The program is mprof's first child to exec: before its exec, that child is still mprof's
 * copy, whose calls (into a probed library, say) are not the program's. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (BPF_CORE_READ(p, real_parent, tgid) == parent_tgid)
		__sync_val_compare_and_swap(&target_tgid, 0, (__u32)p->tgid);
	return 0;
}

static __always_inline struct thread_stack *stack_of(__u32 tid, int create)
{
	struct thread_stack *st = bpf_map_lookup_elem(&stacks, &tid);
	if (st || !create)
		return st;
	__u32 zero = 0;
	struct thread_stack *z = bpf_map_lookup_elem(&zero_stack, &zero);
	if (!z)
		return NULL;
	bpf_map_update_elem(&stacks, &tid, z, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stacks, &tid);
}

/* The kernel replaces a probed call's return address with its uretprobe trampoline, the
 * first slot of the process's [uprobes] area: a live call's slot holds one or the other. */
static __always_inline __u64 trampoline(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, mm, uprobes_state.xol_area, vaddr);
}

static __always_inline int frame_live(const struct frame *f, __u64 slot, __u64 tramp)
{
	__u64 cur = 0;
	if (f->slot < slot)
		return 0;
	bpf_probe_read_user(&cur, sizeof cur, (void *)f->slot);
	if (f->slot == slot) /* a tail call from f: f's return is ours, its slot hijacked */
		return tramp && cur == tramp;
	return cur == f->ret || (tramp && cur == tramp);
}

SEC("uprobe")
int BPF_KPROBE(on_entry)
{
	if (!followed())
		return 0;
	struct thread_stack *st = stack_of((__u32)bpf_get_current_pid_tgid(), 1);
	if (!st)
		return 0;
	__u64 slot = PT_REGS_SP(ctx), ret = 0;
	bpf_probe_read_user(&ret, sizeof ret, (void *)slot);
	__u64 tramp = st->depth ? trampoline() : 0;
	for (int i = 0; i < MP_UPROBE_DEPTH; i++) {
		__u32 d = st->depth;
		if (d == 0 || d > MP_UPROBE_DEPTH)
			break;
		if (frame_live(&st->f[(d - 1) & (MP_UPROBE_DEPTH - 1)], slot, tramp))
			break;
		st->depth = d - 1;
		__sync_fetch_and_add(&gone, 1);
	}
	__u32 d = st->depth;
	if (d >= MP_UPROBE_DEPTH) {
		__sync_fetch_and_add(&too_deep, 1);
		return 0;
	}
	struct frame *f = &st->f[d & (MP_UPROBE_DEPTH - 1)];
	f->fn = (__u32)bpf_get_attach_cookie(ctx);
	f->slot = slot;
	f->ret = ret;
	f->rss0 = rss_now();
	f->t0 = bpf_ktime_get_ns();
	st->depth = d + 1;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return)
{
	if (!followed())
		return 0;
	struct thread_stack *st = stack_of((__u32)bpf_get_current_pid_tgid(), 0);
	if (!st)
		return 0;
	__u64 t1 = bpf_ktime_get_ns();
	/* After the return the stack pointer is one word above the return address's slot. */
	__u64 slot = PT_REGS_SP(ctx) - sizeof(__u64);
	__u32 fn = (__u32)bpf_get_attach_cookie(ctx);
	for (int i = 0; i < MP_UPROBE_DEPTH; i++) {
		__u32 d = st->depth;
		if (d == 0 || d > MP_UPROBE_DEPTH)
			return 0;
		struct frame *f = &st->f[(d - 1) & (MP_UPROBE_DEPTH - 1)];
		if (f->slot < slot) { /* deeper than this return: left by longjmp */
			st->depth = d - 1;
			__sync_fetch_and_add(&gone, 1);
			continue;
		}
		if (f->slot != slot || f->fn != fn)
			return 0; /* its entry was not seen */
		st->depth = d - 1;
		struct mp_uprobe_event *e = bpf_ringbuf_reserve(&events, sizeof *e, 0);
		if (!e) {
			__sync_fetch_and_add(&dropped, 1);
			return 0;
		}
		e->tgid = bpf_get_current_pid_tgid() >> 32;
		e->level = d - 1;
		e->fn = fn;
		e->pad = 0;
		e->t0 = f->t0;
		e->rss0 = f->rss0;
		e->t1 = t1;
		e->rss1 = rss_now();
		bpf_ringbuf_submit(e, 0);
		return 0;
	}
	return 0;
}
