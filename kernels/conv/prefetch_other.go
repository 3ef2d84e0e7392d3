//go:build !amd64 || noasm

package conv

// prefetch is a hint with no effect on values; without assembly it does
// nothing.
func prefetch(p *float32, n int) {}
