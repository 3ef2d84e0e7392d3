//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"unsafe"

	"gorgonia.org/cu"

	"twostage/kernels"
)

// loadKernels loads the PTX module of every kernel in allKernels and
// resolves its function, so that a missing or unloadable kernel fails Open.
// The driver JIT-compiles the PTX (.target sm_80) for the device at hand and
// caches the result on disk (~/.nv/ComputeCache). Worker thread only.
func (b *Backend) loadKernels() error {
	b.mods = map[string]cu.Module{}
	b.fns = map[string]cu.Function{}
	for _, k := range allKernels {
		if _, err := b.function(k); err != nil {
			return err
		}
	}
	return nil
}

// function returns k's Function, loading its module on first use; both are
// cached (mods by file, fns by kernel name). Worker thread only.
func (b *Backend) function(k kernel) (cu.Function, error) {
	if fn, ok := b.fns[k.name]; ok {
		return fn, nil
	}
	mod, ok := b.mods[k.file]
	if !ok {
		ptx, err := kernels.PTX(k.file)
		if err != nil {
			return cu.Function{}, fmt.Errorf("cuda: %w", err)
		}
		mod, err = cu.LoadData(string(ptx))
		if err != nil {
			return cu.Function{}, fmt.Errorf("cuda: loading kernels/%s.ptx on %s: %w", k.file, b.devName, err)
		}
		b.mods[k.file] = mod
	}
	fn, err := mod.Function(k.name)
	if err != nil {
		return cu.Function{}, fmt.Errorf("cuda: kernels/%s.ptx: kernel %s: %w", k.file, k.name, err)
	}
	b.fns[k.name] = fn
	return fn, nil
}

// launch runs kernel k over n elements: a 1-D grid of gridFor(n) blocks of
// blockSize threads on the context's default stream, asynchronously. args
// are the kernel's parameters in order, each a cu.DevicePtr or int64 (PTX
// .u64) or a float32 (.f32); a mismatch with k.params is a bug and panics.
// Nothing runs when n is 0 or an error is already kept; a failed launch
// becomes the sticky error, tagged with op (the Backend method).
func (b *Backend) launch(op string, k kernel, n int, args ...any) {
	if len(args) != len(k.params) {
		panic("cuda: launch: wrong number of kernel arguments")
	}
	// cu's Launch copies 8 bytes from each argument pointer into C memory,
	// and the driver reads as many bytes as the parameter has; so every
	// argument gets a full 8-byte slot, float32 bits in the low half (the
	// first 4 bytes on little-endian amd64 and arm64).
	slots := make([]uint64, len(args))
	for i, a := range args {
		var typ string
		switch v := a.(type) {
		case cu.DevicePtr:
			typ, slots[i] = "u64", uint64(v)
		case int64:
			typ, slots[i] = "u64", uint64(v)
		case float32:
			typ, slots[i] = "f32", uint64(math.Float32bits(v))
		default:
			panic("cuda: launch: unsupported kernel argument type")
		}
		if typ != k.params[i] {
			panic("cuda: launch: kernel argument type does not match the PTX parameter")
		}
	}
	if n == 0 {
		return
	}
	grid := gridFor(n)
	b.do(func() {
		if b.failed() {
			return
		}
		fn, err := b.function(k)
		if err != nil {
			b.setErr(op, err)
			return
		}
		ptrs := make([]unsafe.Pointer, len(slots))
		for i := range slots {
			ptrs[i] = unsafe.Pointer(&slots[i])
		}
		b.setErr(op, fn.Launch(grid, 1, 1, blockSize, 1, 1, 0, cu.NoStream, ptrs))
	})
}
