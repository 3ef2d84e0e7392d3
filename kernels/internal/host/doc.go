// Package host is what every CPU kernel family of package kernels shares:
// the thread splits (For, Chunks), the scratch buffers (Scratch) and the
// context a kernel runs in (Ctx: its thread count, SIMD path and GEMM).
// The families (kernels/conv, kernels/batchnorm and the ops that stay in
// kernels itself) import it; it imports only sgemm and gonum.
package host
