//go:build !cuda

package ktest

import "twostage/tensor"

// cudaBackends is empty without -tags cuda (backends_cuda.go).
func cudaBackends() []struct {
	Name string
	BE   tensor.Backend
} {
	return nil
}
