#!/usr/bin/env bash
# device_check.sh: the one-command check of tint on a GPU machine. Run from a copy of the
# tree with .deps/ (scripts/stage_deps.sh) carried along; needs nvcc, CMake, a C++ compiler
# and, for the PyTorch side of the benchmarks, python3 with a CUDA torch.
#   1. nvidia-smi summary (GPU name, compute capability, driver, memory);
#   2. finds cuDNN: the CUDA toolkit's, else python3's nvidia/cudnn package (PyTorch's; its
#      headers, else the ones stage_deps.sh copied to .deps/cudnn/include); sets CUDNN_ROOT /
#      LD_LIBRARY_PATH for it (and PyTorch's cuBLAS if the toolkit has none);
#   3. configures Release, TINT_CUDA=ON, CMAKE_CUDA_ARCHITECTURES = the GPU's capability;
#   4. builds with all cores: the CUDA test binary and the apps the steps below run (--all:
#      everything);
#   5. tint_cuda_tests (CPU/GPU parity of every CUDA op, --durations yes); if it dies before
#      its summary (a crash, a sticky CUDA error), every test case again in its own process,
#      so one fault does not hide the rest (--no-isolate: not, leaving the time to the
#      benchmarks; --all: the whole ctest instead, CPU tests too);
#   6. bench_kernels --device cuda --row-splits 1,2,4,8 (colorization kernels: GB/s, % of
#      copy bandwidth, fused vs unfused loss; the loss and annealed mean with 1-8 threads per
#      logits row; --kernels-batch N: its --batch, default 64);
#  6b. --ncu K1,K2: Nsight Compute sections of each named kernel's first launch in
#      bench_kernels (176x176, --kernels-batch), for finding what bounds a kernel;
#   7. --plain-too: bench_train --plain --no-torch (tint with every nn switch off);
#   8. --train-sample DIR: train_colorizer, 1 epoch of DIR (seed, 176x176, batch 32; with
#      --train-extra "FLAGS" more of its flags, e.g. "--precision bf16 --channels-last
#      --cuda-graph") on the
#      GPU, then evaluate on DIR's test split: the main job end to end, timed;
#   9. bench_ops --device cuda --preset eccv16 against PyTorch (per-op; --no-bench-ops skips;
#      --ops-precision bf16_nhwc: the convolutions as the bf16_nhwc training mode runs them);
#  9b. --experiments SCALE: scripts/run_experiments.sh --scale SCALE on the GPU with the
#      built apps and the carried --experiments-data (default datasets/gpu-full), timed,
#      then results_report.py there; $OUT/experiments.tgz brings back the report, its
#      figures and the run without checkpoints and images; --report-later gives the run all
#      of the budget and skips the report, which a later call on the same (warm) machine
#      makes with --report-only SCALE (the run stays in the build folder);
#  10. bench_train --device cuda (training images/s, peak memory and % of the FLOP floor,
#      seed and eccv16 at --batches, tint's --tint-modes (default: bench_train's GPU sweep)
#      against PyTorch's --torch-modes; --cudnn-benchmark: cudnnFind on both sides;
#      --profile-torch: PyTorch's runs profiled too, torch.profiler), last:
#      it gets what remains of the budget (at most 360 s) and is told so (--budget), so it
#      skips what no longer fits (compiled runs first) and still prints its table; 3 more
#      steps per tint run with the op profile on give each tint row's slowest ops;
#  11. prints a short table LAST: GPU, commit, test counts, cuda_tests' Catch2 summary line,
#      bench_kernels' and bench_train's rows.
# Every step runs under `timeout` within the total --budget (default 480 s); a failing step is
# recorded and the script goes on. Logs go to <build dir>/device_check/; when OUT is set (the
# device tool), the key files (summary, status, JSON results, the test log) are copied to
# $OUT and all logs packed into $OUT/device_check_logs.tgz (the tool brings back 8 files).
# Without a GPU (no nvidia-smi or no device) it stops after step 2 and still prints the
# table; --no-gpu-ok goes on anyway (build and tests, which skip). --dry-run prints the
# commands of steps 3-8 instead of running them. Exit code 0 only when every step passed.
#
# Usage: scripts/device_check.sh [--dry-run] [--no-gpu-ok] [--all] [--build-dir DIR]
#          [--budget SECONDS] [--batches 32,64] [--torch-modes eager,channels_last_bf16,compiled]
#          [--tint-modes fp32,bf16,bf16_nhwc,bf16_nhwc_graph] [--cudnn-benchmark] [--profile-torch]
#          [--no-bench-ops] [--ops-precision fp32|bf16_nhwc] [--train-sample DIR [--train-extra FLAGS]] [--plain-too] [--no-bench-train]
#          [--ncu KERNEL,KERNEL...] [--no-tests] [--no-isolate] [--no-bench-kernels] [--kernels-batch N]
#          [--experiments SCALE [--experiments-data DIR] [--report-later]]
#          [--report-only SCALE]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
start=$(date +%s)

dry_run=0
no_gpu_ok=0
build_dir=build
budget=480
all=0
batches=32,64
torch_modes=eager,channels_last_bf16,compiled
tint_modes=""
bench_ops=1
ops_precision=fp32
train_sample=""
train_extra=""
plain_too=0
bench_train_on=1
ncu_kernels=""
tests_on=1
isolate=1
cudnn_benchmark=0
profile_torch=0
bench_kernels_on=1
kernels_batch=64
experiments=""
experiments_data=datasets/gpu-full
report_mode=after  # after the experiments; "later": none (more time for them); "only"
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=1 ;;
    --no-gpu-ok) no_gpu_ok=1 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
    --budget) budget=${2:?--budget needs seconds}; shift ;;
    --all) all=1 ;;
    --batches) batches=${2:?--batches needs a list}; shift ;;
    --torch-modes) torch_modes=${2:?--torch-modes needs a list}; shift ;;
    --tint-modes) tint_modes=${2:?--tint-modes needs a list}; shift ;;
    --no-bench-ops) bench_ops=0 ;;
    --ops-precision) ops_precision=${2:?--ops-precision needs fp32 or bf16_nhwc}; shift ;;
    --train-sample) train_sample=${2:?--train-sample needs a folder}; shift ;;
    --train-extra) train_extra=${2?--train-extra needs its flags}; shift ;;
    --plain-too) plain_too=1 ;;
    --no-bench-train) bench_train_on=0 ;;
    --no-tests) tests_on=0 ;;
    --no-isolate) isolate=0 ;;
    --cudnn-benchmark) cudnn_benchmark=1 ;;
    --profile-torch) profile_torch=1 ;;
    --no-bench-kernels) bench_kernels_on=0 ;;
    --kernels-batch) kernels_batch=${2:?--kernels-batch needs a batch size}; shift ;;
    --experiments) experiments=${2:?--experiments needs a scale}; shift ;;
    --experiments-data) experiments_data=${2:?--experiments-data needs a folder}; shift ;;
    --report-later) report_mode=later ;;
    --report-only) experiments=${2:?--report-only needs a scale}; report_mode=only; shift ;;
    --ncu) ncu_kernels=${2:?--ncu needs kernel names}; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "device_check.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $build_dir in /*) ;; *) build_dir=$root/$build_dir ;; esac
deadline=$((start + budget))
reserve=15  # seconds kept for the summary

logs=$build_dir/device_check
rm -rf "$logs"  # this script's own folder: no stale results from an earlier run
mkdir -p "$logs"
status_file=$logs/status.tsv
info_file=$logs/info.tsv
: >"$status_file"
: >"$info_file"

say() { echo "device_check: $*"; }
info() { printf '%s\t%s\n' "$1" "$2" >>"$info_file"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$status_file"; }
remaining() { echo $((deadline - $(date +%s) - reserve)); }
lim() {  # lim N: N seconds, or what is left of the budget if less (at least 1: timeout 0 = none)
  local left
  left=$(remaining)
  if [ "$left" -ge "$1" ]; then echo "$1"; elif [ "$left" -gt 1 ]; then echo "$left"; else echo 1; fi
}

# step NAME CAP LOG CMD...: runs CMD under timeout (at most CAP seconds, and never past the
# budget), output to LOG (and the console's tail on failure), records its status.
step() {
  local name=$1 cap=$2 log=$3
  shift 3
  local left limit t0 rc
  left=$(remaining)
  limit=$((cap < left ? cap : left))
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] $name (limit ${limit}s): $*"
    printf 'dry-run: %s\n' "$*" >"$log"
    record "$name" "dry-run" 0
    return 0
  fi
  if [ "$limit" -lt 5 ]; then
    say "$name: skipped, the ${budget}s budget is spent"
    record "$name" "skipped" 0 "no time left"
    return 124
  fi
  say "$name (limit ${limit}s): $*"
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
  rc=$?
  local took=$(($(date +%s) - t0))
  if [ "$rc" -eq 0 ]; then
    record "$name" "ok" "$took"
    say "$name: ok (${took}s)"
  elif [ "$rc" -eq 77 ]; then  # the test binaries' "no usable device"
    record "$name" "skipped" "$took" "exit 77: $(tail -n 1 "$log")"
    say "$name: skipped ($(tail -n 1 "$log"))"
  else
    local why="exit $rc"
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="timed out after ${limit}s"
    record "$name" "FAILED" "$took" "$why"
    say "$name: FAILED ($why, ${took}s); last lines of $log:"
    tail -n 25 "$log" | sed 's/^/    /'
  fi
  return "$rc"
}

skip_rest() {  # skip_rest REASON STEP...
  local why=$1
  shift
  for s in "$@"; do record "$s" "skipped" 0 "$why"; done
}

summary() {
  local py=""
  command -v python3 >/dev/null 2>&1 && py=python3
  echo
  if [ -n "$py" ] && "$py" "$root/scripts/device_summary.py" "$logs" >"$logs/summary.txt"; then
    cat "$logs/summary.txt"
  else  # no Python: the raw records
    { echo "== tint device check (raw; scripts/device_summary.py could not run) =="
      cat "$info_file" "$status_file"; } | tee "$logs/summary.txt"
  fi
}

# For the device tool: the key files in $OUT itself, every log in one archive.
export_logs() {
  [ -n "${OUT:-}" ] && [ -d "$OUT" ] || return 0
  local f
  for f in summary.txt status.tsv bench_kernels.json bench_train.json cuda_tests.log ncu.log; do
    [ -e "$logs/$f" ] && cp "$logs/$f" "$OUT/"
  done
  tar czf "$OUT/device_check_logs.tgz" -C "$(dirname "$logs")" "$(basename "$logs")" 2>/dev/null
}

finish() {
  summary
  export_logs
  if awk -F'\t' '$2 == "FAILED" || $2 == "skipped" { bad = 1 } END { exit !bad }' \
       "$status_file" || [ "$dry_run" = 1 ]; then
    exit 1
  fi
  exit 0
}

# ---- commit ----------------------------------------------------------------------------------
# .deps/COMMIT first: stage_deps.sh --commit-only writes it from the tree that is sent, while
# a copy of .git on the device machine was seen to name an older commit.
commit=""
if [ -s "$root/.deps/COMMIT" ]; then
  commit="$(head -n1 "$root/.deps/COMMIT") (.deps/COMMIT)"
elif command -v git >/dev/null 2>&1 && git -C "$root" rev-parse --short HEAD >/dev/null 2>&1; then
  commit="$(git -C "$root" rev-parse --short HEAD) (git)"
elif [ -s "$root/COMMIT" ]; then
  commit="$(head -n1 "$root/COMMIT") (COMMIT)"
fi
info commit "${commit:-unknown}"
info budget "$budget"
info logs "$logs"
[ "$dry_run" = 1 ] && info mode "dry-run"

# ---- 1. the GPU ------------------------------------------------------------------------------
gpu_ok=0
cuda_arch=90  # without a GPU (--no-gpu-ok): H100/H200, as cmake/TintCuda.cmake's fallback
if ! command -v nvidia-smi >/dev/null 2>&1; then
  say "no GPU: nvidia-smi is not on PATH"
  info gpu "none (no nvidia-smi)"
  record gpu "FAILED" 0 "no nvidia-smi"
else
  timeout 30 nvidia-smi >"$logs/nvidia-smi.log" 2>&1
  head -n 12 "$logs/nvidia-smi.log" | sed 's/^/  /'
  query=$(timeout 20 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total \
          --format=csv,noheader 2>/dev/null | head -n1)
  if [ -z "$query" ]; then
    query=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total \
            --format=csv,noheader 2>/dev/null | head -n1)
  fi
  if [ -n "$query" ]; then
    gpu_ok=1
    cuda_arch=native  # unless nvidia-smi tells the compute capability
    info gpu "$query"
    say "GPU: $query"
    cc=$(timeout 20 nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null |
         head -n1 | tr -d ' .')
    [[ $cc =~ ^[0-9]+$ ]] && cuda_arch=$cc
    record gpu "ok" 0
  else
    say "no GPU: nvidia-smi lists no device (see $logs/nvidia-smi.log)"
    info gpu "none (nvidia-smi lists no device)"
    record gpu "FAILED" 0 "nvidia-smi lists no device"
  fi
fi
info cuda_arch "$cuda_arch"

# ---- 2. toolkit, cuDNN, cuBLAS ---------------------------------------------------------------
if ! command -v nvcc >/dev/null 2>&1; then
  for d in /usr/local/cuda/bin /usr/local/cuda-*/bin /opt/cuda/bin; do
    if [ -x "$d/nvcc" ]; then export PATH="$d:$PATH"; break; fi
  done
fi
cuda_home=""
if command -v nvcc >/dev/null 2>&1; then
  cuda_home=$(cd "$(dirname "$(readlink -f "$(command -v nvcc)")")/.." && pwd)
  export CUDACXX
  CUDACXX=$(command -v nvcc)
  info nvcc "$(nvcc --version 2>/dev/null | grep -o 'release [0-9.]*' | head -n1) at $cuda_home"
else
  info nvcc "not found"
fi

# python_pkg_dir MODULE: the directory of a python3 package (nvidia.cudnn, ...), or nothing.
python_pkg_dir() {
  command -v python3 >/dev/null 2>&1 || return 0
  timeout "$(lim 60)" python3 -c "import $1 as m; print(list(m.__path__)[0])" 2>/dev/null | tail -n1
}
# first_lib DIRS... -- NAMES...: the first existing DIR/NAME.
first_lib() {
  local dirs=() d n
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs+=("$1"); shift; done
  shift
  for d in "${dirs[@]}"; do
    for n in "$@"; do [ -e "$d/$n" ] && { echo "$d/$n"; return 0; }; done
  done
  return 0
}
cudnn_header_version() {  # DIR: version from cudnn_version.h (or cudnn.h)
  local h=$1/cudnn_version.h
  [ -e "$h" ] || h=$1/cudnn.h
  [ -e "$h" ] || return 0
  awk '/#define CUDNN_MAJOR/ { a = $3 } /#define CUDNN_MINOR/ { b = $3 }
       /#define CUDNN_PATCHLEVEL/ { c = $3 } END { if (a != "") print a "." b "." c }' "$h"
}
add_ld_path() { export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; }

toolkit_lib_dirs=()
if [ -n "$cuda_home" ]; then
  for d in "$cuda_home/lib64" "$cuda_home/lib" "$cuda_home/targets/x86_64-linux/lib"; do
    [ -d "$d" ] && toolkit_lib_dirs+=("$d")
  done
fi
toolkit_inc_dirs=()
if [ -n "$cuda_home" ]; then
  for d in "$cuda_home/include" "$cuda_home/targets/x86_64-linux/include"; do
    [ -d "$d" ] && toolkit_inc_dirs+=("$d")
  done
fi

cmake_extra=()
cudnn_lib="" cudnn_inc=""
if [ ${#toolkit_lib_dirs[@]} -gt 0 ]; then
  cudnn_lib=$(first_lib "${toolkit_lib_dirs[@]}" -- libcudnn.so libcudnn.so.9)
  cudnn_inc=$(first_lib "${toolkit_inc_dirs[@]}" -- cudnn.h)
fi
if [ -n "$cudnn_lib" ] && [ -n "$cudnn_inc" ]; then
  cudnn_inc=$(dirname "$cudnn_inc")
  info cudnn "toolkit: $cudnn_lib (cuDNN $(cudnn_header_version "$cudnn_inc"))"
else
  py_cudnn=$(python_pkg_dir nvidia.cudnn)
  if [ -n "$py_cudnn" ]; then
    cudnn_lib=$(first_lib "$py_cudnn/lib" -- libcudnn.so libcudnn.so.9)
    if [ -e "$py_cudnn/include/cudnn.h" ]; then
      cudnn_inc=$py_cudnn/include
    elif [ -e "$root/.deps/cudnn/include/cudnn.h" ]; then  # the wheel has no headers
      cudnn_inc=$root/.deps/cudnn/include
      info cudnn_headers "from .deps/cudnn/include (cuDNN $(cudnn_header_version "$cudnn_inc"), staged)"
    else
      cudnn_lib=""
    fi
  fi
  if [ -n "$cudnn_lib" ]; then
    export CUDNN_ROOT=$py_cudnn
    add_ld_path "$py_cudnn/lib"
    # cuDNN dlopens some CUDA libraries by soname (nvrtc, cublasLt): let it find the
    # toolkit's, after its own folder. (The toolkit has no cuDNN here, so no mixing of two
    # cuDNN versions' sublibraries; PyTorch loads its own CUDA libraries by full path.)
    for d in "${toolkit_lib_dirs[@]}"; do
      export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
    done
    info cudnn "python3's nvidia.cudnn: $cudnn_lib (cuDNN $(cudnn_header_version "$cudnn_inc"))"
  else
    info cudnn "not found (neither the toolkit nor python3's nvidia.cudnn has cudnn.h + libcudnn)"
  fi
fi
if [ -n "$cudnn_lib" ]; then
  # Name it outright, so FindTintCudnn.cmake takes exactly this one.
  cmake_extra+=("-DTINT_CUDNN_LIBRARY=$cudnn_lib" "-DTINT_CUDNN_INCLUDE_DIR=$cudnn_inc")
fi

# cuBLAS: in every CUDA toolkit; if this one lacks it, PyTorch's: CUDA 13 wheels put it in
# nvidia/cu13/ (lib/libcublas.so.13), CUDA 12 ones in nvidia/cublas/.
if [ -n "$cuda_home" ] && [ -z "$(first_lib "${toolkit_lib_dirs[@]}" -- libcublas.so)" ]; then
  py_cublas=$(python_pkg_dir nvidia.cu13)
  [ -n "$py_cublas" ] && [ -z "$(first_lib "$py_cublas/lib" -- libcublas.so.13)" ] && py_cublas=""
  [ -z "$py_cublas" ] && py_cublas=$(python_pkg_dir nvidia.cublas)
  if [ -n "$py_cublas" ]; then
    cublas=$(first_lib "$py_cublas/lib" -- libcublas.so libcublas.so.13 libcublas.so.12)
    cublas_lt=$(first_lib "$py_cublas/lib" -- libcublasLt.so libcublasLt.so.13 libcublasLt.so.12)
    if [ -n "$cublas" ] && [ -n "$cublas_lt" ]; then
      cmake_extra+=("-DCUDA_cublas_LIBRARY=$cublas" "-DCUDA_cublasLt_LIBRARY=$cublas_lt")
      export CPATH="$py_cublas/include${CPATH:+:$CPATH}"
      add_ld_path "$py_cublas/lib"
      info cublas "python3's nvidia package: $cublas"
    fi
  else
    info cublas "not found in the toolkit nor in python3's nvidia.cu13 / nvidia.cublas"
  fi
fi

# The staged header-only deps (and OpenBLAS if staged) for tint and for the nested
# find_package(tint) consumer build that ctest runs.
if [ -d "$root/.deps" ]; then
  export CMAKE_PREFIX_PATH="$root/.deps${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  [ -e "$root/.deps/lib/libopenblas.so.0" ] && add_ld_path "$root/.deps/lib"
  info deps ".deps: $(grep -v '^#' "$root/.deps/MANIFEST" 2>/dev/null | paste -sd ',' -)"
else
  info deps "no .deps/ (relying on system packages)"
fi
info ld_library_path "${LD_LIBRARY_PATH:-}"

if [ "$gpu_ok" = 0 ] && [ "$no_gpu_ok" = 0 ]; then
  say "stopping: no GPU (--no-gpu-ok builds and runs the cpu tests anyway)"
  skip_rest "no GPU" configure build tests bench_kernels bench_train
  finish
fi

# ---- 3-5. configure, build, test --------------------------------------------------------------
jobs=$(nproc 2>/dev/null || echo 4)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
configure_cmd=(cmake -S "$root" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
               -DTINT_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$cuda_arch" "${cmake_extra[@]}")
if ! step configure 150 "$logs/configure.log" "${configure_cmd[@]}"; then
  if [ "$dry_run" = 0 ] && [ -e "$build_dir/CMakeCache.txt" ]; then
    say "configure failed with an existing cache; retrying from scratch"
    rm -rf "$build_dir/CMakeCache.txt" "$build_dir/CMakeFiles"
    sed -i '$d' "$status_file"
    step configure 120 "$logs/configure.log" "${configure_cmd[@]}"
  fi
fi
if awk -F'\t' '$1 == "configure" && $2 == "FAILED" { bad = 1 } END { exit !bad }' \
     "$status_file"; then
  skip_rest "configure failed" build tests bench_kernels bench_train
  finish
fi
grep -E 'tint: (cuDNN|BLAS|CUDA backend)' "$logs/configure.log" 2>/dev/null | sed 's/^-- /  /'

# The device steps' targets (--all: everything, for the whole ctest).
targets=(tint_cuda_tests bench_kernels bench_train train_colorizer evaluate train_classifier
         compute_prior)
[ "$bench_ops" = 1 ] && targets+=(bench_ops)
build_cmd=(cmake --build "$build_dir" -j "$jobs")
[ "$all" = 0 ] && build_cmd+=(--target "${targets[@]}")
if ! step build 330 "$logs/build.log" "${build_cmd[@]}"; then
  # Build what still can be built (the benchmark and the tests may not depend on the failure).
  if [ "$(remaining)" -gt 60 ] && [ "$dry_run" = 0 ] && [ ${#generator[@]} -gt 0 ]; then
    say "build: building what can be built (ninja -k 0) for the tests and the benchmarks"
    timeout "$(($(remaining) / 2))" "${build_cmd[@]}" -- -k 0 >>"$logs/build.log" 2>&1
  fi
fi

# ---- 5. tests ----------------------------------------------------------------------------------
cuda_tests=$build_dir/tests/tint_cuda_tests
# catch2_done LOG: whether a Catch2 run got to its summary line.
catch2_done() { grep -qE '^(All tests passed|test cases:)' "$1" 2>/dev/null; }
if [ "$tests_on" = 0 ]; then
  record tests skipped 0 "--no-tests"
elif [ "$all" = 1 ]; then
  rm -f "$build_dir/Testing/Temporary/LastTest.log"
  step tests 180 "$logs/ctest.log" ctest --test-dir "$build_dir" --output-on-failure \
    -j "$jobs" --timeout 150 --output-junit "$logs/ctest-junit.xml"
  if [ "$dry_run" = 0 ] && [ -e "$build_dir/Testing/Temporary/LastTest.log" ]; then
    cp "$build_dir/Testing/Temporary/LastTest.log" "$logs/ctest-LastTest.log"
  fi
elif [ -x "$cuda_tests" ] || [ "$dry_run" = 1 ]; then
  step tests 150 "$logs/cuda_tests.log" "$cuda_tests" --durations yes
  if [ "$dry_run" = 0 ] && [ "$isolate" = 1 ] && ! catch2_done "$logs/cuda_tests.log" &&
     ! awk -F'\t' '$1 == "tests" && $2 == "skipped" { s = 1 } END { exit !s }' "$status_file"; then
    # It died before its summary: each test case in its own process, so the first fault
    # (possibly a sticky CUDA error that fails everything after it) does not hide the rest.
    say "tests: no Catch2 summary; running each test case in its own process"
    isolated=$logs/cuda_tests_isolated.log
    : >"$isolated"
    "$cuda_tests" --list-test-names-only 2>/dev/null | sed '/^$/d' >"$logs/cuda_test_names.txt"
    passed=0 failed=0
    while IFS= read -r name; do
      [ "$(remaining)" -gt 20 ] || { echo "(budget spent: stopped before '$name')" >>"$isolated"; break; }
      echo "===== $name" >>"$isolated"
      if timeout --kill-after=5 "$(lim 60)" "$cuda_tests" "$name" >>"$isolated" 2>&1; then
        passed=$((passed + 1))
      else
        failed=$((failed + 1))
        echo "===== FAILED (exit $?): $name" >>"$isolated"
      fi
    done <"$logs/cuda_test_names.txt"
    info cuda_tests_isolated "$passed test cases passed, $failed failed, each in its own process"
    say "tests: isolated: $passed passed, $failed failed (see $isolated)"
    cat "$isolated" >>"$logs/cuda_tests.log"
  fi
else
  record tests "FAILED" 0 "$cuda_tests was not built"
fi

# ---- the PyTorch side (only for the benchmarks that compare with it) --------------------------
torch_note=""
torch_wanted=0
[ "$bench_train_on" = 1 ] || [ "$bench_ops" = 1 ] && torch_wanted=1
if [ "$dry_run" = 0 ] && [ "$torch_wanted" = 1 ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    torch_note="no python3"
  else
    timeout "$(lim 120)" python3 "$root/scripts/bench_ops_torch.py" --check --device cuda \
      >"$logs/torch-check.log" 2>&1
    case $? in
      0) ;;
      3) torch_note="python3 cannot import torch" ;;
      4) torch_note="python3's torch cannot use the GPU" ;;
      *) torch_note="torch check failed (see torch-check.log)" ;;
    esac
  fi
fi
if [ -n "$torch_note" ]; then
  say "PyTorch side unavailable: $torch_note; timing tint alone"
  info torch "$torch_note"
elif [ "$dry_run" = 0 ] && [ "$torch_wanted" = 1 ]; then
  info torch "$(timeout "$(lim 60)" python3 -c 'import torch, sys; print(torch.__version__, "at", sys.executable)' 2>/dev/null)"
fi

# optional_bench NAME CAP BINARY ARGS...: runs a benchmark app when it was built and at least a
# minute of the budget is left; records why otherwise.
optional_bench() {
  local name=$1 cap=$2 binary=$3
  shift 3
  if [ ! -x "$binary" ] && [ "$dry_run" = 0 ]; then
    record "$name" "FAILED" 0 "$binary was not built"
  elif [ "$dry_run" = 1 ] || [ "$(remaining)" -gt 60 ]; then
    step "$name" "$cap" "$logs/$name.log" "$binary" "$@"
  else
    record "$name" "skipped" 0 "no time left"
  fi
}

# ---- 6. the colorization kernels (GB/s vs copy bandwidth, fused vs unfused loss) ------------
if [ "$bench_kernels_on" = 1 ]; then
  optional_bench bench_kernels 90 "$build_dir/apps/bench_kernels" --device cuda \
    --row-splits 1,2,4,8 --batch "$kernels_batch" --json "$logs/bench_kernels.json"
fi
# bench_kernels' tables for the console (its progress went to the same log).
[ -s "$logs/bench_kernels.json" ] && grep -vE '^bench_kernels:' "$logs/bench_kernels.log" \
  | tail -n 40 >"$logs/bench_kernels_table.txt"

# ---- 6b. --ncu NAMES: Nsight Compute on bench_kernels (176x176, --kernels-batch), the first launch
# of each named kernel (comma-separated function names): throughput, occupancy, stall reasons.
if [ -n "$ncu_kernels" ]; then
  if command -v ncu >/dev/null 2>&1 || [ "$dry_run" = 1 ]; then
    : >"$logs/ncu.log"
    for k in ${ncu_kernels//,/ }; do
      [ "$(remaining)" -gt 40 ] || { record "ncu_$k" skipped 0 "no time left"; continue; }
      step "ncu_$k" 60 "$logs/ncu_$k.log" ncu --kernel-name "regex:$k" --launch-count 1 \
        --section SpeedOfLight --section Occupancy --section LaunchStats \
        --section WarpStateStats --section ComputeWorkloadAnalysis \
        "$build_dir/apps/bench_kernels" --device cuda --sizes 176 --batch "$kernels_batch" --repeats 1 \
        --warmup 0
      cat "$logs/ncu_$k.log" >>"$logs/ncu.log" 2>/dev/null
    done
  else
    record ncu skipped 0 "no ncu on PATH"
  fi
fi

# ---- 7. tint with every nn switch off (the plain path), for the switches' effect --------------
if [ "$plain_too" = 1 ]; then
  optional_bench bench_train_plain 60 "$build_dir/apps/bench_train" --device cuda \
    --batches "$batches" --plain --no-torch --json "$logs/bench_train_plain.json"
fi

# ---- 8. the main job on real images, timed -----------------------------------------------------
if [ -n "$train_sample" ]; then
  case $train_sample in /*) ;; *) train_sample=$root/$train_sample ;; esac
  sample_out=$build_dir/train_sample
  rm -rf "$sample_out"
  optional_bench train_sample 150 "$build_dir/apps/train_colorizer" --data "$train_sample" \
    --model seed --loss class-rebal --size 176 --batch 32 --epochs 1 --lr 3e-4 --device cuda \
    --out "$sample_out" $train_extra  # unquoted: the flags split into words
  if [ -e "$sample_out/last.safetensors" ] || [ "$dry_run" = 1 ]; then
    optional_bench evaluate_sample 90 "$build_dir/apps/evaluate" \
      --checkpoint "$sample_out/last.safetensors" --data "$train_sample" --split test \
      --device cuda --out "$sample_out/eval"
  fi
fi

# ---- 9. per-op convolution benchmark against PyTorch ------------------------------------------
if [ "$bench_ops" = 1 ]; then
  ops_flags=(--device cuda --preset eccv16 --precision "$ops_precision" --out-json "$logs/bench.json")
  if [ -n "$torch_note" ]; then ops_flags+=(--no-torch); else ops_flags+=(--python "$(command -v python3 || echo python3)"); fi
  optional_bench bench_ops 120 "$build_dir/apps/bench_ops" "${ops_flags[@]}"
fi

# ---- 9b. --experiments SCALE: scripts/run_experiments.sh on the GPU (its own wall time is
# the one its issue counts), then the report there (python3 has matplotlib), packed for the
# trip back: results-SCALE.md, figures-SCALE/ and the run folder without checkpoints and
# colorized images.
if [ -n "$experiments" ]; then
  case $experiments_data in /*) ;; *) experiments_data=$root/$experiments_data ;; esac
  exp_out=$build_dir/experiments/$experiments
  rm -rf "$build_dir/experiments/report"
  [ "$report_mode" = only ] || rm -rf "$exp_out"
  mkdir -p "$build_dir/experiments/report"
  exp_commit=${commit%% *}
  exp_device=cuda
  [ "$gpu_ok" = 1 ] || exp_device=cpu  # --no-gpu-ok on a machine without one (a dry run)
  exp_left=$(remaining)
  # The report needs ~60 s after the run; --report-later leaves it to a later --report-only.
  exp_cap=$exp_left
  [ "$report_mode" = after ] && [ "$exp_left" -gt 100 ] && exp_cap=$((exp_left - 70))
  if [ "$report_mode" != only ]; then
    step experiments "$exp_cap" "$logs/experiments.log" \
      env TINT_COMMIT="$exp_commit" bash "$root/scripts/run_experiments.sh" \
      --scale "$experiments" --datasets "$experiments_data" --bin "$build_dir/apps" \
      --no-report --device "$exp_device" --out "$exp_out"
    tail -n 3 "$logs/experiments.log" 2>/dev/null | sed 's/^/  /'
  fi
  report_py=python3  # the first python3 that has matplotlib (the device's; Debian's here)
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import matplotlib' >/dev/null 2>&1; then
      report_py=$py
      break
    fi
  done
  if [ "$report_mode" != later ] && { [ -e "$exp_out/config.json" ] || [ "$dry_run" = 1 ]; }; then
    step report 60 "$logs/report.log" "$report_py" "$root/scripts/lib/results_report.py" \
      --exp "$exp_out" --out "$build_dir/experiments/report/results-$experiments.md" \
      --figures "$build_dir/experiments/report/figures-$experiments"
  fi
  if [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ] && [ -d "$exp_out" ]; then
    tar czf "$OUT/experiments.tgz" --exclude='*.safetensors' --exclude='images' \
      -C "$build_dir/experiments" "$experiments" report 2>/dev/null
  fi
fi

# ---- 10. training throughput against PyTorch (seed and eccv16, --batches, 176x176) -----------
# bench_train's own --budget ends its sweep 15 s before this step's limit, so a tight budget
# drops runs (compiled ones first) rather than the whole table.
train_limit=$(lim 360)
train_flags=(--device cuda --batches "$batches" --json "$logs/bench_train.json" --profile-steps 3
             --budget "$((train_limit > 30 ? train_limit - 15 : train_limit))")
[ -n "$tint_modes" ] && train_flags+=(--tint-modes "$tint_modes")
[ "$cudnn_benchmark" = 1 ] && train_flags+=(--cudnn-benchmark)
[ "$profile_torch" = 1 ] && train_flags+=(--profile-torch)
if [ -n "$torch_note" ]; then
  train_flags+=(--no-torch)
else
  train_flags+=(--torch-modes "$torch_modes" --python "$(command -v python3 || echo python3)")
fi
if [ "$bench_train_on" = 1 ]; then
  optional_bench bench_train "$train_limit" "$build_dir/apps/bench_train" "${train_flags[@]}"
fi

finish
