package data

import (
	"iter"
	"math/rand/v2"
	"sync"
)

// Batch is one batch of the loader. View1 and View2 are [N, C, S, S]
// float32, normalised (View2 is nil unless the loader makes two views);
// Labels[k] and Index[k] are the label and the data set index of sample k.
//
// A batch and its slices belong to the loader: they are valid inside the
// loop body that received them and are reused afterwards. Clone keeps one.
type Batch struct {
	View1, View2 []float32
	Labels       []int
	Index        []int
	N            int
}

// Clone returns a copy of b that the loader will not reuse.
func (b *Batch) Clone() *Batch {
	c := &Batch{N: b.N, Labels: append([]int(nil), b.Labels...), Index: append([]int(nil), b.Index...)}
	c.View1 = append([]float32(nil), b.View1...)
	if b.View2 != nil {
		c.View2 = append([]float32(nil), b.View2...)
	}
	return c
}

// LoaderConfig configures a Loader.
type LoaderConfig struct {
	BatchSize int // samples per batch (> 0)
	// Workers is the number of goroutines preparing batches; 0 prepares them
	// in the consuming goroutine. Results do not depend on it.
	Workers int
	// Prefetch is how many finished batches may wait for the consumer beyond
	// the ones being prepared (used when Workers > 0).
	Prefetch int
	Seed     uint64 // the shuffle and every augmentation derive from it
	TwoViews bool   // fill View2 with a second, independent view
	Shuffle  bool   // a new order each epoch (a pure function of Seed and the epoch)
	DropLast bool   // skip the last batch when it would be short
	// Aug is the training transform; nil uses TestTransform at Size with
	// the data set's Mean and Std.
	Aug *Augment
	// Size is the output side of TestTransform when Aug is nil; 0 means
	// min(H, W) of the data set.
	Size int
}

// Loader turns a data set into batches. Sample k of batch b of epoch e is
// data set image perm[b*BatchSize+k], perm = Permutation(Seed, e, N) (or
// 0..N-1 without Shuffle), and its views are Aug.Apply with the random
// streams SampleSeed(Seed, e, index, view): a pure function of (Seed, e), so
// the same for any Workers and when a run is resumed at epoch e.
type Loader struct {
	ds   *Dataset
	cfg  LoaderConfig
	size int // output side
	pool sync.Pool
}

// NewLoader returns a loader of ds. It panics on a BatchSize <= 0 or an
// Augment whose Mean/Std do not have one value per channel (bugs).
func NewLoader(ds *Dataset, cfg LoaderConfig) *Loader {
	if cfg.BatchSize <= 0 {
		panic("data: NewLoader: BatchSize must be positive")
	}
	cfg.Workers = max(cfg.Workers, 0)
	cfg.Prefetch = max(cfg.Prefetch, 0)
	l := &Loader{ds: ds, cfg: cfg}
	switch {
	case cfg.Aug != nil:
		l.size = cfg.Aug.Size
		if len(cfg.Aug.Mean) != ds.C || len(cfg.Aug.Std) != ds.C {
			panic("data: NewLoader: Augment Mean/Std length differs from the channel count")
		}
	case cfg.Size > 0:
		l.size = cfg.Size
	default:
		l.size = min(ds.H, ds.W)
	}
	if l.size <= 0 {
		panic("data: NewLoader: output size must be positive")
	}
	return l
}

// Batches is the number of batches of one epoch.
func (l *Loader) Batches() int {
	n, b := l.ds.N, l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Size is the side of the images the loader produces.
func (l *Loader) Size() int { return l.size }

// Augment is the training transform the loader applies (nil: the test
// transform).
func (l *Loader) Augment() *Augment { return l.cfg.Aug }

// Epoch returns the batches of epoch in order. Breaking out of the loop
// stops the workers and waits for them: nothing is left running.
//
//	for b := range loader.Epoch(e) { ... b.View1, b.View2, b.Index ... }
func (l *Loader) Epoch(epoch int) iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		nb := l.Batches()
		if nb == 0 {
			return
		}
		var order []int
		if l.cfg.Shuffle {
			order = Permutation(l.cfg.Seed, epoch, l.ds.N)
		}
		if l.cfg.Workers == 0 {
			st := newSampleState()
			for b := 0; b < nb; b++ {
				bt := l.get()
				l.fill(bt, b, epoch, order, st)
				ok := yield(bt)
				l.pool.Put(bt)
				if !ok {
					return
				}
			}
			return
		}
		l.parallel(epoch, nb, order, yield)
	}
}

// parallel runs the workers. At most depth = Workers+Prefetch batches are
// handed out and not yet consumed (tokens), so batch b and b+depth never
// share a slot of the ring of result channels.
func (l *Loader) parallel(epoch, nb int, order []int, yield func(*Batch) bool) {
	depth := l.cfg.Workers + max(l.cfg.Prefetch, 1)
	tokens := make(chan struct{}, depth)
	for range depth {
		tokens <- struct{}{}
	}
	jobs := make(chan int)
	ring := make([]chan *Batch, depth)
	for i := range ring {
		ring[i] = make(chan *Batch, 1)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // producer: hand out batch numbers as tokens free up
		defer wg.Done()
		defer close(jobs)
		for b := 0; b < nb; b++ {
			select {
			case <-tokens:
			case <-stop:
				return
			}
			select {
			case jobs <- b:
			case <-stop:
				return
			}
		}
	}()
	for range l.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newSampleState()
			for b := range jobs {
				bt := l.get()
				l.fill(bt, b, epoch, order, st)
				ring[b%depth] <- bt // never blocks: the slot's previous batch was consumed
			}
		}()
	}
	defer func() { // also on a panic in the loop body
		close(stop)
		wg.Wait()
	}()
	for b := 0; b < nb; b++ {
		bt := <-ring[b%depth]
		ok := yield(bt)
		l.pool.Put(bt)
		if !ok {
			return
		}
		tokens <- struct{}{}
	}
}

// get returns a batch with buffers for BatchSize samples.
func (l *Loader) get() *Batch {
	if b, ok := l.pool.Get().(*Batch); ok {
		return b
	}
	bs, n := l.cfg.BatchSize, l.ds.C*l.size*l.size
	b := &Batch{View1: make([]float32, bs*n), Labels: make([]int, bs), Index: make([]int, bs)}
	if l.cfg.TwoViews {
		b.View2 = make([]float32, bs*n)
	}
	return b
}

// sampleState is one goroutine's reusable random source.
type sampleState struct {
	pcg *rand.PCG
	rng *rand.Rand
}

func newSampleState() *sampleState {
	pcg := rand.NewPCG(0, 0)
	return &sampleState{pcg: pcg, rng: rand.New(pcg)}
}

// fill computes batch number b of epoch into bt.
func (l *Loader) fill(bt *Batch, b, epoch int, order []int, st *sampleState) {
	ds, bs := l.ds, l.cfg.BatchSize
	lo, hi := b*bs, min((b+1)*bs, ds.N)
	n := hi - lo
	per := ds.C * l.size * l.size
	full := cap(bt.Labels)
	bt.N = n
	bt.Labels, bt.Index = bt.Labels[:n:full], bt.Index[:n:full]
	bt.View1 = bt.View1[: n*per : full*per]
	if bt.View2 != nil {
		bt.View2 = bt.View2[: n*per : full*per]
	}
	for k := 0; k < n; k++ {
		idx := lo + k
		if order != nil {
			idx = order[idx]
		}
		bt.Index[k], bt.Labels[k] = idx, ds.Labels[idx]
		img := ds.Image(idx)
		l.view(bt.View1[k*per:(k+1)*per], img, epoch, idx, 0, st)
		if l.cfg.TwoViews {
			l.view(bt.View2[k*per:(k+1)*per], img, epoch, idx, 1, st)
		}
	}
}

// view writes one view of one image.
func (l *Loader) view(dst []float32, img []uint8, epoch, idx, v int, st *sampleState) {
	ds := l.ds
	if l.cfg.Aug == nil {
		TestTransform(dst, img, ds.C, ds.H, ds.W, l.size, ds.Mean, ds.Std)
		return
	}
	st.pcg.Seed(SampleSeed(l.cfg.Seed, epoch, idx, v))
	l.cfg.Aug.Apply(dst, img, ds.C, ds.H, ds.W, st.rng)
}

// EvalBatches returns ds in order, batch images at a time (the last batch
// may be short), each image through TestTransform at size (0: min(H, W))
// with ds's Mean and Std, in View1. One worker prepares the next batches
// while the caller uses the current one.
func EvalBatches(ds *Dataset, batch, size int) iter.Seq[*Batch] {
	return NewLoader(ds, LoaderConfig{BatchSize: batch, Workers: 1, Prefetch: 2, Size: size}).Epoch(0)
}

// Pair returns the batch's two views one after the other, [2N, C, S, S]
// (view 1 of every sample, then view 2), the layout the trainers feed the
// encoder; per is C·S·S. It reuses buf when it is large enough, so a caller
// that keeps the result between batches allocates once.
func (b *Batch) Pair(buf []float32, per int) []float32 {
	n := b.N * per
	buf = append(buf[:0], b.View1[:n]...)
	return append(buf, b.View2[:n]...)
}
