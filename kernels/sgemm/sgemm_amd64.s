//go:build !noasm

#include "textflag.h"

// Register use in a tile of kernelBlockAVX2 (kernelAVX2 is its one-tile grid):
//	Y0..Y11  accumulators: row i of the 6×16 tile is Y(2i) (columns 0..7) and
//	         Y(2i+1) (columns 8..15)
//	Y12, Y13 one row of the packed B panel (16 floats)
//	Y14, Y15 broadcasts of A (alternating, so two rows' FMAs can overlap)
//	AX       packed A cursor (advances 24 bytes per k step)
//	BX       packed B cursor (advances 64 bytes per k step)
//	CX       k steps left; R9 unrolled groups of 4 left
//	DI       C row pointer; DX ldc in bytes

// ZEROACC clears the twelve accumulators.
#define ZEROACC \
	VXORPS Y0, Y0, Y0    \
	VXORPS Y1, Y1, Y1    \
	VXORPS Y2, Y2, Y2    \
	VXORPS Y3, Y3, Y3    \
	VXORPS Y4, Y4, Y4    \
	VXORPS Y5, Y5, Y5    \
	VXORPS Y6, Y6, Y6    \
	VXORPS Y7, Y7, Y7    \
	VXORPS Y8, Y8, Y8    \
	VXORPS Y9, Y9, Y9    \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

// FMAS does acc[i][0:16] += a[ao/4 + i] * (Y12, Y13) for the six rows.
#define FMAS(ao) \
	VBROADCASTSS ao(AX), Y14      \
	VFMADD231PS  Y12, Y14, Y0     \
	VFMADD231PS  Y13, Y14, Y1     \
	VBROADCASTSS ao+4(AX), Y15    \
	VFMADD231PS  Y12, Y15, Y2     \
	VFMADD231PS  Y13, Y15, Y3     \
	VBROADCASTSS ao+8(AX), Y14    \
	VFMADD231PS  Y12, Y14, Y4     \
	VFMADD231PS  Y13, Y14, Y5     \
	VBROADCASTSS ao+12(AX), Y15   \
	VFMADD231PS  Y12, Y15, Y6     \
	VFMADD231PS  Y13, Y15, Y7     \
	VBROADCASTSS ao+16(AX), Y14   \
	VFMADD231PS  Y12, Y14, Y8     \
	VFMADD231PS  Y13, Y14, Y9     \
	VBROADCASTSS ao+20(AX), Y15   \
	VFMADD231PS  Y12, Y15, Y10    \
	VFMADD231PS  Y13, Y15, Y11

// STEP does one k step: acc[i][0:16] += a[ao/4 + i] * b[bo/4 : bo/4+16].
#define STEP(ao, bo) \
	VMOVUPS      bo(BX), Y12      \
	VMOVUPS      bo+32(BX), Y13   \
	FMAS(ao)

// STOREBETA0 writes row (lo, hi) of the tile as alpha*acc, never reading C.
#define STOREBETA0(lo, hi) \
	VMULPS  Y14, lo, lo      \
	VMULPS  Y14, hi, hi      \
	VMOVUPS lo, (DI)         \
	VMOVUPS hi, 32(DI)       \
	ADDQ    DX, DI

// STOREBETA writes row (lo, hi) of the tile as alpha*acc + beta*C.
#define STOREBETA(lo, hi) \
	VMULPS      (DI), Y15, Y12   \
	VMULPS      32(DI), Y15, Y13 \
	VFMADD231PS Y14, lo, Y12     \
	VFMADD231PS Y14, hi, Y13     \
	VMOVUPS     Y12, (DI)        \
	VMOVUPS     Y13, 32(DI)      \
	ADDQ        DX, DI

// STORETILE0 and STORETILE write the six rows of the tile from DI on.
#define STORETILE0 \
	STOREBETA0(Y0, Y1)   \
	STOREBETA0(Y2, Y3)   \
	STOREBETA0(Y4, Y5)   \
	STOREBETA0(Y6, Y7)   \
	STOREBETA0(Y8, Y9)   \
	STOREBETA0(Y10, Y11)

#define STORETILE \
	STOREBETA(Y0, Y1)   \
	STOREBETA(Y2, Y3)   \
	STOREBETA(Y4, Y5)   \
	STOREBETA(Y6, Y7)   \
	STOREBETA(Y8, Y9)   \
	STOREBETA(Y10, Y11)

// PREFROW prefetches the 64-byte row at R8 with op (first and last byte:
// it may straddle two cache lines) and moves R8 a row (DX bytes) on.
#define PREFROW(op) \
	op   (R8)   \
	op   63(R8) \
	ADDQ DX, R8

// PREFC prefetches the six rows of a tile from R8 on, leaving R8 six rows
// further.
#define PREFC(op) \
	PREFROW(op) \
	PREFROW(op) \
	PREFROW(op) \
	PREFROW(op) \
	PREFROW(op) \
	PREFROW(op)

// func kernelBlockAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int)
//
// kernelAVX2 over an mpan×npan grid of whole tiles, in macro's order (jr
// outer, ir inner): A panels lie one after another (6·k floats each), so do
// B panels (16·k) and tile (ir, jr) of C starts at c + 6·ir·ldc + 16·jr.
// After a tile, AX points at the next A panel, BX at the next B panel and
// DI at the tile below: the loops only reset AX and BX between columns.
//	R11 A block; R12 this column's B panel; R13 this column's C top;
//	R10 row panels left; SI column panels left.
TEXT ·kernelBlockAVX2(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), R11
	MOVQ b+16(FP), R12
	MOVQ c+24(FP), R13
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX
	MOVQ npan+56(FP), SI

blkcol:
	MOVQ R11, AX
	MOVQ R13, DI
	MOVQ mpan+48(FP), R10

blktile:
	MOVQ R12, BX
	MOVQ DI, R8
	PREFC(PREFETCHT0)
	ZEROACC
	MOVQ k+0(FP), CX
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   blktail

	PCALIGN $32

blkloop4:
	STEP(0, 0)
	STEP(24, 64)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, AX
	ADDQ $256, BX
	DECQ R9
	JNZ  blkloop4

blktail:
	ANDQ $3, CX
	JZ   blkstore

blkloop1:
	STEP(0, 0)
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  blkloop1

blkstore:
	// beta == ±0 (bit pattern without the sign is 0): C must not be read.
	VBROADCASTSS alpha+40(FP), Y14
	VBROADCASTSS beta+44(FP), Y15
	MOVL         beta+44(FP), R8
	SHLL         $1, R8
	JNZ          blkwithbeta
	STORETILE0
	JMP          blknext

blkwithbeta:
	STORETILE

blknext:
	DECQ R10
	JNZ  blktile
	MOVQ BX, R12
	ADDQ $64, R13
	DECQ SI
	JNZ  blkcol
	VZEROUPPER
	RET

// STEPR is STEP reading B in place: row p of the tile's B panel is the 16
// floats at BX + 4·boff[p], boff[p] loaded from so(SI).
#define STEPR(ao, so) \
	MOVQ         so(SI), R10           \
	VMOVUPS      (BX)(R10*4), Y12      \
	VMOVUPS      32(BX)(R10*4), Y13    \
	FMAS(ao)

// func kernelRowsAVX2(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32)
TEXT ·kernelRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ boff+24(FP), SI
	MOVQ c+32(FP), DI
	MOVQ ldc+40(FP), DX
	SHLQ $2, DX

	ZEROACC

	MOVQ CX, R9
	SHRQ $2, R9
	JZ   rtail

	PCALIGN $32

rloop4:
	STEPR(0, 0)
	STEPR(24, 8)
	STEPR(48, 16)
	STEPR(72, 24)
	ADDQ $96, AX
	ADDQ $32, SI
	DECQ R9
	JNZ  rloop4

rtail:
	ANDQ $3, CX
	JZ   rstore

rloop1:
	STEPR(0, 0)
	ADDQ $24, AX
	ADDQ $8, SI
	DECQ CX
	JNZ  rloop1

rstore:
	VBROADCASTSS alpha+48(FP), Y14
	VBROADCASTSS beta+52(FP), Y15
	MOVL         beta+52(FP), R10
	SHLL         $1, R10
	JNZ          rwithbeta

	STORETILE0
	VZEROUPPER
	RET

rwithbeta:
	STORETILE
	VZEROUPPER
	RET

// TRANSPOSE8 transposes the 8×8 block whose rows a..h are Y0..Y7 into
// Y8..Y15, Y8+c holding column c (a_c … h_c); it overwrites Y0..Y7.
// Pairs: Y8 = a0 b0 a1 b1 | a4 b4 a5 b5, Y9 = a2 b2 a3 b3 | …; quads: Y0 =
// a0 b0 c0 d0 | a4 b4 c4 d4, Y1 = a1 b1 c1 d1 | a5 …; then the lanes.
#define TRANSPOSE8 \
	VUNPCKLPS Y1, Y0, Y8 \
	VUNPCKHPS Y1, Y0, Y9 \
	VUNPCKLPS Y3, Y2, Y10 \
	VUNPCKHPS Y3, Y2, Y11 \
	VUNPCKLPS Y5, Y4, Y12 \
	VUNPCKHPS Y5, Y4, Y13 \
	VUNPCKLPS Y7, Y6, Y14 \
	VUNPCKHPS Y7, Y6, Y15 \
	VSHUFPS $0x44, Y10, Y8, Y0 \
	VSHUFPS $0xEE, Y10, Y8, Y1 \
	VSHUFPS $0x44, Y11, Y9, Y2 \
	VSHUFPS $0xEE, Y11, Y9, Y3 \
	VSHUFPS $0x44, Y14, Y12, Y4 \
	VSHUFPS $0xEE, Y14, Y12, Y5 \
	VSHUFPS $0x44, Y15, Y13, Y6 \
	VSHUFPS $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8 \
	VPERM2F128 $0x20, Y5, Y1, Y9 \
	VPERM2F128 $0x20, Y6, Y2, Y10 \
	VPERM2F128 $0x20, Y7, Y3, Y11 \
	VPERM2F128 $0x31, Y4, Y0, Y12 \
	VPERM2F128 $0x31, Y5, Y1, Y13 \
	VPERM2F128 $0x31, Y6, Y2, Y14 \
	VPERM2F128 $0x31, Y7, Y3, Y15

// func pack6(k int, src *float32, ld int, dst *float32)
// Eight columns at a time: the six rows' next 8 floats and two zero rows
// are transposed (TRANSPOSE8), and column j (its first six floats) stored
// at dst + 24j. Each 32-byte store's last 8 bytes are garbage that the next
// store overwrites; the eighth column is stored as exactly 24 bytes, so
// nothing is written past the block. The last k mod 8 columns go one at a
// time.
TEXT ·pack6(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	SHLQ $2, DX
	MOVQ dst+24(FP), DI
	LEAQ (SI)(DX*2), R8 // row 2
	LEAQ (R8)(DX*2), R9 // row 4
	MOVQ CX, R10
	SHRQ $3, R10
	JZ   pack6tail

pack6block:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (R8), Y2
	VMOVUPS (R8)(DX*1), Y3
	VMOVUPS (R9), Y4
	VMOVUPS (R9)(DX*1), Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	TRANSPOSE8
	VMOVUPS      Y8, (DI)
	VMOVUPS      Y9, 24(DI)
	VMOVUPS      Y10, 48(DI)
	VMOVUPS      Y11, 72(DI)
	VMOVUPS      Y12, 96(DI)
	VMOVUPS      Y13, 120(DI)
	VMOVUPS      Y14, 144(DI)
	VMOVUPS      X15, 168(DI)
	VEXTRACTF128 $1, Y15, X15
	VMOVQ        X15, 184(DI)
	ADDQ         $32, SI
	ADDQ         $32, R8
	ADDQ         $32, R9
	ADDQ         $192, DI
	DECQ         R10
	JNZ          pack6block
	VZEROUPPER

pack6tail:
	ANDQ $7, CX
	JZ   pack6done

pack6loop:
	MOVL (SI), AX
	MOVL (SI)(DX*1), BX
	MOVL (R8), R10
	MOVL (R8)(DX*1), R11
	MOVL (R9), R12
	MOVL (R9)(DX*1), R13
	MOVL AX, (DI)
	MOVL BX, 4(DI)
	MOVL R10, 8(DI)
	MOVL R11, 12(DI)
	MOVL R12, 16(DI)
	MOVL R13, 20(DI)
	ADDQ $4, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $24, DI
	DECQ CX
	JNZ  pack6loop

pack6done:
	RET

// func transpose8(k int, src *float32, ld int, dst *float32, stride int)
TEXT ·transpose8(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	SHRQ $3, CX
	JZ   t8done
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	SHLQ $2, DX
	MOVQ dst+24(FP), DI
	MOVQ stride+32(FP), BX
	SHLQ $2, BX
	LEAQ (DX)(DX*2), R8  // 3 rows of src
	LEAQ (BX)(BX*2), R9  // 3 rows of dst
	LEAQ (SI)(DX*4), R10 // src row 4

t8loop:
	// Rows a..h of an 8×8 block: Y0..Y7.
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R8*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(DX*1), Y5
	VMOVUPS (R10)(DX*2), Y6
	VMOVUPS (R10)(R8*1), Y7

	TRANSPOSE8

	MOVQ    DI, R11
	VMOVUPS Y8, (R11)
	VMOVUPS Y9, (R11)(BX*1)
	VMOVUPS Y10, (R11)(BX*2)
	VMOVUPS Y11, (R11)(R9*1)
	LEAQ    (R11)(BX*4), R11
	VMOVUPS Y12, (R11)
	VMOVUPS Y13, (R11)(BX*1)
	VMOVUPS Y14, (R11)(BX*2)
	VMOVUPS Y15, (R11)(R9*1)

	ADDQ $32, SI
	ADDQ $32, R10
	LEAQ (DI)(BX*8), DI
	DECQ CX
	JNZ  t8loop
	VZEROUPPER

t8done:
	RET

// func packRow16(n int, src *float32, dst *float32, stride int, pf *float32)
// copies n runs of 16 floats, src[16q:16q+16] → dst[q*stride:], and
// prefetches the n cache lines from pf on (a later row of the block).
TEXT ·packRow16(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JZ   pr16done
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	MOVQ stride+24(FP), BX
	SHLQ $2, BX
	MOVQ pf+32(FP), R8

pr16loop:
	PREFETCHT0 (R8)
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ BX, DI
	DECQ CX
	JNZ  pr16loop
	VZEROUPPER

pr16done:
	RET

// func packRow6(n int, src *float32, dst *float32, stride int, pf *float32)
// copies n runs of 6 floats, src[6q:6q+6] → dst[q*stride:], and prefetches
// the cache lines of the 24·n bytes from pf on (a later row of the block).
TEXT ·packRow6(SB), NOSPLIT, $0-40
	MOVQ  n+0(FP), CX
	TESTQ CX, CX
	JZ    pr6done
	MOVQ  src+8(FP), SI
	MOVQ  dst+16(FP), DI
	MOVQ  stride+24(FP), BX
	SHLQ  $2, BX
	MOVQ  pf+32(FP), R8
	XORQ  R9, R9 // bytes copied since the last prefetch

pr6loop:
	MOVUPS (SI), X0
	MOVQ   16(SI), AX
	MOVUPS X0, (DI)
	MOVQ   AX, 16(DI)
	ADDQ   $24, SI
	ADDQ   BX, DI
	ADDQ   $24, R9
	CMPQ   R9, $64
	JB     pr6next
	PREFETCHT0 (R8)
	ADDQ   $64, R8
	SUBQ   $64, R9

pr6next:
	DECQ CX
	JNZ  pr6loop
	PREFETCHT0 (R8)

pr6done:
	RET

// func fmaPeakAVX2(n int)
// 12 accumulators Y0..Y11, each += Y12·Y13 twice per iteration: 24
// FMAs in 12 chains, each chain's next FMA 12 FMAs on, enough to keep both
// FMA pipes busy past a 4-cycle latency.
TEXT ·fmaPeakAVX2(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JZ    peak2done

	PCALIGN $32

peak2loop:
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	DECQ CX
	JNZ  peak2loop

peak2done:
	VZEROUPPER
	RET
