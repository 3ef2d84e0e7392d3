//go:build !noasm

#include "textflag.h"

// func prefetch(p *float32, n int)
// One PREFETCHT0 per 64-byte line of p[0:n], from the line holding p[0]
// to the one holding p[n-1]; nothing when n ≤ 0.
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	TESTQ CX, CX
	JLE done
	LEAQ (AX)(CX*4), CX // end
	ANDQ $-64, AX       // the first line
loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JB loop
done:
	RET
