// Package golden loads the PyTorch-computed fixtures of ../shared/golden (the
// engine's external truth, STYLE.md §2.5 level 0) and compares results with
// them. The harness itself is golden_test.go: it checks every *.json case in
// GOLDEN_DIR (default testdata/golden), dispatching on the case's op, fails
// on an op it does not know, and prints one "golden: ok NAME" or
// "golden: FAIL NAME: why" line per case and a summary line.
//
// Format (see ../shared/golden/README.md):
//
//	{"name", "op", "attrs", "inputs", "outputs", "grad_outputs", "grads",
//	 "after", "rtol", "atol", "note"}, TENSOR = {"shape", "dtype", "data"}
//
// A value passes when |got - want| <= atol + rtol*|want|.
package golden
