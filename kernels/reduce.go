package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Sum along one dimension and its backward (broadcast). Tensors are viewed
// as [Outer, D, Inner]; element (o, d, i) lives at (o*D+d)*Inner+i.
//
// Precision: sums accumulate in float64 and round once to float32. PyTorch
// CPU accumulates float32 sums in float32 with a cascade that keeps the
// error near one ulp; a float64 accumulator reaches the same result (the
// correctly rounded sum, up to ties) without the cascade, so both agree to
// within an ulp of the output.
//
// Determinism: the order of additions is fixed by the shape alone. A row of
// D elements (Inner == 1) is summed in blocks of sumBlock, each block into
// its own float64 partial, and the partials are added in block order; the
// parallel path computes the same partials on several goroutines, so any
// thread count gives the same bits.

// sumBlock is the block of a long row summed into one float64 partial.
const sumBlock = 1 << 12

// sumTile is how many neighbouring columns (Inner > 1) share one pass over
// D: a stack array of float64 accumulators, one cache line of x per row.
const sumTile = 64

// rowSum64 returns Σ x[d] in the fixed block order above.
func rowSum64(x []float32) float64 {
	var t float64
	for lo := 0; lo < len(x); lo += sumBlock {
		var p float64
		for _, v := range x[lo:min(lo+sumBlock, len(x))] {
			p += float64(v)
		}
		t += p
	}
	return t
}

// Sum computes dst[o,i] = Σ_d x[o,d,i], or += when acc.
// x: [Outer, D, Inner], dst: [Outer, Inner].
func Sum(dst, x []float32, s tensor.DimShape, acc bool) {
	sumTiles(dst, x, s, acc, 0, s.Outer*tileCount(s.Inner))
}

// tileCount is the number of sumTile-wide column tiles of one outer slice.
func tileCount(inner int) int { return (inner + sumTile - 1) / sumTile }

// sumTiles runs Sum over the (o, tile) pairs [lo, hi), numbered o*tiles+t.
func sumTiles(dst, x []float32, s tensor.DimShape, acc bool, lo, hi int) {
	tiles := tileCount(s.Inner)
	var a [sumTile]float64
	for p := lo; p < hi; p++ {
		o, i0 := p/tiles, (p%tiles)*sumTile
		w := min(sumTile, s.Inner-i0)
		out := dst[o*s.Inner+i0 : o*s.Inner+i0+w]
		if s.Inner == 1 { // a contiguous row: the blocked order
			v := float32(rowSum64(x[o*s.D : (o+1)*s.D]))
			if acc {
				out[0] += v
			} else {
				out[0] = v
			}
			continue
		}
		clear(a[:w])
		for d := 0; d < s.D; d++ {
			row := x[(o*s.D+d)*s.Inner+i0:][:w]
			for j, v := range row {
				a[j] += float64(v)
			}
		}
		for j := range out {
			if acc {
				out[j] += float32(a[j])
			} else {
				out[j] = float32(a[j])
			}
		}
	}
}

// Sum: dst[o,i] (+)= Σ_d x[o,d,i].
func (c *CPU) Sum(dst, x *tensor.Tensor, s tensor.DimShape, acc bool) {
	d, xs := f32Arg("sum", "dst", dst), f32Arg("sum", "x", x)
	needDimShape("sum", s, len(xs))
	needLen("sum", "dst", d, s.Outer*s.Inner)
	if s.Outer*s.Inner == 0 {
		return
	}
	th := c.threads()
	if s.Inner == 1 && s.Outer < th && s.D >= 2*sumBlock {
		// Few long rows (a full reduction): split each row into its
		// blocks, sum those in parallel, then add the partials in order.
		nb := (s.D + sumBlock - 1) / sumBlock
		part := make([]float64, nb)
		for o := 0; o < s.Outer; o++ {
			row := xs[o*s.D : (o+1)*s.D]
			host.For(th, nb, 1, func(lo, hi int) {
				for b := lo; b < hi; b++ {
					var p float64
					for _, v := range row[b*sumBlock : min((b+1)*sumBlock, len(row))] {
						p += float64(v)
					}
					part[b] = p
				}
			})
			var t float64
			for _, p := range part {
				t += p
			}
			if acc {
				d[o] += float32(t)
			} else {
				d[o] = float32(t)
			}
		}
		return
	}
	tiles := s.Outer * tileCount(s.Inner)
	perTile := s.D * min(s.Inner, sumTile)
	host.For(th, tiles, rowChunk(perTile), func(lo, hi int) {
		sumTiles(d, xs, s, acc, lo, hi)
	})
}

// BroadcastAcc computes dst[o,d,i] += alpha*src[o,i], the backward of Sum.
// dst: [Outer, D, Inner], src: [Outer, Inner].
func BroadcastAcc(dst, src []float32, s tensor.DimShape, alpha float32) {
	broadcastRows(dst, src, s, alpha, 0, s.Outer*s.D)
}

// broadcastRows runs BroadcastAcc over the rows (o, d) in [lo, hi),
// numbered o*D+d.
func broadcastRows(dst, src []float32, s tensor.DimShape, alpha float32, lo, hi int) {
	for r := lo; r < hi; r++ {
		o := r / s.D
		Axpy(alpha, src[o*s.Inner:(o+1)*s.Inner], dst[r*s.Inner:(r+1)*s.Inner])
	}
}

// BroadcastAcc: dst[o,d,i] += alpha*src[o,i].
func (c *CPU) BroadcastAcc(dst, src *tensor.Tensor, s tensor.DimShape, alpha float32) {
	d, ss := f32Arg("broadcast_acc", "dst", dst), f32Arg("broadcast_acc", "src", src)
	needDimShape("broadcast_acc", s, len(d))
	needLen("broadcast_acc", "src", ss, s.Outer*s.Inner)
	host.For(c.threads(), s.Outer*s.D, rowChunk(s.Inner), func(lo, hi int) {
		broadcastRows(d, ss, s, alpha, lo, hi)
	})
}
