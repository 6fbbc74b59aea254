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
screenshots_when_finished studio-result "$LIMIT" -Dvqclip.demoSteps="$STEPS" -Dvqclip.demoSeed="$SEED"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
