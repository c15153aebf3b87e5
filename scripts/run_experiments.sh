#!/usr/bin/env bash
# Reproduces the report's Table 1 and Figures 2-6 on real images (docs/results.md):
# builds the Fruits and Photos sets from Debian packages (scripts/build_datasets.sh), trains
# the three colorizers (L2, Class, Class+rebal) with the same budget for each seed on each
# set, trains the Fruits classifier (the report's VGG column), evaluates every row (Ground
# truth, Gray, Random, L2, Class, Class+rebal) on each test split (apps/evaluate), and
# writes docs/results.md and docs/figures/ (scripts/lib/results_report.py).
#
#   scripts/run_experiments.sh [--scale cpu-small|gpu-full|smoke] [--seeds "0 1 2"]
#                              [--out DIR] [--docs DIR] [--device auto|cpu|cuda] [--debs DIR]
#                              [--bin DIR] [--datasets DIR] [--vgg16 FILE] [--no-report]
#
# Scales (what each trains is printed at the start and kept in OUT/config.json):
#   cpu-small  64x64 images, Fruits 1200 / Photos 600 (60/20/20), seed network at width
#              0.125, Adam lr 1e-3 cosine-decayed, 30 epochs on Fruits and 60 on Photos
#              (the same number of steps), 3 seeds; 28 minutes on a 2-core CPU from a
#              fresh clone, build included (docs/results.md).
#   gpu-full   176x176 JPEGs, Fruits 1200 / Photos 1200 (the report's Fruits had 1.2k), the
#              report's seed network at width 1, batch 32, lr 3e-4 cosine, 15 epochs each,
#              3 seeds; sized for 10 minutes on one H100 (an estimate: not yet run).
#   smoke      the bundled data/samples, 1 seed, 1 epoch: checks the pipeline in ~2 minutes
#              (its numbers mean nothing; CI runs it into a temporary folder).
# Defaults: --out runs/experiments/<scale> (an existing one is moved to <out>.previous),
# --docs docs (smoke: OUT/docs), --device auto, --debs datasets/.debs (downloaded packages,
# kept for reuse); without --bin, missing Debian packages are installed and build/ is
# (re)built and its apps used (--bin DIR: the apps in DIR as they are and nothing installed,
# as the CTest smoke test and a GPU machine without apt need); --no-report: stop after the
# evaluations (run scripts/lib/results_report.py --exp OUT later, e.g. on another machine); --datasets DIR: DIR/fruits and
# DIR/photos as they are instead of building them (for a GPU machine without apt, which gets
# them carried); --vgg16 FILE: torchvision VGG16 weights converted to safetensors give the
# classifier column (with data/imagenet_fruit_classes.json; kinds without an ImageNet class
# are not scored) instead of the classifier trained here, as the report did. Each step's output goes to OUT/logs/; a failing step prints its log's tail
# and stops the run with its exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh

scale=cpu-small
seeds=""
out=""
docs=""
device=auto
debs=datasets/.debs
bin=""
prebuilt=""
vgg16=""
report=1
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --docs) docs="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --debs) debs="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --datasets) prebuilt="$2"; shift 2 ;;
    --vgg16) vgg16="$2"; shift 2 ;;
    --no-report) report=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_experiments.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# The budget of each scale.
case "$scale" in
  cpu-small)
    size=64; n_fruits=1200; n_photos=600; width=0.125; batch=8; lr=1e-3; format=png
    fruit_epochs=30; photo_epochs=60; default_seeds="0 1 2"
    classifier_flags=(); data_root=datasets/cpu-small ;;
  gpu-full)
    size=176; n_fruits=1200; n_photos=1200; width=1; batch=32; lr=3e-4; format=jpg
    fruit_epochs=15; photo_epochs=15; default_seeds="0 1 2"
    classifier_flags=(--epochs 30 --batch 32); data_root=datasets/gpu-full ;;
  smoke)
    size=64; width=0.125; batch=8; lr=1e-3
    fruit_epochs=1; photo_epochs=1; default_seeds="0"
    classifier_flags=(--epochs 1); data_root="" ;;
  *) echo "run_experiments.sh: --scale must be cpu-small, gpu-full or smoke, got $scale" >&2
     exit 2 ;;
esac
seeds="${seeds:-$default_seeds}"
for s in $seeds; do
  [[ "$s" =~ ^[0-9]+$ ]] || { echo "run_experiments.sh: seed '$s' is not a number" >&2; exit 2; }
done
[ -n "$seeds" ] || { echo "run_experiments.sh: --seeds is empty" >&2; exit 2; }
[ -z "$vgg16" ] || [ -f "$vgg16" ] ||
  { echo "run_experiments.sh: --vgg16 $vgg16 does not exist (expected VGG16 weights as safetensors)" >&2; exit 2; }
out="${out:-runs/experiments/$scale}"
[ "$scale" = smoke ] && docs="${docs:-$out/docs}"
docs="${docs:-docs}"
losses=(l2 class class-rebal)
datasets=(fruits photos)
started_iso="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
start_s=$SECONDS

if [ -z "$bin" ]; then
  tint_ensure_packages python3-matplotlib python3-pil
  echo "run_experiments.sh: building tint (build/)"
  tint_build >/dev/null
  bin=build/apps
fi
python=/usr/bin/python3  # Debian's (the report's matplotlib); any python3 for the JSON steps
[ -x "$python" ] || python="$(command -v python3)"
for app in compute_prior train_classifier train_colorizer evaluate; do
  [ -x "$bin/$app" ] || { echo "run_experiments.sh: $bin/$app is missing (build tint first)" >&2; exit 1; }
done

if [ -e "$out" ]; then
  rm -rf "$out.previous"
  mv "$out" "$out.previous"
  echo "run_experiments.sh: moved the previous $out to $out.previous"
fi
mkdir -p "$out/logs"

# One step: runs a command with its output in OUT/logs/NAME.log; on failure shows the log's
# end and stops. Prints the step with the run's elapsed time and an ETA from the time the
# steps took so far, a training or the classifier counting as 10 units, any other step as 1.
steps_total=0
step_done=0
units_total=0
units_done=0
steps_time=0
step_units() { case "$1" in train_*|classifier) echo 10 ;; *) echo 1 ;; esac; }
clock() { printf '%d:%02d:%02d' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60)); }
run_step() {
  local name="$1"; shift
  local log="$out/logs/$name.log"
  local t0=$SECONDS
  printf '[%d/%d %s] %s ... ' "$((step_done + 1))" "$steps_total" \
    "$(clock $((SECONDS - start_s)))" "$name"
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAILED (see $log)"
    tail -n 20 "$log" >&2
    exit "$rc"
  fi
  step_done=$((step_done + 1))
  units_done=$((units_done + $(step_units "$name")))
  steps_time=$((steps_time + SECONDS - t0))
  local eta=$(( steps_time * (units_total - units_done) / units_done ))
  echo "$((SECONDS - t0)) s; $(grep -v '^\(train\|evaluate\|classifier\) \[' "$log" | tail -n 1 | cut -c1-100)" \
       "[ETA $(clock "$eta")]"
}

# The data.
if [ "$scale" = smoke ]; then
  # The bundled samples, seen as the two sets through symbolic links.
  data_root="$out/data"
  for set in fruits photos; do
    for split in train val test; do
      mkdir -p "$data_root/$set"
      ln -s "$(pwd)/data/samples/$split/$set" "$data_root/$set/$split"
    done
  done
elif [ -n "$prebuilt" ]; then
  data_root="$prebuilt"
  for set in fruits photos; do
    [ -d "$data_root/$set/train" ] ||
      { echo "run_experiments.sh: --datasets $data_root has no $set/train folder" >&2; exit 1; }
  done
  echo "run_experiments.sh: using the datasets in $data_root as they are"
else
  stamp="$data_root/BUILT_WITH"
  want="size $size fruits $n_fruits photos $n_photos seed 0 format $format"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "run_experiments.sh: building the Fruits and Photos sets in $data_root ($want)"
    mkdir -p "$debs"
    scripts/build_datasets.sh --out "$data_root" --size "$size" --fruits "$n_fruits" \
      --photos "$n_photos" --seed 0 --format "$format" --debs "$debs" > "$out/logs/build_datasets.log" 2>&1 ||
      { tail -n 20 "$out/logs/build_datasets.log" >&2; exit 1; }
    echo "$want" > "$stamp"
  fi
  tail -n 2 "$out/logs/build_datasets.log" 2>/dev/null || echo "run_experiments.sh: using $data_root"
fi

n_seeds=$(wc -w <<<"$seeds")
# prior x2, classifier, trainings, evaluations (truth + gray once, random + 3 losses per seed)
trainings=$(( 2 * 3 * n_seeds ))  # the colorizers, and the classifier unless --vgg16
[ -z "$vgg16" ] && trainings=$((trainings + 1))
steps_total=$(( 2 + trainings + 2 * (2 + 4 * n_seeds) ))
units_total=$(( steps_total + 9 * trainings ))
echo "run_experiments.sh: scale $scale: seed network x$width at ${size}x$size, batch $batch," \
     "Adam lr $lr cosine, $fruit_epochs epochs on Fruits / $photo_epochs on Photos, seeds: $seeds;" \
     "$steps_total steps into $out"

for set in "${datasets[@]}"; do
  mkdir -p "$out/prior/$set"
  run_step "prior_$set" "$bin/compute_prior" --data "$data_root/$set/train" --size "$size" \
    --device "$device" --out "$out/prior/$set/prior.safetensors"
done

if [ -z "$vgg16" ]; then
  run_step classifier "$bin/train_classifier" --data "$data_root/fruits" --size "$size" \
    --device "$device" --seed 0 --out "$out/classifier" "${classifier_flags[@]}"
  classify=(--classifier "$out/classifier/best.safetensors")
else
  mkdir -p "$out/classifier"
  VGG16="$vgg16" "$python" -c 'import json, os, sys
json.dump({"model": "VGG16 (ImageNet weights %s) through data/imagenet_fruit_classes.json" % os.environ["VGG16"]},
          open(os.path.join(sys.argv[1], "summary.json"), "w"), indent=2)' "$out/classifier"
  classify=(--classifier "$vgg16" --class-map data/imagenet_fruit_classes.json)
fi

# Each training writes only its final last.safetensors (the evaluations read it; at gpu-full
# a seed-model checkpoint with Adam's state is ~300 MB, and one per epoch would cost minutes).
for set in "${datasets[@]}"; do
  epochs=$fruit_epochs
  [ "$set" = photos ] && epochs=$photo_epochs
  for seed in $seeds; do
    for loss in "${losses[@]}"; do
      run_step "train_${set}_${loss}_seed$seed" "$bin/train_colorizer" \
        --data "$data_root/$set" --loss "$loss" --size "$size" --width "$width" \
        --batch "$batch" --epochs "$epochs" --lr "$lr" --lr-schedule cosine --seed "$seed" \
        --device "$device" --report-every 10 --save-every "$epochs" --no-best \
        --out "$out/train/$set/$loss/seed$seed"
    done
  done
done

for set in "${datasets[@]}"; do
  common=(--data "$data_root/$set" --size "$size" --device "$device")
  [ "$set" = fruits ] && common+=("${classify[@]}")
  first_seed=${seeds%% *}
  for baseline in truth gray; do
    run_step "eval_${set}_$baseline" "$bin/evaluate" --baseline "$baseline" "${common[@]}" \
      --seed "$first_seed" --out "$out/eval/$set/$baseline/seed$first_seed"
  done
  for seed in $seeds; do
    run_step "eval_${set}_random_seed$seed" "$bin/evaluate" --baseline random "${common[@]}" \
      --seed "$seed" --out "$out/eval/$set/random/seed$seed"
    for loss in "${losses[@]}"; do
      run_step "eval_${set}_${loss}_seed$seed" "$bin/evaluate" "${common[@]}" --seed "$seed" \
        --checkpoint "$out/train/$set/$loss/seed$seed/last.safetensors" \
        --out "$out/eval/$set/$loss/seed$seed"
    done
  done
done

# What was run, for the report.
finished_iso="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# TINT_COMMIT overrides (a copy of the tree whose .git is missing or stale: the GPU machine).
if [ -n "${TINT_COMMIT:-}" ]; then
  commit=$TINT_COMMIT
else
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git diff --quiet HEAD 2>/dev/null || commit="$commit+local-changes"
fi
machine="$(nproc) CPU cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
machine="$machine $(free -g | awk '/Mem:/ {print $2}') GiB"
command -v nvidia-smi >/dev/null && machine="$machine; GPU: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
SCALE="$scale" SEEDS="$seeds" DATA_ROOT="$data_root" SIZE="$size" WIDTH="$width" \
BATCH="$batch" LR="$lr" FRUIT_EPOCHS="$fruit_epochs" PHOTO_EPOCHS="$photo_epochs" \
COMMIT="$commit" MACHINE="$machine" STARTED="$started_iso" FINISHED="$finished_iso" \
SECONDS_TOTAL="$((SECONDS - start_s))" DEVICE="$device" \
COMMAND="scripts/run_experiments.sh --scale $scale --seeds \"$seeds\"" \
"$python" - "$out/config.json" <<'EOF'
import json, os, sys
e = os.environ
config = {
    "scale": e["SCALE"], "seeds": [int(s) for s in e["SEEDS"].split()],
    "datasets": {"fruits": e["DATA_ROOT"] + "/fruits", "photos": e["DATA_ROOT"] + "/photos"},
    "size": int(e["SIZE"]), "model": "seed", "width": float(e["WIDTH"]),
    "epochs": {"fruits": int(e["FRUIT_EPOCHS"]), "photos": int(e["PHOTO_EPOCHS"])},
    "batch": int(e["BATCH"]), "lr": float(e["LR"]), "lr_schedule": "cosine",
    "checkpoint": "last.safetensors (the end of the run)", "device": e["DEVICE"],
    "commit": e["COMMIT"], "command": e["COMMAND"], "machine": e["MACHINE"],
    "started": e["STARTED"], "finished": e["FINISHED"], "seconds": float(e["SECONDS_TOTAL"]),
}
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(config, f, indent=2)
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
EOF

if [ "$report" = 0 ]; then
  echo "run_experiments.sh: done in $(clock $((SECONDS - start_s))) (no report: run" \
       "scripts/lib/results_report.py --exp $out)"
  exit 0
fi
mkdir -p "$docs"
/usr/bin/python3 scripts/lib/results_report.py --exp "$out" --out "$docs/results.md" \
  --figures "$docs/figures"
echo "run_experiments.sh: done in $(clock $((SECONDS - start_s)));" \
     "wrote $docs/results.md and $docs/figures/ from $out"
