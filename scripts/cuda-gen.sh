#!/usr/bin/env bash
# cuda-gen.sh - compile every kernels/gpu/*.cu to PTX with nvcc 11.8 (the `go generate ./kernels/`
# step; kernels/gen.go calls it). With an argument, the PTX goes to that folder instead of
# kernels/gpu, which is how CI checks that the committed PTX is what the sources give:
#
#   bash scripts/cuda-gen.sh            # regenerate kernels/gpu/*.ptx in place
#   bash scripts/cuda-gen.sh DIR        # write DIR/<name>.ptx, touch nothing in the repo
#
# Flags (one line for every file, so the PTX of all kernels comes from the same command):
#   -ptx -arch=compute_80   virtual architecture 8.0: `.target sm_80`, `.version 7.8`, the
#                           newest PTX ISA CI's ptxas 11.8 accepts; the driver JITs it for
#                           sm_80..sm_90. TF32 mma.sync and cp.async need sm_80, no more.
#   -ccbin /usr/bin/g++ -allow-unsupported-compiler
#                           nvcc 11.8 wants g++ <= 11, Debian 12 has g++-12; for -ptx the host
#                           compiler only preprocesses (byte-identical PTX with g++-11,
#                           shared/notes/cuda-toolchain.md §3). Absolute, because nvcc puts its
#                           own bin/ (a g++ wrapper for g++-6..11) first on PATH.
#   -std=c++17 -Xcudafe --display_error_number
#                           if constexpr in the templates; numbered diagnostics.
#   --fmad=true             (nvcc's default, written down) a*b+c contracts to one FMA; the
#                           tests' tolerances allow for it (kernels/gpu/README.md).
# nvcc comes from scripts/cuda-nvcc-setup.sh (Debian 12 non-free, unpacked in the cache).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$here/kernels/gpu
out=${1:-$src}
mkdir -p "$out"
NVCC=${NVCC:-${CUDA_CACHE:-/var/cache/cuda-debs}/nvcc/usr/lib/nvidia-cuda-toolkit/bin/nvcc}
if [[ ! -x $NVCC ]]; then
  echo "cuda-gen: no nvcc at $NVCC; HINT: run bash scripts/cuda-nvcc-setup.sh first" >&2
  exit 1
fi
n=0
for f in "$src"/*.cu; do
  name=$(basename "$f" .cu)
  # Run in the source folder so that #include "common.cuh" and the PTX are path-independent.
  (cd "$src" && "$NVCC" -ccbin /usr/bin/g++ -allow-unsupported-compiler -std=c++17 \
     -Xcudafe --display_error_number --fmad=true -ptx -arch=compute_80 \
     -o "$out/$name.ptx" "$name.cu")
  n=$((n + 1))
done
echo "cuda-gen: $n modules -> $out"
