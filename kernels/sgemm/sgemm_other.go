//go:build !amd64 || noasm

package sgemm

// useAVX2 is false where there is no assembly kernel: kernelGo runs.
const useAVX2 = false

// kernelAVX2 is never called when useAVX2 is false; it exists so the
// dispatch in tile compiles on every platform.
func kernelAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("sgemm: kernelAVX2 without assembly support")
}

// pack6 and transpose8 are never called when useAVX2 is false.
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
