#!/usr/bin/env bash
# Installs the system packages the toolchain uses, where the machine allows it (root + apt-get).
# Idempotent and quick when everything is present. Never fails the caller: what cannot be installed is named,
# and the features (and tests) that need it say so themselves.
set -u
need=()
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)  # the PDF writer finds the Japanese fonts through it
fc-list :lang=ja 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "IPAexMincho" || need+=(fonts-ipaexfont-mincho fonts-ipaexfont-gothic)
ldconfig -p 2>/dev/null | grep -q "libcairo.so.2" || need+=(libcairo2)  # cairosvg: PNG copies of SVG figures for Word
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# LibreOffice's Python bridge: tests/test_apply_libreoffice.py edits Word files through it as a person would
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need+=(python3-uno)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages (install them for the full toolchain): ${need[*]}" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/guideline-apt.log 2>&1; then
  apt-get update -qq >>/tmp/guideline-apt.log 2>&1
  apt-get install -y -qq --no-install-recommends "${need[@]}" >>/tmp/guideline-apt.log 2>&1 \
    || echo "note: could not install some of: ${need[*]} (see /tmp/guideline-apt.log)" >&2
fi
exit 0
