// conv.cu - the GEMM core on tensor cores: CUDA twin of the CPU
// Conv2DForward, Conv2DForwardBN, Conv2DBackwardData, Conv2DBackwardFilter
// (kernels/conv/*.go; tests kernels/conv/conv_test.go, bn_test.go) and
// Gemm (kernels/gemm.go; test kernels/gemm_test.go). One implicit-GEMM tile
// loop serves all five; only the loaders of the A and B tiles and the
// epilogue differ by MODE (the im2col matrix is never stored):
//
//   MODE  C[Mg×Ng] = Σ_kg A[mg,kg]·B[kg,ng]                  Mg    Ng        Kg
//   FWD   y[n,k,oh,ow] (=, +BN epilogue) : A = w[k,crs], B = x gathered     K     N·OH·OW   C·R·S
//   DATA  dx[n,c,ih,iw] +=               : A = w[k,c,rs]ᵀ, B = dy gathered  C     N·H·W     K·R·S
//   FILT  dw[k,crs] +=                   : A = dy[n,k,ohw], B = x gathered  K     C·R·S     N·OH·OW
//   GEMM  c = alpha·op(a)·op(b) + beta·c                                    M     N         K
//
// Geometry (package cuda's igemm.go holds the same numbers and a Go model of
// the loop that the tests check against the CPU convolution): a block of 256
// threads (8 warps as 2 × 4) computes a BM × 128 tile of C, BM = 128 or 64;
// each warp a (BM/2) × 32 tile as (BM/32) × 4 mma.sync.m16n8k8 TF32 tiles
// with float accumulators. The reduction runs in BK = 16 slices through two
// shared-memory stages filled by 4-byte cp.async (zero-filled outside the
// matrix or the padding), so the next slice's loads overlap this slice's
// MMAs. gridDim = (ceil(Ng/128), ceil(Mg/BM), splits): FILT splits its long
// pixel reduction into `splits` contiguous ranges of slices, each block
// storing its partial tile to ws[z] and splitk_reduce_f32 adding the splits
// into dw in order: deterministic, no float atomics.
//
// EXACT instead multiplies in plain FP32 (fma per product, the same tiles
// and fragment layout, no tensor cores): the exact mode for goldens and
// comparisons. TF32 keeps 10 mantissa bits of each factor (cvt.rna), so a
// product's relative error is about 2^-11; the sums stay FP32.
//
// Shared memory: A stages [2][BM][BK+4], B stages [2][BK][128+8]: the pads
// make the fragment reads conflict-free (rows 20 and 136 words apart put the
// 32 lanes of a fragment load on 32 banks). 37.9 KB at BM = 128: static, under
// the 48 KB a block gets without cuFuncSetAttribute.
//
// Unverified on a device as of this commit: ptxas and cuobjdump check it in
// CI (HMMA, LDGSTS, no spills), the Go model checks the index math. Known
// costs to measure first when a GPU run exists: every load is a 4-byte
// cp.async with its own index math (16-byte copies need the C·R·S and pixel
// runs aligned, which the stem's 27 taps and the strided gathers are not);
// the data gradient of a stride-2 conv multiplies the zeros between the
// strided taps (3/4 of its MMAs); the 128-row tiles run one block an SM
// (200+ registers); the epilogue stores two neighbouring floats a thread.
#include "common.cuh"

#define MODE_FWD 0
#define MODE_DATA 1
#define MODE_FILT 2
#define MODE_GEMM 3

#define BN_ 128
#define BK_ 16
#define APAD 4
#define BPAD 8
#define NTH 256

__device__ __forceinline__ void cpAsync4(float *dst, const float *src, bool valid)
{
    unsigned int s = (unsigned int)__cvta_generic_to_shared(dst);
    int n = valid ? 4 : 0; // src-size 0: nothing is read, the 4 bytes are zero-filled
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(s), "l"(src), "r"(n));
}
__device__ __forceinline__ void cpCommit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> __device__ __forceinline__ void cpWait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ unsigned int tf32(float v)
{
    unsigned int r;
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(v));
    return r;
}

__device__ __forceinline__ void mma1688(float *d, const unsigned int *a, const unsigned int *b)
{
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Conv is the problem: the convolution's shape (unused fields 0 for GEMM) and
// the GEMM view of it.
struct Conv {
    i64 N, C, H, W, K, R, S, st, pad, OH, OW;
    i64 Mg, Ng, Kg;
    i64 lda, ldb, ldc, tA, tB;
};

// decodeRS splits kg = outer·RS + r·S + s for the filter taps; KS = 1 and 3
// are compile-time shapes (1×1 and 3×3 filters), 0 the general case.
template <int KS> __device__ __forceinline__ void decodeRS(i64 kg, const Conv &p, i64 &outer, int &r, int &s)
{
    if (KS == 1) { outer = kg; r = 0; s = 0; return; }
    const int S = KS == 3 ? 3 : (int)p.S, RS = KS == 3 ? 9 : (int)(p.R * p.S);
    outer = kg / RS;
    int rs = (int)(kg - outer * RS);
    r = rs / S;
    s = rs - r * S;
}

template <int MODE, int BM, int KS, bool EXACT>
__device__ __forceinline__ void igemm(float *out, const float *a, const float *b, float *ws, const Conv &p, i64 slicesPerSplit,
                                      const float *scale, const float *shift, const float *res, i64 relu, i64 acc, float alpha, float beta)
{
    constexpr int MI = BM / 32, NI = 4, AL = BM * BK_ / NTH, BL = BK_ * BN_ / NTH;
    __shared__ __align__(16) float As[2][BM][BK_ + APAD];
    __shared__ __align__(16) float Bs[2][BK_][BN_ + BPAD];

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int g = lane >> 2, t = lane & 3;
    const int wm0 = (warp >> 2) * (BM / 2), wn0 = (warp & 3) * 32;
    const i64 m0 = (i64)blockIdx.y * BM, n0 = (i64)blockIdx.x * BN_;
    const i64 nSlices = (p.Kg + BK_ - 1) / BK_;
    const i64 s0 = (i64)blockIdx.z * slicesPerSplit, s1 = min(nSlices, s0 + slicesPerSplit);

    // The thread's fixed column of the B tile (conv modes): its pixel (FWD,
    // DATA) or filter tap (FILT), decoded once.
    const int bcol = tid & (BN_ - 1);
    const i64 ng = n0 + bcol;
    const bool nok = ng < p.Ng;
    i64 bImg = 0, bc = 0;
    int bh = 0, bw = 0, br = 0, bs = 0;
    if (MODE == MODE_FWD && nok) {
        i64 ohw = p.OH * p.OW;
        bImg = ng / ohw;
        i64 q = ng - bImg * ohw, oh = q / p.OW;
        bh = (int)(oh * p.st - p.pad);
        bw = (int)((q - oh * p.OW) * p.st - p.pad);
    } else if (MODE == MODE_DATA && nok) {
        i64 hw = p.H * p.W;
        bImg = ng / hw;
        i64 q = ng - bImg * hw, ih = q / p.W;
        bh = (int)(ih + p.pad);
        bw = (int)(q - ih * p.W + p.pad);
    } else if (MODE == MODE_FILT && nok) {
        decodeRS<KS>(ng, p, bc, br, bs);
    }
    // A tiles are loaded m-fastest when the source is contiguous along m.
    const bool aMFast = (MODE == MODE_GEMM && p.tA) || (MODE == MODE_DATA && KS == 1);
    const bool bKFast = MODE == MODE_GEMM && p.tB;

    auto loadTile = [&](int st, i64 slice) {
        const i64 k0 = slice * BK_;
#pragma unroll
        for (int i = 0; i < AL; i++) {
            int e = tid + i * NTH, m, kk;
            if (aMFast) { m = e % BM; kk = e / BM; } else { m = e / BK_; kk = e % BK_; }
            i64 mg = m0 + m, kg = k0 + kk;
            bool ok = mg < p.Mg && kg < p.Kg;
            const float *src = a;
            if (ok) {
                if (MODE == MODE_FWD) src = a + mg * p.Kg + kg;
                else if (MODE == MODE_DATA) {
                    i64 k; int r, s;
                    decodeRS<KS>(kg, p, k, r, s);
                    src = a + ((k * p.C + mg) * p.R + r) * p.S + s;
                } else if (MODE == MODE_FILT) {
                    i64 ohw = p.OH * p.OW, n = kg / ohw;
                    src = a + (n * p.K + mg) * ohw + (kg - n * ohw);
                } else src = p.tA ? a + kg * p.lda + mg : a + mg * p.lda + kg;
            }
            cpAsync4(&As[st][m][kk], src, ok);
        }
#pragma unroll
        for (int i = 0; i < BL; i++) {
            int e = tid + i * NTH, kk, n;
            if (bKFast) { kk = e % BK_; n = e / BK_; } else { kk = e / BN_; n = e % BN_; }
            i64 kg = k0 + kk;
            bool ok = kg < p.Kg;
            const float *src = b;
            if (MODE == MODE_GEMM) {
                i64 gn = n0 + n;
                ok = ok && gn < p.Ng;
                if (ok) src = p.tB ? b + gn * p.ldb + kg : b + kg * p.ldb + gn;
            } else if (MODE == MODE_FWD) {
                i64 c; int r, s;
                decodeRS<KS>(kg, p, c, r, s);
                int ih = bh + r, iw = bw + s;
                ok = ok && nok && ih >= 0 && ih < p.H && iw >= 0 && iw < p.W;
                if (ok) src = b + ((bImg * p.C + c) * p.H + ih) * p.W + iw;
            } else if (MODE == MODE_DATA) {
                i64 k; int r, s;
                decodeRS<KS>(kg, p, k, r, s);
                int th = bh - r, tw = bw - s, st_ = (int)p.st;
                int oh = th / st_, ow = tw / st_;
                ok = ok && nok && th >= 0 && tw >= 0 && oh * st_ == th && ow * st_ == tw && oh < p.OH && ow < p.OW;
                if (ok) src = b + ((bImg * p.K + k) * p.OH + oh) * p.OW + ow;
            } else { // FILT: row kg is a pixel (n, oh, ow), the column a tap (c, r, s)
                i64 ohw = p.OH * p.OW, n = kg / ohw, q = kg - n * ohw, oh = q / p.OW, ow = q - oh * p.OW;
                int ih = (int)(oh * p.st - p.pad) + br, iw = (int)(ow * p.st - p.pad) + bs;
                ok = ok && nok && ih >= 0 && ih < p.H && iw >= 0 && iw < p.W;
                if (ok) src = b + ((n * p.C + bc) * p.H + ih) * p.W + iw;
            }
            cpAsync4(&Bs[st][kk][n], src, ok);
        }
    };

    float accv[MI][NI][4];
#pragma unroll
    for (int i = 0; i < MI; i++)
#pragma unroll
        for (int j = 0; j < NI; j++)
#pragma unroll
            for (int q = 0; q < 4; q++) accv[i][j][q] = 0.0f;

    if (s0 < s1) {
        loadTile(0, s0);
        cpCommit();
    }
    for (i64 sl = s0; sl < s1; sl++) {
        const int cur = (int)((sl - s0) & 1);
        if (sl + 1 < s1) {
            loadTile(cur ^ 1, sl + 1);
            cpCommit();
            cpWait<1>();
        } else {
            cpWait<0>();
        }
        __syncthreads();
        if (EXACT) {
#pragma unroll
            for (int kk = 0; kk < BK_; kk++) {
                float av[MI][2], bv[NI][2];
#pragma unroll
                for (int i = 0; i < MI; i++) {
                    av[i][0] = As[cur][wm0 + i * 16 + g][kk];
                    av[i][1] = As[cur][wm0 + i * 16 + g + 8][kk];
                }
#pragma unroll
                for (int j = 0; j < NI; j++) {
                    bv[j][0] = Bs[cur][kk][wn0 + j * 8 + t * 2];
                    bv[j][1] = Bs[cur][kk][wn0 + j * 8 + t * 2 + 1];
                }
#pragma unroll
                for (int i = 0; i < MI; i++)
#pragma unroll
                    for (int j = 0; j < NI; j++) {
                        accv[i][j][0] = fmaf(av[i][0], bv[j][0], accv[i][j][0]);
                        accv[i][j][1] = fmaf(av[i][0], bv[j][1], accv[i][j][1]);
                        accv[i][j][2] = fmaf(av[i][1], bv[j][0], accv[i][j][2]);
                        accv[i][j][3] = fmaf(av[i][1], bv[j][1], accv[i][j][3]);
                    }
            }
        } else {
#pragma unroll
            for (int kk = 0; kk < BK_; kk += 8) {
                unsigned int af[MI][4], bf[NI][2];
#pragma unroll
                for (int i = 0; i < MI; i++) {
                    const int r = wm0 + i * 16 + g;
                    af[i][0] = tf32(As[cur][r][kk + t]);
                    af[i][1] = tf32(As[cur][r + 8][kk + t]);
                    af[i][2] = tf32(As[cur][r][kk + t + 4]);
                    af[i][3] = tf32(As[cur][r + 8][kk + t + 4]);
                }
#pragma unroll
                for (int j = 0; j < NI; j++) {
                    const int c = wn0 + j * 8 + g;
                    bf[j][0] = tf32(Bs[cur][kk + t][c]);
                    bf[j][1] = tf32(Bs[cur][kk + t + 4][c]);
                }
#pragma unroll
                for (int i = 0; i < MI; i++)
#pragma unroll
                    for (int j = 0; j < NI; j++) mma1688(accv[i][j], af[i], bf[j]);
            }
        }
        __syncthreads(); // the stage is refilled next iteration
    }

    // Epilogue: accumulator q of tile (i, j) is C[wm0+16i+g+8(q>>1), wn0+8j+2t+(q&1)].
#pragma unroll
    for (int i = 0; i < MI; i++)
#pragma unroll
        for (int j = 0; j < NI; j++)
#pragma unroll
            for (int q = 0; q < 4; q++) {
                const i64 mg = m0 + wm0 + i * 16 + g + 8 * (q >> 1), gn = n0 + wn0 + j * 8 + t * 2 + (q & 1);
                if (mg >= p.Mg || gn >= p.Ng) continue;
                float v = accv[i][j][q];
                if (MODE == MODE_FWD) {
                    const i64 ohw = p.OH * p.OW, n = gn / ohw, o = (n * p.K + mg) * ohw + (gn - n * ohw);
                    if (scale) v = __fadd_rn(__fmul_rn(v, scale[mg]), shift[mg]);
                    if (res) v = __fadd_rn(v, res[o]);
                    if (relu) v = v > 0.0f ? v : (v != v ? v : 0.0f);
                    out[o] = acc ? __fadd_rn(out[o], v) : v;
                } else if (MODE == MODE_DATA) {
                    const i64 hw = p.H * p.W, n = gn / hw, o = (n * p.C + mg) * hw + (gn - n * hw);
                    out[o] = __fadd_rn(out[o], v);
                } else if (MODE == MODE_FILT) {
                    const i64 o = mg * p.Ng + gn;
                    if (ws) ws[(i64)blockIdx.z * p.Mg * p.Ng + o] = v;
                    else out[o] = __fadd_rn(out[o], v);
                } else {
                    const i64 o = mg * p.ldc + gn;
                    float r = __fmul_rn(alpha, v);
                    out[o] = beta == 0.0f ? r : __fadd_rn(r, __fmul_rn(beta, out[o]));
                }
            }
}

// MINB is the blocks per SM each tile size is compiled for: two 64-row
// blocks (at most 128 registers a thread), one 128-row block (its 64
// accumulators and the loaders' 64-bit addresses spill at 128 registers).
#define MINB(BM) ((BM) == 128 ? 1 : 2)

// The conv entry points: one parameter list for the three modes.
//   out: y (FWD), dx (DATA), dw (FILT); a: w, w, dy; b: x, dy, x
//   ws: FILT's split workspace [splits, K, C·R·S], or null to add into dw
//   scale, shift, res, relu: FWD's epilogue (null, null, null, 0 for none)
//   acc: FWD only, 1 for y += instead of y =
#define CONV_ENTRY(name, MODE, BM, KS, EXACT)                                                                         \
    extern "C" __global__ void __launch_bounds__(NTH, MINB(BM))                                                     \
        name(float *out, const float *a, const float *b, float *ws, i64 N, i64 C, i64 H, i64 W, i64 K, i64 R, i64 S, \
             i64 st, i64 pad, i64 OH, i64 OW, i64 slicesPerSplit, const float *scale, const float *shift,            \
             const float *res, i64 relu, i64 acc)                                                                   \
    {                                                                                                               \
        Conv p = {N, C, H, W, K, R, S, st, pad, OH, OW, 0, 0, 0, 0, 0, 0, 0, 0};                                    \
        if (MODE == MODE_FWD) { p.Mg = K; p.Ng = N * OH * OW; p.Kg = C * R * S; }                                   \
        if (MODE == MODE_DATA) { p.Mg = C; p.Ng = N * H * W; p.Kg = K * R * S; }                                    \
        if (MODE == MODE_FILT) { p.Mg = K; p.Ng = C * R * S; p.Kg = N * OH * OW; }                                  \
        igemm<MODE, BM, KS, EXACT>(out, a, b, ws, p, slicesPerSplit, scale, shift, res, relu, acc, 1.0f, 0.0f);      \
    }

#define CONV_FAMILY(mode, MODE)                                        \
    CONV_ENTRY(conv_##mode##_128_k0, MODE, 128, 0, false)              \
    CONV_ENTRY(conv_##mode##_128_k1, MODE, 128, 1, false)              \
    CONV_ENTRY(conv_##mode##_128_k3, MODE, 128, 3, false)              \
    CONV_ENTRY(conv_##mode##_64_k0, MODE, 64, 0, false)                \
    CONV_ENTRY(conv_##mode##_64_k1, MODE, 64, 1, false)                \
    CONV_ENTRY(conv_##mode##_64_k3, MODE, 64, 3, false)                \
    CONV_ENTRY(conv_##mode##_exact_k0, MODE, 64, 0, true)

CONV_FAMILY(fwd, MODE_FWD)
CONV_FAMILY(data, MODE_DATA)
CONV_FAMILY(filt, MODE_FILT)

// gemm_*: c [M,N] = alpha·op(a)·op(b) + beta·c, row-major with leading
// dimensions; beta == 0 ignores c's old contents (it may hold NaN).
#define GEMM_ENTRY(name, BM, EXACT)                                                                                   \
    extern "C" __global__ void __launch_bounds__(NTH, MINB(BM))                                                     \
        name(float *c, const float *a, const float *b, i64 M, i64 N, i64 K, i64 lda, i64 ldb, i64 ldc, i64 tA, i64 tB, \
             float alpha, float beta)                                                                               \
    {                                                                                                               \
        Conv p = {0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, M, N, K, lda, ldb, ldc, tA, tB};                                 \
        igemm<MODE_GEMM, BM, 0, EXACT>(c, a, b, 0, p, (K + BK_ - 1) / BK_, 0, 0, 0, 0, 0, alpha, beta);             \
    }

GEMM_ENTRY(gemm_128, 128, false)
GEMM_ENTRY(gemm_64, 64, false)
GEMM_ENTRY(gemm_exact, 64, true)

// splitk_reduce_f32: out[i] += Σ_{z<splits} ws[z·n + i], z in order.
extern "C" __global__ void splitk_reduce_f32(float *out, const float *ws, i64 splits, i64 n)
{
    FOR_N(i, n) {
        float s = 0.0f;
        for (i64 z = 0; z < splits; z++) s = __fadd_rn(s, ws[z * n + i]);
        out[i] = __fadd_rn(out[i], s);
    }
}
