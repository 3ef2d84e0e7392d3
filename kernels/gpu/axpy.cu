// axpy.cu - CUDA twins of the CPU Axpy and Scale (kernels/elementwise.go):
//
//   axpy_f32:  y[i] += alpha * x[i]         x, y: float32 [n]   (+=)
//   scale_f32: dst[i] = alpha * x[i] + beta  x, dst: float32 [n]  (=)
//
// Both are elementwise and read x[i] before writing the output element, so the
// output may alias x (the Backend contract allows dst == x); hence no
// __restrict__. nvcc contracts a*b+c into one FMA (its default --fmad=true), so
// results may differ from a non-fused CPU loop by one rounding of the product:
// at most 2^-24 * |alpha*x[i]| (tests allow for it).
//
// Launch: 1-D grid of 256-thread blocks, grid-stride loop, 64-bit indexes.

extern "C" __global__ void axpy_f32(float *y, const float *x, float alpha, long long n)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] += alpha * x[i];
    }
}

extern "C" __global__ void scale_f32(float *dst, const float *x, float alpha, float beta, long long n)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        dst[i] = alpha * x[i] + beta;
    }
}
