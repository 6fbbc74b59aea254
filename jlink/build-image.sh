#!/usr/bin/env bash
# Builds a self-contained app image of the studio (no Java or JavaFX needed on the target machine):
#   1. jlink a runtime holding the JDK modules the app uses plus JavaFX (from the platform's modular javafx jars),
#   2. jpackage an app image with that runtime and the class-path jars (DJL ships automatic modules, so the app
#      itself stays on the class path; see ../shared/STACK.md).
# Output: target/image/VQGAN-CLIP-Studio/bin/VQGAN-CLIP-Studio (the studio, or the CLI when given a command) and
# bin/vqclip (the same main class as a launcher for the command line: a console program on Windows).
# packaging/installer.sh turns the image into the OS's installer (.deb, .dmg, .msi).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/vqclip.jar ] || mvn -B -q -DskipTests package
rm -rf target/jlink target/image target/jpackage-input
mkdir -p target/jpackage-input/lib
# JavaFX's modular jars are the classified ones (javafx-base-21.0.11-linux.jar, ...-win.jar, ...-mac-aarch64.jar):
# the platform this build was made for (see the platform profiles in pom.xml)
fxmods=$(ls target/lib/javafx-*.jar | grep -E -- '-[0-9.]+-[a-z0-9-]+\.jar$' | tr '\n' ':')
jlink --module-path "${fxmods%:}" \
  --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec,javafx.base,javafx.graphics,javafx.controls,javafx.swing \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output target/jlink
cp target/vqclip.jar target/jpackage-input/
# the bundled demo models travel with the app: <image>/lib/app/assets, found through -Dvqclip.assets
[ -d assets ] && cp -r assets target/jpackage-input/
# JavaFX lives in the runtime now; everything else goes on the class path
for j in target/lib/*.jar; do case "$(basename "$j")" in javafx-*) ;; *) cp "$j" target/jpackage-input/lib/ ;; esac; done
version=$(sed -n 's/.*version = "vqclip \([0-9.]*\)".*/\1/p' src/main/java/dev/vqclip/cli/Main.java | head -1)
jpackage --type app-image --name VQGAN-CLIP-Studio --app-version "${version:-0.1.0}" --dest target/image \
  --runtime-image target/jlink --input target/jpackage-input --main-jar vqclip.jar \
  --main-class dev.vqclip.cli.Main --java-options "-Dai.djl.offline=true" \
  --java-options '-Dvqclip.assets=$APPDIR/assets' \
  --add-launcher vqclip=packaging/vqclip-cli.properties
echo "app image: target/image/VQGAN-CLIP-Studio ($(du -sh target/image | cut -f1))"
