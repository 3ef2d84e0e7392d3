package cuda

// kernel names one PTX entry point the backend launches: the module (the
// kernels/<file>.ptx that holds it), the extern "C" name from the .cu source,
// and its parameters as PTX .param types, in order. The launcher checks its
// arguments against params (launch in module.go), and a test checks params
// against the embedded PTX, so a kernel signature and its launcher cannot
// drift apart silently. The table is in a file without a build tag so that
// test runs in every build.
type kernel struct {
	file   string
	name   string
	params []string // "u64" for pointers and int64, "f32" for float32
}

// The kernels, with the math of each (see the .cu files for the details).
var (
	// x[i] = v, x float32 [n]: fill_f32(float *x, float v, int64 n)
	kFillF32 = kernel{"fill", "fill_f32", []string{"u64", "f32", "u64"}}
	// x[i] = v, x int64 [n]: fill_i64(int64 *x, int64 v, int64 n)
	kFillI64 = kernel{"fill", "fill_i64", []string{"u64", "u64", "u64"}}
	// y[i] += alpha*x[i]: axpy_f32(float *y, const float *x, float alpha, int64 n)
	kAxpyF32 = kernel{"axpy", "axpy_f32", []string{"u64", "u64", "f32", "u64"}}
	// dst[i] = alpha*x[i] + beta:
	// scale_f32(float *dst, const float *x, float alpha, float beta, int64 n)
	kScaleF32 = kernel{"axpy", "scale_f32", []string{"u64", "u64", "f32", "f32", "u64"}}
)

// allKernels lists every kernel above; Open loads their modules and resolves
// their functions up front, so a missing kernel fails Open, not a later op.
var allKernels = []kernel{kFillF32, kFillI64, kAxpyF32, kScaleF32}

// blockSize is the threads per block of the elementwise kernels: a multiple of
// the 32-thread warp that lets 8 blocks share an SM (2048 threads on sm_80/90).
const blockSize = 256

// maxGrid caps the blocks of an elementwise launch; the kernels' grid-stride
// loops cover the rest. 65535 blocks of 256 threads is ~16.7M threads, more
// than enough to fill any current GPU (an H100 runs 132 SMs × 2048 threads).
const maxGrid = 65535

// gridFor is the 1-D grid size for n elements: one thread per element up to
// maxGrid blocks.
func gridFor(n int) int {
	g := (n + blockSize - 1) / blockSize
	return max(1, min(g, maxGrid))
}
