/* peak.c - choose a run's peak source (peak.h); stand-ins for the eBPF source when mprof was
 * built without it (no libbpf, bpftool or clang at configure time). */
#include <errno.h>
#include <string.h>

#include "peak.h"

int mp_peaks_parse(const char *name, int *out)
{
	mp_peak_source s;
	if (!strcmp(name, "auto")) {
		*out = MP_PEAKS_AUTO;
		return 0;
	}
	if (mp_peak_source_parse(name, &s) < 0)
		return MP_EBADNAME;
	*out = (int)s;
	return 0;
}

static const char *fallback_word(int err)
{
	return err == -ENOTSUP ? "unsupported" : err == -EPERM || err == -EACCES ? "denied" : "failed";
}

int mp_peaks_open(mp_peaks *pk, int requested, mp_backend backend, int tree, pid_t adopt_parent)
{
	memset(pk, 0, sizeof *pk);
	pk->source = MP_PEAKS_NONE;
	if (requested == MP_PEAKS_NONE || backend != MP_BACKEND_RSS)
		return 0;
	if (requested == MP_PEAKS_RESET) {
		pk->source = MP_PEAKS_RESET;
		return 0;
	}
	if (requested == MP_PEAKS_BPF || requested == MP_PEAKS_AUTO) {
		int rc = mp_peak_bpf_open(&pk->bpf, adopt_parent, tree);
		if (rc == 0) {
			pk->source = MP_PEAKS_BPF;
			return 0;
		}
		if (requested == MP_PEAKS_BPF)
			return rc;
		pk->bpf_err = rc;
#ifdef GCLAB_HAVE_BPF
		pk->fallback = fallback_word(rc);
#else
		pk->fallback = "unbuilt";
		(void)fallback_word;
#endif
	}
	pk->source = tree ? MP_PEAKS_NONE : MP_PEAKS_HWM;
	return 0;
}

void mp_peaks_release(mp_peaks *pk)
{
	mp_peak_bpf_free(pk->bpf);
	pk->bpf = NULL;
}

#ifndef GCLAB_HAVE_BPF
int mp_peak_bpf_open(struct mp_peak_bpf **out, pid_t adopt_parent, int follow)
{
	*out = NULL;
	return -ENOTSUP;
}

void mp_peak_bpf_free(struct mp_peak_bpf *b)
{
}

int mp_peak_bpf_watch(struct mp_peak_bpf *b, pid_t pid, long long rss, int root)
{
	return -ENOTSUP;
}

int mp_peak_bpf_rss_fd(struct mp_peak_bpf *b)
{
	return -ENOTSUP;
}

void mp_peak_bpf_read(struct mp_peak_bpf *b, long long *max, long long *when_ns)
{
	*max = -1;
	*when_ns = 0;
}

int mp_peak_bpf_exec_sample(struct mp_peak_bpf *b, long long *rss, long long *when_ns)
{
	return -ENODATA;
}

unsigned long long mp_peak_bpf_lost(const struct mp_peak_bpf *b)
{
	return 0;
}
#endif
