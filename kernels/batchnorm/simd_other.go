//go:build !amd64 || noasm

package batchnorm

// useAVX2 is false where there is no assembly: the Go loops run.
const useAVX2 = false

// The assembly loops are never called when useAVX2 is false; these bodies
// exist so the dispatch compiles on every platform.

func sum64Rows(x *float32, n, rows, stride int) float64 {
	panic("batchnorm: AVX2 loop without assembly")
}

func sqDev64Rows(x *float32, n, rows, stride int, m float64) float64 {
	panic("batchnorm: AVX2 loop without assembly")
}

func sumDot64Rows(dy, x, y *float32, n, rows, stride int, m float64) (sdy, sdyc float64) {
	panic("batchnorm: AVX2 loop without assembly")
}

func affineRows(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int) {
	panic("batchnorm: AVX2 loop without assembly")
}

func bnGradRows(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int) {
	panic("batchnorm: AVX2 loop without assembly")
}
