package stage2

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"twostage/autograd"
	"twostage/data"
	"twostage/metrics"
	"twostage/tensor"
)

// Scores are the clustering metrics of one assignment.
type Scores struct {
	Acc, NMI, ARI float64 // NaN when the images have no labels
	Mapping       []int   // cluster → class of the Hungarian match
}

// Eval is the evaluation of every head on one data set.
type Eval struct {
	Embeddings []float32 // [N, LowDim], evaluation mode, test transform
	Preds      [][]int   // per head: the cluster of each image (argmax of v·Ŵ_h)
	Scores     []Scores  // per head
	Labels     []int     // the data set's labels (-1 unknown)
}

// Evaluate embeds ds with the test transform (the model in evaluation mode,
// as the reference) and scores every head's clusters against the labels.
func (t *Trainer) Evaluate(ds *data.Dataset) *Eval {
	size := min(t.Train.H, t.Train.W)
	ev := &Eval{Preds: make([][]int, len(t.Heads.W)), Labels: ds.Labels}
	ev.Embeddings = make([]float32, 0, ds.N*t.Cfg.LowDim)
	for b := range data.EvalBatches(ds, 100, size) {
		ev.Embeddings = append(ev.Embeddings, t.Model.Embed(t.BE, b.View1, b.N, size)...)
	}
	autograd.NoGrad(func() {
		v := autograd.Const(tensor.FromFloat32(t.BE, tensor.Shape{ds.N, t.Cfg.LowDim}, ev.Embeddings))
		for h := range t.Heads.W {
			idx := autograd.Argmax(t.Heads.Logits(v, h).Val).Int64s()
			p := make([]int, len(idx))
			for i, c := range idx {
				p[i] = int(c)
			}
			ev.Preds[h] = p
		}
	})
	for _, p := range ev.Preds {
		ev.Scores = append(ev.Scores, Score(p, ds.Labels, LabelClasses(ds)))
	}
	return ev
}

// LabelClasses is the number of classes the labels of ds index: its class
// names, or more if a label lies beyond them. The clusters (--clusters) may
// be more or fewer; Score then maps min(clusters, classes) of them.
func LabelClasses(ds *data.Dataset) int {
	n := len(ds.Classes)
	for _, l := range ds.Labels {
		n = max(n, l+1)
	}
	return n
}

// Score computes Hungarian accuracy, NMI and ARI of pred over the images
// with known labels (all NaN when there are none).
func Score(pred, labels []int, classes int) Scores {
	var p, l []int
	for i, y := range labels {
		if y >= 0 {
			p = append(p, pred[i])
			l = append(l, y)
		}
	}
	if len(l) == 0 {
		return Scores{Acc: math.NaN(), NMI: math.NaN(), ARI: math.NaN()}
	}
	acc, mapping := metrics.ClusterAccuracy(p, l, classes)
	return Scores{Acc: acc, NMI: metrics.NMI(p, l), ARI: metrics.ARI(p, l), Mapping: mapping}
}

// KMeansAssign clusters embeddings [n, d] into k groups (k-means++ and
// restarts), the paper's sequential baseline.
func KMeansAssign(emb []float32, n, d, k, restarts int, seed uint64) []int {
	labels, _, _ := metrics.KMeans(emb, n, d, k, restarts, 300, rand.New(rand.NewPCG(seed, 0x6b6d)))
	return labels
}

// PixelFeatures returns the raw pixels of ds as features [N, C·H·W] in
// [0, 1], the input of the k-means-on-pixels baseline.
func PixelFeatures(ds *data.Dataset) []float32 {
	out := make([]float32, len(ds.Pixels))
	for i, p := range ds.Pixels {
		out[i] = float32(p) / 255
	}
	return out
}

// WritePredictions writes one CSV row per image: index, cluster, mapped
// class (the Hungarian match, -1 if none), true label (-1 unknown), with a
// header line. Written atomically.
func WritePredictions(path string, pred, mapping, labels []int) error {
	var b bytes.Buffer
	b.WriteString("index,cluster,mapped_class,label\n")
	for i, c := range pred {
		m := -1
		if c >= 0 && c < len(mapping) {
			m = mapping[c]
		}
		b.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(c) + "," + strconv.Itoa(m) + "," + strconv.Itoa(labels[i]) + "\n")
	}
	return writeAtomic(path, b.Bytes())
}

// Confusion counts images per (true class, mapped cluster): rows are the
// classes, columns the clusters in the order of the classes they map to.
func Confusion(pred, mapping, labels []int, classes int) [][]int {
	m := make([][]int, classes)
	for i := range m {
		m[i] = make([]int, classes)
	}
	for i, c := range pred {
		y := labels[i]
		if y < 0 || c < 0 || c >= len(mapping) || mapping[c] < 0 {
			continue
		}
		m[y][mapping[c]]++
	}
	return m
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it over path.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("stage2: %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("stage2: %s: %w", path, err)
	}
	return nil
}
