#!/usr/bin/env bash
# Installs or starts what the test suite needs from the system (a new machine has nothing that
# was installed by hand): the PostgreSQL server on 127.0.0.1:5432, Debian's chromium for the
# browser tests, poppler-utils for reading the report PDF in tests, and a CJK font for the charts and page images.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --fonts: only the CJK fonts (what `make demo` needs for Chinese charts and an embedded-font PDF)
only_fonts=false
[ "${1:-}" = "--fonts" ] && only_fonts=true

need=()  # (no grep -q after a pipe: with pipefail its early exit fails the pipe)
$only_fonts || command -v chromium >/dev/null 2>&1 || need+=(chromium)
# poppler's pdfinfo/pdffonts/pdftotext: the report tests read report.pdf's paper size and fonts
$only_fonts || command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need+=(fonts-noto-cjk fontconfig)
# a TrueType CJK font for the PDF drawn without Chromium (reportlab embeds TrueType, not CFF)
fc-list 2>/dev/null | grep -i "wenquanyi zen hei" >/dev/null || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "system-deps: installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# the charts find a font installed after matplotlib wrote its font cache (scoring/charts.py
# rescans), but a stale cache is dropped here too so that every process starts from a good one
if [[ " ${need[*]} " == *" fonts-"* ]]; then
  fc-cache -f >/dev/null 2>&1 || true
  rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-v*.json
fi
$only_fonts && exit 0

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "system-deps: starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "system-deps: PostgreSQL is not up on 127.0.0.1:5432" >&2; exit 1; }
