#!/usr/bin/env bash
# Screenshots of the co-creation tools, taken without a human: runs the studio under xvfb-run with --demo-script
# and -Dvqclip.demoPaint=true (the demo generates to step 10, pauses, paints a brush stroke, and 6 s later brushes a
# mask with a feathered edge and shows the latent grid), then grabs docs/screenshots/studio-paint.png (the paint-over)
# and docs/screenshots/studio-mask.png (the mask overlay on the token grid).
#
#   packaging/screenshots-cocreate.sh                     # default timing
#   SHOT_TIMES="110 125" packaging/screenshots-cocreate.sh  # seconds after start for the two shots
#
# The first shot must come after step 10 (plus the pause) and before the mask is drawn 6 s later; raise the times on
# a slow machine or with large models. Uses the same setup as screenshots.sh (xvfb, imagemagick, GTK).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/docs/screenshots"
SHOT_TIMES=${SHOT_TIMES:-"110 125"}
SCREEN=${SCREEN:-"1280x860x24"}

need=()
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
command -v import >/dev/null 2>&1 || need+=(imagemagick)
ldconfig -p 2>/dev/null | grep -q 'libgtk-3.so.0' || need+=(libgtk-3-0)
ldconfig -p 2>/dev/null | grep -q 'libGL.so.1' || need+=(libgl1)
ldconfig -p 2>/dev/null | grep -q 'libXtst.so.6' || need+=(libxtst6)
if ((${#need[@]})); then
  echo "installing ${need[*]} ..."
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" > /tmp/vqclip-apt.log 2>&1 \
    || { cat /tmp/vqclip-apt.log; exit 1; }
fi

if [ ! -f target/vqclip.jar ] || [ "${REBUILD:-1}" = 1 ]; then
  echo "building ..."
  mvn -B -q -o -DskipTests package || mvn -B -q -DskipTests package
fi

mkdir -p "$OUT"
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
names=(studio-paint studio-mask)

xvfb-run -a -s "-screen 0 $SCREEN" bash -c '
  set -u
  java -Dprism.order=es2,sw -Dvqclip.home="'"$HOME_DIR"'" -Dai.djl.offline=true -Dvqclip.demoPaint=true \
      -jar "'"$ROOT"'/target/vqclip.jar" studio --demo-script > "'"$HOME_DIR"'/studio.log" 2>&1 &
  pid=$!
  elapsed=0
  i=0
  names=('"${names[*]}"')
  for t in '"$SHOT_TIMES"'; do
    sleep $((t - elapsed))
    elapsed=$t
    if ! kill -0 $pid 2>/dev/null; then
      echo "the studio exited early; its log:" >&2
      cat "'"$HOME_DIR"'/studio.log" >&2
      exit 1
    fi
    name=${names[$i]:-cocreate-$i}
    import -window root "'"$OUT"'/$name.png"
    echo "saved docs/screenshots/$name.png (t=${t}s)"
    i=$((i + 1))
  done
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
'
echo "screenshots in $OUT"
