package sgemm

// packA copies the block op(A)[i0:i0+mc, p0:p0+kc] into dst as ⌈mc/mr⌉
// panels of kc×mr, panel q first, with mr = tileRows(path):
//
//	dst[q*kc*mr + p*mr + i] = op(A)[i0+q*mr+i, p0+p]   (0 for rows past mc)
//
// where op(A)[i, p] = a[i*lda+p], or a[p*lda+i] when tA. The kernel walks a
// panel front to back, reading mr values of one column of op(A) per k step.
// With SIMD, whole panels of an untransposed A go through pack6 (mr = 6)
// or two transpose8 calls (mr = 16), and those of a transposed A through
// packRow6 or packRow16 a row of a at a time.
func packA(dst, a []float32, lda int, tA bool, i0, mc, p0, kc int, path Path) {
	mr := tileRows(path)
	simd := path >= AVX2
	q0 := 0 // first panel left to the per-panel loops
	if full := mc / mr * mr; tA && simd && full > 0 {
		// Row order, as packB: row p of a holds column p of op(A), whose
		// runs of mr go to the panels side by side.
		for p := range kc {
			r := (p0+p)*lda + i0
			pf := r
			if p+packPrefetch < kc {
				pf += packPrefetch * lda
			}
			_ = a[r : r+full]
			_ = a[pf : pf+full]
			_ = dst[(full-mr)*kc+p*mr : (full-mr)*kc+p*mr+mr]
			if mr == mr512 {
				packRow16(full/mr, &a[r], &dst[p*mr], kc*mr, &a[pf])
			} else {
				packRow6(full/mr, &a[r], &dst[p*mr], kc*mr, &a[pf])
			}
		}
		q0 = full
	}
	for q := q0; q < mc; q += mr {
		panel := dst[q*kc : q*kc+kc*mr]
		rows := min(mr, mc-q)
		switch {
		case rows == mr && !tA && mr == mr512 && simd:
			// Sixteen rows: two 8-row halves through 8×8 transposes,
			// the kc%8 tail columns one at a time.
			base := (i0+q)*lda + p0
			_ = a[base : base+15*lda+kc] // all sixteen rows lie inside a
			p8 := kc &^ 7
			if p8 > 0 {
				transpose8(kc, &a[base], lda, &panel[0], mr)
				transpose8(kc, &a[base+8*lda], lda, &panel[8], mr)
			}
			for p := p8; p < kc; p++ {
				for i := range mr {
					panel[p*mr+i] = a[base+i*lda+p]
				}
			}
		case rows == mr && !tA && mr == mr6:
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
				d := (*[mr6]float32)(panel[p*mr6:])
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		case rows == mr && tA:
			// A column of op(A) is a contiguous run of a row of a.
			for p := range kc {
				s := (p0+p)*lda + i0 + q
				if mr == mr6 {
					v := *(*[mr6]float32)(a[s : s+mr6]) // via a value: see packB
					*(*[mr6]float32)(panel[p*mr6:]) = v
					continue
				}
				copy(panel[p*mr:p*mr+mr], a[s:s+mr])
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
// where op(B)[p, j] = b[row(p)+j], or b[row(j)+p] when tB, and stored row i
// of b starts at row(i) = i*ldb, or boff[i] when boff is not nil
// (SgemmRows). The kernel reads one nr-wide row of a panel per k step. With
// simd, whole panels of a transposed B are built from 8×8 register
// transposes (transpose8), which need eight rows at one stride: with boff,
// a group of eight rows whose starts are not evenly spaced goes through the
// Go loop.
func packB(dst, b []float32, ldb int, boff []int, tB bool, p0, kc, j0, nc int, simd bool) {
	full := nc / nr * nr // columns in whole panels
	if !tB && full > 0 {
		// Row order: each row of the block is read once, front to back,
		// so the hardware prefetcher streams it; its nr-wide pieces go to
		// the panels. (Panel order would read kc rows at stride ldb for
		// every panel, and ldb is often a power of two: the rows then
		// share one L1/L2 set and evict each other between panels.)
		for p := range kc {
			r := rowAt(ldb, boff, p0+p)
			src := b[r+j0 : r+j0+full]
			if simd {
				// The row packPrefetch rows ahead is touched line by line
				// as this one is copied: every row of a B with a long
				// leading dimension starts a new page, where the hardware
				// prefetcher starts cold.
				pf := r
				if p+packPrefetch < kc {
					pf = rowAt(ldb, boff, p0+p+packPrefetch)
				}
				_ = b[pf+j0 : pf+j0+full]                         // the prefetched run lies inside b
				_ = dst[(full-nr)*kc+p*nr : (full-nr)*kc+p*nr+nr] // and the last panel row inside dst
				packRow16(full/nr, &src[0], &dst[p*nr], kc*nr, &b[pf+j0])
				continue
			}
			for q := 0; q < full; q += nr {
				// Through a value: a direct array assignment between two
				// slices that may alias compiles to a runtime.memmove call
				// per 64 bytes; the copy-out-copy-in is four vector moves.
				v := *(*[nr]float32)(src[q:])
				*(*[nr]float32)(dst[q*kc+p*nr:]) = v
			}
		}
	}
	if tB {
		for q := 0; q < full; q += nr {
			panel := dst[q*kc : q*kc+kc*nr]
			// Columns of op(B) are rows of b: read 8 of them side by side
			// (each contiguous in p) and write 8-wide runs of a panel row.
			for h := 0; h < nr; h += 8 {
				var st [8]int // starts of the eight rows
				for i := range st {
					st[i] = rowAt(ldb, boff, j0+q+h+i) + p0
				}
				start := 0 // first column left to the Go loop
				if d := st[1] - st[0]; simd && evenlySpaced(&st) {
					_ = b[st[0] : st[7]+kc] // all eight rows lie inside b
					transpose8(kc, &b[st[0]], d, &panel[h], nr)
					start = kc &^ 7
				}
				r0 := b[st[0] : st[0]+kc]
				r1 := b[st[1] : st[1]+kc]
				r2 := b[st[2] : st[2]+kc]
				r3 := b[st[3] : st[3]+kc]
				r4 := b[st[4] : st[4]+kc]
				r5 := b[st[5] : st[5]+kc]
				r6 := b[st[6] : st[6]+kc]
				r7 := b[st[7] : st[7]+kc]
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
	// Ragged last panel: the cols columns there, zero padding right.
	cols := nc - full
	panel := dst[full*kc : full*kc+kc*nr]
	if tB {
		// Column j of the panel is a contiguous run of stored row j.
		for j := range cols {
			st := rowAt(ldb, boff, j0+full+j) + p0
			for p, v := range b[st : st+kc] {
				panel[p*nr+j] = v
			}
		}
	} else {
		for p := range kc {
			st := rowAt(ldb, boff, p0+p) + j0 + full
			d := (*[nr]float32)(panel[p*nr:])
			for j, v := range b[st : st+cols] {
				d[j] = v
			}
		}
	}
	// Short runs: plain loops beat a memclr call per row.
	for p := range kc {
		d := (*[nr]float32)(panel[p*nr:])
		for j := cols; j < nr; j++ {
			d[j] = 0
		}
	}
}

// packPrefetch is how many rows ahead the row copies of packA and packB
// prefetch (NN 128×16384×1152's B from memory, one thread: 1.1 Gfloat/s in
// Go, 2.1 in assembly with no prefetch, 2.9 at 8 and 16 rows, 2.4 at 32; a
// plain copy runs at 3.4).
const packPrefetch = 8

// evenlySpaced reports whether the eight row starts form one arithmetic
// progression with a non-negative step, as transpose8 reads them.
func evenlySpaced(st *[8]int) bool {
	d := st[1] - st[0]
	if d < 0 {
		return false
	}
	for i := 2; i < 8; i++ {
		if st[i]-st[i-1] != d {
			return false
		}
	}
	return true
}

// rowAt is where stored row i of b starts: boff[i], or i*ldb without boff.
func rowAt(ldb int, boff []int, i int) int {
	if boff != nil {
		return boff[i]
	}
	return i * ldb
}
