// softmax.cu - CUDA twins of the CPU SoftmaxForward/SoftmaxBackward
// (kernels/softmax.go; test kernels/softmax_test.go) and L2NormForward/
// L2NormBackward (kernels/l2norm.go; test kernels/l2norm_test.go): the ops
// along one dimension D of a tensor viewed as [Outer, D, Inner], one line
// (o, i) of D elements (stride Inner) per 256-thread block, grid-stride over
// the Outer·Inner lines.
//
//   softmax_fwd_f32: y = exp(x-m)/Σ exp(x-m), or x-m-log Σ exp(x-m) (log)
//   softmax_bwd_f32: dx += y⊙(dy - Σ dy·y), or dy - exp(y)·Σ dy (log)
//   l2norm_fwd_f32:  norm = sqrt(Σ x²) (float), y = x/norm
//   l2norm_bwd_f32:  dx += (dy - y·⟨dy,y⟩)/norm
//
// The per-element arithmetic is the CPU's, operation for operation (double
// exp/log, products rounded before sums); only the order of the double line
// sums differs, within an ulp of the outputs. A NaN anywhere in a softmax
// line makes the line NaN, as there.
#include "common.cuh"

// nanMax is max that lets a NaN win, in any order of arguments.
__device__ __forceinline__ float nanMax(float a, float b)
{
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

__device__ __forceinline__ float blockMax(float v, float *sh)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    for (int o = 16; o > 0; o >>= 1) v = nanMax(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    if (lane == 0) sh[w] = v;
    __syncthreads();
    v = lane < nw ? sh[lane] : -__int_as_float(0x7f800000);
    for (int o = 16; o > 0; o >>= 1) v = nanMax(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

extern "C" __global__ void softmax_fwd_f32(float *y, const float *x, i64 outer, i64 D, i64 inner, i64 log_)
{
    __shared__ double sh[32];
    __shared__ float shf[32];
    for (i64 l = blockIdx.x; l < outer * inner; l += gridDim.x) {
        i64 base = (l / inner) * D * inner + l % inner;
        float m = -__int_as_float(0x7f800000);
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) m = nanMax(m, x[base + d * inner]);
        m = blockMax(m, shf);
        double s = 0;
        if (log_) {
            for (i64 d = threadIdx.x; d < D; d += blockDim.x) s += exp((double)__fsub_rn(x[base + d * inner], m));
            double ls = log(blockSum(s, sh));
            for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
                i64 p = base + d * inner;
                y[p] = (float)((double)__fsub_rn(x[p], m) - ls);
            }
            continue;
        }
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            float e = (float)exp((double)__fsub_rn(x[p], m));
            y[p] = e;
            s += (double)e;
        }
        double inv = 1.0 / blockSum(s, sh);
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) { // the thread's own elements: no sync needed
            i64 p = base + d * inner;
            y[p] = (float)((double)y[p] * inv);
        }
    }
}

extern "C" __global__ void softmax_bwd_f32(float *dx, const float *dy, const float *y, i64 outer, i64 D, i64 inner, i64 log_)
{
    __shared__ double sh[32];
    for (i64 l = blockIdx.x; l < outer * inner; l += gridDim.x) {
        i64 base = (l / inner) * D * inner + l % inner;
        double g = 0;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            g += log_ ? (double)dy[p] : (double)dy[p] * (double)y[p];
        }
        g = blockSum(g, sh);
        float gf = (float)g;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            if (log_)
                dx[p] = __fadd_rn(dx[p], (float)((double)dy[p] - exp((double)y[p]) * g));
            else
                dx[p] = __fadd_rn(dx[p], __fmul_rn(y[p], __fsub_rn(dy[p], gf)));
        }
    }
}

extern "C" __global__ void l2norm_fwd_f32(float *y, float *norm, const float *x, i64 outer, i64 D, i64 inner)
{
    __shared__ double sh[32];
    for (i64 l = blockIdx.x; l < outer * inner; l += gridDim.x) {
        i64 base = (l / inner) * D * inner + l % inner;
        double ss = 0;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            double v = (double)x[base + d * inner];
            ss += v * v;
        }
        float n = (float)sqrt(blockSum(ss, sh));
        if (threadIdx.x == 0) norm[l] = n;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            y[p] = __fdiv_rn(x[p], n);
        }
    }
}

extern "C" __global__ void l2norm_bwd_f32(float *dx, const float *dy, const float *y, const float *norm, i64 outer, i64 D, i64 inner)
{
    __shared__ double sh[32];
    for (i64 l = blockIdx.x; l < outer * inner; l += gridDim.x) {
        i64 base = (l / inner) * D * inner + l % inner;
        double g = 0;
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            g += (double)dy[p] * (double)y[p];
        }
        float gf = (float)blockSum(g, sh), n = norm[l];
        for (i64 d = threadIdx.x; d < D; d += blockDim.x) {
            i64 p = base + d * inner;
            dx[p] = __fadd_rn(dx[p], __fdiv_rn(__fsub_rn(dy[p], __fmul_rn(y[p], gf)), n));
        }
    }
}
