package metrics

// Contingency returns the contingency table of two labelings of the same n
// samples:
//
//	table[i][j] = #{s : pred[s] = i and target[s] = j}
//
// with max(pred)+1 rows and max(target)+1 columns (labels absent from a
// labeling give zero rows or columns). This is the reference's
// cluster_eval matrix cm[pred, target]. Labels must be non-negative and the
// slices of equal length; a violation panics.
func Contingency(pred, target []int) [][]int {
	checkLabels(pred, target)
	return contingency(pred, target, maxLabel(pred)+1, maxLabel(target)+1)
}

// contingency builds the rows×cols table of Contingency; labels must lie
// in [0, rows) and [0, cols).
func contingency(pred, target []int, rows, cols int) [][]int {
	flat := make([]int, rows*cols) // one allocation, rows sliced from it
	table := make([][]int, rows)
	for i := range table {
		table[i] = flat[i*cols : (i+1)*cols : (i+1)*cols]
	}
	for s, p := range pred {
		t := target[s]
		if p >= rows || t >= cols {
			panic("metrics: contingency: label out of range")
		}
		table[p][t]++
	}
	return table
}

// marginals returns the row sums a[i] = Σ_j table[i][j] and the column sums
// b[j] = Σ_i table[i][j] of a contingency table.
func marginals(table [][]int) (a, b []int) {
	a = make([]int, len(table))
	if len(table) > 0 {
		b = make([]int, len(table[0]))
	}
	for i, row := range table {
		for j, c := range row {
			a[i] += c
			b[j] += c
		}
	}
	return a, b
}

// nonZero counts the non-zero entries of a marginal: the number of distinct
// labels that actually occur (numpy.unique's count in scikit-learn).
func nonZero(x []int) int {
	k := 0
	for _, v := range x {
		if v != 0 {
			k++
		}
	}
	return k
}

// checkLabels panics unless pred and target have the same length and hold
// only non-negative labels.
func checkLabels(pred, target []int) {
	if len(pred) != len(target) {
		panic("metrics: pred and target lengths differ")
	}
	for s := range pred {
		if pred[s] < 0 || target[s] < 0 {
			panic("metrics: negative label")
		}
	}
}

// maxLabel is the largest label of l, or -1 for an empty labeling.
func maxLabel(l []int) int {
	m := -1
	for _, v := range l {
		m = max(m, v)
	}
	return m
}
