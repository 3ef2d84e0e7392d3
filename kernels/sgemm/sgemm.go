package sgemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Cache blocking for Zen 3 (32 KiB L1d, 512 KiB L2 per core, shared L3):
//   - kc: one packed B micro-panel (≤ kc×nr×4 B = 20 KiB) stays in L1 while
//     the ir loop streams A micro-panels (≤ kc×mr×4 B = 7.5 KiB) past it;
//     k is cut into near-equal blocks of at most kc;
//   - mc: the packed A block (≤ mc×kc×4 B = 180 KiB) stays in L2;
//   - nc: the packed B block (≤ kc×nc×4 B = 1.25 MiB) per goroutine lives in
//     L3. A B that comes from memory makes its packing memory-bound, and
//     shorter blocks interleave those phases with the computing ones (at 2
//     threads, medians of 15 calls, GFLOP/s at nc = 4080 / 2048 / 1024: NN
//     64×16384×576 68/80/83, NN 128×16384×1152 99/100/105, TN
//     576×16384×64 97/108/105, NT 512×4608×1024 147/148/154, TN
//     4608×1024×512 151/140/148; 768 and 512 no better).
//
// mc is a multiple of mr and nc of nr, so only the last block of a
// dimension has ragged micro-panels.
const (
	kc = 320
	mc = 144
	nc = 1024
)

// minParallelFlops is the work (2·m·n·k) below which Sgemm stays on the
// calling goroutine: handing a task to a worker costs a few microseconds.
const minParallelFlops = 1 << 21

// Config selects how Sgemm runs. The zero value uses runtime.GOMAXPROCS(0)
// goroutines and the best SIMD path available (Default).
type Config struct {
	// Threads caps the goroutines one call uses; 0 means GOMAXPROCS.
	Threads int
	// NoSIMD forces the portable Go micro-kernel (the reference path), as
	// Path = Go does.
	NoSIMD bool
	// Path is the SIMD path (path.go); Auto means Default().
	Path Path
}

// path is the path cfg runs on.
func (cfg Config) path() Path {
	if cfg.NoSIMD {
		return Go
	}
	return cfg.Path.Resolve()
}

// RunPath returns the path cfg's calls run on (NoSIMD and Path resolved).
func (cfg Config) RunPath() Path { return cfg.path() }

// TileRows returns the micro-kernel's tile height on cfg's path: a GEMM
// whose m is a multiple of it has no ragged row panel (6 on go and avx2,
// 16 on avx512).
func (cfg Config) TileRows() int { return tileRows(cfg.path()) }

// Sgemm computes, for row-major matrices,
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(A) is m×k (A is m×k with row stride lda, or k×m when tA), op(B)
// is k×n (B is k×n with row stride ldb, or n×k when tB) and C is m×n with
// row stride ldc. When beta == 0, C is not read, so NaNs in it are
// overwritten. Elements of c outside the m×n submatrix are not touched. It
// panics with a constant "sgemm: ..." message on bad dimensions, leading
// dimensions or slice lengths. It runs with the zero Config.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Config{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm is the package-level Sgemm run with cfg's thread count and kernel.
// Every element of C is computed by one goroutine in an order fixed by the
// kc blocking alone, so the result is the same for every cfg.Threads.
func (cfg Config) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkSizes(tA, m, n, k, a, lda, c, ldc)
	checkB(tB, m, n, k, b, ldb)
	cfg.run(gemm{
		tA: tA, tB: tB, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}, m, n)
}

// SgemmRows is Sgemm with the stored rows of b placed by an offset table
// instead of a leading dimension: stored row i of b is
//
//	b[boff[i] : boff[i]+w],  w = n (tB false: row i of B, i < k)
//	                         w = k (tB true: row i of Bᵀ, i.e. column i of op(B), i < n)
//
// so op(B)[p, j] = b[boff[p]+j], or b[boff[j]+p] when tB. Rows may overlap
// and come in any order. This is the implicit-GEMM form of a convolution:
// the im2col row (c, r, q) of a zero-bordered image is one window of it,
// and boff lists the windows' starts, so no col matrix is built. Otherwise
// it behaves as Sgemm (same blocking, same summation order, same result
// for every cfg.Threads). It panics with "sgemm: bad length of boff" when
// len(boff) is not k (n when tB) and "sgemm: offset of b out of range" when
// a row does not lie inside b.
func (cfg Config) SgemmRows(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, boff []int, beta float32, c []float32, ldc int) {
	checkSizes(tA, m, n, k, a, lda, c, ldc)
	rows, w := k, n // stored rows of b and their width
	if tB {
		rows, w = n, k
	}
	if len(boff) != rows {
		panic("sgemm: bad length of boff")
	}
	if m > 0 && n > 0 && k > 0 {
		for _, o := range boff {
			if o < 0 || o > len(b)-w {
				panic("sgemm: offset of b out of range")
			}
		}
	}
	cfg.run(gemm{
		tA: tA, tB: tB, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, boff: boff, c: c, ldc: ldc,
	}, m, n)
}

// SgemmPanels is SgemmRows (tA and tB false) with every 16-column panel
// of op(B) placed on its own: panel q's row p is the 16 floats
//
//	op(B)[p, 16q + j] = b[pbase[q] + boff[p] + j],  j < 16,
//
// so a convolution over 16 lane-interleaved images reads each output
// position's window rows where they lie, whatever its stride. n must be a
// multiple of 16, len(boff) k and len(pbase) n/16; it panics with
// "sgemm: offset of b out of range" when a panel row does not lie inside b.
// The same bits as Sgemm on the gathered B.
func (cfg Config) SgemmPanels(m, n, k int, alpha float32, a []float32, lda int, b []float32, boff, pbase []int, beta float32, c []float32, ldc int) {
	checkSizes(false, m, n, k, a, lda, c, ldc)
	switch {
	case n%nr != 0:
		panic("sgemm: n of a panel gather not a multiple of 16")
	case len(boff) != k:
		panic("sgemm: bad length of boff")
	case len(pbase) != n/nr:
		panic("sgemm: bad length of pbase")
	}
	if m > 0 && n > 0 && k > 0 {
		lo, hi := span(boff)
		plo, phi := span(pbase)
		if lo+plo < 0 || hi+phi > len(b)-nr {
			panic("sgemm: offset of b out of range")
		}
	}
	cfg.run(gemm{k: k, alpha: alpha, beta: beta, a: a, lda: lda, b: b, boff: boff, pbase: pbase, c: c, ldc: ldc}, m, n)
}

// span returns the least and the greatest of xs (non-empty).
func span(xs []int) (lo, hi int) {
	lo, hi = xs[0], xs[0]
	for _, x := range xs[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// packPanel copies one 16-column panel of SgemmPanels' op(B), k rows
// (boff, already cut to the k block) at base, into a packed panel.
func packPanel(dst, b []float32, boff []int, base int) {
	for p, o := range boff {
		v := *(*[nr]float32)(b[base+o:]) // via a value: see packB
		*(*[nr]float32)(dst[p*nr:]) = v
	}
}

// checkB panics on a bad ldb or a b too short for op(B) (k×n).
func checkB(tB bool, m, n, k int, b []float32, ldb int) {
	if (!tB && ldb < max(1, n)) || (tB && ldb < max(1, k)) {
		panic("sgemm: bad leading dimension of B")
	}
	// Slice lengths: the last stored row needs only its used width.
	if m > 0 && n > 0 && k > 0 {
		if (!tB && len(b) < (k-1)*ldb+n) || (tB && len(b) < (n-1)*ldb+k) {
			panic("sgemm: insufficient length of b")
		}
	}
}

// checkSizes panics on bad dimensions, a bad lda or ldc, or a or c too
// short: the checks Sgemm and SgemmRows share.
func checkSizes(tA bool, m, n, k int, a []float32, lda int, c []float32, ldc int) {
	if m < 0 {
		panic("sgemm: m < 0")
	}
	if n < 0 {
		panic("sgemm: n < 0")
	}
	if k < 0 {
		panic("sgemm: k < 0")
	}
	// Rows of A as stored: k wide, or m wide when transposed.
	if (!tA && lda < max(1, k)) || (tA && lda < max(1, m)) {
		panic("sgemm: bad leading dimension of A")
	}
	if ldc < max(1, n) {
		panic("sgemm: bad leading dimension of C")
	}
	if m == 0 || n == 0 {
		return
	}
	if k > 0 && ((!tA && len(a) < (m-1)*lda+k) || (tA && len(a) < (k-1)*lda+m)) {
		panic("sgemm: insufficient length of a")
	}
	if len(c) < (m-1)*ldc+n {
		panic("sgemm: insufficient length of c")
	}
}

// run computes the checked call g on cfg's goroutines: C is cut into one
// rectangle per goroutine (grid) and each runs the blocked loops.
func (cfg Config) run(g gemm, m, n int) {
	if m == 0 || n == 0 {
		return
	}
	if g.alpha == 0 || g.k == 0 {
		scale(m, n, g.beta, g.c, g.ldc)
		return
	}
	if g.pa == nil {
		g.path = cfg.path()
	} else if g.path = g.pa.path; g.path != cfg.path() {
		panic("sgemm: PackedA packed for another SIMD path")
	}
	g.simd, g.mr = g.path >= AVX2, tileRows(g.path)
	k := g.k
	threads := cfg.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	if 2*float64(m)*float64(n)*float64(k) < minParallelFlops {
		threads = 1
	}
	mr := g.mr
	tm, tn := grid(threads, m, n, mr)
	if tm*tn == 1 {
		g.run(0, m, 0, n)
		return
	}
	done := donePool.Get().(chan struct{})
	defer donePool.Put(done)
	ensureWorkers(tm*tn - 1)
	if tm == 1 && n >= 2*nc*tn {
		// Columns for at least two nc blocks a goroutine: the blocks go
		// out from a shared counter, so a goroutine on a slowed core
		// (a busy or shared machine) computes fewer of them instead of
		// holding the call. A goroutine packs A once per nc block either
		// way; which one computes a block does not change its bits.
		next := counterPool.Get().(*atomic.Int64)
		defer counterPool.Put(next)
		next.Store(0)
		for q := 1; q < tn; q++ {
			tasks <- task{g: g, i1: m, j1: n, next: next, done: done}
		}
		g.runBlocks(m, n, next)
		for q := 1; q < tn; q++ {
			<-done
		}
		return
	}
	// Rectangle (u, v) of a tm×tn grid: row and column ranges aligned to
	// whole micro-panels, near-equal in micro-panels.
	mb, nb := (m+mr-1)/mr, (n+nr-1)/nr
	for q := 1; q < tm*tn; q++ {
		u, v := q/tn, q%tn
		tasks <- task{g: g,
			i0: min(m, u*mb/tm*mr), i1: min(m, (u+1)*mb/tm*mr),
			j0: min(n, v*nb/tn*nr), j1: min(n, (v+1)*nb/tn*nr),
			done: done}
	}
	g.run(0, min(m, mb/tm*mr), 0, min(n, nb/tn*nr))
	for q := 1; q < tm*tn; q++ {
		<-done
	}
}

// runBlocks computes all m rows of C, nc columns at a time, taking the
// blocks' indices from next until none is left.
func (g *gemm) runBlocks(m, n int, next *atomic.Int64) {
	for {
		j0 := int(next.Add(1)-1) * nc
		if j0 >= n {
			return
		}
		g.run(0, m, j0, min(n, j0+nc))
	}
}

// grid splits t goroutines into a tm×tn grid over C's rows and columns. It
// prefers splitting n: each goroutine packs the B columns it uses, so a
// column split packs B once in total while A (small for the conv shapes) is
// packed by every goroutine. A split side keeps at least 4 micro-panels per
// goroutine (2 for rows, whose panels are smaller in work only by kc).
func grid(t, m, n, mr int) (tm, tn int) {
	for tn = t; tn >= 1; tn-- {
		if t%tn != 0 {
			continue
		}
		tm = t / tn
		if (tn == 1 || n >= 4*nr*tn) && (tm == 1 || m >= 2*mr*tm) {
			return tm, tn
		}
	}
	return 1, 1
}

// scale does C = beta * C on the m×n submatrix, writing zeros (not reading
// C) when beta == 0.
func scale(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemm carries one call's operands; run computes a rectangle of C.
type gemm struct {
	tA, tB      bool
	k           int
	alpha, beta float32
	a, b, c     []float32
	lda         int
	ldb         int       // row stride of b when boff is nil
	boff        []int     // SgemmRows: stored row i of b starts at boff[i]
	pbase       []int     // SgemmPanels: panel q of op(B) starts at pbase[q] (plus boff)
	pa          *PackedA  // SgemmPacked: A already packed (a, lda unused)
	pb          []float32 // SgemmPackedAB: B already packed (b, ldb unused)
	pbn         int       // SgemmPackedAB: the n pb was packed for
	ldc         int
	path        Path // resolved: go, avx2 or avx512
	simd        bool // path >= AVX2
	mr          int  // tileRows(path)
}

// workspace holds one goroutine's packed blocks and the scratch tile for
// ragged edges. Buffers grow on demand and are reused through wsPool.
type workspace struct {
	a    []float32 // packed A block, ≤ mc×kc
	b    []float32 // packed B block, ≤ kc×nc (rounded up to nr)
	tile [mrMax * nr]float32
	offs []int // in-place B without boff: the rows' starts
}

// rowOffsets returns the starts of B's stored rows pc..pc+kcb in b: a
// slice of g.boff, or i·ldb written into ws.offs.
func (ws *workspace) rowOffsets(g *gemm, pc, kcb int) []int {
	if g.boff != nil {
		return g.boff[pc : pc+kcb]
	}
	if cap(ws.offs) < kcb {
		ws.offs = make([]int, kcb)
	}
	o := ws.offs[:kcb]
	for p := range o {
		o[p] = (pc + p) * g.ldb
	}
	return o
}

// maxDirectRows is the most rows of C one goroutine computes with B read
// in place rather than packed (see run). Measured on the 2-core Zen 3 with
// the width-16 encoder's training step (nn BenchmarkTrainStep model=small,
// whose convs have 16-128 output channels): 1.86 s/step packing every B,
// 1.50-1.67 with the bound at 48 rows, 1.55-1.66 at 96-144, 1.61 with every
// B in place; the width-64 step was 18.2 s either way. Tests set it to 0
// to compare the two paths.
var maxDirectRows = 4 * mr6 * 2

// maxDirectRows512 is maxDirectRows on the avx512 path, whose kernel is
// twice as fast, so that packing costs twice as much beside it. Measured on
// the AVX-512 EPYC (Zen 5), one thread, a conv's SgemmRows (4 images of
// 34×34 padded planes), best of 12 calls at load 10, GFLOP/s packed / in
// place: m = 32 k = 288 115/192, m = 64 k = 576 137/175, m = 96 k = 576
// 156/182, m = 128 k = 1152 160/176; m = 256 k = 1152 173/167 and k =
// 2304 182/176 no better in place.
var maxDirectRows512 = 8 * mr512

// directSpan bounds the floats a stored B's k rows may span for the
// in-place path (256 KiB, half of L2): a Winograd GEMM's V block with 32
// channels spans 32·264.
const directSpan = 1 << 16

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

// grow returns s resliced to n elements, reallocating only when too short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// run computes rows [i0, i1) × columns [j0, j1) of C with the five-loop
// blocking described in the package doc. i0 and j0 are multiples of mr and
// nr, or the whole range starts at 0.
func (g *gemm) run(i0, i1, j0, j1 int) {
	if i0 >= i1 || j0 >= j1 {
		return
	}
	ws := wsPool.Get().(*workspace)
	defer wsPool.Put(ws)
	// k splits into the fewest blocks of at most kc, of near-equal size:
	// k = 576 gives 2×288 rather than 256+256+64, whose short last block
	// would pay a full pass over C for little work.
	nk := (g.k + kc - 1) / kc
	kcs := (g.k + nk - 1) / nk
	mr := g.mr
	ws.a = grow(ws.a, kcs*((min(mc, i1-i0)+mr-1)/mr*mr))
	ws.b = grow(ws.b, kcs*((min(nc, j1-j0)+nr-1)/nr*nr))
	// With few rows of C, each packed B element would serve only
	// ⌈rows/mr⌉ micro-kernel calls, so packing costs about as much as the
	// FMAs: the kernel then reads B where it lies (kernelRowsAVX2), one
	// k×16 strip at a time, which stays in L1 across the row panels. That
	// needs the strip's rows close together: a convolution's windows
	// (SgemmRows) overlap, and a stored B qualifies when its k rows span at
	// most directSpan floats. Rows a large leading dimension apart cost a
	// TLB miss each and often share cache sets (m = 32, k = 288 at 2
	// threads: n = ldb = 16384 32 GFLOP/s in place against 46 packed, n =
	// 3000 42 against 57).
	bound := maxDirectRows
	if g.path == AVX512 {
		bound = maxDirectRows512
	}
	direct := g.simd && !g.tB && g.pb == nil && i1-i0 <= bound && (g.boff != nil || g.k*g.ldb <= directSpan)
	// SgemmPanels reads B in place whatever the rows (its panels are
	// gathers that no leading dimension describes), or without SIMD packs
	// each panel just before its first use.
	direct = direct || g.simd && g.pbase != nil

	for jc := j0; jc < j1; jc += nc {
		ncb := min(nc, j1-jc)
		for pc := 0; pc < g.k; pc += kcs {
			kcb := min(kcs, g.k-pc)
			// The first k block applies beta; later ones add to C.
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			// A stored B is packed as a whole block, reading its rows
			// front to back. A transposed B is packed a micro-panel at a
			// time by the first row block, just before the panel's first
			// use, while it is hot in L1 (its rows are contiguous in k, so
			// per-panel reads stream too); later row blocks reuse it.
			var offs []int // direct: the k block's row starts in b
			bpk := ws.b    // the packed B block
			switch {
			case g.pb != nil:
				bpk = g.pb[pc*g.pbn+jc*kcb:] // SgemmPackedAB's layout
			case direct:
				offs = ws.rowOffsets(g, pc, kcb)
				// Only a ragged last panel is packed, into slot 0.
				if full := ncb / nr * nr; full < ncb {
					packB(ws.b, g.b, g.ldb, g.boff, false, pc, kcb, jc+full, ncb-full, g.simd)
				}
			case !g.tB && g.pbase == nil:
				packB(ws.b, g.b, g.ldb, g.boff, g.tB, pc, kcb, jc, ncb, g.simd)
			}
			for ic := i0; ic < i1; ic += mc {
				mcb := min(mc, i1-ic)
				ap := ws.a
				if g.pa != nil {
					ap = g.pa.block(ic, pc, kcb)
				} else {
					packA(ap, g.a, g.lda, g.tA, ic, mcb, pc, kcb, g.path)
				}
				g.macro(ws, ap, bpk, pc, kcb, ic, mcb, jc, ncb, beta, (g.tB || g.pbase != nil && !direct) && g.pb == nil && ic == i0, offs)
			}
		}
	}
}

// macro runs the micro-kernel over the mcb×ncb block of C at (ic, jc) from
// the packed A block apk and the packed B block bpk (k rows pc..pc+kcb; ws.b
// unless B came packed): jr over B micro-panels (each
// stays in L1), ir over A micro-panels. With pack set it first packs each B
// micro-panel into its slot. Full tiles are written in place; ragged ones go
// through ws.tile and are merged here.
//
// With offs (the direct mode of run) the full B micro-panels are read in
// place, row p of the panel at column jc+jr being b[offs[p]+jc+jr:][:nr],
// and only a ragged last panel comes packed, in slot 0 of ws.b.
func (g *gemm) macro(ws *workspace, apk, bpk []float32, pc, kcb, ic, mcb, jc, ncb int, beta float32, pack bool, offs []int) {
	alpha, c, ldc, mr := g.alpha, g.c, g.ldc, g.mr
	// Whole tiles of packed panels go to the assembly in one call, which
	// loops over them without a Go call and slicing per tile (a Winograd
	// GEMM with 16 channels runs 16 k steps a tile): the whole block, or
	// with pack a column at a time once its panel is packed. The loops
	// below then do only the ragged row and column panels.
	fullM := 0 // rows in whole panels that kernelBlockAVX2 computes
	if g.simd && offs == nil {
		fullM = mcb / mr * mr
	}
	if fullN := ncb / nr * nr; fullM > 0 && fullN > 0 && !pack {
		g.block(apk, bpk, kcb, ic, fullM, jc, fullN, beta)
	}
	for jr := 0; jr < ncb; jr += nr {
		bp := bpk[jr*kcb : (jr+nr)*kcb]
		cols := min(nr, ncb-jr)
		switch {
		case pack && g.pbase != nil:
			packPanel(bp, g.b, g.boff[pc:pc+kcb], g.pbase[(jc+jr)/nr])
		case pack:
			packB(bp, g.b, g.ldb, g.boff, g.tB, pc, kcb, jc+jr, cols, g.simd)
		}
		irFrom := 0 // first row left to the tile loop
		if fullM > 0 && cols == nr {
			if pack {
				g.block(apk, bp, kcb, ic, fullM, jc+jr, nr, beta)
			}
			irFrom = fullM
		}
		inPlace := offs != nil && cols == nr
		if offs != nil && !inPlace {
			bp = ws.b[:nr*kcb]
		}
		for ir := irFrom; ir < mcb; ir += mr {
			ap := apk[ir*kcb : (ir+mr)*kcb]
			rows := min(mr, mcb-ir)
			off := (ic+ir)*ldc + jc + jr
			if inPlace {
				ct, ldt, a, b := c[off:], ldc, alpha, beta
				if rows < mr {
					ct, ldt, a, b = ws.tile[:], nr, 1, 0
				}
				b0 := jc + jr // panel start: the column, or its own base
				if g.pbase != nil {
					b0 = g.pbase[(jc+jr)/nr]
				}
				if g.path == AVX512 {
					kernelRowsAVX512(kcb, &ap[0], &g.b[b0], &offs[0], &ct[0], ldt, a, b)
				} else {
					kernelRowsAVX2(kcb, &ap[0], &g.b[b0], &offs[0], &ct[0], ldt, a, b)
				}
				if rows == mr {
					continue
				}
			} else if rows == mr && cols == nr {
				g.kernel(kcb, ap, bp, c[off:off+(mr-1)*ldc+nr], ldc, alpha, beta)
				continue
			} else {
				g.kernel(kcb, ap, bp, ws.tile[:], nr, 1, 0)
			}
			for i := range rows {
				storeRow(c[off+i*ldc:off+i*ldc+cols], ws.tile[i*nr:i*nr+cols], alpha, beta)
			}
		}
	}
}

// block runs kernelBlockAVX2 or kernelBlockAVX512 over the whole tiles of
// the mb×nb block of C at (ic, jc) (mb, nb multiples of mr, nr) from packed
// A and B panels.
func (g *gemm) block(apk, bpk []float32, kcb, ic, mb, jc, nb int, beta float32) {
	off := ic*g.ldc + jc
	_ = apk[mb*kcb-1]
	_ = bpk[nb*kcb-1]
	_ = g.c[off+(mb-1)*g.ldc+nb-1]
	if g.path == AVX512 {
		kernelBlockAVX512(kcb, &apk[0], &bpk[0], &g.c[off], g.ldc, g.alpha, beta, mb/mr512, nb/nr)
		return
	}
	kernelBlockAVX2(kcb, &apk[0], &bpk[0], &g.c[off], g.ldc, g.alpha, beta, mb/mr6, nb/nr)
}

// kernel computes one mr×nr tile: c = alpha*(a-panel · b-panel) + beta*c.
func (g *gemm) kernel(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	switch g.path {
	case AVX512:
		_ = c[(mr512-1)*ldc+nr-1]
		kernelBlockAVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta, 1, 1)
	case AVX2:
		kernelAVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	default:
		kernelGo(k, a, b, c, ldc, alpha, beta)
	}
}

// A small pool of long-lived worker goroutines runs the rectangles other
// than the caller's own, so a steady stream of calls allocates nothing.
type task struct {
	g              gemm
	i0, i1, j0, j1 int
	next           *atomic.Int64 // not nil: the column blocks of runBlocks(i1, j1, next)
	done           chan<- struct{}
}

var (
	tasks     = make(chan task)
	workersMu sync.Mutex
	nWorkers  int
	// donePool recycles completion channels; each is drained by its
	// caller before it is put back.
	donePool = sync.Pool{New: func() any { return make(chan struct{}, 1) }}
	// counterPool recycles runBlocks' shared counters.
	counterPool = sync.Pool{New: func() any { return new(atomic.Int64) }}
)

// ensureWorkers starts workers until at least n exist.
func ensureWorkers(n int) {
	workersMu.Lock()
	for ; nWorkers < n; nWorkers++ {
		go func() {
			for t := range tasks {
				if t.next != nil {
					t.g.runBlocks(t.i1, t.j1, t.next)
				} else {
					t.g.run(t.i0, t.i1, t.j0, t.j1)
				}
				t.done <- struct{}{}
			}
		}()
	}
	workersMu.Unlock()
}
