"""test_report_unit.py - scripts/report.py on hand-written input: profiles read through mprof's
`export --format json`, the experiments' output and cost tables, facts, shape checks, rendering.

Usage: test_report_unit.py --mprof MPROF [unittest options]
"""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import report  # noqa: E402

MPROF = None  # set from --mprof

DAT = """\
FUNC __main__.compute 10.0000 100.000000 42.0000 101.000000 0
CMDLINE ./exp5_manual --mib 32
META mprof=0.1.0 interval=0.02 pid=7
MEM 10.000000 99.900000
GC 0 9.0 99.950000 9.0 99.950100 0 0 -1 7
MEM 42.000000 100.500000
PEAK 43.500000 100.600000
SOMETHING new 1 2
FUNC __main__.compute 42.0000 101.100000 74.0000 102.000000
GC 2 74.0 102.100000 10.5 102.104000 2 0 2 7
FUNC __main__.compute 10.5000 102.200000 42.5000 103.000000 0
FUNC __main__.my%20helper%25x 10.5000 102.300000 10.5000 102.400000 1
GC 2 42.5 103.100000 10.5 103.102000 1 0 1 7
EXIT 0 103.200000
"""

LOG = """\
exp5_manual: a cycle, and a manual gc.collect() before the third call
array 32.00 MiB (4194304 int64), held 1.00 s, 3 calls
gc.isenabled() 1, gc.get_threshold() (2000, 10, 10), 1001 results kept per call
call 1: mean 49.9807, gc.get_count() (1, 0, 0)
call 2: mean 50.0000, gc.get_count() (2, 0, 0)
gc.collect(): 2 unreachable objects, 4.692563 ms, 2 objects examined
automatic collection during call 2: generation 0, 2 unreachable objects, 1.278245 ms, -1 objects examined
call 3: mean 50.0158, gc.get_count() (1, 0, 0)
"""


_tmp = tempfile.TemporaryDirectory(prefix="gclab-report-unit.")


def write(text):
    path = os.path.join(_tmp.name, "f%d.txt" % len(os.listdir(_tmp.name)))
    with open(path, "w") as f:
        f.write(text)
    return path


class Readers(unittest.TestCase):
    def setUp(self):
        self.dat = report.read_profile(MPROF, write(DAT))
        self.log = report.read_log(write(LOG))

    def test_read_profile__through_mprof_export(self):
        d = self.dat
        self.assertEqual(d.mem, [(0.0, 10.0), (0.6, 42.0)])  # seconds since the start
        self.assertEqual(d.peaks, [(0.7, 43.5)])
        self.assertEqual([b["name"] for b in d.funcs], ["__main__.compute"] * 2 +
                         ["__main__.compute", "__main__.my helper%x"])
        self.assertEqual([g["gen"] for g in d.gcs], [0, 2, 2])
        self.assertEqual(d.exit, (0, 3.3))

    def test_read_profile__names_come_decoded(self):
        # FUNC __main__.my%20helper%25x: a space and a % as the writer encodes them.
        self.assertIn("__main__.my helper%x", [b["name"] for b in self.dat.funcs])
        self.assertNotIn("__main__.my%20helper%25x", [b["name"] for b in self.dat.funcs])

    def test_read_profile__mprof_s_message_when_unreadable(self):
        with self.assertRaises(report.ProfileError) as e:
            report.read_profile(MPROF, write(DAT + "MEM garbage\n"))
        self.assertIn("MEM", str(e.exception))
        with self.assertRaises(report.ProfileError):
            report.read_profile(os.path.join(_tmp.name, "no-mprof"), write(DAT))

    def test_report__an_unreadable_profile_is_that_experiment_s_status(self):
        out = os.path.join(_tmp.name, "demo")
        os.makedirs(os.path.join(out, "c"))
        with open(os.path.join(out, "c", "exp1_baseline.dat"), "w") as f:
            f.write("MEM garbage\n")
        md = report.to_markdown(report.build(out, MPROF))
        row = [l for l in md.splitlines() if l.startswith("| C on rcgc |")][0]
        self.assertIn("unreadable: ", row)

    def test_facts__calls_peaks_and_collections_by_place(self):
        f = report.facts(self.dat, 32.0)
        self.assertEqual([c["i"] for c in f["calls"]], [1, 2, 3])  # helper is not compute
        self.assertEqual(f["before"], 10.0)
        self.assertEqual(f["calls"][0]["peak"], 43.5)  # the PEAK inside call 1
        self.assertEqual(len(f["gcs_before"]), 1)
        self.assertEqual(len(f["gcs_between"]), 1)
        self.assertEqual(len(f["gcs_after"]), 1)
        self.assertEqual(f["gcs_during"], [])
        self.assertAlmostEqual(f["gcs_between"][0]["ms"], 4.0, places=3)

    def test_check_shape__manual_collection_passes_and_a_cycle_check_fails(self):
        f = report.facts(self.dat, 32.0)
        self.assertTrue(all(ok for ok, _ in report.check_shape(5, f)))
        self.assertFalse(all(ok for ok, _ in report.check_shape(1, f)))  # calls keep an array
        self.assertFalse(all(ok for ok, _ in report.check_shape(6, f)))  # too few calls

    def test_read_log__the_lines_experiments_print(self):
        lg = self.log
        self.assertEqual((lg["mib"], lg["hold"]), (32.0, 1.0))
        self.assertEqual(lg["threshold"], (2000, 10, 10))
        self.assertEqual(lg["per_call"], 1001)
        self.assertEqual([c["count"] for c in lg["calls"]], [(1, 0, 0), (2, 0, 0), (1, 0, 0)])
        self.assertEqual(lg["collects"], [dict(found=2, ms=4.692563, examined=2)])
        self.assertEqual(lg["autos"][0]["examined"], -1)

    def test_read_tsv__both_tables(self):
        t = report.read_tsv(write("# tracked\tfull_ms\n1001\t0.5\n# garbage_mib\tcollect_ms\n0\t1\n"))
        self.assertEqual(t, {"tracked": [(1001.0, 0.5)], "garbage_mib": [(0.0, 1.0)]})

    def test_render__markdown_and_html_escape(self):
        doc = report.Doc()
        doc.h(2, "A <b> & `x`")
        doc.table(["a|b", "c"], [["1", "**2**"]])
        md = report.to_markdown(doc)
        self.assertIn("| a\\|b | c |", md)
        page = report.to_html(doc, "t")
        self.assertIn("A &lt;b&gt; &amp; <code>x</code>", page)
        self.assertIn("<strong>2</strong>", page)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "--mprof":
        sys.stderr.write("Usage: test_report_unit.py --mprof MPROF [unittest options]\n")
        sys.exit(2)
    MPROF = sys.argv[2]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:])
