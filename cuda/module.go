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
			return cu.Function{}, fmt.Errorf("cuda: loading kernels/gpu/%s.ptx on %s: %w", k.file, b.devName, err)
		}
		b.mods[k.file] = mod
	}
	fn, err := mod.Function(k.name)
	if err != nil {
		return cu.Function{}, fmt.Errorf("cuda: kernels/gpu/%s.ptx: kernel %s: %w", k.file, k.name, err)
	}
	b.fns[k.name] = fn
	return fn, nil
}

// launch runs kernel k over n elements: a 1-D grid of gridFor(n) blocks of
// blockSize threads (the kernels' grid-stride loops cover any n). Nothing
// runs when n is 0.
func (b *Backend) launch(op string, k kernel, n int, args ...any) {
	if n == 0 {
		b.checkArgs(k, args) // a bad argument list panics even when there is nothing to do
		return
	}
	b.launchGrid(op, k, dim3{gridFor(n), 1, 1}, blockSize, args...)
}

// launchGrid enqueues kernel k on the backend's stream with the given grid
// and block size (1-D blocks), asynchronously: it returns before the
// kernel is even issued. args are the kernel's parameters in order:
//   - *devStorage: the tensor's device pointer (PTX .u64), read when the
//     launch is issued, so a block allocated by a queued Empty is in place;
//     a nil *devStorage passes a null pointer (an absent optional operand);
//   - cu.DevicePtr, int64, int or bool (0 or 1): .u64;
//   - float32: .f32.
//
// A mismatch with k.params is a bug and panics here, in the caller. Nothing
// runs once an error is kept; a failed launch becomes the sticky error,
// tagged with op (the Backend method).
func (b *Backend) launchGrid(op string, k kernel, grid dim3, block int, args ...any) {
	slots, stor, offs := b.checkArgs(k, args)
	if grid.x <= 0 || grid.y <= 0 || grid.z <= 0 {
		return
	}
	b.enqueue(func() {
		if b.failed() {
			return
		}
		fn, err := b.function(k)
		if err != nil {
			b.setErr(op, err)
			return
		}
		// cu's Launch copies 8 bytes from each argument pointer into C
		// memory, and the driver reads as many bytes as the parameter
		// has; so every argument gets a full 8-byte slot, float32 bits in
		// the low half (the first 4 bytes on little-endian amd64, arm64).
		ptrs := make([]unsafe.Pointer, len(slots))
		for i := range slots {
			if st := stor[i]; st != nil {
				slots[i] = uint64(st.ptr) + uint64(offs[i])
			}
			ptrs[i] = unsafe.Pointer(&slots[i])
		}
		b.setErr(op, fn.Launch(grid.x, grid.y, grid.z, block, 1, 1, 0, b.stream, ptrs))
	})
}

// devOffset is a pointer into a storage: its block plus off bytes (a
// launch argument, resolved at issue time like a *devStorage).
type devOffset struct {
	st  *devStorage
	off int64
}

// checkArgs marshals args against k.params (see launchGrid): the scalar
// slots, and per slot the storage (and byte offset) whose pointer fills it
// at issue time.
func (b *Backend) checkArgs(k kernel, args []any) ([]uint64, []*devStorage, []int64) {
	if len(args) != len(k.params) {
		panic("cuda: launch: wrong number of kernel arguments")
	}
	slots := make([]uint64, len(args))
	stor := make([]*devStorage, len(args))
	offs := make([]int64, len(args))
	for i, a := range args {
		var typ string
		var letter byte // p pointer, i integer, f float32 (kernel.letters)
		switch v := a.(type) {
		case *devStorage:
			typ, letter, stor[i] = "u64", 'p', v
		case devOffset:
			typ, letter, stor[i], offs[i] = "u64", 'p', v.st, v.off
		case cu.DevicePtr:
			typ, letter, slots[i] = "u64", 'p', uint64(v)
		case int64:
			typ, letter, slots[i] = "u64", 'i', uint64(v)
		case int:
			typ, letter, slots[i] = "u64", 'i', uint64(int64(v))
		case bool:
			typ, letter = "u64", 'i'
			if v {
				slots[i] = 1
			}
		case float32:
			typ, letter, slots[i] = "f32", 'f', uint64(math.Float32bits(v))
		default:
			panic("cuda: launch: unsupported kernel argument type")
		}
		if typ != k.params[i] {
			panic("cuda: launch: kernel argument type does not match the PTX parameter")
		}
		// PTX cannot tell a pointer from an integer; the source's
		// declaration can (sig_test.go checks letters against it).
		if k.letters != "" && k.letters[i] != letter {
			panic("cuda: launch: " + k.name + ": a pointer where the kernel takes an integer, or the reverse")
		}
	}
	return slots, stor, offs
}
