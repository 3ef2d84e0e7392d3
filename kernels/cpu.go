package kernels

import (
	"runtime"
	"sync"

	"twostage/kernels/internal/host"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// CPU is the host backend. The zero value is ready to use: it runs on
// runtime.GOMAXPROCS(0) goroutines and the best SIMD path the processor has
// (sgemm.Default: AVX-512, AVX2/FMA or Go, capped by TWOSTAGE_SIMD). Use it
// through a pointer (it holds the allocator).
type CPU struct {
	// Threads caps the goroutines a kernel uses; 0 means GOMAXPROCS.
	Threads int
	// NoSIMD forces the portable Go kernels and gonum's GEMM (the
	// reference in tests). Path = sgemm.Go is the path of a processor
	// without AVX2: the Go kernels and package sgemm's Go micro-kernel.
	NoSIMD bool
	// Path is the SIMD path (the table in kernels/sgemm/path.go); the zero
	// value sgemm.Auto means sgemm.Default(), and a path above the
	// available ones gets the best available.
	Path sgemm.Path

	mu     sync.Mutex
	scoped bool          // inside BeginScope/EndScope
	live   []*cpuStorage // float32 storages allocated in the scope
	pool   map[int][][]float32
	pooled int // float32s held in pool
}

// maxPooled bounds the float32s kept for reuse (3 Gi floats, 12 GiB; the
// paper-size step at batch 256 needs more than 4 GiB): beyond it, buffers
// handed back are left to the garbage collector.
const maxPooled = 3 << 30

// cpuStorage holds exactly one of f and i, by dtype. dead marks a scoped
// storage whose buffer went back to the pool.
type cpuStorage struct {
	f    []float32
	i    []int64
	n    int
	dt   tensor.DType
	dead bool
}

func (s *cpuStorage) Len() int            { return s.n }
func (s *cpuStorage) DType() tensor.DType { return s.dt }

// F32 returns the host slice behind a float32 CPU tensor (no copy).
func F32(t *tensor.Tensor) []float32 {
	s, ok := t.Storage().(*cpuStorage)
	if !ok || s.dt != tensor.Float32 {
		panic("kernels: F32 of a tensor that is not float32 on the CPU")
	}
	if s.dead {
		panic("kernels: tensor used after the scope it was allocated in ended")
	}
	return s.f
}

// I64 returns the host slice behind an int64 CPU tensor (no copy).
func I64(t *tensor.Tensor) []int64 {
	s, ok := t.Storage().(*cpuStorage)
	if !ok || s.dt != tensor.Int64 {
		panic("kernels: I64 of a tensor that is not int64 on the CPU")
	}
	return s.i
}

func (c *CPU) Name() string { return "cpu" }

// ctx is the context c's kernel calls run with.
func (c *CPU) ctx() host.Ctx {
	return host.Ctx{Threads: c.threads(), Path: c.path(), NoSIMD: c.NoSIMD}
}

func (c *CPU) threads() int {
	if c.Threads > 0 {
		return c.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// Empty allocates a tensor. Inside a scope, float32 buffers come from the
// pool of earlier scopes (contents undefined); otherwise from the Go heap
// (zeroed).
func (c *CPU) Empty(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	n := s.Numel()
	st := &cpuStorage{n: n, dt: dt}
	if dt == tensor.Int64 {
		st.i = make([]int64, n)
		return tensor.New(c, st, s)
	}
	c.mu.Lock()
	if c.scoped {
		if l := c.pool[n]; len(l) > 0 {
			st.f = l[len(l)-1]
			c.pool[n] = l[:len(l)-1]
			c.pooled -= n
		}
		c.live = append(c.live, st)
	}
	c.mu.Unlock()
	if st.f == nil {
		st.f = make([]float32, n)
	}
	return tensor.New(c, st, s)
}

// Zeros allocates a zero-filled tensor.
func (c *CPU) Zeros(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	t := c.Empty(dt, s)
	if dt == tensor.Float32 {
		x := F32(t)
		c.ew(len(x), func(lo, hi int) { clear(x[lo:hi]) })
	}
	return t
}

// BeginScope starts recording allocations for EndScope.
func (c *CPU) BeginScope() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.scoped {
		panic("kernels: BeginScope inside a scope")
	}
	c.scoped = true
}

// EndScope hands every float32 buffer allocated in the scope back to the
// pool and marks its tensors dead: using one afterwards panics.
func (c *CPU) EndScope() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.scoped {
		panic("kernels: EndScope without BeginScope")
	}
	c.scoped = false
	if c.pool == nil {
		c.pool = map[int][][]float32{}
	}
	for _, st := range c.live {
		if !st.dead && st.f != nil && c.pooled+st.n <= maxPooled {
			c.pool[st.n] = append(c.pool[st.n], st.f)
			c.pooled += st.n
		}
		st.f, st.dead = nil, true
	}
	clear(c.live)
	c.live = c.live[:0]
}

// Release is a no-op on the CPU: scoped buffers go back at EndScope, others
// to the garbage collector.
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
