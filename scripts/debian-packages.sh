#!/usr/bin/env bash
# Install the Debian packages Nuanxin needs beyond Python, when they are missing:
#   fonts-noto-cjk       Chinese in PDF files (statements, certificates) and in the browser tests
#   libpango-1.0-0 …     WeasyPrint's libraries (PDF)
#   gettext              msgfmt, to compile the Chinese catalogue (make messages, the tests)
#   chromium             the browser tests (only with --browser)
# Usage: scripts/debian-packages.sh [--browser] [--required]
# Without --required a package that cannot be installed (no root, no apt) is reported and
# skipped: the pages that need it say so.
set -euo pipefail

browser=0 required=0
for arg in "$@"; do
  case $arg in
    --browser) browser=1 ;;
    --required) required=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

need=()
# (read whole lists first: `… | grep -q` fails under pipefail when grep stops early)
libs=$(ldconfig -p 2>/dev/null || true)
[[ $libs == *"libpango-1.0.so.0"* ]] || need+=(libpango-1.0-0)
[[ $libs == *"libpangoft2-1.0.so.0"* ]] || need+=(libpangoft2-1.0-0)
fonts=$(fc-list : family 2>/dev/null || true)
[[ $fonts == *"Noto Sans CJK"* ]] || need+=(fonts-noto-cjk)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
if ((browser)); then
  command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || need+=(chromium)
fi
((${#need[@]})) || exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
fi
if [[ $SUDO == none ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Nuanxin: please install the Debian packages ${need[*]} (apt-get install ${need[*]})." >&2
  ((required)) && exit 1
  exit 0
fi
echo "== installing Debian packages: ${need[*]} =="
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
