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
// The micro-kernel is 6×16: twelve YMM accumulators (6 rows × two 8-wide
// halves), per k step two loads of B and six broadcasts of A feeding twelve
// FMAs (sgemm_amd64.s, with the packing helpers pack6 and transpose8). A portable Go kernel (kernel.go) with the same
// packing and the same k order is always compiled; it differs from the
// assembly only in rounding (separate multiply and add instead of FMA). It
// runs when the CPU lacks AVX2/FMA, under the noasm build tag, or with
// Config.NoSIMD.
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
