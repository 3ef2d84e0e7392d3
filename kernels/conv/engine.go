package conv

import "twostage/kernels/internal/host"

// Engine runs the convolutions with a caller's context: its thread count,
// SIMD path and GEMM (kernels.CPU's). The zero Threads is not valid; take
// one from host.Ctx as kernels does.
type Engine struct{ host.Ctx }
