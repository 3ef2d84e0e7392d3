package cuda

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKernelSignatures checks every table entry against its CUDA C source:
// PTX has no pointer type (pointers and int64 are both .u64), so
// TestKernelTable cannot see a pointer and an integer swapped; the .cu
// declaration can. Each parameter's C type gives its letter (a '*' is p,
// i64 or long long is i, float is f), which must equal the table's sig.
// The conv_* and gemm_* entry points are stamped out by the CONV_ENTRY and
// GEMM_ENTRY macros, whose parameter lists must equal convSig and gemmSig.
func TestKernelSignatures(t *testing.T) {
	srcs, err := filepath.Glob("../kernels/gpu/*.cu")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no kernels/gpu/*.cu sources (%v)", err)
	}
	decl := regexp.MustCompile(`(?s)extern "C" __global__ void\s+(?:__launch_bounds__\((?:[^()]|\([^()]*\))*\)\s+)?(\w+)\s*\(([^)]*)\)`)
	macro := regexp.MustCompile(`(?s)#define (CONV_ENTRY|GEMM_ENTRY)\(.*?\bname\s*\(([^)]*)\)`)
	found := map[string]string{} // kernel (or macro) -> letters
	for _, f := range srcs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.ReplaceAll(string(b), "\\\n", " ")
		for _, m := range macro.FindAllStringSubmatch(src, -1) {
			found[m[1]] = letters(t, m[1], m[2])
		}
		for _, m := range decl.FindAllStringSubmatch(src, -1) {
			if m[1] != "name" {
				found[m[1]] = letters(t, m[1], m[2])
			}
		}
	}
	if found["CONV_ENTRY"] != convSig || found["GEMM_ENTRY"] != gemmSig {
		t.Errorf("conv.cu macros give %q and %q; convSig %q, gemmSig %q",
			found["CONV_ENTRY"], found["GEMM_ENTRY"], convSig, gemmSig)
	}
	for _, k := range allKernels {
		want, ok := found[k.name]
		if !ok && (strings.HasPrefix(k.name, "conv_") || strings.HasPrefix(k.name, "gemm_")) {
			continue // from the macros, checked above
		}
		if !ok {
			t.Errorf("kernel %s: no extern \"C\" __global__ declaration in kernels/gpu/*.cu", k.name)
			continue
		}
		if got := strings.Join(sig(want), ","); got != strings.Join(k.params, ",") {
			t.Errorf("kernel %s: the table's params (%s) do not match the source's", k.name, strings.Join(k.params, ","))
		}
		if tab := k.letters; tab != want {
			t.Errorf("kernel %s: the source declares %q (p pointer, i int64, f float), the table %q", k.name, want, tab)
		}
	}
}

// letters maps a C parameter list to p/i/f letters.
func letters(t *testing.T, name, params string) string {
	var b strings.Builder
	for _, p := range strings.Split(params, ",") {
		p = strings.TrimSpace(p)
		switch {
		case strings.Contains(p, "*"):
			b.WriteByte('p')
		case strings.HasPrefix(p, "i64 "), strings.HasPrefix(p, "long long "):
			b.WriteByte('i')
		case strings.HasPrefix(p, "float "):
			b.WriteByte('f')
		default:
			t.Errorf("%s: parameter %q is not a pointer, i64 or float", name, p)
		}
	}
	return b.String()
}
