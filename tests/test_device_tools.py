#!/usr/bin/env python3
"""Test of the GPU-machine tooling (CTest: device_tools, tests/integration_device.cmake):
scripts/device_summary.py on a fabricated log folder (every section it prints: GPU, commit,
CUDA test summary, bench_kernels rows with the row-split sweep, bench_train rows with the op
profile, the --plain rows, the main-job lines) and on an empty one (every field "n/a", exit
0); and scripts/device_check.sh --dry-run with every option, which must print each step's
command and the summary table without building or running anything (and --report-later /
--report-only split the experiments from their report). A GPU run is too
scarce to find a broken summary or script on the machine. Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in tests/
from script_checks import check, exit_code  # noqa: E402 (tests/, this script's folder)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = os.path.join(ROOT, "scripts", "device_summary.py")
CHECK = os.path.join(ROOT, "scripts", "device_check.sh")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def fabricate(logs):
    write(os.path.join(logs, "info.tsv"),
          "commit\tabc1234 (.deps/COMMIT)\ngpu\tNVIDIA H100 80GB HBM3, 9.0, 580.159.04, 81559 MiB\n"
          "cudnn\tpython3's nvidia.cudnn: /x/libcudnn.so.9 (cuDNN 9.19.0)\n")
    write(os.path.join(logs, "status.tsv"),
          "gpu\tok\t0\t\nbuild\tok\t40\t\ntests\tok\t3\t\nbench_kernels\tok\t3\t\n")
    ops = {"precision": "bf16_nhwc", "total_tint_ms": 30.0, "total_torch_ms": 25.0,
           "total_ratio": 1.2, "target_ratio": 1.1, "target": "not met", "total_convs": 23,
           "batch": 32, "layers": [{"name": "model1.0", "ratio": 0.9},
                                   {"name": "model5.0", "ratio": 1.45}]}
    write(os.path.join(logs, "bench.json"), json.dumps(ops))
    write(os.path.join(logs, "cuda_tests.log"),
          "0.1 s: a test\n===\nAll tests passed (201333 assertions in 36 test cases)\n")
    kernels = {
        "batch": 64, "copy": {"what": "1024 MiB device-to-device", "gbps": 3003.4},
        "kernels": [{"kernel": "rgb_to_lab", "size": 176, "ms": 0.024, "gbps": 2005.0,
                     "fraction_of_copy": 0.668}],
        "row_split_sweep": [{"kernel": "annealed_mean split=2", "size": 176, "ms": 0.1,
                             "gbps": 1500.0, "fraction_of_copy": 0.5}],
        "loss_fused_vs_unfused": [{"size": 176, "target": "Subsampled", "fused_ms": 0.505,
                                   "unfused_ms": 1.267, "speedup": 2.51}],
        "targets": {"bandwidth_fraction": 0.8, "bandwidth_rows_met": 0, "speedup": 3.0,
                    "speedup_cases_met": 2}}
    write(os.path.join(logs, "bench_kernels.json"), json.dumps(kernels))
    profile = {"steps": 3, "ms_per_step": 31.38, "clock": "cuda events",
               "ops": [{"op": "conv2d_backward", "calls_per_step": 23, "ms_per_step": 15.22}]}
    train = {"batches": [32], "size": 176,
             "matmul_rate": {"rates_tflops": {"tf32": 410.7}},
             "targets": {"tint fp32 >= PyTorch eager img/s at <= its memory": "met",
                         "tint's fastest >= 1.3x PyTorch eager img/s": "not met"},
             "rows": [{"model": "seed", "batch": 32, "framework": "tint", "mode": "fp32",
                       "precision": "tf32", "status": "ok", "images_per_s": 1320.3,
                       "peak_mb": 1758.3, "speed_ratio": 1.09, "floor_images_per_s": 4496.1,
                       "floor_pct": 29.4, "result": {"profile": profile,
                                                     "batch_norm_fallbacks": ["bfloat16 NHWC"],
                                                     "conv_algorithms": [
                                                         "forward bf16 (image 32x8x176x176): "
                                                         "algorithm 1, tensor-op math, workspace "
                                                         "0 bytes"]}},
                      {"model": "seed", "batch": 32, "framework": "torch", "mode": "compiled",
                       "precision": "bf16", "status": "skipped",
                       "reason": "the --budget was spent"}]}
    write(os.path.join(logs, "bench_train.json"), json.dumps(train))
    plain = {"rows": [{"model": "seed", "batch": 32, "status": "ok", "images_per_s": 1218.3,
                       "peak_mb": 1758.0}]}
    write(os.path.join(logs, "bench_train_plain.json"), json.dumps(plain))
    write(os.path.join(logs, "train_sample.log"),
          "train [####] 720/720\rdone: 1 epochs, 23 steps in 00:03\nval AuC 72.95%\n")


def summary_of(logs):
    r = subprocess.run([sys.executable, SUMMARY, logs], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "full")
        os.makedirs(full)
        fabricate(full)
        rc, out = summary_of(full)
        check(rc == 0, "device_summary exits 0 on a full folder (got %d)" % rc)
        for needle in ["NVIDIA H100 80GB HBM3", "abc1234", "36 test cases", "rgb_to_lab",
                       "row-split sweep", "annealed_mean split=2", "2.51x",
                       "op profile, tint fp32 seed batch 32", "conv2d_backward 23 15.22",
                       "ms per step (cuda events)",
                       "skipped: the --budget was spent", "tint --plain seed/32 1218.3",
                       "done: 1 epochs, 23 steps", "tf32 410.7",
                       "1.3x PyTorch eager img/s: not met",
                       "batch norm fallbacks: bfloat16 NHWC",
                       "1 cuDNN convolution choices: 1 tensor-op math",
                       "bf16_nhwc, tint 30.00 ms", "worst layer model5.0 1.45x"]:
            check(needle in out, "device_summary prints %r" % needle)

        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        rc, out = summary_of(empty)
        check(rc == 0, "device_summary exits 0 on an empty folder (got %d)" % rc)
        check("n/a" in out and "Traceback" not in out, "an empty folder gives n/a fields")

        build = os.path.join(tmp, "build")
        env = dict(os.environ)
        env.pop("OUT", None)
        r = subprocess.run(["bash", CHECK, "--dry-run", "--no-gpu-ok", "--build-dir", build,
                            "--budget", "600", "--batches", "32", "--torch-modes", "eager",
                            "--tint-modes", "fp32,bf16_nhwc_graph", "--profile-torch",
                            "--plain-too", "--kernels-batch", "32", "--train-sample",
                            "data/samples", "--train-extra",
                            "--precision bf16 --cuda-graph", "--ncu",
                            "annealed_kernel", "--experiments", "smoke"],
                           capture_output=True, text=True, env=env, cwd=ROOT)
        out = r.stdout + r.stderr
        check(r.returncode == 1, "device_check --dry-run exits 1 (got %d)" % r.returncode)
        for needle in ["[dry-run] configure", "[dry-run] build", "[dry-run] tests",
                       "--row-splits 1,2,4,8 --batch 32", "[dry-run] bench_train_plain",
                       "--sizes 176 --batch 32 --repeats 1",
                       "[dry-run] train_sample", "[dry-run] ncu_annealed_kernel",
                       "[dry-run] experiments", "run_experiments.sh --scale smoke",
                       "[dry-run] bench_train", "--tint-modes fp32,bf16_nhwc_graph",
                       "--profile-torch", "--precision bf16 --cuda-graph",
                       "== tint device check"]:
            check(needle in out, "device_check --dry-run prints %r" % needle)
        check(not os.path.exists(os.path.join(build, "build.ninja")),
              "device_check --dry-run configures nothing")
        r = subprocess.run(["bash", CHECK, "--help"], capture_output=True, text=True, cwd=ROOT)
        check(r.returncode == 0 and "[--report-only SCALE]" in r.stdout
              and "--kernels-batch N" in r.stdout and "set -uo" not in r.stdout,
              "device_check --help prints its whole comment, the usage to its end, no code")
        def dry(*flags):
            r = subprocess.run(["bash", CHECK, "--dry-run", "--no-gpu-ok", "--build-dir", build,
                                "--no-tests", "--no-bench-kernels", "--no-bench-train",
                                "--no-bench-ops", *flags],
                               capture_output=True, text=True, env=env, cwd=ROOT)
            return r.stdout + r.stderr
        later = dry("--experiments", "smoke", "--report-later")
        check("[dry-run] experiments" in later and "[dry-run] report" not in later,
              "--report-later runs the experiments without the report")
        only = dry("--report-only", "smoke")
        check("[dry-run] report" in only and "[dry-run] experiments" not in only,
              "--report-only makes the report without running the experiments")
        r = subprocess.run(["bash", CHECK, "--no-such-flag"], capture_output=True, text=True,
                           cwd=ROOT)
        check(r.returncode == 2 and "unknown argument --no-such-flag" in r.stderr,
              "device_check names an unknown argument and exits 2")
    return exit_code("device tools")


if __name__ == "__main__":
    sys.exit(main())
