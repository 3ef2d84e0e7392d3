package cuda

import "sort"

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
	// letters is the signature params was built from, one letter a
	// parameter: p pointer, i int64, f float32 (see sig). PTX cannot tell a
	// pointer from an int64, so the tests check letters against the .cu
	// declaration.
	letters string
}

// mk is a kernel of module file, entry point name and signature letters.
func mk(file, name, letters string) kernel {
	return kernel{file: file, name: name, params: sig(letters), letters: letters}
}

// sig builds a kernel's parameter list from a compact signature, one letter
// per parameter: p (pointer) and i (int64) are PTX .u64, f is .f32.
func sig(s string) []string {
	ps := make([]string, len(s))
	for i, c := range s {
		switch c {
		case 'p', 'i':
			ps[i] = "u64"
		case 'f':
			ps[i] = "f32"
		default:
			panic("cuda: sig: unknown parameter letter")
		}
	}
	return ps
}

// The kernels, with the math of each (the .cu files in kernels/gpu give the
// details and name the CPU kernel each one mirrors).
var (
	// fill.cu: x[i] = v, float32 or int64 [n].
	kFillF32 = mk("fill", "fill_f32", "pfi")
	kFillI64 = mk("fill", "fill_i64", "pii")
	// axpy.cu: y += alpha*x; dst = alpha*x + beta.
	kAxpyF32  = mk("axpy", "axpy_f32", "ppfi")
	kScaleF32 = mk("axpy", "scale_f32", "ppffi")

	// elementwise.cu: dst = op(x); dst (+)= a op b; dst = mask ? v : x.
	kUnary      = mk("elementwise", "unary_f32", "ppii")
	kBinary     = mk("elementwise", "binary_f32", "pppii")
	kMaskedFill = mk("elementwise", "masked_fill_f32", "pppfi")
	// sgd.cu: one SGD step (param, grad, buf, lr, momentum, wd, nesterov, first, n).
	kSGD = mk("sgd", "sgd_f32", "pppfffiii")

	// reduce.cu: sums along D, their broadcast, per-channel bias and sums.
	kSumRows      = mk("reduce", "sum_rows_f32", "ppiii")
	kSumCols      = mk("reduce", "sum_cols_f32", "ppiiii")
	kBroadcastAcc = mk("reduce", "broadcast_acc_f32", "ppiifi")
	kBiasAdd      = mk("reduce", "bias_add_f32", "ppiii")
	kChannelSum   = mk("reduce", "channel_sum_f32", "ppiii")

	// softmax.cu: softmax/log-softmax and L2 normalisation along D.
	kSoftmaxFwd = mk("softmax", "softmax_fwd_f32", "ppiiii")
	kSoftmaxBwd = mk("softmax", "softmax_bwd_f32", "pppiiii")
	kL2NormFwd  = mk("softmax", "l2norm_fwd_f32", "pppiii")
	kL2NormBwd  = mk("softmax", "l2norm_bwd_f32", "ppppiii")

	// pool.cu: average pooling and SliceCopy.
	kAvgPoolFwd = mk("pool", "avgpool_fwd_f32", "ppiiiiii")
	kAvgPoolBwd = mk("pool", "avgpool_bwd_f32", "ppiiiiii")
	kSliceCopy  = mk("pool", "slice_copy_f32", "piipiiiiii")

	// index.cu: row and element indexing; the last parameter is the
	// index-fault word.
	kIndexSelect = mk("index", "index_select_f32", "pppiiip")
	kIndexAdd    = mk("index", "index_add_f32", "pppiiifp")
	kIndexCopy   = mk("index", "index_copy_f32", "pppiiip")
	kGather      = mk("index", "gather_f32", "pppiiip")
	kScatterAdd  = mk("index", "scatter_add_f32", "pppiiip")

	// topk.cu: per-row argmax and top-k with the CPU's tie rule.
	kArgmax = mk("topk", "argmax_f32", "ppii")
	kTopK   = mk("topk", "topk_f32", "pppiii")

	// batchnorm.cu: statistics, affine map, backward.
	kBNPartial    = mk("batchnorm", "bn_partial_f32", "ppiiii")
	kBNFinish     = mk("batchnorm", "bn_finish_f32", "pppppiiiif")
	kBNScale      = mk("batchnorm", "bn_scale_f32", "pppppfi")
	kBNAffine     = mk("batchnorm", "bn_affine_f32", "ppppppiiii")
	kBNBwdPartial = mk("batchnorm", "bn_bwd_partial_f32", "pppppiiii")
	kBNBwdFinish  = mk("batchnorm", "bn_bwd_finish_f32", "ppppppiifi")
	kBNBwdElem    = mk("batchnorm", "bn_bwd_elem_f32", "pppppppiiii")

	// conv.cu: the implicit-GEMM core (igemm.go picks the variant).
	kSplitKReduce = mk("conv", "splitk_reduce_f32", "ppii")
)

// convSig is the parameter list of every conv_* entry point: out, a, b, ws,
// N, C, H, W, K, R, S, stride, pad, OH, OW, slicesPerSplit, scale, shift,
// res, relu, acc.
const convSig = "ppppiiiiiiiiiiiipppii"

// gemmSig is the parameter list of the gemm_* entry points: c, a, b, M, N, K,
// lda, ldb, ldc, transA, transB, alpha, beta.
const gemmSig = "pppiiiiiiiiff"

// convKernels are the conv_* entry points by mode (fwd, data, filt) and
// variant (igemmVariants), gemmKernels the gemm_* ones by variant.
var convKernels, gemmKernels = func() (map[string]kernel, map[string]kernel) {
	cv, gm := map[string]kernel{}, map[string]kernel{}
	for _, mode := range []string{"fwd", "data", "filt"} {
		for _, v := range igemmVariants {
			name := "conv_" + mode + "_" + v
			cv[name] = mk("conv", name, convSig)
		}
	}
	for _, v := range []string{"128", "64", "exact"} {
		gm["gemm_"+v] = mk("conv", "gemm_"+v, gemmSig)
	}
	return cv, gm
}()

// allKernels lists every kernel above; Open loads their modules and resolves
// their functions up front, so a missing kernel fails Open, not a later op.
var allKernels = func() []kernel {
	ks := []kernel{kFillF32, kFillI64, kAxpyF32, kScaleF32,
		kUnary, kBinary, kMaskedFill, kSGD,
		kSumRows, kSumCols, kBroadcastAcc, kBiasAdd, kChannelSum,
		kSoftmaxFwd, kSoftmaxBwd, kL2NormFwd, kL2NormBwd,
		kAvgPoolFwd, kAvgPoolBwd, kSliceCopy,
		kIndexSelect, kIndexAdd, kIndexCopy, kGather, kScatterAdd,
		kArgmax, kTopK,
		kBNPartial, kBNFinish, kBNScale, kBNAffine, kBNBwdPartial, kBNBwdFinish, kBNBwdElem,
		kSplitKReduce}
	for _, m := range []map[string]kernel{convKernels, gemmKernels} {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ks = append(ks, m[n])
		}
	}
	return ks
}()

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
