#!/usr/bin/env bash
# Quitting the real studio in the middle of a step, as a person would, N times (issue 22, item 1):
# starts `vqclip studio --demo-script` (types a prompt and presses Start once the models are loaded) under a virtual
# X display, waits until an autosave has written the recovery copy (so there is one to delete), samples where the
# engine thread is (jstack: inside a native step or not), presses Ctrl+Q in the window and answers the unsaved-work
# question with Discard from the keyboard. Then it counts
#   - native crashes: a non-zero exit status, an hs_err_pid*.log, or SIGSEGV / "fatal error" in the studio's output;
#   - stale recovery copies: ~/.vqclip/recovery.vqsession (here in a temporary vqclip home) still there after exit;
# and prints how long the window took to go and the process took to end.
#
#   packaging/quit-mid-step.sh              # 10 times, on the installed models or the bundled demo models
#   RUNS=3 KEEP=1 packaging/quit-mid-step.sh    # 3 times, keep the logs (the folder is printed)
#   REBUILD=0 ...                           # use target/vqclip.jar as it is
#
# Needs xvfb, xdotool and a JDK's jstack; installs the first two (and GTK 3) when missing (apt, as root or via sudo).
# Exit status: 0 when there was no crash and no stale copy, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=packaging/headless-common.sh
. packaging/headless-common.sh
RUNS=${RUNS:-10}
SCREEN=${SCREEN:-"1280x860x24"}

need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
ldconfig -p 2>/dev/null | grep -q 'libgtk-3.so.0' || need+=(libgtk-3-0)
ldconfig -p 2>/dev/null | grep -q 'libXtst.so.6' || need+=(libxtst6)
install_missing "${need[@]}"
build_jar || exit 1

WORK=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'kill $XVFB_PID 2>/dev/null; rm -rf "$WORK"' EXIT
[ "${KEEP:-0}" = 1 ] && trap 'kill $XVFB_PID 2>/dev/null' EXIT
# a display of its own
for d in $(seq 90 120); do
  if [ ! -e /tmp/.X11-unix/X$d ] && [ ! -e /tmp/.X$d-lock ]; then DISP=:$d; break; fi
done
Xvfb "$DISP" -screen 0 "$SCREEN" -nolisten tcp > "$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY=$DISP
sleep 1

crashes=0
hangs=0
stale=0
in_native=0
printf '%-4s %-8s %-12s %-10s %-10s %-8s %-6s %s\n' run exit engine window_s exit_s crash stale note
for i in $(seq 1 "$RUNS"); do
  home="$WORK/home-$i"
  mkdir -p "$home"
  log="$WORK/studio-$i.log"
  (cd "$home" && exec java -Dprism.order=sw -Dvqclip.home="$home" -Dai.djl.offline=true \
      -Dvqclip.autosaveSeconds=4 -XX:ErrorFile="$home/hs_err_pid%p.log" \
      -jar "$ROOT/target/vqclip.jar" studio --demo-script > "$log" 2>&1) &
  pid=$!
  note=""
  # the run is going and an autosave has written the recovery copy
  for _ in $(seq 1 300); do
    [ -f "$home/recovery.vqsession" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.5
  done
  if [ ! -f "$home/recovery.vqsession" ]; then
    note="no recovery copy was written (the studio did not get to run)"
  fi
  sleep "0.$((RANDOM % 10))" # somewhere in a step
  # where the engine thread is right now: inside a native step, or between steps
  where=$(jstack "$pid" 2>/dev/null | awk '/^"vqclip-engine"/{f=1; next} f && /^[ \t]+at /{print $2; exit}')
  case "$where" in
    ai.djl.pytorch.jni.*) engine="native"; in_native=$((in_native + 1)) ;;
    "") engine="?" ;;
    *) engine="java" ;;
  esac
  win=$(xdotool search --name "VQGAN-CLIP Studio" 2>/dev/null | head -1)
  t0=$(date +%s.%N)
  if [ -n "$win" ]; then
    xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus --sync "$win" 2>/dev/null
    xdotool key --window "$win" ctrl+q
    # the unsaved-work question: Yes/No ("Discard unsaved changes …?", Yes = discard, the default button) or
    # Save / Don't Save / Cancel ("Unsaved changes"; Don't Save is left of the default Save on Linux)
    # a synthetic Ctrl+Q can leave Ctrl held down in the window (the question opens while Q is down): release it, or
    # the answer arrives as Ctrl+Return and the question stays
    xdotool keyup --window "$win" q ctrl
    dialog=""
    for _ in $(seq 1 50); do
      dialog=$(xdotool search --name "^(Confirmation|Unsaved changes)$" 2>/dev/null | head -1)
      [ -n "$dialog" ] && break
      sleep 0.1
    done
    if [ -n "$dialog" ]; then
      title=$(xdotool getwindowname "$dialog")
      for _ in 1 2 3 4 5; do
        xdotool windowfocus --sync "$dialog" 2>/dev/null
        xdotool keyup --window "$win" q ctrl
        xdotool keyup --window "$dialog" ctrl
        if [ "$title" = "Unsaved changes" ]; then
          xdotool key --window "$dialog" shift+Tab space
        else
          xdotool key --window "$dialog" Return
        fi
        answered=0
        for _ in $(seq 1 20); do
          if ! xdotool search --name "^(Confirmation|Unsaved changes)$" >/dev/null 2>&1; then answered=1; break; fi
          sleep 0.1
        done
        [ "$answered" = 1 ] && break
      done
    else
      note="$note; no unsaved-work question appeared"
    fi
  else
    note="$note; no studio window found"
  fi
  # the window goes, then the process ends
  window_s="-"
  for _ in $(seq 1 600); do
    if ! xdotool search --name "VQGAN-CLIP Studio" >/dev/null 2>&1; then
      window_s=$(echo "$(date +%s.%N) - $t0" | bc)
      break
    fi
    sleep 0.05
  done
  # a studio that has not ended 120 s after the answer is a hang: reported, then killed
  for _ in $(seq 1 1200); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 $pid 2>/dev/null; then
    note="$note; still running 120 s after Discard: killed"
    hangs=$((hangs + 1))
    jstack "$pid" > "$home/hang-jstack.txt" 2>&1
    kill -9 $pid
  fi
  status=0
  wait $pid || status=$?
  exit_s=$(echo "$(date +%s.%N) - $t0" | bc)
  crash=0
  if [ "$status" -ne 0 ] && [ "$status" -ne 137 ] || compgen -G "$home/hs_err_pid*.log" > /dev/null \
      || grep -qE "SIGSEGV|SIGBUS|SIGABRT|A fatal error has been detected" "$log"; then
    crash=1
    crashes=$((crashes + 1))
  fi
  st=0
  if [ -e "$home/recovery.vqsession" ]; then
    st=1
    stale=$((stale + 1))
  fi
  printf '%-4s %-8s %-12s %-10.2f %-10.2f %-8s %-6s %s\n' "$i" "$status" "$engine" "${window_s/-/0}" "$exit_s" \
      "$crash" "$st" "${note#; }"
  if [ "$crash" = 1 ] || [ -n "$note" ]; then
    echo "---- studio output of run $i:"; tail -20 "$log"
  fi
done
echo "runs: $RUNS  native crashes: $crashes  stale recovery copies: $stale  hangs: $hangs  Ctrl+Q while the engine was in native code: $in_native"
[ "${KEEP:-0}" = 1 ] && echo "logs kept in $WORK"
[ "$crashes" = 0 ] && [ "$stale" = 0 ] && [ "$hangs" = 0 ]
