//go:build cuda

package cuda

import (
	"errors"
	"fmt"

	"gorgonia.org/cu"

	"twostage/tensor"
)

// devStorage is the tensor.Storage of this backend: a device block holding n
// elements of dt. The block may be larger than n elements (it is a size
// class, see sizeClass); block is its size in bytes, 0 for an empty tensor or
// one whose allocation failed (the failure is then the sticky error, and no
// kernel ever sees the null pointer).
type devStorage struct {
	ptr      cu.DevicePtr
	n        int
	dt       tensor.DType
	block    int64
	released bool // set by Release; any later use panics
}

func (s *devStorage) Len() int            { return s.n }
func (s *devStorage) DType() tensor.DType { return s.dt }

// storage returns t's device storage, panicking (a bug in the caller) when t
// belongs to another backend or was released.
func (b *Backend) storage(t *tensor.Tensor) *devStorage {
	s, ok := t.Storage().(*devStorage)
	if !ok || t.Backend() != tensor.Backend(b) {
		panic("cuda: tensor from another backend")
	}
	if s.released {
		panic("cuda: use of a released tensor")
	}
	return s
}

// allocator is a caching device allocator in the manner of PyTorch's: a
// request is rounded up to its size class and served from that class's free
// list when it has a block, from cuMemAlloc otherwise. Released blocks go back
// on their list, never to the driver, until EmptyCache or Close; when
// cuMemAlloc runs out of memory the cache is emptied and the call retried
// once. Used only on the worker thread, so it needs no lock.
//
// Blocks are reused in queue order: Release enqueues the return of a block,
// so a later Empty gets it only after every op that used it was issued, and
// the one stream runs those ops before the new owner's. Giving a block back
// to the driver is different (the kernels that used it may still run), so
// emptyCache first waits for the stream (quiesce).
type allocator struct {
	free    map[int64][]cu.DevicePtr // size class (bytes) -> idle blocks
	live    map[cu.DevicePtr]int64   // block -> size class, for blocks in use
	stats   MemStats
	quiesce func() error // waits for every queued kernel (stream sync)
}

func (a *allocator) init(quiesce func() error) {
	a.free = map[int64][]cu.DevicePtr{}
	a.live = map[cu.DevicePtr]int64{}
	a.quiesce = quiesce
}

// alloc returns a block of at least bytes bytes and its size (the class).
func (a *allocator) alloc(bytes int64) (cu.DevicePtr, int64, error) {
	class := sizeClass(bytes)
	if class == 0 {
		return 0, 0, nil
	}
	if list := a.free[class]; len(list) > 0 {
		p := list[len(list)-1]
		a.free[class] = list[:len(list)-1]
		a.live[p] = class
		a.stats.CacheHits++
		a.stats.CachedBytes -= class
		a.stats.InUseBytes += class
		return p, class, nil
	}
	p, err := cu.MemAlloc(class)
	if err != nil && a.stats.CachedBytes > 0 {
		// Probably out of memory: give the idle blocks back and retry.
		if ferr := a.emptyCache(); ferr != nil {
			return 0, 0, ferr
		}
		p, err = cu.MemAlloc(class)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("allocating %d bytes (in use %d, cached %d): %w",
			class, a.stats.InUseBytes, a.stats.CachedBytes, err)
	}
	a.live[p] = class
	a.stats.DriverAllocs++
	a.stats.InUseBytes += class
	a.stats.PeakBytes = max(a.stats.PeakBytes, a.stats.InUseBytes+a.stats.CachedBytes)
	return p, class, nil
}

// release puts a block in use back on its free list.
func (a *allocator) release(p cu.DevicePtr) {
	class, ok := a.live[p]
	if !ok {
		panic("cuda: release of a block the allocator does not hold")
	}
	delete(a.live, p)
	a.free[class] = append(a.free[class], p)
	a.stats.InUseBytes -= class
	a.stats.CachedBytes += class
}

// emptyCache returns every idle block to the driver, after the stream has
// finished with them.
func (a *allocator) emptyCache() error {
	if len(a.free) == 0 {
		return nil
	}
	if err := a.quiesce(); err != nil {
		return err
	}
	var errs []error
	for class, list := range a.free {
		for _, p := range list {
			errs = append(errs, cu.MemFree(p))
			a.stats.DriverFrees++
			a.stats.CachedBytes -= class
		}
		delete(a.free, class)
	}
	return errors.Join(errs...)
}

// freeAll returns every block, idle or in use, to the driver (Close).
func (a *allocator) freeAll() error {
	errs := []error{a.emptyCache()}
	for p, class := range a.live {
		errs = append(errs, cu.MemFree(p))
		a.stats.DriverFrees++
		a.stats.InUseBytes -= class
		delete(a.live, p)
	}
	return errors.Join(errs...)
}

// Empty allocates a tensor of the given dtype and shape with undefined
// contents, normally from the allocator's cache. It does not wait: the
// allocation is queued, and the block is in place before any op queued
// after it runs. If the allocation fails (out of memory) the failure becomes
// the sticky error and the tensor is unusable but harmless: every later op
// on the backend is skipped.
func (b *Backend) Empty(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	if dt != tensor.Float32 && dt != tensor.Int64 {
		panic("cuda: Empty of an unknown dtype")
	}
	n := s.Numel()
	if n < 0 {
		panic("cuda: Empty with a negative size")
	}
	st := &devStorage{n: n, dt: dt}
	b.enqueue(func() {
		if b.failed() {
			return
		}
		var err error
		st.ptr, st.block, err = b.mem.alloc(int64(n) * int64(dt.Size()))
		b.setErr("Empty", err)
		if err == nil && b.nanFill && n > 0 {
			// 0x7fc00000 is float32's quiet NaN; an int64 gets the
			// pattern in both halves, an index no tensor has.
			b.setErr("Empty", cu.MemsetD32Async(st.ptr, 0x7fc00000, int64(n*dt.Size()/4), b.stream))
		}
	})
	return b.track(tensor.New(b, st, s))
}

// Release returns t's block to the allocator's cache (queued, like every
// op). t and every tensor sharing its storage (Reshape views) must not be
// used again; doing so panics. Releasing after Close does nothing (Close
// freed the block).
func (b *Backend) Release(t *tensor.Tensor) {
	st := b.storage(t)
	st.released = true
	b.tryEnqueue(func() {
		if st.block != 0 {
			b.mem.release(st.ptr)
		}
	})
}

// scratch allocates a device block of n float32s (or n*4 bytes of anything)
// for one op's intermediate values and returns it with the function that
// releases it; call that after the launches that use the block (queue order
// makes it safe).
func (b *Backend) scratch(n int) (*devStorage, func()) {
	st := &devStorage{n: n, dt: tensor.Float32}
	b.enqueue(func() {
		if b.failed() {
			return
		}
		var err error
		st.ptr, st.block, err = b.mem.alloc(int64(n) * 4)
		b.setErr("scratch", err)
	})
	return st, func() {
		b.enqueue(func() {
			if st.block != 0 {
				b.mem.release(st.ptr)
			}
		})
	}
}

// MemStats returns the allocator's counters.
func (b *Backend) MemStats() MemStats {
	var st MemStats
	b.do(func() { st = b.mem.stats })
	return st
}

// EmptyCache returns the allocator's idle blocks to the driver, e.g. before
// handing the GPU to another process. Blocks in use are untouched.
func (b *Backend) EmptyCache() {
	b.do(func() { b.setErr("EmptyCache", b.mem.emptyCache()) })
}
