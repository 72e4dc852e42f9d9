# Sourced by the .ci/install-*.sh scripts: `apt_install NAME PACKAGE…` installs Debian packages
# as root (or through passwordless sudo), running `apt-get update` at most once per boot.
apt_install() {
  local name=$1
  shift
  local sudo=''
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo='sudo -n'
    else
      echo "$name: must run as root (or with passwordless sudo)" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  local marker=/tmp/.pacer-apt-updated
  if [ ! -f "$marker" ]; then
    $sudo apt-get update -qq
    touch "$marker"
  fi
  $sudo apt-get install -y -qq --no-install-recommends "$@"
}
