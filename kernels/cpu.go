package kernels

import (
	"runtime"

	"twostage/tensor"
)

// CPU is the host backend. The zero value is ready to use: it runs on
// runtime.GOMAXPROCS(0) goroutines and uses AVX2/FMA kernels where the
// processor has them.
type CPU struct {
	// Threads caps the goroutines a kernel uses; 0 means GOMAXPROCS.
	Threads int
	// NoSIMD forces the portable Go kernels (the reference path in tests).
	NoSIMD bool
}

// cpuStorage holds exactly one of f and i, by dtype.
type cpuStorage struct {
	f []float32
	i []int64
}

func (s *cpuStorage) Len() int {
	if s.i != nil {
		return len(s.i)
	}
	return len(s.f)
}

func (s *cpuStorage) DType() tensor.DType {
	if s.i != nil {
		return tensor.Int64
	}
	return tensor.Float32
}

// F32 returns the host slice behind a float32 CPU tensor (no copy).
func F32(t *tensor.Tensor) []float32 {
	s, ok := t.Storage().(*cpuStorage)
	if !ok || s.i != nil {
		panic("kernels: F32 of a tensor that is not float32 on the CPU")
	}
	return s.f
}

// I64 returns the host slice behind an int64 CPU tensor (no copy).
func I64(t *tensor.Tensor) []int64 {
	s, ok := t.Storage().(*cpuStorage)
	if !ok || (s.i == nil && len(s.f) > 0) {
		panic("kernels: I64 of a tensor that is not int64 on the CPU")
	}
	return s.i
}

func (c *CPU) Name() string { return "cpu" }

func (c *CPU) threads() int {
	if c.Threads > 0 {
		return c.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// Empty allocates zeroed host memory (Go zeroes it anyway).
func (c *CPU) Empty(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	n := s.Numel()
	st := &cpuStorage{}
	if dt == tensor.Int64 {
		st.i = make([]int64, n)
		if n == 0 {
			st.i = []int64{}
		}
	} else {
		st.f = make([]float32, n)
	}
	return tensor.New(c, st, s)
}

// Release is a no-op: the garbage collector reclaims host memory.
func (c *CPU) Release(t *tensor.Tensor) {}

func (c *CPU) Upload(t *tensor.Tensor, src []float32) {
	dst := F32(t)
	if len(src) != len(dst) {
		panic("kernels: Upload length mismatch")
	}
	copy(dst, src)
}

func (c *CPU) UploadInt64(t *tensor.Tensor, src []int64) {
	dst := I64(t)
	if len(src) != len(dst) {
		panic("kernels: UploadInt64 length mismatch")
	}
	copy(dst, src)
}

func (c *CPU) Download(dst []float32, t *tensor.Tensor) {
	src := F32(t)
	if len(src) != len(dst) {
		panic("kernels: Download length mismatch")
	}
	copy(dst, src)
}

func (c *CPU) DownloadInt64(dst []int64, t *tensor.Tensor) {
	src := I64(t)
	if len(src) != len(dst) {
		panic("kernels: DownloadInt64 length mismatch")
	}
	copy(dst, src)
}

// Sync has nothing to wait for on the CPU; host kernels cannot fail at run
// time (bad shapes panic before they start).
func (c *CPU) Sync() error { return nil }
func (c *CPU) Err() error  { return nil }

var _ tensor.Backend = (*CPU)(nil)
