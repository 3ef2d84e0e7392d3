package cuda

import "twostage/tensor"

// The launch geometry of the implicit-GEMM core (kernels/gpu/conv.cu), in a
// file without a build tag so that its tests, and the Go model of the tile
// loop in igemm_model_test.go, run on every CI machine. The constants here
// are the kernel's; a change on one side must be made on the other (the
// model test fails otherwise, since it reproduces the kernel's index math
// with these numbers and checks it against the CPU convolution).

// dim3 is a launch's grid (or block) size.
type dim3 struct{ x, y, z int }

// igemmMode is the problem the core solves (see conv.cu's table).
type igemmMode int

const (
	modeFwd  igemmMode = iota // y = x ⋆ w:      Mg = K, Ng = N·OH·OW, Kg = C·R·S
	modeData                  // dx += dy ⋆ᵀ w:  Mg = C, Ng = N·H·W,   Kg = K·R·S
	modeFilt                  // dw += dy ⋆ x:   Mg = K, Ng = C·R·S,   Kg = N·OH·OW
	modeGemm                  // c = αab + βc:   Mg = M, Ng = N,       Kg = K
)

func (m igemmMode) String() string {
	return [...]string{"fwd", "data", "filt", "gemm"}[m]
}

const (
	igemmBN      = 128 // columns of C per block (pixels, filter taps, GEMM N)
	igemmBK      = 16  // reduction slice per shared-memory stage
	igemmThreads = 256 // 8 warps as 2 (M) × 4 (N)
	igemmAPad    = 4   // words of padding per A row (bank-conflict-free fragments)
	igemmBPad    = 8   // words of padding per B row
	igemmStages  = 2

	// igemmTargetBlocks is the block count a launch aims for: two per SM
	// of a 132-SM H100/H200. A constant rather than the device's SM count,
	// so the split of the filter gradient's reduction, and with it the
	// bits of dw, are the same on every device.
	igemmTargetBlocks = 264
	// igemmMinSlices is the fewest BK slices a split of the filter
	// gradient gets, so a split amortises its tile's load and store.
	igemmMinSlices = 8
	// maxStaticSmem is the shared memory a block may declare statically
	// (without cuFuncSetAttribute): 48 KiB on every architecture.
	maxStaticSmem = 48 << 10
)

// igemmVariants are the compiled variants of each conv mode: BM (128 or 64
// rows of C per block) and KS, the filter size the tap decoding is
// specialised for (1: 1×1, 3: 3×3, 0: any), plus the FP32 one (BM 64, any
// filter). The gemm_* kernels come as 128, 64 and exact.
var igemmVariants = []string{"128_k0", "128_k1", "128_k3", "64_k0", "64_k1", "64_k3", "exact_k0"}

// igemmPlan is one launch of the core.
type igemmPlan struct {
	mode       igemmMode
	bm, ks     int
	exact      bool
	mg, ng, kg int // the GEMM view
	grid       dim3
	slices     int // BK slices of the whole reduction
	perSplit   int // slices per split (grid.z splits)
	kernel     string
}

// smemBytes is the kernel's static shared memory for tile height bm: two
// stages of A [bm][BK+4] and B [BK][BN+8] float32.
func smemBytes(bm int) int {
	return 4 * igemmStages * (bm*(igemmBK+igemmAPad) + igemmBK*(igemmBN+igemmBPad))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// planIGEMM picks the variant and the grid for an Mg × Ng × Kg problem:
// 128-row tiles when M has them and they still make igemmTargetBlocks
// blocks, else 64; the filter gradient's reduction split into contiguous
// ranges of slices until the grid reaches the target.
func planIGEMM(mode igemmMode, mg, ng, kg, r, s int, exact bool) igemmPlan {
	p := igemmPlan{mode: mode, mg: mg, ng: ng, kg: kg, exact: exact, bm: 64}
	if !exact && mg >= 128 && ceilDiv(mg, 128)*ceilDiv(ng, igemmBN) >= igemmTargetBlocks {
		p.bm = 128
	}
	switch {
	case r == 1 && s == 1:
		p.ks = 1
	case r == 3 && s == 3:
		p.ks = 3
	}
	p.slices = ceilDiv(kg, igemmBK)
	p.perSplit = max(1, p.slices)
	tiles := ceilDiv(mg, p.bm) * ceilDiv(ng, igemmBN)
	splits := 1
	if mode == modeFilt && tiles < igemmTargetBlocks {
		splits = max(1, min(ceilDiv(igemmTargetBlocks, tiles), p.slices/igemmMinSlices))
		p.perSplit = ceilDiv(p.slices, splits)
		splits = ceilDiv(p.slices, p.perSplit) // no empty split
	}
	p.grid = dim3{ceilDiv(ng, igemmBN), ceilDiv(mg, p.bm), splits}
	variant := "64_k0"
	switch {
	case exact:
		variant, p.ks = "exact", 0
	case p.bm == 128:
		variant = "128_k" + string(rune('0'+p.ks))
	default:
		variant = "64_k" + string(rune('0'+p.ks))
	}
	if mode == modeGemm {
		p.ks = 0
		if !exact {
			variant = map[int]string{128: "128", 64: "64"}[p.bm]
		}
		p.kernel = "gemm_" + variant
	} else {
		if exact {
			variant = "exact_k0"
		}
		p.kernel = "conv_" + mode.String() + "_" + variant
	}
	return p
}

// planConv is planIGEMM for one pass of the convolution s.
func planConv(mode igemmMode, s tensor.ConvShape, exact bool) igemmPlan {
	switch mode {
	case modeFwd:
		return planIGEMM(mode, s.K, s.N*s.OH*s.OW, s.C*s.R*s.S, s.R, s.S, exact)
	case modeData:
		return planIGEMM(mode, s.C, s.N*s.H*s.W, s.K*s.R*s.S, s.R, s.S, exact)
	case modeFilt:
		return planIGEMM(mode, s.K, s.C*s.R*s.S, s.N*s.OH*s.OW, s.R, s.S, exact)
	}
	panic("cuda: planConv: not a conv mode")
}

// splits is the number of reduction splits (grid.z).
func (p igemmPlan) splits() int { return p.grid.z }
