#!/usr/bin/env bash
# bench_peer.sh - this engine's CPU speed beside PyTorch's and OpenBLAS's, one run, one machine.
#
# Runs, one after the other (issue 6's comparison):
#   engine: go test ./nn/            -bench 'TrainStep|Forward'   model=paper, model=small   img/s
#           go test ./kernels/conv/  -bench Conv2D/backend=cpu    fwd, bwd_data, bwd_filter  GFLOP/s
#           go test ./kernels/sgemm/ -bench Sgemm/impl=PATH-tT    the conv GEMM shapes       GFLOP/s
#           go test ./kernels/sgemm/ -bench FMAPeak/path=PATH     the FMA peak of PATH, at the start
#                                                                 and at the end      GFLOP/s
#   peer:   scripts/bench_peer.py torch   the same encoder (gen.py's), step and eval forward,
#                                         conv2d at the same shapes (Debian's python3-torch)
#           scripts/bench_peer.py numpy   numpy.matmul = OpenBLAS sgemm at the same shapes
# and prints one table, what | unit | engine | peer | ratio (engine speed / peer speed, >1 means
# the engine is faster) | the fractions of the FMA peak, with the machine, its SIMD flags, the
# engine's SIMD path, the versions and the load average before and after.
#
# PATH is the SIMD path the engine runs (kernels/sgemm/path.go): the best the CPU has, or the
# one TWOSTAGE_SIMD=avx512|avx2|go caps it to (TWOSTAGE_SIMD=avx2 scripts/bench_peer.sh measures
# an AVX-512 machine as if it had AVX2 only).
#
#   scripts/bench_peer.sh              # full run (3 min 17 s on the idle 2-core AVX-512 machine)
#   QUICK=1 scripts/bench_peer.sh      # 1 timed paper step, 4 small, 3 conv shapes: minutes
#
# Environment (defaults in brackets; QUICK=1 changes the ones marked q):
#   REPS     timed training/forward steps, model=paper         [3, q 1]
#   SREPS    timed training/forward steps, model=small         [10, q 4]
#   KREPS    timed calls per conv pass and per sgemm shape     [10, q 4]
#   WARMUP   untimed calls before the peer's timed ones        [1]
#   THREADS  thread counts to compare, e.g. "2 1"              [2]
#   MODELS   encoder scales, among "paper small"               [paper small]
#   CONVS    conv shapes, names of kernels/conv/conv_test.go resnetConvs (batch 256)
#            [w64_c3_k64_h32 w64_c64_k64_h32 w64_c64_k128_h32_s2 w64_c128_k128_h16 w64_c256_k256_h8
#             w64_c512_k512_h4 w64_1x1_c64_k128_h32_s2 w16_c16_k16_h28;
#             q w64_c64_k64_h32 w64_c256_k256_h8 w16_c16_k16_h28]
#   KEEP     a directory to keep the raw outputs in            [none: a temporary one]
#   BLAS_CORETYPE  OpenBLAS kernel for the peer, or auto for its own choice
#            [its own choice unless that is a fallback below the CPU's SIMD, then the best one]
#
# Fairness. Both sides use T threads (GOMAXPROCS / -cpu T; torch.set_num_threads(T);
# OPENBLAS_NUM_THREADS=T). PyTorch runs with glibc's malloc told not to mmap or trim
# (GLIBC_TUNABLES below), its fastest setting here (issue 6). OpenBLAS runs its own choice of
# kernel for this CPU unless that is a generic fallback (see blas_core below). Every figure is
# a mean over timed calls with warm-up left out: the peer makes WARMUP untimed calls; the Go
# benchmarks (b.Loop times every iteration, the cold first one included) run twice, 1 and 1+R
# iterations, and the table takes the difference (bench_peer.py steady(), which falls back to
# the plain mean, marked *, when load noise makes the one-call run implausible).
# The machine may be shared: read the load average, and the ratios rather than absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PY=/usr/bin/python3 # Debian's python, where apt puts torch and numpy (not a pyenv one on PATH)

if [[ ${QUICK:-0} == 1 ]]; then
	REPS=${REPS:-1} SREPS=${SREPS:-4} KREPS=${KREPS:-4} CONVS=${CONVS:-"w64_c64_k64_h32 w64_c256_k256_h8 w16_c16_k16_h28"}
fi
REPS=${REPS:-3} SREPS=${SREPS:-10} KREPS=${KREPS:-10} WARMUP=${WARMUP:-1} THREADS=${THREADS:-2}
MODELS=${MODELS:-"paper small"}
CONVS=${CONVS:-"w64_c3_k64_h32 w64_c64_k64_h32 w64_c64_k128_h32_s2 w64_c128_k128_h16 w64_c256_k256_h8 w64_c512_k512_h4 w64_1x1_c64_k128_h32_s2 w16_c16_k16_h28"}
TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736

die() { echo "bench_peer: $*" >&2; exit 1; }
for v in REPS SREPS KREPS WARMUP; do [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 0 ]] || die "$v=${!v} is not a count"; done
((REPS >= 1 && SREPS >= 1 && KREPS >= 1)) || die "REPS, SREPS and KREPS must be at least 1"
for m in $MODELS; do [[ $m == paper || $m == small ]] || die "MODELS=$MODELS: paper and small only"; done
for t in $THREADS; do [[ $t =~ ^[12]$ ]] || die "THREADS=$THREADS: 1 and 2 only (BenchmarkSgemm has impl=PATH-t1 and -t2)"; done

# --- what it needs: Go, and Debian's torch and numpy (on OpenBLAS)
command -v go >/dev/null || export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || die "no go on PATH nor in /usr/local/go/bin (HINT: install Go 1.26)"
# numpy and torch load the BLAS of Debian's libblas.so.3 alternative: without libopenblas0-pthread
# that is the reference BLAS (2 GFLOP/s here, and torch's step 10x slower), no fair peer.
openblas() { "$PY" -c 'import numpy' 2>/dev/null && ldconfig -p | grep -q 'libopenblas.so.0'; }
if ! "$PY" -c 'import torch, numpy' 2>/dev/null || ! openblas; then
	sudo=""
	[[ $(id -u) == 0 ]] || sudo=sudo
	echo "bench_peer: installing python3-torch python3-numpy libopenblas0-pthread (Debian)" >&2
	$sudo apt-get update >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3-torch python3-numpy libopenblas0-pthread >/dev/null
	"$PY" -c 'import torch, numpy' || die "$PY still cannot import torch and numpy"
	openblas || die "no libopenblas.so.0 after installing libopenblas0-pthread"
fi

# OpenBLAS (DYNAMIC_ARCH) picks its kernel from the CPU's family and model. A model newer than
# the library falls back to a generic kernel: Debian's 0.3.21 runs an Emerald Rapids Xeon (model
# 207, AVX-512) on Prescott, its SSE3 kernel, at a quarter of its Cooperlake kernel's speed.
# Then the peer is told the best kernel the CPU's flags allow (OPENBLAS_CORETYPE, for numpy and
# for torch's GEMMs alike), and the header says so; BLAS_CORETYPE=name forces one, =auto none.
cpuflags=$(grep -m1 '^flags' /proc/cpuinfo)
hasflags() { local f; for f; do grep -q -w "$f" <<<"$cpuflags" || return 1; done; }
blas_core() { env -u OPENBLAS_CORETYPE "$PY" scripts/bench_peer.py blas-core; } # OpenBLAS's own choice
blas_own=$(blas_core 2>/dev/null || echo unknown)
blas_core=${BLAS_CORETYPE:-}
if [[ -z $blas_core ]]; then
	want=""
	if hasflags avx512f avx512bw avx512dq avx512vl; then
		want=SkylakeX
		hasflags avx512_bf16 && want=Cooperlake
		[[ $blas_own =~ ^(SkylakeX|Cooperlake|SapphireRapids)$ ]] && want=""
	elif hasflags avx2 fma; then
		want=Haswell
		[[ $blas_own =~ ^(Haswell|Zen|SkylakeX|Cooperlake|SapphireRapids)$ ]] && want=""
	fi
	blas_core=${want:-auto}
fi
blas_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
[[ $blas_core != auto ]] && blas_env+=(OPENBLAS_CORETYPE="$blas_core")
if [[ $blas_core == auto ]]; then
	blas_note="OpenBLAS kernel: $blas_own, its own choice for this CPU"
else
	blas_note="OpenBLAS kernel: $blas_core by OPENBLAS_CORETYPE (its own choice for this CPU: $blas_own)"
fi

tmp=${KEEP:-$(mktemp -d)}
mkdir -p "$tmp"
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
step() { echo "bench_peer: $(date +%T) load $(load): $*" >&2; }
load_before=$(load)

# --- the engine's benchmarks, built once
step "building the test binaries"
for p in nn kernels/conv kernels/sgemm; do
	go test -c -o "$tmp/$(basename "$p").test" "./$p/" || die "go test -c ./$p/ failed"
done
"$PY" scripts/bench_peer.py check >&2 # the embedded encoder still matches gen.py's
# The engine's SIMD path (TestPaths logs "path=… hardware=… paths=…").
paths=$("$tmp/sgemm.test" -test.run '^TestPaths$' -test.v | grep -o 'path=.*' | head -1) ||
	die "sgemm.test -test.run TestPaths failed (HINT: TWOSTAGE_SIMD must be avx512, avx2 or go)"
path=$(sed 's/^path=\([a-z0-9]*\).*/\1/' <<<"$paths")
[[ $path == go ]] && die "the engine runs its go path here (no AVX2/FMA or TWOSTAGE_SIMD=go): no FMA peak to compare with"
# peak T WHEN: the FMA peak of the path on T threads, best of 3 one-second runs.
peak() {
	"$tmp/sgemm.test" -test.run '^$' -test.bench "^BenchmarkFMAPeak\$/^path=$path\$" -test.benchtime 1s \
		-test.count 3 -test.cpu "$1" >"$tmp/peak-t$1-$2.txt" || die "BenchmarkFMAPeak failed"
}

convs=$(tr ' ' '|' <<<"$CONVS")
# gobench NAME PKGDIR BINARY PATTERN T: writes go-NAME-tT-{cold,warm}.txt (1 and 1+R iterations).
gobench() {
	local name=$1 dir=$2 bin=$3 pat=$4 t=$5 reps=$6 n
	for n in cold warm; do
		local it=1
		[[ $n == warm ]] && it=$((1 + reps))
		(cd "$dir" && "$tmp/$bin" -test.run '^$' -test.bench "$pat" -test.benchtime "${it}x" -test.cpu "$t") \
			>"$tmp/go-$name-t$t-$n.txt" || die "$bin -test.bench '$pat' failed: $(tail -5 "$tmp/go-$name-t$t-$n.txt")"
	done
}

for t in $THREADS; do
	step "FMA peak of the $path path, $t thread(s), start"
	peak "$t" start
	torch_models=""
	for m in $MODELS; do
		r=$REPS
		[[ $m == small ]] && r=$SREPS
		torch_models+="$m:$r,"
		step "engine, $t thread(s): TrainStep, Forward, model=$m"
		gobench "nn-$m" nn nn.test "^(BenchmarkTrainStep|BenchmarkForward)\$/^model=$m\$" "$t" "$r"
	done
	step "engine, $t thread(s): Conv2D ($CONVS)"
	gobench conv kernels/conv conv.test "^BenchmarkConv2D\$/^backend=cpu\$/^dir=/^shape=($convs)\$" "$t" "$KREPS"
	step "engine, $t thread(s): Sgemm"
	gobench sgemm kernels/sgemm sgemm.test "^BenchmarkSgemm\$/^impl=$path-t$t\$/" "$t" "$KREPS"

	step "PyTorch, $t thread(s): step, forward, conv2d"
	"${blas_env[@]}" GLIBC_TUNABLES=$TUNABLES OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$PY" scripts/bench_peer.py torch \
		--threads "$t" --kreps "$KREPS" --warmup "$WARMUP" \
		--models "$torch_models" --convs "$(tr ' ' ',' <<<"$CONVS")" >"$tmp/torch-t$t.txt"
	step "numpy/OpenBLAS, $t thread(s): sgemm"
	"${blas_env[@]}" OPENBLAS_NUM_THREADS="$t" \
		"$PY" scripts/bench_peer.py numpy --reps "$KREPS" --warmup "$WARMUP" >"$tmp/numpy-t$t.txt"
	step "FMA peak of the $path path, $t thread(s), end"
	peak "$t" end
done
load_after=$(load)

# --- the report
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
echo "machine:   $cpu, nproc $(nproc)"
echo "SIMD:      $(grep -o -w -e avx2 -e fma -e 'avx512[a-z_0-9]*' <<<"$cpuflags" | sort -u | tr '\n' ' ')"
echo "engine:    SIMD path $path ($(sed 's/^path=[a-z0-9]* //' <<<"$paths")), TWOSTAGE_SIMD=${TWOSTAGE_SIMD:-unset}"
echo "versions:  $(go version | cut -d' ' -f3-), $("$PY" --version)"
grep -h '^# ' "$tmp"/torch-t*.txt "$tmp"/numpy-t*.txt | sort -u | sed 's/^# /           /'
echo "           $blas_note"
echo "settings:  REPS=$REPS SREPS=$SREPS KREPS=$KREPS WARMUP=$WARMUP THREADS=\"$THREADS\" QUICK=${QUICK:-0}"
echo "load avg:  before $load_before, after $load_after (1, 5, 15 min)"
echo
"$PY" scripts/bench_peer.py table "$tmp" $THREADS
