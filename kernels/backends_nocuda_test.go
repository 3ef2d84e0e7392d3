//go:build !cuda

package kernels_test

import "twostage/tensor"

// cudaBackends is empty without -tags cuda (backends_cuda_test.go).
func cudaBackends() []struct {
	Name string
	BE   tensor.Backend
} {
	return nil
}
