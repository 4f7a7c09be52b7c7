#!/usr/bin/env bash
# Debian packages the portal needs, installed with apt-get when run as root and
# otherwise named. Usage: scripts/system-packages.sh [run|test]
set -euo pipefail
mode=${1:-run}

# command that proves the package is there : Debian package
needs=(
  "ffmpeg:ffmpeg"
  "ffprobe:ffmpeg"
  "pdftoppm:poppler-utils"
  "msgfmt:gettext"
  "file:file"
)
libraries=("libmagic.so.1:libmagic1")
if [ "$mode" = test ]; then
  needs+=("chromium:chromium" "exiftool:libimage-exiftool-perl" "pdfimages:poppler-utils")
fi

missing=()
python=${PYTHON:-python3.11}
if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing+=("${python##*/}-venv")
fi
for need in "${needs[@]}"; do
  command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need##*:}")
done
for library in "${libraries[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "${library%%:*}" || missing+=("${library##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "These Debian packages are needed: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
