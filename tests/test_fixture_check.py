#!/usr/bin/env python3
"""Test of the fixture comparison (CTest: fixture_check_rules, tests/integration.cmake):
tests/fixtures/fixture_check.py decides whether the committed fixtures are what their
generators make today, within tolerances. Here it judges copies of committed fixtures with
known changes: float data moved within its dtype's tolerance passes, beyond it fails naming
the tensor and the index; a renamed tensor, a changed shape, dtype, integer value or metadata
value fails; NaN must stay NaN in place and infinities must match exactly; and write_or_check
--check prints each file's worst difference and returns 1 on a stale file. Needs numpy only
(exits 77, skipped, without it).
"""
import contextlib
import io
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in tests/
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, FIXTURES)

try:
    import numpy as np
except ImportError as e:
    print(f"test_fixture_check.py: {sys.executable}: {e}: skipped")
    sys.exit(77)

import fixture_check  # noqa: E402
import safetensors_io  # noqa: E402
from script_checks import check, exit_code  # noqa: E402 (tests/, this script's folder)


def load(name):
    """A committed fixture as (tensors, metadata) with writable copies of the arrays."""
    tensors, metadata, _ = safetensors_io.read(os.path.join(FIXTURES, name + ".safetensors"))
    return {k: np.array(v) for k, v in tensors.items()}, dict(metadata or {})


def judge(committed, tensors, metadata):
    """compare() on the committed fixture and a 'regeneration' made of tensors/metadata,
    through the writer and the strict reader as the real check does."""
    regenerated = safetensors_io.parse(safetensors_io.serialize(tensors, metadata))
    return fixture_check.compare(committed, regenerated)


def passes(committed, tensors, metadata, what):
    problems, worst = judge(committed, tensors, metadata)
    check(not problems, f"{what}: passes (got {problems})")
    return worst


def fails(committed, tensors, metadata, what, *needles):
    problems, _ = judge(committed, tensors, metadata)
    text = "\n".join(problems)
    check(problems and all(n in text for n in needles),
          f"{what}: fails naming {needles} (got {problems})")


def float64_cases():
    committed = load("cross_entropy")  # F64 and I64 tensors
    tensors, meta = load("cross_entropy")
    worst = passes(committed, tensors, meta, "an unchanged copy")
    check(worst == "worst difference 0 (every float value identical)",
          f"an unchanged copy reports a worst difference of 0 (got {worst!r})")

    name = "index_nchw_mean.grad.logits"
    b = committed[0][name]
    scale = np.max(np.abs(b))
    # Within: every element moved by 0.9 * rtol * |b|, and the smallest element by 0.9 of
    # the absolute part (rtol * max|b|), far more than 1e-12 of itself.
    t, m = load("cross_entropy")
    t[name] = b * (1 + 0.9e-12)
    small = np.unravel_index(np.argmin(np.abs(b)), b.shape)
    t[name][small] = b[small] + 0.9e-12 * scale
    worst = passes(committed, t, m, "F64 moved within rtol * (|b| + max|b|)")
    check(worst.startswith(f"worst {name}["),
          f"the worst difference names the moved tensor (got {worst!r})")

    # Beyond: the largest element moved by 3e-12 of itself (the tolerance there is 2e-12).
    t, m = load("cross_entropy")
    big = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    t[name][big] = b[big] * (1 + 3e-12)
    fails(committed, t, m, "F64 moved by 3e-12 relative at its largest element",
          f"{name}{fixture_check._index(big)}", "1 of")

    # A relative 1e-9 change to a value far from zero is far out.
    t, m = load("cross_entropy")
    t["prob_nc_mean.out"] = t["prob_nc_mean.out"] * (1 + 1e-9)
    fails(committed, t, m, "a F64 scalar moved by 1e-9 relative", "prob_nc_mean.out[]")

    # Integer data is exact.
    t, m = load("cross_entropy")
    t["index_nc_mean.target"][3] += 1
    fails(committed, t, m, "an integer target changed by 1", "index_nc_mean.target[3]",
          "must match exactly")

    # Structure: names, dtypes, shapes, metadata.
    t, m = load("cross_entropy")
    t["index_nc_mean.logitz"] = t.pop("index_nc_mean.logits")
    fails(committed, t, m, "a renamed tensor", "index_nc_mean.logits: only in the committed",
          "index_nc_mean.logitz: only in the regeneration")
    t, m = load("cross_entropy")
    t["index_nc_mean.logits"] = t["index_nc_mean.logits"].reshape(-1)
    fails(committed, t, m, "a reshaped tensor", "index_nc_mean.logits: shape")
    t, m = load("cross_entropy")
    t["index_nc_mean.logits"] = t["index_nc_mean.logits"].astype(np.float32)
    fails(committed, t, m, "a tensor stored as F32", "dtype F64 committed, F32 regenerated")
    t, m = load("cross_entropy")
    t["index_nc_mean.target"] = t["index_nc_mean.target"].astype(np.int32)
    fails(committed, t, m, "a tensor stored as I32", "dtype I64 committed, I32 regenerated")
    t, m = load("cross_entropy")
    m["index_nc_mean"] = m["index_nc_mean"].replace("-100", "-101")
    fails(committed, t, m, "a changed metadata value", "metadata 'index_nc_mean'")
    t, m = load("cross_entropy")
    del m["torch"]
    fails(committed, t, m, "a missing metadata key", "metadata 'torch': only in the committed")


def float32_cases():
    committed = load("float32_conv_bn")
    name = "conv_bn.grad.input"
    b = committed[0][name].astype(np.float64)
    scale = np.max(np.abs(b))
    t, m = load("float32_conv_bn")
    t[name] = (b * (1 + 5e-6)).astype(np.float32)
    worst = passes(committed, t, m, "F32 moved by 5e-6 relative")
    check("F32 rtol 1e-05" in worst, f"the worst line states the F32 tolerance (got {worst!r})")
    t, m = load("float32_conv_bn")
    small = np.unravel_index(np.argmin(np.abs(b)), b.shape)
    t[name][small] = np.float32(b[small] + 0.5e-5 * scale)
    passes(committed, t, m, "a near-zero F32 element moved by 5e-6 of the tensor's largest")
    t, m = load("float32_conv_bn")
    t[name][small] = np.float32(b[small] + 3e-5 * scale)
    fails(committed, t, m, "a near-zero F32 element moved by 3e-5 of the tensor's largest",
          f"{name}{fixture_check._index(small)}")


def special_value_cases():
    committed_t, committed_m = load("interop_dtypes")  # f64.special holds +-0, +-inf, ...
    special = committed_t["f64.special"]
    committed_t["f64.values"][0, 1, 2] = np.nan
    committed = (committed_t, committed_m)
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = np.nan
    passes(committed, t, m, "NaN in the same place on both sides")
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = 0.0
    fails(committed, t, m, "NaN committed, a number regenerated", "f64.values[0, 1, 2]",
          "NaN must stay NaN")
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = np.nan
    t["f64.values"][1, 0, 0] = np.nan
    fails(committed, t, m, "an extra NaN", "f64.values[1, 0, 0]", "NaN must stay NaN")

    inf = int(np.argmax(special == np.inf))
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = np.nan
    t["f64.special"][inf] = -np.inf
    fails(committed, t, m, "+inf regenerated as -inf", f"f64.special[{inf}]",
          "infinities must match exactly")
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = np.nan
    t["f64.special"][inf] = np.finfo(np.float64).max
    fails(committed, t, m, "+inf regenerated as the largest double", f"f64.special[{inf}]",
          "infinities must match exactly")
    t, m = load("interop_dtypes")
    t["f64.values"][0, 1, 2] = np.nan
    t["f64.special"][1] = 0.0  # -0 committed
    passes(committed, t, m, "-0 regenerated as +0 (equal numbers)")


def write_or_check_cases():
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("mse_loss", "adam"):
            shutil.copy(os.path.join(FIXTURES, name + ".safetensors"), tmp)
        t, m = load("mse_loss")
        t["mean_3d.out"] = t["mean_3d.out"] * (1 + 1e-13)
        within = safetensors_io.serialize(t, m)
        t["sum_4d.grad.input"][1, 2, 0, 3] += 1e-6
        beyond = safetensors_io.serialize(t, m)
        with open(os.path.join(FIXTURES, "adam.safetensors"), "rb") as f:
            adam = f.read()

        def run(files):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = fixture_check.write_or_check(files, tmp, check=True)
            return code, out.getvalue()

        code, text = run({"mse_loss": within, "adam": adam})
        check(code == 0 and "mse_loss.safetensors: matches a fresh generation" in text
              and "worst mean_3d.out[]" in text and "adam.safetensors: matches" in text
              and "worst difference 0" in text
              and "2 of 2 fixture files are up to date" in text,
              f"--check within tolerance exits 0 and prints each file's worst (got {text!r})")
        code, text = run({"mse_loss": beyond, "adam": adam})
        check(code == 1 and "mse_loss.safetensors: differs from a fresh generation" in text
              and "sum_4d.grad.input[1, 2, 0, 3]" in text and "1 of 2 fixture files" in text,
              f"--check beyond tolerance exits 1 naming tensor and index (got {text!r})")
        code, text = run({"missing": within})
        check(code == 1 and "missing.safetensors: cannot read the committed file" in text,
              f"--check with no committed file exits 1 and says so (got {text!r})")
        with open(os.path.join(tmp, "broken.safetensors"), "wb") as f:
            f.write(within[:100])
        code, text = run({"broken": within})
        check(code == 1 and "broken.safetensors: the committed file is not valid" in text,
              f"--check with a truncated committed file exits 1 and says so (got {text!r})")


def main():
    float64_cases()
    float32_cases()
    special_value_cases()
    write_or_check_cases()
    return exit_code("fixture check")


if __name__ == "__main__":
    sys.exit(main())
