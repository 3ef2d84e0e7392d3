#!/usr/bin/env bash
# cuda-ptx-check.sh - the GPU-less checks of the committed PTX (kernels/gpu/*.ptx), run by .ci/run:
#
#   1. ptxas (11.8, from cuda-ci-setup.sh) assembles every module for sm_80 and sm_90 with
#      --warn-on-spills --warning-as-error: a kernel that spills registers to local memory fails;
#   2. every kernel's registers and static shared memory (ptxas -v, the larger of the two
#      architectures) must be within its row of kernels/gpu/budget.txt (first matching glob);
#      a kernel without a row fails, so a new kernel gets a budget when it is added;
#   3. cuobjdump -sass of conv.ptx's sm_90 cubin: every tensor-core variant of the GEMM core
#      (conv_* and gemm_* but *_exact*) must contain HMMA.1688.F32.TF32 and LDGSTS (cp.async);
#      the exact FP32 variants LDGSTS and no HMMA.
#
# Prints one line per kernel: name, registers (sm_80/sm_90), shared memory, budget.
# Needs $PTXAS and $CUOBJDUMP (source /var/cache/cuda-debs/root/env.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${PTXAS:?source the env.sh of scripts/cuda-ci-setup.sh}" "${CUOBJDUMP:?source the env.sh of scripts/cuda-ci-setup.sh}"
# cuobjdump -sass runs nvdisasm, which cuda-ci-setup.sh puts beside it.
PATH=$(dirname "$CUOBJDUMP"):$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
budget=kernels/gpu/budget.txt
rc=0
n=0
mapfile -t files < <(git ls-files 'kernels/gpu/*.ptx')
if ((${#files[@]} == 0)); then
  echo "cuda-ptx-check: no git-tracked kernels/gpu/*.ptx (package kernels embeds them: commit them)"
  exit 1
fi
for f in "${files[@]}"; do
  m=$(basename "$f" .ptx)
  for a in sm_80 sm_90; do
    if ! "$PTXAS" -arch="$a" -v --warn-on-spills --warning-as-error -o "$tmp/$m.$a.cubin" "$f" 2>"$tmp/$m.$a.log"; then
      echo "FAIL ptxas -arch=$a $f:"
      grep -E "error|warning" "$tmp/$m.$a.log" | head -20
      rc=1
      continue
    fi
    n=$((n + 1))
    # "Compiling entry function 'k' for 'sm_90'" ... "Used R registers, S bytes smem, ..." -> "k R S"
    sed -nE "s/.*Compiling entry function '([A-Za-z0-9_]+)'.*/K \1/p; s/.*Used ([0-9]+) registers(, ([0-9]+) bytes smem)?.*/U \1 \3/p" \
      "$tmp/$m.$a.log" | while read -r tag x y; do
        if [[ $tag == K ]]; then k=$x; else echo "$k $a $x ${y:-0}"; fi
      done >>"$tmp/usage"
  done
done
echo "ptxas: $n assemblies (sm_80, sm_90), no spills allowed"

# 2. The budget: per kernel the maximum over both architectures.
printf '%-26s %7s %7s %7s   %s\n' kernel reg80 reg90 smem budget
while read -r k; do
  r80=$(awk -v k="$k" '$1 == k && $2 == "sm_80" {print $3}' "$tmp/usage")
  r90=$(awk -v k="$k" '$1 == k && $2 == "sm_90" {print $3}' "$tmp/usage")
  sm=$(awk -v k="$k" '$1 == k {if ($4 > s) s = $4} END {print s + 0}' "$tmp/usage")
  row=""
  while read -r glob breg bsmem _; do
    [[ -z $glob || $glob == \#* ]] && continue
    # shellcheck disable=SC2053
    if [[ $k == $glob ]]; then row="$breg $bsmem"; break; fi
  done <"$budget"
  if [[ -z $row ]]; then
    printf '%-26s %7s %7s %7s   FAIL: no row in %s\n' "$k" "$r80" "$r90" "$sm" "$budget"
    rc=1
    continue
  fi
  read -r breg bsmem <<<"$row"
  verdict="<= $breg regs, $bsmem B"
  if ((r80 > breg || r90 > breg || sm > bsmem)); then verdict="FAIL: over $breg regs / $bsmem B"; rc=1; fi
  printf '%-26s %7s %7s %7s   %s\n' "$k" "$r80" "$r90" "$sm" "$verdict"
done < <(awk '{print $1}' "$tmp/usage" | sort -u)

# 3. Tensor cores and cp.async in the GEMM core's SASS.
if [[ -f $tmp/conv.sm_90.cubin ]]; then
  kernels=$(awk '$1 ~ /^(conv|gemm)_/ {print $1}' "$tmp/usage" | sort -u)
  # One disassembly of the whole cubin, cut into a file per function.
  "$CUOBJDUMP" -sass "$tmp/conv.sm_90.cubin" >"$tmp/sass.all" 2>&1 || { echo "FAIL cuobjdump -sass conv.sm_90.cubin"; rc=1; }
  mkdir -p "$tmp/sass"
  awk -v d="$tmp/sass" '/Function : / {f = d "/" $3} f {print > f}' "$tmp/sass.all"
  sass=0
  for k in $kernels; do
    if [[ ! -f $tmp/sass/$k ]]; then echo "FAIL $k: not in the SASS"; rc=1; continue; fi
    hmma=$(grep -c 'HMMA.1688.F32.TF32' "$tmp/sass/$k")
    ldgsts=$(grep -c 'LDGSTS' "$tmp/sass/$k")
    if [[ $k == *exact* ]]; then
      if ((hmma != 0 || ldgsts == 0)); then echo "FAIL $k (FP32): $hmma HMMA, $ldgsts LDGSTS; want none and some"; rc=1; fi
    elif ((hmma == 0 || ldgsts == 0)); then
      echo "FAIL $k: $hmma HMMA.1688.F32.TF32, $ldgsts LDGSTS in its sm_90 SASS; want both"
      rc=1
    fi
    sass=$((sass + 1))
  done
  echo "cuobjdump: $sass GEMM-core kernels checked for HMMA.1688.F32.TF32 and LDGSTS"
else
  echo "FAIL: conv.ptx did not assemble for sm_90: no SASS to check"
  rc=1
fi
exit $rc
