//go:build !amd64 || noasm

package kernels

// useAVX512 is false where there is no assembly.

const useAVX512 = false

func reluAVX512(dst, x *float32, n int) { panic("kernels: AVX-512 loop without assembly") }

func reluGradAccAVX512(dst, dy, y *float32, n int) {
	panic("kernels: AVX-512 loop without assembly")
}
