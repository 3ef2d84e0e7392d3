package sgemm

// Register-block sizes of the micro-kernels: each computes an mr×nr tile of
// C, mr = tileRows(path).
//   - go and avx2, 6×16: 12 of the 16 YMM registers are accumulators (6
//     rows × two 8-lane halves), leaving 2 for the B row and 2 for A
//     broadcasts. Per k step 2 loads + 6 broadcasts for 12 FMAs, within Zen
//     3's 2 FMA + 3 load ports.
//   - avx512, 16×16: 16 of the 32 ZMM registers are accumulators (one row
//     each), 4 hold B rows of an unrolled group; per k step 1 load of B and
//     16 FMAs with A broadcast from memory (EVEX embedded broadcast). 16 rows
//     divide every channel count of the convolutions (16…512), where 12 or
//     14 would leave ragged panels, and 16 independent chains cover the
//     FMA latency (4 cycles × 2 pipes on Zen 4/5) twice over.
//
// nr is the same on every path: the packed-B layouts that callers build
// (SgemmPackedAB, SgemmPanels) are 16 columns wide everywhere.
const (
	mr6   = 6  // tile rows of the go and avx2 kernels
	mr512 = 16 // tile rows of the avx512 kernel
	mrMax = mr512
	nr    = 16
)

// tileRows is the micro-kernel's mr on path p (resolved, not Auto).
func tileRows(p Path) int {
	if p == AVX512 {
		return mr512
	}
	return mr6
}

// kernelGo is the portable micro-kernel (mr = 6), the reference for
// kernelAVX2 and kernelBlockAVX512 and the go path. a is one packed A panel (a[p*mr+i] =
// op(A)[i, p], k×mr), b one packed B panel (b[p*nr+j] = op(B)[p, j], k×nr),
// and c the top-left of an mr×nr tile with row stride ldc:
//
//	for i := 0; i < mr; i++ {
//		for j := 0; j < nr; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*mr+i] * b[p*nr+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s // C is not read: NaNs are overwritten
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
func kernelGo(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	const mr = mr6
	var acc [mr * nr]float32
	a, b = a[:k*mr], b[:k*nr]
	for p := 0; p < k; p++ {
		ap := (*[mr]float32)(a[p*mr:])
		bp := (*[nr]float32)(b[p*nr:])
		for i, av := range ap {
			row := (*[nr]float32)(acc[i*nr:])
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for i := 0; i < mr; i++ {
		storeRow(c[i*ldc:i*ldc+nr], acc[i*nr:(i+1)*nr], alpha, beta)
	}
}

// storeRow writes c = alpha*s + beta*c, or alpha*s without reading c when
// beta == 0 (NaNs in C are overwritten, as BLAS does); len(s) == len(c).
func storeRow(c, s []float32, alpha, beta float32) {
	s = s[:len(c)]
	if beta == 0 {
		for j, v := range s {
			c[j] = alpha * v
		}
		return
	}
	for j, v := range s {
		c[j] = alpha*v + beta*c[j]
	}
}
