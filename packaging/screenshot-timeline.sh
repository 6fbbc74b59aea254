#!/usr/bin/env bash
# The README's prompt-timeline screenshot: a three-prompt story ("story mode": each prompt acts in its own steps, the
# changes cross-faded) run to the end on the bundled demo models in the real window under a virtual X display. The
# timeline under the loss chart shows each prompt's span, its fades and the current step; the history marks where the
# prompts changed. Saves docs/screenshots/studio-timeline.png and prints the run's line and the story, for the caption.
#
#   packaging/screenshot-timeline.sh
#   STEPS=90 STORY="a:0-45~5 | b:40-~5" packaging/screenshot-timeline.sh
set -euo pipefail
STEPS=${STEPS:-60}
SEED=${SEED:-1}
LIMIT=${LIMIT:-1200}
STORY=${STORY:-"a green forest:0-25~5 | a forest on fire:20-45~5 | grey ashes:40-~5"}
source "$(dirname "$0")/screenshots-common.sh"
screenshots_prepare

echo "story: $STORY ($STEPS steps, seed $SEED)"
screenshots_when_finished studio-timeline "$LIMIT" -Dvqclip.demoSteps="$STEPS" -Dvqclip.demoSeed="$SEED" \
    -Dvqclip.demoStory="$STORY"
