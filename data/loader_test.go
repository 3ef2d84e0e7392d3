package data_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"twostage/data"
)

// collect runs one epoch and keeps clones of its batches.
func collect(l *data.Loader, epoch int) []*data.Batch {
	var out []*data.Batch
	for b := range l.Epoch(epoch) {
		out = append(out, b.Clone())
	}
	return out
}

func sameBatches(t *testing.T, what string, a, b []*data.Batch) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d batches vs %d", what, len(a), len(b))
	}
	for i := range a {
		if a[i].N != b[i].N || !slices.Equal(a[i].Index, b[i].Index) || !slices.Equal(a[i].Labels, b[i].Labels) {
			t.Fatalf("%s: batch %d: indexes %v vs %v", what, i, a[i].Index, b[i].Index)
		}
		for _, v := range [][2][]float32{{a[i].View1, b[i].View1}, {a[i].View2, b[i].View2}} {
			if len(v[0]) != len(v[1]) {
				t.Fatalf("%s: batch %d: view lengths %d vs %d", what, i, len(v[0]), len(v[1]))
			}
			for k := range v[0] {
				if math.Float32bits(v[0][k]) != math.Float32bits(v[1][k]) {
					t.Fatalf("%s: batch %d: views differ at %d", what, i, k)
				}
			}
		}
	}
}

func trainConfig(ds *data.Dataset, workers int) data.LoaderConfig {
	return data.LoaderConfig{BatchSize: 5, Workers: workers, Prefetch: 2, Seed: 42, TwoViews: true,
		Shuffle: true, DropLast: true, Aug: data.DefaultAugment(ds)}
}

// TestLoaderDeterminism: the same seed gives bit-identical batches for any
// worker count, and a fresh loader asked for epoch 3 (a resumed run) sees
// what an uninterrupted one saw.
func TestLoaderDeterminism(t *testing.T) {
	ds := randomDataset(rand.New(rand.NewPCG(1, 1)), 37, 3, 12, 12)
	base := data.NewLoader(ds, trainConfig(ds, 0))
	var ref [4][]*data.Batch
	for e := range 4 {
		ref[e] = collect(base, e)
	}
	for _, w := range []int{1, 2, 3, 8} {
		l := data.NewLoader(ds, trainConfig(ds, w))
		for e := range 4 {
			sameBatches(t, "workers", ref[e], collect(l, e))
		}
	}
	resumed := data.NewLoader(ds, trainConfig(ds, 3))
	sameBatches(t, "resumed at epoch 3", ref[3], collect(resumed, 3))
	// The epoch changes the order and the views; the seed too.
	if slices.Equal(ref[0][0].Index, ref[1][0].Index) {
		t.Errorf("epochs 0 and 1 start with the same batch %v", ref[0][0].Index)
	}
	cfg := trainConfig(ds, 0)
	cfg.Seed = 43
	if other := collect(data.NewLoader(ds, cfg), 0); slices.Equal(other[0].Index, ref[0][0].Index) {
		t.Errorf("seeds 42 and 43 give the same first batch %v", other[0].Index)
	}
}

// TestLoaderContent: every epoch is a permutation (minus the dropped tail),
// labels follow indexes, and each view is Augment.Apply with the documented
// stream SampleSeed(seed, epoch, index, view).
func TestLoaderContent(t *testing.T) {
	ds := randomDataset(rand.New(rand.NewPCG(2, 2)), 23, 1, 10, 10)
	cfg := trainConfig(ds, 2)
	cfg.Aug.Size = 8
	l := data.NewLoader(ds, cfg)
	if l.Batches() != 4 {
		t.Fatalf("23 images, batch 5, drop last: %d batches, want 4", l.Batches())
	}
	per := 8 * 8
	seen := map[int]bool{}
	want := make([]float32, per)
	pcg := rand.NewPCG(0, 0)
	for b := range l.Epoch(5) {
		if b.N != 5 || len(b.View1) != 5*per || len(b.View2) != 5*per {
			t.Fatalf("batch of %d, views %d/%d", b.N, len(b.View1), len(b.View2))
		}
		for k, idx := range b.Index {
			if seen[idx] {
				t.Fatalf("index %d twice in one epoch", idx)
			}
			seen[idx] = true
			if b.Labels[k] != ds.Labels[idx] {
				t.Fatalf("label %d for index %d, want %d", b.Labels[k], idx, ds.Labels[idx])
			}
			for v, view := range [][]float32{b.View1, b.View2} {
				pcg.Seed(data.SampleSeed(42, 5, idx, v))
				cfg.Aug.Apply(want, ds.Image(idx), 1, 10, 10, rand.New(pcg))
				check(t, "loader view", view[k*per:(k+1)*per], ref64(want))
			}
		}
	}
	if len(seen) != 20 {
		t.Fatalf("%d distinct images in an epoch, want 20", len(seen))
	}
	// Without DropLast the short tail comes last; without Shuffle the order is 0..N-1.
	cfg.DropLast, cfg.Shuffle = false, false
	l = data.NewLoader(ds, cfg)
	bs := collect(l, 0)
	if len(bs) != 5 || l.Batches() != 5 || bs[4].N != 3 || !slices.Equal(bs[4].Index, []int{20, 21, 22}) {
		t.Fatalf("no drop-last: %d batches, last %v", len(bs), bs[len(bs)-1].Index)
	}
}

func TestPermutation(t *testing.T) {
	p := data.Permutation(7, 3, 1000)
	q := slices.Clone(p)
	slices.Sort(q)
	for i, v := range q {
		if v != i {
			t.Fatalf("not a permutation: sorted[%d] = %d", i, v)
		}
	}
	if !slices.Equal(p, data.Permutation(7, 3, 1000)) {
		t.Fatal("Permutation is not a function of (seed, epoch)")
	}
	if slices.Equal(p, data.Permutation(7, 4, 1000)) || slices.Equal(p, data.Permutation(8, 3, 1000)) {
		t.Fatal("Permutation ignores the epoch or the seed")
	}
	// Position of element 0 over many epochs: roughly uniform (a chi-square-free check: every
	// tenth of the range is hit).
	var hits [10]int
	for e := range 500 {
		hits[slices.Index(data.Permutation(1, e, 100), 0)/10]++
	}
	for i, h := range hits {
		if h < 20 || h > 85 { // mean 50, sd ~6.7
			t.Errorf("element 0 lands in tenth %d %d times of 500", i, h)
		}
	}
}

// TestLoaderStopsEarly: breaking out of an epoch, or panicking inside it,
// leaves no goroutine behind.
func TestLoaderStopsEarly(t *testing.T) {
	ds := randomDataset(rand.New(rand.NewPCG(3, 3)), 200, 3, 16, 16)
	l := data.NewLoader(ds, trainConfig(ds, 4))
	before := runtime.NumGoroutine()
	for range 20 {
		for range l.Epoch(0) {
			break
		}
	}
	func() {
		defer func() { _ = recover() }()
		for range l.Epoch(1) {
			panic("consumer failed")
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after stopping early, %d before", n, before)
	}
	// The loader still works after an early stop.
	if n := len(collect(l, 2)); n != l.Batches() {
		t.Fatalf("%d batches after early stops, want %d", n, l.Batches())
	}
}

func TestEvalBatches(t *testing.T) {
	ds := randomDataset(rand.New(rand.NewPCG(4, 4)), 11, 3, 6, 6)
	per := 3 * 6 * 6
	want := make([]float32, per)
	next := 0
	for b := range data.EvalBatches(ds, 4, 0) {
		if b.View2 != nil {
			t.Fatal("EvalBatches made a second view")
		}
		for k, idx := range b.Index {
			if idx != next {
				t.Fatalf("index %d, want %d (in order)", idx, next)
			}
			data.TestTransform(want, ds.Image(idx), 3, 6, 6, 6, ds.Mean, ds.Std)
			check(t, "eval view", b.View1[k*per:(k+1)*per], ref64(want))
			next++
		}
	}
	if next != 11 {
		t.Fatalf("EvalBatches gave %d images, want 11", next)
	}
	// A resize on the way: the views have the requested size.
	for b := range data.EvalBatches(ds, 4, 4) {
		if len(b.View1) != b.N*3*4*4 {
			t.Fatalf("size 4: view length %d for %d images", len(b.View1), b.N)
		}
	}
}

func TestSubsetAndCounts(t *testing.T) {
	ds := randomDataset(rand.New(rand.NewPCG(5, 5)), 30, 1, 4, 4)
	s := ds.Subset(12)
	if s.N != 12 || len(s.Labels) != 12 || len(s.Pixels) != 12*16 || &s.Pixels[0] != &ds.Pixels[0] {
		t.Fatalf("Subset(12): N %d, %d labels, %d pixels", s.N, len(s.Labels), len(s.Pixels))
	}
	if ds.Subset(99).N != 30 || ds.Subset(-1).N != 0 {
		t.Fatal("Subset does not clamp")
	}
	c := s.ClassCounts()
	if len(c) != 10 || c[0] != 2 || c[2] != 1 {
		t.Fatalf("ClassCounts of labels i%%10, i<12: %v", c)
	}
}

// TestBatchPair: Pair lays view 1 then view 2 of the first N samples out
// contiguously and reuses the buffer it is given.
func TestBatchPair(t *testing.T) {
	b := &data.Batch{N: 2, View1: []float32{1, 2, 3, 4, 99, 99}, View2: []float32{5, 6, 7, 8, 99, 99}}
	got := b.Pair(nil, 2)
	want := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	again := b.Pair(got, 2)
	if &again[0] != &got[0] {
		t.Error("Pair did not reuse a buffer of sufficient capacity")
	}
}
