#!/usr/bin/env bash
# The GPU check a person runs on a Linux machine with an NVIDIA GPU, from a checkout of this repository:
#   packaging/gpu-check.sh
# It
#   (a) makes sure a CUDA libtorch is there: `vqclip runtime status`, and `vqclip runtime install cuda` when that
#       reports none (or uses PYTORCH_LIBRARY_PATH when you set it to an existing libtorch 2.7.1 cu128 folder);
#   (b) runs the GPU tests (VQGAN decode, CLIP encode, one optimisation step CPU vs GPU) with
#       -Dvqclip.requireGpu=true, so a test that finds no GPU FAILS instead of skipping;
#   (c) times `vqclip bench step --device gpu` at 512x512 with 32 cutouts (real-size models, random weights);
#   (d) reports the CPU-vs-GPU parity of one step (GpuStepParityTest: losses within a relative 1e-4, the gradient of
#       z within 1e-3 of its largest magnitude, cosine > 0.9999; float32, TF32 off);
# and prints one report at the end. Exit status 0 only when every part passed; 2 when there is no NVIDIA GPU.
# Environment: MVN_FLAGS (extra Maven flags, e.g. -o), BENCH_STEPS (timed steps, default 5),
# PYTORCH_LIBRARY_PATH (a CUDA libtorch to use instead of the installed runtime).
set -uo pipefail
cd "$(dirname "$0")/.."
log_dir=target/gpu-check
mkdir -p "$log_dir"
report=()
failed=0
note() { report+=("$1"); }
fail() { report+=("FAIL $1"); failed=1; }

no_gpu() {
  echo "gpu-check: $1" >&2
  echo "gpu-check: this check needs Linux with an NVIDIA GPU and its driver (nvidia-smi); nothing was run." >&2
  exit 2
}
[ "$(uname -s)" = Linux ] || no_gpu "this is $(uname -s), not Linux"
command -v nvidia-smi >/dev/null 2>&1 || no_gpu "no NVIDIA driver found (nvidia-smi is not on the PATH)"
gpus=$(nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader 2>&1) \
  || no_gpu "nvidia-smi found no usable GPU: $gpus"
[ -n "$gpus" ] || no_gpu "nvidia-smi lists no GPU"
note "GPU: $(head -1 <<<"$gpus") (name, memory, driver, compute capability)"

# the app and its class path
if [ ! -f target/vqclip.jar ]; then
  mvn -B -q ${MVN_FLAGS:-} package -DskipTests || { echo "gpu-check: the build failed" >&2; exit 1; }
fi
vqclip() { java -jar target/vqclip.jar "$@"; }

# (a) the CUDA runtime
cuda_dir() {
  # a folder holding libtorch_cuda.so: PYTORCH_LIBRARY_PATH, a folder `runtime status` names, or DJL's cache
  local d
  for d in ${PYTORCH_LIBRARY_PATH:-} $(grep -o '/[^ :,;"]*' <<<"${1:-}") "$HOME"/.djl.ai/pytorch/*cu12*; do
    [ -f "$d/libtorch_cuda.so" ] && { echo "$d"; return 0; }
    [ -f "$d/lib/libtorch_cuda.so" ] && { echo "$d/lib"; return 0; }
  done
  return 1
}
status_out=$(vqclip runtime status 2>&1); status_rc=$?
echo "$status_out" > "$log_dir/runtime-status.txt"
runtime=$(cuda_dir "$status_out")
if [ -z "$runtime" ]; then
  if [ $status_rc -ne 0 ] && grep -qi "unmatched\|unknown" <<<"$status_out"; then
    fail "(a) this build has no 'runtime' command; set PYTORCH_LIBRARY_PATH to a libtorch 2.7.1 cu128 folder"
  else
    echo "gpu-check: no CUDA runtime yet: vqclip runtime install cuda"
    vqclip runtime install cuda 2>&1 | tee "$log_dir/runtime-install.txt"
    runtime=$(cuda_dir "$(vqclip runtime status 2>&1)")
    [ -n "$runtime" ] || fail "(a) 'vqclip runtime install cuda' left no libtorch_cuda.so (see $log_dir)"
  fi
fi
if [ -n "$runtime" ]; then
  note "(a) CUDA runtime: $runtime"
  # DJL looks at PYTORCH_LIBRARY_PATH before the CPU build on the class path; cu128 is the flavour of the JNI
  # library pytorch-jni 2.7.1-0.36.0 ships for CUDA
  export PYTORCH_LIBRARY_PATH="$runtime" PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
fi
# cuBLAS and cuDNN: no TF32, so the GPU's float32 matches the CPU's (the app sets this itself; tests and this script
# set it here)
export NVIDIA_TF32_OVERRIDE="${NVIDIA_TF32_OVERRIDE:-0}"

# (b) + (d) the GPU tests, required to run
tests="VqganModelTest#decodesOnTheGpuLikeOnTheCpu,ClipModelTest#encodesOnAGpuLikeOnTheCpu,GpuStepParityTest"
mvn -B ${MVN_FLAGS:-} -q test-compile >"$log_dir/test-compile.txt" 2>&1 \
  || fail "(b) test-compile failed (see $log_dir/test-compile.txt)"
mvn -B ${MVN_FLAGS:-} surefire:test -Dtest="$tests" -Dvqclip.requireGpu=true -Dvqclip.skipIsaRuns=true \
  -Dsurefire.failIfNoSpecifiedTests=false >"$log_dir/gpu-tests.txt" 2>&1
tests_rc=$?
for cls in VqganModelTest ClipModelTest GpuStepParityTest; do
  xml=$(ls target/surefire-reports/TEST-*."$cls".xml 2>/dev/null | head -1)
  if [ -z "$xml" ]; then fail "(b) $cls: no report (see $log_dir/gpu-tests.txt)"; continue; fi
  counts=$(grep -o 'tests="[0-9]*"\|failures="[0-9]*"\|errors="[0-9]*"\|skipped="[0-9]*"' "$xml" | head -4 | tr '\n' ' ')
  if grep -q 'failures="0"' "$xml" && grep -q 'errors="0"' "$xml" && grep -q 'skipped="0"' "$xml"; then
    note "(b) $cls: passed ($counts)"
  else
    fail "(b) $cls: $counts(see $xml)"
  fi
done
[ $tests_rc -eq 0 ] || fail "(b) Maven reported a failure (see $log_dir/gpu-tests.txt)"
parity=$(grep -h "CPU losses\|gradient of z:" "$log_dir/gpu-tests.txt" target/surefire-reports/*GpuStepParityTest-output.txt 2>/dev/null)
[ -n "$parity" ] && note "(d) parity of one step, CPU vs GPU (tolerance: loss 1e-4 relative, gradient 1e-3 of max):
$parity"

# (c) the step at 512x512 with 32 cutouts on the GPU
vqclip bench step --random-weights --device gpu --size 512x512 --cutouts 32 --steps "${BENCH_STEPS:-5}" \
  >"$log_dir/bench-step-gpu.txt" 2>&1
bench_rc=$?
per_step=$(grep "seconds per step:" "$log_dir/bench-step-gpu.txt" | tail -1)
if [ $bench_rc -eq 0 ] && [ -n "$per_step" ]; then
  note "(c) bench step --device gpu, 512x512, 32 cutouts: $per_step; $(grep 'device' "$log_dir/bench-step-gpu.txt" | head -1)"
else
  fail "(c) bench step --device gpu failed: $(tail -3 "$log_dir/bench-step-gpu.txt" | tr '\n' ' ')"
fi

echo
echo "==== GPU check report ($(date -u +%Y-%m-%dT%H:%MZ), logs in $log_dir) ===="
printf '%s\n' "${report[@]}"
if [ $failed -eq 0 ]; then echo "RESULT: all parts passed"; else echo "RESULT: FAILED"; fi
exit $failed
