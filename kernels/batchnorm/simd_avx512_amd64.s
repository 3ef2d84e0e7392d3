//go:build !noasm

#include "textflag.h"

// The avx512 path's twin of simd_amd64.s's affineRows, with its bits.

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

	// K1 = the low n%16 lanes, K3 = those of them past n&^7.
	MOVQ  R8, CX
	ANDQ  $15, CX
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	ANDL  $8, CX
	MOVL  $1, R9
	SHLL  CX, R9
	DECL  R9 // 0xFF when the tail holds a whole head vector, else 0
	NOTL  R9
	ANDL  R9, AX
	KMOVW AX, K3
	SHRQ  $4, R8

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
