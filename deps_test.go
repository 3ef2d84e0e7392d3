package twostage_test

// This file enforces the dependency direction of STYLE.md §3 on every package
// of the module, the way src/go/build/deps_test.go does for the standard
// library: each package's imports are checked against a table of what it may
// import.

import (
	"bufio"
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// allowed lists, for every package of the module (by path inside the module),
// what its non-test files may import directly. Entries are module-relative
// package paths ("tensor"), external import paths, "STD" for the standard
// library (cgo's "C" is not in it: the engine's only cgo of its own is
// package cuda's pinned host memory, which its entry names), or
// "ANY". A trailing "/..." matches a path and everything below it, as in go
// list. A package absent from the table fails the test.
//
// The table is a statement of policy, not a record of what the code happens to
// import: DO NOT CHANGE IT just to make a build pass. A new edge is a design
// decision (STYLE.md §3); make it there first.
var allowed = map[string][]string{
	// The data model: it defines Backend and knows no implementation.
	"tensor": {"STD"},

	// The CPU backend and every kernel; GEMM through gonum or our own sgemm.
	// Its op families with several algorithms have a folder each below it
	// (the same layer: they import only what kernels may, and kernels
	// imports them); internal/host is what the families share, and
	// internal/ktest the shared kernel tests' helpers (imported by tests
	// only: it opens the backends, CUDA's under -tags cuda).
	"kernels":               {"STD", "tensor", "kernels/conv", "kernels/batchnorm", "kernels/sgemm", "kernels/internal/host", "gonum.org/v1/gonum/...", "github.com/klauspost/cpuid/v2"},
	"kernels/sgemm":         {"STD", "gonum.org/v1/gonum/...", "github.com/klauspost/cpuid/v2", "golang.org/x/sys/cpu"},
	"kernels/internal/host": {"STD", "kernels/sgemm", "gonum.org/v1/gonum/..."},
	// The convolutions fuse batch norm's map into their stores (the one
	// edge between families, as llm.c's matmul→gelu).
	"kernels/conv":           {"STD", "tensor", "kernels/batchnorm", "kernels/sgemm", "kernels/internal/host"},
	"kernels/batchnorm":      {"STD", "tensor", "kernels/sgemm", "kernels/internal/host"},
	"kernels/internal/ktest": {"STD", "tensor", "kernels", "kernels/sgemm", "cuda", "gonum.org/v1/gonum/..."},

	// The GPU backend; gorgonia.org/cu only under -tags cuda (build-tag rule
	// checked separately below: no other package may import it at all). "C"
	// for cuda/pinned.go (cuMemHostAlloc, which cu v0.9.6 lacks; issue 12
	// allows a small cgo call of our own), also behind the tag.
	"cuda": {"STD", "tensor", "kernels", "gorgonia.org/cu/...", "C"},

	// The tape and the model layers: backend-agnostic.
	"autograd":       {"STD", "tensor"},
	"nn":             {"STD", "autograd", "tensor", "nn/safetensors", "nn/torchfile"},
	"nn/safetensors": {"STD", "tensor"},
	// torch.save files (the authors' released .t7 checkpoints): a pickle
	// reader that runs no code, stdlib only.
	"nn/torchfile": {"STD"},

	// Data sets (stdlib decoding) and metrics (plain slices, never autograd).
	"data": {"STD", "tensor"},
	// Synthetic data sets for the trainers' tests.
	"data/datatest": {"STD", "data"},
	"metrics":       {"STD", "gonum.org/v1/gonum/..."},

	// The two stages; stage2 does not import superand (the encoder comes from
	// nn and its weights from a checkpoint).
	"superand": {"STD", "nn", "autograd", "tensor", "data", "metrics"},
	"stage2":   {"STD", "nn", "autograd", "tensor", "data", "metrics"},
	// Fine-tuning with few labels (Table 4) is a third trainer on the same
	// footing as stage 2: the encoder from nn, its pretrained weights from a
	// checkpoint of either stage, never the stages' packages themselves.
	"finetune": {"STD", "nn", "autograd", "tensor", "data", "metrics"},

	// Programs and the golden harness wire everything together.
	"cmd/...": {"ANY"},
	"golden":  {"ANY"},
}

// Rules for every package, test files included:
//   - nothing outside cmd/ imports cmd/... (programs are leaves);
//   - nothing but golden's own tests imports golden;
//   - nothing outside cuda imports gorgonia.org/cu: its package init exits the
//     process without a GPU, so it must stay behind cuda's build tag.
// Tests may otherwise import anything (kernels' tests import cuda to run the
// shared kernel tests on the GPU, nn's tests import kernels for the CPU).

// buildContexts are the configurations whose files are checked: the default
// build, the CUDA build and the portable (noasm) build, each on amd64 and
// arm64, so that every file with a build constraint of ours is seen.
func buildContexts() []build.Context {
	var cs []build.Context
	for _, arch := range []string{"amd64", "arm64"} {
		for _, tags := range [][]string{nil, {"cuda"}, {"noasm"}} {
			c := build.Default
			c.GOOS, c.GOARCH, c.BuildTags, c.CgoEnabled = "linux", arch, tags, true
			cs = append(cs, c)
		}
	}
	return cs
}

// pkgImports are the imports of one package directory, over all contexts.
type pkgImports struct {
	imports     map[string]bool // non-test files
	testImports map[string]bool // _test.go files, in-package and external
}

func TestDependencies(t *testing.T) {
	module := modulePath(t)
	pkgs := scanPackages(t, module)
	if _, ok := pkgs["tensor"]; !ok {
		t.Fatal("package tensor not found: is the test running at the module root?")
	}
	for _, rel := range sortedKeys(pkgs) {
		p := pkgs[rel]
		rule, ok := lookup(rel)
		if !ok && rel != "" {
			t.Errorf("package %s is not in the allowed-imports table of deps_test.go; "+
				"add it there with the imports STYLE.md §3 gives it", rel)
		}
		for _, imp := range sortedKeys(p.imports) {
			local, isLocal := strings.CutPrefix(imp, module+"/")
			switch {
			case rel == "": // the module root holds only this test
			case !isLocal && imp == module:
				t.Errorf("%s imports the module root %s", rel, imp)
			case ok && isLocal && !permits(rule, local, false):
				t.Errorf("%s may not import %s (allowed: %s)", rel, local, strings.Join(rule, ", "))
			case ok && !isLocal && !permits(rule, imp, isStd(imp)):
				t.Errorf("%s may not import %s (allowed: %s)", rel, imp, strings.Join(rule, ", "))
			}
		}
		all := map[string]bool{}
		for imp := range p.imports {
			all[imp] = true
		}
		for imp := range p.testImports {
			all[imp] = true
		}
		for _, imp := range sortedKeys(all) {
			local, isLocal := strings.CutPrefix(imp, module+"/")
			switch {
			case isLocal && under(local, "cmd") && !under(rel, "cmd"):
				t.Errorf("%s imports %s: nothing outside cmd/ imports a program", rel, local)
			case isLocal && under(local, "golden") && rel != "golden":
				t.Errorf("%s imports %s: nothing imports the golden harness", rel, local)
			case under(imp, "gorgonia.org/cu") && rel != "cuda":
				t.Errorf("%s imports %s: only package cuda (behind -tags cuda) may", rel, imp)
			}
		}
	}
}

// TestDependencyRules checks the matching helpers on a few cases, so that a
// bug in them cannot make TestDependencies pass vacuously.
func TestDependencyRules(t *testing.T) {
	for _, c := range []struct {
		rel, imp string
		std      bool
		want     bool
	}{
		{"tensor", "fmt", true, true},
		{"tensor", "C", false, false},
		{"tensor", "kernels", false, false},
		{"kernels", "tensor", false, true},
		{"kernels", "gonum.org/v1/gonum/blas/blas32", false, true},
		{"kernels", "gorgonia.org/cu", false, false},
		{"cuda", "gorgonia.org/cu", false, true},
		{"cuda", "gorgonia.org/cu/blas", false, true},
		{"cuda", "gorgonia.org/cuda", false, false},
		{"stage2", "superand", false, false},
		{"superand", "metrics", false, true},
		{"metrics", "autograd", false, false},
		{"cmd/superand", "superand", false, true},
		{"cmd/internal/cli", "cuda", false, true},
	} {
		rule, ok := lookup(c.rel)
		if !ok {
			t.Fatalf("no rule for %s", c.rel)
		}
		if got := permits(rule, c.imp, c.std); got != c.want {
			t.Errorf("%s importing %s: permitted = %v, want %v", c.rel, c.imp, got, c.want)
		}
	}
	if _, ok := lookup("newpkg"); ok {
		t.Error("a package missing from the table has a rule")
	}
	if !isStd("math/rand/v2") || isStd("gonum.org/v1/gonum/mat") || isStd("C") {
		t.Error("isStd is wrong")
	}
}

// lookup finds the table entry of a module-relative package path.
func lookup(rel string) ([]string, bool) {
	if r, ok := allowed[rel]; ok {
		return r, true
	}
	for pat, r := range allowed {
		if base, ok := strings.CutSuffix(pat, "/..."); ok && under(rel, base) {
			return r, true
		}
	}
	return nil, false
}

// permits reports whether rule allows importing imp (module-relative for our
// own packages, the full path otherwise).
func permits(rule []string, imp string, std bool) bool {
	for _, r := range rule {
		switch {
		case r == "ANY", r == "STD" && std, r == imp:
			return true
		}
		if base, ok := strings.CutSuffix(r, "/..."); ok && under(imp, base) {
			return true
		}
	}
	return false
}

// under reports whether path is base or inside it.
func under(path, base string) bool {
	return path == base || strings.HasPrefix(path, base+"/")
}

// isStd reports whether an import path is in the standard library: its first
// element has no dot (the rule cmd/go uses). "C" (cgo) is not.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return path != "C" && !strings.Contains(first, ".")
}

// modulePath reads the module line of ./go.mod.
func modulePath(t *testing.T) string {
	f, err := os.Open("go.mod")
	if err != nil {
		t.Fatalf("deps_test: %v (the test must run at the module root)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatal("deps_test: go.mod has no module line")
	return ""
}

// scanPackages walks the module and returns every package directory (module-
// relative, "" for the root) with its imports under every build context.
// testdata, vendor, hidden and _ directories and nested modules are skipped.
func scanPackages(t *testing.T, module string) map[string]*pkgImports {
	pkgs := map[string]*pkgImports{}
	ctxts := buildContexts()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." {
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		rel := filepath.ToSlash(path)
		if rel == "." {
			rel = ""
		}
		for i := range ctxts {
			bp, err := ctxts[i].ImportDir(path, build.ImportComment)
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				continue
			}
			if err != nil {
				t.Errorf("%s (%s/%s %v): %v", path, ctxts[i].GOOS, ctxts[i].GOARCH, ctxts[i].BuildTags, err)
				continue
			}
			p := pkgs[rel]
			if p == nil {
				p = &pkgImports{imports: map[string]bool{}, testImports: map[string]bool{}}
				pkgs[rel] = p
			}
			for _, imp := range bp.Imports {
				p.imports[imp] = true
			}
			for _, imp := range slices.Concat(bp.TestImports, bp.XTestImports) {
				p.testImports[imp] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
