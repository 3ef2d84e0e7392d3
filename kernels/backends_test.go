package kernels_test

import (
	"twostage/kernels"
	"twostage/tensor"
)

// backends lists every backend the shared kernel tests run over: the CPU with
// its SIMD kernels (where the processor has them) and the portable Go path.
func backends() []struct {
	Name string
	BE   tensor.Backend
} {
	return []struct {
		Name string
		BE   tensor.Backend
	}{
		{"cpu", &kernels.CPU{}},
		{"cpu-nosimd", &kernels.CPU{NoSIMD: true}},
	}
}
