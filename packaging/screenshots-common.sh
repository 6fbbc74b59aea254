# shellcheck shell=bash
# Shared by screenshots.sh and screenshots-cocreate.sh; sourced, not run on its own.
#
# screenshots_prepare: moves to the repository root, sets ROOT, OUT (docs/screenshots) and SCREEN (the virtual
#   display, default 1280x860x24), installs what a headless studio needs when it is missing (xvfb, imagemagick, GTK 3,
#   OpenGL, XTest), builds target/vqclip.jar (skipped with REBUILD=0 when the jar exists) and makes HOME_DIR, a
#   temporary vqclip home removed on exit.
# screenshots_take FALLBACK NAMES JAVA_OPTION...: starts `vqclip studio --demo-script` under xvfb-run with the given
#   extra java options and grabs the screen at each of SHOT_TIMES (seconds after start) into OUT/NAME.png, the names
#   taken in turn from the space-separated NAMES and FALLBACK-i past their end. Fails with the studio's log when the
#   studio exits before a shot.
# screenshots_when_finished NAME LIMIT JAVA_OPTION...: starts `vqclip studio --demo-script` under xvfb-run with the
#   given extra java options, waits (at most LIMIT seconds) for its line "demo script: finished N steps ...", grabs
#   the screen into OUT/NAME.png and prints that line. Fails with the studio's log when it exits early.

screenshots_prepare() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  ROOT=$(pwd)
  # shellcheck source=packaging/headless-common.sh
  . packaging/headless-common.sh
  OUT="$ROOT/docs/screenshots"
  SCREEN=${SCREEN:-"1280x860x24"}

  local need=()
  command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
  command -v import >/dev/null 2>&1 || need+=(imagemagick)
  # JavaFX's glass toolkit on X11 needs GTK 3 (and OpenGL for prism, with software fallback)
  ldconfig -p 2>/dev/null | grep -q 'libgtk-3.so.0' || need+=(libgtk-3-0)
  ldconfig -p 2>/dev/null | grep -q 'libGL.so.1' || need+=(libgl1)
  ldconfig -p 2>/dev/null | grep -q 'libXtst.so.6' || need+=(libxtst6)
  install_missing "${need[@]}"
  build_jar

  mkdir -p "$OUT"
  HOME_DIR=$(mktemp -d)
  trap 'rm -rf "$HOME_DIR"' EXIT
}

# The start of each script screenshots_run runs under xvfb-run: its arguments are the repository root, the vqclip home,
# java options up to "--", then the script's own; it starts `vqclip studio --demo-script` (log in $home/studio.log),
# sets pid and leaves the script's own arguments in $@.
_studio_start='
    set -u
    root=$1 home=$2
    shift 2
    opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    java -Dprism.order=es2,sw -Dvqclip.home="$home" -Dai.djl.offline=true "${opts[@]}" \
        -jar "$root/target/vqclip.jar" studio --demo-script > "$home/studio.log" 2>&1 &
    pid=$!
'

# screenshots_run SCRIPT JAVA_OPTION... -- ARG...: runs SCRIPT under a virtual display after starting the studio.
screenshots_run() {
  local script=$1
  shift
  xvfb-run -a -s "-screen 0 $SCREEN" bash -c "$_studio_start$script" screenshots "$ROOT" "$HOME_DIR" "$@"
}

screenshots_take() {
  local fallback=$1 names=$2
  shift 2
  screenshots_run '
    out=$1 times=$2 fallback=$3
    names=($4)
    elapsed=0
    i=0
    for t in $times; do
      sleep $((t - elapsed))
      elapsed=$t
      if ! kill -0 $pid 2>/dev/null; then
        echo "the studio exited early; its log:" >&2
        cat "$home/studio.log" >&2
        exit 1
      fi
      name=${names[$i]:-$fallback-$i}
      import -window root "$out/$name.png"
      echo "saved docs/screenshots/$name.png (t=${t}s)"
      i=$((i + 1))
    done
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
  ' "$@" -- "$OUT" "$SHOT_TIMES" "$fallback" "$names"
  echo "screenshots in $OUT"
}

screenshots_when_finished() {
  local name=$1 limit=$2
  shift 2
  screenshots_run '
    out=$1 name=$2 limit=$3
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
    import -window root "$out/$name.png"
    echo "saved docs/screenshots/$name.png"
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
  ' "$@" -- "$OUT" "$name" "$limit"
}
