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

// Batch-norm loops over rows rows of n floats (n a multiple of 8, stride
// floats apart): one channel's N rows at once, or one run with rows = 1.
// Register use: R12 rows left, R13 row stride in bytes, CX the row's
// iterations.

// func sum64Rows(x *float32, n, rows, stride int) float64
TEXT ·sum64Rows(SB), NOSPLIT, $0-40
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), R8
	SHRQ   $3, R8
	MOVQ   rows+16(FP), R12
	MOVQ   stride+24(FP), R13
	SHLQ   $2, R13
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	TESTQ  R8, R8
	JZ     s2done
	TESTQ  R12, R12
	JZ     s2done

s2row:
	MOVQ SI, R11
	MOVQ R8, CX

s2loop:
	VCVTPS2PD (R11), Y2
	VCVTPS2PD 16(R11), Y3
	VADDPD    Y2, Y0, Y0
	VADDPD    Y3, Y1, Y1
	ADDQ      $32, R11
	DECQ      CX
	JNZ       s2loop
	ADDQ      R13, SI
	DECQ      R12
	JNZ       s2row

s2done:
	HSUM64(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+32(FP)
	RET

// func sqDev64Rows(x *float32, n, rows, stride int, m float64) float64
TEXT ·sqDev64Rows(SB), NOSPLIT, $0-48
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), R8
	SHRQ         $3, R8
	MOVQ         rows+16(FP), R12
	MOVQ         stride+24(FP), R13
	SHLQ         $2, R13
	VBROADCASTSD m+32(FP), Y4
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	TESTQ        R8, R8
	JZ           q2done
	TESTQ        R12, R12
	JZ           q2done

q2row:
	MOVQ SI, R11
	MOVQ R8, CX

q2loop:
	VCVTPS2PD   (R11), Y2
	VCVTPS2PD   16(R11), Y3
	VSUBPD      Y4, Y2, Y2
	VSUBPD      Y4, Y3, Y3
	VFMADD231PD Y2, Y2, Y0
	VFMADD231PD Y3, Y3, Y1
	ADDQ        $32, R11
	DECQ        CX
	JNZ         q2loop
	ADDQ        R13, SI
	DECQ        R12
	JNZ         q2row

q2done:
	HSUM64(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+40(FP)
	RET

// func sumDot64Rows(dy, x, y *float32, n, rows, stride int, m float64) (sdy, sdyc float64)
TEXT ·sumDot64Rows(SB), NOSPLIT, $0-72
	MOVQ         dy+0(FP), SI
	MOVQ         x+8(FP), DI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), R8
	SHRQ         $3, R8
	MOVQ         rows+32(FP), R12
	MOVQ         stride+40(FP), R13
	SHLQ         $2, R13
	VBROADCASTSD m+48(FP), Y8
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	VXORPD       Y2, Y2, Y2
	VXORPD       Y3, Y3, Y3
	VXORPS       Y15, Y15, Y15
	TESTQ        R8, R8
	JZ           d2done
	TESTQ        R12, R12
	JZ           d2done

d2row:
	MOVQ SI, R9
	MOVQ DI, R10
	MOVQ DX, R11
	MOVQ R8, CX

d2loop:
	VMOVUPS (R9), Y10
	TESTQ   R11, R11
	JZ      d2plain
	VMOVUPS (R11), Y11
	VCMPPS  $14, Y15, Y11, Y11 // y > 0 (false for NaN)
	VANDPS  Y11, Y10, Y10
	ADDQ    $32, R11

d2plain:
	VCVTPS2PD    X10, Y4
	VEXTRACTF128 $1, Y10, X11
	VCVTPS2PD    X11, Y5
	VCVTPS2PD    (R10), Y6
	VCVTPS2PD    16(R10), Y7
	VSUBPD       Y8, Y6, Y6
	VSUBPD       Y8, Y7, Y7
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VFMADD231PD  Y4, Y6, Y2
	VFMADD231PD  Y5, Y7, Y3
	ADDQ         $32, R9
	ADDQ         $32, R10
	DECQ         CX
	JNZ          d2loop
	ADDQ         R13, SI
	ADDQ         R13, DI
	TESTQ        DX, DX
	JZ           d2next
	ADDQ         R13, DX

d2next:
	DECQ R12
	JNZ  d2row

d2done:
	HSUM64(Y0, Y1, X0, X1)
	HSUM64(Y2, Y3, X2, X3)
	VZEROUPPER
	MOVSD X0, sdy+56(FP)
	MOVSD X2, sdyc+64(FP)
	RET

// func affineRows(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)
TEXT ·affineRows(SB), NOSPLIT, $0-72
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         r+16(FP), DX
	MOVQ         n+24(FP), R8
	SHRQ         $3, R8
	MOVQ         rows+32(FP), R12
	MOVQ         stride+40(FP), R13
	SHLQ         $2, R13
	VBROADCASTSS m+48(FP), Y1
	VBROADCASTSS scale+52(FP), Y2
	VBROADCASTSS shift+56(FP), Y3
	MOVQ         relu+64(FP), BX
	VXORPS       Y15, Y15, Y15
	TESTQ        R8, R8
	JZ           a2done
	TESTQ        R12, R12
	JZ           a2done

a2row:
	MOVQ DI, R9
	MOVQ SI, R10
	MOVQ DX, R11
	MOVQ R8, CX

a2loop:
	VMOVUPS     (R10), Y0
	VSUBPS      Y1, Y0, Y0
	VFMADD213PS Y3, Y2, Y0 // Y0 = Y0·scale + shift
	TESTQ       R11, R11
	JZ          a2nores
	VADDPS      (R11), Y0, Y0
	ADDQ        $32, R11

a2nores:
	TESTQ  BX, BX
	JZ     a2store
	VMAXPS Y0, Y15, Y0
	VADDPS Y15, Y0, Y0

a2store:
	VMOVUPS Y0, (R9)
	ADDQ    $32, R9
	ADDQ    $32, R10
	DECQ    CX
	JNZ     a2loop
	ADDQ    R13, DI
	ADDQ    R13, SI
	TESTQ   DX, DX
	JZ      a2next
	ADDQ    R13, DX

a2next:
	DECQ R12
	JNZ  a2row

a2done:
	VZEROUPPER
	RET

// func bnGradRows(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int)
// flags: bnCentre (1), bnSetDX (2) and bnSetDR (4); a set operand starts
// from the zero register Y15 instead of its loaded value.
TEXT ·bnGradRows(SB), NOSPLIT, $0-88
	MOVQ         n+40(FP), R8
	SHRQ         $3, R8
	MOVQ         rows+48(FP), R12
	MOVQ         stride+56(FP), R13
	SHLQ         $2, R13
	VBROADCASTSS mdy+64(FP), Y1
	VBROADCASTSS m+68(FP), Y2
	VBROADCASTSS k+72(FP), Y3
	VBROADCASTSS a+76(FP), Y4
	MOVQ         flags+80(FP), BX
	VXORPS       Y15, Y15, Y15
	TESTQ        R8, R8
	JZ           g2done
	TESTQ        R12, R12
	JZ           g2done
	XORQ         R14, R14 // the row's offset in bytes

g2row:
	MOVQ dx+0(FP), DI
	ADDQ R14, DI
	MOVQ dy+8(FP), SI
	ADDQ R14, SI
	MOVQ x+16(FP), R10
	ADDQ R14, R10
	MOVQ y+24(FP), DX
	TESTQ DX, DX
	JZ   g2y
	ADDQ R14, DX

g2y:
	MOVQ dr+32(FP), R9
	TESTQ R9, R9
	JZ   g2dr
	ADDQ R14, R9

g2dr:
	MOVQ R8, CX

g2loop:
	VMOVUPS (SI), Y0 // g = dy
	TESTQ   DX, DX
	JZ      g2nogate
	VMOVUPS (DX), Y6
	VCMPPS  $14, Y15, Y6, Y6 // y > 0
	VANDPS  Y6, Y0, Y0
	ADDQ    $32, DX

g2nogate:
	TESTQ   R9, R9
	JZ      g2nores
	TESTQ   $4, BX
	JNZ     g2setdr
	VADDPS  (R9), Y0, Y7 // dr += g
	JMP     g2storedr

g2setdr:
	VADDPS Y15, Y0, Y7 // dr = g + 0, the bits of += into zeros

g2storedr:
	VMOVUPS Y7, (R9)
	ADDQ    $32, R9

g2nores:
	TESTQ        $1, BX
	JZ           g2apply
	VSUBPS       Y1, Y0, Y0 // g − mdy
	VMOVUPS      (R10), Y6
	VSUBPS       Y2, Y6, Y6 // x − m
	VFNMADD231PS Y3, Y6, Y0 // Y0 −= (x − m)·k
	ADDQ         $32, R10

g2apply:
	TESTQ   $2, BX
	JNZ     g2setdx
	VMOVUPS (DI), Y6
	JMP     g2fma

g2setdx:
	VMOVAPS Y15, Y6 // dx starts from +0: the bits of += into zeros

g2fma:
	VFMADD231PS Y4, Y0, Y6 // dx += Y0·a
	VMOVUPS     Y6, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	DECQ        CX
	JNZ         g2loop
	ADDQ        R13, R14
	DECQ        R12
	JNZ         g2row

g2done:
	VZEROUPPER
	RET
