#!/usr/bin/env bash
# Installs Marathon's Python client as Debian packages it (`python3-marathon`, thefactory's
# marathon-python) so that test/integration/python-marathon.test.ts can drive Pacer with it.
# The package lands in /usr/lib/python3/dist-packages, which only Debian's own interpreter
# (/usr/bin/python3) reads; the test runs that interpreter, not whatever python3 is first on PATH.
# Idempotent: when /usr/bin/python3 can already import `marathon` it exits without touching apt.
#
# Usage: bash .ci/install-python-marathon.sh        (needs root, or sudo without a password)
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "$0")/apt.sh"

DEBIAN_PYTHON=/usr/bin/python3

client_present() {
  [ -x "$DEBIAN_PYTHON" ] && "$DEBIAN_PYTHON" -c 'import marathon' >/dev/null 2>&1
}

if client_present; then
  echo "install-python-marathon: already installed ($(dpkg-query -W -f='${Version}' python3-marathon 2>/dev/null || echo 'version unknown'))"
  exit 0
fi


apt_install install-python-marathon python3-marathon

if ! client_present; then
  echo "install-python-marathon: $DEBIAN_PYTHON cannot import marathon after install" >&2
  exit 1
fi
echo "install-python-marathon: installed ($(dpkg-query -W -f='${Version}' python3-marathon))"
