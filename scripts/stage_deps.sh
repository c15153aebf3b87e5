#!/usr/bin/env bash
# stage_deps.sh: copies tint's header-only build dependencies from THIS machine's Debian
# packages into .deps/ (git-ignored), a CMake prefix that cmake/TintDependencies.cmake
# searches first, so the tree builds on a machine without those packages (the GPU machine):
#   Catch2 v2  (catch2)             .deps/include/catch2/, .deps/lib/cmake/Catch2/ (a small
#                                   Catch2Config.cmake of our own + Catch.cmake & helpers)
#   stb        (libstb-dev)         .deps/include/stb/ (no libstb: apps compile stb's
#                                   implementation themselves when the library is missing)
#   CLI11      (libcli11-dev)       .deps/include/CLI/, .deps/share/cmake/CLI11/
#   nlohmann   (nlohmann-json3-dev) .deps/include/nlohmann/, .deps/share/cmake/nlohmann_json/
#   cuDNN headers (when found here)  .deps/cudnn/include/ (a fallback for a cuDNN without them)
# BLAS is not staged by default: without OpenBLAS the build falls back to tint's reference
# GEMM (TINT_BLAS=AUTO, cmake/refblas). --with-openblas also copies Debian's OpenBLAS
# (libopenblas.so.0, ~37 MB, + libgfortran.so.5, libquadmath.so.0) and its headers; it needs
# glibc >= 2.34 where it runs, and LD_LIBRARY_PATH=.deps/lib (scripts/device_check.sh sets it).
# Also writes .deps/COMMIT (the commit and whether the tree was dirty), for scripts run on a
# copy of the tree without .git. Run from anywhere; it recreates .deps from scratch.
#
# Usage: scripts/stage_deps.sh [--with-openblas] [--commit-only]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
deps=$root/.deps

with_openblas=0
commit_only=0
for arg in "$@"; do
  case $arg in
    --with-openblas) with_openblas=1 ;;
    --commit-only) commit_only=1 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stage_deps.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

write_commit() {
  local commit="unknown"
  if command -v git >/dev/null 2>&1 && git -C "$root" rev-parse --short HEAD >/dev/null 2>&1; then
    commit=$(git -C "$root" rev-parse --short HEAD)
    if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      commit="$commit+dirty"
    fi
  fi
  mkdir -p "$deps"
  echo "$commit" >"$deps/COMMIT"
  echo "stage_deps.sh: .deps/COMMIT = $commit"
}

if [ "$commit_only" = 1 ]; then
  write_commit
  exit 0
fi

# need PATH PACKAGE: fail with the package to install when a source is missing.
need() {
  if [ ! -e "$1" ]; then
    echo "stage_deps.sh: $1 is missing; install Debian's $2 (apt-get install $2)" >&2
    exit 1
  fi
}
need /usr/include/catch2/catch.hpp catch2
need /usr/lib/cmake/Catch2/Catch.cmake catch2
need /usr/lib/cmake/Catch2/CatchAddTests.cmake catch2
need /usr/lib/cmake/Catch2/Catch2ConfigVersion.cmake catch2
need /usr/include/stb/stb_image.h libstb-dev
need /usr/include/stb/stb_image_write.h libstb-dev
need /usr/include/CLI/CLI.hpp libcli11-dev
need /usr/share/cmake/CLI11/CLI11Config.cmake libcli11-dev
need /usr/include/nlohmann/json.hpp nlohmann-json3-dev
need /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake nlohmann-json3-dev

rm -rf "$deps"
mkdir -p "$deps/include" "$deps/lib/cmake/Catch2" "$deps/share/cmake"

# Catch2 v2: the single header (and its optional reporters), the CMake helpers that
# include(Catch) loads, and a config that defines Catch2::Catch2 relative to its own place.
cp -r /usr/include/catch2 "$deps/include/"
cp /usr/lib/cmake/Catch2/Catch.cmake /usr/lib/cmake/Catch2/CatchAddTests.cmake \
   /usr/lib/cmake/Catch2/Catch2ConfigVersion.cmake "$deps/lib/cmake/Catch2/"
if [ -e /usr/lib/cmake/Catch2/ParseAndAddCatchTests.cmake ]; then
  cp /usr/lib/cmake/Catch2/ParseAndAddCatchTests.cmake "$deps/lib/cmake/Catch2/"
fi
cat >"$deps/lib/cmake/Catch2/Catch2Config.cmake" <<'EOF'
# Catch2 v2 (header-only) as staged by tint's scripts/stage_deps.sh from Debian's catch2:
# Catch2::Catch2 points at <this prefix>/include; include(Catch) finds Catch.cmake here.
# (Catch2::Catch2WithMain, a compiled library, is not staged: tint's tests have their own main.)
get_filename_component(_tint_catch2_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Catch2::Catch2)
  add_library(Catch2::Catch2 INTERFACE IMPORTED)
  set_target_properties(Catch2::Catch2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_tint_catch2_prefix}/include")
endif()
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
unset(_tint_catch2_prefix)
set(Catch2_FOUND TRUE)
EOF

# stb: headers only.
cp -r /usr/include/stb "$deps/include/"

# CLI11 and nlohmann-json: headers + their own CMake configs, which locate the headers
# relative to themselves (<prefix>/share/cmake/<name>/ -> <prefix>/include).
cp -r /usr/include/CLI "$deps/include/"
cp -r /usr/share/cmake/CLI11 "$deps/share/cmake/"
cp -r /usr/include/nlohmann "$deps/include/"
cp -r /usr/share/cmake/nlohmann_json "$deps/share/cmake/"

# cuDNN's headers (small), when this machine has them: PyTorch's cuDNN wheel on the GPU
# machine may ship only the libraries; scripts/device_check.sh then compiles against these.
# (The library there may be an older 9.x: tint uses only calls that every cuDNN 9 has.)
for inc in /usr/local/cuda/include /usr/include /usr/include/$(gcc -print-multiarch 2>/dev/null); do
  if [ -e "$inc/cudnn.h" ] && [ -e "$inc/cudnn_version.h" ]; then
    mkdir -p "$deps/cudnn/include"
    cp -L "$inc"/cudnn*.h "$deps/cudnn/include/"
    break
  fi
done

if [ "$with_openblas" = 1 ]; then
  multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  lib=/usr/lib/$multiarch/libopenblas.so.0
  headers=/usr/include/$multiarch/openblas-pthread
  need "$lib" libopenblas0-pthread
  need "$headers/cblas.h" libopenblas-pthread-dev
  # Real files, no symlinks: TintDependencies.cmake also finds the library as libopenblas.so.0.
  cp -L "$lib" "$deps/lib/libopenblas.so.0"
  for dep in libgfortran.so.5 libquadmath.so.0; do
    path=$(ldd "$lib" | awk -v d="$dep" '$1 == d { print $3 }')
    [ -n "$path" ] && cp -L "$path" "$deps/lib/$dep"
  done
  mkdir -p "$deps/include/openblas"
  cp "$headers"/*.h "$deps/include/openblas/"
fi

{
  echo "# staged by scripts/stage_deps.sh on $(date -u '+%Y-%m-%d %H:%M UTC') from:"
  for p in catch2 libstb-dev libcli11-dev nlohmann-json3-dev; do
    dpkg-query -W -f='${Package} ${Version}\n' "$p" 2>/dev/null || echo "$p (version unknown)"
  done
  [ "$with_openblas" = 1 ] &&
    { dpkg-query -W -f='${Package} ${Version}\n' libopenblas0-pthread 2>/dev/null || true; }
} >"$deps/MANIFEST"
write_commit

echo "stage_deps.sh: staged into $deps ($(du -sh "$deps" | cut -f1)):"
(cd "$deps" && find . -maxdepth 3 -mindepth 2 -type d | sort | sed 's/^\.\//  /')
if [ "$with_openblas" = 1 ]; then
  for f in "$deps"/lib/*.so*; do echo "  lib/${f##*/} $(stat -c %s "$f") bytes"; done
fi
exit 0
