#!/usr/bin/env bash
# Install the Debian packages weiquan needs (CJK fonts for PDFs and screenshots, poppler for PDF
# checks, Chromium for browser tests, espeak-ng/sox for audio fixtures, PostgreSQL server for the
# PostgreSQL tests). Only installs what is missing; does nothing (with a note) when not root on Debian.
set -euo pipefail
PKGS=(fonts-noto-cjk fonts-wqy-microhei fonts-wqy-zenhei poppler-utils chromium espeak-ng sox libsox-fmt-all
      postgresql libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 make)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "weiquan: missing system packages (install them for PDFs/OCR fixtures/browser tests): ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
