//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"gorgonia.org/cu"

	"twostage/tensor"
)

// Backend runs the engine's ops on one CUDA device. Make it with Open and end
// it with Close. It is safe for use by several goroutines (their calls are
// serialised), though the engine drives it from one.
type Backend struct {
	device  int
	name    string // "cuda:0", Name()
	devName string // e.g. "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)"

	// The worker: one goroutine, locked to its OS thread, on which the
	// context is current. enqueue hands it a closure and returns at once
	// (kernel launches, asynchronous copies, allocator bookkeeping); do
	// also waits until the closure ran (results the caller needs: a
	// download, a sync, the allocator's counters). The queue is FIFO, so
	// a closure sees the effects of every closure enqueued before it.
	mu     sync.Mutex // serialises enqueue and do; guards closed
	work   chan func()
	closed bool

	// Owned by the worker goroutine (touched only inside closures).
	ctx    cu.CUContext
	stream cu.Stream // the one non-blocking stream every op runs on
	mem    allocator
	stage  stager                 // pinned host buffers for uploads
	fault  cu.DevicePtr           // int32 index-fault word (index.cu), 0 = none
	mods   map[string]cu.Module   // by kernels/gpu/<file>.ptx name
	fns    map[string]cu.Function // by kernel name

	// exact selects the FP32 (non-TF32) GEMM core; see SetExactFP32.
	exact atomic.Bool
	// nanFill makes Empty fill every new tensor with NaN (NaNFillEnv).
	nanFill bool

	// Step scope (BeginScope/EndScope): the storages allocated in it.
	scopeMu sync.Mutex
	scoped  bool
	inScope []*tensor.Tensor

	// The sticky error: the first failure, kept until Close.
	errMu sync.Mutex
	err   error
}

// queueLen is how many closures the worker queue holds before enqueue
// blocks: a training step enqueues 500-700 launches, and the worker issues
// each in a few microseconds, so the caller runs ahead by up to this many.
const queueLen = 4096

// Open creates a context on CUDA device number device (0 is the first),
// starts its worker thread and loads the embedded PTX kernels. It fails for a
// device that does not exist, one older than compute capability 8.0 (the PTX
// targets sm_80), or a context or module that cannot be made. Note: when the
// machine has no CUDA driver or GPU at all, gorgonia.org/cu's package init
// has already exited the process before Open can run.
func Open(device int) (*Backend, error) {
	b := &Backend{
		device: device,
		name:   fmt.Sprintf("cuda:%d", device),
		work:   make(chan func(), queueLen),
	}
	b.exact.Store(exactFromEnv())
	b.nanFill = os.Getenv(NaNFillEnv) == "1"
	ready := make(chan error)
	go b.loop(ready)
	if err := <-ready; err != nil {
		return nil, err // the worker has exited
	}
	var err error
	b.do(func() { err = b.loadKernels() })
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// loop is the worker goroutine. It never unlocks its OS thread, so when it
// returns the runtime ends the thread along with whatever CUDA state was
// current on it.
func (b *Backend) loop(ready chan<- error) {
	runtime.LockOSThread()
	if err := b.initDevice(); err != nil {
		ready <- err
		return
	}
	ready <- nil
	for fn := range b.work {
		fn()
	}
}

// initDevice picks the device, checks it can run our PTX and creates the
// context, which becomes current on the worker's thread.
func (b *Backend) initDevice() error {
	n, err := cu.NumDevices()
	if err != nil {
		return fmt.Errorf("cuda: counting devices: %w", err)
	}
	if b.device < 0 || b.device >= n {
		return fmt.Errorf("cuda: device %d: this machine has %d CUDA device(s), numbered from 0", b.device, n)
	}
	dev, err := cu.GetDevice(b.device)
	if err != nil {
		return fmt.Errorf("cuda: device %d: %w", b.device, err)
	}
	name, err := dev.Name()
	if err != nil {
		return fmt.Errorf("cuda: device %d: name: %w", b.device, err)
	}
	major, err := dev.Attribute(cu.ComputeCapabilityMajor)
	if err != nil {
		return fmt.Errorf("cuda: device %d: compute capability: %w", b.device, err)
	}
	minor, err := dev.Attribute(cu.ComputeCapabilityMinor)
	if err != nil {
		return fmt.Errorf("cuda: device %d: compute capability: %w", b.device, err)
	}
	if major < 8 {
		return fmt.Errorf("cuda: device %d (%s) has compute capability %d.%d; "+
			"the kernels are PTX for sm_80 and need 8.0 or newer (A100, H100, RTX 30xx and later)",
			b.device, name, major, minor)
	}
	total, err := dev.TotalMem()
	if err != nil {
		return fmt.Errorf("cuda: device %d: memory size: %w", b.device, err)
	}
	b.devName = fmt.Sprintf("%s (sm_%d%d, %.1f GiB)", name, major, minor, float64(total)/(1<<30))
	// cuCtxCreate makes the new context current on the calling thread,
	// which is this locked one for the Backend's whole life.
	b.ctx, err = dev.MakeContext(cu.SchedAuto)
	if err != nil {
		return fmt.Errorf("cuda: device %d (%s): creating a context: %w", b.device, name, err)
	}
	// A non-blocking stream: no implicit ordering with the legacy stream
	// 0, so every copy of this backend goes on it too (memcpy on stream 0
	// would not wait for our kernels).
	if b.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		b.ctx.Destroy()
		return fmt.Errorf("cuda: device %d (%s): creating a stream: %w", b.device, name, err)
	}
	b.mem.init(func() error { return b.stream.Synchronize() })
	if b.fault, err = cu.MemAlloc(8); err == nil {
		err = cu.MemsetD32(b.fault, 0, 2)
	}
	if err != nil {
		b.ctx.Destroy()
		return fmt.Errorf("cuda: device %d (%s): allocating the fault word: %w", b.device, name, err)
	}
	return nil
}

// enqueue hands fn to the worker thread and returns without waiting. fn
// must not panic (arguments are checked before enqueueing); if it does, the
// panic becomes the sticky error, so the worker survives. Using a closed
// Backend panics.
func (b *Backend) enqueue(fn func()) {
	if !b.tryEnqueue(fn) {
		panic("cuda: use of a closed Backend")
	}
}

// tryEnqueue is enqueue, except that on a closed Backend it runs nothing and
// returns false.
func (b *Backend) tryEnqueue(fn func()) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.work <- func() {
		defer func() {
			if p := recover(); p != nil {
				b.setErr("worker", fmt.Errorf("panic in an enqueued closure: %v", p))
			}
		}()
		fn()
	}
	return true
}

// do runs fn on the worker thread after everything enqueued before it and
// returns when it has run. A panic in fn is re-raised here, in the caller's
// goroutine. Using a closed Backend panics.
func (b *Backend) do(fn func()) {
	if !b.tryDo(fn) {
		panic("cuda: use of a closed Backend")
	}
}

// tryDo is do, except that on a closed Backend it runs nothing and returns
// false.
func (b *Backend) tryDo(fn func()) bool {
	done := make(chan any, 1)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.work <- func() {
		defer func() { done <- recover() }()
		fn()
	}
	b.mu.Unlock()
	if p := <-done; p != nil {
		panic(p)
	}
	return true
}

// syncStream waits for the stream, then reads and clears the index-fault
// word (index.cu) and keeps a fault as the sticky error. Worker thread only.
func (b *Backend) syncStream(op string) {
	if b.failed() {
		return
	}
	if err := b.stream.Synchronize(); err != nil {
		b.setErr(op, err)
		return
	}
	var code int32
	if err := cu.MemcpyDtoH(unsafe.Pointer(&code), b.fault, 4); err != nil {
		b.setErr(op, err)
		return
	}
	if code != 0 {
		b.setErr(faultOp(code), errIndexRange)
		b.setErr(op, cu.MemsetD32(b.fault, 0, 1))
	}
}

// Close waits for queued work, frees every device block and pinned buffer
// (the tensors of this backend become unusable), unloads the kernels,
// destroys the stream and the context and ends the worker thread. It returns
// the sticky error, which includes any failure of Close itself. A second
// Close only returns the sticky error.
func (b *Backend) Close() error {
	done := make(chan struct{})
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return b.Err()
	}
	b.work <- func() {
		defer close(done)
		b.setErr("Close", b.stream.Synchronize())
		b.setErr("Close", b.mem.freeAll())
		b.setErr("Close", b.stage.freeAll())
		b.setErr("Close", cu.MemFree(b.fault))
		for _, m := range b.mods {
			b.setErr("Close", m.Unload())
		}
		b.setErr("Close", b.stream.Destroy())
		b.setErr("Close", b.ctx.Destroy())
	}
	close(b.work)
	b.closed = true
	b.mu.Unlock()
	<-done
	return b.Err()
}

// SetExactFP32 selects the exact FP32 mode (on) or TF32 tensor cores (off,
// the default, as PyTorch's convolutions) for every later GEMM and
// convolution. Open starts in the mode ExactFP32Env asks for.
func (b *Backend) SetExactFP32(on bool) { b.exact.Store(on) }

// ExactFP32 reports whether the exact FP32 mode is on.
func (b *Backend) ExactFP32() bool { return b.exact.Load() }

// Name is "cuda:<device>".
func (b *Backend) Name() string { return b.name }

// DeviceName describes the device: its name, architecture and memory size.
func (b *Backend) DeviceName() string { return b.devName }

// setErr records err, wrapped as "cuda: <op>: <err>", unless an earlier error
// is already kept. A nil err does nothing.
func (b *Backend) setErr(op string, err error) {
	if err == nil {
		return
	}
	b.errMu.Lock()
	defer b.errMu.Unlock()
	if b.err == nil {
		b.err = fmt.Errorf("cuda: %s: %w", op, err)
	}
}

// failed reports whether an error is kept; device work is skipped once it is.
func (b *Backend) failed() bool { return b.Err() != nil }

// Err returns the sticky error without waiting for queued work.
func (b *Backend) Err() error {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	return b.err
}

// Sync waits until the device has finished all queued work and returns the
// sticky error: the first failure since Open (including a kernel fault that
// only shows now), or nil.
func (b *Backend) Sync() error {
	b.do(func() { b.syncStream("Sync") })
	return b.Err()
}

var _ tensor.Backend = (*Backend)(nil)
