//go:build !noasm

#include "textflag.h"

// The loops of relu_amd64.go: 8 float32s per iteration, n a multiple of 8.
// Y15 holds zero where a loop needs it. Float64 sums keep two vector
// accumulators (4 lanes each) and reduce them in a fixed order, so a given
// n always gives the same bits.

// func reluAVX2(dst, x *float32, n int)
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ   $3, CX
	JZ     rldone

rlloop:
	VMOVUPS (SI), Y0
	VMAXPS  Y0, Y15, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     rlloop

rldone:
	VZEROUPPER
	RET

// func reluGradAccAVX2(dst, dy, y *float32, n int)
TEXT ·reluGradAccAVX2(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   dy+8(FP), SI
	MOVQ   y+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ   $3, CX
	JZ     rgdone

rgloop:
	VMOVUPS (DX), Y1
	VCMPPS  $14, Y15, Y1, Y1
	VANDPS  (SI), Y1, Y1
	VADDPS  (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     rgloop

rgdone:
	VZEROUPPER
	RET
