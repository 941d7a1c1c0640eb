/* rss.bpf.h - a process's resident memory as statm reports it, read from its mm in eBPF;
 * shared by peak.bpf.c and uprobe.bpf.c (one copy of the kernel-version logic). Include it
 * once, in one program: it defines that program's globals and a per-CPU map of its own. The
 * loader sets nr_cpus before loading (libbpf_num_possible_cpus()).
 */
#ifndef MP_RSS_BPF_H
#define MP_RSS_BPF_H

const volatile __u32 nr_cpus = 0; /* possible CPUs: the per-CPU parts to add */

#define MAX_CPUS 256

/* Each CPU's per-CPU offset, learnt once from a per-CPU map of our own (the kernel's table is
 * not reachable without its symbol): a per-CPU pointer plus cpu_off[cpu] is that CPU's copy. */
__u64 cpu_off[MAX_CPUS] = {};
__u32 cpu_off_ready = 0; /* 1 learnt, 2 could not be */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} probe_pcpu SEC(".maps");

/* A pointer's value as a plain number (the verifier tracks pointers, not their values). */
static __always_inline __u64 address_of(const void *p)
{
	__u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof v, &p);
	return v;
}

static __noinline int learn_cpu_offsets(void)
{
	__u32 zero = 0;
	__u64 arr = address_of(&probe_pcpu), base = 0;
	if (bpf_probe_read_kernel(&base, sizeof base,
				  (void *)(arr + bpf_core_field_offset(struct bpf_array, pptrs))))
		return -1;
	for (__u32 cpu = 0; cpu < MAX_CPUS && cpu < nr_cpus; cpu++) {
		void *p = bpf_map_lookup_percpu_elem(&probe_pcpu, &zero, cpu);
		if (!p)
			return -1;
		cpu_off[cpu] = address_of(p) - base;
	}
	return 0;
}

/* Before 6.2 the counters were atomics in struct mm_rss_stat. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* One counter as statm reads it. Since 6.2 a counter is a percpu_counter: a shared count plus
 * up to a batch (32 pages or more) on each CPU, which statm adds up since 6.16
 * (percpu_counter_sum_positive): so does this, over the possible CPUs (MAX_CPUS at most).
 * Before 6.2, an atomic_long_t. */
static __always_inline __s64 counter(struct mm_struct *mm, int i)
{
	__s64 v;
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *o = (void *)mm;
		v = BPF_CORE_READ(o, rss_stat.count[i].counter);
		return v < 0 ? 0 : v;
	}
	v = BPF_CORE_READ(mm, rss_stat[i].count);
	__u64 pcp = address_of(BPF_CORE_READ(mm, rss_stat[i].counters));
	if (!cpu_off_ready)
		cpu_off_ready = learn_cpu_offsets() == 0 ? 1 : 2;
	if (pcp && cpu_off_ready == 1) {
		for (__u32 cpu = 0; cpu < MAX_CPUS && cpu < nr_cpus; cpu++) {
			__s32 part = 0;
			if (bpf_probe_read_kernel(&part, sizeof part, (void *)(pcp + cpu_off[cpu])) == 0)
				v += part;
		}
	}
	return v < 0 ? 0 : v;
}

/* Resident pages: MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES (not MM_SWAPENTS). */
static __always_inline __s64 rss_of(struct mm_struct *mm)
{
	return counter(mm, 0) + counter(mm, 1) + counter(mm, 3);
}

#endif
