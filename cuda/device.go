//go:build cuda

package cuda

import (
	"fmt"
	"runtime"
	"sync"

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
	// context is current; do hands it a closure and waits until it ran.
	mu     sync.Mutex // serialises do; guards closed
	work   chan func()
	done   chan any // nil, or the value of a panic inside the closure
	closed bool

	// Owned by the worker goroutine (touched only inside do).
	ctx  cu.CUContext
	mem  allocator
	mods map[string]cu.Module   // by kernels/<file>.ptx name
	fns  map[string]cu.Function // by kernel name

	// Step scope (BeginScope/EndScope): the storages allocated in it.
	scopeMu sync.Mutex
	scoped  bool
	inScope []*tensor.Tensor

	// The sticky error: the first failure, kept until Close.
	errMu sync.Mutex
	err   error
}

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
		work:   make(chan func()),
		done:   make(chan any),
	}
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
		b.done <- call(fn)
	}
}

// call runs fn and returns the value of its panic, if any, so that the
// worker survives a panicking closure and do can re-panic in the caller.
func call(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
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
	b.mem.init()
	return nil
}

// do runs fn on the worker thread and returns when it has run. A panic in fn
// is re-raised here, in the caller's goroutine. Using a closed Backend panics.
func (b *Backend) do(fn func()) {
	if !b.tryDo(fn) {
		panic("cuda: use of a closed Backend")
	}
}

// tryDo is do, except that on a closed Backend it runs nothing and returns
// false.
func (b *Backend) tryDo(fn func()) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.work <- fn
	if p := <-b.done; p != nil {
		panic(p)
	}
	return true
}

// Close waits for queued work, frees every device block (the tensors of this
// backend become unusable), unloads the kernels, destroys the context and
// ends the worker thread. It returns the sticky error, which includes any
// failure of Close itself. A second Close only returns the sticky error.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.Err()
	}
	b.work <- func() {
		b.setErr("Close", cu.Synchronize())
		b.setErr("Close", b.mem.freeAll())
		for _, m := range b.mods {
			b.setErr("Close", m.Unload())
		}
		b.setErr("Close", b.ctx.Destroy())
	}
	p := <-b.done
	close(b.work)
	b.closed = true
	if p != nil {
		panic(p)
	}
	return b.Err()
}

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
	b.do(func() { b.setErr("Sync", cu.Synchronize()) })
	return b.Err()
}

var _ tensor.Backend = (*Backend)(nil)
