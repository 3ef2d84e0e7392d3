//go:build !noasm

#include "textflag.h"

// The avx512 path's ReLU loops, twins of simd_amd64.s's with the same bits.

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
