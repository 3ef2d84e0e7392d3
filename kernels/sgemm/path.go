package sgemm

import (
	"fmt"
	"os"
	"sync"
)

// Path is one level of the CPU kernels' SIMD code, for this package and for
// package kernels alike. Each level needs the CPU features of the ones
// below it, and each falls back to the one below where a routine has no
// twin of its own:
//
//	path     needs (cpuid)                 sgemm                                     kernels, kernels/conv, kernels/batchnorm
//	go       -                             kernelGo 6×16, Go packing                  the Go twins
//	avx2     AVX2, FMA3                    kernelBlockAVX2/kernelRowsAVX2 6×16,       each folder's simd_amd64.s (kernels'
//	                                       pack6, packRow6/16, transpose8            relu_amd64.s): ReLU; conv's Winograd/
//	                                                                                 lanes transforms, tr8, addRows16,
//	                                                                                 dot34; batch norm's sums, map, backward
//	avx512   avx2 + AVX512F, BW, DQ, VL    kernelBlockAVX512/kernelRowsAVX512 16×16,  each folder's simd_avx512_amd64.s:
//	                                       A packed by transpose8 and packRow16      ReLU and its gradient; conv's lanes'
//	                                                                                 Winograd transforms, tr16 (16×16
//	                                                                                 transposes for whole blocks of 16
//	                                                                                 images), addRows16AVX512, dot38AVX512
//	                                                                                 (two dot34 blocks); batch norm's
//	                                                                                 forward map (affineRowsAVX512) and
//	                                                                                 backward (bnGradRowsAVX512); the avx2
//	                                                                                 loops elsewhere (batch norm's float64
//	                                                                                 sums, tr8 on half blocks, dot34 on
//	                                                                                 single blocks)
//
// The environment variable TWOSTAGE_SIMD=avx512|avx2|go caps the paths a
// process may use: the machine then behaves as one with only those (the
// default path is the best one left, and the tests run every path left). A
// Config or a kernels.CPU may ask for a lower path still; one that asks for
// more than is available gets the best available.
//
// Results are deterministic for a given path and thread count. The GEMM of
// avx2 and avx512 differ only in tile shape, not in the order of each
// element's FMAs: with alpha = 1 and beta ∈ {0, 1} they give the same bits.
type Path uint8

const (
	Auto   Path = iota // the zero value: Default()
	Go                 // the portable Go twins
	AVX2               // AVX2 and FMA3
	AVX512             // AVX-512 F, BW, DQ and VL, on top of AVX2
)

// pathNames are the paths' names, as TWOSTAGE_SIMD spells them.
var pathNames = [...]string{Auto: "auto", Go: "go", AVX2: "avx2", AVX512: "avx512"}

func (p Path) String() string {
	if int(p) < len(pathNames) {
		return pathNames[p]
	}
	return fmt.Sprintf("Path(%d)", p)
}

// ParsePath returns the path named s ("go", "avx2", "avx512" or "auto").
func ParsePath(s string) (Path, error) {
	for p, n := range pathNames {
		if n == s {
			return Path(p), nil
		}
	}
	return Auto, fmt.Errorf("sgemm: unknown SIMD path %q (want avx512, avx2 or go)", s)
}

// best is the highest path this process uses: the best the CPU has
// (hardware, from path_amd64.go), capped by TWOSTAGE_SIMD. It is read on
// first use rather than at init, so that go test sees the variable (and
// does not reuse a cached result of another setting).
var best = sync.OnceValue(func() Path {
	p := hardware
	if s := os.Getenv("TWOSTAGE_SIMD"); s != "" {
		q, err := ParsePath(s)
		if err != nil {
			// A typo here would silently measure or test the wrong code.
			panic(fmt.Sprintf("TWOSTAGE_SIMD=%q: want avx512, avx2 or go (unset: the best the CPU has, here %v)", s, hardware))
		}
		if q != Auto {
			p = min(p, q)
		}
	}
	return p
})

// Default returns the path a zero Config (and a zero kernels.CPU) runs:
// the best the CPU has, capped by TWOSTAGE_SIMD.
func Default() Path { return best() }

// Hardware returns the best path the CPU and this build have, ignoring
// TWOSTAGE_SIMD.
func Hardware() Path { return hardware }

// Available reports whether p can run in this process.
func (p Path) Available() bool { return p >= Go && p <= best() }

// Paths lists the paths this process can run, lowest (go) first.
func Paths() []Path {
	var ps []Path
	for p := Go; p <= best(); p++ {
		ps = append(ps, p)
	}
	return ps
}

// Resolve returns the path that runs for a request of p: Default() for
// Auto, the best available one for a path above it.
func (p Path) Resolve() Path {
	if b := best(); p == Auto || p > b {
		return b
	}
	return p
}
