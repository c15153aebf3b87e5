#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds tint, and runs the main job: training the
# colorization network on the bundled images (data/samples) with apps/train_colorizer and no
# arguments, i.e. with settings sized to the machine (on a CPU the cpu-small preset, a few
# minutes; on a GPU the course report's recipe). Results land in runs/colorizer/ (or
# runs/colorizer-2/, ... when an earlier demo's run is there: printed): metrics.csv,
# checkpoints, the prior and grid_epochNNN.png (input grey | ground truth | colorization).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
tint_ensure_packages
tint_build
build/apps/train_colorizer
