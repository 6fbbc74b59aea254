# shellcheck shell=bash
# Shared by the scripts that run the studio under a virtual display (screenshots-common.sh, quit-mid-step.sh);
# sourced, not run on its own. Call from the repository root.
#
# install_missing PACKAGE...: installs the Debian packages given (none given: does nothing) with apt, as root or via
#   sudo; when apt fails, prints its log and exits.
# build_jar: builds target/vqclip.jar (offline first, then online) unless it exists and REBUILD=0; fails when the
#   build does.

install_missing() {
  (($#)) || return 0
  echo "installing $* ..."
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" > /tmp/vqclip-apt.log 2>&1 \
    || { cat /tmp/vqclip-apt.log; exit 1; }
}

build_jar() {
  if [ ! -f target/vqclip.jar ] || [ "${REBUILD:-1}" = 1 ]; then
    echo "building ..."
    mvn -B -q -o -DskipTests package || mvn -B -q -DskipTests package
  fi
}
