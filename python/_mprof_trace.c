/* _mprof_trace.c - the optional C accelerator of mprof_trace.py's hot path (docs/python.md).
 *
 * mprof_trace.py imports it when it can (same interpreter it was built for, MPROF_TRACE_PURE
 * unset) and then brackets each call of a decorated function with two calls here: enter()
 * raises the depth and takes the time and memory at entry, leave() restores the depth, takes
 * them at exit, formats the finished bracket and appends it to this process's ring slot
 * (docs/trace-protocol.md, "The ring and the kernel's figures"). Everything else (the channel,
 * claiming the slot, generators, coroutines, markers, collections) stays in Python.
 *
 * Invariants:
 * - Every function here runs holding the GIL and never releases it. An append (ring_put) calls
 *   nothing from reading the head to storing it, so no other thread, and no Python code, runs
 *   inside one: appends are atomic with respect to each other. (Setting the depth allocates,
 *   which may run a collection and so Python code, but only before or after an append.)
 *   mprof_trace.py routes every append through put() or leave() while this module is in use,
 *   never through its own.
 * - We write only the slot setup() named, and forget it in a forked child before the child
 *   runs any code (pthread_atfork): a child writes nothing until mprof_trace.py has claimed
 *   it a slot of its own and called setup() again. The child's memory is -1 until then (the
 *   kernel's word and the statm fd we held are the parent's).
 * - Nothing in the slot is trusted: head and tail are only used modulo CAP and after the
 *   check that head - tail + len fits in CAP; a slot that looks full is refused (the caller
 *   sends). The head word is stored after the bytes it covers, in one 8-byte release store.
 * - The buffers of the kernel's words and of the ring are held (Py_buffer) from setup() to the
 *   next setup(): their mmap objects cannot be closed or resized under us.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The ring's layout and the kernel word's format, as include/mprof/trace.h defines them; the
 * CMake build checks that the two agree. The pip package builds this file alone. */
#define RSS_SLOTS 1024
#define RSS_PID_SHIFT 42
#define RING_CAP (256 * 1024)
#define RING_DATA 4096
#define RING_SLOT_SIZE (RING_DATA + RING_CAP)
#define RING_HEAD 0
#define RING_TAIL 64
#define EVENT_MAX 512
#ifdef GCLAB_TRACE_H
#include "mprof/trace.h"
_Static_assert(RSS_SLOTS == MPROF_TRACE_RSS_SLOTS && RSS_PID_SHIFT == MPROF_TRACE_RSS_PID_SHIFT &&
		       RING_CAP == MPROF_TRACE_RING_CAP && RING_DATA == MPROF_TRACE_RING_DATA &&
		       RING_HEAD == MPROF_TRACE_RING_HEAD && RING_TAIL == MPROF_TRACE_RING_TAIL &&
		       EVENT_MAX == MPROF_TRACE_EVENT_MAX,
	       "_mprof_trace.c and mprof/trace.h disagree");
#endif

/* What mprof_trace.py checks before it uses us: a module of another version is not used. */
#define ACCEL_ABI 1

/* The process-wide state, all of it. Guarded by the GIL; the atfork handler runs in a child
 * that has one thread. */
static struct {
	Py_buffer words;     /* the kernel's words, or .buf NULL */
	Py_buffer ring;	     /* the whole ring, or .buf NULL */
	unsigned char *slot; /* ours, inside `ring`, or NULL: everything is sent */
	int statm;	     /* /proc/self/statm (mprof_trace.py's), or -1 */
	long long page;
	unsigned long long pid;
	char pid_text[24]; /* "E <pid> " and "F <pid> " share it */
	size_t pid_len;
	PyObject *depth; /* mprof_trace's context variable, or NULL */
} st = {.statm = -1, .page = 4096};

/* One open bracket: what leave() needs from enter(). Not GC-tracked (it refers to nothing),
 * recycled through a small free list. */
typedef struct {
	PyObject ob_base; /* PyObject_HEAD */
	long level;
	long long t0;
	long long rss0;
} Bracket;

static PyTypeObject BracketType;
#define FREE_MAX 64
static Bracket *free_list[FREE_MAX];
static int n_free;

static void bracket_dealloc(PyObject *self)
{
	if (n_free < FREE_MAX)
		free_list[n_free++] = (Bracket *)self;
	else
		PyObject_Free(self);
}

static PyTypeObject BracketType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_mprof_trace.Bracket",
	.tp_basicsize = sizeof(Bracket),
	.tp_dealloc = bracket_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "an open bracket, from enter() to leave()",
};

static Bracket *bracket_new(void)
{
	Bracket *b;
	if (n_free > 0) {
		b = free_list[--n_free];
		return (Bracket *)PyObject_Init((PyObject *)b, &BracketType);
	}
	return PyObject_New(Bracket, &BracketType);
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long read_statm(void)
{
	char buf[128];
	if (st.statm < 0)
		return -1;
	ssize_t n = pread(st.statm, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	const char *p = strchr(buf, ' '); /* "size resident shared ...": pages */
	if (!p || p[1] < '0' || p[1] > '9')
		return -1;
	long long pages = 0;
	for (p++; *p >= '0' && *p <= '9' && pages < (1LL << 50); p++)
		pages = pages * 10 + (*p - '0');
	return pages * st.page;
}

/* Our resident memory in bytes: the kernel's word when it is ours, else statm, else -1. */
static long long read_rss(void)
{
	if (st.words.buf && st.pid) {
		const uint64_t *w = st.words.buf;
		uint64_t v = __atomic_load_n(&w[st.pid % RSS_SLOTS], __ATOMIC_ACQUIRE);
		if ((v >> RSS_PID_SHIFT) == st.pid)
			return (long long)(v & ((1ULL << RSS_PID_SHIFT) - 1)) * st.page;
	}
	return read_statm();
}

/* Appends one whole event to our slot and publishes it; -1 when there is no slot or no room
 * (mprof has not read it yet): the caller sends it. */
static int ring_put(const char *buf, size_t len)
{
	unsigned char *s = st.slot;
	if (!s || len > RING_CAP)
		return -1;
	uint64_t *headp = (uint64_t *)(s + RING_HEAD);
	uint64_t *tailp = (uint64_t *)(s + RING_TAIL);
	uint64_t h = __atomic_load_n(headp, __ATOMIC_RELAXED);
	uint64_t t = __atomic_load_n(tailp, __ATOMIC_ACQUIRE);
	uint64_t used = h - t; /* a tail past the head wraps to a huge count: refused */
	if (used > RING_CAP || RING_CAP - used < len)
		return -1;
	unsigned char *data = s + RING_DATA;
	size_t off = (size_t)(h & (RING_CAP - 1)), first = RING_CAP - off;
	if (first >= len) {
		memcpy(data + off, buf, len);
	} else {
		memcpy(data + off, buf, first);
		memcpy(data, buf + first, len - first);
	}
	__atomic_store_n(headp, h + len, __ATOMIC_RELEASE);
	return 0;
}

/* The formatter: an event's fixed part is under 160 bytes, so numbers are written without
 * bounds checks; only the name is cut to fit in EVENT_MAX. Two digits at a time: a time in
 * nanoseconds has 19 of them, and one digit at a time was a fifth of a bracket's cost. */
static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930"
				 "31323334353637383940414243444546474849505152535455565758596061"
				 "62636465666768697071727374757677787980818283848586878889909192"
				 "93949596979899";

/* " <v>" */
static char *put_uint(char *p, unsigned long long v)
{
	char tmp[24];
	char *e = tmp + sizeof tmp, *q = e;
	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		*--q = digits2[i + 1];
		*--q = digits2[i];
	}
	if (v >= 10) {
		*--q = digits2[v * 2 + 1];
		*--q = digits2[v * 2];
	} else {
		*--q = (char)('0' + v);
	}
	*p++ = ' ';
	memcpy(p, q, (size_t)(e - q));
	return p + (e - q);
}

static char *put_int(char *p, long long v)
{
	if (v >= 0)
		return put_uint(p, (unsigned long long)v);
	p = put_uint(p, (unsigned long long)(-(v + 1)) + 1);
	/* " 123" -> " -123": shift the digits right by one */
	char *digits = p;
	while (digits[-1] != ' ')
		digits--;
	memmove(digits + 1, digits, (size_t)(p - digits));
	*digits = '-';
	return p + 1;
}

/* " s.nnnnnnnnn": F's times, as mprof_trace.py's _F writes them. */
static char *put_seconds(char *p, long long ns)
{
	long long s = ns / 1000000000LL, frac = ns % 1000000000LL;
	if (frac < 0) {
		s--;
		frac += 1000000000LL;
	}
	p = put_int(p, s);
	*p++ = '.';
	for (int i = 8; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return p + 9;
}

/* "<type> <pid> <level> <t0> <rss0> <t1> <rss1> <name>\n": E (times in ns) or F (seconds).
 * `name` is mprof_trace's already (no newline); it is cut so that the line fits. */
static size_t format_bracket(char *buf, char type, const Bracket *b, long long t1, long long rss1,
			     const char *name, size_t name_len)
{
	char *p = buf;
	*p++ = type;
	*p++ = ' ';
	memcpy(p, st.pid_text, st.pid_len); /* at most 20 digits */
	p += st.pid_len;
	p = put_int(p, b->level);
	p = type == 'E' ? put_int(p, b->t0) : put_seconds(p, b->t0);
	p = put_int(p, b->rss0);
	p = type == 'E' ? put_int(p, t1) : put_seconds(p, t1);
	p = put_int(p, rss1);
	*p++ = ' ';
	size_t room = (size_t)(buf + EVENT_MAX - 1 - p); /* one byte for the newline */
	if (name_len > room)
		name_len = room;
	memcpy(p, name, name_len);
	p += name_len;
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* Sets the depth to `level`; 0, or -1 with an exception set. */
static int set_depth(long level)
{
	PyObject *v = PyLong_FromLong(level);
	if (!v)
		return -1;
	PyObject *token = PyContextVar_Set(st.depth, v);
	Py_DECREF(v);
	if (!token)
		return -1;
	Py_DECREF(token);
	return 0;
}

PyDoc_STRVAR(enter_doc,
	     "enter(level) -> bracket\n\n"
	     "Opens a bracket at nesting level `level`: sets the depth to level + 1 and takes\n"
	     "the memory and the time at entry.");

static PyObject *accel_enter(PyObject *mod, PyObject *arg)
{
	long level = PyLong_AsLong(arg);
	if (level == -1 && PyErr_Occurred())
		return NULL;
	if (!st.depth) {
		PyErr_SetString(PyExc_RuntimeError, "_mprof_trace.setup() was not called");
		return NULL;
	}
	Bracket *b = bracket_new();
	if (!b)
		return NULL;
	if (set_depth(level + 1) < 0) {
		Py_DECREF(b);
		return NULL;
	}
	b->level = level;
	b->rss0 = read_rss();
	b->t0 = now_ns();
	return (PyObject *)b;
}

PyDoc_STRVAR(
	leave_doc,
	"leave(bracket, name) -> None or bytes\n\n"
	"Closes `bracket`: restores the depth, takes the time and memory at exit and appends\n"
	"the bracket to this process's ring slot as an E event (None). Without a slot, or when\n"
	"it is full, returns the bracket as an F event for the caller to send.");

static PyObject *accel_leave(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
	if (nargs != 2 || Py_TYPE(args[0]) != &BracketType || !PyBytes_CheckExact(args[1])) {
		PyErr_SetString(PyExc_TypeError, "leave(bracket, name: bytes)");
		return NULL;
	}
	const Bracket *b = (const Bracket *)args[0];
	long long t1 = now_ns();
	long long rss1 = read_rss();
	/* The depth first: whatever happens next, the level is right. */
	int bad = set_depth(b->level);
	char buf[EVENT_MAX];
	const char *name = PyBytes_AS_STRING(args[1]);
	size_t name_len = (size_t)PyBytes_GET_SIZE(args[1]);
	size_t len = format_bracket(buf, 'E', b, t1, rss1, name, name_len);
	if (ring_put(buf, len) == 0) {
		if (bad)
			PyErr_Clear(); /* the event is kept; the depth could not be set (no memory) */
		Py_RETURN_NONE;
	}
	if (bad)
		return NULL;
	len = format_bracket(buf, 'F', b, t1, rss1, name, name_len);
	return PyBytes_FromStringAndSize(buf, (Py_ssize_t)len);
}

PyDoc_STRVAR(put_doc,
	     "put(event: bytes) -> bool\n\n"
	     "Appends one whole event to this process's ring slot; False when there is no\n"
	     "slot or no room (the caller sends it).");

static PyObject *accel_put(PyObject *mod, PyObject *arg)
{
	if (!PyBytes_CheckExact(arg)) {
		PyErr_SetString(PyExc_TypeError, "put(event: bytes)");
		return NULL;
	}
	if (ring_put(PyBytes_AS_STRING(arg), (size_t)PyBytes_GET_SIZE(arg)) < 0)
		Py_RETURN_FALSE;
	Py_RETURN_TRUE;
}

PyDoc_STRVAR(rss_doc, "rss() -> int\n\nThis process's resident memory in bytes, or -1.");

static PyObject *accel_rss(PyObject *mod, PyObject *unused)
{
	return PyLong_FromLongLong(read_rss());
}

PyDoc_STRVAR(has_slot_doc, "has_slot() -> bool\n\nTrue when brackets are appended to a slot.");

static PyObject *accel_has_slot(PyObject *mod, PyObject *unused)
{
	return PyBool_FromLong(st.slot != NULL);
}

static void forget(void)
{
	st.slot = NULL;
	if (st.words.buf)
		PyBuffer_Release(&st.words);
	if (st.ring.buf)
		PyBuffer_Release(&st.ring);
	st.words.buf = NULL;
	st.ring.buf = NULL;
}

/* In a forked child, before it runs anything: the slot, the kernel's word (indexed by the
 * parent's pid) and the statm fd (which reads the parent) are the parent's. The buffers stay
 * held (no Python object is touched in an atfork handler); setup() releases them. */
static void after_fork_in_child(void)
{
	st.slot = NULL;
	st.pid = 0;
	st.statm = -1;
}

PyDoc_STRVAR(
	setup_doc,
	"setup(depth, pid, page, statm_fd, words, ring, slot)\n\n"
	"Points the accelerator at this process's state: the depth context variable, the pid and\n"
	"page size, the /proc/self/statm fd (or -1), the kernel's words (a buffer of 1024 64-bit\n"
	"words, or None), the ring (a writable buffer of the whole ring, or None) and the byte\n"
	"offset of our slot in it (or -1: no slot). Called at start and in a forked child once it\n"
	"has its own slot. On an error nothing is written anywhere (no slot).");

static PyObject *accel_setup(PyObject *mod, PyObject *args)
{
	PyObject *depth, *words, *ring;
	long long pid, page, slot;
	int statm;
	if (!PyArg_ParseTuple(args, "OLLiOOL:setup", &depth, &pid, &page, &statm, &words, &ring,
			      &slot))
		return NULL;
	forget();
	if (!PyContextVar_CheckExact(depth)) {
		PyErr_SetString(PyExc_TypeError, "setup: depth must be a ContextVar");
		return NULL;
	}
	if (pid <= 0 || pid >= (1LL << (64 - RSS_PID_SHIFT)) || page <= 0 || page > (1LL << 30)) {
		PyErr_SetString(PyExc_ValueError, "setup: bad pid or page size");
		return NULL;
	}
	if (words != Py_None) {
		if (PyObject_GetBuffer(words, &st.words, PyBUF_SIMPLE) < 0)
			goto fail;
		if (st.words.len < RSS_SLOTS * 8 || ((uintptr_t)st.words.buf & 7)) {
			PyErr_SetString(PyExc_ValueError,
					"setup: the words are not 1024 aligned words");
			goto fail;
		}
	}
	if (ring != Py_None && slot >= 0) {
		if (PyObject_GetBuffer(ring, &st.ring, PyBUF_WRITABLE) < 0)
			goto fail;
		if ((slot % RING_SLOT_SIZE) != 0 || slot > st.ring.len - RING_SLOT_SIZE ||
		    ((uintptr_t)st.ring.buf & 7)) {
			PyErr_SetString(PyExc_ValueError, "setup: the slot is not in the ring");
			goto fail;
		}
	}
	Py_INCREF(depth);
	Py_XSETREF(st.depth, depth);
	st.pid = (unsigned long long)pid;
	st.page = page;
	st.statm = statm;
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	st.pid_len = 0;
	while (n)
		st.pid_text[st.pid_len++] = tmp[--n];
	if (st.ring.buf)
		st.slot = (unsigned char *)st.ring.buf + slot;
	Py_RETURN_NONE;
fail:
	forget();
	return NULL;
}

static PyMethodDef accel_methods[] = {
	{"enter", accel_enter, METH_O, enter_doc},
	{"leave", (PyCFunction)(void (*)(void))accel_leave, METH_FASTCALL, leave_doc},
	{"put", accel_put, METH_O, put_doc},
	{"rss", accel_rss, METH_NOARGS, rss_doc},
	{"has_slot", accel_has_slot, METH_NOARGS, has_slot_doc},
	{"setup", accel_setup, METH_VARARGS, setup_doc},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef accel_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_mprof_trace",
	.m_doc = "The C accelerator of mprof_trace's decorated calls (optional).",
	.m_size = -1,
	.m_methods = accel_methods,
};

PyMODINIT_FUNC PyInit__mprof_trace(void);

PyMODINIT_FUNC PyInit__mprof_trace(void)
{
#ifdef Py_GIL_DISABLED
	/* Our appends rely on the GIL; a free-threaded interpreter uses the pure path. */
	PyErr_SetString(PyExc_ImportError, "_mprof_trace needs an interpreter with a GIL");
	return NULL;
#else
	static int atfork_done;
	if (PyType_Ready(&BracketType) < 0)
		return NULL;
	PyObject *m = PyModule_Create(&accel_module);
	if (!m)
		return NULL;
	if (PyModule_AddIntConstant(m, "ABI", ACCEL_ABI) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	if (!atfork_done && pthread_atfork(NULL, NULL, after_fork_in_child) == 0)
		atfork_done = 1;
	if (!atfork_done) {
		Py_DECREF(m);
		PyErr_SetString(PyExc_ImportError, "_mprof_trace: pthread_atfork failed");
		return NULL;
	}
	return m;
#endif
}
