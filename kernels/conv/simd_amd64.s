//go:build !noasm

#include "textflag.h"
#include "dotred_amd64.h"

// The loops of simd_amd64.go: 8 float32s per iteration, n a multiple of 8.
// Y15 holds zero where a loop needs it. Float64 sums keep two vector
// accumulators (4 lanes each) and reduce them in a fixed order, so a given
// n always gives the same bits.

// LANEARGS loads the arguments (v, vxi, vpos, r, rw, n) of winoInLanes and
// winoDyLanes: DI = v, BX = vxi and R8 = vpos in bytes, SI = r, R9 = rw in
// bytes, CX = n.
#define LANEARGS \
	MOVQ v+0(FP), DI      \
	MOVQ vxi+8(FP), BX    \
	SHLQ $2, BX           \
	MOVQ vpos+16(FP), R8  \
	SHLQ $2, R8           \
	MOVQ r+24(FP), SI     \
	MOVQ rw+32(FP), R9    \
	SHLQ $2, R9           \
	MOVQ n+40(FP), CX

// Winograd F(2×2, 3×3) transforms over 8 tiles per iteration (see
// winograd.go); n is a multiple of 8.

// WSTORE4 puts Y9, Y10, Y11 in tile order (Y8 is already) and stores
// Y8..Y11 at R13, R13+BX, R13+2BX, R13+3BX, leaving R13 past them: four
// consecutive ξ planes of one transform row.
#define WSTORE4 \
	VPERMPD $0xD8, Y9, Y9   \
	VPERMPD $0xD8, Y10, Y10 \
	VPERMPD $0xD8, Y11, Y11 \
	VMOVUPS Y8, (R13)       \
	ADDQ    BX, R13         \
	VMOVUPS Y9, (R13)       \
	ADDQ    BX, R13         \
	VMOVUPS Y10, (R13)      \
	ADDQ    BX, R13         \
	VMOVUPS Y11, (R13)      \
	ADDQ    BX, R13

// WROW loads columns 2u..2u+15 (Y0, Y1) and 2u+2..2u+17 (Y2, Y3) of row
// ra and combines them with row rb: Y = ra OP rb.
#define WROW(ra, rb, OP) \
	VMOVUPS (ra), Y0      \
	VMOVUPS 32(ra), Y1    \
	VMOVUPS 8(ra), Y2     \
	VMOVUPS 40(ra), Y3    \
	OP      (rb), Y0, Y0  \
	OP      32(rb), Y1, Y1 \
	OP      8(rb), Y2, Y2 \
	OP      40(rb), Y3, Y3

// WCOLS applies (·)B to the row held in Y0..Y3 for 8 tiles and stores the
// four results at R13, R13+BX, R13+2BX, R13+3BX, leaving R13 past them.
// Even/odd columns are split with VSHUFPS (per 128-bit lane) and put in
// order with VPERMPD after the arithmetic, which is elementwise.
#define WCOLS \
	VSHUFPS $0x88, Y1, Y0, Y4 \
	VSHUFPS $0xDD, Y1, Y0, Y5 \
	VSHUFPS $0x88, Y3, Y2, Y6 \
	VSHUFPS $0xDD, Y3, Y2, Y7 \
	VSUBPS  Y6, Y4, Y8        \
	VADDPS  Y6, Y5, Y9        \
	VSUBPS  Y5, Y6, Y10       \
	VSUBPS  Y7, Y5, Y11       \
	VPERMPD $0xD8, Y8, Y8     \
	WSTORE4

// func winoInAVX2(v *float32, vst int, r *float32, rw int, n int)
TEXT ·winoInAVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), DI
	MOVQ vst+8(FP), BX
	SHLQ $2, BX
	MOVQ r+16(FP), SI
	MOVQ rw+24(FP), R9
	SHLQ $2, R9
	MOVQ n+32(FP), CX
	LEAQ (SI)(R9*1), DX  // row 1
	LEAQ (SI)(R9*2), R10 // row 2
	LEAQ (R10)(R9*1), R11 // row 3
	SHRQ $3, CX
	JZ   widone

wiloop:
	MOVQ DI, R13
	WROW(SI, R10, VSUBPS) // d0 − d2
	WCOLS
	WROW(DX, R10, VADDPS) // d1 + d2
	WCOLS
	WROW(R10, DX, VSUBPS) // d2 − d1
	WCOLS
	WROW(DX, R11, VSUBPS) // d1 − d3
	WCOLS
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $32, DI
	DECQ CX
	JNZ  wiloop

widone:
	VZEROUPPER
	RET

// WOCOL applies Aᵀ down one column of m for 8 tiles: with m0..m3 at R13
// + {0, 4, 8, 12}·mst, s0 = m0 + m1 + m2 and s1 = m1 − m2 − m3.
#define WOCOL(s0, s1) \
	VMOVUPS (R13)(R8*1), Y9      \
	VMOVUPS (R13)(R8*2), Y10     \
	VADDPS  (R13), Y9, s0        \
	VADDPS  Y10, s0, s0          \
	VSUBPS  Y10, Y9, s1          \
	VSUBPS  (R13)(R14*1), s1, s1

// func winoOutAVX2(o *float32, orw int, m *float32, mst int, n int)
TEXT ·winoOutAVX2(SB), NOSPLIT, $0-40
	MOVQ o+0(FP), DI
	MOVQ orw+8(FP), R9
	SHLQ $2, R9
	MOVQ m+16(FP), SI
	MOVQ mst+24(FP), BX
	SHLQ $2, BX
	MOVQ n+32(FP), CX
	LEAQ (BX)(BX*2), R12 // 3·mst
	MOVQ BX, R8
	SHLQ $2, R8          // 4·mst
	LEAQ (R8)(R8*2), R14 // 12·mst
	SHRQ $3, CX
	JZ   wodone

woloop:
	// Column j of m: ξ = j, 4+j, 8+j, 12+j at SI + j·mst + {0, 4, 8, 12}·mst.
	// s0[j] = m0 + m1 + m2 → Y(2j), s1[j] = m1 − m2 − m3 → Y(2j+1).
	MOVQ    SI, R13
	WOCOL(Y0, Y1)
	ADDQ  BX, R13
	WOCOL(Y2, Y3)
	ADDQ  BX, R13
	WOCOL(Y4, Y5)
	ADDQ  BX, R13
	WOCOL(Y6, Y7)

	// Row 0: y00 = s0[0] + s0[1] + s0[2], y01 = s0[1] − s0[2] − s0[3].
	VADDPS Y2, Y0, Y8
	VADDPS Y4, Y8, Y8
	VSUBPS Y4, Y2, Y9
	VSUBPS Y6, Y9, Y9
	// Row 1 from s1 likewise.
	VADDPS Y3, Y1, Y10
	VADDPS Y5, Y10, Y10
	VSUBPS Y5, Y3, Y11
	VSUBPS Y7, Y11, Y11

	// Interleave (y00, y01) and (y10, y11) into 16 output columns each.
	VUNPCKLPS  Y9, Y8, Y12
	VUNPCKHPS  Y9, Y8, Y13
	VPERM2F128 $0x20, Y13, Y12, Y14
	VPERM2F128 $0x31, Y13, Y12, Y15
	VMOVUPS    Y14, (DI)
	VMOVUPS    Y15, 32(DI)
	VUNPCKLPS  Y11, Y10, Y12
	VUNPCKHPS  Y11, Y10, Y13
	VPERM2F128 $0x20, Y13, Y12, Y14
	VPERM2F128 $0x31, Y13, Y12, Y15
	VMOVUPS    Y14, (DI)(R9*1)
	VMOVUPS    Y15, 32(DI)(R9*1)

	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  woloop

wodone:
	VZEROUPPER
	RET

// WDYROW stores the four columns (·)Aᵀ of one row (e, o) of A·dy for 8
// tiles at R13, R13+BX, …: e, e + o, e − o, −o (Y15 = 0), each put back
// in tile order with VPERMPD, leaving R13 past them.
#define WDYROW(e, o) \
	VADDPS  o, e, Y9      \
	VSUBPS  o, e, Y10     \
	VSUBPS  o, Y15, Y11   \
	VPERMPD $0xD8, e, Y8  \
	WSTORE4

// func winoDyAVX2(v *float32, vst int, r *float32, rw int, n int)
TEXT ·winoDyAVX2(SB), NOSPLIT, $0-40
	MOVQ   v+0(FP), DI
	MOVQ   vst+8(FP), BX
	SHLQ   $2, BX
	MOVQ   r+16(FP), SI
	MOVQ   rw+24(FP), R9
	SHLQ   $2, R9
	MOVQ   n+32(FP), CX
	LEAQ   (SI)(R9*1), DX // row 1
	VXORPS Y15, Y15, Y15
	SHRQ   $3, CX
	JZ     wddone

wdloop:
	MOVQ    DI, R13
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (DX), Y2
	VMOVUPS 32(DX), Y3
	VSHUFPS $0x88, Y1, Y0, Y4 // row 0, tile column 0
	VSHUFPS $0xDD, Y1, Y0, Y5 // row 0, tile column 1
	VSHUFPS $0x88, Y3, Y2, Y6 // row 1, column 0
	VSHUFPS $0xDD, Y3, Y2, Y7 // row 1, column 1
	WDYROW(Y4, Y5)            // d0
	VADDPS  Y6, Y4, Y0
	VADDPS  Y7, Y5, Y1
	WDYROW(Y0, Y1)            // d0 + d1
	VSUBPS  Y6, Y4, Y0
	VSUBPS  Y7, Y5, Y1
	WDYROW(Y0, Y1)            // d0 − d1
	VSUBPS  Y6, Y15, Y0
	VSUBPS  Y7, Y15, Y1
	WDYROW(Y0, Y1)            // −d1
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     wdloop

wddone:
	VZEROUPPER
	RET

// Winograd transforms on lane-interleaved tiles (winolanes.go): 16
// images side by side in every element, so one tile position is two
// vectors of 8 lanes and the transforms are plain vertical arithmetic.

// LSTORE4 stores Y8..Y11 at R13, R13+BX, R13+2BX, R13+3BX, leaving R13
// past them: four consecutive ξ planes of one transform row.
#define LSTORE4 \
	VMOVUPS Y8, (R13)  \
	ADDQ    BX, R13    \
	VMOVUPS Y9, (R13)  \
	ADDQ    BX, R13    \
	VMOVUPS Y10, (R13) \
	ADDQ    BX, R13    \
	VMOVUPS Y11, (R13) \
	ADDQ    BX, R13

// LROW loads columns 0..3 of row ra (64 bytes apart: one tile position of
// 16 lanes per column) combined with row rb: Y0..Y3 = ra OP rb; then (·)B
// down the columns: t0 − t2, t1 + t2, t2 − t1, t1 − t3, stored by LSTORE4.
#define LROW(ra, rb, OP) \
	VMOVUPS (ra), Y0       \
	VMOVUPS 64(ra), Y1     \
	VMOVUPS 128(ra), Y2    \
	VMOVUPS 192(ra), Y3    \
	OP      (rb), Y0, Y0   \
	OP      64(rb), Y1, Y1 \
	OP      128(rb), Y2, Y2 \
	OP      192(rb), Y3, Y3 \
	VSUBPS  Y2, Y0, Y8     \
	VADDPS  Y2, Y1, Y9     \
	VSUBPS  Y1, Y2, Y10    \
	VSUBPS  Y3, Y1, Y11    \
	LSTORE4

// LIN transforms the 8 lanes at SI, DX, R10, R11 (rows 0..3) into the 16
// ξ planes at R13 (BX apart): Bᵀ's rows d0 − d2, d1 + d2, d2 − d1, d1 − d3.
#define LIN \
	LROW(SI, R10, VSUBPS) \
	LROW(DX, R10, VADDPS) \
	LROW(R10, DX, VSUBPS) \
	LROW(DX, R11, VSUBPS)

// func winoInLanes(v *float32, vxi, vpos int, r *float32, rw int, n int)
TEXT ·winoInLanes(SB), NOSPLIT, $0-48
	LANEARGS
	LEAQ (SI)(R9*1), DX   // row 1
	LEAQ (SI)(R9*2), R10  // row 2
	LEAQ (R10)(R9*1), R11 // row 3
	TESTQ CX, CX
	JZ   lidone

liloop:
	MOVQ DI, R13
	LIN
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R10
	ADDQ $32, R11
	LEAQ 32(DI), R13
	LIN
	ADDQ $96, SI
	ADDQ $96, DX
	ADDQ $96, R10
	ADDQ $96, R11
	ADDQ R8, DI
	DECQ CX
	JNZ  liloop

lidone:
	VZEROUPPER
	RET

// LOUT applies Aᵀ m A to the 8 lanes at R13 (ξ planes BX apart, R8 = 4
// planes, R14 = 12 planes) and stores y00, y01 at DI, DI+64 and y10, y11
// at DI+R9, DI+R9+64.
#define LOUT \
	MOVQ   R13, R12      \
	WOCOL(Y0, Y1)        \
	ADDQ   BX, R13       \
	WOCOL(Y2, Y3)        \
	ADDQ   BX, R13       \
	WOCOL(Y4, Y5)        \
	ADDQ   BX, R13       \
	WOCOL(Y6, Y7)        \
	MOVQ   R12, R13      \
	VADDPS Y2, Y0, Y8    \
	VADDPS Y4, Y8, Y8    \
	VSUBPS Y4, Y2, Y9    \
	VSUBPS Y6, Y9, Y9    \
	VADDPS Y3, Y1, Y10   \
	VADDPS Y5, Y10, Y10  \
	VSUBPS Y5, Y3, Y11   \
	VSUBPS Y7, Y11, Y11  \
	VMOVUPS Y8, (DI)     \
	VMOVUPS Y9, 64(DI)   \
	VMOVUPS Y10, (DI)(R9*1) \
	VMOVUPS Y11, 64(DI)(R9*1)

// func winoOutLanes(o *float32, orw int, m *float32, mxi int, n int)
TEXT ·winoOutLanes(SB), NOSPLIT, $0-40
	MOVQ o+0(FP), DI
	MOVQ orw+8(FP), R9
	SHLQ $2, R9
	MOVQ m+16(FP), R13
	MOVQ mxi+24(FP), BX
	SHLQ $2, BX
	MOVQ n+32(FP), CX
	MOVQ BX, R8
	SHLQ $2, R8          // 4 planes
	LEAQ (R8)(R8*2), R14 // 12 planes
	TESTQ CX, CX
	JZ   lodone

loloop:
	LOUT
	ADDQ $32, R13
	ADDQ $32, DI
	LOUT
	ADDQ $32, R13
	ADDQ $96, DI
	DECQ CX
	JNZ  loloop

lodone:
	VZEROUPPER
	RET

// LDYROW stores e, e + o, e − o, −o (Y15 = 0) at R13, R13+BX, …
#define LDYROW(e, o) \
	VMOVAPS e, Y8       \
	VADDPS  o, e, Y9    \
	VSUBPS  o, e, Y10   \
	VSUBPS  o, Y15, Y11 \
	LSTORE4

// LDY transforms the 2×2 gradient tile at SI (row 0) and DX (row 1), 64
// bytes between columns, into the 16 ξ planes at R13: A e Aᵀ.
#define LDY \
	VMOVUPS (SI), Y4   \
	VMOVUPS 64(SI), Y5 \
	VMOVUPS (DX), Y6   \
	VMOVUPS 64(DX), Y7 \
	LDYROW(Y4, Y5)     \
	VADDPS  Y6, Y4, Y0 \
	VADDPS  Y7, Y5, Y1 \
	LDYROW(Y0, Y1)     \
	VSUBPS  Y6, Y4, Y0 \
	VSUBPS  Y7, Y5, Y1 \
	LDYROW(Y0, Y1)     \
	VSUBPS  Y6, Y15, Y0 \
	VSUBPS  Y7, Y15, Y1 \
	LDYROW(Y0, Y1)

// func winoDyLanes(v *float32, vxi, vpos int, r *float32, rw int, n int)
TEXT ·winoDyLanes(SB), NOSPLIT, $0-48
	LANEARGS
	LEAQ   (SI)(R9*1), DX // row 1
	VXORPS Y15, Y15, Y15
	TESTQ  CX, CX
	JZ     lddone

ldloop:
	MOVQ DI, R13
	LDY
	ADDQ $32, SI
	ADDQ $32, DX
	LEAQ 32(DI), R13
	LDY
	ADDQ $96, SI
	ADDQ $96, DX
	ADDQ R8, DI
	DECQ CX
	JNZ  ldloop

lddone:
	VZEROUPPER
	RET

// func tr8(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32)
// flags: tr8Add 1, tr8Shift 2, tr8ReLU 4, tr8Res 8 (res read at dst's
// offsets). R14 flags, AX res − dst in bytes.
TEXT ·tr8(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ drow+8(FP), BX
	SHLQ $2, BX
	MOVQ dblk+16(FP), R12
	SHLQ $2, R12
	MOVQ src+24(FP), SI
	MOVQ srow+32(FP), DX
	SHLQ $2, DX
	MOVQ sblk+40(FP), R13
	SHLQ $2, R13
	MOVQ n+48(FP), CX
	MOVQ flags+56(FP), R14
	MOVQ res+72(FP), AX
	SUBQ DI, AX
	LEAQ (DX)(DX*2), R8 // 3 rows of src
	LEAQ (BX)(BX*2), R9 // 3 rows of dst
	TESTQ CX, CX
	JZ   tr8done

tr8loop:
	LEAQ    (SI)(DX*4), R10
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R8*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(DX*1), Y5
	VMOVUPS (R10)(DX*2), Y6
	VMOVUPS (R10)(R8*1), Y7

	// The eight source rows are eight streams (eight images when
	// interleaving): fetch each 512 bytes ahead.
	PREFETCHT0 512(SI)
	PREFETCHT0 512(SI)(DX*1)
	PREFETCHT0 512(SI)(DX*2)
	PREFETCHT0 512(SI)(R8*1)
	PREFETCHT0 512(R10)
	PREFETCHT0 512(R10)(DX*1)
	PREFETCHT0 512(R10)(DX*2)
	PREFETCHT0 512(R10)(R8*1)

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	LEAQ  (DI)(BX*4), R11
	TESTQ $1, R14
	JZ    tr8ep
	VADDPS (DI), Y8, Y8
	VADDPS (DI)(BX*1), Y9, Y9
	VADDPS (DI)(BX*2), Y10, Y10
	VADDPS (DI)(R9*1), Y11, Y11
	VADDPS (R11), Y12, Y12
	VADDPS (R11)(BX*1), Y13, Y13
	VADDPS (R11)(BX*2), Y14, Y14
	VADDPS (R11)(R9*1), Y15, Y15

tr8ep:
	// The epilogue, in affineRows' order: v + shift, + res, then ReLU.
	TESTQ $2, R14
	JZ    tr8store
	VBROADCASTSS shift+64(FP), Y0
	VADDPS       Y0, Y8, Y8
	VADDPS       Y0, Y9, Y9
	VADDPS       Y0, Y10, Y10
	VADDPS       Y0, Y11, Y11
	VADDPS       Y0, Y12, Y12
	VADDPS       Y0, Y13, Y13
	VADDPS       Y0, Y14, Y14
	VADDPS       Y0, Y15, Y15
	TESTQ        $8, R14
	JZ           tr8relu
	LEAQ         (DI)(AX*1), R10
	VADDPS       (R10), Y8, Y8
	VADDPS       (R10)(BX*1), Y9, Y9
	VADDPS       (R10)(BX*2), Y10, Y10
	VADDPS       (R10)(R9*1), Y11, Y11
	LEAQ         (R10)(BX*4), R10
	VADDPS       (R10), Y12, Y12
	VADDPS       (R10)(BX*1), Y13, Y13
	VADDPS       (R10)(BX*2), Y14, Y14
	VADDPS       (R10)(R9*1), Y15, Y15

tr8relu:
	TESTQ  $4, R14
	JZ     tr8store
	VXORPS Y1, Y1, Y1
	VMAXPS Y8, Y1, Y8
	VMAXPS Y9, Y1, Y9
	VMAXPS Y10, Y1, Y10
	VMAXPS Y11, Y1, Y11
	VMAXPS Y12, Y1, Y12
	VMAXPS Y13, Y1, Y13
	VMAXPS Y14, Y1, Y14
	VMAXPS Y15, Y1, Y15
	VADDPS Y1, Y8, Y8 // −0 → +0, as affineRows
	VADDPS Y1, Y9, Y9
	VADDPS Y1, Y10, Y10
	VADDPS Y1, Y11, Y11
	VADDPS Y1, Y12, Y12
	VADDPS Y1, Y13, Y13
	VADDPS Y1, Y14, Y14
	VADDPS Y1, Y15, Y15

tr8store:
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(BX*1)
	VMOVUPS Y10, (DI)(BX*2)
	VMOVUPS Y11, (DI)(R9*1)
	VMOVUPS Y12, (R11)
	VMOVUPS Y13, (R11)(BX*1)
	VMOVUPS Y14, (R11)(BX*2)
	VMOVUPS Y15, (R11)(R9*1)

	ADDQ R13, SI
	ADDQ R12, DI
	DECQ CX
	JNZ  tr8loop

tr8done:
	VZEROUPPER
	RET

// func addRows16(dst *float32, ds int, src *float32, n int)
TEXT ·addRows16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), BX
	SHLQ $2, BX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
	TESTQ CX, CX
	JZ   ar16done

ar16loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    BX, DI
	DECQ    CX
	JNZ     ar16loop

ar16done:
	VZEROUPPER
	RET

// func dot34(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int)
TEXT ·dot34(SB), NOSPLIT, $0-56
	DOTARGS
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
	SHRQ  $3, CX
	JZ    d34red

d34loop:
	VMOVUPS     (SI), Y12
	VMOVUPS     (SI)(R9*1), Y13
	VMOVUPS     (SI)(R9*2), Y14
	VMOVUPS     (DX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y8
	VMOVUPS     (DX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y1
	VFMADD231PS Y15, Y13, Y5
	VFMADD231PS Y15, Y14, Y9
	VMOVUPS     (DX)(R10*2), Y15
	VFMADD231PS Y15, Y12, Y2
	VFMADD231PS Y15, Y13, Y6
	VFMADD231PS Y15, Y14, Y10
	VMOVUPS     (DX)(R11*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y11
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         d34loop

d34red:
	DOTRED4(Y0, Y1, Y2, Y3, X0, X1, DI)
	ADDQ R8, DI
	DOTRED4(Y4, Y5, Y6, Y7, X4, X5, DI)
	ADDQ R8, DI
	DOTRED4(Y8, Y9, Y10, Y11, X8, X9, DI)
	VZEROUPPER
	RET

// func copyRowsNT(dst *float32, src *float32, srow, rows, w16 int)
TEXT ·copyRowsNT(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  srow+16(FP), BX
	SHLQ  $2, BX
	MOVQ  rows+24(FP), CX
	MOVQ  w16+32(FP), DX
	TESTQ CX, CX
	JZ    cnydone
	TESTQ DX, DX
	JZ    cnydone

cnyrow:
	MOVQ SI, R8
	MOVQ DX, R9

cnycol:
	VMOVUPS  (R8), Y0
	VMOVUPS  32(R8), Y1
	VMOVNTPS Y0, (DI)
	VMOVNTPS Y1, 32(DI)
	ADDQ     $64, R8
	ADDQ     $64, DI
	DECQ     R9
	JNZ      cnycol
	ADDQ     BX, SI
	DECQ     CX
	JNZ      cnyrow

cnydone:
	SFENCE
	VZEROUPPER
	RET
