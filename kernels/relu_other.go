//go:build !amd64 || noasm

package kernels

// useAVX2 is false where there is no assembly: the Go loops run.

const useAVX2 = false

// The assembly loops are never called when useAVX2 is false; these bodies
// exist so the dispatch in relu.go compiles on every platform.

func reluAVX2(dst, x *float32, n int) { panic("kernels: AVX2 loop without assembly") }

func reluGradAccAVX2(dst, dy, y *float32, n int) { panic("kernels: AVX2 loop without assembly") }
