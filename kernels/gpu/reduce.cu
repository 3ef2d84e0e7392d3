// reduce.cu - CUDA twins of the CPU Sum, BroadcastAcc (kernels/reduce.go;
// test kernels/reduce_test.go) and BiasAdd, ChannelSum (kernels/bias.go;
// test kernels/bias_test.go).
//
//   sum_rows_f32:    dst[o] (+)= Σ_d x[o,d]            x [Outer, D], Inner == 1
//   sum_cols_f32:    dst[o,i] (+)= Σ_d x[o,d,i]        x [Outer, D, Inner], Inner > 1
//   broadcast_acc_f32: dst[o,d,i] += alpha*src[o,i]
//   bias_add_f32:    y[n,c,i] += b[c]                  y [N, C, HW]
//   channel_sum_f32: dst[c] += Σ_{n,i} x[n,c,i]
//
// Sums accumulate in double and round once, as on the CPU; the order (one
// block per row, a fixed butterfly; or one thread per column, d in order) is
// fixed by the shape, so the bits repeat, and they agree with the CPU's to an
// ulp of the output (the correctly rounded sum up to ties, both ways).
#include "common.cuh"

// One 256-thread block per row o (grid-stride over rows).
extern "C" __global__ void sum_rows_f32(float *dst, const float *x, i64 outer, i64 D, i64 acc)
{
    __shared__ double sh[32];
    for (i64 o = blockIdx.x; o < outer; o += gridDim.x) {
        const float *r = x + o * D;
        double s = 0;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) s += (double)r[d];
        s = blockSum(s, sh);
        if (threadIdx.x == 0) dst[o] = acc ? __fadd_rn(dst[o], (float)s) : (float)s;
    }
}

// One thread per output (o, i); consecutive threads read consecutive i.
extern "C" __global__ void sum_cols_f32(float *dst, const float *x, i64 outer, i64 D, i64 inner, i64 acc)
{
    FOR_N(p, outer * inner) {
        i64 o = p / inner, i = p - o * inner;
        const float *c = x + o * D * inner + i;
        double s = 0;
        for (i64 d = 0; d < D; d++) s += (double)c[d * inner];
        dst[p] = acc ? __fadd_rn(dst[p], (float)s) : (float)s;
    }
}

extern "C" __global__ void broadcast_acc_f32(float *dst, const float *src, i64 D, i64 inner, float alpha, i64 n)
{
    FOR_N(p, n) {
        i64 i = p % inner, o = p / (D * inner);
        dst[p] = __fadd_rn(dst[p], __fmul_rn(alpha, src[o * inner + i]));
    }
}

extern "C" __global__ void bias_add_f32(float *y, const float *b, i64 C, i64 HW, i64 n)
{
    FOR_N(p, n) y[p] = __fadd_rn(y[p], b[(p / HW) % C]);
}

// One block per channel c (grid-stride over channels): rows n in order, each
// row's HW values across the threads.
extern "C" __global__ void channel_sum_f32(float *dst, const float *x, i64 N, i64 C, i64 HW)
{
    __shared__ double sh[32];
    for (i64 c = blockIdx.x; c < C; c += gridDim.x) {
        double s = 0;
        for (i64 n = 0; n < N; n++) {
            const float *r = x + (n * C + c) * HW;
            for (i64 i = threadIdx.x; i < HW; i += blockDim.x) s += (double)r[i];
        }
        s = blockSum(s, sh);
        if (threadIdx.x == 0) dst[c] = __fadd_rn(dst[c], (float)s);
    }
}
