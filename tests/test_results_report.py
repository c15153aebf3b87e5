#!/usr/bin/python3
"""Test of scripts/lib/results_report.py (CTest: results_report, tests/integration_results.cmake).

Fabricates experiment folders with scripts/lib/make_fake_experiment.py, runs the report on
them in a temporary folder and checks: Table 1's cells against means and sample standard
deviations computed here from the fake summary.json files; that every figure exists, is a
PNG that decodes and is linked from the markdown; that Photos and the classifier are
optional ("—"); and that a missing summary.json ends with a non-zero exit and one line
naming the file, writing nothing. Exits 77 (skipped) when matplotlib or numpy is missing.
Set KEEP_RESULTS_REPORT_TEST=1 to keep the temporary folder.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "scripts", "lib")
REPORT = os.path.join(LIB, "results_report.py")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401
except ImportError as e:
    print("results_report test skipped: %s (install python3-matplotlib)" % e)
    sys.exit(77)

sys.dont_write_bytecode = True  # no __pycache__ in scripts/lib
sys.path.insert(0, LIB)
from make_fake_experiment import make_fake_experiment  # noqa: E402

from script_checks import check, exit_code  # noqa: E402 (tests/, this script's folder)

ROWS = [("truth", "Ground Truth"), ("gray", "Gray"), ("random", "Random"), ("l2", "L2"),
        ("class", "Class"), ("class-rebal", "Class+rebal")]


def run_report(exp, out_dir):
    out = os.path.join(out_dir, "results.md")
    figs = os.path.join(out_dir, "figures")
    p = subprocess.run([sys.executable, REPORT, "--exp", exp, "--out", out, "--figures", figs],
                       capture_output=True, text=True)
    return p, out, figs


def expected(exp, dataset, method, key):
    """(mean, sample std or None, n) in percent from the fake summaries, or None."""
    base = os.path.join(exp, "eval", dataset, method)
    if not os.path.isdir(base):
        return None
    vals = []
    for name in sorted(os.listdir(base)):
        with open(os.path.join(base, name, "summary.json")) as f:
            v = json.load(f).get(key)
        if v is not None:
            vals.append(100.0 * v)
    if not vals:
        return None
    return (statistics.mean(vals), statistics.stdev(vals) if len(vals) > 1 else None, len(vals))


def parse_cell(text):
    """(mean, std or None, n) from 'm ± s (n seeds)' or 'm'; None for '—'."""
    text = text.strip()
    if text == "—":
        return None
    m = re.fullmatch(r"(-?[\d.]+) ± ([\d.]+) \((\d+) seeds\)", text)
    if m:
        return float(m.group(1)), float(m.group(2)), int(m.group(3))
    return float(text), None, 1


def table1(md):
    """{row label: [cells]} of the table that follows '## Table 1'."""
    section = md.split("## Table 1", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| Method"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def same(cell_value, exp_value, label):
    if exp_value is None:
        check(cell_value is None, "%s: expected —, got %r" % (label, cell_value))
        return
    if cell_value is None:
        check(False, "%s: expected %r, got —" % (label, exp_value))
        return
    ok = abs(cell_value[0] - exp_value[0]) <= 0.051 and cell_value[2] == exp_value[2]
    if exp_value[1] is None:
        ok = ok and cell_value[1] is None
    else:
        ok = ok and cell_value[1] is not None and abs(cell_value[1] - exp_value[1]) <= 0.051
    check(ok, "%s: table says %r, expected %r" % (label, cell_value, exp_value))


def check_png(path):
    with open(path, "rb") as f:
        sig = f.read(8)
    check(sig == b"\x89PNG\r\n\x1a\n", "not a PNG: " + path)
    try:
        img = plt.imread(path)
        check(img.shape[0] > 0 and img.shape[1] > 0, "empty PNG: " + path)
    except Exception as e:  # noqa: BLE001
        check(False, "PNG does not decode: %s (%s)" % (path, e))


def full_run(tmp):
    exp = os.path.join(tmp, "exp-full")
    make_fake_experiment(exp, seeds=[0, 1, 2], photos=True, classifier=True)
    p, out, figs = run_report(exp, os.path.join(tmp, "out-full"))
    check(p.returncode == 0, "full run exit %d: %s" % (p.returncode, p.stderr.strip()))
    if p.returncode != 0:
        return
    with open(out, encoding="utf-8") as f:
        md = f.read()
    check("## Table 1" in md, "no '## Table 1' heading")
    check("CelebA" in md, "the CelebA note is missing")
    rows = table1(md)
    for method, label in ROWS:
        check(label in rows, "Table 1 has no row " + label)
        if label not in rows:
            continue
        c = rows[label]
        same(parse_cell(c[0]), expected(exp, "fruits", method, "auc_pooled"), label + " Fruits")
        same(parse_cell(c[2]), expected(exp, "photos", method, "auc_pooled"), label + " Photos")
        same(parse_cell(c[4]), expected(exp, "fruits", method, "classifier_accuracy"),
             label + " accuracy")
    check(rows.get("Class+rebal", [None] * 6)[1] == "84.3", "report Fruits number for Class+rebal")
    check(rows.get("Gray", [None] * 6)[5] == "33.2", "report VGG number for Gray")
    names = ["fig_auc_seeds.png"] + ["fig%s_%s.png" % (k, d) for d in ("fruits", "photos")
                                     for k in ("2_prior", "3_examples", "4_loss", "5_cumulative",
                                               "6_failures")]
    for name in names:
        path = os.path.join(figs, name)
        check(os.path.isfile(path), "missing figure " + path)
        if os.path.isfile(path):
            check_png(path)
        check("(figures/%s)" % name in md, "figure not linked from the markdown: " + name)
    leftovers = [n for n in os.listdir(figs) if n.startswith(".tmp-")]
    check(not leftovers, "temporary files left behind: %s" % leftovers)
    check("## What the numbers say" in md and "- On Fruits, Class+rebal's AuC" in md,
          "no computed statements")
    print("--- excerpt of the generated markdown ---")
    print(md.split("## Table 1", 1)[1].split("## More measures", 1)[0].strip()[:1800])


def minimal_run(tmp):
    exp = os.path.join(tmp, "exp-min")
    make_fake_experiment(exp, seeds=[0], photos=False, classifier=False)
    p, out, figs = run_report(exp, os.path.join(tmp, "out-min"))
    check(p.returncode == 0, "minimal run exit %d: %s" % (p.returncode, p.stderr.strip()))
    if p.returncode != 0:
        return
    with open(out, encoding="utf-8") as f:
        md = f.read()
    rows = table1(md)
    for method, label in ROWS:
        c = rows.get(label)
        check(c is not None, "minimal: Table 1 has no row " + label)
        if c is None:
            continue
        same(parse_cell(c[0]), expected(exp, "fruits", method, "auc_pooled"),
             label + " Fruits (one seed)")
        check(c[2] == "—" and c[4] == "—", "minimal: Photos/accuracy not '—' for " + label)
    check(not os.path.exists(os.path.join(figs, "fig3_examples_photos.png")),
          "minimal: a Photos figure was written without Photos")


def missing_run(tmp):
    exp = os.path.join(tmp, "exp-missing")
    make_fake_experiment(exp, seeds=[0, 1], photos=True, classifier=True)
    gone = os.path.join(exp, "eval", "fruits", "class", "seed1", "summary.json")
    os.remove(gone)
    out_dir = os.path.join(tmp, "out-missing")
    p, out, figs = run_report(exp, out_dir)
    msg = p.stderr.strip()
    check(p.returncode != 0, "missing summary: exit code 0")
    check(gone in msg, "missing summary: message does not name %s: %r" % (gone, msg))
    check(len(msg.splitlines()) == 1, "missing summary: not one line: %r" % msg)
    check(not os.path.exists(out), "missing summary: the markdown was written anyway")
    check(not os.path.exists(figs) or not os.listdir(figs),
          "missing summary: figures were written anyway")


def main():
    tmp = tempfile.mkdtemp(prefix="results_report_test.")
    try:
        full_run(tmp)
        minimal_run(tmp)
        missing_run(tmp)
    finally:
        if os.environ.get("KEEP_RESULTS_REPORT_TEST"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return exit_code("results_report")


if __name__ == "__main__":
    sys.exit(main())
