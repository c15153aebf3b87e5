#!/usr/bin/python3
"""Every numeric flag of every app refuses hostile values (CTest: app_flags_refuse_bad_numbers,
tests/integration_flags.cmake). For each app the numeric flags are read from its --help (type
INT, UINT or FLOAT) and must be exactly the ones listed in FLAGS below, each showing its range
in the help; so a numeric flag added to an app without a range check, or without an entry
here, fails this test. Each flag is then given each value of its kind's hostile list (1e300,
-1, nan, inf, 1e-400, 99999999999999999999, an empty value, hex, 0.5 for whole numbers, and 0
where 0 is not a valid value) and the app must: exit non-zero, not by a signal, within
TIMEOUT_S; print exactly one line on stderr (apps/support/flag_checks.h's one-line form)
that starts with the app's name and names the flag; and print no number of more than 24
digits (CLI::Range printed DBL_MAX with 309). The values a flag legitimately takes (0 for
--threads: automatic) are marked in FLAGS and left out.

Usage: test_app_flags.py APPS_DIR
"""
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from script_checks import check, exit_code

TIMEOUT_S = 20

# Kinds: "whole" (a whole number in a range), "real" (a finite number in a range), "seed"
# (0 .. 2^64 - 1), "choice" (one of a few whole numbers). zero_ok: 0 is a valid value.
W, R, S, C = "whole", "real", "seed", "choice"
FLAGS = {
    "train_colorizer": {
        "--size": (W, False), "--batch": (W, False), "--epochs": (W, False),
        "--iters": (W, False), "--lr": (R, False), "--weight-decay": (R, True),
        "--lambda": (R, True), "--temperature": (R, False), "--width": (R, False),
        "--seed": (S, True), "--report-every": (W, False), "--save-every": (W, False),
        "--grid-images": (W, True), "--threads": (W, True), "--max-pixels": (R, False),
    },
    "train_classifier": {
        "--size": (W, False), "--batch": (W, False), "--epochs": (W, False),
        "--lr": (R, False), "--weight-decay": (R, True), "--width": (R, False),
        "--seed": (S, True), "--threads": (W, True), "--max-pixels": (R, False),
    },
    "colorize": {
        "--temperature": (R, False), "--size": (W, False), "--width": (R, False),
        "--max-pixels": (R, False),
    },
    "evaluate": {
        "--size": (W, False), "--temperature": (R, False), "--seed": (S, True),
        "--batch": (W, False), "--threads": (W, True), "--width": (R, False),
        "--max-pixels": (R, False),
    },
    "compute_prior": {
        "--lambda": (R, True), "--sigma": (R, True), "--size": (W, False), "--top": (W, True),
        "--max-pixels": (R, False),
    },
    "train_example": {
        "--steps": (W, False), "--batch": (W, False), "--lr": (R, False), "--size": (W, False),
        "--width": (W, False), "--train-images": (W, False), "--seed": (S, True),
    },
    "bench_ops": {
        "--threads": (W, False), "--repeats": (W, False), "--warmup": (W, True),
        "--batch": (W, False), "--size": (W, False), "--width": (R, False),
    },
    "bench_kernels": {
        "--batch": (W, False), "--sizes": (W, False), "--repeats": (W, False),
        "--warmup": (W, True), "--threads": (W, False), "--copy-mib": (W, False),
        "--row-splits": (C, False),
    },
    "bench_train": {
        "--batches": (W, False), "--batch": (W, False), "--size": (W, False),
        "--width": (R, False), "--warmup": (W, True), "--steps": (W, False),
        "--profile-steps": (W, True), "--threads": (W, False), "--budget": (R, True),
    },
}

# What each app needs besides the flag under test, so that a value let through would go on to
# fail (or run) for another reason, never look like the flag's refusal: paths that do not
# exist.
MISSING = "/nonexistent/tint_flag_test"
REQUIRED = {
    "train_colorizer": ["--data", MISSING, "--out", MISSING + "/out"],
    "train_classifier": ["--data", MISSING, "--out", MISSING + "/out"],
    "colorize": ["--checkpoint", MISSING + ".safetensors", "--out", MISSING + "/out",
                 MISSING + ".png"],
    "evaluate": ["--data", MISSING, "--out", MISSING + "/out", "--baseline", "gray"],
    "compute_prior": ["--data", MISSING, "--out", MISSING + "/prior.safetensors"],
    "train_example": ["--out", MISSING + "/out"],
    "bench_ops": ["--no-torch"],
    "bench_kernels": [],
    "bench_train": ["--no-torch"],
}

HOSTILE = {
    W: ["1e300", "-1", "nan", "inf", "1e-400", "99999999999999999999", "", "0x10", "0.5",
        "1e3"],
    R: ["1e300", "-1", "nan", "inf", "-inf", "1e-400", "1e400", "99999999999999999999", "",
        "0x1p3"],
    S: ["-1", "0.5", "nan", "1e300", "99999999999999999999", "18446744073709551616", ""],
    C: ["3", "-1", "1e300", "nan", "", "0.5"],
}

# A help line of a numeric option: "  --width FLOAT:(0, 8]=0.125 ...".
OPTION = re.compile(r"^\s+(--[a-z0-9-]+)\s+(INT|UINT|FLOAT)\b(\S*)")


def numeric_flags(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=TIMEOUT_S)
    found = {}
    for line in r.stdout.splitlines():
        m = OPTION.match(line)
        if m:
            found[m.group(1)] = m.group(3)
    return r.returncode, found


def attempt(app, binary, flag, value, spaced):
    args = [binary] + REQUIRED[app] + ([flag, value] if spaced else [flag + "=" + value])
    start = time.monotonic()
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S,
                           env=dict(os.environ, OMP_NUM_THREADS="1"))
    except subprocess.TimeoutExpired:
        return args, None, "", TIMEOUT_S
    return args, r.returncode, r.stderr, time.monotonic() - start


def judge(app, flag, value, args, code, err, seconds):
    what = "%s given %r" % (" ".join(args[len(REQUIRED[app]) + 1:]), value)
    what = "%s %s" % (app, what)
    if code is None:
        check(False, "%s: still running after %d s" % (what, TIMEOUT_S))
        return
    lines = [line for line in err.splitlines() if line.strip()]
    check(code > 0, "%s: exit status %d, expected a refusal (non-zero, no signal)" % (what, code))
    check(len(lines) == 1, "%s: %d stderr lines, expected 1: %r" % (what, len(lines), err[-400:]))
    first = lines[0] if lines else ""
    check(first.startswith(app + ": ") and flag in first,
          "%s: the stderr line does not start with %r and name %s: %r" % (what, app + ": ", flag,
                                                                         first[:300]))
    long_number = re.search(r"\d{25,}", err)
    check(long_number is None,
          "%s: prints a %d-digit number" % (what, len(long_number.group(0)) if long_number else 0))
    check(seconds < TIMEOUT_S, "%s: took %.1f s" % (what, seconds))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    apps_dir = sys.argv[1]
    jobs = []
    for app, flags in FLAGS.items():
        binary = os.path.join(apps_dir, app)
        if not os.path.exists(binary):
            check(False, "%s is not built" % binary)
            continue
        code, shown = numeric_flags(binary)
        check(code == 0, "%s --help exits %d" % (app, code))
        for flag in sorted(set(shown) - set(flags)):
            check(False, "%s --help shows numeric flag %s that this test does not know: add it "
                         "to FLAGS with its kind" % (app, flag))
        for flag in sorted(set(flags) - set(shown)):
            check(False, "%s --help does not show numeric flag %s (FLAGS is out of date)" %
                  (app, flag))
        for flag, suffix in shown.items():
            check(re.match(r":[\[({]", suffix) is not None,
                  "%s --help shows no range for %s (%r)" % (app, flag, suffix))
        for flag, (kind, zero_ok) in flags.items():
            values = HOSTILE[kind] + ([] if zero_ok else ["0"])
            for value in values:
                jobs.append((app, binary, flag, value, False))
            jobs.append((app, binary, flag, "-1", True))  # "--flag -1": a value, not a flag
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda j: (j, attempt(*j)), jobs))
    for (app, _, flag, value, _), outcome in results:
        judge(app, flag, value, *outcome)
    print("%d hostile values tried on %d apps" % (len(jobs), len(FLAGS)))
    return exit_code("app_flags_refuse_bad_numbers")


if __name__ == "__main__":
    sys.exit(main())
