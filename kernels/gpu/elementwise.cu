// elementwise.cu - CUDA twins of the CPU Unary, Binary and MaskedFill
// (kernels/elementwise.go; tests kernels/elementwise_test.go, which run over
// the CUDA backend under -tags cuda):
//
//   unary_f32:       dst[i] = op(x[i])                       (=)
//   binary_f32:      dst[i] = a[i] op b[i], or += for the Acc ops
//   masked_fill_f32: dst[i] = mask[i] != 0 ? v : x[i]
//
// op numbers are tensor.UnaryOp and tensor.BinaryOp. Every kernel reads its
// inputs at i before writing dst[i], so dst may alias an input. Exp and Log go
// through double and round once, as the CPU does; Sqrt and Recip are IEEE
// (nvcc's default -prec-sqrt/-prec-div); MulAcc and DivAcc round the product
// first (__fmul_rn: no FMA), as Go's float32 code does: bit-identical to the
// CPU except where the double exp/log of the two libraries differ in the last
// place before rounding (within an ulp).
#include "common.cuh"

extern "C" __global__ void unary_f32(float *dst, const float *x, i64 op, i64 n)
{
    FOR_N(i, n) {
        float v = x[i], r;
        switch (op) {
        case 0: r = (float)exp((double)v); break;                          // Exp
        case 1: r = (float)log((double)v); break;                          // Log
        case 2: r = v > 0.0f ? v : (v != v ? v : 0.0f); break;             // ReLU: NaN stays, -0 -> +0
        case 3: r = -v; break;                                             // Neg
        case 4: r = __fmul_rn(v, v); break;                                // Square
        case 5: r = __fsqrt_rn(v); break;                                  // Sqrt
        case 6: r = __frcp_rn(v); break;                                   // Recip
        default: r = __uint_as_float(__float_as_uint(v) & 0x7fffffffu);   // Abs
        }
        dst[i] = r;
    }
}

extern "C" __global__ void binary_f32(float *dst, const float *a, const float *b, i64 op, i64 n)
{
    FOR_N(i, n) {
        float x = a[i], y = b[i];
        switch (op) {
        case 0: dst[i] = __fadd_rn(x, y); break;                           // Add
        case 1: dst[i] = __fsub_rn(x, y); break;                           // Sub
        case 2: dst[i] = __fmul_rn(x, y); break;                           // Mul
        case 3: dst[i] = __fdiv_rn(x, y); break;                           // Div
        case 4: dst[i] = __fadd_rn(dst[i], __fmul_rn(x, y)); break;        // MulAcc
        case 5: dst[i] = __fadd_rn(dst[i], __fdiv_rn(x, y)); break;        // DivAcc
        case 6: if (y > 0.0f) dst[i] = __fadd_rn(dst[i], x); break;        // ReLUGradAcc: a = dy, b = y
        default: if (y == 0.0f) dst[i] = __fadd_rn(dst[i], x);             // MaskAcc: a = dy, b = mask
        }
    }
}

extern "C" __global__ void masked_fill_f32(float *dst, const float *x, const float *mask, float v, i64 n)
{
    FOR_N(i, n) {
        float m = mask[i];
        dst[i] = m != 0.0f ? v : x[i]; // NaN != 0: a NaN mask counts as set
    }
}
