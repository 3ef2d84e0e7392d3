package kernels

import (
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// Dispatch between the AVX2 loops of simd_amd64.s and their Go twins. Each
// wrapper runs the loop over the longest multiple of 8 and the twin over the
// n%8 tail, so a given length always takes the same path and gives the same
// bits. simd is false on the go path (NoSIMD, the reference in tests, or a
// CPU without AVX2/FMA). The paths and what each runs are tabled in
// kernels/sgemm/path.go; the avx512 path runs the twins of
// simd_avx512_amd64.s where there are some (the dispatch below), these
// AVX2 loops elsewhere, and its own GEMM micro-kernel.

// path is the SIMD path c runs on (resolved: go, avx2 or avx512).
func (c *CPU) path() sgemm.Path {
	if c.NoSIMD {
		return sgemm.Go
	}
	return c.Path.Resolve()
}

// RunPath returns the SIMD path c's kernels run on.
func (c *CPU) RunPath() sgemm.Path { return c.path() }

// simd reports whether c runs the AVX2 loops (the avx2 and avx512 paths).
func (c *CPU) simd() bool { return c.path() >= sgemm.AVX2 }

// zmm reports whether c runs the AVX-512 loops (the avx512 path).
func (c *CPU) zmm() bool { return c.path() == sgemm.AVX512 && useAVX512 }

// epiPath is the path of the evaluation conv's fused batch norm
// (convEpilogue): avx512 on that path, else avx2, whose loop runs wherever
// the processor has it, as the padded grid also takes the go path (not
// NoSIMD).
func (c *CPU) epiPath() sgemm.Path { return max(c.path(), sgemm.AVX2) }

// head returns the length the assembly loop takes: len rounded down to 8,
// or 0 without SIMD or without the assembly (a caller that asks for SIMD
// where there is none gets the Go twins).
func head(simd bool, n int) int {
	if !simd || !useAVX2 {
		return 0
	}
	return n &^ 7
}

// at is &x[i], or nil for a nil slice (an absent optional operand).
func at(x []float32, i int) *float32 {
	if x == nil {
		return nil
	}
	return &x[i]
}

// from is x[i:], or nil for a nil slice.
func from(x []float32, i int) []float32 {
	if x == nil {
		return nil
	}
	return x[i:]
}

// sum64v is sum64 (Σ x in float64).
func sum64v(simd bool, x []float32) float64 {
	n, s := head(simd, len(x)), 0.0
	if n > 0 {
		s = sum64Rows(&x[0], n, 1, 0)
	}
	return s + sum64(x[n:])
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
		return sum64(dy), dotDev64(dy, x, m)
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
		sdy, sdyc = sumDot64Rows(&dy[0], &x[0], at(y, 0), n, 1, 0, m)
	}
	s, d := sumDot64(dy[n:], from(x, n), from(y, n), m)
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

// affinev is affine: affineChannel's one row where the path has the
// assembly (the same bits as the AVX2 loop over the n&^7 head and the Go
// twin over the tail, or affineRowsAVX512 over all of it), else the Go twin.
func affinev(p sgemm.Path, y, x, r []float32, m, scale, shift float32, relu bool) {
	if len(y) == 0 || p < sgemm.AVX2 || !useAVX2 {
		affine(y, x, r, m, scale, shift, relu)
		return
	}
	affineChannel(p, y, x, r, len(y), 1, len(y), m, scale, shift, relu)
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

// bnGradv is bnGrad.
func bnGradv(simd bool, dx, dy, x, y, dr []float32, mdy, m, k, a float32, flags int) {
	n := 0
	if dx != nil {
		n = head(simd, len(dy))
	}
	if n > 0 {
		bnGradRows(&dx[0], &dy[0], &x[0], at(y, 0), at(dr, 0), n, 1, 0, mdy, m, k, a, flags)
	}
	bnGrad(from(dx, n), dy[n:], x[n:], from(y, n), from(dr, n), mdy, m, k, a, flags)
}

// reluv writes dst = max(x, 0): on the avx512 path all of it in
// assembly (the tail under a mask), else the AVX2 loop over the head and
// the Go twin over the tail (the same bits either way).
func reluv(p sgemm.Path, dst, x []float32) {
	if p == sgemm.AVX512 && useAVX512 && len(dst) > 0 {
		_ = x[len(dst)-1]
		reluAVX512(&dst[0], &x[0], len(dst))
		return
	}
	n := head(p >= sgemm.AVX2, len(dst))
	if n > 0 {
		reluAVX2(&dst[0], &x[0], n)
	}
	Unary(tensor.ReLU, dst[n:], x[n:])
}

// reluGradAccv adds dst += y > 0 ? dy : 0, dispatched as reluv.
func reluGradAccv(p sgemm.Path, dst, dy, y []float32) {
	if p == sgemm.AVX512 && useAVX512 && len(dst) > 0 {
		_, _ = dy[len(dst)-1], y[len(dst)-1]
		reluGradAccAVX512(&dst[0], &dy[0], &y[0], len(dst))
		return
	}
	n := head(p >= sgemm.AVX2, len(dst))
	if n > 0 {
		reluGradAccAVX2(&dst[0], &dy[0], &y[0], n)
	}
	Binary(tensor.ReLUGradAcc, dst[n:], dy[n:], y[n:])
}

// tr8's flags.
const (
	tr8Add   = 1 << iota // add to dst
	tr8Shift             // the epilogue: v + shift (+ res)
	tr8ReLU              // then max(v, 0)
	tr8Res               // with tr8Shift: + res at dst's offsets
)

// rowEp is an epilogue on stored values, a conv's bias (a folded batch
// norm's shift), residual and ReLU, in affine's order:
//
//	v = v + shift;  v += res[i] (res not nil, aligned with dst);  v = max(v, 0) (relu).
type rowEp struct {
	shift float32
	res   []float32
	relu  bool
}

// from is e for values stored from dst index off on: res cut at off (nil
// when e is nil).
func (e *rowEp) from(off int) *rowEp {
	if e == nil {
		return nil
	}
	f := *e
	if f.res != nil {
		f.res = f.res[off:]
	}
	return &f
}

// apply returns the epilogue of v stored at dst index i.
func (e *rowEp) apply(v float32, i int) float32 {
	v += e.shift
	if e.res != nil {
		v += e.res[i]
	}
	if e.relu {
		v = max(v, 0)
	}
	return v
}

// trFlags returns tr8's flags, shift and res for add and ep.
func trFlags(add bool, ep *rowEp) (flags int, shift float32, res *float32) {
	if add {
		flags |= tr8Add
	}
	if ep != nil {
		flags |= tr8Shift
		shift = ep.shift
		if ep.relu {
			flags |= tr8ReLU
		}
		if ep.res != nil {
			flags |= tr8Res
			res = &ep.res[0]
		}
	}
	return flags, shift, res
}

// checkTr panics unless n b×b blocks lie inside dst, src and ep.res.
func checkTr(b int, dst []float32, drow, dblk int, src []float32, srow, sblk, n int, ep *rowEp) {
	last := (n-1)*dblk + (b-1)*drow + b - 1
	_ = dst[last] // the last row of the last block lies inside
	_ = src[(n-1)*sblk+(b-1)*srow+b-1]
	if ep != nil && ep.res != nil {
		_ = ep.res[last]
	}
}

// transpose8x8 is tr8 over n 8×8 blocks with its index bounds checked:
//
//	dst[q·dblk + r·drow + c] (=, += with add) src[q·sblk + c·srow + r],  q < n, r, c < 8,
//
// then ep's epilogue (nil for none), the Go loop standing in without SIMD.
// Strides are non-negative.
func transpose8x8(simd bool, dst []float32, drow, dblk int, src []float32, srow, sblk, n int, add bool, ep *rowEp) {
	if n <= 0 {
		return
	}
	checkTr(8, dst, drow, dblk, src, srow, sblk, n, ep)
	if simd && useAVX2 {
		flags, shift, res := trFlags(add, ep)
		tr8(&dst[0], drow, dblk, &src[0], srow, sblk, n, flags, shift, res)
		return
	}
	for q := 0; q < n; q++ {
		for r := 0; r < 8; r++ {
			o := q*dblk + r*drow
			d := dst[o:][:8]
			for c := range d {
				v := src[q*sblk+c*srow+r]
				if add {
					v += d[c]
				}
				if ep != nil {
					v = ep.apply(v, o+c)
				}
				d[c] = v
			}
		}
	}
}

// transpose16x16 is transpose8x8 on n 16×16 blocks (r, c < 16), in one
// pass of tr16 where transpose8x8 would take four blocks in two: only on
// the avx512 path (callers check useAVX512).
func transpose16x16(dst []float32, drow, dblk int, src []float32, srow, sblk, n int, add bool, ep *rowEp) {
	if n <= 0 {
		return
	}
	checkTr(16, dst, drow, dblk, src, srow, sblk, n, ep)
	flags, shift, res := trFlags(add, ep)
	tr16(&dst[0], drow, dblk, &src[0], srow, sblk, n, flags, shift, res)
}

// addRows16v is addRows16 with its bounds checked, the Go loop standing in
// without SIMD: dst[i·ds + j] += src[i·16 + j] for i < n, j < 16 (the same
// sum in each, but of two NaNs the assembly keeps src's payload and the Go
// loop dst's), on the avx512 path its ZMM twin.
func addRows16v(p sgemm.Path, dst []float32, ds int, src []float32, n int) {
	if n <= 0 {
		return
	}
	_ = dst[(n-1)*ds+15]
	_ = src[n*16-1]
	switch {
	case p == sgemm.AVX512 && useAVX512:
		addRows16AVX512(&dst[0], ds, &src[0], n)
		return
	case p >= sgemm.AVX2 && useAVX2:
		addRows16(&dst[0], ds, &src[0], n)
		return
	}
	for i := 0; i < n; i++ {
		d, s := dst[i*ds:][:16], src[i*16:][:16]
		for j := range d {
			d[j] += s[j]
		}
	}
}

// dotNT adds the K×C products of the rows of w and v over n elements into m:
//
//	m[k·ldm + c] += Σ_{t<n} w[k·ldw + t]·v[c·ldv + t],
//
// a GEMM M += W·Vᵀ whose operands both lie along the summed dimension, so
// nothing is packed: 3×4 blocks (dot34) sum n&^7 elements in 8 lanes, and
// the rest (rows past a multiple of 3, columns past one of 4, the n%8
// tail) is summed by Go loops, in a fixed order.
func dotNT(simd bool, m []float32, ldm int, w []float32, ldw int, v []float32, ldv int, K, C, n int) {
	if K == 0 || C == 0 || n == 0 {
		return
	}
	_ = m[(K-1)*ldm+C-1]
	_ = w[(K-1)*ldw+n-1]
	_ = v[(C-1)*ldv+n-1]
	n8 := head(simd, n)
	k3, c4 := K/3*3, C/4*4
	if n8 > 0 {
		for k := 0; k < k3; k += 3 {
			for c := 0; c < c4; c += 4 {
				dot34(&m[k*ldm+c], ldm, &w[k*ldw], ldw, &v[c*ldv], ldv, n8)
			}
		}
	}
	if k3 == K && c4 == C && n8 == n {
		return // no remainder
	}
	for k := 0; k < K; k++ {
		wr := w[k*ldw:][:n]
		for c := 0; c < C; c++ {
			t0 := 0 // elements already summed by dot34
			if k < k3 && c < c4 {
				t0 = n8
			}
			if t0 == n {
				continue
			}
			vr := v[c*ldv:][:n]
			var s float32
			for t := t0; t < n; t++ {
				s += wr[t] * vr[t]
			}
			m[k*ldm+c] += s
		}
	}
}
