package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"twostage/cmd/internal/cli"
	"twostage/data"
	"twostage/nn"
	"twostage/stage2"
)

// evaluateAll scores every head on the training images (test transform,
// as the reference) and the test split, picks the answer head
// (stage2.ChooseHead: by --head_by, the lowest training loss or the most
// agreement with the other heads), writes the outputs for it and returns
// the result object:
// that head's scores (the answer), the best head's and the mean
// over the heads (the authors' README reports both), and "epoch", the
// epochs trained when the evaluated weights were saved.
func evaluateAll(cfg stage2.Config, tr *stage2.Trainer) (map[string]any, *stage2.Eval, *stage2.Eval) {
	trainEv, testEv := tr.Evaluate(tr.Train), tr.Evaluate(tr.Test)
	agree := stage2.Agreements(trainEv.Preds)
	head := stage2.ChooseHead(cfg.HeadBy, tr.LastHeadLoss, agree)
	heads := []map[string]any{}
	var trainAcc, testAcc []float64
	for h, s := range trainEv.Scores {
		e := map[string]any{"acc": num(s.Acc), "nmi": num(s.NMI), "ari": num(s.ARI), "test_acc": num(testEv.Scores[h].Acc),
			"agreement": num(agree[h])}
		if tr.LastHeadLoss != nil {
			e["loss"] = num(tr.LastHeadLoss[h])
		}
		heads = append(heads, e)
		trainAcc, testAcc = append(trainAcc, s.Acc), append(testAcc, testEv.Scores[h].Acc)
	}
	s := trainEv.Scores[head]
	if err := writeOutputs(cfg, tr, head, trainEv, testEv); err != nil {
		fmt.Fprintf(os.Stderr, "warning: outputs: %v\n", err)
	}
	if err := writePictures(cfg, tr, head, trainEv); err != nil {
		fmt.Fprintf(os.Stderr, "warning: pictures: %v\n", err)
	}
	t := testEv.Scores[head]
	return map[string]any{"stage": 2, "dataset": cfg.Dataset, "epoch": tr.Epoch, "head": head, "head_by": cfg.HeadBy,
		"acc": num(s.Acc), "nmi": num(s.NMI), "ari": num(s.ARI),
		"test_acc": num(t.Acc), "test_nmi": num(t.NMI), "test_ari": num(t.ARI),
		"best_head_acc": num(maxOf(trainAcc)), "mean_heads_acc": num(meanOf(trainAcc)),
		"best_head_test_acc": num(maxOf(testAcc)), "mean_heads_test_acc": num(meanOf(testAcc)),
		"heads": heads, "cluster_sizes": clusterSizes(trainEv.Preds[head], tr.Classes),
	}, trainEv, testEv
}

// maxOf is the largest of v, NaN ignored (NaN when v is empty or all NaN).
func maxOf(v []float64) float64 {
	m := math.NaN()
	for _, x := range v {
		if math.IsNaN(m) || x > m {
			m = x
		}
	}
	return m
}

// meanOf is the mean of v (NaN when any is NaN: scores without labels).
func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// summary is the part of a result object that the "last" key repeats.
func summary(res map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"epoch", "head", "acc", "nmi", "ari", "test_acc", "test_nmi", "test_ari",
		"best_head_acc", "mean_heads_acc", "best_head_test_acc", "mean_heads_test_acc"} {
		out[k] = res[k]
	}
	return out
}

// writeOutputs writes the chosen head's predictions (CSV, train and test),
// its confusion matrix (PNG) and the embeddings (safetensors).
func writeOutputs(cfg stage2.Config, tr *stage2.Trainer, head int, trainEv, testEv *stage2.Eval) error {
	dir := cfg.ModelDir
	for _, x := range []struct {
		name string
		ev   *stage2.Eval
	}{{"train", trainEv}, {"test", testEv}} {
		s := x.ev.Scores[head]
		if err := stage2.WritePredictions(filepath.Join(dir, "predictions_"+x.name+".csv"), x.ev.Preds[head], s.Mapping, x.ev.Labels); err != nil {
			return err
		}
	}
	s := trainEv.Scores[head]
	if s.Mapping != nil {
		m := stage2.Confusion(trainEv.Preds[head], s.Mapping, trainEv.Labels, stage2.LabelClasses(tr.Train))
		names := tr.Train.Classes
		cols := make([]string, len(names))
		for i, n := range names {
			cols[i] = "→" + n
		}
		if err := cli.PlotConfusion(filepath.Join(dir, "confusion.png"), m, names, cols,
			fmt.Sprintf("head %d: true class (rows) vs mapped cluster (columns), acc %.3f", head, s.Acc)); err != nil {
			return err
		}
	}
	ck := nn.NewCheckpoint("embeddings")
	for _, x := range []struct {
		name string
		ev   *stage2.Eval
	}{{"train", trainEv}, {"test", testEv}} {
		ck.PutFloats(x.name+".embeddings", x.ev.Embeddings)
		t := ck.Tensors[x.name+".embeddings"]
		t.Shape = []int{len(x.ev.Embeddings) / cfg.LowDim, cfg.LowDim}
		ck.Tensors[x.name+".embeddings"] = t
		ck.PutInts(x.name+".labels", toInt64(x.ev.Labels))
		ck.PutInts(x.name+".clusters", toInt64(x.ev.Preds[head]))
	}
	ck.Meta["head"] = fmt.Sprint(head)
	return ck.Save(filepath.Join(dir, "embeddings.safetensors"))
}

func toInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// kmeansBaseline clusters each split with k-means (k-means++ seeds,
// --kmeans_restarts restarts, one cluster per class) and scores it: on the
// stage-1 embeddings with --features embedding (the paper's sequential
// baseline; tr holds the encoder), or on the raw pixels with --features
// pixels (tr may be nil), the baseline a method must beat to be worth its
// training. Each split is clustered on its own, as the method's heads are
// scored on each.
func kmeansBaseline(cfg stage2.Config, train, test *data.Dataset, tr *stage2.Trainer) map[string]any {
	res := map[string]any{"stage": 2, "assign": "kmeans", "features": cfg.Features, "dataset": cfg.Dataset}
	name := "predictions_kmeans"
	if cfg.Features == "pixels" {
		name += "_pixels"
	}
	for _, sp := range []struct {
		ds     *data.Dataset
		prefix string
		file   string
	}{{train, "", name + ".csv"}, {test, "test_", name + "_test.csv"}} {
		d := sp.ds.ImageSize()
		feats := stage2.PixelFeatures(sp.ds)
		if cfg.Features == "embedding" {
			d, feats = cfg.LowDim, tr.Evaluate(sp.ds).Embeddings
		}
		pred := stage2.KMeansAssign(feats, sp.ds.N, d, clusterCount(cfg, train), cfg.KMeansRuns, cfg.Seed)
		s := stage2.Score(pred, sp.ds.Labels, stage2.LabelClasses(sp.ds))
		res[sp.prefix+"acc"], res[sp.prefix+"nmi"], res[sp.prefix+"ari"] = num(s.Acc), num(s.NMI), num(s.ARI)
		if err := stage2.WritePredictions(filepath.Join(cfg.ModelDir, sp.file), pred, s.Mapping, sp.ds.Labels); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
	}
	fmt.Fprintf(os.Stderr, "k-means on the %s (%d restarts): accuracy %.4f on the training images, %.4f on the test images\n",
		map[string]string{"pixels": "raw pixels", "embedding": "stage-1 embedding"}[cfg.Features], cfg.KMeansRuns, res["acc"], res["test_acc"])
	return res
}

// num is x for the result object, or nil (JSON null) where x is NaN or
// infinite: scores of images without labels are NaN, and JSON has no NaN,
// so FinalJSON would refuse the whole result.
func num(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}
