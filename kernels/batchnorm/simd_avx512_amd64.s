//go:build !noasm

#include "textflag.h"

// The avx512 path's twins of simd_amd64.s's affineRows and bnGradRows,
// with their bits.

// HEADTAIL sets, for rows of n floats (n in R8), K1 to the low n%16 lanes
// of the last, partial vector and K3 to those of them past n&^7 (the lanes
// the avx2 path leaves to the Go twin), and R8 to the whole vectors,
// n/16 (clobbers AX, CX, R9).
#define HEADTAIL \
	MOVQ  R8, CX  \
	ANDQ  $15, CX \
	MOVL  $1, AX  \
	SHLL  CX, AX  \
	DECL  AX      \
	KMOVW AX, K1  \
	ANDL  $8, CX  \
	MOVL  $1, R9  \
	SHLL  CX, R9  \
	DECL  R9      \
	NOTL  R9      \
	ANDL  R9, AX  \
	KMOVW AX, K3  \
	SHRQ  $4, R8

// func affineRowsAVX512(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)
// affinev's bits on 16 lanes: each row's n&^7 head as affineRows (x − m,
// then one FMA), the n%8 tail as the Go twin affine (x − m, a multiply,
// an add: two roundings); the last n%16 lanes go under the mask K1, with
// K3 the Go-rounded lanes among them, merged over the FMA's. Then + r and
// max(·, 0) + 0 as affineRows, and on K3's lanes Go's max: it computes
// −min(−v, −0) with an OR of the sign bits, which leaves a NaN positive
// (VMAXPS keeps its sign). Z1 m, Z2 scale, Z3 shift, Z7 the sign-clearing
// mask, Z15 zero.
TEXT ·affineRowsAVX512(SB), NOSPLIT, $0-72
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         r+16(FP), DX
	MOVQ         n+24(FP), R8
	MOVQ         rows+32(FP), R12
	MOVQ         stride+40(FP), R13
	SHLQ         $2, R13
	VBROADCASTSS m+48(FP), Z1
	VBROADCASTSS scale+52(FP), Z2
	VBROADCASTSS shift+56(FP), Z3
	MOVQ         relu+64(FP), BX
	VPXORD       Z15, Z15, Z15
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z7
	TESTQ        R8, R8
	JZ           za2done
	TESTQ        R12, R12
	JZ           za2done

	HEADTAIL

za2row:
	MOVQ  DI, R9
	MOVQ  SI, R10
	MOVQ  DX, R11
	MOVQ  R8, CX
	TESTQ CX, CX
	JZ    za2tail

za2loop:
	VMOVUPS     (R10), Z0
	VSUBPS      Z1, Z0, Z0
	VFMADD213PS Z3, Z2, Z0 // Z0 = Z0·scale + shift
	TESTQ       R11, R11
	JZ          za2nores
	VADDPS      (R11), Z0, Z0
	ADDQ        $64, R11

za2nores:
	TESTQ  BX, BX
	JZ     za2store
	VMAXPS Z0, Z15, Z0
	VADDPS Z15, Z0, Z0

za2store:
	VMOVUPS Z0, (R9)
	ADDQ    $64, R9
	ADDQ    $64, R10
	DECQ    CX
	JNZ     za2loop

za2tail:
	KORTESTW    K1, K1
	JZ          za2next
	VMOVUPS.Z   (R10), K1, Z0
	VSUBPS      Z1, Z0, Z0
	VMULPS      Z2, Z0, Z5
	VADDPS      Z3, Z5, Z5 // affine's (x − m)·scale + shift
	VFMADD213PS Z3, Z2, Z0
	VMOVAPS     Z5, K3, Z0
	TESTQ       R11, R11
	JZ          za2tnores
	VMOVUPS.Z   (R11), K1, Z6
	VADDPS      Z6, Z0, Z0

za2tnores:
	TESTQ   BX, BX
	JZ      za2tstore
	VMAXPS  Z0, Z15, Z0
	VADDPS  Z15, Z0, Z0
	VCMPPS  $3, Z0, Z0, K3, K4 // the NaNs among Go's lanes
	VPANDD  Z7, Z0, K4, Z0

za2tstore:
	VMOVUPS Z0, K1, (R9)

za2next:
	ADDQ  R13, DI
	ADDQ  R13, SI
	TESTQ DX, DX
	JZ    za2dec
	ADDQ  R13, DX

za2dec:
	DECQ R12
	JNZ  za2row

za2done:
	VZEROUPPER
	RET

// func bnGradRowsAVX512(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int)
// bnGradv's bits on 16 lanes, over rows rows of n floats each (any n,
// stride floats apart): each row's n&^7 head as bnGradRows (the same
// instructions on ZMM: g − mdy, the FNMADD of (x − m)·k, the FMA into dx)
// and the n%8 tail as the Go twin bnGrad (separate subtracts, multiplies
// and adds, with Go's operand order, so a NaN's payload comes from the
// same operand); the last n%16 lanes go under the mask K1, with K3 the
// Go-rounded lanes among them, merged over the head's. dx is not nil. Z1
// mdy, Z2 m, Z3 k, Z4 a, Z15 zero; the registers and flags of bnGradRows.
TEXT ·bnGradRowsAVX512(SB), NOSPLIT, $0-88
	MOVQ         n+40(FP), R8
	MOVQ         rows+48(FP), R12
	MOVQ         stride+56(FP), R13
	SHLQ         $2, R13
	VBROADCASTSS mdy+64(FP), Z1
	VBROADCASTSS m+68(FP), Z2
	VBROADCASTSS k+72(FP), Z3
	VBROADCASTSS a+76(FP), Z4
	MOVQ         flags+80(FP), BX
	VPXORD       Z15, Z15, Z15
	TESTQ        R8, R8
	JZ           zg2done
	TESTQ        R12, R12
	JZ           zg2done

	HEADTAIL
	XORQ  R14, R14 // the row's offset in bytes

zg2row:
	MOVQ  dx+0(FP), DI
	ADDQ  R14, DI
	MOVQ  dy+8(FP), SI
	ADDQ  R14, SI
	MOVQ  x+16(FP), R10
	ADDQ  R14, R10
	MOVQ  y+24(FP), DX
	TESTQ DX, DX
	JZ    zg2y
	ADDQ  R14, DX

zg2y:
	MOVQ  dr+32(FP), R9
	TESTQ R9, R9
	JZ    zg2dr
	ADDQ  R14, R9

zg2dr:
	MOVQ  R8, CX
	TESTQ CX, CX
	JZ    zg2tail

zg2loop:
	VMOVUPS (SI), Z0 // g = dy
	TESTQ   DX, DX
	JZ      zg2nogate
	VMOVUPS (DX), Z6
	VCMPPS  $14, Z15, Z6, K2 // y > 0
	VMOVAPS.Z Z0, K2, Z0     // +0 where closed, as bnGradRows's AND
	ADDQ    $64, DX

zg2nogate:
	TESTQ  R9, R9
	JZ     zg2nores
	TESTQ  $4, BX
	JNZ    zg2setdr
	VADDPS (R9), Z0, Z7 // dr += g
	JMP    zg2storedr

zg2setdr:
	VADDPS Z15, Z0, Z7 // dr = g + 0

zg2storedr:
	VMOVUPS Z7, (R9)
	ADDQ    $64, R9

zg2nores:
	TESTQ        $1, BX
	JZ           zg2apply
	VSUBPS       Z1, Z0, Z0 // g − mdy
	VMOVUPS      (R10), Z6
	VSUBPS       Z2, Z6, Z6 // x − m
	VFNMADD231PS Z3, Z6, Z0 // Z0 −= (x − m)·k
	ADDQ         $64, R10

zg2apply:
	TESTQ   $2, BX
	JNZ     zg2setdx
	VMOVUPS (DI), Z6
	JMP     zg2fma

zg2setdx:
	VMOVAPS Z15, Z6 // dx starts from +0

zg2fma:
	VFMADD231PS Z4, Z0, Z6 // dx += Z0·a
	VMOVUPS     Z6, (DI)
	ADDQ        $64, DI
	ADDQ        $64, SI
	DECQ        CX
	JNZ         zg2loop

zg2tail:
	KORTESTW  K1, K1
	JZ        zg2next
	VMOVUPS.Z (SI), K1, Z0
	TESTQ     DX, DX
	JZ        zg2tnogate
	VMOVUPS.Z (DX), K1, Z6
	VCMPPS    $14, Z15, Z6, K2
	VMOVAPS.Z Z0, K2, Z0

zg2tnogate:
	TESTQ  R9, R9
	JZ     zg2tnores
	TESTQ  $4, BX
	JNZ    zg2tsetdr
	VMOVUPS.Z (R9), K1, Z9
	VADDPS Z9, Z0, Z7     // head: g + dr
	VADDPS Z0, Z9, K3, Z7 // Go: dr + g
	JMP    zg2tstoredr

zg2tsetdr:
	VADDPS Z15, Z0, Z7 // g + 0 (Go's 0 + g has the same bits)

zg2tstoredr:
	VMOVUPS Z7, K1, (R9)

zg2tnores:
	TESTQ     $2, BX
	JNZ       zg2tsetdx
	VMOVUPS.Z (DI), K1, Z6 // d = dx
	JMP       zg2tcentre

zg2tsetdx:
	VMOVAPS Z15, Z6 // d = +0

zg2tcentre:
	VMOVAPS Z6, Z12
	TESTQ   $1, BX
	JZ      zg2tplain
	VMOVUPS.Z    (R10), K1, Z10
	VSUBPS       Z1, Z0, Z8  // g − mdy
	VSUBPS       Z2, Z10, Z10 // x − m
	VMOVAPS      Z8, Z11
	VFNMADD231PS Z3, Z10, Z11 // head: (g − mdy) − (x − m)·k, fused
	VFMADD231PS  Z4, Z11, Z12 // head: d + ·a, fused
	VMULPS       Z3, Z10, Z10 // Go: (x − m)·k
	VSUBPS       Z10, Z8, Z8  // Go: (g − mdy) − ·
	VMULPS       Z4, Z8, Z8   // Go: ·a
	VADDPS       Z8, Z6, Z6   // Go: d + ·
	JMP          zg2tstore

zg2tplain:
	VFMADD231PS Z4, Z0, Z12 // head: d + g·a, fused
	VMULPS      Z4, Z0, Z8  // Go: g·a
	VADDPS      Z8, Z6, Z6  // Go: d + ·

zg2tstore:
	VMOVAPS Z6, K3, Z12
	VMOVUPS Z12, K1, (DI)

zg2next:
	ADDQ R13, R14
	DECQ R12
	JNZ  zg2row

zg2done:
	VZEROUPPER
	RET
