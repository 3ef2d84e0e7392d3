//go:build !noasm

#include "textflag.h"
#include "dotred_amd64.h"

// The avx512 path's twins of simd_amd64.s's lane-interleaved Winograd
// transforms (winolanes.go): 16 images side by side in every
// element are one ZMM vector, so a tile position is one vector where the
// AVX2 loops take two halves. Each lane sees the same adds and subtracts
// in the same order as in the AVX2 loops and the Go twins: the same bits.
// Arguments and registers are the AVX2 loops' (LANEARGS there).

#define LANEARGSZ \
	MOVQ v+0(FP), DI      \
	MOVQ vxi+8(FP), BX    \
	SHLQ $2, BX           \
	MOVQ vpos+16(FP), R8  \
	SHLQ $2, R8           \
	MOVQ r+24(FP), SI     \
	MOVQ rw+32(FP), R9    \
	SHLQ $2, R9           \
	MOVQ n+40(FP), CX

// ZSTORE4 stores Z8..Z11 at R13, R13+BX, R13+2BX, R13+3BX, leaving R13
// past them: four consecutive ξ planes of one transform row.
#define ZSTORE4 \
	VMOVUPS Z8, (R13)  \
	ADDQ    BX, R13    \
	VMOVUPS Z9, (R13)  \
	ADDQ    BX, R13    \
	VMOVUPS Z10, (R13) \
	ADDQ    BX, R13    \
	VMOVUPS Z11, (R13) \
	ADDQ    BX, R13

// ZROW is LROW on 16 lanes: Z0..Z3 = columns 0..3 of ra OP rb, then t0 −
// t2, t1 + t2, t2 − t1, t1 − t3 stored by ZSTORE4.
#define ZROW(ra, rb, OP) \
	VMOVUPS (ra), Z0        \
	VMOVUPS 64(ra), Z1      \
	VMOVUPS 128(ra), Z2     \
	VMOVUPS 192(ra), Z3     \
	OP      (rb), Z0, Z0    \
	OP      64(rb), Z1, Z1  \
	OP      128(rb), Z2, Z2 \
	OP      192(rb), Z3, Z3 \
	VSUBPS  Z2, Z0, Z8      \
	VADDPS  Z2, Z1, Z9      \
	VSUBPS  Z1, Z2, Z10     \
	VSUBPS  Z3, Z1, Z11     \
	ZSTORE4

// func winoInLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int)
TEXT ·winoInLanesAVX512(SB), NOSPLIT, $0-48
	LANEARGSZ
	LEAQ  (SI)(R9*1), DX   // row 1
	LEAQ  (SI)(R9*2), R10  // row 2
	LEAQ  (R10)(R9*1), R11 // row 3
	TESTQ CX, CX
	JZ    zlidone

zliloop:
	MOVQ DI, R13
	ZROW(SI, R10, VSUBPS)
	ZROW(DX, R10, VADDPS)
	ZROW(R10, DX, VSUBPS)
	ZROW(DX, R11, VSUBPS)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, R10
	ADDQ $128, R11
	ADDQ R8, DI
	DECQ CX
	JNZ  zliloop

zlidone:
	VZEROUPPER
	RET

// ZOCOL is WOCOL on 16 lanes: s0 = m0 + m4 + m8, s1 = m4 − m8 − m12 for
// the column at R13 (planes R8 = 4 apart, R14 = 12).
#define ZOCOL(s0, s1) \
	VMOVUPS (R13)(R8*1), Z9  \
	VMOVUPS (R13)(R8*2), Z10 \
	VADDPS  (R13), Z9, s0    \
	VADDPS  Z10, s0, s0      \
	VSUBPS  Z10, Z9, s1      \
	VSUBPS  (R13)(R14*1), s1, s1

// ZOUT is LOUT on 16 lanes: Aᵀ m A, y00, y01 at DI, DI+64 and y10, y11
// at DI+R9, DI+R9+64.
#define ZOUT \
	MOVQ    R13, R12        \
	ZOCOL(Z0, Z1)           \
	ADDQ    BX, R13         \
	ZOCOL(Z2, Z3)           \
	ADDQ    BX, R13         \
	ZOCOL(Z4, Z5)           \
	ADDQ    BX, R13         \
	ZOCOL(Z6, Z7)           \
	MOVQ    R12, R13        \
	VADDPS  Z2, Z0, Z8      \
	VADDPS  Z4, Z8, Z8      \
	VSUBPS  Z4, Z2, Z9      \
	VSUBPS  Z6, Z9, Z9      \
	VADDPS  Z3, Z1, Z10     \
	VADDPS  Z5, Z10, Z10    \
	VSUBPS  Z5, Z3, Z11     \
	VSUBPS  Z7, Z11, Z11    \
	VMOVUPS Z8, (DI)        \
	VMOVUPS Z9, 64(DI)      \
	VMOVUPS Z10, (DI)(R9*1) \
	VMOVUPS Z11, 64(DI)(R9*1)

// func winoOutLanesAVX512(o *float32, orw int, m *float32, mxi int, n int)
TEXT ·winoOutLanesAVX512(SB), NOSPLIT, $0-40
	MOVQ  o+0(FP), DI
	MOVQ  orw+8(FP), R9
	SHLQ  $2, R9
	MOVQ  m+16(FP), R13
	MOVQ  mxi+24(FP), BX
	SHLQ  $2, BX
	MOVQ  n+32(FP), CX
	MOVQ  BX, R8
	SHLQ  $2, R8          // 4 planes
	LEAQ  (R8)(R8*2), R14 // 12 planes
	TESTQ CX, CX
	JZ    zlodone

zloloop:
	ZOUT
	ADDQ $64, R13
	ADDQ $128, DI
	DECQ CX
	JNZ  zloloop

zlodone:
	VZEROUPPER
	RET

// ZDYROW stores e, e + o, e − o, −o (Z15 = 0) at R13, R13+BX, …
#define ZDYROW(e, o) \
	VMOVAPS e, Z8       \
	VADDPS  o, e, Z9    \
	VSUBPS  o, e, Z10   \
	VSUBPS  o, Z15, Z11 \
	ZSTORE4

// ZDY is LDY on 16 lanes: the 2×2 gradient tile at SI (row 0) and DX
// (row 1), 64 bytes between columns, into the 16 ξ planes at R13.
#define ZDY \
	VMOVUPS (SI), Z4    \
	VMOVUPS 64(SI), Z5  \
	VMOVUPS (DX), Z6    \
	VMOVUPS 64(DX), Z7  \
	ZDYROW(Z4, Z5)      \
	VADDPS  Z6, Z4, Z0  \
	VADDPS  Z7, Z5, Z1  \
	ZDYROW(Z0, Z1)      \
	VSUBPS  Z6, Z4, Z0  \
	VSUBPS  Z7, Z5, Z1  \
	ZDYROW(Z0, Z1)      \
	VSUBPS  Z6, Z15, Z0 \
	VSUBPS  Z7, Z15, Z1 \
	ZDYROW(Z0, Z1)

// func winoDyLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int)
TEXT ·winoDyLanesAVX512(SB), NOSPLIT, $0-48
	LANEARGSZ
	LEAQ   (SI)(R9*1), DX // row 1
	VPXORD Z15, Z15, Z15
	TESTQ  CX, CX
	JZ     zlddone

zldloop:
	MOVQ DI, R13
	ZDY
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ R8, DI
	DECQ CX
	JNZ  zldloop

zlddone:
	VZEROUPPER
	RET

// func addRows16AVX512(dst *float32, ds int, src *float32, n int)
// One ZMM vector a row, src + dst as addRows16.
TEXT ·addRows16AVX512(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  ds+8(FP), BX
	SHLQ  $2, BX
	MOVQ  src+16(FP), SI
	MOVQ  n+24(FP), CX
	TESTQ CX, CX
	JZ    zar16done

zar16loop:
	VMOVUPS (SI), Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    BX, DI
	DECQ    CX
	JNZ     zar16loop

zar16done:
	VZEROUPPER
	RET

// ROWS4(OP, base) runs OP on the rows base, base+BX, base+2BX, base+R9
// (R9 = 3·BX) for Z registers a..d: OP mem, Z, Z.
#define ROWS4(OP, base, a, b, c, d) \
	OP (base), a, a       \
	OP (base)(BX*1), b, b \
	OP (base)(BX*2), c, c \
	OP (base)(R9*1), d, d

// ROWS16(OP, base) is ROWS4 over Z0..Z15 and the 16 rows from base
// (clobbers base).
#define ROWS16(OP, base) \
	ROWS4(OP, base, Z0, Z1, Z2, Z3)     \
	LEAQ (base)(BX*4), base             \
	ROWS4(OP, base, Z4, Z5, Z6, Z7)     \
	LEAQ (base)(BX*4), base             \
	ROWS4(OP, base, Z8, Z9, Z10, Z11)   \
	LEAQ (base)(BX*4), base             \
	ROWS4(OP, base, Z12, Z13, Z14, Z15)

// ZLOAD4 loads four source rows from base (DX apart, R8 = 3·DX) and
// fetches each 1 KiB ahead.
#define ZLOAD4(base, a, b, c, d) \
	VMOVUPS    (base), a         \
	VMOVUPS    (base)(DX*1), b   \
	VMOVUPS    (base)(DX*2), c   \
	VMOVUPS    (base)(R8*1), d   \
	PREFETCHT0 1024(base)        \
	PREFETCHT0 1024(base)(DX*1)  \
	PREFETCHT0 1024(base)(DX*2)  \
	PREFETCHT0 1024(base)(R8*1)

// ZSTORE4R stores four rows to base (BX apart, R9 = 3·BX).
#define ZSTORE4R(base, a, b, c, d) \
	VMOVUPS a, (base)       \
	VMOVUPS b, (base)(BX*1) \
	VMOVUPS c, (base)(BX*2) \
	VMOVUPS d, (base)(R9*1)

// T4X4 transposes, in each 128-bit lane, the 4×4 block of rows a..d
// (registers) by way of the unpacked pairs lo01, hi01, lo23, hi23:
// afterwards a..d hold its columns 0..3.
#define T4X4(a, b, c, d, lo01, hi01, lo23, hi23) \
	VUNPCKLPS b, a, lo01         \
	VUNPCKHPS b, a, hi01         \
	VUNPCKLPS d, c, lo23         \
	VUNPCKHPS d, c, hi23         \
	VSHUFPS   $0x44, lo23, lo01, a \
	VSHUFPS   $0xEE, lo23, lo01, b \
	VSHUFPS   $0x44, hi23, hi01, c \
	VSHUFPS   $0xEE, hi23, hi01, d

// L4X4 transposes the 4×4 matrix of 128-bit lanes of a..d (Z16..Z19
// scratch): lane G of the new a, b, c, d is lane 0, 1, 2, 3 of the G-th
// old register.
#define L4X4(a, b, c, d) \
	VSHUFF32X4 $0x44, b, a, Z16   \
	VSHUFF32X4 $0xEE, b, a, Z17   \
	VSHUFF32X4 $0x44, d, c, Z18   \
	VSHUFF32X4 $0xEE, d, c, Z19   \
	VSHUFF32X4 $0x88, Z18, Z16, a \
	VSHUFF32X4 $0xDD, Z18, Z16, b \
	VSHUFF32X4 $0x88, Z19, Z17, c \
	VSHUFF32X4 $0xDD, Z19, Z17, d

// func tr16(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32)
// tr8 on 16×16 blocks: rows 0..15 of a block in Z0..Z15 become its
// columns in two steps, a 4×4 transpose inside every 128-bit lane of each
// group of four rows (T4X4), then one of the 128-bit lanes of the four
// groups' column j (L4X4), which leaves column k in Z(k). The epilogue is
// tr8's, per element the same adds and max in the same order. R14 flags,
// AX res − dst in bytes.
TEXT ·tr16(SB), NOSPLIT, $0-80
	MOVQ  dst+0(FP), DI
	MOVQ  drow+8(FP), BX
	SHLQ  $2, BX
	MOVQ  dblk+16(FP), R12
	SHLQ  $2, R12
	MOVQ  src+24(FP), SI
	MOVQ  srow+32(FP), DX
	SHLQ  $2, DX
	MOVQ  sblk+40(FP), R13
	SHLQ  $2, R13
	MOVQ  n+48(FP), CX
	MOVQ  flags+56(FP), R14
	MOVQ  res+72(FP), AX
	SUBQ  DI, AX
	LEAQ  (DX)(DX*2), R8 // 3 rows of src
	LEAQ  (BX)(BX*2), R9 // 3 rows of dst
	TESTQ CX, CX
	JZ    tr16done

tr16loop:
	MOVQ   SI, R10
	ZLOAD4(R10, Z0, Z1, Z2, Z3)
	LEAQ   (R10)(DX*4), R10
	ZLOAD4(R10, Z4, Z5, Z6, Z7)
	LEAQ   (R10)(DX*4), R10
	ZLOAD4(R10, Z8, Z9, Z10, Z11)
	LEAQ   (R10)(DX*4), R10
	ZLOAD4(R10, Z12, Z13, Z14, Z15)

	T4X4(Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19)
	T4X4(Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23)
	T4X4(Z8, Z9, Z10, Z11, Z24, Z25, Z26, Z27)
	T4X4(Z12, Z13, Z14, Z15, Z28, Z29, Z30, Z31)
	L4X4(Z0, Z4, Z8, Z12)
	L4X4(Z1, Z5, Z9, Z13)
	L4X4(Z2, Z6, Z10, Z14)
	L4X4(Z3, Z7, Z11, Z15)

	TESTQ $1, R14
	JZ    tr16ep
	MOVQ  DI, R10
	ROWS16(VADDPS, R10)

tr16ep:
	// The epilogue, in affineRows' order: v + shift, + res, then ReLU.
	TESTQ        $2, R14
	JZ           tr16store
	VBROADCASTSS shift+64(FP), Z16
	VADDPS       Z16, Z0, Z0
	VADDPS       Z16, Z1, Z1
	VADDPS       Z16, Z2, Z2
	VADDPS       Z16, Z3, Z3
	VADDPS       Z16, Z4, Z4
	VADDPS       Z16, Z5, Z5
	VADDPS       Z16, Z6, Z6
	VADDPS       Z16, Z7, Z7
	VADDPS       Z16, Z8, Z8
	VADDPS       Z16, Z9, Z9
	VADDPS       Z16, Z10, Z10
	VADDPS       Z16, Z11, Z11
	VADDPS       Z16, Z12, Z12
	VADDPS       Z16, Z13, Z13
	VADDPS       Z16, Z14, Z14
	VADDPS       Z16, Z15, Z15
	TESTQ        $8, R14
	JZ           tr16relu
	LEAQ         (DI)(AX*1), R10
	ROWS16(VADDPS, R10)

tr16relu:
	TESTQ  $4, R14
	JZ     tr16store
	VPXORD Z17, Z17, Z17
	VMAXPS Z0, Z17, Z0
	VMAXPS Z1, Z17, Z1
	VMAXPS Z2, Z17, Z2
	VMAXPS Z3, Z17, Z3
	VMAXPS Z4, Z17, Z4
	VMAXPS Z5, Z17, Z5
	VMAXPS Z6, Z17, Z6
	VMAXPS Z7, Z17, Z7
	VMAXPS Z8, Z17, Z8
	VMAXPS Z9, Z17, Z9
	VMAXPS Z10, Z17, Z10
	VMAXPS Z11, Z17, Z11
	VMAXPS Z12, Z17, Z12
	VMAXPS Z13, Z17, Z13
	VMAXPS Z14, Z17, Z14
	VMAXPS Z15, Z17, Z15
	VADDPS Z17, Z0, Z0 // −0 → +0, as affineRows
	VADDPS Z17, Z1, Z1
	VADDPS Z17, Z2, Z2
	VADDPS Z17, Z3, Z3
	VADDPS Z17, Z4, Z4
	VADDPS Z17, Z5, Z5
	VADDPS Z17, Z6, Z6
	VADDPS Z17, Z7, Z7
	VADDPS Z17, Z8, Z8
	VADDPS Z17, Z9, Z9
	VADDPS Z17, Z10, Z10
	VADDPS Z17, Z11, Z11
	VADDPS Z17, Z12, Z12
	VADDPS Z17, Z13, Z13
	VADDPS Z17, Z14, Z14
	VADDPS Z17, Z15, Z15

tr16store:
	MOVQ DI, R10
	ZSTORE4R(R10, Z0, Z1, Z2, Z3)
	LEAQ (R10)(BX*4), R10
	ZSTORE4R(R10, Z4, Z5, Z6, Z7)
	LEAQ (R10)(BX*4), R10
	ZSTORE4R(R10, Z8, Z9, Z10, Z11)
	LEAQ (R10)(BX*4), R10
	ZSTORE4R(R10, Z12, Z13, Z14, Z15)

	ADDQ R13, SI
	ADDQ R12, DI
	DECQ CX
	JNZ  tr16loop

tr16done:
	VZEROUPPER
	RET

// D38COL is one column step of dot38AVX512: column j of v (lo, at c+j) and
// its partner c+4+j (hi) in the two halves of Z15, times rows 0..2 of w
// (Z12..Z14) into the accumulators a, b, c.
#define D38COL(lo, hi, a, b, c) \
	VMOVUPS      lo, Y15          \
	VINSERTF64X4 $1, hi, Z15, Z15 \
	VFMADD231PS  Z15, Z12, a      \
	VFMADD231PS  Z15, Z13, b      \
	VFMADD231PS  Z15, Z14, c

// func dot38AVX512(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int)
// dot34 on the blocks at columns c and c+4 at once: Z(4k+j) holds, in its
// low half, dot34's Y(4k+j) for rows k of w and c+j of v and, in its high
// half, the same for row c+4+j (w's 8 elements broadcast to both halves).
// Each half runs dot34's FMAs in dot34's order and is reduced by the same
// DOTRED4, so the 3×8 block gets the bits of two dot34 calls.
TEXT ·dot38AVX512(SB), NOSPLIT, $0-56
	DOTARGS
	LEAQ (DX)(R10*4), R12 // row 4 of v
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
	SHRQ $3, CX
	JZ   d38red

d38loop:
	VBROADCASTF64X4 (SI), Z12
	VBROADCASTF64X4 (SI)(R9*1), Z13
	VBROADCASTF64X4 (SI)(R9*2), Z14
	D38COL((DX), (R12), Z0, Z4, Z8)
	D38COL((DX)(R10*1), (R12)(R10*1), Z1, Z5, Z9)
	D38COL((DX)(R10*2), (R12)(R10*2), Z2, Z6, Z10)
	D38COL((DX)(R11*1), (R12)(R11*1), Z3, Z7, Z11)
	ADDQ            $32, SI
	ADDQ            $32, DX
	ADDQ            $32, R12
	DECQ            CX
	JNZ             d38loop

d38red:
	DOTRED8(Z0, Z1, Z2, Z3, Y0, Y1, Y2, Y3, X0, X1, DI)
	ADDQ R8, DI
	DOTRED8(Z4, Z5, Z6, Z7, Y4, Y5, Y6, Y7, X4, X5, DI)
	ADDQ R8, DI
	DOTRED8(Z8, Z9, Z10, Z11, Y8, Y9, Y10, Y11, X8, X9, DI)
	VZEROUPPER
	RET

// func copyRowsNTAVX512(dst *float32, src *float32, srow, rows, w16 int)
// copyRowsNTAVX512 is copyRowsNT, one ZMM vector a cache line.
TEXT ·copyRowsNTAVX512(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  srow+16(FP), BX
	SHLQ  $2, BX
	MOVQ  rows+24(FP), CX
	MOVQ  w16+32(FP), DX
	TESTQ CX, CX
	JZ    cntdone
	TESTQ DX, DX
	JZ    cntdone

cntrow:
	MOVQ SI, R8
	MOVQ DX, R9

cntcol:
	VMOVUPS  (R8), Z0
	VMOVNTPS Z0, (DI)
	ADDQ     $64, R8
	ADDQ     $64, DI
	DECQ     R9
	JNZ      cntcol
	ADDQ     BX, SI
	DECQ     CX
	JNZ      cntrow

cntdone:
	SFENCE
	VZEROUPPER
	RET
