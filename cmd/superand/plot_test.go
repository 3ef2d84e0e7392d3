package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// TestPlotOwnRecords (issue 14): superand.png draws only stage 1's rows of
// a shared metrics.jsonl, only the latest run's (a new run starts at round
// 0, epoch 0 again), over the rounds, and leaves out a kNN logged as -1.
func TestPlotOwnRecords(t *testing.T) {
	var rows []epochLog
	rows = append(rows, epochLog{Stage: 1, Round: 0, Epoch: 0, Loss: 99, KNN: 0.9}) // an earlier run
	for r := range 2 {
		for e := range 2 {
			knn := -1.0
			if e == 1 {
				knn = 0.5 + 0.1*float64(r)
			}
			rows = append(rows, epochLog{Stage: 1, Round: r, Epoch: e, Loss: float64(10 - 2*r - e), KNN: knn})
		}
	}
	rows = append(rows, epochLog{Stage: 2, Epoch: 0, Loss: 3, KNN: 0}) // stage 2's row decodes with knn 0
	s := plotSeries(rows)
	if len(s) != 2 {
		t.Fatalf("%d series, want loss and kNN", len(s))
	}
	for _, c := range []struct {
		got  []float64
		want string
	}{
		{s[0].X, "[1 2 3 4]"}, {s[0].Y, "[10 9 8 7]"},
		{s[1].X, "[2 4]"}, {s[1].Y, "[0.5 0.6]"}, // evaluated at the end of each round only
	} {
		if fmt.Sprint(c.got) != c.want {
			t.Errorf("got %v, want %s", c.got, c.want)
		}
	}
}

// TestNoLabels: stage 1 on images without labels (a flat folder) trains,
// says once that the kNN evaluation is skipped, and logs no kNN.
func TestNoLabels(t *testing.T) {
	flat := t.TempDir()
	for _, c := range cmdtest.Classes {
		for i := range 4 {
			b, err := os.ReadFile(filepath.Join(data, "train", c, fmt.Sprintf("%03d.png", i)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(flat, fmt.Sprintf("%s%d.png", c, i)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	args := append(tiny(dir, "--epochs", "1"), "--data_dir", flat)
	r := cmdtest.Run(t, bin, args...)
	cmdtest.MustSucceed(t, r)
	if n := strings.Count(r.Stderr, "the kNN evaluation is skipped"); n != 1 {
		t.Errorf("the skip message appears %d times, want once:\n%s", n, r.Stderr)
	}
	rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))
	if len(rows) != 1 || rows[0]["knn"] != -1.0 {
		t.Errorf("metrics.jsonl %v, want one epoch with knn -1", rows)
	}
	cmdtest.IsPNG(t, filepath.Join(dir, "superand.png"))
}
