#!/usr/bin/env bash
# bench_sgemm_peer.sh: GFLOP/s of sgemm.Sgemm against OpenBLAS (through
# numpy) on the conv shapes of BenchmarkSgemm, with their ratio, for 2
# threads and 1.
#
# Needs: go, and /usr/bin/python3 with numpy linked to OpenBLAS (Debian:
# apt-get install python3-numpy libopenblas0-pthread). OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are removed from OpenBLAS's environment so it picks its
# own kernel for this CPU. Usage, from anywhere:
#
#	kernels/sgemm/scripts/bench_sgemm_peer.sh [reps]   # reps: timed calls, default 3
#
# Both sides report the best of their timed calls (Go: -count=reps runs of
# -benchtime=1x). The machine is shared: run it when nothing else is busy,
# and read ratios rather than absolute numbers.
set -euo pipefail

reps=${1:-3}
dir=$(cd "$(dirname "$0")" && pwd)
pkg=$(cd "$dir/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in 2 1; do
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$t \
		"$py" "$dir/openblas_sgemm.py" "$reps" >"$tmp/openblas-t$t.txt"
done
(cd "$pkg" && go test -run '^$' -bench "BenchmarkSgemm/impl=avx2" \
	-benchtime=1x -count="$reps" .) >"$tmp/go.txt"

# Go lines: BenchmarkSgemm/impl=avx2-t2/shape=NN_64x16384x576-2  1  …  123.4 GFLOP/s
# Keep the best GFLOP/s per (threads, shape), then join with OpenBLAS.
awk -v dir="$tmp" '
FNR == 1 { file++ }
file <= 2 {
	split($1, sh, "="); split($2, g, "=")
	t = (FILENAME ~ /-t2/) ? 2 : 1
	ob[t, sh[2]] = g[2]
	next
}
/GFLOP\/s/ {
	match($1, /impl=avx2-t[0-9]+/); t = substr($1, RSTART + 11, RLENGTH - 11)
	match($1, /shape=[^-]+/); shape = substr($1, RSTART + 6, RLENGTH - 6)
	for (i = 1; i < NF; i++) if ($(i + 1) == "GFLOP/s") v = $i
	if (v > best[t, shape]) best[t, shape] = v
	if (!(shape in seen)) { seen[shape] = 1; order[++n] = shape }
}
END {
	printf "%-22s %9s %9s %6s   %9s %9s %6s\n", "shape", "go-t2", "oblas-t2", "ratio", "go-t1", "oblas-t1", "ratio"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-22s %9.1f %9.1f %6.2f   %9.1f %9.1f %6.2f\n", k,
			best[2, k], ob[2, k], best[2, k] / ob[2, k], best[1, k], ob[1, k], best[1, k] / ob[1, k]
	}
}' "$tmp/openblas-t2.txt" "$tmp/openblas-t1.txt" "$tmp/go.txt"
