package batchnorm

import (
	"twostage/kernels/internal/host"
	"twostage/kernels/sgemm"
)

// Dispatch between the AVX2 loops of simd_amd64.s and their Go twins. Each
// wrapper runs the loop over the longest multiple of 8 and the twin over the
// n%8 tail, so a given length always takes the same path and gives the same
// bits. simd is false on the go path (the NoSIMD reference in tests, or a
// CPU without AVX2/FMA); the avx512 path runs affineRowsAVX512 for the
// affine map and these AVX2 loops for the rest.

// head returns the length the assembly loop takes: len rounded down to 8,
// or 0 without SIMD or without the assembly (a caller that asks for SIMD
// where there is none gets the Go twins).
func head(simd bool, n int) int {
	if !simd || !useAVX2 {
		return 0
	}
	return n &^ 7
}

// sub is t[lo:hi], or nil for a nil t (an absent optional operand).
func sub(t []float32, lo, hi int) []float32 {
	if t == nil {
		return nil
	}
	return t[lo:hi]
}

// flag is 1 for true, the assembly's boolean.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Sum64 returns Σ v accumulated in float64 (four interleaved partial sums,
// added in a fixed order).
func Sum64(v []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		a0 += float64(v[i])
		a1 += float64(v[i+1])
		a2 += float64(v[i+2])
		a3 += float64(v[i+3])
	}
	for ; i < len(v); i++ {
		a0 += float64(v[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// sqDev64 returns Σ (v − m)² accumulated in float64 (four interleaved
// partial sums, so the adds do not wait on each other).
func sqDev64(v []float32, m float64) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		d0, d1 := float64(v[i])-m, float64(v[i+1])-m
		d2, d3 := float64(v[i+2])-m, float64(v[i+3])-m
		a0 += d0 * d0
		a1 += d1 * d1
		a2 += d2 * d2
		a3 += d3 * d3
	}
	for ; i < len(v); i++ {
		d := float64(v[i]) - m
		a0 += d * d
	}
	return (a0 + a1) + (a2 + a3)
}

// dotDev64 returns Σ dy·(x − m) accumulated in float64; len(x) ≥ len(dy).
func dotDev64(dy, x []float32, m float64) float64 {
	x = x[:len(dy)]
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(dy); i += 4 {
		a0 += float64(dy[i]) * (float64(x[i]) - m)
		a1 += float64(dy[i+1]) * (float64(x[i+1]) - m)
		a2 += float64(dy[i+2]) * (float64(x[i+2]) - m)
		a3 += float64(dy[i+3]) * (float64(x[i+3]) - m)
	}
	for ; i < len(dy); i++ {
		a0 += float64(dy[i]) * (float64(x[i]) - m)
	}
	return (a0 + a1) + (a2 + a3)
}

// sum64v is Sum64 (Σ x in float64).
func sum64v(simd bool, x []float32) float64 {
	n, s := head(simd, len(x)), 0.0
	if n > 0 {
		s = sum64Rows(&x[0], n, 1, 0)
	}
	return s + Sum64(x[n:])
}

// sqDev64v is sqDev64 (Σ (x − m)² in float64).
func sqDev64v(simd bool, x []float32, m float64) float64 {
	n, s := head(simd, len(x)), 0.0
	if n > 0 {
		s = sqDev64Rows(&x[0], n, 1, 0, m)
	}
	return s + sqDev64(x[n:], m)
}

// sumDot64 returns Σ g and Σ g·(x − m) in float64 with g = dy, or with a
// gate y (non-nil), g = y > 0 ? dy : 0; x and y are at least as long as dy.
func sumDot64(dy, x, y []float32, m float64) (sdy, sdyc float64) {
	if y == nil {
		return Sum64(dy), dotDev64(dy, x, m)
	}
	x, y = x[:len(dy)], y[:len(dy)]
	for i, g := range dy {
		if y[i] > 0 {
			sdy += float64(g)
			sdyc += float64(g) * (float64(x[i]) - m)
		}
	}
	return sdy, sdyc
}

// sumDot64v is sumDot64.
func sumDot64v(simd bool, dy, x, y []float32, m float64) (sdy, sdyc float64) {
	n := head(simd, len(dy))
	if n > 0 {
		sdy, sdyc = sumDot64Rows(&dy[0], &x[0], host.At(y, 0), n, 1, 0, m)
	}
	s, d := sumDot64(dy[n:], host.From(x, n), host.From(y, n), m)
	return sdy + s, sdyc + d
}

// affine writes y = (x − m)·scale + shift, plus r when r is non-nil, then
// max(·, 0) when relu is set (torch.relu's NaN and −0 behaviour).
func affine(y, x, r []float32, m, scale, shift float32, relu bool) {
	x = x[:len(y)]
	if r != nil {
		r = r[:len(y)]
	}
	for i, v := range x {
		t := (v-m)*scale + shift
		if r != nil {
			t += r[i]
		}
		if relu {
			t = max(t, 0)
		}
		y[i] = t
	}
}

// Affine is affine on path p: affineChannel's one row where the path has the
// assembly (the same bits as the AVX2 loop over the n&^7 head and the Go
// twin over the tail, or affineRowsAVX512 over all of it), else the Go twin.
func Affine(p sgemm.Path, y, x, r []float32, m, scale, shift float32, relu bool) {
	if len(y) == 0 || p < sgemm.AVX2 || !useAVX2 {
		affine(y, x, r, m, scale, shift, relu)
		return
	}
	affineChannel(p, y, x, r, len(y), 1, len(y), m, scale, shift, relu)
}

// affineChannel is affine over rows rows of n floats, stride apart (one
// channel of [N, C, HW]), on SIMD path p (avx2 or avx512): on avx512 in
// one call (affineRowsAVX512), else affineRows over the rows' n&^7 heads
// and the Go twin over their tails, the same bits either way.
func affineChannel(p sgemm.Path, ys, xs, rs []float32, n, rows, stride int, m, scale, shift float32, relu bool) {
	last := (rows-1)*stride + n - 1
	_, _ = ys[last], xs[last]
	if rs != nil {
		_ = rs[last]
	}
	if p == sgemm.AVX512 && useAVX512 {
		affineRowsAVX512(&ys[0], &xs[0], host.At(rs, 0), n, rows, stride, m, scale, shift, flag(relu))
		return
	}
	h := n &^ 7
	if h > 0 {
		affineRows(&ys[0], &xs[0], host.At(rs, 0), h, rows, stride, m, scale, shift, flag(relu))
	}
	if h < n {
		for r := 0; r < rows; r++ {
			lo, hi := r*stride+h, r*stride+n
			affine(ys[lo:hi], xs[lo:hi], sub(rs, lo, hi), m, scale, shift, relu)
		}
	}
}

// bnGrad's (and bnGradRows's) flags.
const (
	bnCentre = 1 << iota // training statistics: the centred form of dx
	bnSetDX              // dx starts from +0 instead of its old contents (=)
	bnSetDR              // dr starts from +0 instead of its old contents (=)
)

// bnGrad is batch norm's per-element backward with g = dy, gated by y > 0
// when y is non-nil:
//
//	dr += g                                 (dr non-nil)
//	dx += (g − mdy − (x − m)·k)·a           (flags&bnCentre: training statistics)
//	dx += g·a                               (otherwise: constant statistics)
//
// dx may be nil (only dr is written). Under bnSetDX (bnSetDR) dx (dr) is
// written: the sum starts from +0 instead of the old value, which gives
// the bits of += into a zeroed buffer (−0 + 0 is +0 there too).
func bnGrad(dx, dy, x, y, dr []float32, mdy, m, k, a float32, flags int) {
	centre, setDX, setDR := flags&bnCentre != 0, flags&bnSetDX != 0, flags&bnSetDR != 0
	for i, g := range dy {
		if y != nil && !(y[i] > 0) {
			g = 0
		}
		if dr != nil {
			d := float32(0)
			if !setDR {
				d = dr[i]
			}
			dr[i] = d + g
		}
		if dx == nil {
			continue
		}
		d := float32(0)
		if !setDX {
			d = dx[i]
		}
		if centre {
			dx[i] = d + (g-mdy-(x[i]-m)*k)*a
		} else {
			dx[i] = d + g*a
		}
	}
}

// bnGradv is bnGrad on path p: on avx512 all of it in one call
// (bnGradRowsAVX512, dx not nil), else bnGradRows over the n&^7 head and the
// Go twin over the tail, the same bits either way.
func bnGradv(p sgemm.Path, dx, dy, x, y, dr []float32, mdy, m, k, a float32, flags int) {
	if p == sgemm.AVX512 && useAVX512 && dx != nil && len(dy) > 0 {
		last := len(dy) - 1
		_, _ = dx[last], x[last]
		if y != nil {
			_ = y[last]
		}
		if dr != nil {
			_ = dr[last]
		}
		bnGradRowsAVX512(&dx[0], &dy[0], &x[0], host.At(y, 0), host.At(dr, 0), len(dy), 1, 0, mdy, m, k, a, flags)
		return
	}
	n := 0
	if dx != nil {
		n = head(p >= sgemm.AVX2, len(dy))
	}
	if n > 0 {
		bnGradRows(&dx[0], &dy[0], &x[0], host.At(y, 0), host.At(dr, 0), n, 1, 0, mdy, m, k, a, flags)
	}
	bnGrad(host.From(dx, n), dy[n:], x[n:], host.From(y, n), host.From(dr, n), mdy, m, k, a, flags)
}
