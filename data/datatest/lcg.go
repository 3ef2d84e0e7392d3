package datatest

import "twostage/data"

// LCGImages is the image set of scripts/torch_fixtures.py (lcg_images): n
// CIFAR-sized 3×32×32 images, image i of class i mod 10. Pixel p of image i
// (CHW order, channel c = p/1024) is (s >> 25) + (37i + 11c + 53·class) mod
// 128, with s advancing as s ← 1664525·s + 1013904223 (mod 2³²) from
// s = seed·7919 + i: noise over a colour cast that differs between images.
// The normalisation constants are CIFAR-10's, as the authors' code uses.
func LCGImages(n int, seed uint32) *data.Dataset {
	const size = 3 * 32 * 32
	ds := &data.Dataset{Name: "lcg", N: n, C: 3, H: 32, W: 32, Pixels: make([]uint8, n*size), Labels: make([]int, n),
		Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		Mean:    []float32{0.4914, 0.4822, 0.4465}, Std: []float32{0.2023, 0.1994, 0.2010}}
	for i := 0; i < n; i++ {
		label := i % 10
		ds.Labels[i] = label
		s := seed*7919 + uint32(i)
		for p := 0; p < size; p++ {
			s = 1664525*s + 1013904223
			ds.Pixels[i*size+p] = uint8(s>>25) + uint8((37*i+11*(p/1024)+53*label)%128)
		}
	}
	return ds
}
