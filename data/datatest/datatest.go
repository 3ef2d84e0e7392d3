// Package datatest makes small synthetic data sets for the tests of the
// packages that train on data (superand, stage2). Only _test.go files
// import it.
package datatest

import (
	"math/rand/v2"

	"twostage/data"
)

// Bands is a grey data set of n 28×28 images in 3 classes: noise in
// [0,60) plus, for class c, a bright band (+150) over column third c and
// rows 7..21. The classes are separable, so training has signal; image i
// has class i mod 3, and the noise is a pure function of seed.
func Bands(n int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 9))
	ds := &data.Dataset{Name: "tiny", N: n, C: 1, H: 28, W: 28, Pixels: make([]uint8, n*28*28),
		Labels: make([]int, n), Classes: []string{"a", "b", "c"}, Mean: []float32{0.3}, Std: []float32{0.3}}
	for i := 0; i < n; i++ {
		c := i % 3
		ds.Labels[i] = c
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				v := rng.IntN(60)
				if (x/10 == c) && y > 6 && y < 22 {
					v += 150
				}
				ds.Pixels[i*784+y*28+x] = uint8(v)
			}
		}
	}
	return ds
}
