// Package cuda is the engine's GPU backend: type Backend implements
// tensor.Backend on one NVIDIA device through the CUDA driver API
// (gorgonia.org/cu), launching the PTX kernels that package kernels embeds.
//
// # Two builds
//
// Everything that imports gorgonia.org/cu carries the build tag `cuda`:
//
//	go build ./...             no CUDA needed; Open returns ErrNotBuilt (stub.go)
//	go build -tags cuda ./...  needs cuda.h and libcuda (scripts/cuda-ci-setup.sh)
//
// The tag is needed because cu is cgo and its package init calls cuInit and
// exits the process when no driver or GPU is present: a binary built with the
// tag runs only where a GPU is. On a GPU-less CI the tagged build is vetted and
// linked (go test -tags cuda -c) but not run.
//
// # Threads and errors
//
// A CUDA context is current on one OS thread, so every driver call of a
// Backend runs on one goroutine locked to its OS thread (device.go), fed
// closures over a channel; callers block until their call has been issued.
// Kernel launches are asynchronous on the device: results reach the host at
// Download or Sync.
//
// Errors are sticky, as bufio.Scanner's: the first one (a failed launch, an
// out-of-memory, an op that has no CUDA kernel yet) is kept, later device work
// is skipped, and Sync/Err/Close return it. A Download after an error fills
// its destination with NaN (float32) or -1 (int64) instead of stale numbers.
// Programmer errors (shape or dtype mismatches, a tensor of another backend,
// use after Release) panic with constant "cuda: ..." text, as in package
// kernels.
//
// # Memory
//
// Device memory comes from a caching allocator (memory.go): requests are
// rounded up to a size class (at most 25% over) and Release puts the block
// on that class's free list, so the steady state of a training loop makes no
// cuMemAlloc/cuMemFree calls. MemStats reports the counters. Close frees
// everything.
//
// # Files
//
//	api.go       ErrNotBuilt, MemStats, size classes (both builds)
//	kernels.go   the PTX entry points the backend launches, with their
//	             parameter types (both builds; checked against the PTX in tests)
//	stub.go      Open without -tags cuda
//	device.go    Open, Close, the locked-thread worker, sticky errors
//	memory.go    the caching allocator and device storage
//	module.go    PTX modules and the Function cache, kernel launch
//	backend.go   the tensor.Backend methods that have CUDA code
//	nokernel.go  the ones that do not yet (sticky error)
package cuda
