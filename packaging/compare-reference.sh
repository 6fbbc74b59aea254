#!/usr/bin/env bash
# Seconds per optimisation step of `vqclip bench step` against the original Python loop (packaging/original-loop.py,
# on taming-transformers' and OpenAI CLIP's own model code), measured in the same run, alternating, on the same
# settings: real-size random weights (vqgan_imagenet_f16_16384 + ViT-B/32), SIZE, CUTOUTS, all cores.
#
#   packaging/compare-reference.sh --taming DIR --clip DIR [--size 256x256] [--cutouts 8] [--steps 3] [--rounds 3]
#
# Needs: the built jar (mvn -B -q package -DskipTests), a Python 3 with torch (Debian: apt install python3-torch;
# $VQCLIP_PYTHON picks one), and checkouts of CompVis/taming-transformers and openai/CLIP (or VQCLIP_TAMING_DIR and
# VQCLIP_CLIP_DIR). Prints every round, then the medians and the ratio (vqclip / original; below 1 is faster).
# Run it on a quiet machine: both programs use every core.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
size=256x256 cutouts=8 steps=3 rounds=3
taming=${VQCLIP_TAMING_DIR:-} clip=${VQCLIP_CLIP_DIR:-}
while [ $# -gt 0 ]; do
  case $1 in
    --taming) taming=$2; shift 2 ;;
    --clip) clip=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --cutouts) cutouts=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "compare-reference: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$taming" ] || [ -z "$clip" ]; then
  echo "compare-reference: name the checkouts with --taming DIR and --clip DIR (or VQCLIP_TAMING_DIR, VQCLIP_CLIP_DIR)" >&2
  exit 2
fi
python=${VQCLIP_PYTHON:-}
if [ -z "$python" ]; then
  for p in python3 /usr/bin/python3 python; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then python=$p; break; fi
  done
fi
if [ -z "$python" ]; then
  echo "compare-reference: no Python with torch found (Debian: apt install python3-torch; or set VQCLIP_PYTHON)" >&2
  exit 2
fi
if [ ! -f "$here/target/vqclip.jar" ]; then
  echo "compare-reference: build first: (cd '$here' && mvn -B -q package -DskipTests)" >&2
  exit 2
fi
lscpu 2>/dev/null | grep -m1 'Model name' || true
echo "settings: $size, $cutouts cutouts, $steps timed steps after one warm-up, $rounds rounds; python: $python"
last() { grep '^seconds per step:' | tail -1 | awk '{print $4}'; }
orig=() ours=()
for r in $(seq 1 "$rounds"); do
  o=$("$python" "$here/packaging/original-loop.py" --taming "$taming" --clip "$clip" --size "$size" \
      --cutouts "$cutouts" --steps "$steps" 2>/dev/null | last)
  v=$("$here/packaging/vqclip" bench step --random-weights --size "$size" --cutouts "$cutouts" --steps "$steps" \
      2>/dev/null | last)
  if [ -z "$o" ] || [ -z "$v" ]; then
    echo "compare-reference: round $r failed (original: '${o}', vqclip: '${v}'); run each command alone to see why" >&2
    exit 1
  fi
  echo "round $r: original $o s/step, vqclip $v s/step"
  orig+=("$o") ours+=("$v")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mo=$(median "${orig[@]}") mv=$(median "${ours[@]}")
echo "median: original $mo s/step, vqclip $mv s/step"
awk -v a="$mv" -v b="$mo" 'BEGIN {printf "ratio vqclip/original: %.3f\n", a / b}'
