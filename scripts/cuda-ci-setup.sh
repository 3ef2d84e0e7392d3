#!/usr/bin/env bash
# cuda-ci-setup.sh - get the CUDA 11.8 bits a GPU-less Debian 12 CI needs, without installing them:
#   $ROOT/include/cuda.h (+ nvrtc.h, cuBLAS headers)   for cgo (gorgonia.org/cu and its blas/nvrtc subpackages)
#   $ROOT/lib/libcuda.so, libcublas.so, libnvrtc.so   link stubs generated from those headers
#   $ROOT/bin/ptxas                                    to assemble/check PTX for sm_80/sm_90 (ptxas -v)
#   $ROOT/bin/cuobjdump, nvdisasm                      to read the SASS of the cubins (HMMA, LDGSTS)
#   $ROOT/env.sh                                       source it: sets CGO_CFLAGS, CGO_LDFLAGS, PTXAS, CUOBJDUMP
# Source: Debian 12 non-free nvidia-cuda-dev + nvidia-cuda-toolkit (.debs, downloaded with apt-get download).
# Everything lives under $CUDA_CACHE (default /var/cache/cuda-debs); a second run is a no-op.
set -euo pipefail
CACHE=${CUDA_CACHE:-/var/cache/cuda-debs}
ROOT=$CACHE/root
if [[ -f $ROOT/.complete-v3 ]]; then echo "cuda-ci-setup: cached in $ROOT"; exit 0; fi

# 1. A private apt view with non-free enabled, derived from the system's own Debian source (system apt state untouched).
mkdir -p "$CACHE/debs" "$CACHE/apt/sources" "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  sed -E 's/^Components:.*/Components: main contrib non-free non-free-firmware/' \
    /etc/apt/sources.list.d/debian.sources > "$CACHE/apt/sources/nonfree.sources"
else
  sed -E '/^deb /s/ main( .*)?$/ main contrib non-free non-free-firmware/' \
    /etc/apt/sources.list > "$CACHE/apt/sources/nonfree.list"
fi
APT=(-qq -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$CACHE/apt/sources"
     -o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache" -o APT::Sandbox::User=root)

# 2. Download the two .debs (~858 MB) unless already cached.
cd "$CACHE/debs"
need=()
for p in nvidia-cuda-dev nvidia-cuda-toolkit; do compgen -G "${p}_*.deb" >/dev/null || need+=("$p"); done
if ((${#need[@]})); then
  apt-get "${APT[@]}" update
  apt-get "${APT[@]}" download "${need[@]}"
fi

# 3. Extract only the needed members. They sit near the front of each archive, and tar --occurrence
#    stops reading once it has them, so the 2.8 GB data.tar.xz is never fully decompressed
#    (dpkg-deb then dies of SIGPIPE, which is expected and ignored).
tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
H=(cuda.h cudaProfiler.h nvrtc.h cublas_v2.h cublas_api.h driver_types.h cuComplex.h vector_types.h
   library_types.h cuda_fp16.h cuda_fp16.hpp cuda_bf16.h cuda_bf16.hpp crt/host_defines.h)
{ dpkg-deb --fsys-tarfile nvidia-cuda-dev_*.deb 2>/dev/null || true; } |
  tar -x -C "$tmp" --occurrence=1 "${H[@]/#/./usr/include/}"
{ dpkg-deb --fsys-tarfile nvidia-cuda-toolkit_*.deb 2>/dev/null || true; } |
  tar -x -C "$tmp" --occurrence=1 ./usr/bin/ptxas ./usr/bin/cuobjdump ./usr/bin/nvdisasm
mkdir -p "$tmp/root/lib" "$tmp/root/bin"
mv "$tmp/usr/include" "$tmp/root/include"
mv "$tmp/usr/bin/ptxas" "$tmp/usr/bin/cuobjdump" "$tmp/usr/bin/nvdisasm" "$tmp/root/bin/"

# 4. Link stubs: one dummy function per API entry point declared in the (preprocessed) headers,
#    so the _v2 names the macros select are the ones exported. At run time the real driver's
#    libcuda.so.1 is used; these are only for the linker (-lcuda, -lcublas, -lnvrtc).
gen_stub() { # soname output-file symbol-prefix-regex header...
  local so=$1 out=$2 re=$3; shift 3
  printf '#include <%s>\n' "$@" | gcc -E -P -I"$tmp/root/include" -x c - | tr '\n\t' '  ' |
    grep -oE "\b${re}[A-Za-z0-9_]* *\(" | sed -E 's/ *\($//' | sort -u |
    awk '{print "int " $1 "(void){return 34;}"}' > "$tmp/stub.c"   # 34 = CUDA_ERROR_STUB_LIBRARY
  gcc -shared -fPIC -w -Wl,-soname,"$so" -o "$out" "$tmp/stub.c"
}
gen_stub libcuda.so.1     "$tmp/root/lib/libcuda.so"   'cu[A-Z]'     cuda.h cudaProfiler.h
gen_stub libcublas.so.11  "$tmp/root/lib/libcublas.so" 'cublas[A-Z]' cublas_v2.h
gen_stub libnvrtc.so.11.2 "$tmp/root/lib/libnvrtc.so"  'nvrtc[A-Z]'  nvrtc.h

cat > "$tmp/root/env.sh" <<EOF
export CGO_CFLAGS="-I$ROOT/include"
export CGO_LDFLAGS="-L$ROOT/lib"
export PTXAS="$ROOT/bin/ptxas"
export CUOBJDUMP="$ROOT/bin/cuobjdump"
EOF
"$tmp/root/bin/ptxas" --version | tail -1
touch "$tmp/root/.complete-v3"
rm -rf "$ROOT" && mv "$tmp/root" "$ROOT"
[[ ${CUDA_KEEP_DEBS:-1} == 1 ]] || rm -f "$CACHE"/debs/*.deb
echo "cuda-ci-setup: ready; source $ROOT/env.sh"
