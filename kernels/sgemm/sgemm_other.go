//go:build !amd64 || noasm

package sgemm

// The assembly is never called on the go path, the only one available
// here (path_other.go); these bodies exist so the dispatch compiles on
// every platform.
func kernelAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("sgemm: kernelAVX2 without assembly support")
}

func pack6(k int, src *float32, ld int, dst *float32) {
	panic("sgemm: pack6 without assembly support")
}

func transpose8(k int, src *float32, ld int, dst *float32, stride int) {
	panic("sgemm: transpose8 without assembly support")
}

func kernelRowsAVX2(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32) {
	panic("sgemm: kernelRowsAVX2 without assembly support")
}

func packRow16(n int, src, dst *float32, stride int, pf *float32) {
	panic("sgemm: packRow16 without assembly support")
}

func packRow6(n int, src, dst *float32, stride int, pf *float32) {
	panic("sgemm: packRow6 without assembly support")
}

func kernelBlockAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int) {
	panic("sgemm: kernelBlockAVX2 without assembly support")
}

func kernelBlockAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int) {
	panic("sgemm: kernelBlockAVX512 without assembly support")
}

func kernelRowsAVX512(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32) {
	panic("sgemm: kernelRowsAVX512 without assembly support")
}

func fmaPeakAVX2(n int) { panic("sgemm: fmaPeakAVX2 without assembly support") }

func fmaPeakAVX512(n int) { panic("sgemm: fmaPeakAVX512 without assembly support") }
