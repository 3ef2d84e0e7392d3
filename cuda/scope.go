//go:build cuda

package cuda

import "twostage/tensor"

// Zeros allocates a tensor and clears it on the device.
func (b *Backend) Zeros(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	t := b.Empty(dt, s)
	b.Fill(t, 0)
	return t
}

// BeginScope starts recording allocations: EndScope releases every tensor
// allocated until then back to the caching allocator, so a training step
// reuses the same blocks every time.
func (b *Backend) BeginScope() {
	b.scopeMu.Lock()
	defer b.scopeMu.Unlock()
	if b.scoped {
		panic("cuda: BeginScope inside a scope")
	}
	b.scoped = true
}

// EndScope releases the tensors allocated since BeginScope; using one of
// them afterwards panics ("use of a released tensor").
func (b *Backend) EndScope() {
	b.scopeMu.Lock()
	ts := b.inScope
	if !b.scoped {
		b.scopeMu.Unlock()
		panic("cuda: EndScope without BeginScope")
	}
	b.scoped, b.inScope = false, nil
	b.scopeMu.Unlock()
	for _, t := range ts {
		if !t.Storage().(*devStorage).released {
			b.Release(t)
		}
	}
}

// track records t when a scope is open (called by Empty).
func (b *Backend) track(t *tensor.Tensor) *tensor.Tensor {
	b.scopeMu.Lock()
	if b.scoped {
		b.inScope = append(b.inScope, t)
	}
	b.scopeMu.Unlock()
	return t
}
