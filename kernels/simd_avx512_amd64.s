//go:build !noasm

#include "textflag.h"

// The avx512 path's twins of simd_amd64.s's lane-interleaved Winograd
// transforms (conv2d_winolanes.go): 16 images side by side in every
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

// TAILMASK sets K1 to the low n&15 lanes, n in R8 (clobbers R8, AX, CX).
#define TAILMASK \
	ANDQ  $15, R8 \
	MOVQ  R8, CX  \
	MOVL  $1, AX  \
	SHLL  CX, AX  \
	DECL  AX      \
	KMOVW AX, K1

// func reluAVX512(dst, x *float32, n int)
// 16 lanes at a time, then the n%16 tail under a mask (loads of masked-off
// lanes do not fault): max(x, 0) + 0 as reluAVX2 (NaN passes, −0 → +0).
TEXT ·reluAVX512(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	MOVQ   CX, R8
	VPXORD Z15, Z15, Z15
	SHRQ   $4, CX
	JZ     zrltail

zrlloop:
	VMOVUPS (SI), Z0
	VMAXPS  Z0, Z15, Z0
	VADDPS  Z15, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     zrlloop

zrltail:
	TESTQ   $15, R8
	JZ      zrldone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS  Z0, Z15, Z0
	VADDPS  Z15, Z0, Z0
	VMOVUPS Z0, K1, (DI)

zrldone:
	VZEROUPPER
	RET

// func reluGradAccAVX512(dst, dy, y *float32, n int)
// dst += dy where y > 0 (the gate a mask register K2), closed lanes left
// as they are: the Go twin's bits (reluGradAccAVX2 adds +0 there, which
// turns a −0 into +0).
TEXT ·reluGradAccAVX512(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   dy+8(FP), SI
	MOVQ   y+16(FP), DX
	MOVQ   n+24(FP), CX
	MOVQ   CX, R8
	VPXORD Z15, Z15, Z15
	SHRQ   $4, CX
	JZ     zrgtail

zrgloop:
	VMOVUPS (DX), Z1
	VCMPPS  $14, Z15, Z1, K2
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z0, K2, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     zrgloop

zrgtail:
	TESTQ     $15, R8
	JZ        zrgdone
	TAILMASK
	VMOVUPS.Z (DX), K1, Z1
	VCMPPS    $14, Z15, Z1, K1, K2
	VMOVUPS.Z (DI), K1, Z0
	VADDPS    (SI), Z0, K2, Z0
	VMOVUPS   Z0, K1, (DI)

zrgdone:
	VZEROUPPER
	RET
