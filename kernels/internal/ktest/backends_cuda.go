//go:build cuda

package ktest

import (
	"fmt"
	"os"
	"sync"

	"twostage/cuda"
	"twostage/tensor"
)

// Under -tags cuda the shared kernel tests are the CUDA backend's
// conformance suite (STYLE.md §4, gonum's testblas): cudaBackends adds
// device 0 to Backends(), so every op is checked against its float64
// reference on the GPU with the tests the CPU passes. The backend is opened
// with cuda.NaNFillEnv set, so every tensor from Empty starts as NaN and an
// output element a kernel forgets to write fails its comparison.
//
// Built and linked on the GPU-less CI (go test -tags cuda -c), run only on
// a GPU machine (scripts/gpu-check.sh): gorgonia.org/cu's init exits a
// process that finds no device.

var cudaBE struct {
	once sync.Once
	be   *cuda.Backend
}

// cudaBackends returns the CUDA backend on device 0, opened once; opening
// it must work in a cuda build (the binary only starts where a GPU is).
func cudaBackends() []struct {
	Name string
	BE   tensor.Backend
} {
	cudaBE.once.Do(func() {
		os.Setenv(cuda.NaNFillEnv, "1")
		be, err := cuda.Open(0)
		if err != nil {
			panic(fmt.Sprintf("kernels_test: -tags cuda but cuda.Open(0): %v", err))
		}
		cudaBE.be = be
	})
	mode := "tf32"
	if cudaBE.be.ExactFP32() {
		mode = "fp32"
	}
	return []struct {
		Name string
		BE   tensor.Backend
	}{{"cuda-" + mode, cudaBE.be}}
}
