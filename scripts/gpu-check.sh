#!/usr/bin/env bash
# gpu-check.sh - everything issue 12 checks on a GPU, in one prepared go (at most 6 minutes).
#
#   bash scripts/gpu-check.sh build      on the CPU machine (Go, the CUDA 11.8 headers): builds
#                                        the -tags cuda test binaries into gpu-bin/ (git-ignored)
#   bash scripts/gpu-check.sh run [DIR]  on the GPU machine (no Go; driver, CUDA 13, PyTorch with
#                                        cuDNN, CuPy): runs them and the PyTorch peer, writes every
#                                        log to DIR (default $OUT/gpu-check, else gpu-check.out) and
#                                        prints one table of ratios
#
# The run, each step with its own time limit so that one hang cannot eat the budget:
#   1. environment: nvidia-smi, driver, uname, where libcuda.so.1 is, the Go binaries load;
#   2. conformance: the cuda package's tests (cuda/conformance_test.go: every op against the CPU
#      backend in tiers, outputs NaN-filled, TF32 and FP32 modes); the kernels test suite over
#      the CUDA backend once backends() lists it (kernels/internal/ktest/backends_cuda.go), again in the
#      exact FP32 mode (TWOSTAGE_CUDA_FP32=1); the goldens through the CUDA backend
#      (GOLDEN_BACKEND=cuda) when ../shared/golden/cases is there;
#   3. compute-sanitizer memcheck on the cuda package's tests, where it works (it fails on the
#      4.4.0 container runtime: checked first);
#   4. benchmarks: each conv pass at the encoder's shapes, the paper encoder's training step and
#      forward at batch 256 (cuda/step_test.go);
#      and the data loader's augmented pairs/s on this machine's cores (data's BenchmarkLoader),
#      which the table sets against the step's img/s;
#   5. the eager PyTorch peer on the same GPU (scripts/gpu_peer.py torch: TF32 convs, and
#      bf16 autocast + channels_last as extra rows);
#   6. if the Go binaries did not load: the committed PTX through CuPy against torch (gpu_peer.py cupy);
#   7. the table (gpu_peer.py table). Copy it, with the card and driver, into
#      kernels/gpu/RUNS.md (the record of every GPU run).
# The step limits add up to 360 s (45+50+25+25+10+15+20+20+25+45+20+60, the first Open JIT-compiles the
# PTX: about 10 s for conv.ptx, cached after); the expected total is 2-4 minutes.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=gpu-bin

build() {
  export PATH=/usr/local/go/bin:$PATH
  bash scripts/cuda-ci-setup.sh >/dev/null || return 1
  # shellcheck source=/dev/null
  . "${CUDA_CACHE:-/var/cache/cuda-debs}/root/env.sh"
  mkdir -p "$bin"
  local p rc=0
  # One binary a package; the kernel families' folders (kernels/conv, kernels/batchnorm) hold
  # their share of the shared kernel tests: kernels-conv.test, kernels-batchnorm.test.
  for p in cuda kernels kernels/conv kernels/batchnorm golden data; do
    echo "go test -tags cuda -c -ldflags='-s -w' -o $bin/${p//\//-}.test ./$p/"
    go test -tags cuda -c -ldflags='-s -w' -o "$bin/${p//\//-}.test" "./$p/" || rc=1
  done
  # The kernels suite runs over the GPU only once backends() lists cudaBackends()
  # (kernels/internal/ktest/backends_cuda.go); without that hook it would time the CPU.
  rm -f "$bin/KERNELS_CUDA"
  if grep -q 'cudaBackends()' kernels/internal/ktest/backends.go; then touch "$bin/KERNELS_CUDA"; fi
  git rev-parse HEAD >"$bin/COMMIT"
  git status --short -- cuda kernels >"$bin/DIRTY"
  ls -la "$bin"
  return $rc
}

# lim SECONDS LOG CMD...: run CMD with a time limit, output to LOG and (tail) to the terminal.
lim() {
  local t=$1 log=$2
  shift 2
  echo "==> $* (limit ${t}s, log $log)"
  timeout -k 5 "$t" "$@" >"$log" 2>&1
  local rc=$?
  tail -n 15 "$log"
  echo "<== exit $rc"
  return $rc
}

run() {
  local out=${1:-${OUT:+$OUT/gpu-check}}
  out=${out:-gpu-check.out}
  mkdir -p "$out"
  local t0=$SECONDS
  local py=python3
  [[ -x /opt/torch/.venv/bin/python3 ]] && py=/opt/torch/.venv/bin/python3
  # libcuda.so.1 may sit outside the loader's path on the GPU machine.
  if ! ldconfig -p 2>/dev/null | grep -q libcuda.so.1 && [[ -e /usr/local/nvidia/lib64/libcuda.so.1 ]]; then
    export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  {
    echo "commit $(cat $bin/COMMIT 2>/dev/null) (uncommitted changes in cuda/ kernels/: $(wc -l <$bin/DIRTY 2>/dev/null))"
    date -u
    uname -a
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
    nvidia-smi 2>&1 | head -15
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    "$py" -c 'import torch, cupy; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "cupy", cupy.__version__)' 2>&1
  } | tee "$out/env.txt"

  # 1. Do the Go binaries load and find the device?
  local goOK=0
  if [[ -x $bin/cuda.test ]] && lim 45 "$out/smoke.txt" "$bin/cuda.test" -test.run '^TestUploadDownload$' -test.v &&
    grep -q -- '--- PASS: TestUploadDownload' "$out/smoke.txt"; then # a skip (no device) is no pass
    goOK=1
  else
    echo "Go binaries do not run here: CuPy fallback only"
  fi

  if ((goOK)); then
    # 2. Conformance, TF32 then FP32; the cuda package's tests.
    lim 50 "$out/cuda-tests.txt" "$bin/cuda.test" -test.count=1 -test.v -test.run 'Test'
    if [[ -f $bin/KERNELS_CUDA ]]; then
      lim 25 "$out/conformance-tf32.txt" "$bin/kernels.test" -test.count=1
      lim 25 "$out/conformance-tf32-conv.txt" "$bin/kernels-conv.test" -test.count=1
      lim 10 "$out/conformance-tf32-batchnorm.txt" "$bin/kernels-batchnorm.test" -test.count=1
      TWOSTAGE_CUDA_FP32=1 lim 15 "$out/conformance-fp32.txt" "$bin/kernels.test" -test.count=1 \
        -test.run 'Gemm|Dense'
      TWOSTAGE_CUDA_FP32=1 lim 20 "$out/conformance-fp32-conv.txt" "$bin/kernels-conv.test" -test.count=1 \
        -test.run 'Conv2D'
    else
      echo "kernels suite not over CUDA: backends() in kernels/internal/ktest/backends.go lacks cudaBackends()" |
        tee "$out/conformance-tf32.txt"
    fi
    local cases=""
    for d in ../shared/golden/cases shared/golden/cases; do [[ -d $d ]] && cases=$(cd "$d" && pwd) && break; done
    if [[ -x $bin/golden.test && -n $cases ]]; then
      GOLDEN_DIR=$cases GOLDEN_BACKEND=cuda TWOSTAGE_CUDA_FP32=1 lim 20 "$out/golden.txt" \
        "$bin/golden.test" -test.run Golden -test.v
    fi
    # 3. compute-sanitizer memcheck where it works.
    if [[ $(uname -r) != 4.4.0* ]] && command -v compute-sanitizer >/dev/null; then
      lim 25 "$out/memcheck.txt" compute-sanitizer --tool memcheck --leak-check no --error-exitcode 9 \
        "$bin/cuda.test" -test.run 'TestFill|TestAxpy|TestScale|TestUploadDownload'
    else
      echo "compute-sanitizer: not run ($(uname -r), $(command -v compute-sanitizer || echo absent))" | tee "$out/memcheck.txt"
    fi
    # 4. Benchmarks: conv passes, then the step and the forward.
    lim 45 "$out/go-bench.txt" "$bin/cuda.test" -test.run '^$' \
      -test.bench 'GPUConv|GPUTrainStep|GPUForward' -test.benchtime 20x
  fi
  # The loader on this machine's cores (pairs/s), against the step's demand (img/s).
  [[ -x $bin/data.test ]] && lim 20 "$out/loader.txt" "$bin/data.test" -test.run '^$' -test.bench '^BenchmarkLoader$' \
    -test.benchtime 2s && cat "$out/loader.txt" >>"$out/go-bench.txt"
  # 5. The PyTorch peer; 6. CuPy fallback.
  lim 60 "$out/peer.txt" "$py" scripts/gpu_peer.py torch
  if ((!goOK)); then
    lim 60 "$out/cupy.txt" "$py" scripts/gpu_peer.py cupy
    cat "$out/cupy.txt" >>"$out/peer.txt"
  fi
  # 7. The table.
  echo
  echo "== ratios (ours / eager PyTorch on the same GPU; conv goal 0.7x cuDNN, step and forward 1.0x)"
  "$py" scripts/gpu_peer.py table "$out" | tee "$out/table.txt"
  echo "gpu-check: $((SECONDS - t0)) s; logs in $out"
}

case ${1:-} in
build) build ;;
run) shift; run "$@" ;;
*) sed -n '2,9p' "$0"; exit 2 ;;
esac
