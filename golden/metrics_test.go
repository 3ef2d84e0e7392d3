package golden_test

import (
	"fmt"

	"twostage/golden"
	"twostage/metrics"
)

// The evaluation fixtures (reference gen.py, gen_eval): the weighted kNN
// monitor and the clustering metrics of stage 2, recomputed with package
// metrics.
func init() {
	register("knn", checkKNN)
	register("cluster_metrics", checkClusterMetrics)
}

// checkKNN: inputs train_features [N,D], train_labels [N], test_features
// [M,D], test_labels [M]; attrs K, sigma, classes; outputs pred [M] (exact)
// and accuracy (scalar).
func checkKNN(c *golden.Case) error {
	k, err := c.Int("K")
	if err != nil {
		return err
	}
	sigma, err := c.Float("sigma")
	if err != nil {
		return err
	}
	classes, err := c.Int("classes")
	if err != nil {
		return err
	}
	train, err := metricsInput(c, "train_features", "float32", 2)
	if err != nil {
		return err
	}
	test, err := metricsInput(c, "test_features", "float32", 2)
	if err != nil {
		return err
	}
	trainLabels, err := metricsLabels(c, "train_labels")
	if err != nil {
		return err
	}
	testLabels, err := metricsLabels(c, "test_labels")
	if err != nil {
		return err
	}
	d := train.Shape[1]
	if test.Shape[1] != d || len(trainLabels) != train.Shape[0] || len(testLabels) != test.Shape[0] {
		return fmt.Errorf("inputs: shapes %v %v with %d and %d labels do not agree",
			train.Shape, test.Shape, len(trainLabels), len(testLabels))
	}
	pred := metrics.KNN(train.F32, trainLabels, test.F32, d, k, sigma, classes)
	if err := c.CheckI64("outputs", "pred", metricsI64(pred)); err != nil {
		return err
	}
	acc := metrics.KNNAccuracy(train.F32, trainLabels, test.F32, testLabels, d, k, sigma, classes)
	return c.CheckF32("outputs", "accuracy", []float32{float32(acc)})
}

// checkClusterMetrics: inputs pred, target [n]; attrs classes; outputs
// accuracy (Hungarian), nmi and ari (scalars).
func checkClusterMetrics(c *golden.Case) error {
	classes, err := c.Int("classes")
	if err != nil {
		return err
	}
	pred, err := metricsLabels(c, "pred")
	if err != nil {
		return err
	}
	target, err := metricsLabels(c, "target")
	if err != nil {
		return err
	}
	if len(pred) != len(target) {
		return fmt.Errorf("inputs: %d predictions for %d targets", len(pred), len(target))
	}
	acc, _ := metrics.ClusterAccuracy(pred, target, classes)
	for _, o := range []struct {
		name string
		v    float64
	}{{"accuracy", acc}, {"nmi", metrics.NMI(pred, target)}, {"ari", metrics.ARI(pred, target)}} {
		if err := c.CheckF32("outputs", o.name, []float32{float32(o.v)}); err != nil {
			return err
		}
	}
	return nil
}

// metricsInput returns inputs.name, checking its dtype and rank.
func metricsInput(c *golden.Case, name, dtype string, rank int) (golden.Tensor, error) {
	t, err := c.Want("inputs", name)
	if err != nil {
		return t, err
	}
	if t.DType != dtype || len(t.Shape) != rank {
		return t, fmt.Errorf("inputs.%s: %s of shape %v, want %s of rank %d", name, t.DType, t.Shape, dtype, rank)
	}
	return t, nil
}

// metricsLabels returns the int64 vector inputs.name as []int.
func metricsLabels(c *golden.Case, name string) ([]int, error) {
	t, err := metricsInput(c, name, "int64", 1)
	if err != nil {
		return nil, err
	}
	l := make([]int, len(t.I64))
	for i, v := range t.I64 {
		if v < 0 {
			return nil, fmt.Errorf("inputs.%s[%d]: negative label %d", name, i, v)
		}
		l[i] = int(v)
	}
	return l, nil
}

func metricsI64(x []int) []int64 {
	out := make([]int64, len(x))
	for i, v := range x {
		out[i] = int64(v)
	}
	return out
}
