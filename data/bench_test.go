package data_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"twostage/data"
)

// benchImages returns 32×32 RGB images to benchmark with: the first 1,000
// CIFAR-10 test images when ../shared is present (the images the peer
// script scripts/bench_data_peer.sh times torchvision on), seeded noise
// otherwise.
func benchImages(b *testing.B) *data.Dataset {
	dir := filepath.Join(sharedDir(), "data", "cifar10")
	if _, err := os.Stat(filepath.Join(dir, "test_batch.bin")); err == nil {
		ds, err := data.Load("cifar10", dir, "test")
		if err != nil {
			b.Fatal(err)
		}
		return ds.Subset(1000)
	}
	b.Logf("no %s: benchmarking on seeded noise images", dir)
	return randomDataset(rand.New(rand.NewPCG(1, 1)), 1000, 3, 32, 32)
}

// BenchmarkTrainPipeline times the training transform on one core: two
// augmented 32×32 views (RandomResizedCrop, ColorJitter, RandomGrayscale,
// flip, Normalize) per image, reported as pairs/s.
func BenchmarkTrainPipeline(b *testing.B) {
	ds := benchImages(b)
	aug := data.DefaultAugment(ds)
	n := ds.C * aug.Size * aug.Size
	v1, v2 := make([]float32, n), make([]float32, n)
	pcg := rand.NewPCG(0, 0)
	rng := rand.New(pcg)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		idx := i % ds.N
		img := ds.Image(idx)
		pcg.Seed(data.SampleSeed(1, 0, idx, 0))
		aug.Apply(v1, img, ds.C, ds.H, ds.W, rng)
		pcg.Seed(data.SampleSeed(1, 0, idx, 1))
		aug.Apply(v2, img, ds.C, ds.H, ds.W, rng)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkLoader times whole epochs of 128-pair batches with one worker per
// core, reported as pairs/s over all cores.
func BenchmarkLoader(b *testing.B) {
	ds := benchImages(b)
	w := runtime.GOMAXPROCS(0)
	l := data.NewLoader(ds, data.LoaderConfig{BatchSize: 128, Workers: w, Prefetch: 2, Seed: 1,
		TwoViews: true, Shuffle: true, DropLast: true, Aug: data.DefaultAugment(ds)})
	pairs, e := 0, 0
	for b.Loop() {
		for bt := range l.Epoch(e) {
			pairs += bt.N
		}
		e++
	}
	b.ReportMetric(float64(pairs)/b.Elapsed().Seconds(), "pairs/s")
	b.ReportMetric(float64(w), "workers")
}
