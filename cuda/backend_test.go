//go:build cuda

package cuda_test

// These tests need a CUDA device of compute capability >= 8.0. They are built
// (and linked) on the GPU-less CI with `go test -tags cuda -c` but only run on
// a GPU machine: gorgonia.org/cu's init exits a process that finds no driver
// or device, before any test could skip.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"twostage/cuda"
	"twostage/kernels"
	"twostage/tensor"
)

// sizes cover one element (a single partial block), a few blocks with a
// ragged tail, and more than a grid-stride pass's worth with a tail (1<<20+3
// elements need 4097 blocks of 256 threads).
var sizes = []int{1, 1000, 1<<20 + 3}

// gpu is the backend shared by the tests; TestMain closes it.
var gpu struct {
	once sync.Once
	be   *cuda.Backend
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gpu.be != nil {
		if err := gpu.be.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "cuda: Close of the shared test backend:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// open returns the shared backend on device 0, or skips the test when there
// is no usable device.
func open(t testing.TB) *cuda.Backend {
	t.Helper()
	gpu.once.Do(func() { gpu.be, gpu.err = cuda.Open(0) })
	if gpu.err != nil {
		t.Skipf("no usable CUDA device 0: %v", gpu.err)
	}
	return gpu.be
}

// openFresh opens a backend of its own on device 0 (for the sticky-error
// tests, which leave it unusable), closed at the end of the test.
func openFresh(t *testing.T) *cuda.Backend {
	t.Helper()
	open(t) // skip when there is no device
	be, err := cuda.Open(0)
	if err != nil {
		t.Fatalf("second Open(0): %v", err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// seeded returns n float32 values uniform in [-2, 2) from a fixed PCG seed.
func seeded(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n)
	for i := range v {
		v[i] = 4*r.Float32() - 2
	}
	return v
}

func checkSync(t testing.TB, be tensor.Backend) {
	t.Helper()
	if err := be.Sync(); err != nil {
		t.Fatalf("%s: Sync: %v", be.Name(), err)
	}
}

// equalF32 requires bit-for-bit equality (transfers, Fill, Copy).
func equalF32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %g, want %g (n=%d)", what, i, got[i], want[i], len(want))
		}
	}
}

func TestUploadDownload(t *testing.T) {
	be := open(t)
	for _, n := range sizes {
		src := seeded(n, 1)
		x := tensor.FromFloat32(be, tensor.Shape{n}, src)
		equalF32(t, fmt.Sprintf("float32 round trip n=%d", n), x.Float32s(), src)

		idx := make([]int64, n)
		for i := range idx {
			idx[i] = int64(i)*1_000_003 - 1<<40 // wide values: all 8 bytes matter
		}
		k := tensor.FromInt64(be, tensor.Shape{n}, idx)
		got := k.Int64s()
		for i := range idx {
			if got[i] != idx[i] {
				t.Fatalf("int64 round trip n=%d: [%d] = %d, want %d", n, i, got[i], idx[i])
			}
		}
		be.Release(x)
		be.Release(k)
	}
	checkSync(t, be)
}

func TestFill(t *testing.T) {
	be, cpu := open(t), &kernels.CPU{}
	for _, n := range sizes {
		for _, v := range []float32{0, -1.5, 3e-39 /* subnormal */, float32(math.Inf(1))} {
			g, c := be.Empty(tensor.Float32, tensor.Shape{n}), cpu.Empty(tensor.Float32, tensor.Shape{n})
			be.Upload(g, seeded(n, 2)) // overwrite something, not fresh memory
			be.Fill(g, v)
			cpu.Fill(c, v)
			equalF32(t, fmt.Sprintf("Fill(%g) n=%d", v, n), g.Float32s(), c.Float32s())
			be.Release(g)
		}
		// int64: v is truncated toward zero, as on the CPU.
		for _, v := range []float32{7.9, -3, 1 << 40} {
			g, c := be.Empty(tensor.Int64, tensor.Shape{n}), cpu.Empty(tensor.Int64, tensor.Shape{n})
			be.Fill(g, v)
			cpu.Fill(c, v)
			got, want := g.Int64s(), c.Int64s()
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("Fill int64 (%g) n=%d: [%d] = %d, want %d", v, n, i, got[i], want[i])
				}
			}
			be.Release(g)
		}
	}
	checkSync(t, be)
}

func TestCopy(t *testing.T) {
	be := open(t)
	for _, n := range sizes {
		src := seeded(n, 3)
		x := tensor.FromFloat32(be, tensor.Shape{n}, src)
		y := be.Empty(tensor.Float32, tensor.Shape{1, n}) // shapes may differ
		be.Fill(y, 9)
		be.Copy(y, x)
		equalF32(t, fmt.Sprintf("Copy float32 n=%d", n), y.Float32s(), src)
		be.Copy(y, y) // onto itself: a no-op
		equalF32(t, fmt.Sprintf("Copy onto itself n=%d", n), y.Float32s(), src)

		idx := make([]int64, n)
		for i := range idx {
			idx[i] = -int64(i) << 33
		}
		a := tensor.FromInt64(be, tensor.Shape{n}, idx)
		c := be.Empty(tensor.Int64, tensor.Shape{n})
		be.Copy(c, a)
		got := c.Int64s()
		for i := range idx {
			if got[i] != idx[i] {
				t.Fatalf("Copy int64 n=%d: [%d] = %d, want %d", n, i, got[i], idx[i])
			}
		}
		for _, r := range []*tensor.Tensor{x, y, a, c} {
			be.Release(r)
		}
	}
	checkSync(t, be)
}

// fmaTol bounds the error of a float32 a*b+c against the exact value: at most
// one rounding of the product (the CPU's separate multiply; none when fused)
// and one of the sum, each <= 2^-24 relative. Doubled when comparing two
// float32 backends, which may each be off by that much in opposite ways.
func fmaTol(prod, sum float64) float64 {
	return 0x1p-24 * (math.Abs(prod) + math.Abs(sum))
}

func TestAxpy(t *testing.T) {
	be, cpu := open(t), &kernels.CPU{}
	const alpha = float32(-0.7)
	for _, n := range sizes {
		xs, ys := seeded(n, 4), seeded(n, 5)
		gx, gy := tensor.FromFloat32(be, tensor.Shape{n}, xs), tensor.FromFloat32(be, tensor.Shape{n}, ys)
		cx, cy := tensor.FromFloat32(cpu, tensor.Shape{n}, xs), tensor.FromFloat32(cpu, tensor.Shape{n}, ys)
		be.Axpy(alpha, gx, gy)
		cpu.Axpy(alpha, cx, cy)
		got, want := gy.Float32s(), cy.Float32s()
		for i := range ys {
			prod := float64(alpha) * float64(xs[i])
			ref := float64(ys[i]) + prod // float64 reference, exact here
			tol := fmaTol(prod, ref)
			if d := math.Abs(float64(got[i]) - ref); d > tol {
				t.Fatalf("Axpy n=%d: [%d] = %g, float64 reference %g (|diff| %g > %g)", n, i, got[i], ref, d, tol)
			}
			if d := math.Abs(float64(got[i]) - float64(want[i])); d > 2*tol {
				t.Fatalf("Axpy n=%d: [%d] = %g, cpu %g (|diff| %g > %g)", n, i, got[i], want[i], d, 2*tol)
			}
		}
		// y may alias x: y += alpha*y.
		be.Upload(gy, ys)
		be.Axpy(alpha, gy, gy)
		got = gy.Float32s()
		for i := range ys {
			prod := float64(alpha) * float64(ys[i])
			ref := float64(ys[i]) + prod
			if d := math.Abs(float64(got[i]) - ref); d > fmaTol(prod, ref) {
				t.Fatalf("Axpy aliased n=%d: [%d] = %g, want %g", n, i, got[i], ref)
			}
		}
		be.Release(gx)
		be.Release(gy)
	}
	checkSync(t, be)
}

func TestScale(t *testing.T) {
	be, cpu := open(t), &kernels.CPU{}
	const alpha, beta = float32(1.3), float32(-0.25)
	for _, n := range sizes {
		xs := seeded(n, 6)
		gx, gd := tensor.FromFloat32(be, tensor.Shape{n}, xs), be.Empty(tensor.Float32, tensor.Shape{n})
		cx, cd := tensor.FromFloat32(cpu, tensor.Shape{n}, xs), cpu.Empty(tensor.Float32, tensor.Shape{n})
		be.Scale(gd, gx, alpha, beta)
		cpu.Scale(cd, cx, alpha, beta)
		got, want := gd.Float32s(), cd.Float32s()
		for i := range xs {
			prod := float64(alpha) * float64(xs[i])
			ref := prod + float64(beta)
			tol := fmaTol(prod, ref)
			if d := math.Abs(float64(got[i]) - ref); d > tol {
				t.Fatalf("Scale n=%d: [%d] = %g, float64 reference %g (|diff| %g > %g)", n, i, got[i], ref, d, tol)
			}
			if d := math.Abs(float64(got[i]) - float64(want[i])); d > 2*tol {
				t.Fatalf("Scale n=%d: [%d] = %g, cpu %g (|diff| %g > %g)", n, i, got[i], want[i], d, 2*tol)
			}
		}
		// dst may be x.
		be.Scale(gx, gx, alpha, beta)
		equalF32(t, fmt.Sprintf("Scale in place n=%d", n), gx.Float32s(), got)
		be.Release(gx)
		be.Release(gd)
	}
	checkSync(t, be)
}

// TestAllocatorReuse checks that a released block serves the next request of
// its size class without a driver call, and that EmptyCache frees it.
func TestAllocatorReuse(t *testing.T) {
	be := open(t)
	s0 := be.MemStats()
	a := be.Empty(tensor.Float32, tensor.Shape{1000}) // 4000 B -> class 4096
	s1 := be.MemStats()
	if s1.InUseBytes-s0.InUseBytes != 4096 {
		t.Fatalf("in use grew by %d bytes for 1000 float32s, want the 4096-byte class", s1.InUseBytes-s0.InUseBytes)
	}
	be.Release(a)
	s2 := be.MemStats()
	if s2.InUseBytes != s0.InUseBytes || s2.CachedBytes < 4096 {
		t.Fatalf("after Release: in use %d (want %d), cached %d (want >= 4096)", s2.InUseBytes, s0.InUseBytes, s2.CachedBytes)
	}
	b := be.Empty(tensor.Float32, tensor.Shape{990}) // 3960 B: the same class
	s3 := be.MemStats()
	if s3.CacheHits != s2.CacheHits+1 || s3.DriverAllocs != s2.DriverAllocs {
		t.Fatalf("second Empty of the class: hits %d->%d, driver allocs %d->%d; want a cache hit",
			s2.CacheHits, s3.CacheHits, s2.DriverAllocs, s3.DriverAllocs)
	}
	be.Upload(b, seeded(990, 7)) // the reused block works
	equalF32(t, "reused block", b.Float32s(), seeded(990, 7))
	be.Release(b)
	be.EmptyCache()
	s4 := be.MemStats()
	if s4.CachedBytes != 0 || s4.DriverFrees <= s3.DriverFrees {
		t.Fatalf("after EmptyCache: cached %d bytes, driver frees %d->%d", s4.CachedBytes, s3.DriverFrees, s4.DriverFrees)
	}
	if s4.PeakBytes < s1.InUseBytes {
		t.Fatalf("peak %d below an earlier in-use %d", s4.PeakBytes, s1.InUseBytes)
	}
	// An empty tensor owns no memory but works.
	e := be.Empty(tensor.Float32, tensor.Shape{0})
	be.Fill(e, 1)
	be.Release(e)
	checkSync(t, be)
}

// TestStickyError checks the two errors a device op keeps without a
// panic: one raised at the call (TopK with k above topkMax) and one raised
// by a kernel and found at the next sync point (an index out of range). Each
// must be kept with the op's name, skip later work, turn downloads into
// NaN, and come back from Sync, Err and Close.
func TestStickyError(t *testing.T) {
	for _, c := range []struct {
		op, want string
		run      func(be tensor.Backend, x, y *tensor.Tensor)
	}{
		{"TopK", "cuda: TopK: k above 2048 has no CUDA kernel (topk_f32 keeps its candidates in shared memory)",
			func(be tensor.Backend, x, y *tensor.Tensor) {
				wide := be.Zeros(tensor.Float32, tensor.Shape{1, 4096})
				be.TopK(be.Empty(tensor.Float32, tensor.Shape{1, 3000}), be.Empty(tensor.Int64, tensor.Shape{1, 3000}), wide, 3000)
			}},
		{"IndexSelect", "cuda: IndexSelect: index out of range", func(be tensor.Backend, x, y *tensor.Tensor) {
			bad := tensor.FromInt64(be, tensor.Shape{2}, []int64{1, 7})
			be.IndexSelect(y.Reshape(2, 2), x.Reshape(2, 2), bad)
		}},
	} {
		t.Run(c.op, func(t *testing.T) {
			be := openFresh(t)
			x := tensor.FromFloat32(be, tensor.Shape{4}, []float32{1, 2, 3, 4})
			y := be.Empty(tensor.Float32, tensor.Shape{4})
			be.Fill(y, 5)
			checkSync(t, be) // nothing wrong yet
			c.run(be, x, y)
			if err := be.Sync(); err == nil || err.Error() != c.want {
				t.Fatalf("Sync after %s = %v, want %q", c.op, err, c.want)
			}
			if err := be.Err(); err == nil || err.Error() != c.want {
				t.Fatalf("Err = %v, want %q", err, c.want)
			}
			be.Fill(y, 6)              // skipped
			be.Unary(tensor.Neg, y, x) // a second error would not be kept either
			if got := y.Float32s(); !math.IsNaN(float64(got[0])) {
				t.Fatalf("Download after the error = %v, want NaN", got)
			}
			if err := be.Close(); err == nil || err.Error() != c.want {
				t.Fatalf("Close = %v, want %q", err, c.want)
			}
			if err := be.Close(); err == nil || err.Error() != c.want { // idempotent
				t.Fatalf("second Close = %v, want %q", err, c.want)
			}
		})
	}
}

// mustPanic runs f and checks it panics with the given constant text.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); fmt.Sprint(p) != want {
			t.Fatalf("panic %v, want %q", p, want)
		}
	}()
	f()
}

func TestMisusePanics(t *testing.T) {
	be, cpu := open(t), &kernels.CPU{}
	mustPanic(t, "cuda: tensor from another backend", func() { be.Fill(cpu.Empty(tensor.Float32, tensor.Shape{3}), 1) })
	x := be.Empty(tensor.Float32, tensor.Shape{3})
	mustPanic(t, "cuda: Axpy: x and y sizes differ", func() { be.Axpy(1, x, be.Empty(tensor.Float32, tensor.Shape{4})) })
	mustPanic(t, "cuda: Copy: dst and src dtypes differ", func() { be.Copy(x, be.Empty(tensor.Int64, tensor.Shape{3})) })
	mustPanic(t, "cuda: Upload length mismatch", func() { be.Upload(x, make([]float32, 2)) })
	be.Release(x)
	mustPanic(t, "cuda: use of a released tensor", func() { be.Fill(x, 1) })
	if err := be.Sync(); err != nil {
		t.Fatalf("misuse panics left a sticky error: %v", err)
	}
}

// TestReport logs the device, the allocator counters, and the bandwidth of
// Axpy (12 bytes moved per element: read x and y, write y) at 64 MiB per
// vector, a figure to compare with the card's advertised bandwidth.
func TestReport(t *testing.T) {
	be := open(t)
	const n = 1 << 24
	x, y := be.Empty(tensor.Float32, tensor.Shape{n}), be.Empty(tensor.Float32, tensor.Shape{n})
	be.Fill(x, 1)
	be.Fill(y, 0)
	checkSync(t, be)
	const reps = 20
	start := time.Now()
	for range reps {
		be.Axpy(0.5, x, y)
	}
	checkSync(t, be)
	el := time.Since(start)
	if got := y.Float32s()[n-1]; got != 0.5*reps {
		t.Fatalf("after %d Axpy y = %g, want %g", reps, got, 0.5*reps)
	}
	be.Release(x)
	be.Release(y)
	t.Logf("%s: %s", be.Name(), be.DeviceName())
	t.Logf("Axpy n=%d: %.1f µs each, %.0f GB/s", n, float64(el.Microseconds())/reps, 12*n*reps/el.Seconds()/1e9)
	st := be.MemStats()
	t.Logf("allocator: %+v", st)
	if !strings.HasPrefix(be.Name(), "cuda:") {
		t.Errorf("Name = %q", be.Name())
	}
}

func BenchmarkAxpy(b *testing.B) {
	be := open(b)
	for _, n := range []int{1 << 10, 1 << 20, 1 << 24} {
		b.Run(fmt.Sprintf("backend=cuda/n=%d", n), func(b *testing.B) {
			x, y := be.Empty(tensor.Float32, tensor.Shape{n}), be.Empty(tensor.Float32, tensor.Shape{n})
			be.Fill(x, 1)
			be.Fill(y, 0)
			b.SetBytes(12 * int64(n))
			for b.Loop() {
				be.Axpy(1e-3, x, y)
				be.Sync() // time the work, not the launch
			}
			be.Release(x)
			be.Release(y)
		})
	}
}
