// topk.cu - CUDA twins of the CPU TopK and Argmax (kernels/topk.go; test
// kernels/topk_test.go), for x [R, Cols], one 256-thread block per row
// (grid-stride over rows). Both use the CPU's total order
//
//   a ranks before b  <=>  a > b, or a == b and index(a) < index(b),
//
// with NaN above every number, so the outputs are unique and equal the
// CPU's exactly: descending values, ties toward the lower index.
//
// topk_f32 (k <= TOPK_MAX) is a radix select, not a sort of the row:
//   1. key(v) maps the order onto uint32 (sign-flipped bits; -0 as +0, since
//      they compare equal; every NaN the largest key);
//   2. four passes of an 8-bit histogram of the keys that share the digits
//      found so far find T, the key of the k-th best entry, and how many
//      entries beat it (integer atomics into shared memory: exact counts);
//   3. one ordered pass keeps every key > T and the first (lowest-index)
//      entries == T, up to k in all, compacted with a block prefix count;
//   4. a bitonic sort of those k candidates on (key desc, index asc).
// Cost: five reads of the row per query row, against Cols·log k for the
// CPU heap. Variants not yet measured on a device.
#include "common.cuh"

#define TOPK_MAX 2048
#define TPB 256

__device__ __forceinline__ unsigned int rankKey(float v)
{
    if (v != v) return 0xffffffffu;
    unsigned int u = __float_as_uint(v);
    if ((u & 0x7fffffffu) == 0) u = 0; // -0 == +0
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// better reports whether (ka, ia) ranks before (kb, ib).
__device__ __forceinline__ bool better(unsigned int ka, i64 ia, unsigned int kb, i64 ib)
{
    return ka > kb || (ka == kb && ia < ib);
}

extern "C" __global__ void argmax_f32(i64 *idx, const float *x, i64 R, i64 cols)
{
    __shared__ unsigned int sk[TPB / 32];
    __shared__ i64 si[TPB / 32];
    for (i64 r = blockIdx.x; r < R; r += gridDim.x) {
        const float *row = x + r * cols;
        unsigned int bk = 0;
        i64 bi = -1;
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
            unsigned int k = rankKey(row[c]);
            if (bi < 0 || better(k, c, bk, bi)) { bk = k; bi = c; }
        }
        for (int o = 16; o > 0; o >>= 1) {
            unsigned int ok = __shfl_xor_sync(0xffffffffu, bk, o);
            i64 oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (oi >= 0 && (bi < 0 || better(ok, oi, bk, bi))) { bk = ok; bi = oi; }
        }
        int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
        __syncthreads();
        if (lane == 0) { sk[w] = bk; si[w] = bi; }
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int j = 1; j < (int)(blockDim.x >> 5); j++)
                if (si[j] >= 0 && (bi < 0 || better(sk[j], si[j], bk, bi))) { bk = sk[j]; bi = si[j]; }
            idx[r] = bi;
        }
    }
}

// blockCount returns the number of set flags of threads before this one
// (exclusive prefix) and writes the block total to *total.
__device__ __forceinline__ int blockPrefix(int flag, int *sh, int *total)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    unsigned int b = __ballot_sync(0xffffffffu, flag);
    int before = __popc(b & ((1u << lane) - 1u));
    __syncthreads();
    if (lane == 0) sh[w] = __popc(b);
    __syncthreads();
    int off = 0, all = 0;
    for (int j = 0; j < TPB / 32; j++) {
        if (j < w) off += sh[j];
        all += sh[j];
    }
    *total = all;
    return off + before;
}

extern "C" __global__ void __launch_bounds__(TPB) topk_f32(float *vals, i64 *idx, const float *x, i64 R, i64 cols, i64 k)
{
    __shared__ int hist[256];
    __shared__ unsigned long long cand[TOPK_MAX]; // (key << 32) | ~index: larger ranks first
    __shared__ int shc[TPB / 32];
    __shared__ unsigned int sT;
    __shared__ int sNeed;
    if (k <= 0) return;
    for (i64 r = blockIdx.x; r < R; r += gridDim.x) {
        const float *row = x + r * cols;
        // 2. Radix select of the k-th key, most significant digit first.
        unsigned int prefix = 0, mask = 0;
        int need = (int)k; // entries still to take at or below the current prefix
        for (int shift = 24; shift >= 0; shift -= 8) {
            for (int b = threadIdx.x; b < 256; b += blockDim.x) hist[b] = 0;
            __syncthreads();
            for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
                unsigned int key = rankKey(row[c]);
                if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 255u], 1);
            }
            __syncthreads();
            if (threadIdx.x == 0) {
                int acc = 0, b = 255;
                for (; b > 0; b--) {
                    if (acc + hist[b] >= need) break;
                    acc += hist[b];
                }
                sNeed = need - acc;
                sT = prefix | ((unsigned int)b << shift);
            }
            __syncthreads();
            need = sNeed;
            prefix = sT;
            mask |= 255u << shift;
        }
        unsigned int T = prefix; // need = how many entries == T to keep
        // 3. Ordered compaction: all keys > T, the first `need` keys == T.
        int nGreater = 0, nEqual = 0;
        for (i64 c0 = 0; c0 < cols; c0 += blockDim.x) {
            i64 c = c0 + threadIdx.x;
            unsigned int key = c < cols ? rankKey(row[c]) : 0;
            int gt = c < cols && key > T, eq = c < cols && key == T;
            int tg, te;
            int pg = blockPrefix(gt, shc, &tg);
            int pe = blockPrefix(eq, shc, &te);
            unsigned long long e = ((unsigned long long)key << 32) | (0xffffffffu - (unsigned int)c);
            if (gt) cand[nGreater + pg] = e;                                // nGreater + tg <= k - need
            if (eq && nEqual + pe < need) cand[(k - need) + nEqual + pe] = e;
            nGreater += tg;
            nEqual += te;
        }
        __syncthreads();
        // 4. Bitonic sort of k candidates (padded to a power of two with 0, which sorts last).
        int p2 = 1;
        while (p2 < k) p2 <<= 1;
        for (int i = (int)k + threadIdx.x; i < p2; i += blockDim.x) cand[i] = 0;
        __syncthreads();
        for (int size = 2; size <= p2; size <<= 1) {
            for (int stride = size >> 1; stride > 0; stride >>= 1) {
                for (int i = threadIdx.x; i < p2; i += blockDim.x) {
                    int j = i ^ stride;
                    if (j > i) {
                        bool desc = (i & size) == 0;
                        unsigned long long a = cand[i], b = cand[j];
                        if (desc ? a < b : a > b) { cand[i] = b; cand[j] = a; }
                    }
                }
                __syncthreads();
            }
        }
        for (int i = threadIdx.x; i < k; i += blockDim.x) {
            i64 c = (i64)(0xffffffffu - (unsigned int)(cand[i] & 0xffffffffu));
            vals[r * k + i] = row[c];
            idx[r * k + i] = c;
        }
        __syncthreads();
    }
}
