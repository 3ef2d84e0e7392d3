package metrics

import "math"

// NMI is the normalized mutual information of two labelings with the
// arithmetic normalisation, scikit-learn's default
// normalized_mutual_info_score(target, pred):
//
//	NMI = I(P;T) / ((H(P) + H(T)) / 2)
//	I(P;T) = Σ_ij (n_ij/n) · log(n·n_ij / (a_i·b_j))     (natural log)
//	H(P)   = -Σ_i (a_i/n) · log(a_i/n),   H(T) likewise with b_j
//
// where n_ij is the contingency table, a_i its row (cluster) sums and b_j
// its column (class) sums. The special cases are scikit-learn's (1.2+):
//
//   - both labelings constant, or both empty: 1 (a perfect match);
//   - otherwise, if I = 0 (in particular when exactly one labeling is
//     constant): 0;
//
// and, as there, each term of I smaller in magnitude than float64's
// machine epsilon is dropped and I is clipped at 0. NMI is symmetric.
// Labels must be non-negative and the slices of equal length.
func NMI(pred, target []int) float64 {
	table := Contingency(pred, target)
	a, b := marginals(table)
	if nc, nk := nonZero(a), nonZero(b); nc == nk && nc <= 1 {
		return 1
	}
	mi := mutualInfo(table, a, b)
	if mi == 0 {
		return 0
	}
	return mi / ((entropy(b) + entropy(a)) / 2)
}

// mutualInfo is scikit-learn's mutual_info_score on a contingency table
// with marginals a (rows) and b (columns): I = Σ over non-zero n_ij of
//
//	(n_ij/n)·(log n_ij - log n) + (n_ij/n)·(log(Σa) + log(Σb) - log(a_i·b_j))
//
// the same grouping of logarithms as scikit-learn, for the same rounding.
// A labeling with a single occurring label gives 0.
func mutualInfo(table [][]int, a, b []int) float64 {
	if nonZero(a) == 1 || nonZero(b) == 1 {
		return 0
	}
	n := 0
	for _, v := range a {
		n += v
	}
	logN := math.Log(float64(n)) // Σa = Σb = n
	mi := 0.0
	for i, row := range table {
		for j, c := range row {
			if c == 0 {
				continue
			}
			p := float64(c) / float64(n)
			logOuter := -math.Log(float64(a[i]*b[j])) + logN + logN
			t := p*(math.Log(float64(c))-logN) + p*logOuter
			if math.Abs(t) < epsilon64 {
				t = 0
			}
			mi += t
		}
	}
	return max(mi, 0)
}

// entropy is scikit-learn's entropy of a labeling given its label counts:
// -Σ (c/n)·(log c - log n) over the non-zero counts, 0 for a single label
// and 1 for an empty labeling.
func entropy(counts []int) float64 {
	n, k := 0, 0
	for _, c := range counts {
		if c > 0 {
			n += c
			k++
		}
	}
	switch {
	case n == 0:
		return 1
	case k == 1:
		return 0
	}
	logN := math.Log(float64(n))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			h -= float64(c) / float64(n) * (math.Log(float64(c)) - logN)
		}
	}
	return h
}

// epsilon64 is numpy's finfo(float64).eps, 2⁻⁵².
const epsilon64 = 0x1p-52
