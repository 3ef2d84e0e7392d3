// batchnorm.cu - CUDA twins of the CPU BatchNormForward, BatchNormInference
// and BatchNormBackward with their fused tail tensor.BNAct
// (kernels/batchnorm/batchnorm.go, rows.go's affine and bnGrad; test
// kernels/batchnorm/batchnorm_test.go). x is viewed as [N, C, HW]; every channel c is
// reduced over its M = N·HW values.
//
// Training forward, three launches:
//   bn_partial_f32   grid (P, C): block (p, c) takes images [p·N/P, (p+1)·N/P)
//                    of channel c: part[c,p] = (Σ x, Σ (x − m_p)²) in double,
//                    m_p the slice's own mean (two reads of a slice that
//                    stays in L2), so no cancellation when |mean| ≫ std;
//   bn_finish_f32    one thread per channel: Chan et al.'s exact combination
//                    M2 = Σ_p [M2_p + n_p (m_p − m)²], mean and biased var,
//                    scale = gamma/√(var+eps) from the double var, as the CPU;
//   bn_affine_f32    y = act((x − mean)·scale + beta (+ res), ReLU), the
//                    CPU's float32 operations unfused (Go's order).
// Inference: bn_scale_f32 (scale from the given var), then bn_affine_f32.
// Conv2DForwardBN: bn_scale_f32, then the conv with the epilogue
// v·scale + shift (conv.cu), the CPU's folding up to where scale rounds.
// Backward: bn_bwd_partial_f32 (Σ g, Σ g·(x − mean) per slice; g = dy gated
// by y > 0 under ReLU), bn_bwd_finish_f32 (dgamma += Σ g·x̂, dbeta += Σ g,
// and the per-channel a = gamma·rstd, mean of g, k = rstd²·Σ g(x − mean)/M),
// bn_bwd_elem_f32 (dres += g; dx += (g − mdy − (x − mean)·k)·a in training,
// g·a in evaluation). P slices per channel are chosen by package cuda from
// the shape alone, and the partials combine in slice order, so the bits
// repeat; they differ from the CPU's only in the order of the double sums.
#include "common.cuh"

extern "C" __global__ void bn_partial_f32(double *part, const float *x, i64 N, i64 C, i64 HW, i64 P)
{
    __shared__ double sh[32];
    i64 p = blockIdx.x, c = blockIdx.y;
    i64 n0 = p * N / P, n1 = (p + 1) * N / P;
    double s = 0;
    for (i64 n = n0; n < n1; n++) {
        const float *r = x + (n * C + c) * HW;
        for (i64 i = threadIdx.x; i < HW; i += blockDim.x) s += (double)r[i];
    }
    s = blockSum(s, sh);
    double cnt = (double)((n1 - n0) * HW), m = cnt > 0 ? s / cnt : 0.0, q = 0;
    for (i64 n = n0; n < n1; n++) {
        const float *r = x + (n * C + c) * HW;
        for (i64 i = threadIdx.x; i < HW; i += blockDim.x) {
            double d = (double)r[i] - m;
            q += d * d;
        }
    }
    q = blockSum(q, sh);
    if (threadIdx.x == 0) {
        part[(c * P + p) * 2] = s;
        part[(c * P + p) * 2 + 1] = q;
    }
}

extern "C" __global__ void bn_finish_f32(float *mean, float *var, float *scale, const double *part, const float *gamma,
                                         i64 N, i64 C, i64 HW, i64 P, float eps)
{
    FOR_N(c, C) {
        double s = 0;
        for (i64 p = 0; p < P; p++) s += part[(c * P + p) * 2];
        double M = (double)(N * HW), m = s / M, q = 0;
        for (i64 p = 0; p < P; p++) {
            double cnt = (double)(((p + 1) * N / P - p * N / P) * HW);
            if (cnt == 0) continue;
            double mp = part[(c * P + p) * 2] / cnt;
            q += part[(c * P + p) * 2 + 1] + cnt * (mp - m) * (mp - m);
        }
        double v = q / M;
        mean[c] = (float)m;
        var[c] = (float)v;
        scale[c] = (float)((double)gamma[c] / sqrt(v + (double)eps));
    }
}

// ss [2C]: scale = gamma/√(var+eps) and shift = beta − mean·scale (the
// latter for the conv epilogue of Conv2DForwardBN, as the CPU folds it).
extern "C" __global__ void bn_scale_f32(float *ss, const float *gamma, const float *beta, const float *mean,
                                        const float *var, float eps, i64 C)
{
    FOR_N(c, C) {
        float sc = (float)((double)gamma[c] / sqrt((double)var[c] + (double)eps));
        ss[c] = sc;
        ss[C + c] = __fsub_rn(beta[c], __fmul_rn(mean[c], sc));
    }
}

extern "C" __global__ void bn_affine_f32(float *y, const float *x, const float *mean, const float *scale, const float *beta,
                                         const float *res, i64 relu, i64 C, i64 HW, i64 n)
{
    FOR_N(i, n) {
        i64 c = (i / HW) % C;
        float t = __fadd_rn(__fmul_rn(__fsub_rn(x[i], mean[c]), scale[c]), beta[c]);
        if (res) t = __fadd_rn(t, res[i]);
        if (relu) t = t > 0.0f ? t : (t != t ? t : 0.0f);
        y[i] = t;
    }
}

extern "C" __global__ void bn_bwd_partial_f32(double *part, const float *dy, const float *x, const float *gate,
                                              const float *mean, i64 N, i64 C, i64 HW, i64 P)
{
    __shared__ double sh[32];
    i64 p = blockIdx.x, c = blockIdx.y;
    i64 n0 = p * N / P, n1 = (p + 1) * N / P;
    double m = (double)mean[c], s = 0, sc = 0;
    for (i64 n = n0; n < n1; n++) {
        i64 o = (n * C + c) * HW;
        for (i64 i = threadIdx.x; i < HW; i += blockDim.x) {
            float g = dy[o + i];
            if (gate && !(gate[o + i] > 0.0f)) g = 0.0f;
            s += (double)g;
            sc += (double)g * ((double)x[o + i] - m);
        }
    }
    s = blockSum(s, sh);
    sc = blockSum(sc, sh);
    if (threadIdx.x == 0) {
        part[(c * P + p) * 2] = s;
        part[(c * P + p) * 2 + 1] = sc;
    }
}

// coef [3C]: a = gamma·rstd, mdy = Σg/M, k = Σg(x − mean)·rstd²/M. With P == 0
// (no sums needed: evaluation without dgamma/dbeta) only a is meaningful.
extern "C" __global__ void bn_bwd_finish_f32(float *coef, float *dgamma, float *dbeta, const double *part, const float *gamma,
                                             const float *var, i64 M, i64 P, float eps, i64 C)
{
    FOR_N(c, C) {
        double s = 0, sc = 0;
        for (i64 p = 0; p < P; p++) {
            s += part[(c * P + p) * 2];
            sc += part[(c * P + p) * 2 + 1];
        }
        double rstd = 1.0 / sqrt((double)var[c] + (double)eps), inv = 1.0 / (double)M;
        if (dgamma) dgamma[c] = __fadd_rn(dgamma[c], (float)(sc * rstd));
        if (dbeta) dbeta[c] = __fadd_rn(dbeta[c], (float)s);
        coef[c] = (float)((double)gamma[c] * rstd);
        coef[C + c] = (float)(s * inv);
        coef[2 * C + c] = (float)(sc * rstd * rstd * inv);
    }
}

extern "C" __global__ void bn_bwd_elem_f32(float *dx, float *dres, const float *dy, const float *x, const float *gate,
                                           const float *mean, const float *coef, i64 train, i64 C, i64 HW, i64 n)
{
    FOR_N(i, n) {
        i64 c = (i / HW) % C;
        float g = dy[i];
        if (gate && !(gate[i] > 0.0f)) g = 0.0f;
        if (dres) dres[i] = __fadd_rn(dres[i], g);
        if (!dx) continue;
        float a = coef[c];
        float t = train ? __fmul_rn(__fsub_rn(__fsub_rn(g, coef[C + c]), __fmul_rn(__fsub_rn(x[i], mean[c]), coef[2 * C + c])), a)
                        : __fmul_rn(g, a);
        dx[i] = __fadd_rn(dx[i], t);
    }
}
