// common.cuh - helpers shared by the kernels in this folder (included, never
// compiled on its own).
//
// Conventions of every kernel here (package cuda's launchers rely on them):
//   - extern "C" names, parameters only pointers, long long (PTX .u64) and
//     float (.f32): gorgonia.org/cu copies every argument as 8 bytes;
//   - sizes and indexes are 64-bit; elementwise kernels walk a grid-stride
//     loop, so any grid covers any n;
//   - reductions accumulate in double, in an order fixed by the shape and the
//     launch geometry alone (no float atomics), so a run repeats its bits;
//   - where the CPU kernel rounds a product before adding it (Go does not
//     contract a*b+c on amd64), the twin writes __fmul_rn/__fadd_rn, which
//     nvcc never fuses, and is then bit-identical to it.
#pragma once

typedef long long i64;

// grid-stride loop over [0, n)
#define FOR_N(i, n) \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// warpSum adds v over the 32 lanes of a warp (every lane gets the total), in
// a fixed butterfly order.
__device__ __forceinline__ double warpSum(double v)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// blockSum adds v over the block (blockDim.x a multiple of 32, at most 1024);
// every thread gets the total. sh must hold 32 doubles. The order is fixed:
// each warp's butterfly, then warp 0 adds the warps' sums the same way.
__device__ __forceinline__ double blockSum(double v, double *sh)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = warpSum(v);
    __syncthreads(); // sh may still be read by a previous call
    if (lane == 0) sh[w] = v;
    __syncthreads();
    v = lane < nw ? sh[lane] : 0.0;
    v = warpSum(v);
    return v;
}

// The index-error word: index kernels that meet an index out of range skip
// the element and store a nonzero code here; package cuda reads it at every
// sync point and turns it into the sticky error. A plain store: any of the
// racing writers' codes will do.
#define INDEX_FAULT(fault, code) (*(fault) = (code))
