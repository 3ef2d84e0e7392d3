package sgemm

import (
	"fmt"
	"testing"
)

// BenchmarkMicroKernel times the block micro-kernel of each SIMD path on
// one goroutine over an mpan×npan grid of tiles from packed panels already
// in cache (k = 288, the conv shapes' usual k block), beta 1: the ceiling
// that Sgemm reaches before packing and the driver's loops. Its GFLOP/s
// over one thread's FMAPeak is the kernel's own efficiency. The grids: one
// tile; an A block of mc rows against 4, 32 and 64 B panels (B past L2 at
// 64 on Zen 5), C rows 64·npan bytes apart (4 KiB at 64, every row of a
// tile in one L1 set) or padded by 16 floats.
func BenchmarkMicroKernel(b *testing.B) {
	const k = 288
	for _, p := range []Path{AVX2, AVX512} {
		if p > hardware || p > best() {
			continue
		}
		mr := tileRows(p)
		for _, grid := range [][3]int{{1, 1, 0}, {9, 4, 0}, {9, 32, 0}, {9, 64, 0}, {9, 64, 16}} {
			mpan, npan, pad := grid[0], grid[1], grid[2]
			a := make([]float32, mpan*mr*k)
			bp := make([]float32, npan*nr*k)
			for i := range a {
				a[i] = float32(i%7) * 0.01
			}
			for i := range bp {
				bp[i] = float32(i%5) * 0.01
			}
			ldc := npan*nr + pad
			c := make([]float32, mpan*mr*ldc)
			b.Run(fmt.Sprintf("path=%v/tiles=%dx%d/ldc=%d", p, mpan, npan, ldc), func(b *testing.B) {
				for b.Loop() {
					if p == AVX512 {
						kernelBlockAVX512(k, &a[0], &bp[0], &c[0], ldc, 1, 1, mpan, npan)
					} else {
						kernelBlockAVX2(k, &a[0], &bp[0], &c[0], ldc, 1, 1, mpan, npan)
					}
				}
				flops := 2 * float64(mpan*mr) * float64(npan*nr) * k
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
