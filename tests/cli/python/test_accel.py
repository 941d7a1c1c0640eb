"""mprof_trace's C accelerator (python/_mprof_trace.c) driven directly, on a ring and kernel
words of our own (anonymous mappings of the protocol's sizes): its events are the pure path's
lines, it appends across the circle's end, it refuses a slot that is full or garbled without
touching it, cuts a long name to the 512-byte limit, restores the depth, and forgets its slot
in a forked child (docs/python.md, "The C accelerator"; docs/trace-protocol.md).

Usage: test_accel.py [unittest options], with GCLAB_PY_ACCEL naming the built module (ctest);
mprof_trace.py is taken from beside it (mprof's staged copy). Exit status 77 when it is unset.
"""
import contextvars
import mmap
import os
import struct
import sys
import unittest

BUILT = os.environ.get("GCLAB_PY_ACCEL")
SLOTS, DATA, CAP, TAIL = 16, 4096, 256 * 1024, 64
SLOT = DATA + CAP
accel = mprof_trace = None


def fields(event):
    """An E or F line's fields: type, pid, level, t0, rss0, t1, rss1 (ints; F's times in ns)
    and the name."""
    w = event.rstrip(b"\n").split(b" ", 7)
    if w[0] == b"F":
        for i in (3, 5):
            s, frac = w[i].split(b".")
            assert len(frac) == 9, event
            w[i] = b"%d" % (int(s) * 10**9 + int(frac))
    return [w[0].decode()] + [int(x) for x in w[1:7]] + [w[7]]


class Accelerator(unittest.TestCase):
    def setUp(self):
        self.depth = contextvars.ContextVar("depth", default=0)
        self.ring = mmap.mmap(-1, SLOTS * SLOT)
        self.words = mmap.mmap(-1, 1024 * 8)
        self.pid = os.getpid()
        self.base = 3 * SLOT
        self.setup(self.base)

    def tearDown(self):
        accel.setup(self.depth, self.pid, 4096, -1, None, None, -1)   # releases our buffers

    def setup(self, slot, statm=-1):
        accel.setup(self.depth, self.pid, 4096, statm, self.words, self.ring, slot)

    def word(self, pid, pages):
        self.words[(pid % 1024) * 8:(pid % 1024) * 8 + 8] = struct.pack("=Q", pid << 42 | pages)

    def head_tail(self, head=None, tail=None):
        b = self.base
        if head is not None:
            self.ring[b:b + 8] = struct.pack("=Q", head)
        if tail is not None:
            self.ring[b + TAIL:b + TAIL + 8] = struct.pack("=Q", tail)
        return (struct.unpack("=Q", self.ring[b:b + 8])[0],
                struct.unpack("=Q", self.ring[b + TAIL:b + TAIL + 8])[0])

    def stream(self, start, end):
        data = self.ring[self.base + DATA:self.base + SLOT]
        return bytes((data * 2)[start % CAP:start % CAP + (end - start)])

    def test_e_event_is_the_pure_paths_line(self):
        self.word(self.pid, 3000)
        b = accel.enter(2)
        self.assertEqual(self.depth.get(), 3)
        self.assertIsNone(accel.leave(b, b"__main__.f"))
        self.assertEqual(self.depth.get(), 2)
        head, tail = self.head_tail()
        line = self.stream(0, head)
        f = fields(line)
        self.assertEqual(f[:3], ["E", self.pid, 2])
        self.assertEqual((f[4], f[6]), (3000 * 4096, 3000 * 4096))
        self.assertLessEqual(f[3], f[5])
        self.assertEqual(line, mprof_trace._E % (str(self.pid).encode(), *f[2:]))

    def test_f_event_without_a_slot_is_the_pure_paths_line(self):
        accel.setup(self.depth, self.pid, 4096, -1, None, None, -1)
        self.assertFalse(accel.has_slot())
        line = accel.leave(accel.enter(0), b"x y")
        f = fields(line)
        self.assertEqual(f[:3] + [f[4], f[6], f[7]], ["F", self.pid, 0, -1, -1, b"x y"])
        NS = 10**9
        self.assertEqual(line, mprof_trace._F % (str(self.pid).encode(), 0, f[3] // NS,
                                                 f[3] % NS, -1, f[5] // NS, f[5] % NS, -1,
                                                 b"x y"))

    def test_memory_is_the_kernels_word_only_when_it_is_ours(self):
        self.word(self.pid, 77)
        self.assertEqual(accel.rss(), 77 * 4096)
        self.word(self.pid + 1024, 77)          # another process in our word: statm
        self.assertEqual(accel.rss(), -1)       # (no statm fd here)
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        self.addCleanup(os.close, fd)
        self.setup(self.base, statm=fd)
        self.assertGreater(accel.rss(), 0)

    def test_appends_across_the_circles_end(self):
        line = b"E 1 0 1 2 3 4 across the end\n"
        self.head_tail(CAP - 10, CAP - 10)
        self.assertTrue(accel.put(line))
        head, _ = self.head_tail()
        self.assertEqual(head, CAP - 10 + len(line))
        self.assertEqual(self.stream(CAP - 10, head), line)
        b = accel.enter(0)
        self.assertIsNone(accel.leave(b, b"next"))
        head2, _ = self.head_tail()
        self.assertTrue(self.stream(head, head2).endswith(b" next\n"))

    def test_full_or_garbled_slot_is_refused_and_left_alone(self):
        for head, tail in ((100, 200),                  # head behind its tail
                           (CAP + 1, 0),                # more than CAP ahead
                           (CAP - 5, 0),                # no room for the line
                           (2**64 - 1, 3)):             # garbage
            self.head_tail(head, tail)
            self.assertFalse(accel.put(b"E 1 0 1 2 3 4 n\n"))
            line = accel.leave(accel.enter(0), b"n")
            self.assertTrue(line.startswith(b"F "), line)
            self.assertEqual(self.head_tail(), (head, tail))

    def test_a_long_name_is_cut_to_the_event_limit(self):
        self.head_tail(0, 0)
        self.assertIsNone(accel.leave(accel.enter(0), b"n" * 600))
        head, _ = self.head_tail()
        self.assertEqual(head, 512)
        self.assertTrue(self.stream(0, head).endswith(b"n\n"))
        accel.setup(self.depth, self.pid, 4096, -1, None, None, -1)
        line = accel.leave(accel.enter(0), b"n" * 600)
        self.assertEqual(len(line), 512)
        self.assertTrue(line.endswith(b"n\n"))

    def test_setup_refuses_a_slot_outside_the_ring(self):
        for slot in (5, SLOTS * SLOT, SLOTS * SLOT - 8):
            with self.assertRaises(ValueError):
                self.setup(slot)
            self.assertFalse(accel.has_slot())
            self.assertFalse(accel.put(b"E x\n"))
        with self.assertRaises(TypeError):
            accel.leave(accel.enter(0), "not bytes")

    def test_forked_child_forgets_the_parents_slot(self):
        self.word(self.pid, 10)
        self.assertTrue(accel.has_slot())
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                # Before anything points it at a slot of its own: nothing is written, and
                # the parent's word and statm are not the child's.
                ok = (not accel.has_slot() and not accel.put(b"E 1 0 1 2 3 4 child\n")
                      and accel.rss() == -1
                      and accel.leave(accel.enter(0), b"c").startswith(b"F "))
                os.write(w, b"1" if ok else b"0")
            finally:
                os._exit(0)
        os.close(w)
        got = os.read(r, 1)
        os.close(r)
        os.waitpid(pid, 0)
        self.assertEqual(got, b"1")
        self.assertEqual(self.head_tail(), (0, 0))      # the parent's slot is untouched
        self.assertTrue(accel.has_slot())


def main():
    global accel, mprof_trace
    if not BUILT:
        print("SKIP: the build made no accelerator (GCLAB_PY_ACCEL is empty)")
        sys.exit(77)
    sys.path.insert(0, os.path.dirname(BUILT))
    import _mprof_trace
    import mprof_trace as m
    accel, mprof_trace = _mprof_trace, m
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
