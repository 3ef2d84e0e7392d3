package data

import (
	"math/bits"
	"math/rand/v2"
)

// The loader's random streams. Every draw of this package is built from
// rand.Rand.Uint64 of a PCG source (whose output is fixed by its definition),
// not from Float64/IntN/Perm, whose algorithms Go does not promise to keep:
// a checkpoint resumed with a newer Go still sees the same crops and order.
//
//	shuffle of epoch e:            PCG(mix(seed), mix(e) ^ shuffleTag)
//	view v of sample i in epoch e: PCG(mix(seed ^ mix(e)), mix(i<<1 | v))

// shuffleTag separates the shuffle stream from the sample streams.
const shuffleTag = 0x5bd1e9955bd1e995

// mix is SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection of
// uint64 that spreads nearby inputs (epochs 0, 1, 2...) over the whole range.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// SampleSeed returns the PCG seed of view (0 or 1) of sample index in epoch:
// a pure function of (seed, epoch, index, view).
func SampleSeed(seed uint64, epoch, index, view int) (hi, lo uint64) {
	return mix(seed ^ mix(uint64(epoch))), mix(uint64(index)<<1 | uint64(view&1))
}

// Permutation returns the order of n samples in epoch: a Fisher–Yates
// shuffle driven by a PCG stream that depends only on (seed, epoch).
func Permutation(seed uint64, epoch, n int) []int {
	rng := rand.New(rand.NewPCG(mix(seed), mix(uint64(epoch))^shuffleTag))
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := intN(rng, i+1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// uniform returns a float64 in [lo, hi) from the top 53 bits of one draw.
func uniform(rng *rand.Rand, lo, hi float64) float64 {
	u := float64(rng.Uint64()>>11) * (1.0 / (1 << 53))
	return lo + (hi-lo)*u
}

// intN returns an int in [0, n), n > 0, without bias (Lemire's
// multiply-and-reject, "Fast random integer generation in an interval", 2019).
func intN(rng *rand.Rand, n int) int {
	if n <= 0 {
		panic("data: intN: n <= 0")
	}
	un := uint64(n)
	hi, lo := bits.Mul64(rng.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(rng.Uint64(), un)
		}
	}
	return int(hi)
}
