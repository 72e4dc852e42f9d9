#!/usr/bin/env bash
# Installs a Compose CLI so that test/docker/docker-files.test.ts can validate docker/compose.yml
# (`config -q` needs no Docker engine). Idempotent: when `docker compose` or `docker-compose`
# already answers, it exits at once without touching apt.
#
# Usage: bash .ci/install-compose.sh        (needs root, or sudo without a password)
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "$0")/apt.sh"

if docker compose version >/dev/null 2>&1; then
  echo "install-compose: already installed (docker compose)"
  exit 0
fi
if docker-compose version >/dev/null 2>&1; then
  echo "install-compose: already installed (docker-compose)"
  exit 0
fi

apt_install install-compose docker-compose

if ! docker-compose version >/dev/null 2>&1; then
  echo "install-compose: docker-compose does not answer after install" >&2
  exit 1
fi
echo "install-compose: installed ($(docker-compose version --short 2>/dev/null || echo docker-compose))"
