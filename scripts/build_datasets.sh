#!/usr/bin/env bash
# Builds the project's larger experiment datasets from real photographs in Debian packages
# (the same sources as data/samples; see ../shared/docs/datasets.md):
#   OUT/fruits/{train,val,test}/<kind>/<kind>_NNNN.png   fruit/vegetable cut-outs composited
#       at random scale, rotation and position on plain or photographic backgrounds,
#       labelled by kind (37 kinds) through the folder name
#   OUT/photos/{train,val,test}/<photo>_NNNN.png         random crops of 16 photographs
#   OUT/fruits/SOURCES.md, OUT/photos/SOURCES.md         every file's sources and licences
# Splits are 60/20/20 and fixed; test and train share no photograph (crops or backgrounds)
# and no cut-out where a kind has three or more (scripts/lib/image_sets.py says how).
# Deterministic by seed. Point the trainer at OUT/fruits or OUT/photos.
#
#   scripts/build_datasets.sh [--out DIR] [--size N] [--fruits N] [--photos N] [--seed N]
#                             [--format png|jpg] [--debs DIR]
# Defaults: --out datasets (git-ignored), --size 176 (the report's training size),
# --fruits 3000, --photos 3000, --seed 0, --format png (about 200 MB at the defaults;
# jpg: quality 95 without chroma subsampling, about 2.5x smaller). --debs DIR keeps the
# downloaded packages (about 230 MB) for reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/image_packages.sh

out=datasets
size=176
fruits=3000
photos=3000
seed=0
format=png
debs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --fruits) fruits="$2"; shift 2 ;;
    --photos) photos="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --debs) debs="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build_datasets.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$size" "$fruits" "$photos" "$seed"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "build_datasets.sh: '$v' is not a number" >&2; exit 2; }
done
[ "$format" = png ] || [ "$format" = jpg ] ||
  { echo "build_datasets.sh: --format must be png or jpg, got $format" >&2; exit 2; }

tmp_out=""
trap 'rm -rf "$tmp_out"; tint_image_cleanup' EXIT
tint_image_packages "$debs"
mkdir -p "$out"
# Built next to its destination, then swapped in, so an interrupted run leaves the old set.
tmp_out="$(mktemp -d "$out/.building.XXXXXX")"
/usr/bin/python3 scripts/lib/image_sets.py --root "$tint_image_root" --out "$tmp_out" \
  --seed "$seed" --size "$size" --fruits "$fruits" --photos "$photos" --format "$format" \
  --layout datasets \
  --command "scripts/build_datasets.sh --size $size --fruits $fruits --photos $photos \
--seed $seed --format $format"
for set in fruits photos; do  # a set built with count 0 is left as it was
  if [ -d "$tmp_out/$set" ]; then
    rm -rf "${out:?}/$set"
    mv "$tmp_out/$set" "$out/$set"
  fi
done
for set in fruits photos; do
  [ -d "$out/$set" ] || continue
  echo "build_datasets.sh: $out/$set: $(find "$out/$set" -type f | wc -l) images" \
       "($(du -sh "$out/$set" | cut -f1)); train $(find "$out/$set/train" -type f | wc -l)," \
       "val $(find "$out/$set/val" -type f | wc -l), test $(find "$out/$set/test" -type f | wc -l)"
done
