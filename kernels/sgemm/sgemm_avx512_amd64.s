//go:build !noasm

#include "textflag.h"

// The avx512 path's 16×16 micro-kernels (sgemm_amd64.go has their reference
// loops). Register use in a tile:
//	Z0..Z15   accumulators: row i of the tile is Z(i) (16 columns)
//	Z16..Z19  B rows of one unrolled group of four k steps
//	Z28, Z29  store temporaries; Z30 alpha, Z31 beta
//	AX        packed A cursor (64 bytes per k step: 16 rows)
//	BX        packed B cursor (64 bytes per k step), or the in-place B base
//	CX        k steps left; R9 unrolled groups of 4 left
//	DI        C row pointer; DX ldc in bytes
// Each FMA takes its A value by embedded broadcast from memory (.BCST), so
// a k step is one 64-byte load of B and sixteen FMAs, the same FMAs in the
// same order per element as kernelBlockAVX2's.

// ZEROACC16 clears the sixteen accumulators.
#define ZEROACC16 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15

// FMAS16(ao, zb) does acc[i] += a[ao/4 + i] * zb for the sixteen rows.
#define FMAS16(ao, zb) \
	VFMADD231PS.BCST ao+0(AX), zb, Z0 \
	VFMADD231PS.BCST ao+4(AX), zb, Z1 \
	VFMADD231PS.BCST ao+8(AX), zb, Z2 \
	VFMADD231PS.BCST ao+12(AX), zb, Z3 \
	VFMADD231PS.BCST ao+16(AX), zb, Z4 \
	VFMADD231PS.BCST ao+20(AX), zb, Z5 \
	VFMADD231PS.BCST ao+24(AX), zb, Z6 \
	VFMADD231PS.BCST ao+28(AX), zb, Z7 \
	VFMADD231PS.BCST ao+32(AX), zb, Z8 \
	VFMADD231PS.BCST ao+36(AX), zb, Z9 \
	VFMADD231PS.BCST ao+40(AX), zb, Z10 \
	VFMADD231PS.BCST ao+44(AX), zb, Z11 \
	VFMADD231PS.BCST ao+48(AX), zb, Z12 \
	VFMADD231PS.BCST ao+52(AX), zb, Z13 \
	VFMADD231PS.BCST ao+56(AX), zb, Z14 \
	VFMADD231PS.BCST ao+60(AX), zb, Z15

// STEP16(ao, bo, zb) does one k step from the packed B row at bo(BX).
#define STEP16(ao, bo, zb) \
	VMOVUPS bo(BX), zb \
	FMAS16(ao, zb)

// STOREZ0(acc) writes one row as alpha*acc, never reading C.
#define STOREZ0(acc) \
	VMULPS  Z30, acc, acc \
	VMOVUPS acc, (DI)     \
	ADDQ    DX, DI

// STOREZ(acc) writes one row as fma(alpha, acc, beta*C).
#define STOREZ(acc) \
	VMULPS      (DI), Z31, Z28 \
	VFMADD231PS Z30, acc, Z28  \
	VMOVUPS     Z28, (DI)      \
	ADDQ        DX, DI

#define STORETILE16_0 \
	STOREZ0(Z0) \
	STOREZ0(Z1) \
	STOREZ0(Z2) \
	STOREZ0(Z3) \
	STOREZ0(Z4) \
	STOREZ0(Z5) \
	STOREZ0(Z6) \
	STOREZ0(Z7) \
	STOREZ0(Z8) \
	STOREZ0(Z9) \
	STOREZ0(Z10) \
	STOREZ0(Z11) \
	STOREZ0(Z12) \
	STOREZ0(Z13) \
	STOREZ0(Z14) \
	STOREZ0(Z15)

#define STORETILE16 \
	STOREZ(Z0) \
	STOREZ(Z1) \
	STOREZ(Z2) \
	STOREZ(Z3) \
	STOREZ(Z4) \
	STOREZ(Z5) \
	STOREZ(Z6) \
	STOREZ(Z7) \
	STOREZ(Z8) \
	STOREZ(Z9) \
	STOREZ(Z10) \
	STOREZ(Z11) \
	STOREZ(Z12) \
	STOREZ(Z13) \
	STOREZ(Z14) \
	STOREZ(Z15)

// PREFROW16 prefetches the 64-byte C row at R8 (both lines it may touch)
// and moves R8 a row on.
#define PREFROW16 \
	PREFETCHT0 (R8)   \
	PREFETCHT0 63(R8) \
	ADDQ       DX, R8

#define PREFC16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16 \
	PREFROW16


// func kernelBlockAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int)
//	R11 A block; R12 this column's B panel; R13 this column's C top;
//	R10 row panels left; SI column panels left.
TEXT ·kernelBlockAVX512(SB), NOSPLIT, $0-64
	MOVQ         a+8(FP), R11
	MOVQ         b+16(FP), R12
	MOVQ         c+24(FP), R13
	MOVQ         ldc+32(FP), DX
	SHLQ         $2, DX
	MOVQ         npan+56(FP), SI
	VBROADCASTSS alpha+40(FP), Z30
	VBROADCASTSS beta+44(FP), Z31

zblkcol:
	MOVQ R11, AX
	MOVQ R13, DI
	MOVQ mpan+48(FP), R10

zblktile:
	MOVQ R12, BX
	MOVQ DI, R8
	PREFC16
	ZEROACC16
	MOVQ k+0(FP), CX
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   zblktail

	PCALIGN $32

zblkloop4:
	VMOVUPS 0(BX), Z16
	VMOVUPS 64(BX), Z17
	VMOVUPS 128(BX), Z18
	VMOVUPS 192(BX), Z19
	FMAS16(0, Z16)
	FMAS16(64, Z17)
	FMAS16(128, Z18)
	FMAS16(192, Z19)
	ADDQ $256, AX
	ADDQ $256, BX
	DECQ R9
	JNZ  zblkloop4

zblktail:
	ANDQ $3, CX
	JZ   zblkstore

zblkloop1:
	STEP16(0, 0, Z16)
	ADDQ $64, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  zblkloop1

zblkstore:
	// beta == ±0 (bit pattern without the sign is 0): C must not be read.
	MOVL beta+44(FP), R8
	SHLL $1, R8
	JNZ  zblkwithbeta
	STORETILE16_0
	JMP  zblknext

zblkwithbeta:
	STORETILE16

zblknext:
	DECQ R10
	JNZ  zblktile
	MOVQ BX, R12
	ADDQ $64, R13
	DECQ SI
	JNZ  zblkcol
	VZEROUPPER
	RET

// ROWB16(so, zb) loads row p of an in-place B panel, BX + 4·boff[p] with
// boff[p] at so(SI).
#define ROWB16(so, zb) \
	MOVQ    so(SI), R10        \
	VMOVUPS (BX)(R10*4), zb

// func kernelRowsAVX512(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32)
TEXT ·kernelRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ         k+0(FP), CX
	MOVQ         a+8(FP), AX
	MOVQ         b+16(FP), BX
	MOVQ         boff+24(FP), SI
	MOVQ         c+32(FP), DI
	MOVQ         ldc+40(FP), DX
	SHLQ         $2, DX
	VBROADCASTSS alpha+48(FP), Z30
	VBROADCASTSS beta+52(FP), Z31

	ZEROACC16

	MOVQ CX, R9
	SHRQ $2, R9
	JZ   zrtail

	PCALIGN $32

zrloop4:
	ROWB16(0, Z16)
	ROWB16(8, Z17)
	ROWB16(16, Z18)
	ROWB16(24, Z19)
	FMAS16(0, Z16)
	FMAS16(64, Z17)
	FMAS16(128, Z18)
	FMAS16(192, Z19)
	ADDQ $256, AX
	ADDQ $32, SI
	DECQ R9
	JNZ  zrloop4

zrtail:
	ANDQ $3, CX
	JZ   zrstore

zrloop1:
	ROWB16(0, Z16)
	FMAS16(0, Z16)
	ADDQ $64, AX
	ADDQ $8, SI
	DECQ CX
	JNZ  zrloop1

zrstore:
	MOVL beta+52(FP), R10
	SHLL $1, R10
	JNZ  zrwithbeta
	STORETILE16_0
	VZEROUPPER
	RET

zrwithbeta:
	STORETILE16
	VZEROUPPER
	RET

// func fmaPeakAVX512(n int)
// 24 accumulators Z0..Z23, each += Z24·Z25 once per iteration.
TEXT ·fmaPeakAVX512(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	TESTQ CX, CX
	JZ    peak512done

	PCALIGN $32

peak512loop:
	VFMADD231PS Z24, Z25, Z0
	VFMADD231PS Z24, Z25, Z1
	VFMADD231PS Z24, Z25, Z2
	VFMADD231PS Z24, Z25, Z3
	VFMADD231PS Z24, Z25, Z4
	VFMADD231PS Z24, Z25, Z5
	VFMADD231PS Z24, Z25, Z6
	VFMADD231PS Z24, Z25, Z7
	VFMADD231PS Z24, Z25, Z8
	VFMADD231PS Z24, Z25, Z9
	VFMADD231PS Z24, Z25, Z10
	VFMADD231PS Z24, Z25, Z11
	VFMADD231PS Z24, Z25, Z12
	VFMADD231PS Z24, Z25, Z13
	VFMADD231PS Z24, Z25, Z14
	VFMADD231PS Z24, Z25, Z15
	VFMADD231PS Z24, Z25, Z16
	VFMADD231PS Z24, Z25, Z17
	VFMADD231PS Z24, Z25, Z18
	VFMADD231PS Z24, Z25, Z19
	VFMADD231PS Z24, Z25, Z20
	VFMADD231PS Z24, Z25, Z21
	VFMADD231PS Z24, Z25, Z22
	VFMADD231PS Z24, Z25, Z23
	DECQ CX
	JNZ  peak512loop

peak512done:
	VZEROUPPER
	RET
