#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds tint, and runs every test through CTest:
# the cpu tests, the CUDA tests (reported as skipped without a GPU), the PyTorch
# interoperability checks and the find_package(tint) consumer build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
tint_ensure_packages
tint_build "$@"
ctest --test-dir build --output-on-failure -j"$(nproc)"
