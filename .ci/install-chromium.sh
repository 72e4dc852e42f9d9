#!/usr/bin/env bash
# Installs Debian's Chromium for the web UI tests (test/ui/ui.test.ts drives it headless through
# playwright-core; no browser is ever downloaded by Playwright). Idempotent: when
# /usr/bin/chromium is already there it exits at once without touching apt.
#
# Usage: bash .ci/install-chromium.sh        (needs root, or sudo without a password)
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "install-chromium: already installed ($CHROMIUM)"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO='sudo -n'
  else
    echo "install-chromium: must run as root (or with passwordless sudo)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Fonts keep screenshots legible; recommends would pull in a desktop's worth of packages.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM not found after install" >&2
  exit 1
fi
echo "install-chromium: installed ($("$CHROMIUM" --version 2>/dev/null || echo chromium))"
