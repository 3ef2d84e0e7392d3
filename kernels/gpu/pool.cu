// pool.cu - CUDA twins of the CPU AvgPool2DForward/AvgPool2DBackward
// (kernels/pool.go; test kernels/pool_test.go) and SliceCopy
// (kernels/slice.go; test kernels/slice_test.go): data movement with a little
// arithmetic, one thread per output element. Bit-identical to the CPU: the
// same float32 operations in the same order.
//
//   avgpool_fwd_f32: y[p,oh,ow] = 1/K² Σ_{i<K} (Σ_{j<K} x[p, oh·K+i, ow·K+j])   p = n·C+c
//   avgpool_bwd_f32: dx[p, ih, iw] += dy[p, ih/K, iw/K]·(1/K²) inside the windows
//   slice_copy_f32:  dst[o, dOff+j, i] (+)= src[o, sOff+j, i]   j < n
#include "common.cuh"

extern "C" __global__ void avgpool_fwd_f32(float *y, const float *x, i64 H, i64 W, i64 K, i64 OH, i64 OW, i64 total)
{
    float inv = __frcp_rn(__int2float_rn((int)(K * K)));
    FOR_N(q, total) {
        i64 ow = q % OW, oh = (q / OW) % OH, p = q / (OW * OH);
        const float *xp = x + p * H * W + (oh * K) * W + ow * K;
        float acc = 0.0f;
        for (i64 i = 0; i < K; i++) {
            float r = 0.0f;
            for (i64 j = 0; j < K; j++) r = __fadd_rn(r, xp[i * W + j]);
            acc = __fadd_rn(acc, r);
        }
        y[q] = __fmul_rn(acc, inv);
    }
}

extern "C" __global__ void avgpool_bwd_f32(float *dx, const float *dy, i64 H, i64 W, i64 K, i64 OH, i64 OW, i64 total)
{
    float inv = __frcp_rn(__int2float_rn((int)(K * K)));
    FOR_N(q, total) {
        i64 iw = q % W, ih = (q / W) % H, p = q / (W * H);
        i64 oh = ih / K, ow = iw / K;
        if (oh < OH && ow < OW) dx[q] = __fadd_rn(dx[q], __fmul_rn(dy[(p * OH + oh) * OW + ow], inv));
    }
}

extern "C" __global__ void slice_copy_f32(float *dst, i64 dD, i64 dOff, const float *src, i64 sD, i64 sOff,
                                          i64 n, i64 inner, i64 acc, i64 total)
{
    i64 w = n * inner;
    FOR_N(q, total) {
        i64 o = q / w, k = q - o * w;
        float v = src[(o * sD + sOff) * inner + k];
        float *d = dst + (o * dD + dOff) * inner + k;
        *d = acc ? __fadd_rn(*d, v) : v;
    }
}
