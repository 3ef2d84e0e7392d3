package kernels

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// ptxFS holds every checked-in kernels/gpu/*.ptx file: the CUDA twins of the
// CPU kernels, generated from the .cu files beside them (see gen.go).
// Embedding keeps this package pure Go: it never needs the CUDA toolkit, and
// package cuda (built with -tags cuda) loads exactly the text that CI checked
// with ptxas.
//
//go:embed gpu/*.ptx
var ptxFS embed.FS

// PTX returns the PTX text of kernels/gpu/<name>.ptx, e.g. PTX("axpy") for the
// module holding axpy_f32 and scale_f32. The slice is the caller's to keep.
// An unknown name is an error naming it and listing the embedded modules.
func PTX(name string) ([]byte, error) {
	b, err := ptxFS.ReadFile("gpu/" + name + ".ptx")
	if err != nil {
		return nil, fmt.Errorf("kernels: no embedded PTX module %q (have %s)", name, strings.Join(PTXNames(), ", "))
	}
	return b, nil
}

// PTXNames lists the embedded PTX modules by name (file name without
// ".ptx"), sorted.
func PTXNames() []string {
	ents, err := fs.Glob(ptxFS, "gpu/*.ptx")
	if err != nil {
		panic("kernels: bad embedded PTX glob") // the pattern is a constant
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = strings.TrimSuffix(strings.TrimPrefix(e, "gpu/"), ".ptx")
	}
	sort.Strings(names)
	return names
}
