package conv

import (
	"unsafe"

	"twostage/kernels/sgemm"
)

// The convolutions' SIMD helpers: the 8×8 and 16×16 transposes of the
// lane-interleaved layout with their fused epilogue, col2im's row adds and
// the small filter gradients' dot products, each dispatching between its
// assembly (simd_amd64.s, simd_avx512_amd64.s) and its Go twin.

// zmm reports whether c runs the AVX-512 loops (the avx512 path).
func (c *Engine) zmm() bool { return c.Path == sgemm.AVX512 && useAVX512 }

// epiPath is the path of the evaluation conv's fused batch norm
// (convEpilogue): avx512 on that path, else avx2, whose loop runs wherever
// the processor has it, as the padded grid also takes the go path (not
// NoSIMD).
func (c *Engine) epiPath() sgemm.Path { return max(c.Path, sgemm.AVX2) }

// head returns the length the assembly loop takes: len rounded down to 8,
// or 0 without SIMD or without the assembly (a caller that asks for SIMD
// where there is none gets the Go twins).
func head(simd bool, n int) int {
	if !simd || !useAVX2 {
		return 0
	}
	return n &^ 7
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
// nothing is packed: 3×4 blocks (dot34) sum n&^7 elements in 8 lanes (with
// zmm, the avx512 path, two blocks side by side in dot38AVX512: the same
// bits), and the rest (rows past a multiple of 3, columns past one of 4, the n%8
// tail) is summed by Go loops, in a fixed order.
func dotNT(simd, zmm bool, m []float32, ldm int, w []float32, ldw int, v []float32, ldv int, K, C, n int) {
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
			c := 0
			if zmm {
				for ; c+8 <= c4; c += 8 {
					dot38AVX512(&m[k*ldm+c], ldm, &w[k*ldw], ldw, &v[c*ldv], ldv, n8)
				}
			}
			for ; c < c4; c += 4 {
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

// streamMin is the fewest bytes of output a pass must write before
// streamRows is used to store it: well past the last-level cache (32 MB a
// Zen 5 CCD, shared), where the next pass reads it from memory anyway and
// a plain store's read of each line first only costs bandwidth.
var streamMin = 32 << 20

// streamRows copies rows rows of w floats, src's rows srow ≥ w floats
// apart, to dst back to back:
//
//	dst[i·w + j] = src[i·srow + j],  i < rows, j < w.
//
// With SIMD, w a multiple of 16 and dst 64-byte aligned it stores with
// non-temporal writes (copyRowsNT and its ZMM twin on the avx512 path),
// which skip reading dst's lines into the cache and leave them in memory;
// else Go's copy. The bits are the same.
func streamRows(p sgemm.Path, dst, src []float32, srow, rows, w int) {
	if rows <= 0 || w <= 0 {
		return
	}
	_ = dst[rows*w-1]
	_ = src[(rows-1)*srow+w-1]
	if w%16 == 0 && srow >= w && aligned64(dst) {
		switch {
		case p == sgemm.AVX512 && useAVX512:
			copyRowsNTAVX512(&dst[0], &src[0], srow, rows, w/16)
			return
		case p >= sgemm.AVX2 && useAVX2:
			copyRowsNT(&dst[0], &src[0], srow, rows, w/16)
			return
		}
	}
	for i := 0; i < rows; i++ {
		copy(dst[i*w:(i+1)*w], src[i*srow:])
	}
}

// aligned64 reports whether x starts on a 64-byte boundary.
func aligned64(x []float32) bool { return uintptr(unsafe.Pointer(unsafe.SliceData(x)))%64 == 0 }
