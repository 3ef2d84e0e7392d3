package sgemm

// packA copies the block op(A)[i0:i0+mc, p0:p0+kc] into dst as ⌈mc/mr⌉
// panels of kc×mr, panel q first:
//
//	dst[q*kc*mr + p*mr + i] = op(A)[i0+q*mr+i, p0+p]   (0 for rows past mc)
//
// where op(A)[i, p] = a[i*lda+p], or a[p*lda+i] when tA. The kernel walks a
// panel front to back, reading mr values of one column of op(A) per k step.
// With simd, whole panels of an untransposed A go through pack6.
func packA(dst, a []float32, lda int, tA bool, i0, mc, p0, kc int, simd bool) {
	for q := 0; q < mc; q += mr {
		panel := dst[q*kc : q*kc+kc*mr]
		rows := min(mr, mc-q)
		switch {
		case rows == mr && !tA:
			// Six rows of A read side by side, each contiguous in p.
			base := (i0+q)*lda + p0
			if simd {
				_ = a[base : base+5*lda+kc] // all six rows lie inside a
				pack6(kc, &a[base], lda, &panel[0])
				continue
			}
			r0 := a[base : base+kc]
			r1 := a[base+lda : base+lda+kc]
			r2 := a[base+2*lda : base+2*lda+kc]
			r3 := a[base+3*lda : base+3*lda+kc]
			r4 := a[base+4*lda : base+4*lda+kc]
			r5 := a[base+5*lda : base+5*lda+kc]
			for p := range kc {
				d := (*[mr]float32)(panel[p*mr:])
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		case rows == mr && tA:
			// A column of op(A) is a contiguous run of a row of a.
			for p := range kc {
				s := (p0+p)*lda + i0 + q
				*(*[mr]float32)(panel[p*mr:]) = *(*[mr]float32)(a[s : s+mr])
			}
		default:
			// Ragged last panel: the rows there, then zeros below.
			for i := range rows {
				for p := range kc {
					if tA {
						panel[p*mr+i] = a[(p0+p)*lda+i0+q+i]
					} else {
						panel[p*mr+i] = a[(i0+q+i)*lda+p0+p]
					}
				}
			}
			for i := rows; i < mr; i++ {
				for p := range kc {
					panel[p*mr+i] = 0
				}
			}
		}
	}
}

// packB copies the block op(B)[p0:p0+kc, j0:j0+nc] into dst as ⌈nc/nr⌉
// panels of kc×nr, panel q first:
//
//	dst[q*kc*nr + p*nr + j] = op(B)[p0+p, j0+q*nr+j]   (0 for columns past nc)
//
// where op(B)[p, j] = b[p*ldb+j], or b[j*ldb+p] when tB. The kernel reads
// one nr-wide row of a panel per k step. With simd, whole panels of a
// transposed B are built from 8×8 register transposes (transpose8).
func packB(dst, b []float32, ldb int, tB bool, p0, kc, j0, nc int, simd bool) {
	full := nc / nr * nr // columns in whole panels
	if !tB && full > 0 {
		// Row order: each row of the block is read once, front to back,
		// so the hardware prefetcher streams it; its nr-wide pieces go to
		// the panels. (Panel order would read kc rows at stride ldb for
		// every panel, and ldb is often a power of two: the rows then
		// share one L1/L2 set and evict each other between panels.)
		for p := range kc {
			row := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+full]
			for q := 0; q < full; q += nr {
				*(*[nr]float32)(dst[q*kc+p*nr:]) = *(*[nr]float32)(row[q:])
			}
		}
	}
	if tB {
		for q := 0; q < full; q += nr {
			panel := dst[q*kc : q*kc+kc*nr]
			// Columns of op(B) are rows of b: read 8 of them side by side
			// (each contiguous in p) and write 8-wide runs of a panel row.
			for h := 0; h < nr; h += 8 {
				base := (j0+q+h)*ldb + p0
				start := 0 // first column left to the Go loop
				if simd {
					_ = b[base : base+7*ldb+kc] // all eight rows lie inside b
					transpose8(kc, &b[base], ldb, &panel[h], nr)
					start = kc &^ 7
				}
				r0 := b[base : base+kc]
				r1 := b[base+ldb : base+ldb+kc]
				r2 := b[base+2*ldb : base+2*ldb+kc]
				r3 := b[base+3*ldb : base+3*ldb+kc]
				r4 := b[base+4*ldb : base+4*ldb+kc]
				r5 := b[base+5*ldb : base+5*ldb+kc]
				r6 := b[base+6*ldb : base+6*ldb+kc]
				r7 := b[base+7*ldb : base+7*ldb+kc]
				for p := start; p < kc; p++ {
					d := (*[8]float32)(panel[p*nr+h:])
					d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
					d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
				}
			}
		}
	}
	if full == nc {
		return
	}
	// Ragged last panel: element by element, zero padding right.
	cols := nc - full
	panel := dst[full*kc : full*kc+kc*nr]
	for p := range kc {
		d := (*[nr]float32)(panel[p*nr:])
		for j := range nr {
			switch {
			case j >= cols:
				d[j] = 0
			case tB:
				d[j] = b[(j0+full+j)*ldb+p0+p]
			default:
				d[j] = b[(p0+p)*ldb+j0+full+j]
			}
		}
	}
}
