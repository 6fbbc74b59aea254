#!/usr/bin/env bash
# The README's hero screenshot: a finished result on the bundled demo models in the real window. Builds the app,
# starts `vqclip studio --demo-script` under a virtual X display with a fixed run (STEPS steps, seed SEED), waits for
# the studio's line "demo script: finished N steps ... it/s", then grabs the screen into
# docs/screenshots/studio-result.png and prints that line with the machine's load and CPU, for the figures under it.
#
#   packaging/screenshot-hero.sh                    # 120 steps, seed 1
#   STEPS=200 SEED=2 LIMIT=1800 packaging/screenshot-hero.sh
#
# Take it on a quiet machine: the figures are the run's own speed.
set -euo pipefail
STEPS=${STEPS:-120}
SEED=${SEED:-1}
LIMIT=${LIMIT:-1200}
source "$(dirname "$0")/screenshots-common.sh"
screenshots_prepare

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
xvfb-run -a -s "-screen 0 $SCREEN" bash -c '
  set -u
  root=$1 out=$2 home=$3 steps=$4 seed=$5 limit=$6
  java -Dprism.order=es2,sw -Dvqclip.home="$home" -Dai.djl.offline=true -Dvqclip.demoSteps="$steps" \
      -Dvqclip.demoSeed="$seed" -jar "$root/target/vqclip.jar" studio --demo-script > "$home/studio.log" 2>&1 &
  pid=$!
  for ((t = 0; t < limit; t++)); do
    if grep -q "demo script: finished" "$home/studio.log"; then
      break
    fi
    if ! kill -0 $pid 2>/dev/null; then
      echo "the studio exited early; its log:" >&2
      cat "$home/studio.log" >&2
      exit 1
    fi
    sleep 1
  done
  grep "demo script: finished" "$home/studio.log" || { echo "not finished after ${limit} s" >&2; kill $pid; exit 1; }
  sleep 3 # the last frame and the chart reach the window
  import -window root "$out/studio-result.png"
  echo "saved docs/screenshots/studio-result.png"
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
' hero "$ROOT" "$OUT" "$HOME_DIR" "$STEPS" "$SEED" "$LIMIT"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
