package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/gonum/stat"

	"twostage/cmd/internal/cli"
)

// row is one line of the table: a label and where its number comes from
// (the result of stage 1, stage 2, the pixel baseline or the job's report).
type row struct {
	label, file, key string
}

var tableRows = []row{
	{"stage 1: best kNN top-1 (test set)", "stage1.txt", "best_knn_top1"},
	{"stage 1: kNN top-1 of the last epoch", "stage1.txt", "knn_top1"},
	{"stage 2: accuracy of the answer head (training images)", "stage2.txt", "acc"},
	{"stage 2: NMI", "stage2.txt", "nmi"},
	{"stage 2: ARI", "stage2.txt", "ari"},
	{"stage 2: best head / mean of the heads (training images)", "stage2.txt", "best_head_acc|mean_heads_acc"},
	{"stage 2: accuracy on the test set", "stage2.txt", "test_acc"},
	{"stage 2: NMI / ARI on the test set", "stage2.txt", "test_nmi|test_ari"},
	{"stage 2: best head / mean of the heads (test set)", "stage2.txt", "best_head_test_acc|mean_heads_test_acc"},
	{"k-means on raw pixels: accuracy on the test set", "kmeans_pixels.txt", "test_acc"},
	{"seconds, whole job", "result.txt", "seconds"},
}

// Table writes a Markdown table of the runs in dirs (one column each, then
// mean ± sample standard deviation), read from the result lines the main
// job keeps in each directory (stage1.txt, stage2.txt, kmeans_pixels.txt,
// result.txt). Rows whose files no run has are left out; a run without a
// value shows "–" and is left out of the mean.
func Table(w io.Writer, dirs []string) error {
	results := make([]map[string]map[string]any, len(dirs)) // run → file → result
	for i, d := range dirs {
		results[i] = map[string]map[string]any{}
		for _, f := range []string{"stage1.txt", "stage2.txt", "kmeans_pixels.txt", "result.txt"} {
			p := filepath.Join(d, f)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			r, err := cli.LastJSONLine(p)
			if err != nil {
				return err
			}
			results[i][f] = r
		}
		if results[i]["stage1.txt"] == nil && results[i]["stage2.txt"] == nil {
			return fmt.Errorf("%s: no stage1.txt or stage2.txt (the saved output of the commands)", d)
		}
	}
	head := []string{"metric"}
	for _, d := range dirs {
		head = append(head, filepath.Base(d))
	}
	head = append(head, fmt.Sprintf("mean ± sd (%d runs)", len(dirs)))
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
	for _, r := range tableRows {
		keys := strings.Split(r.key, "|")
		cells := []string{r.label}
		vals := make([][]float64, len(keys))
		any := false
		for _, res := range results {
			var parts []string
			for k, key := range keys {
				v, ok := res[r.file][key].(float64)
				if !ok {
					parts = append(parts, "–")
					continue
				}
				any = true
				vals[k] = append(vals[k], v)
				parts = append(parts, format(v, key))
			}
			cells = append(cells, strings.Join(parts, " / "))
		}
		if !any {
			continue
		}
		var summary []string
		for k, key := range keys {
			summary = append(summary, meanSD(vals[k], key))
		}
		cells = append(cells, strings.Join(summary, " / "))
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	return nil
}

func format(v float64, key string) string {
	if key == "seconds" {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// meanSD is "mean ± sd" of v (the sample standard deviation), or the one
// value, or "–".
func meanSD(v []float64, key string) string {
	switch len(v) {
	case 0:
		return "–"
	case 1:
		return format(v[0], key)
	}
	m, sd := stat.MeanStdDev(v, nil)
	if math.IsNaN(sd) {
		sd = 0
	}
	return format(m, key) + " ± " + format(sd, key)
}
