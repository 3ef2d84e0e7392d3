package sgemm

// Register-block sizes of the micro-kernel: it computes an mr×nr tile of C.
// 6×16 uses 12 of the 16 YMM registers as accumulators (6 rows × two 8-lane
// halves), leaving 2 for the B row and 2 for A broadcasts. Per k step it does
// 2 loads + 6 broadcasts for 12 FMAs, within Zen 3's 2 FMA + 3 load ports.
const (
	mr = 6
	nr = 16
)

// kernelGo is the portable micro-kernel, the reference for kernelAVX2 and
// the path used without AVX2/FMA. a is one packed A panel (a[p*mr+i] =
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
