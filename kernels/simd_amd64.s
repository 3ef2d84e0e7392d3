//go:build !noasm

#include "textflag.h"

// The loops of simd_amd64.go: 8 float32s per iteration, n a multiple of 8.
// Y15 holds zero where a loop needs it. Float64 sums keep two vector
// accumulators (4 lanes each) and reduce them in a fixed order, so a given
// n always gives the same bits.

// HSUM64(lo, hi, X): X.low = ((lo+hi) lanes 0+2) + (lanes 1+3); clobbers hi.
#define HSUM64(lo, hi, xlo, xhi) \
	VADDPD       hi, lo, lo  \
	VEXTRACTF128 $1, lo, xhi \
	VADDPD       xhi, xlo, xlo \
	VHADDPD      xlo, xlo, xlo

// func sum64AVX2(x *float32, n int) float64
TEXT ·sum64AVX2(SB), NOSPLIT, $0-24
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	SHRQ   $3, CX
	JZ     sumdone

sumloop:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VADDPD    Y2, Y0, Y0
	VADDPD    Y3, Y1, Y1
	ADDQ      $32, SI
	DECQ      CX
	JNZ       sumloop

sumdone:
	HSUM64(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+16(FP)
	RET

// func sqDev64AVX2(x *float32, n int, m float64) float64
TEXT ·sqDev64AVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD m+16(FP), Y4
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	SHRQ         $3, CX
	JZ           sqdone

sqloop:
	VCVTPS2PD   (SI), Y2
	VCVTPS2PD   16(SI), Y3
	VSUBPD      Y4, Y2, Y2
	VSUBPD      Y4, Y3, Y3
	VFMADD231PD Y2, Y2, Y0
	VFMADD231PD Y3, Y3, Y1
	ADDQ        $32, SI
	DECQ        CX
	JNZ         sqloop

sqdone:
	HSUM64(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func sumDot64AVX2(dy, x, y *float32, n int, m float64) (sdy, sdyc float64)
TEXT ·sumDot64AVX2(SB), NOSPLIT, $0-56
	MOVQ         dy+0(FP), SI
	MOVQ         x+8(FP), DI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD m+32(FP), Y8
	VXORPD       Y0, Y0, Y0    // Σ g, lanes of elements 0..3
	VXORPD       Y1, Y1, Y1    // Σ g, elements 4..7
	VXORPD       Y2, Y2, Y2    // Σ g·(x − m), elements 0..3
	VXORPD       Y3, Y3, Y3    // Σ g·(x − m), elements 4..7
	VXORPS       Y15, Y15, Y15
	SHRQ         $3, CX
	JZ           sddone

sdloop:
	VMOVUPS (SI), Y10
	TESTQ   DX, DX
	JZ      sdplain
	VMOVUPS (DX), Y11
	VCMPPS  $14, Y15, Y11, Y11 // y > 0 (false for NaN)
	VANDPS  Y11, Y10, Y10
	ADDQ    $32, DX

sdplain:
	VCVTPS2PD    X10, Y4
	VEXTRACTF128 $1, Y10, X11
	VCVTPS2PD    X11, Y5
	VCVTPS2PD    (DI), Y6
	VCVTPS2PD    16(DI), Y7
	VSUBPD       Y8, Y6, Y6
	VSUBPD       Y8, Y7, Y7
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VFMADD231PD  Y4, Y6, Y2
	VFMADD231PD  Y5, Y7, Y3
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          sdloop

sddone:
	HSUM64(Y0, Y1, X0, X1)
	HSUM64(Y2, Y3, X2, X3)
	VZEROUPPER
	MOVSD X0, sdy+40(FP)
	MOVSD X2, sdyc+48(FP)
	RET

// func affineAVX2(y, x, r *float32, n int, m, scale, shift float32, relu int)
TEXT ·affineAVX2(SB), NOSPLIT, $0-56
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         r+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS m+32(FP), Y1
	VBROADCASTSS scale+36(FP), Y2
	VBROADCASTSS shift+40(FP), Y3
	MOVQ         relu+48(FP), BX
	VXORPS       Y15, Y15, Y15
	SHRQ         $3, CX
	JZ           afdone

afloop:
	VMOVUPS     (SI), Y0
	VSUBPS      Y1, Y0, Y0
	VFMADD213PS Y3, Y2, Y0 // Y0 = Y0·scale + shift
	TESTQ       DX, DX
	JZ          afnores
	VADDPS      (DX), Y0, Y0
	ADDQ        $32, DX

afnores:
	TESTQ BX, BX
	JZ    afstore
	// max(0, v) returns v when v is NaN; adding +0 turns −0 into +0.
	VMAXPS Y0, Y15, Y0
	VADDPS Y15, Y0, Y0

afstore:
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     afloop

afdone:
	VZEROUPPER
	RET

// func bnGradAVX2(dx, dy, x, y, dr *float32, n int, mdy, m, k, a float32, centre int)
TEXT ·bnGradAVX2(SB), NOSPLIT, $0-72
	MOVQ         dx+0(FP), DI
	MOVQ         dy+8(FP), SI
	MOVQ         x+16(FP), R8
	MOVQ         y+24(FP), DX
	MOVQ         dr+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS mdy+48(FP), Y1
	VBROADCASTSS m+52(FP), Y2
	VBROADCASTSS k+56(FP), Y3
	VBROADCASTSS a+60(FP), Y4
	MOVQ         centre+64(FP), BX
	VXORPS       Y15, Y15, Y15
	SHRQ         $3, CX
	JZ           bgdone

bgloop:
	VMOVUPS (SI), Y0 // g = dy
	TESTQ   DX, DX
	JZ      bgnogate
	VMOVUPS (DX), Y6
	VCMPPS  $14, Y15, Y6, Y6 // y > 0
	VANDPS  Y6, Y0, Y0
	ADDQ    $32, DX

bgnogate:
	TESTQ   R9, R9
	JZ      bgnores
	VADDPS  (R9), Y0, Y7
	VMOVUPS Y7, (R9)
	ADDQ    $32, R9

bgnores:
	TESTQ        BX, BX
	JZ           bgapply
	VSUBPS       Y1, Y0, Y0 // g − mdy
	VMOVUPS      (R8), Y6
	VSUBPS       Y2, Y6, Y6 // x − m
	VFNMADD231PS Y3, Y6, Y0 // Y0 −= (x − m)·k
	ADDQ         $32, R8

bgapply:
	VMOVUPS     (DI), Y6
	VFMADD231PS Y4, Y0, Y6 // dx += Y0·a
	VMOVUPS     Y6, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	DECQ        CX
	JNZ         bgloop

bgdone:
	VZEROUPPER
	RET

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
