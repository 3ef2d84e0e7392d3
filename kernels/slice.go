package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// SliceCopy moves a block of n positions along the middle dimension between
// two tensors viewed as [Outer, dD, Inner] and [Outer, sD, Inner]. For each
// o the block is n*Inner contiguous elements on both sides, so the kernel is
// Outer copies (or Axpy-style adds), run in parallel over o.

// SliceCopy computes, for every o < outer, j < n, i < inner,
//
//	dst[o, dOff+j, i] = src[o, sOff+j, i]     (+= when acc)
//
// dst: [outer, dD, inner], src: [outer, sD, inner]. Elements of dst outside
// the block are not touched.
func SliceCopy(dst []float32, dD, dOff int, src []float32, sD, sOff, n, outer, inner int, acc bool) {
	sliceRows(dst, dD, dOff, src, sD, sOff, n, inner, acc, 0, outer)
}

// sliceRows runs SliceCopy for the outer indexes [lo, hi).
func sliceRows(dst []float32, dD, dOff int, src []float32, sD, sOff, n, inner int, acc bool, lo, hi int) {
	w := n * inner
	for o := lo; o < hi; o++ {
		d := dst[(o*dD+dOff)*inner:][:w]
		s := src[(o*sD+sOff)*inner:][:w]
		if acc {
			for k, v := range s {
				d[k] += v
			}
		} else {
			copy(d, s)
		}
	}
}

// SliceCopy: dst[o, dOff+j, i] (+)= src[o, sOff+j, i] for j < n.
func (c *CPU) SliceCopy(dst *tensor.Tensor, dD, dOff int, src *tensor.Tensor, sD, sOff, n int, outer, inner int, acc bool) {
	d, s := f32Arg("slice_copy", "dst", dst), f32Arg("slice_copy", "src", src)
	if outer < 0 || inner < 0 || n < 0 || dOff < 0 || sOff < 0 || dOff+n > dD || sOff+n > sD {
		panic("kernels: slice_copy: block out of range")
	}
	needLen("slice_copy", "dst", d, outer*dD*inner)
	needLen("slice_copy", "src", s, outer*sD*inner)
	host.For(c.threads(), outer, rowChunk(n*inner), func(lo, hi int) {
		sliceRows(d, dD, dOff, s, sD, sOff, n, inner, acc, lo, hi)
	})
}
