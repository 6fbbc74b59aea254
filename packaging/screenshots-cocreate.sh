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
# a slow machine or with large models. Uses the same setup as screenshots.sh (xvfb, imagemagick, GTK), from
# screenshots-common.sh.
set -euo pipefail
SHOT_TIMES=${SHOT_TIMES:-"110 125"}
source "$(dirname "$0")/screenshots-common.sh"
screenshots_prepare

screenshots_take cocreate "studio-paint studio-mask" -Dvqclip.demoPaint=true
