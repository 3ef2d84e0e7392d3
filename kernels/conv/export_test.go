package conv

import "twostage/kernels/sgemm"

// SetConvPath forces the conv paths for tests and benchmarks:
// mode "auto" (the shape heuristics), "winograd" (Winograd wherever it
// applies, ignoring its channel bound), "winorows" (the same with the
// row layout only, no interleaved lanes), "lanes" (the implicit GEMM on
// interleaved lanes everywhere, no Winograd), "always" (the padded-width grid
// wherever it applies, no Winograd) or "never" (im2col everywhere: no
// Winograd, no phase planes for strided convs). It
// returns a function restoring the previous modes.
func SetConvPath(mode string) (restore func()) {
	old, oldWino, oldPhase, oldLanes, oldConvLanes := convPadMode, winoMode, convPhaseOn, winoLanesOn, convLanesMode
	convPhaseOn = mode != "never"
	winoLanesOn = mode != "winorows"
	convLanesMode = padNever
	switch mode {
	case "lanes":
		convPadMode, winoMode, convLanesMode = padNever, padNever, padAlways
	case "auto":
		convPadMode, winoMode, convLanesMode = padAuto, padAuto, padAuto
	case "winograd", "winorows":
		convPadMode, winoMode = padAuto, padAlways
	case "always":
		convPadMode, winoMode = padAlways, padNever
	case "never":
		convPadMode, winoMode = padNever, padNever
	default:
		panic("conv: SetConvPath: unknown mode")
	}
	return func() {
		convPadMode, winoMode, convPhaseOn, winoLanesOn, convLanesMode = old, oldWino, oldPhase, oldLanes, oldConvLanes
	}
}

// Transpose8x8 exposes transpose8x8; simd is honoured only where the CPU
// has AVX2. With ep, the epilogue v + shift (+ res, aligned with dst,
// when not nil), then max(v, 0) with relu.
func Transpose8x8(simd bool, dst []float32, drow, dblk int, src []float32, srow, sblk, n int, add, ep bool, shift float32, res []float32, relu bool) {
	var e *rowEp
	if ep {
		e = &rowEp{shift: shift, res: res, relu: relu}
	}
	transpose8x8(simd && useAVX2, dst, drow, dblk, src, srow, sblk, n, add, e)
}

// AddRows16 exposes addRows16v on path p (resolved as Path.Resolve does).
func AddRows16(p sgemm.Path, dst []float32, ds int, src []float32, n int) {
	addRows16v(p.Resolve(), dst, ds, src, n)
}

// Transpose16x16 exposes transpose16x16 (arguments as Transpose8x8); it
// needs the avx512 path's hardware.
func Transpose16x16(dst []float32, drow, dblk int, src []float32, srow, sblk, n int, add, ep bool, shift float32, res []float32, relu bool) {
	var e *rowEp
	if ep {
		e = &rowEp{shift: shift, res: res, relu: relu}
	}
	transpose16x16(dst, drow, dblk, src, srow, sblk, n, add, e)
}

// HasAVX512 reports whether the avx512 path's assembly can run here.
func HasAVX512() bool { return useAVX512 }

// Interleave and Deinterleave expose interleave and deinterleave as path p
// runs them (16×16 transposes on avx512).
func Interleave(p sgemm.Path, dst, src []float32, stride, np, cnt int) {
	interleave(p.Resolve() == sgemm.AVX512 && useAVX512, dst, src, stride, np, cnt)
}

func Deinterleave(p sgemm.Path, dst []float32, stride int, src []float32, np, cnt int, add, ep bool, shift float32, res []float32, relu bool) {
	var e *rowEp
	if ep {
		e = &rowEp{shift: shift, res: res, relu: relu}
	}
	deinterleave(p.Resolve() == sgemm.AVX512 && useAVX512, dst, stride, src, np, cnt, add, e)
}

// DotNT exposes dotNT as path p runs it (dot38AVX512 blocks on avx512,
// dot34 on avx2, Go loops on go), honoured only where the CPU can.
func DotNT(p sgemm.Path, m []float32, ldm int, w []float32, ldw int, v []float32, ldv int, K, C, n int) {
	p = p.Resolve()
	dotNT(p >= sgemm.AVX2 && useAVX2, p == sgemm.AVX512 && useAVX512, m, ldm, w, ldw, v, ldv, K, C, n)
}

// SetLanesFilterPacked switches the lanes filter pass's packed gather
// (lanes_filter.go) on or off and returns a function restoring it.
func SetLanesFilterPacked(on bool) (restore func()) {
	old := lanesFilterPacked
	lanesFilterPacked = on
	return func() { lanesFilterPacked = old }
}

// StreamRows exposes streamRows.
func StreamRows(p sgemm.Path, dst, src []float32, srow, rows, w int) {
	streamRows(p, dst, src, srow, rows, w)
}

// Aligned64 exposes aligned64.
func Aligned64(x []float32) bool { return aligned64(x) }

// SetStreamMin sets the output size from which passes store with
// streamRows, for tests on small shapes; it returns a function restoring it.
func SetStreamMin(bytes int) (restore func()) {
	old := streamMin
	streamMin = bytes
	return func() { streamMin = old }
}
