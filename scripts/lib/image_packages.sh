# Sourced by scripts/build_samples.sh and scripts/build_datasets.sh: fetches the Debian
# packages whose photographs the image sets are made of, and what the generator needs.
#
# tint_image_packages [DEBS_DIR]
#   Installs python3-pil and python3-numpy when missing (apt-get), downloads
#   tuxpaint-stamps-default, mate-backgrounds and python3-skimage with `apt-get download`
#   into DEBS_DIR (reused when the .debs are already there; a temporary folder when empty),
#   unpacks them with `dpkg -x` and sets tint_image_root to the unpacked tree (with a file
#   .versions there: one "package version" line each).
#   Call tint_image_cleanup when done (removes the temporary folders).
# shellcheck shell=bash

tint_image_debs=(tuxpaint-stamps-default mate-backgrounds python3-skimage)
tint_image_tmp=()

tint_image_cleanup() {
  local d
  for d in "${tint_image_tmp[@]}"; do rm -rf "$d"; done
}

tint_image_packages() {
  local debs="${1:-}" sudo="" missing=() p
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  for p in python3-pil python3-numpy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing missing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  if [ -z "$debs" ]; then
    debs="$(mktemp -d "${TMPDIR:-/tmp}/tint_debs.XXXXXX")"
    tint_image_tmp+=("$debs")
  fi
  mkdir -p "$debs"
  debs="$(cd "$debs" && pwd)"
  for p in "${tint_image_debs[@]}"; do
    if ! ls "$debs/${p}"_*.deb >/dev/null 2>&1; then
      echo "downloading $p"
      # apt-get download writes into the current folder; _apt may not be able to write
      # there, which only costs a warning.
      (cd "$debs" && apt-get download -q "$p") 2>&1 |
        grep -v '^W: Download is performed unsandboxed' || true
      ls "$debs/${p}"_*.deb >/dev/null 2>&1 || {
        echo "could not download $p (try: apt-get update)" >&2
        return 1
      }
    fi
  done
  tint_image_root="$(mktemp -d "${TMPDIR:-/tmp}/tint_pkgs.XXXXXX")"
  tint_image_tmp+=("$tint_image_root")
  for p in "${tint_image_debs[@]}"; do
    local deb
    deb="$(find "$debs" -maxdepth 1 -name "${p}_*.deb" | sort | tail -n 1)"
    echo "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$tint_image_root"
    echo "$p $(dpkg-deb -f "$deb" Version)" >>"$tint_image_root/.versions"
  done
}
