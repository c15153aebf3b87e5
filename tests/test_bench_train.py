#!/usr/bin/python3
"""Smoke test of apps/bench_train on the cpu (CTest: bench_train_smoke,
tests/integration_device.cmake): one tiny sweep (seed, batch 2, 16x16, width 1/16, one warmup
and one timed step) with the op profile on both sides (--profile-steps 1 --profile-torch),
then checks the JSON: a tint fp32 row and a torch eager row that ran, their images/s and
losses finite and positive, each row's profile with the clock named and the convolutions among
its ops (tint: conv2d_forward and conv2d_backward, each 23 calls a step as seed has 23
convolutions; PyTorch: an aten convolution op), and that an unknown flag is refused with a
non-zero exit. Times nothing: the numbers only have to exist. Exits 77 (skipped) when the
Python bench_train runs cannot import torch.

Usage: test_bench_train.py BENCH_TRAIN_BINARY
"""
import json
import math
import os
import subprocess
import sys
import tempfile

from script_checks import check, exit_code

PYTHON = "/usr/bin/python3"


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    bench = sys.argv[1]
    if subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode != 0:
        print(PYTHON + " cannot import torch: skipped")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        out_json = os.path.join(tmp, "bench_train.json")
        r = subprocess.run([bench, "--models", "seed", "--batches", "2", "--size", "16",
                            "--width", "0.0625", "--warmup", "1", "--steps", "1",
                            "--threads", "1", "--profile-steps", "1", "--profile-torch",
                            "--json", out_json], capture_output=True, text=True)
        check(r.returncode == 0, "bench_train exits 0 (got %d): %s" % (r.returncode, r.stderr[-500:]))
        check("op profile: tint fp32 seed batch 2" in r.stdout, "the tint row's profile is printed")
        check("op profile: torch eager seed batch 2" in r.stdout,
              "the torch row's profile is printed")
        if not os.path.exists(out_json):
            check(False, "bench_train writes --json")
            return exit_code("bench_train")
        with open(out_json) as f:
            rows = json.load(f)["rows"]
        by = {(row["framework"], row["mode"]): row for row in rows}
        for key in [("tint", "fp32"), ("torch", "eager")]:
            row = by.get(key)
            check(row is not None and row.get("status") == "ok", "a %s %s row ran" % key)
            if not row or row.get("status") != "ok":
                continue
            res = row["result"]
            check(math.isfinite(row["images_per_s"]) and row["images_per_s"] > 0,
                  "%s %s images/s is positive" % key)
            check(math.isfinite(res["first_loss"]) and res["first_loss"] > 0,
                  "%s %s first loss is positive" % key)
            prof = res.get("profile", {})
            check(prof.get("steps") == 1, "%s %s profile has its 1 step" % key)
            check(prof.get("clock") in ("host", "torch profiler (cpu)"),
                  "%s %s profile names its clock (got %r)" % (key + (prof.get("clock"),)))
            ops = {o["op"]: o for o in prof.get("ops", [])}
            check(all(o["ms_per_step"] >= 0 for o in ops.values()),
                  "%s %s op times are non-negative" % key)
            if key[0] == "tint":
                for op in ("conv2d_forward", "conv2d_backward"):
                    check(op in ops and ops[op]["calls_per_step"] == 23,
                          "tint's profile has %s, 23 calls a step" % op)
            else:
                check(any("convolution" in name for name in ops),
                      "torch's profile has a convolution op (got %s)" % sorted(ops)[:8])
        r = subprocess.run([bench, "--no-such-flag"], capture_output=True, text=True)
        check(r.returncode != 0 and "--no-such-flag" in (r.stdout + r.stderr),
              "an unknown flag is refused, naming it")
    return exit_code("bench_train")


if __name__ == "__main__":
    sys.exit(main())
