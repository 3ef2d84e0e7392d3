package sgemm

// Blocking constants for the external tests, which probe sizes just around
// every block edge.
const (
	MR    = mr6   // tile rows on go and avx2
	MR512 = mr512 // tile rows on avx512
	NR    = nr
	KC    = kc
	MC    = mc
	NC    = nc
)

// HaveAVX2 reports whether the assembly kernels can run here.
var HaveAVX2 = hardware >= AVX2

// SetMaxDirectRows sets the row bound of the in-place B path on every
// SIMD path (0 turns it off) and returns a function restoring the old ones.
func SetMaxDirectRows(n int) (restore func()) {
	old, old512 := maxDirectRows, maxDirectRows512
	maxDirectRows, maxDirectRows512 = n, n
	return func() { maxDirectRows, maxDirectRows512 = old, old512 }
}
