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
// # Threads, the stream and errors
//
// A CUDA context is current on one OS thread, so every driver call of a
// Backend runs on one goroutine locked to its OS thread (device.go), fed
// closures over a buffered channel. A kernel launch, a device-to-device
// copy, Empty and Release only enqueue their closure and return: a
// training step's 500-700 launches cost the caller a channel send each,
// not a round trip to the worker (about 8 µs, golang/go#18023). Everything
// runs on one non-blocking stream, in queue order; Download and Sync wait
// for it. Upload copies the caller's data into a pinned staging buffer
// (pinned.go, the package's one cgo file: gorgonia.org/cu v0.9.6 has no
// cuMemHostAlloc) and queues the asynchronous copy, so the caller may reuse
// its slice at once.
//
// Errors are sticky, as bufio.Scanner's: the first one (a failed launch, an
// out-of-memory, an index out of range found by a kernel, a TopK too wide
// for its kernel) is kept, later device work is skipped, and Sync/Err/Close
// return it. Errors raised on the device show at the next sync point. A
// Download after an error fills its destination with NaN (float32) or -1
// (int64) instead of stale numbers. Programmer errors (shape or dtype
// mismatches, a tensor of another backend, use after Release) panic with
// constant "cuda: ..." text in the caller's goroutine, as in package
// kernels.
//
// # Kernels and precision
//
// Every op has its own CUDA kernel in kernels/gpu (one .cu per op family,
// each naming the CPU kernel it mirrors), compiled to PTX, checked in and
// embedded by package kernels. GEMM and the three convolution passes share
// one implicit-GEMM core on TF32 tensor cores (conv.cu; igemm.go plans its
// launches, and a Go model of its tile loop is tested against the CPU
// convolution). TF32 is the default, as PyTorch's convolutions; the exact
// FP32 mode (SetExactFP32, or TWOSTAGE_CUDA_FP32=1 at Open) multiplies in
// FP32 for goldens and comparisons. Reductions sum in float64 in an order
// fixed by the shape: no float atomics anywhere, so runs repeat their bits.
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
//	api.go       ErrNotBuilt, MemStats, size classes, error values (both builds)
//	kernels.go   the PTX entry points the backend launches, with their
//	             parameter types (both builds; checked against the PTX in tests)
//	igemm.go     the GEMM core's tiles, variants and launch plans (both builds;
//	             igemm_model_test.go models its tile loop)
//	stub.go      Open without -tags cuda
//	device.go    Open, Close, the worker queue, the stream, sticky errors
//	memory.go    the caching allocator, device storage, per-op scratch
//	pinned.go    pinned host memory (cgo) and the upload stager
//	module.go    PTX modules and the Function cache, kernel launch
//	backend.go   transfers, Fill, Copy, Axpy, Scale
//	ops.go       elementwise, SGD, per-channel, along-a-dim ops, pooling, slices
//	index.go     index ops, TopK, Argmax
//	batchnorm.go batch norm train/eval forward and backward
//	conv.go      Conv2D passes, Conv2DForwardBN and Gemm on the core
package cuda
