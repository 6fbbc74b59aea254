#!/usr/bin/env bash
# Builds the installer for the OS this runs on, from the app image jlink/build-image.sh makes:
#   Linux   -> target/installer/vqgan-clip-studio_<version>_<arch>.deb   (jpackage needs dpkg-deb and fakeroot:
#              sudo apt-get install -y fakeroot; on an RPM system without dpkg-deb it makes an .rpm, needing rpmbuild)
#   macOS   -> target/installer/VQGAN-CLIP-Studio-<version>.dmg         (Xcode command line tools; unsigned)
#   Windows -> target/installer/VQGAN-CLIP-Studio-<version>.msi         (run from Git Bash; needs WiX 3 on the PATH)
# Only the .deb was built and checked on the machine this was written on (Debian, x86_64); the .dmg and .msi branches
# use jpackage's documented options for those systems and have not been run.
# The installed app has two launchers: VQGAN-CLIP-Studio (the studio) and vqclip (the command line; a console
# program on Windows); the .deb puts them in /opt/vqgan-clip-studio/bin (not on the PATH). JDK 17's jpackage gives the
# vqclip launcher a menu entry too, despite linux-shortcut=false in packaging/vqclip-cli.properties (started from the
# menu it opens the studio, like the main one).
# Checked here (2026-12, Debian x86_64, JDK 17.0.15): dpkg-deb --info/--contents; dpkg -x into a temporary root, then
# its bin/vqclip --version, --help and `generate -p "a red apple" --size 64x64 --steps 2` with the bundled demo models.
# Usage: packaging/installer.sh [--skip-image] (reuse target/image from an earlier run)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*version = "vqclip \([0-9.]*\)".*/\1/p' src/main/java/dev/vqclip/cli/Main.java | head -1)
version=${version:-0.1.0}
image=target/image/VQGAN-CLIP-Studio

case "$(uname -s)" in
  Linux)
    if command -v dpkg-deb >/dev/null; then
      type=deb
      command -v fakeroot >/dev/null || { echo "installer: jpackage needs fakeroot for a .deb: sudo apt-get install -y fakeroot" >&2; exit 1; }
    elif command -v rpmbuild >/dev/null; then
      type=rpm
    else
      echo "installer: need dpkg-deb (Debian/Ubuntu) or rpmbuild (Fedora/openSUSE) to make a Linux package" >&2
      exit 1
    fi
    os_opts=(--linux-package-name vqgan-clip-studio --linux-app-category graphics --linux-menu-group Graphics
             --linux-shortcut --linux-deb-maintainer "vqclip@localhost")
    ;;
  Darwin)
    type=dmg
    image=target/image/VQGAN-CLIP-Studio.app
    os_opts=(--mac-package-name "VQGAN-CLIP Studio")
    ;;
  MINGW*|MSYS*|CYGWIN*)
    type=msi
    command -v candle.exe >/dev/null || echo "installer: jpackage needs WiX 3 (candle.exe, light.exe) on the PATH" >&2
    os_opts=(--win-menu --win-shortcut --win-dir-chooser --win-per-user-install)
    ;;
  *)
    echo "installer: unknown OS $(uname -s); build the app image with jlink/build-image.sh" >&2
    exit 1
    ;;
esac

[ "${1:-}" = --skip-image ] && [ -d "$image" ] || jlink/build-image.sh
rm -rf target/installer
jpackage --type "$type" --app-image "$image" --name VQGAN-CLIP-Studio --app-version "$version" \
  --description "Generate and edit images from text with VQGAN-CLIP" --vendor "VQGAN-CLIP Studio" \
  --dest target/installer "${os_opts[@]}"
ls -l target/installer
