package finetune

import (
	"math/rand/v2"

	"twostage/data"
)

// labelStream is the endless stream of augmented labelled images: the
// labelled set reshuffled at every pass ("cycle"), read L images per step.
// Position p of the stream is image order_c[p mod n] of cycle c = ⌊p/n⌋,
// order_c = data.Permutation(seed, c, n), and its views are drawn from
// data.SampleSeed(seed, c, k, view) for labelled image k: a pure function
// of the global step, so a resumed run reads the same images and views.
type labelStream struct {
	ds     *data.Dataset
	set    []Labelled
	aug    *data.Augment
	seed   uint64
	cycle  int   // the cycle whose order is cached (−1: none)
	order  []int // its permutation of the labelled set
	pcg    *rand.PCG
	rng    *rand.Rand
	labels []int // the last batch's labels, reused
}

func newLabelStream(ds *data.Dataset, set []Labelled, aug *data.Augment, seed uint64) *labelStream {
	pcg := rand.NewPCG(0, 0)
	return &labelStream{ds: ds, set: set, aug: aug, seed: seed, cycle: -1, pcg: pcg, rng: rand.New(pcg)}
}

// batch writes the L labelled images of global step into v1 (and, when v2
// is not nil, a second independent view of each into v2), [L,C,S,S], and
// returns their labels.
func (s *labelStream) batch(step int64, l int, v1, v2 []float32) []int {
	n, ds := int64(len(s.set)), s.ds
	per := ds.C * s.aug.Size * s.aug.Size
	s.labels = s.labels[:0]
	for k := 0; k < l; k++ {
		p := step*int64(l) + int64(k)
		c, j := int(p/n), int(p%n)
		if c != s.cycle {
			s.cycle, s.order = c, data.Permutation(s.seed, c, len(s.set))
		}
		li := s.order[j]
		img := ds.Image(s.set[li].Index)
		s.pcg.Seed(data.SampleSeed(s.seed, c, li, 0))
		s.aug.Apply(v1[k*per:(k+1)*per], img, ds.C, ds.H, ds.W, s.rng)
		if v2 != nil {
			s.pcg.Seed(data.SampleSeed(s.seed, c, li, 1))
			s.aug.Apply(v2[k*per:(k+1)*per], img, ds.C, ds.H, ds.W, s.rng)
		}
		s.labels = append(s.labels, s.set[li].Label)
	}
	return s.labels
}
