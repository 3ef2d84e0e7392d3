//go:build !noasm

package conv

// prefetch asks the CPU to bring the cache lines of p[0:n] into L1
// (PREFETCHT0, one per 64-byte line). It is a hint: it changes no value,
// so every SIMD path, the Go one included, calls it (skipsLines says
// where it pays).
//
//go:noescape
func prefetch(p *float32, n int)
