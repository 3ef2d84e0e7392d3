// Package sgemm is a single-precision matrix multiply for the CPU, built in
// the BLIS/GotoBLAS way:
//
//	C = alpha * op(A) * op(B) + beta * C      (row-major, op(X) = X or Xᵀ)
//
// with op(A) m×k, op(B) k×n and C m×n. The loops, outermost first:
//
//	jc: columns of C in blocks of nc          (B block kc×nc lives in L3)
//	pc: k in near-equal blocks of ≤ kc        pack op(B)[pc:pc+kc, jc:jc+nc]
//	ic: rows of C in blocks of mc             pack op(A)[ic:ic+mc, pc:pc+kc] (L2)
//	jr: nr-column micro-panels of the B block (one micro-panel lives in L1)
//	ir: mr-row micro-panels of the A block    micro-kernel: mr×nr tile of C
//
// Packing (pack.go) copies op(A) into mr-row panels stored k-major
// (panel[p*mr+i]) and op(B) into nr-column panels (panel[p*nr+j]); it
// resolves both transposes and pads ragged edges with zeros, so the
// micro-kernel always computes a full mr×nr tile. An untransposed B is
// packed block-wise in row order (streaming reads); a transposed B is packed
// one micro-panel at a time just before its first use, with 8×8 register
// transposes. Edge tiles go through a small scratch tile and are merged into
// C by Go code, so nothing outside C's m×n submatrix is ever touched.
//
// The micro-kernel depends on the SIMD path (path.go, Config.Path; the zero
// Config takes the best the CPU has, capped by TWOSTAGE_SIMD):
//   - avx2: 6×16, twelve YMM accumulators (6 rows × two 8-wide halves), per
//     k step two loads of B and six broadcasts of A feeding twelve FMAs
//     (sgemm_amd64.s, with the packing helpers pack6 and transpose8);
//   - avx512: 16×16, sixteen ZMM accumulators, per k step one load of B and
//     sixteen FMAs taking A by embedded broadcast (sgemm_avx512_amd64.s);
//     A panels are 16 rows, packed by transpose8 and packRow16. Each
//     element's FMAs are avx2's in the same order, so the two paths give
//     the same bits with alpha 1 and beta 0 or 1 (every convolution);
//   - go: a portable Go kernel (kernel.go) with the avx2 packing and k
//     order, differing only in rounding (separate multiply and add instead
//     of FMA). It runs when the CPU lacks AVX2/FMA, under the noasm build
//     tag, with Config.NoSIMD or Path = Go.
//
// nr is 16 on every path, so the packed-B layouts that callers build
// (SgemmPackedAB, SgemmPanels) do not depend on the path; a PackedA does
// (its panels are mr rows) and runs only on the path it was packed on.
// FMAPeak is the register-only FMA loop of each path, the ceiling the
// benchmarks are fractions of.
//
// Config.SgemmRows is the same multiply with the stored rows of B given by
// an offset table into one slice instead of a leading dimension (rows may
// overlap): a convolution passes the windows of a zero-bordered image as
// the rows of its im2col matrix, which is then never built (implicit GEMM).
// Only packB differs; a transposed B whose eight rows of a transpose group
// are not evenly spaced is packed by the Go loop.
//
// Parallelism splits C into one rectangle per goroutine (along n when it is
// wide enough, else along m); each goroutine packs its own panels. Every
// element of C is computed by one goroutine with a k order fixed by kc alone,
// so the result is bit-identical for any thread count.
package sgemm
