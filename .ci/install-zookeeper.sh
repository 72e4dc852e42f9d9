#!/usr/bin/env bash
# Installs a standalone ZooKeeper server (Debian's `zookeeper` package) and a Java runtime so that
# tests can start a real server with test/helpers/zookeeper.ts. Idempotent: when the jars and
# `java` are already present it exits at once without touching apt.
#
# Usage: bash .ci/install-zookeeper.sh        (needs root, or sudo without a password)
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "$0")/apt.sh"

zookeeper_jar_present() {
  compgen -G '/usr/share/java/zookeeper*.jar' >/dev/null
}

if zookeeper_jar_present && command -v java >/dev/null 2>&1; then
  echo "install-zookeeper: already installed ($(ls /usr/share/java/zookeeper*.jar | head -n 1))"
  exit 0
fi


packages=(zookeeper)
if ! command -v java >/dev/null 2>&1; then
  # The zookeeper package depends on a JRE through an alternative; naming a headless one keeps
  # apt from choosing a desktop JRE.
  packages+=(default-jre-headless)
fi

# Tests never use a system-wide server the package may start: they run their own on free ports.
apt_install install-zookeeper "${packages[@]}"

if ! zookeeper_jar_present; then
  echo "install-zookeeper: zookeeper jars not found under /usr/share/java after install" >&2
  exit 1
fi
command -v java >/dev/null 2>&1 || { echo "install-zookeeper: java not on PATH after install" >&2; exit 1; }
echo "install-zookeeper: installed ($(ls /usr/share/java/zookeeper*.jar | head -n 1))"
