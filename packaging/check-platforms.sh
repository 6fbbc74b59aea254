#!/usr/bin/env bash
# Lists, for each desktop platform the studio ships for, the native jars Maven puts on the class path, and fails
# unless they are that platform's: PyTorch's CPU build (ai.djl.pytorch:pytorch-native-cpu:<platform>) and JavaFX's
# (org.openjfx:javafx-graphics:<javafx classifier>). The platform is chosen from the OS Maven runs on (the os-* profiles
# in pom.xml), or named with -Dplatform=... (the platform-* profiles). This script checks both routes for each
# platform: the OS route by starting Maven's JVM with that OS's os.name/os.arch (what Maven's OS activation reads),
# the other with -Dplatform. Needs Maven Central (about 190 MB of natives the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A jfx=([linux-x86_64]=linux [linux-aarch64]=linux-aarch64 [osx-aarch64]=mac-aarch64 [win-x86_64]=win)
# how each OS names itself to the JVM (os.name without spaces: MAVEN_OPTS is split on them)
declare -A osname=([linux-x86_64]=Linux [linux-aarch64]=Linux [osx-aarch64]=MacOSX [win-x86_64]=Windows11)
declare -A osarch=([linux-x86_64]=amd64 [linux-aarch64]=aarch64 [osx-aarch64]=aarch64 [win-x86_64]=amd64)
status=0
# the property route runs first and fetches the jars: the OS route then runs offline, because a JVM told it is on
# another OS cannot open network connections (its networking reads os.name)
for route in property os; do
for platform in linux-x86_64 linux-aarch64 osx-aarch64 win-x86_64; do
  if [ "$route" = os ]; then
    opts="-Dos.name=${osname[$platform]} -Dos.arch=${osarch[$platform]}"; args=(-o)
    if [ "$platform" = win-x86_64 ] && [ "$(uname -s)" != MINGW64_NT ] && ! uname -s | grep -qi cygwin; then
      # Maven itself does not start in a JVM told it is on Windows when it is not: name the OS profile instead (and
      # turn off the one this OS activated), so the profile's contents are still what is checked
      opts=""; args=(-o -P "os-win-x86_64,!os-linux-x86_64,!os-linux-aarch64,!os-osx-aarch64")
    fi
  else
    opts=""; args=(-Dplatform="$platform")
  fi
  list=$(MAVEN_OPTS="$opts" mvn -B -q "${args[@]}" dependency:list -DincludeGroupIds=ai.djl.pytorch,org.openjfx \
           -DoutputFile=/dev/stdout -DoutputAbsoluteArtifactFilename=false 2>&1 || true)
  torch=$(grep -o "ai.djl.pytorch:pytorch-native-cpu:jar:[a-z0-9_-]*" <<<"$list" | sort -u | tr '\n' ' ' || true)
  fx=$(grep -o "org.openjfx:javafx-graphics:jar:[a-z0-9_-]*:" <<<"$list" | sort -u | tr '\n' ' ' || true)
  want_torch="ai.djl.pytorch:pytorch-native-cpu:jar:$platform"
  want_fx="org.openjfx:javafx-graphics:jar:${jfx[$platform]}:"
  if grep -qx "$want_torch " <<<"$torch" && grep -q "$want_fx" <<<"$fx"; then
    echo "ok   $route $platform: $torch| $fx"
  else
    echo "FAIL $route $platform: expected $want_torch and $want_fx, got: $torch| $fx"
    status=1
  fi
done
done
exit $status
