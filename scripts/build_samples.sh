#!/usr/bin/env bash
# Rebuilds data/samples, the small bundled image set (real photographs from Debian packages;
# see data/samples/SOURCES.md and ../shared/docs/datasets.md): 600 images of 64x64 PNG,
# 450 fruit/vegetable composites (fruits/<kind>/) and 150 photo crops (photos/), in
# fixed train/ val/ test/ folders (60/20/20). Deterministic: the same seed and package
# versions give the same files.
#
#   scripts/build_samples.sh [--seed N] [--out DIR] [--debs DIR]
#
# Downloads tuxpaint-stamps-default, mate-backgrounds and python3-skimage with
# `apt-get download` (about 230 MB; --debs DIR keeps and reuses them), unpacks them with
# `dpkg -x` into a temporary folder, and composes the images with scripts/lib/image_sets.py
# (Debian's python3-pil and python3-numpy, installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/image_packages.sh

seed=0
out=data/samples
debs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --debs) debs="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build_samples.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

tmp_out=""
trap 'rm -rf "$tmp_out"; tint_image_cleanup' EXIT
tint_image_packages "$debs"  # sets tint_image_root, the unpacked packages
tmp_out="$(mktemp -d "${TMPDIR:-/tmp}/tint_samples.XXXXXX")"
/usr/bin/python3 scripts/lib/image_sets.py --root "$tint_image_root" --out "$tmp_out" \
  --seed "$seed" --size 64 --fruits 450 --photos 150 --format png --layout samples \
  --title "data/samples: sources and licences" \
  --command "scripts/build_samples.sh --seed $seed"
# Replace the set as a whole, so no stale file survives.
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$tmp_out" "$out"
echo "build_samples.sh: $(find "$out" -type f -name '*.png' | wc -l) images," \
     "$(du -sh "$out" | cut -f1) in $out"
