package cli

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// PCA2 projects the n points emb [n, d] (row-major) on their first two
// principal components (gonum's stat.PC, an SVD of the centred data):
// x[i], y[i] are point i's coordinates, and explained the fraction of the
// total variance along each component. Fewer than 2 points or 2 dimensions,
// or points with no variance, are errors.
func PCA2(emb []float32, n, d int) (x, y []float64, explained [2]float64, err error) {
	if n < 2 || d < 2 || len(emb) < n*d {
		return nil, nil, explained, fmt.Errorf("pca: %d points of %d dimensions (%d values): need at least 2 of 2", n, d, len(emb))
	}
	a := mat.NewDense(n, d, nil)
	mean := make([]float64, d)
	for i := range n {
		for j := range d {
			v := float64(emb[i*d+j])
			a.Set(i, j, v)
			mean[j] += v / float64(n)
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(a, nil) {
		return nil, nil, explained, fmt.Errorf("pca: the decomposition of %d×%d embeddings failed", n, d)
	}
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	if !(total > 0) {
		return nil, nil, explained, fmt.Errorf("pca: the %d embeddings are all the same point", n)
	}
	explained = [2]float64{vars[0] / total, vars[1] / total}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	x, y = make([]float64, n), make([]float64, n)
	for i := range n {
		for j := range d {
			c := a.At(i, j) - mean[j]
			x[i] += c * vecs.At(j, 0)
			y[i] += c * vecs.At(j, 1)
		}
	}
	return x, y, explained, nil
}
