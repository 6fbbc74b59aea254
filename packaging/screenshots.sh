#!/usr/bin/env bash
# Screenshots of the studio, taken without a human: builds the app, starts it under a virtual X display
# (xvfb-run) with --demo-script (types a prompt and presses Start once the engine is loaded), and grabs the screen
# with imagemagick's `import -window root` into docs/screenshots/.
#
#   packaging/screenshots.sh                 # default timing
#   SHOT_TIMES="10 40 90" packaging/screenshots.sh   # seconds after start for each shot
#
# The middle shot is meant to land mid-generation; raise the times on a slow machine or with large models.
# The setup and the shooting loop are in screenshots-common.sh (shared with screenshots-cocreate.sh).
set -euo pipefail
SHOT_TIMES=${SHOT_TIMES:-"8 30 75"}
source "$(dirname "$0")/screenshots-common.sh"
screenshots_prepare

# The shots are named after what they should show.
screenshots_take shot "studio-loading studio-generating studio-later"
