#!/usr/bin/env bash
# cuda-nvcc-setup.sh - optional: nvcc 11.8 (.cu -> .ptx) unpacked from the .debs that
# cuda-ci-setup.sh caches, for regenerating kernels/*.ptx (`go generate ./kernels/`).
# CI does not need it: the .ptx files are checked in and CI only assembles them with ptxas.
#
#   $CACHE/nvcc/usr/lib/nvidia-cuda-toolkit/bin/nvcc   the compiler (wrapper-free real binary)
#   $CACHE/nvcc/usr/include                            the whole CUDA include dir (cuda_runtime.h closure)
#
# Host compiler: nvcc 11.8 wants g++ <= 11; Debian 12 has g++-12, so kernels/gen.go passes
# `-ccbin /usr/bin/g++ -allow-unsupported-compiler` (the host compiler only preprocesses for
# -ptx; the PTX was byte-identical with g++-11, g++-12 and clang-14, see
# shared/notes/cuda-toolchain.md §3). The path must be absolute: nvcc puts its own bin/ first
# on PATH, and the bare name g++ there is a Debian wrapper that accepts only g++-6..11.
# About 40 s on a cold cache (decompressing nvidia-cuda-dev's include dir), 179 MB unpacked.
set -euo pipefail
CACHE=${CUDA_CACHE:-/var/cache/cuda-debs}
N=$CACHE/nvcc
if [[ ! -f $N/.complete-v1 ]]; then
  compgen -G "$CACHE/debs/nvidia-cuda-toolkit_*.deb" >/dev/null || bash "$(dirname "$0")/cuda-ci-setup.sh"
  rm -rf "$N" && mkdir -p "$N"
  dpkg-deb -x "$CACHE"/debs/nvidia-cuda-toolkit_*.deb "$N"
  dpkg-deb --fsys-tarfile "$CACHE"/debs/nvidia-cuda-dev_*.deb | tar -x -C "$N" --wildcards './usr/include/*'
  rm -f "$N/usr/lib/nvidia-cuda-toolkit/bin/nvcc.profile"   # was an absolute link to /etc/nvcc.profile
  cat > "$N/usr/lib/nvidia-cuda-toolkit/bin/nvcc.profile" <<'PROFILE'
TOP              = $(_HERE_)/../../..
NVVMIR_LIBRARY_DIR = $(TOP)/lib/nvidia-cuda-toolkit/libdevice
PATH            += $(_HERE_):$(TOP)/bin:
INCLUDES        += "-I$(TOP)/include" $(_SPACE_)
LIBRARIES        =+ $(_SPACE_) "-L$(TOP)/lib/x86_64-linux-gnu/stubs"
PROFILE
  touch "$N/.complete-v1"
fi
echo "nvcc: $N/usr/lib/nvidia-cuda-toolkit/bin/nvcc"
