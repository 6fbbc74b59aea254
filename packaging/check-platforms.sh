#!/usr/bin/env bash
# Lists, for each desktop platform the studio ships for, the native jars Maven puts on the class path, and fails
# unless they are that platform's: PyTorch's CPU build (ai.djl.pytorch:pytorch-native-cpu:<platform>) and JavaFX's
# (org.openjfx:javafx-graphics:<javafx classifier>). The platform is chosen from the OS Maven runs on, or named with
# -Dplatform=...; this script names each in turn. Needs Maven Central (about 190 MB of natives the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A jfx=([linux-x86_64]=linux [linux-aarch64]=linux-aarch64 [osx-aarch64]=mac-aarch64 [win-x86_64]=win)
status=0
for platform in linux-x86_64 linux-aarch64 osx-aarch64 win-x86_64; do
  list=$(mvn -B -q -Dplatform="$platform" dependency:list -DincludeGroupIds=ai.djl.pytorch,org.openjfx \
           -DoutputFile=/dev/stdout -DoutputAbsoluteArtifactFilename=false 2>&1 || true)
  torch=$(grep -o "ai.djl.pytorch:pytorch-native-cpu:jar:[a-z0-9_-]*" <<<"$list" | sort -u | tr '\n' ' ')
  fx=$(grep -o "org.openjfx:javafx-graphics:jar:[a-z0-9_-]*:" <<<"$list" | sort -u | tr '\n' ' ')
  want_torch="ai.djl.pytorch:pytorch-native-cpu:jar:$platform"
  want_fx="org.openjfx:javafx-graphics:jar:${jfx[$platform]}:"
  if grep -qx "$want_torch " <<<"$torch" && grep -q "$want_fx" <<<"$fx"; then
    echo "ok   $platform: $torch| $fx"
  else
    echo "FAIL $platform: expected $want_torch and $want_fx, got: $torch| $fx"
    status=1
  fi
done
exit $status
