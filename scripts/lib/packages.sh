# Sourced by scripts/test.sh and scripts/demo.sh: installs the Debian packages tint needs
# when they are missing (apt-get update runs only when something must be installed).
# Everything a CTest test uses is here, so that on a fresh Debian 12 machine the only test
# reported skipped is cuda_tests (no GPU): python3-torch for the interop, reference and model
# fixture checks and bench_train_smoke, python3-skimage for lab_fixtures_up_to_date,
# python3-matplotlib, python3-pil and python3-numpy for the results report and the
# experiment pipeline.
tint_packages=(build-essential cmake ninja-build pkg-config catch2 libstb-dev libcli11-dev
               nlohmann-json3-dev libopenblas-dev python3-torch python3-numpy
               python3-matplotlib python3-pil python3-skimage)

tint_ensure_packages() {
  local missing=()
  for p in "${tint_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "tint: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures and builds tint in build/ (Release, all cores).
tint_build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build build -j"$(nproc)"
}
