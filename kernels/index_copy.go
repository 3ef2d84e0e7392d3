package kernels

import "twostage/tensor"

// IndexCopyRows writes rows of src into dst: dst[idx[r]*d : +d] = src[r*d :
// +d] for r = 0..len(idx)-1 in order, so a later duplicate index wins.
// dst: [M,d], src: [R,d], idx: [R] in [0,M).
func IndexCopyRows(dst, src []float32, idx []int64, d int) {
	m := int64(len(dst) / d)
	for r, i := range idx {
		if i < 0 || i >= m {
			panic("kernels: index_copy: index out of range")
		}
		copy(dst[int(i)*d:int(i+1)*d], src[r*d:(r+1)*d])
	}
}

// IndexCopy implements tensor.Backend.IndexCopy on host memory.
func (c *CPU) IndexCopy(dst, idx, src *tensor.Tensor) {
	if dst.Rank() != 2 || src.Rank() != 2 || idx.Rank() != 1 || dst.Dim(1) != src.Dim(1) || idx.Dim(0) != src.Dim(0) {
		panic("kernels: index_copy needs dst [M,D], idx [R], src [R,D]")
	}
	IndexCopyRows(F32(dst), F32(src), I64(idx), dst.Dim(1))
}
