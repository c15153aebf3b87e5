#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds tint, and runs the main job on the bundled
# default data. Until the colorization apps exist, the main job is the example CNN on
# generated bar images (apps/train_example); results land in runs/example/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
tint_ensure_packages
tint_build
build/apps/train_example --out runs/example "$@"
