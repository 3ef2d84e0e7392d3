package cuda

import (
	"errors"
	"math/bits"
	"os"
)

// This file holds the parts of the API shared by both builds, so that code
// using the package compiles with and without -tags cuda.

// ErrNotBuilt is returned by Open in a binary built without -tags cuda.
var ErrNotBuilt = errors.New("cuda: this binary was built without CUDA support; " +
	"HINT: rebuild with `go build -tags cuda` (needs cuda.h and libcuda.so at build time: " +
	"run `bash scripts/cuda-ci-setup.sh` and `. /var/cache/cuda-debs/root/env.sh`), " +
	"or select the cpu backend")

// MemStats are the counters of a Backend's caching allocator. Byte counts are
// of rounded blocks (size classes), so they are what the device really holds.
type MemStats struct {
	DriverAllocs int64 // blocks obtained from cuMemAlloc
	DriverFrees  int64 // blocks returned with cuMemFree (EmptyCache, Close)
	CacheHits    int64 // Empty calls served from a free list
	InUseBytes   int64 // bytes in blocks held by live tensors
	CachedBytes  int64 // bytes in blocks on the free lists
	PeakBytes    int64 // the maximum of InUseBytes + CachedBytes so far
}

// minBlock is the smallest block the allocator hands out: cuMemAlloc aligns
// every allocation to at least 256 bytes anyway, and it keeps tiny tensors
// (scalars, biases) on one free list.
const minBlock = 256

// sizeClass rounds a request of n bytes up to its allocator block size.
// Blocks come in four sizes per power of two, 2^k·{5/4, 6/4, 7/4, 8/4}, so a
// block is at most 25% larger than the request, while tensors of nearby sizes
// (batches of different lengths, say) still share a free list. n <= 0 gives 0:
// empty tensors own no device memory.
func sizeClass(n int64) int64 {
	if n <= 0 {
		return 0
	}
	if n <= minBlock {
		return minBlock
	}
	k := bits.Len64(uint64(n - 1)) // 2^(k-1) < n <= 2^k
	step := int64(1) << (k - 3)    // a quarter of 2^(k-1)
	return (n + step - 1) / step * step
}

// errIndexRange is the sticky error of an index op that met an index out of
// range on the device, wrapped as "cuda: <op>: index out of range" (the CPU
// backend panics instead; see cuda/index.go).
var errIndexRange = errors.New("index out of range")

// errTopKTooLarge is the sticky error of a TopK with k above topkMax.
var errTopKTooLarge = errors.New("k above 2048 has no CUDA kernel (topk_f32 keeps its candidates in shared memory)")

// faultOp names the op of an index-fault code (kernels/gpu/index.cu).
func faultOp(code int32) string {
	switch code {
	case 1:
		return "IndexSelect"
	case 2:
		return "IndexAdd"
	case 3:
		return "IndexCopy"
	case 4:
		return "Gather"
	case 5:
		return "ScatterAdd"
	}
	return "index op"
}

// ExactFP32Env is the environment variable that starts a Backend in the
// exact FP32 mode (value 1): GEMM and convolutions multiply in FP32 instead
// of on TF32 tensor cores. For goldens and comparisons; see SetExactFP32.
const ExactFP32Env = "TWOSTAGE_CUDA_FP32"

// exactFromEnv reads ExactFP32Env.
func exactFromEnv() bool { return os.Getenv(ExactFP32Env) == "1" }

// NaNFillEnv is the environment variable (value 1) that makes a Backend
// fill every tensor from Empty with NaN when it is allocated, so that an
// output element an op fails to write shows in a test. Read by Open; for
// the conformance suite, it costs a memset per allocation.
const NaNFillEnv = "TWOSTAGE_CUDA_NANFILL"
