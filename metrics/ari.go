package metrics

import "math/big"

// ARI is the adjusted Rand index of two labelings, scikit-learn's
// adjusted_rand_score(target, pred) (Hubert & Arabie, "Comparing
// partitions", J. Classification 2, 1985). From the pair confusion matrix
// over ordered pairs of distinct samples,
//
//	tp = Σ_ij n_ij² - n          (together in both)
//	fp = Σ_i a_i² - Σ_ij n_ij²   (together in pred only; a: cluster sizes)
//	fn = Σ_j b_j² - Σ_ij n_ij²   (together in target only; b: class sizes)
//	tn = n² - tp - fp - fn - n
//
// it is
//
//	ARI = 2·(tp·tn - fn·fp) / ((tp+fn)·(fn+tn) + (tp+fp)·(fp+tn))
//
// and exactly 1 when fn = fp = 0 (identical partitions, including the
// empty and the all-singletons cases). As in scikit-learn the products are
// formed in exact integers (they overflow int64 beyond ~50,000 samples),
// and the numerator and denominator are rounded to float64 before the
// division. ARI is symmetric. Labels must be non-negative and the slices of
// equal length.
func ARI(pred, target []int) float64 {
	table := Contingency(pred, target)
	a, b := marginals(table)
	n := int64(len(pred))
	var sumSq, sumA, sumB int64
	for _, row := range table {
		for _, c := range row {
			sumSq += int64(c) * int64(c)
		}
	}
	for _, v := range a {
		sumA += int64(v) * int64(v)
	}
	for _, v := range b {
		sumB += int64(v) * int64(v)
	}
	tp := sumSq - n
	fp := sumA - sumSq
	fn := sumB - sumSq
	tn := n*n - fp - fn - sumSq
	if fn == 0 && fp == 0 {
		return 1
	}
	I := func(v int64) *big.Int { return big.NewInt(v) }
	mul := func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) }
	add := func(x, y int64) *big.Int { return new(big.Int).Add(I(x), I(y)) }
	num := new(big.Int).Sub(mul(I(tp), I(tn)), mul(I(fn), I(fp)))
	den := new(big.Int).Add(mul(add(tp, fn), add(fn, tn)), mul(add(tp, fp), add(fp, tn)))
	return 2 * toFloat(num) / toFloat(den)
}

// toFloat rounds an integer to the nearest float64, ties to even, as
// Python's int-to-float conversion does.
func toFloat(x *big.Int) float64 {
	f, _ := new(big.Float).SetInt(x).Float64()
	return f
}
