package sgemm

// FMAPeakFlops is the work of one iteration of FMAPeak's loop: 24
// independent vector FMAs, 2 flops a lane.
func FMAPeakFlops(p Path) int {
	switch p.Resolve() {
	case AVX512:
		return 24 * 16 * 2
	case AVX2:
		return 24 * 8 * 2
	}
	return 0
}

// FMAPeak runs n iterations of a loop of FMAPeakFlops(p) flops in
// registers only, no loads or stores: timed on T goroutines, it measures
// the FMA peak of path p (YMM FMAs for avx2, ZMM for avx512) that the
// benchmarks' GFLOP/s are fractions of (bench_peer.sh). On the go path it
// does nothing.
func FMAPeak(p Path, n int) {
	switch p.Resolve() {
	case AVX512:
		fmaPeakAVX512(n)
	case AVX2:
		fmaPeakAVX2(n)
	}
}
