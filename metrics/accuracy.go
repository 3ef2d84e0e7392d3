package metrics

import "math"

// ClusterAccuracy is the unsupervised clustering accuracy
//
//	acc = max_f (1/n) Σ_s [f(pred[s]) = target[s]]
//
// over one-to-one maps f from clusters to classes, found with Hungarian on
// the contingency table (k clusters × classes, k = max(pred)+1). It is the
// reference's cluster_eval accuracy (scipy's linear_sum_assignment on
// n - cm); k may differ from classes, in which case the assignment is
// rectangular and min(k, classes) clusters are mapped.
//
// mapping has length k: mapping[c] is the class given to cluster c, or -1
// for a cluster left unmapped (k > classes). Among several optimal
// mappings one is returned; acc is the same for all of them. With no
// samples acc is NaN (the reference's 0/0). Labels must be non-negative,
// targets below classes and the slices of equal length; a violation
// panics.
func ClusterAccuracy(pred, target []int, classes int) (acc float64, mapping []int) {
	checkLabels(pred, target)
	if maxLabel(target) >= classes {
		panic("metrics: cluster accuracy: target label >= classes")
	}
	k := maxLabel(pred) + 1
	table := contingency(pred, target, k, classes)
	w := make([][]float64, k) // w[c][j] = samples of cluster c in class j
	for c, row := range table {
		w[c] = make([]float64, classes)
		for j, v := range row {
			w[c][j] = float64(v)
		}
	}
	mapping = Hungarian(w)
	hit := 0
	for c, j := range mapping {
		if j >= 0 {
			hit += table[c][j]
		}
	}
	if len(pred) == 0 {
		return math.NaN(), mapping
	}
	return float64(hit) / float64(len(pred)), mapping
}
