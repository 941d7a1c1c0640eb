/* instrument.c - libmprof_instrument: a bracket for each call of a function that mprof was told
 * to keep, in a program built with -finstrument-functions (docs/c-programs.md).
 *
 * The compiler calls __cyg_profile_func_enter/exit around every instrumented function. Outside
 * mprof (libmprof_trace found no channel) each hook is one test of mprof__trace_fd. Under mprof:
 * - A function's fate (kept or not, and its name) is decided once per address, from the symbol
 *   tables of the executable and its libraries (libdw's dwfl, demangled for C++), matched
 *   against MPROF_FUNCTIONS, and remembered in a table that readers search without a lock.
 * - A kept call becomes a libmprof_trace bracket (mprof__begin / mprof__end_min), sent at its
 *   end, and only when it lasted MPROF_MIN_DURATION or more.
 * - longjmp skips the exit hooks of the frames it leaves. Each kept call therefore records
 *   where its return address lives on the stack (its "slot") and what it holds. At an entry, a
 *   bracket whose slot lies at or below the new call's, or no longer holds its return address,
 *   belongs to a frame that is gone; at an exit, one whose slot lies below the exiting
 *   function's frame. It is dropped unsent (its end was never seen), and the nesting levels of
 *   the brackets that follow stay right. Recursion needs nothing special: each call has its
 *   own slot.
 *
 * Invariants:
 * - The hooks never call anything instrumented, and a per-thread `busy` flag stops a hook that
 *   our own resolution reaches (an instrumented malloc, say) from recursing.
 * - table entries are written once, under `resolve_lock`, address last (release); readers load
 *   the address with acquire. A grown table replaces the old one, which stays allocated
 *   (readers may still be in it): at most as much again as the live table.
 * Process-wide state: the filter and minimum duration (read once), the table, the dwfl handle.
 * Per thread: the stack of kept calls.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>

#include "config.h"
#include "mprof/trace.h"

#define KEPT_MAX 256 /* as libmprof_trace's bracket stack: deeper calls are not bracketed */
#define SLOT_SCAN_MAX (256 * 1024) /* bytes searched for a return address */

#define HOOK __attribute__((visibility("default"), no_instrument_function))
#define LOCAL __attribute__((no_instrument_function))
#define TLS __thread __attribute__((tls_model("initial-exec")))

/* C++: demangled when the program has the C++ runtime (every C++ program does). */
extern char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status)
	__attribute__((weak));

struct fn_entry {
	uintptr_t addr; /* 0: free */
	const char *name;
	int keep;
};

struct fn_table {
	struct fn_entry *e;
	size_t mask; /* size - 1, a power of two */
	size_t used;
};

struct kept_call {
	uintptr_t fn;
	uintptr_t site; /* the return address */
	uintptr_t *slot; /* where it lives on the stack */
};

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t resolve_lock = PTHREAD_MUTEX_INITIALIZER;
static mpi_filter filter;
static int filter_ok;
static long long min_ns;
static struct fn_table *table; /* atomic pointer */
static Dwfl *dwfl;
static int dwfl_stale = 1; /* report the process's modules again before the next lookup */

static TLS int busy;
static TLS int kept_depth;
static TLS int overflow; /* kept calls past KEPT_MAX, not bracketed */
static TLS struct kept_call kept[KEPT_MAX];
static TLS uintptr_t stack_end; /* one past the thread's stack; 0 before the first look */

static LOCAL void setup(void)
{
	const char *f = getenv(MPROF_FUNCTIONS_ENV);
	filter_ok = mpi_filter_init(&filter, f && *f ? f : "*", NULL) == 0;
	const char *d = getenv(MPROF_MIN_DURATION_ENV);
	if (!d || mpi_parse_duration(d, &min_ns) < 0)
		min_ns = 0;
	struct fn_table *t = calloc(1, sizeof *t);
	if (t && (t->e = calloc(1024, sizeof *t->e))) {
		t->mask = 1023;
		__atomic_store_n(&table, t, __ATOMIC_RELEASE);
	} else {
		free(t);
	}
}

static LOCAL size_t hash(uintptr_t a)
{
	return (size_t)(((uint64_t)a >> 2) * 0x9E3779B97F4A7C15ull >> 20);
}

static LOCAL const struct fn_entry *lookup(uintptr_t fn)
{
	const struct fn_table *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
	if (!t)
		return NULL;
	for (size_t i = hash(fn) & t->mask;; i = (i + 1) & t->mask) {
		uintptr_t a = __atomic_load_n(&t->e[i].addr, __ATOMIC_ACQUIRE);
		if (a == fn)
			return &t->e[i];
		if (!a)
			return NULL;
	}
}

static LOCAL void put(struct fn_table *t, uintptr_t fn, const char *name, int keep)
{
	size_t i = hash(fn) & t->mask;
	while (t->e[i].addr)
		i = (i + 1) & t->mask;
	t->e[i].name = name;
	t->e[i].keep = keep;
	__atomic_store_n(&t->e[i].addr, fn, __ATOMIC_RELEASE);
	t->used++;
}

/* Room for one more, keeping the table at most half full; the old table is left to readers. */
static LOCAL struct fn_table *room(void)
{
	struct fn_table *t = table;
	if (!t || (t->used + 1) * 2 <= t->mask + 1)
		return t;
	struct fn_table *n = calloc(1, sizeof *n);
	if (!n || !(n->e = calloc((t->mask + 1) * 2, sizeof *n->e))) {
		free(n);
		return NULL;
	}
	n->mask = t->mask * 2 + 1;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->e[i].addr)
			put(n, t->e[i].addr, t->e[i].name, t->e[i].keep);
	__atomic_store_n(&table, n, __ATOMIC_RELEASE);
	return n;
}

static LOCAL Dwfl_Module *module_of(uintptr_t fn)
{
	static const Dwfl_Callbacks callbacks = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	if (!dwfl && !(dwfl = dwfl_begin(&callbacks)))
		return NULL;
	Dwfl_Module *m = dwfl_stale ? NULL : dwfl_addrmodule(dwfl, (Dwarf_Addr)fn);
	if (!m) {
		/* First use, or a library loaded since (dlopen): read /proc/self/maps again. */
		dwfl_report_begin(dwfl);
		dwfl_linux_proc_report(dwfl, getpid());
		dwfl_report_end(dwfl, NULL, NULL);
		dwfl_stale = 0;
		m = dwfl_addrmodule(dwfl, (Dwarf_Addr)fn);
	}
	return m;
}

/* The name as people read it: demangled, without gcc's clone suffixes (.part.0, .isra.0,
 * [clone .constprop.0]). `bare` gets the name without its parameter list (C++). */
static LOCAL char *readable(const char *sym, char **bare)
{
	char *name = NULL;
	*bare = NULL;
	if (sym[0] == '_' && sym[1] == 'Z' && __cxa_demangle) {
		int status = -1;
		name = __cxa_demangle(sym, NULL, NULL, &status);
		if (status != 0) {
			free(name);
			name = NULL;
		}
	}
	if (name) {
		char *clone = strstr(name, " [clone ");
		if (clone)
			*clone = 0;
		/* The parameter list: the last top-level "(...)" (after "operator()" if any). */
		size_t n = strlen(name);
		int level = 0;
		for (size_t i = n; i-- > 0;) {
			if (name[i] == ')')
				level++;
			else if (name[i] == '(' && --level == 0) {
				if (i > 0 && (*bare = strndup(name, i)) == NULL)
					break;
				break;
			}
		}
		return name;
	}
	name = strdup(sym);
	if (name) {
		char *dot = strchr(name, '.'); /* a C name has no dot: a clone's suffix */
		if (dot && dot != name)
			*dot = 0;
	}
	return name;
}

/* Decides the fate of `fn`, once: called with the table missing it. */
static LOCAL const struct fn_entry *resolve(uintptr_t fn)
{
	pthread_mutex_lock(&resolve_lock);
	const struct fn_entry *e = lookup(fn);
	if (e)
		goto out;
	const char *sym = NULL;
	Dwfl_Module *m = module_of(fn);
	if (m)
		sym = dwfl_module_addrname(m, (GElf_Addr)fn);
	char *bare = NULL, *name = sym ? readable(sym, &bare) : NULL;
	int keep = name && filter_ok && mpi_filter_keeps(&filter, name, bare);
	free(bare);
	if (!keep) {
		free(name);
		name = NULL;
	}
	struct fn_table *t = room();
	if (t) {
		put(t, fn, name, keep);
		e = lookup(fn);
	} else {
		free(name);
	}
out:
	pthread_mutex_unlock(&resolve_lock);
	return e;
}

static LOCAL uintptr_t thread_stack_end(void)
{
	pthread_attr_t a;
	void *base;
	size_t size;
	uintptr_t end = UINTPTR_MAX;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getstack(&a, &base, &size) == 0)
			end = (uintptr_t)base + size;
		pthread_attr_destroy(&a);
	}
	return end;
}

/* The stack slot that holds the instrumented function's return address `site`: the first one
 * above `from` (the function's stack pointer when it called the hook) that holds it. */
__attribute__((no_instrument_function, no_sanitize_address)) static uintptr_t *
find_slot(uintptr_t *from, uintptr_t site)
{
	if (!stack_end)
		stack_end = thread_stack_end();
	uintptr_t limit = (uintptr_t)from + SLOT_SCAN_MAX;
	if (limit > stack_end || limit < (uintptr_t)from)
		limit = stack_end;
	for (uintptr_t *p = from; (uintptr_t)(p + 1) <= limit; p++)
		if (*p == site)
			return p;
	return from;
}

/* A kept call is live while its slot lies above `slot` (a deeper frame's) and still holds its
 * return address. */
__attribute__((no_instrument_function, no_sanitize_address)) static int
is_live(const struct kept_call *k, const uintptr_t *slot)
{
	return k->slot > slot && *k->slot == k->site;
}

/* Drops the brackets of frames that longjmp left: none of their ends will come. At an entry,
 * those not live from the new call's slot; at an exit, those whose slot is below `limit`. */
static LOCAL void drop_gone(const uintptr_t *slot, const uintptr_t *limit)
{
	while (kept_depth > 0) {
		const struct kept_call *k = &kept[kept_depth - 1];
		if (limit ? k->slot >= limit : is_live(k, slot))
			break;
		kept_depth--;
		mprof__end_min(LLONG_MAX);
	}
}

static LOCAL void enter(uintptr_t fn, uintptr_t site, uintptr_t *sp)
{
	pthread_once(&setup_once, setup);
	const struct fn_entry *e = lookup(fn);
	if (!e && !(e = resolve(fn)))
		return;
	if (!e->keep)
		return;
	uintptr_t *slot = find_slot(sp, site);
	drop_gone(slot, NULL);
	if (kept_depth == KEPT_MAX) {
		overflow++;
		return;
	}
	kept[kept_depth++] = (struct kept_call){fn, site, slot};
	mprof__begin(e->name);
}

/* `sp` is the word above the hook's frame. Called through a tail jump after the function's
 * epilogue, it is the function's own return slot, holding `site`; called from the body, it
 * holds the return into the function, and the function's kept calls lie below it. (The exit
 * does not search for the slot again: a compiler may keep a copy of `site` in the frame by
 * now, as clang does, which the search would find first.) */
__attribute__((no_instrument_function, no_sanitize_address)) static void
leave(uintptr_t fn, uintptr_t site, uintptr_t *sp)
{
	const struct fn_entry *e = lookup(fn);
	if (!e || !e->keep)
		return;
	if (overflow) {
		overflow--;
		return;
	}
	drop_gone(NULL, *sp == site ? sp : sp + 1); /* deeper than this call: gone */
	if (kept_depth == 0 || kept[kept_depth - 1].fn != fn)
		return; /* its entry was not seen */
	kept_depth--;
	mprof__end_min(min_ns);
}

/* The hooks. Built with frame pointers (CMakeLists.txt): the word above the hook's frame is
 * its return address, the bottom of the search for the instrumented function's own. That word
 * is the return address into the function, or, when the function jumped to the exit hook
 * after its epilogue (a tail call, as gcc -O2 does), the function's own return address. */
HOOK void __cyg_profile_func_enter(void *fn, void *site);
HOOK void __cyg_profile_func_exit(void *fn, void *site);

HOOK void __cyg_profile_func_enter(void *fn, void *site)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	if (busy)
		return;
	busy = 1;
	enter((uintptr_t)fn, (uintptr_t)site, (uintptr_t *)__builtin_frame_address(0) + 1);
	busy = 0;
}

HOOK void __cyg_profile_func_exit(void *fn, void *site)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	if ((kept_depth == 0 && overflow == 0) || busy) /* no kept call open: this is not one */
		return;
	busy = 1;
	leave((uintptr_t)fn, (uintptr_t)site, (uintptr_t *)__builtin_frame_address(0) + 1);
	busy = 0;
}
