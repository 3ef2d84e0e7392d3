//go:build !cuda

package cuda

import "twostage/tensor"

// This file stands in for device.go, memory.go, module.go and backend.go in
// a build without -tags cuda, so that callers (cmd/internal/cli, tests) compile
// unchanged in both builds. It imports nothing from CUDA.

// Backend is the CUDA backend. Without -tags cuda no value of it is ever
// made: Open returns ErrNotBuilt. The embedded interface only gives the type
// the method set of tensor.Backend; it is always nil.
type Backend struct {
	backendMethods
}

type backendMethods interface{ tensor.Backend }

// Open returns ErrNotBuilt: this binary has no CUDA support.
func Open(device int) (*Backend, error) { return nil, ErrNotBuilt }

// Close returns ErrNotBuilt.
func (b *Backend) Close() error { return ErrNotBuilt }

// MemStats returns zero counters.
func (b *Backend) MemStats() MemStats { return MemStats{} }

// EmptyCache does nothing.
func (b *Backend) EmptyCache() {}

// SetExactFP32 does nothing.
func (b *Backend) SetExactFP32(on bool) {}

// ExactFP32 reports false.
func (b *Backend) ExactFP32() bool { return false }

var _ tensor.Backend = (*Backend)(nil)
