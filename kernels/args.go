package kernels

import "twostage/tensor"

// Argument checks shared by the CPU methods. Each panics with a constant
// "kernels: <op>: ..." text: a bad argument is a bug in the caller, never
// user input (STYLE.md §2.8), and the kernels that follow cannot fail.

// f32Arg returns the host slice of a float32 CPU tensor.
func f32Arg(op, name string, t *tensor.Tensor) []float32 {
	if t == nil {
		panic("kernels: " + op + ": " + name + " is nil")
	}
	s, ok := t.Storage().(*cpuStorage)
	if !ok || t.DType() != tensor.Float32 {
		panic("kernels: " + op + ": " + name + " must be a float32 CPU tensor")
	}
	return s.f
}

// i64Arg returns the host slice of an int64 CPU tensor.
func i64Arg(op, name string, t *tensor.Tensor) []int64 {
	if t == nil {
		panic("kernels: " + op + ": " + name + " is nil")
	}
	s, ok := t.Storage().(*cpuStorage)
	if !ok || t.DType() != tensor.Int64 {
		panic("kernels: " + op + ": " + name + " must be an int64 CPU tensor")
	}
	return s.i
}

// needLen panics unless len(x) == n.
func needLen(op, name string, x []float32, n int) {
	if len(x) != n {
		panic("kernels: " + op + ": " + name + " has the wrong number of elements")
	}
}

// needMatrix returns the rows and columns of a 2-D tensor.
func needMatrix(op, name string, t *tensor.Tensor) (rows, cols int) {
	if t.Rank() != 2 {
		panic("kernels: " + op + ": " + name + " must be 2-D")
	}
	return t.Dim(0), t.Dim(1)
}

// needDimShape panics when s has a negative size or does not cover n
// elements.
func needDimShape(op string, s tensor.DimShape, n int) {
	if s.Outer < 0 || s.D < 0 || s.Inner < 0 || s.Outer*s.D*s.Inner != n {
		panic("kernels: " + op + ": DimShape does not match the tensor size")
	}
}

// needIndexes panics unless every index lies in [0, n): indexes are checked
// before a kernel writes anything, so a bad one leaves the output untouched.
func needIndexes(op string, idx []int64, n int) {
	for _, v := range idx {
		if v < 0 || v >= int64(n) {
			panic("kernels: " + op + ": index out of range")
		}
	}
}

// rowChunk is the fewest rows of `cols` elements worth one goroutine: about
// ewMinChunk elements.
func rowChunk(cols int) int {
	if cols <= 0 {
		return ewMinChunk
	}
	return max(1, ewMinChunk/cols)
}
