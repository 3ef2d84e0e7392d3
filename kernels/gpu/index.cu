// index.cu - CUDA twins of the CPU IndexSelect, IndexAdd, Gather, ScatterAdd
// (kernels/index.go) and IndexCopy (kernels/index_copy.go); tests
// kernels/index_test.go. Indexes are int64.
//
//   index_select_f32: dst[r,:] = src[idx[r],:]          src [M,D], idx [R], dst [R,D]
//   index_add_f32:    dst[idx[r],:] += alpha*src[r,:]   r in order
//   index_copy_f32:   dst[idx[r],:] = src[r,:]          a later duplicate wins
//   gather_f32:       dst[r,j] = src[r, idx[r,j]]       src [R,C], idx [R,J]
//   scatter_add_f32:  dst[r, idx[r,j]] += src[r,j]      j in order
//
// The CPU's rules hold exactly: the adds run in index order inside one thread
// (one thread per column of dst for IndexAdd, per row for ScatterAdd), so
// repeated indexes accumulate in the same order and the bits are the CPU's;
// IndexCopy writes row r only if no later r' has the same index. An index
// outside [0, M) is skipped and reported through *fault (common.cuh): the CPU
// panics before writing anything, the GPU cannot, so package cuda turns the
// code into a sticky error at the next sync point (the output is then
// unspecified, as every output after a sticky error).
#include "common.cuh"

extern "C" __global__ void index_select_f32(float *dst, const float *src, const i64 *idx, i64 M, i64 D, i64 n, int *fault)
{
    FOR_N(q, n) {
        i64 r = q / D, j = q - r * D, m = idx[r];
        if ((unsigned long long)m >= (unsigned long long)M) { INDEX_FAULT(fault, 1); continue; }
        dst[q] = src[m * D + j];
    }
}

// One thread per column j: rows in order, as the CPU's Axpy per row.
extern "C" __global__ void index_add_f32(float *dst, const i64 *idx, const float *src, i64 M, i64 R, i64 D, float alpha, int *fault)
{
    FOR_N(j, D) {
        for (i64 r = 0; r < R; r++) {
            i64 m = idx[r];
            if ((unsigned long long)m >= (unsigned long long)M) { INDEX_FAULT(fault, 2); continue; }
            dst[m * D + j] = __fadd_rn(dst[m * D + j], __fmul_rn(alpha, src[r * D + j]));
        }
    }
}

// One thread per element (r, j); row r is written only when it is the last
// occurrence of its index, so exactly one writer per destination row.
extern "C" __global__ void index_copy_f32(float *dst, const i64 *idx, const float *src, i64 M, i64 R, i64 D, int *fault)
{
    FOR_N(q, R * D) {
        i64 r = q / D, j = q - r * D, m = idx[r];
        if ((unsigned long long)m >= (unsigned long long)M) { INDEX_FAULT(fault, 3); continue; }
        bool last = true;
        for (i64 s = r + 1; s < R && last; s++) last = idx[s] != m;
        if (last) dst[m * D + j] = src[q];
    }
}

extern "C" __global__ void gather_f32(float *dst, const float *src, const i64 *idx, i64 cols, i64 J, i64 n, int *fault)
{
    FOR_N(q, n) {
        i64 r = q / J, k = idx[q];
        if ((unsigned long long)k >= (unsigned long long)cols) { INDEX_FAULT(fault, 4); continue; }
        dst[q] = src[r * cols + k];
    }
}

// One thread per row r: j in order.
extern "C" __global__ void scatter_add_f32(float *dst, const i64 *idx, const float *src, i64 R, i64 cols, i64 J, int *fault)
{
    FOR_N(r, R) {
        for (i64 j = 0; j < J; j++) {
            i64 k = idx[r * J + j];
            if ((unsigned long long)k >= (unsigned long long)cols) { INDEX_FAULT(fault, 5); continue; }
            dst[r * cols + k] = __fadd_rn(dst[r * cols + k], src[r * J + j]);
        }
    }
}
