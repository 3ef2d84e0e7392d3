//go:build !amd64 || noasm

package batchnorm

// useAVX512 is false where there is no assembly.
const useAVX512 = false

func affineRowsAVX512(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int) {
	panic("batchnorm: AVX-512 loop without assembly")
}

func bnGradRowsAVX512(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int) {
	panic("batchnorm: AVX-512 loop without assembly")
}
