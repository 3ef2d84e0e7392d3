package metrics

import "math"

// Hungarian solves the linear assignment problem: for an n×m weight matrix
// (weights[i][j] is the gain of giving column j to row i) it returns
// assign, of length n, such that each column is used at most once and
//
//	Σ_i weights[i][assign[i]]
//
// is maximal over all such matchings. When n ≤ m every row gets a column;
// when n > m exactly m rows do and the others get -1. Ties between optimal
// matchings are broken in an unspecified but deterministic way.
//
// The algorithm is Kuhn's Hungarian method (H. W. Kuhn, "The Hungarian
// method for the assignment problem", Naval Research Logistics Quarterly 2,
// 1955; J. Munkres, "Algorithms for the assignment and transportation
// problems", J. SIAM 5, 1957) in the shortest-augmenting-path form with dual
// potentials u, v of R. Jonker and A. Volgenant ("A shortest augmenting path
// algorithm for dense and sparse linear assignment problems", Computing 38,
// 1987): rows are added one at a time and each is matched by a Dijkstra-like
// search over reduced costs c[i][j] - u[i] - v[j] ≥ 0, which costs O(n·m)
// per row and O(n²·m) in all (O(n³) for square matrices).
//
// Every row must have the same length and every weight must be finite; a
// violation is a caller bug and panics.
func Hungarian(weights [][]float64) []int {
	n := len(weights)
	if n == 0 {
		return []int{}
	}
	m := len(weights[0])
	for _, row := range weights {
		if len(row) != m {
			panic("metrics: hungarian: rows of different lengths")
		}
		for _, w := range row {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				panic("metrics: hungarian: non-finite weight")
			}
		}
	}
	assign := make([]int, n)
	if n <= m {
		// Minimise the cost -w, rows on the short side.
		colOf := minCostAssign(n, m, func(i, j int) float64 { return -weights[i][j] })
		copy(assign, colOf)
		return assign
	}
	// More rows than columns: solve the transposed problem, in which every
	// column of weights is matched to a distinct row, and invert it.
	rowOf := minCostAssign(m, n, func(i, j int) float64 { return -weights[j][i] })
	for i := range assign {
		assign[i] = -1
	}
	for j, i := range rowOf {
		assign[i] = j
	}
	return assign
}

// minCostAssign matches each of n rows to a distinct one of m ≥ n columns,
// minimising Σ cost(i, col[i]), and returns col. It is the
// Jonker–Volgenant shortest augmenting path method over 1-based arrays in
// which column 0 is a virtual column holding the row being inserted:
//
//	u[i], v[j]  dual potentials; reduced cost cost(i,j) - u[i] - v[j] ≥ 0
//	p[j]        row matched to column j (0: free)
//	way[j]      previous column on the shortest path to j
//	minv[j]     shortest reduced path length to column j found so far
func minCostAssign(n, m int, cost func(i, j int) float64) []int {
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1)
	way := make([]int, m+1)
	minv := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		// Insert row i at the virtual column 0 and grow a shortest-path
		// tree over columns until it reaches a free column.
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			delta, j1 := math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := cost(i0-1, j-1) - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			if j1 == 0 { // unreachable with m ≥ n and finite costs
				panic("metrics: hungarian: no augmenting path")
			}
			// Shift the potentials by delta: reduced costs stay ≥ 0 and
			// the edge to j1 becomes tight.
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		// Augment: flip the matching along the path back to column 0.
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	col := make([]int, n)
	for j := 1; j <= m; j++ {
		if p[j] != 0 {
			col[p[j]-1] = j - 1
		}
	}
	return col
}
