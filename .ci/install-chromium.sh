#!/usr/bin/env bash
# Installs Debian's Chromium for the web UI tests (test/ui/ui.test.ts drives it headless through
# playwright-core; no browser is ever downloaded by Playwright). Idempotent: when
# /usr/bin/chromium is already there it exits at once without touching apt.
#
# Usage: bash .ci/install-chromium.sh        (needs root, or sudo without a password)
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "$0")/apt.sh"

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "install-chromium: already installed ($CHROMIUM)"
  exit 0
fi


# Fonts keep screenshots legible; recommends would pull in a desktop's worth of packages.
apt_install install-chromium chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM not found after install" >&2
  exit 1
fi
echo "install-chromium: installed ($("$CHROMIUM" --version 2>/dev/null || echo chromium))"
