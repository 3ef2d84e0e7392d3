package ktest

import (
	"twostage/kernels"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// Backends lists every backend the shared kernel tests run over: the CPU on
// each SIMD path this process can run (sgemm.Paths: avx512 and avx2 where
// the processor has them, capped by TWOSTAGE_SIMD, and go) and the portable
// reference (NoSIMD: the Go twins with gonum's GEMM). "cpu" is the default
// path, the one a zero CPU runs. Under -tags cuda the CUDA backend on
// device 0 joins them (cudaBackends, backends_cuda.go), so these tests
// are its conformance suite on a GPU machine.
func Backends() []struct {
	Name string
	BE   tensor.Backend
} {
	bs := []struct {
		Name string
		BE   tensor.Backend
	}{
		{"cpu", &kernels.CPU{}},
		{"cpu-nosimd", &kernels.CPU{NoSIMD: true}},
	}
	for _, p := range sgemm.Paths() {
		if p != sgemm.Default() { // the default is "cpu" already
			bs = append(bs, struct {
				Name string
				BE   tensor.Backend
			}{"cpu-" + p.String(), &kernels.CPU{Path: p}})
		}
	}
	return append(bs, cudaBackends()...)
}
