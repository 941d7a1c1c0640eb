"""mprof_trace: report @profile brackets, named blocks, markers and garbage collections to mprof.

Under `mprof run` (the environment names the trace channel in MPROF_TRACE_FD) this module sends
each finished bracket, marker and cycle collection as one line over the channel, the moment it
happens (docs/trace-protocol.md: events F, M and G). Nothing is buffered in the process, so a
program that is killed, crashes, calls os._exit or disables gc keeps every bracket it finished.

When mprof's kernel peak tracker runs, mprof also offers the fast path (docs/trace-protocol.md,
"The ring and the kernel's figures"): the memory at entry and exit is one load from the
kernel's word for this process instead of two reads of /proc/self/statm, and a finished bracket
is appended to this process's slot of a ring shared with mprof (which outlives the program)
instead of being sent; a full slot falls back to the send.

Anywhere else it is a no-op: `from mprof_trace import profile` works under plain python,
`@profile` returns the function unchanged and `profile.timestamp(name)` is an empty context
manager.

The decorator is compatible with memory_profiler's `mprof run` one: a bracket is named
`module.function` (`__main__.compute`), a block `.name`, and its level is the number of brackets
open on the same thread when it began (0 = outermost). Unlike memory_profiler's, a bracket whose
function raises still closes and leaves the level right, and a decorated generator or coroutine
is bracketed from its first resumption to its end (each resumption counts as open, so brackets
begun inside it nest under it).

Invariants:
- `_fd` is the channel's fd or -1; it goes to -1 for good when a send fails (mprof is gone) and
  everything after costs one test.
- Every event is one bytes object of at most 512 bytes sent with one send()/write().
- The nesting depth is a context variable (`_depth`): each thread, and each asyncio task
  (which starts with a copy of its creator's), counts its own; every path that raises it
  restores it.
- Process-wide state (all here): the channel, the /proc/self/statm fd, the pid prefix of
  events (both refreshed in a forked child), the open collection's start, and the fast path's
  mappings, slot and lock (a forked child takes its own slot before it could write: the
  parent's stays the parent's).
- Our ring slot is ours while `_ring_own` (our own open file description of the ring) holds
  an OFD write lock on its first byte; the writes of this process's threads are serialised by
  `_ring_lock`; the head word is stored after the bytes it covers, in one 8-byte store.
- With the C accelerator (`_accel`, the optional extension _mprof_trace: docs/python.md) every
  append to the ring goes through it (its enter/leave, and `_ring_put` is its put): each runs
  holding the GIL from reading the head to storing it, so appends are atomic with respect to
  each other, and no pure-Python append ever runs beside them. It is pointed at our slot at
  start and, in a forked child, again once the child has its own (it forgets the parent's in
  the child before anything runs). MPROF_TRACE_PURE=1 in the environment keeps it out.
"""

import gc as _gc
import os as _os
import sys as _sys
import time as _time_mod
import contextvars as _contextvars

__all__ = ["profile", "mark", "enabled"]

# The trace protocol's constants, as include/mprof/trace.h defines them for both ends
# (MPROF_TRACE_ENV, MPROF_TRACE_EVENT_MAX); docs/trace-protocol.md.
_TRACE_ENV = "MPROF_TRACE_FD"
_EVENT_MAX = 512
_NS = 1000000000
_time_ns = _time_mod.time_ns
_pread = _os.pread

_fd = -1            # the channel, or -1
_out = None         # sends one event: _out(data, _out_flags)
_out_flags = 0
_statm = -1         # /proc/self/statm, reopened in a forked child
_page = 4096
_pid = b"0"         # this process's pid, as the events carry it
_depth = _contextvars.ContextVar("mprof_depth", default=0)
_gc_t0 = 0
_gc_rss0 = -1
_gc_open = False
_started = False
_sock = None        # our socket on the channel, kept alive here

# One finished bracket: pid, level, t0 (s, ns), rss0, t1 (s, ns), rss1, name. Times are
# taken with time_ns() and written with integer arithmetic: cheaper than formatting floats.
_F = b"F %s %d %d.%09d %d %d.%09d %d %s\n"
# The same as an E event (times in integer nanoseconds): a third of the formatting's cost, for
# the hot path of a decorated function when it appends to the ring. The socket gets F.
_E = b"E %s %d %d %d %d %d %s\n"
_G = b"G %s %d %d.%09d %d %d.%09d %d %d %d -1\n"
_M = b"M %s %d.%09d %d %s\n"
# A bracket opened: pid, level, t (s, ns), rss, name. Sent only when mprof asks for it
# (MPROF_TRACE_BEGIN=1, `mprof run --live`), so that a live view shows the open brackets.
_B = b"B %s %d %d.%09d %d %s\n"
_BEGIN_ENV = "MPROF_TRACE_BEGIN"
_begins = False

# The fast path's layout, as include/mprof/trace.h defines it (MPROF_TRACE_RSS_*,
# MPROF_TRACE_RING_*).
_RSS_ENV = "MPROF_TRACE_RSS"
_RSS_SLOTS = 1024
_RSS_SHIFT = 42
_RSS_MASK = (1 << 42) - 1
_RING_ENV = "MPROF_TRACE_RING"
_RING_SLOTS = 16
_RING_CAP = 256 * 1024
_RING_DATA = 4096
_RING_SLOT_SIZE = _RING_DATA + _RING_CAP
_RING_TAIL = 64
_RING_OWNER = 128

_rss_words = None   # the kernel's words (a memoryview of 64-bit words), or None
_rss_idx = 0        # our word: pid % _RSS_SLOTS
_pid_int = 0
_ring_map = None    # the whole ring (mmap), or None
_ring_src = -1      # the fd mprof named, to reopen the ring in a forked child
_rss_src = -1       # the fd of the kernel's words mprof named
_ring_own = -1      # our own open file description of the ring: it holds our slot's lock
_slot_head = None   # our slot's head word (memoryview, one element), or None: send everything
_slot_tail = None
_slot_data = None
_ring_lock = None
_rss_map = None     # the mmap of the kernel's words (the C accelerator takes its buffer)
_slot_base = -1     # our slot's byte offset in the ring, or -1

# The C accelerator (python/_mprof_trace.c), when it was built for this interpreter; imported
# only under mprof (the channel is named), while mprof's bootstrap directory is on sys.path.
# One of another version (its ABI differs) is not used.
_ACCEL_ABI = 1
_PURE_ENV = "MPROF_TRACE_PURE"
_accel = None
if _TRACE_ENV in _os.environ and _os.environ.get(_PURE_ENV) != "1":
    try:
        import _mprof_trace as _accel
        # Ours alone: the program sees mprof_trace in sys.modules, nothing more (docs/python.md).
        _sys.modules.pop("_mprof_trace", None)
        if getattr(_accel, "ABI", None) != _ACCEL_ABI:
            _accel = None
    except Exception:   # not built for this interpreter, or no compiler was there
        _accel = None


def _rss():
    """Resident memory of this process in bytes, or -1: the kernel's word when it is ours,
    else statm."""
    w = _rss_words
    if w is not None:
        v = w[_rss_idx]
        if v >> _RSS_SHIFT == _pid_int:
            return (v & _RSS_MASK) * _page
    try:
        return int(_pread(_statm, 64, 0).split(b" ", 2)[1]) * _page
    except Exception:
        return -1


def _fd_is(fd, what):
    try:
        return _os.readlink("/proc/self/fd/%d" % fd) == what
    except (OSError, ValueError):
        return False


def _env_fd(name):
    text = _os.environ.get(name)
    if not text or not text.isdigit() or len(text) > 6:
        return -1
    return int(text)


def _open_rss():
    """Maps the kernel's words read-only, when mprof named them and they are a BPF map."""
    global _rss_words, _rss_src, _rss_map
    fd = _env_fd(_RSS_ENV)
    if fd < 0 or not _fd_is(fd, "anon_inode:bpf-map"):
        return
    try:
        import mmap
        m = mmap.mmap(fd, _RSS_SLOTS * 8, mmap.MAP_SHARED, mmap.PROT_READ)
        _rss_words = memoryview(m).cast("Q")
        _rss_map = m
        _rss_src = fd
    except Exception:
        _rss_words = None


def _claim_slot():
    """Takes a free slot of the ring: an OFD write lock on its first byte, through our own
    open file description. Without one, everything is sent."""
    global _ring_own, _slot_head, _slot_tail, _slot_data, _ring_lock, _slot_base
    import _thread
    _slot_head = _slot_tail = _slot_data = None
    _slot_base = -1
    _ring_lock = _thread.allocate_lock()
    try:
        import fcntl
        import struct
        own = _os.open("/proc/self/fd/%d" % _ring_src, _os.O_RDWR | getattr(_os, "O_CLOEXEC", 0))
    except Exception:
        return
    setlk = getattr(fcntl, "F_OFD_SETLK", 37)
    for i in range(_RING_SLOTS):
        base = i * _RING_SLOT_SIZE
        try:
            fcntl.fcntl(own, setlk, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, base, 1, 0))
        except OSError:
            continue
        view = memoryview(_ring_map)
        _ring_own = own
        _slot_tail = view[base + _RING_TAIL:base + _RING_TAIL + 8].cast("Q")
        view[base + _RING_OWNER:base + _RING_OWNER + 4].cast("i")[0] = _pid_int
        _slot_data = view[base + _RING_DATA:base + _RING_SLOT_SIZE]
        _slot_head = view[base:base + 8].cast("Q")
        _slot_base = base
        return
    _os.close(own)


def _open_ring():
    """Maps the ring mprof named, when it is a sealed memfd of the protocol's size."""
    global _ring_map, _ring_src
    fd = _env_fd(_RING_ENV)
    size = _RING_SLOTS * _RING_SLOT_SIZE
    if fd < 0 or not _fd_is(fd, "/memfd:mprof-ring (deleted)"):
        return
    try:
        import fcntl
        import mmap
        import stat
        st = _os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return
        if not fcntl.fcntl(fd, getattr(fcntl, "F_GET_SEALS", 1034)) & 2:   # F_SEAL_SHRINK
            return
        _ring_map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except Exception:
        return
    _ring_src = fd
    _claim_slot()


def _ring_put_py(data):
    """Appends one event to our slot and publishes it; False when there is no slot or no
    room (mprof has not read it yet): the caller sends it. (With the C accelerator,
    _ring_put is its put, which does the same.)"""
    with _ring_lock:
        head = _slot_head
        if head is None:
            return False
        try:
            h = head[0]
            n = len(data)
            used = h - _slot_tail[0]
            if used < 0 or used + n > _RING_CAP:
                return False
            o = h & (_RING_CAP - 1)
            e = o + n
            if e <= _RING_CAP:
                _slot_data[o:e] = data
            else:
                k = _RING_CAP - o
                _slot_data[o:] = data[:k]
                _slot_data[:n - k] = data[k:]
            head[0] = (h + n) & 0xFFFFFFFFFFFFFFFF
        except Exception:
            return False    # whatever is in the slot, never the program's error
    return True


_ring_put = _ring_put_py


def _accel_setup(at_start):
    """Points the C accelerator at this process's state (at start, and in a forked child once
    it has its own slot) and routes every append to the ring through it. If that fails at
    start, it is not used; in a child (whose wrappers use it already) it then holds no slot,
    and its brackets are sent."""
    global _ring_put, _accel
    if _accel is None:
        return
    try:
        _accel.setup(_depth, _pid_int, _page, _statm, _rss_map if _rss_words is not None else None,
                     _ring_map if _slot_head is not None else None, _slot_base)
        _ring_put = _accel.put
    except Exception:
        if at_start:
            _accel = None
        else:
            _ring_put = _accel.put


def _open_statm():
    global _statm
    try:
        _statm = _os.open("/proc/self/statm", _os.O_RDONLY | getattr(_os, "O_CLOEXEC", 0))
    except OSError:
        _statm = -1


def _after_fork_in_child():
    # /proc/self was resolved when the parent opened it: the inherited fd reads the parent.
    global _pid, _pid_int, _rss_idx, _ring_own
    if _statm >= 0:
        try:
            _os.close(_statm)
        except OSError:
            pass
    _open_statm()
    _pid_int = _os.getpid()
    _rss_idx = _pid_int % _RSS_SLOTS
    _pid = str(_pid_int).encode()
    if _ring_map is not None:
        # The parent's slot is the parent's (our inherited description still holds its lock).
        if _ring_own >= 0:
            try:
                _os.close(_ring_own)
            except OSError:
                pass
            _ring_own = -1
        _claim_slot()
    _accel_setup(False)


def _off():
    """A send failed: mprof is gone. Nothing is sent again; the program runs on."""
    global _fd
    _fd = -1


def _emit(data):
    """Sends one whole event; on any failure stops sending for good. A full channel on a
    socket the program made non-blocking (the flag is shared by every copy of the fd) is
    waited for, never dropped."""
    while True:
        try:
            _out(data, _out_flags)
            return
        except BlockingIOError:
            if not _wait_writable():
                _off()
                return
        except InterruptedError:
            continue
        except OSError:
            _off()
            return
        except Exception:
            return    # e.g. RecursionError or MemoryError here: this event is lost, not the channel


def _wait_writable():
    """Waits until the channel has room; False when it cannot be waited for."""
    try:
        import select
        select.select([], [_sock], [])
        return True
    except InterruptedError:
        return True
    except Exception:
        return False


def _name_bytes(name):
    """A name as the protocol carries it: no newline, and short enough for any event."""
    b = str(name).encode("utf-8", "replace").replace(b"\n", b"?").replace(b"\r", b"?")
    # The longest fixed part of an F event is well under 160 bytes.
    if len(b) > _EVENT_MAX - 160:
        b = b[: _EVENT_MAX - 160]
        b = b.decode("utf-8", "ignore").encode()
    return b


def _bracket(level, t0, rss0, name):
    """Sends the bracket begun at t0 (ns) with rss0, ending now."""
    if _fd >= 0:
        t1 = _time_ns()
        data = _F % (_pid, level, t0 // _NS, t0 % _NS, rss0, t1 // _NS, t1 % _NS, _rss(), name)
        if _slot_head is None or not _ring_put(data):
            _emit(data)


def mark(name):
    """Sends a named marker: one instant, with this process's resident memory then."""
    if _fd >= 0:
        t = _time_ns()
        _emit(_M % (_pid, t // _NS, t % _NS, _rss(), _name_bytes(name)))


def enabled():
    """True when this process is run by mprof and events are being sent."""
    return _fd >= 0


def _paths():
    """For tests: 1 when this process owns a ring slot, plus 2 when its memory figures come
    from the kernel tracker (as mprof__paths() in C)."""
    if _accel is not None:
        p = 1 if _accel.has_slot() else 0
    else:
        p = 1 if _slot_head is not None else 0
    w = _rss_words
    if w is not None and w[_rss_idx] >> _RSS_SHIFT == _pid_int:
        p |= 2
    return p


def _accelerated():
    """For tests: True when decorated calls go through the C accelerator."""
    return _accel is not None and _started and _fd >= 0 and not _begins


def _gc_callback(phase, info):
    # Runs inside the collector: must never raise, and costs one test once mprof is gone.
    global _gc_t0, _gc_rss0, _gc_open
    if _fd < 0:
        return
    rss = _rss()
    if phase == "start":
        _gc_rss0 = rss
        _gc_t0 = _time_ns()
        _gc_open = True
    elif _gc_open:
        _gc_open = False
        t0 = _gc_t0
        t1 = _time_ns()
        try:
            _out(_G % (_pid, info["generation"], t0 // _NS, t0 % _NS, _gc_rss0,
                       t1 // _NS, t1 % _NS, rss, info["collected"], info["uncollectable"]),
                 _out_flags)
        except OSError:
            _off()
        except Exception:
            pass


def _copy_identity(wrapper, func):
    for attr in ("__module__", "__name__", "__qualname__", "__doc__", "__annotations__"):
        try:
            setattr(wrapper, attr, getattr(func, attr))
        except (AttributeError, TypeError):
            pass
    if not isinstance(func, type):      # a class's __dict__ is its namespace
        try:
            wrapper.__dict__.update(func.__dict__)
        except (AttributeError, TypeError):
            pass
    wrapper.__wrapped__ = func
    return wrapper


def _wrap_function(func, name):
    # The hot path, written out: each call costs two readings of the memory (one load each
    # from the kernel's word on the fast path, else a read of /proc/self/statm), one format,
    # and one append to the ring (else one send); everything else is kept to local variables.
    get = _depth.get
    set = _depth.set
    time_ns = _time_ns
    pread = _pread
    fmt = _E
    fmtf = _F
    NS = _NS
    page = _page
    out = _out          # set before any wrapping (_started), and valid in forked children
    flags = _out_flags
    SHIFT = _RSS_SHIFT
    MASK = _RSS_MASK
    CAP = _RING_CAP
    MASKC = _RING_CAP - 1
    M64 = (1 << 64) - 1
    put = _ring_put     # for an event that crosses the circle's end, or a slot that is full

    if _accel is not None and not _begins:
        return _wrap_function_accel(func, name)

    def wrapper(*args, **kwargs):
        if _fd < 0:
            return func(*args, **kwargs)
        level = get()
        t0 = 0
        try:
            # Inside the try, so that even a KeyboardInterrupt here leaves the level right.
            set(level + 1)
            rw = _rss_words
            v = rw[_rss_idx] if rw is not None else 0
            if v >> SHIFT == _pid_int and rw is not None:
                rss0 = (v & MASK) * page
            else:
                try:
                    rss0 = int(pread(_statm, 64, 0).split(b" ", 2)[1]) * page
                except Exception:
                    rss0 = -1
            t0 = time_ns()
            if _begins:
                _emit(_B % (_pid, level, t0 // NS, t0 % NS, rss0, name))
            return func(*args, **kwargs)
        finally:
            set(level)
            if t0 and _fd >= 0:
                t1 = time_ns()
                rw = _rss_words
                v = rw[_rss_idx] if rw is not None else 0
                if v >> SHIFT == _pid_int and rw is not None:
                    rss1 = (v & MASK) * page
                else:
                    try:
                        rss1 = int(pread(_statm, 64, 0).split(b" ", 2)[1]) * page
                    except Exception:
                        rss1 = -1
                data = fmt % (_pid, level, t0, rss0, t1, rss1, name)
                # _ring_put, written out (a call costs as much as the append); no return
                # here, in a finally: it would replace the function's result.
                done = False
                head = _slot_head
                if head is not None:
                    lock = _ring_lock
                    lock.acquire()
                    try:
                        h = head[0]
                        n = len(data)
                        o = h & MASKC
                        if 0 <= h - _slot_tail[0] <= CAP - n and o + n <= CAP:
                            _slot_data[o:o + n] = data
                            head[0] = (h + n) & M64
                            done = True
                    except Exception:
                        pass            # whatever is in the slot, never the program's error
                    finally:
                        lock.release()
                    if not done:
                        done = put(data)    # across the circle's end; False when full
                if not done:
                    # The socket carries F (its readers may know no E), formatted again.
                    data = fmtf % (_pid, level, t0 // NS, t0 % NS, rss0, t1 // NS, t1 % NS, rss1,
                                   name)
                    try:
                        out(data, flags)
                    except OSError:
                        _off()
                    except Exception:
                        pass

    return wrapper


def _wrap_function_accel(func, name):
    # The hot path with the C accelerator: enter() raises the depth and takes the time and the
    # memory at entry, leave() restores the depth, takes them at exit and appends the E event
    # to our slot, or returns it as an F event to send (no slot, or the slot is full).
    get = _depth.get
    set = _depth.set
    enter = _accel.enter
    leave = _accel.leave

    def wrapper(*args, **kwargs):
        if _fd < 0:
            return func(*args, **kwargs)
        level = get()
        b = None
        try:
            # Inside the try: whatever interrupts, the finally puts the level back.
            b = enter(level)
            return func(*args, **kwargs)
        finally:
            if b is not None and _fd >= 0:
                # No return here, in a finally: it would replace the function's result.
                try:
                    data = leave(b, name)
                    if data is not None:
                        _emit(data)
                except Exception:
                    pass        # e.g. MemoryError: this bracket is lost, not the program
            else:
                set(level)      # interrupted before enter() returned, or mprof has gone

    return wrapper


def _drive(it, name):
    """Runs generator or coroutine `it` step by step as a generator: one bracket from its
    first resumption to its end, the thread's depth raised while it runs."""
    get = _depth.get
    set = _depth.set
    started = False
    level = 0
    t0 = 0.0
    rss0 = -1
    value = None
    exc = None
    try:
        while True:
            d = get()
            if not started and _fd >= 0:
                started = True
                level = d
                rss0 = _rss()
                t0 = _time_ns()
            set(d + 1)
            try:
                if exc is None:
                    out = it.send(value)
                else:
                    e, exc = exc, None
                    out = it.throw(e)
            except StopIteration as stop:
                return stop.value
            finally:
                set(d)
            try:
                value = yield out
            except GeneratorExit:
                d = get()
                set(d + 1)
                try:
                    it.close()
                finally:
                    set(d)
                raise
            except BaseException as e:
                exc = e
                value = None
    finally:
        if started:
            _bracket(level, t0, rss0, name)


def _wrap_generator(func, name):
    def wrapper(*args, **kwargs):
        if _fd < 0:
            return func(*args, **kwargs)
        return _drive(func(*args, **kwargs), name)

    return wrapper


class _Await(object):
    """Hands one value a coroutine yielded to the event loop, and what comes back to it."""
    __slots__ = ("out",)

    def __init__(self, out):
        self.out = out

    def __await__(self):
        return (yield self.out)


def _wrap_coroutine(func, name):
    # An `async def` itself, so that inspect/asyncio still see a coroutine function; it drives
    # the real coroutine step by step, so the program's tracebacks gain only this frame.
    get = _depth.get
    set = _depth.set

    async def wrapper(*args, **kwargs):
        coro = func(*args, **kwargs)
        if _fd < 0:
            return await coro
        level = get()
        rss0 = _rss()
        t0 = _time_ns()
        value = None
        exc = None
        try:
            while True:
                d = get()
                set(d + 1)
                try:
                    if exc is None:
                        out = coro.send(value)
                    else:
                        e, exc = exc, None
                        out = coro.throw(e)
                except StopIteration as stop:
                    return stop.value
                finally:
                    set(d)
                try:
                    value = await _Await(out)
                except GeneratorExit:
                    coro.close()
                    raise
                except BaseException as e:
                    exc = e
                    value = None
        finally:
            _bracket(level, t0, rss0, name)

    return wrapper


def _wrap_async_generator(func, name):
    # One bracket from the first step to the end. Each step runs inside `await agen.asend()`
    # with the depth raised: the depth is a context variable and an asyncio task has its own
    # context, so no other task sees it while the step waits.
    get = _depth.get
    set = _depth.set

    async def wrapper(*args, **kwargs):
        agen = func(*args, **kwargs)
        started = _fd >= 0
        level = get()
        rss0 = _rss() if started else -1
        t0 = _time_ns() if started else 0
        value = None
        exc = None
        try:
            while True:
                d = get()
                set(d + 1)
                try:
                    if exc is None:
                        out = await agen.asend(value)
                    else:
                        e, exc = exc, None
                        out = await agen.athrow(e)
                except StopAsyncIteration:
                    return
                finally:
                    set(d)
                try:
                    value = yield out
                except GeneratorExit:
                    await agen.aclose()
                    raise
                except BaseException as e:
                    exc = e
                    value = None
        finally:
            if started:
                _bracket(level, t0, rss0, name)

    return wrapper


class _Block(object):
    """`with profile.timestamp(name):` one bracket around the block."""
    __slots__ = ("name", "level", "t0", "rss0")

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        if _fd >= 0:
            level = _depth.get()
            _depth.set(level + 1)
            self.level = level
            self.rss0 = _rss()
            self.t0 = _time_ns()
            if _begins:
                _emit(_B % (_pid, level, self.t0 // _NS, self.t0 % _NS, self.rss0, self.name))
        else:
            self.level = -1
        return None

    def __exit__(self, *exc_info):
        level = self.level
        if level >= 0:
            _depth.set(level)
            _bracket(level, self.t0, self.rss0, self.name)
        return False


class _NullBlock(object):
    __slots__ = ()

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return False


_NULL_BLOCK = _NullBlock()


class Profile(object):
    """The `profile` decorator: `@profile`, `@profile(precision=3)`, `profile(f)`, and
    `with profile.timestamp("name"):` for a block. Extra keyword arguments that
    memory_profiler's decorators take (precision, stream, backend) are accepted and ignored."""

    def __call__(self, func=None, *args, **options):
        if func is None:
            return lambda f: self(f)
        if isinstance(func, (staticmethod, classmethod)):
            # @profile above @staticmethod/@classmethod: wrap the function inside
            return type(func)(self(func.__func__)) if _started else func
        if not callable(func):
            raise ValueError("Value must be callable")
        if not _started:
            return func
        # memory_profiler's name: module and __name__ (not __qualname__), e.g. __main__.compute
        name = _name_bytes("%s.%s" % (getattr(func, "__module__", None),
                                      getattr(func, "__name__", None) or type(func).__name__))
        code = getattr(func, "__code__", None)
        flags = code.co_flags if code is not None else 0
        if flags & 0x200:       # CO_ASYNC_GENERATOR
            wrapper = _wrap_async_generator(func, name)
        elif flags & 0x80:      # CO_COROUTINE
            wrapper = _wrap_coroutine(func, name)
        elif flags & 0x20:      # CO_GENERATOR
            wrapper = _wrap_generator(func, name)
        else:
            wrapper = _wrap_function(func, name)
        return _copy_identity(wrapper, func)

    def timestamp(self, name="<block>"):
        """A context manager bracketing a block; its FUNC name is `.name`."""
        if not _started:
            return _NULL_BLOCK
        return _Block(_name_bytes("." + str(name)))

    mark = staticmethod(mark)

    def __repr__(self):
        return "<mprof_trace.profile %s>" % ("recording" if _fd >= 0 else "off")


profile = Profile()


def _channel_fd(text):
    """The fd MPROF_TRACE_FD names, when it is a small decimal number naming an open socket;
    else -1. Anything else there (a file a shell opened on that number, a pipe) is not the
    channel mprof gave, and nothing is ever written to it."""
    if not text or not text.isdigit() or len(text) > 6:
        return -1
    fd = int(text)
    try:
        import stat
        mode = _os.fstat(fd).st_mode
    except (OSError, ValueError):
        return -1
    if not stat.S_ISSOCK(mode):
        return -1
    return fd


def _make_sender(fd):
    """(send, flags): send(data, flags) sends one event with send() and MSG_NOSIGNAL on our
    own dup of the fd, so that a reader gone gives EPIPE and never SIGPIPE, and the program
    closing its copy of the fd, or opening a file on that number, does not cut us off or
    redirect us. None when no socket object can be made: then nothing is sent."""
    sock = None
    try:
        import _socket
        mine = _os.dup(fd)
        try:
            sock = _socket.socket(fileno=mine)
        except Exception:
            _os.close(mine)
    except Exception:
        pass
    if sock is not None:
        global _sock
        _sock = sock    # keeps the socket alive
        try:
            # A small event takes ~1 KiB of socket buffer: the default 208 KiB holds only
            # ~280 events before a send waits for mprof. Ask for more (capped by wmem_max).
            if sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF) < (1 << 21):
                sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF, 1 << 20)
        except Exception:
            pass
        return sock.send, getattr(_socket, "MSG_NOSIGNAL", 0)
    return None


def _keep_channel_in_children(fd):
    """Python children started by exec (subprocess, multiprocessing's spawn and forkserver)
    report too: subprocess closes every fd but those it is told to keep (close_fds=True), so
    the channel is added to the fds kept by _posixsubprocess.fork_exec, which both use, when
    the child's environment names it. Patched before subprocess imports it (3.11+ binds it at
    import); a call whose arguments do not look as expected is passed on untouched. Children
    that are not Python get one more open fd, which they ignore."""
    try:
        import _posixsubprocess
        original = _posixsubprocess.fork_exec
        st = _os.fstat(fd)
    except Exception:
        return
    ident = (st.st_dev, st.st_ino)
    named = _TRACE_ENV.encode() + b"=%d" % fd

    def fork_exec(*args, **kwargs):
        try:
            keep, env = args[3], args[5]
            if (_fd >= 0 and type(keep) is tuple and fd not in keep
                    and (env is None or named in env)):
                now = _os.fstat(fd)
                if (now.st_dev, now.st_ino) == ident:
                    # The fast path's fds too, when this process was given them.
                    extra = tuple(f for f in (_ring_src, _rss_src) if f >= 0 and f not in keep)
                    args = args[:3] + (tuple(sorted(keep + (fd,) + extra)),) + args[4:]
        except Exception:
            pass
        return original(*args, **kwargs)

    try:
        fork_exec.__name__ = original.__name__
        fork_exec.__doc__ = original.__doc__
    except (AttributeError, TypeError):
        pass
    _posixsubprocess.fork_exec = fork_exec
    # Python 3.13+ starts children with posix_spawn and "close every fd from 3 up" when the
    # C library has it, which no fd can survive. Without os.POSIX_SPAWN_CLOSEFROM subprocess
    # takes the fork_exec path above instead, as older Pythons always do.
    if hasattr(_os, "POSIX_SPAWN_CLOSEFROM"):
        sub = _sys.modules.get("subprocess")
        if sub is not None:
            sub._HAVE_POSIX_SPAWN_CLOSEFROM = False
        else:
            del _os.POSIX_SPAWN_CLOSEFROM


def _start(install_builtin=True):
    """Called once at interpreter start-up by mprof's sitecustomize. Without MPROF_TRACE_FD in
    the environment it does nothing. With it, it installs `profile` as a builtin (a no-op one
    when the fd is not usable here, so that a decorated script never meets a NameError) and,
    when the channel is usable, starts reporting collections."""
    global _fd, _out, _out_flags, _page, _pid, _started, _begins, _pid_int, _rss_idx
    text = _os.environ.get(_TRACE_ENV)
    if text is None or _started:
        return
    fd = _channel_fd(text)
    sender = _make_sender(fd) if fd >= 0 else None
    if sender is not None:
        _started = True
        try:
            _page = _os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            pass
        _open_statm()
        _pid_int = _os.getpid()
        _rss_idx = _pid_int % _RSS_SLOTS
        _pid = str(_pid_int).encode()
        _open_rss()
        _open_ring()
        _out, _out_flags = sender
        _begins = _os.environ.get(_BEGIN_ENV) == "1"
        _fd = fd
        _accel_setup(True)
        if hasattr(_os, "register_at_fork"):
            _os.register_at_fork(after_in_child=_after_fork_in_child)
        callbacks = getattr(_gc, "callbacks", None)
        if callbacks is not None:
            callbacks.append(_gc_callback)
        _keep_channel_in_children(fd)
    if install_builtin:
        import builtins
        builtins.profile = profile
