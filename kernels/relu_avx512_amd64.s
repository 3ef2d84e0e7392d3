//go:build !noasm

#include "textflag.h"

// The avx512 path's ReLU loops, twins of relu_amd64.s's with the same bits.

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
// lanes do not fault): max(x, 0) + 0 as reluAVX2 (NaN passes, −0 → +0),
// and on the lanes past n&^7 the Go twin's bits (a NaN made positive).
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
	TESTQ $15, R8
	JZ    zrldone

	// K1 = the low n%16 lanes, K3 = those of them past n&^7, which the
	// avx2 path leaves to the Go twin: Go's max makes a NaN positive
	// (VMAXPS keeps its sign), so the sign of K3's NaNs is cleared.
	MOVQ         R8, CX
	ANDQ         $15, CX
	MOVL         $1, AX
	SHLL         CX, AX
	DECL         AX
	KMOVW        AX, K1
	ANDL         $8, CX
	MOVL         $1, DX
	SHLL         CX, DX
	DECL         DX // 0xFF when the tail holds a whole head vector, else 0
	NOTL         DX
	ANDL         DX, AX
	KMOVW        AX, K3
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z7
	VMOVUPS.Z    (SI), K1, Z0
	VMAXPS       Z0, Z15, Z0
	VADDPS       Z15, Z0, Z0
	VCMPPS       $3, Z0, Z0, K3, K4 // the NaNs among Go's lanes
	VPANDD       Z7, Z0, K4, Z0
	VMOVUPS      Z0, K1, (DI)

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
