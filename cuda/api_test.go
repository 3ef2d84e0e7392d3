package cuda

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"twostage/kernels"
)

// These tests need no GPU and run in both builds.

// TestSizeClass checks the allocator's rounding: never below the request,
// at most 25% above it (beyond the 256-byte minimum), monotone, and fixed
// points at the class sizes themselves.
func TestSizeClass(t *testing.T) {
	for _, c := range []struct{ n, want int64 }{
		{-1, 0}, {0, 0}, {1, minBlock}, {minBlock, minBlock},
		{257, 320}, {320, 320}, {321, 384}, {511, 512}, {512, 512}, {513, 640},
		{4 << 20, 4 << 20}, {4<<20 + 12, 5 << 20}, // 1<<20+3 float32s
	} {
		if got := sizeClass(c.n); got != c.want {
			t.Errorf("sizeClass(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	prev := int64(0)
	for n := int64(1); n < 1<<22; n = n*9/8 + 1 {
		c := sizeClass(n)
		if c < n || (n > minBlock && 4*c > 5*n) || c < prev {
			t.Fatalf("sizeClass(%d) = %d: below the request, over 25%% above, or not monotone (prev %d)", n, c, prev)
		}
		if sizeClass(c) != c {
			t.Fatalf("sizeClass(%d) = %d is not a fixed point", c, sizeClass(c))
		}
		prev = c
	}
}

func TestGridFor(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{0, 1}, {1, 1}, {blockSize, 1}, {blockSize + 1, 2}, {1<<20 + 3, 4097},
		{maxGrid * blockSize * 4, maxGrid},
	} {
		if got := gridFor(c.n); got != c.want {
			t.Errorf("gridFor(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// ptxEntry matches a kernel's signature in PTX: the name and the parameter
// list up to the closing parenthesis.
var (
	ptxEntry   = regexp.MustCompile(`(?s)\.visible\s+\.entry\s+(\w+)\s*\((.*?)\)`)
	ptxParam   = regexp.MustCompile(`\.param\s+\.(\w+)\s+\w+`)
	ptxVersion = regexp.MustCompile(`(?m)^\.version\s+(\d+)\.(\d+)`)
)

// TestKernelTable checks every kernel the backend launches against the PTX
// that package kernels embeds: the module exists, the entry point exists and
// its parameter types are the ones the launcher marshals. A wrong table entry
// would otherwise pass garbage to the GPU without any error.
func TestKernelTable(t *testing.T) {
	entries := map[string][]string{} // module/kernel -> param types
	for _, file := range kernels.PTXNames() {
		ptx, err := kernels.PTX(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ptxEntry.FindAllSubmatch(ptx, -1) {
			var params []string
			for _, p := range ptxParam.FindAllSubmatch(m[2], -1) {
				params = append(params, string(p[1]))
			}
			entries[file+"/"+string(m[1])] = params
		}
	}
	seen := map[string]bool{}
	for _, k := range allKernels {
		key := k.file + "/" + k.name
		if seen[key] {
			t.Errorf("%s listed twice in allKernels", key)
		}
		seen[key] = true
		params, ok := entries[key]
		if !ok {
			t.Errorf("kernel %s: no entry point in kernels/gpu/%s.ptx", k.name, k.file)
			continue
		}
		if strings.Join(params, ",") != strings.Join(k.params, ",") {
			t.Errorf("kernel %s: PTX params (%s), table says (%s)", k.name,
				strings.Join(params, ","), strings.Join(k.params, ","))
		}
	}
	if _, err := kernels.PTX("no-such-module"); err == nil {
		t.Error("kernels.PTX of an unknown module: no error")
	}
}

// TestPTXVersion checks every embedded module is PTX ISA <= 7.8 for sm_80:
// the newest the CI's ptxas 11.8 can assemble, and a target the driver JITs
// for sm_80 and sm_90 alike (see kernels/gen.go).
func TestPTXVersion(t *testing.T) {
	names := kernels.PTXNames()
	if len(names) == 0 {
		t.Fatal("no embedded PTX")
	}
	for _, file := range names {
		ptx, _ := kernels.PTX(file)
		m := ptxVersion.FindSubmatch(ptx)
		if m == nil {
			t.Errorf("kernels/gpu/%s.ptx: no .version line", file)
			continue
		}
		major, _ := strconv.Atoi(string(m[1]))
		minor, _ := strconv.Atoi(string(m[2]))
		if major > 7 || (major == 7 && minor > 8) {
			t.Errorf("kernels/gpu/%s.ptx: .version %d.%d; ptxas 11.8 in CI accepts at most 7.8", file, major, minor)
		}
		if !regexp.MustCompile(`(?m)^\.target\s+sm_80\b`).Match(ptx) {
			t.Errorf("kernels/gpu/%s.ptx: not .target sm_80 (generate with -arch=compute_80)", file)
		}
	}
}
