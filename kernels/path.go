package kernels

import "twostage/kernels/sgemm"

// The SIMD path of a CPU: what its kernels and families run (the table of
// what each path needs and runs is in kernels/sgemm/path.go).

// path is the SIMD path c runs on (resolved: go, avx2 or avx512).
func (c *CPU) path() sgemm.Path {
	if c.NoSIMD {
		return sgemm.Go
	}
	return c.Path.Resolve()
}

// RunPath returns the SIMD path c's kernels run on.
func (c *CPU) RunPath() sgemm.Path { return c.path() }

// simd reports whether c runs the AVX2 loops (the avx2 and avx512 paths).
func (c *CPU) simd() bool { return c.path() >= sgemm.AVX2 }
