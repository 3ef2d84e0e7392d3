// Command report summarises a main-job run from the result lines the
// commands print last: stage 1's (superand), stage 2's (stage2) and the
// raw-pixel k-means baseline's (stage2 --assign kmeans --features pixels).
// It prints a few human-readable lines, then one JSON object as its last
// line of standard output:
//
//	{"acc":…,"nmi":…,"ari":…,"test_acc":…,"test_nmi":…,"test_ari":…,
//	 "kmeans_pixels_test_acc":…,"knn_top1":…,"seconds":…, …}
//
// acc, nmi, ari are stage 2's on its training images, test_* on the test
// split (the lowest-training-loss epoch and head, as the authors' code);
// knn_top1 is stage 1's kNN accuracy of the embedding stage 2 started from.
//
//	go run ./cmd/report --stage1 DIR/stage1.txt --stage2 DIR/stage2.txt --baseline DIR/kmeans_pixels.txt --seconds 812
//
// With --table it writes instead a Markdown table of several runs, one
// directory each (as the main job and scripts/parity.sh leave them), with
// the mean and standard deviation over the runs:
//
//	go run ./cmd/report --table runs/seed1 runs/seed2 runs/seed3
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"twostage/cmd/internal/cli"
)

func main() {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	s1 := fs.String("stage1", "", "file whose last line is superand's result")
	s2 := fs.String("stage2", "", "file whose last line is stage2's result")
	base := fs.String("baseline", "", "file whose last line is the k-means-on-pixels result (optional)")
	secs := fs.Float64("seconds", -1, "wall time of the whole job (optional)")
	table := fs.Bool("table", false, "write a Markdown table of the run directories given as arguments")
	cli.ParseFlags(fs, os.Args[1:])
	if *table {
		if fs.NArg() == 0 {
			cli.Fatal(fmt.Errorf("--table needs run directories as arguments"))
		}
		cli.Check(Table(os.Stdout, fs.Args()))
		return
	}
	if *s1 == "" || *s2 == "" {
		cli.Fatal(fmt.Errorf("--stage1 and --stage2 are required: the files holding each command's output"))
	}
	r1 := cli.Must(cli.LastJSONLine(*s1))
	r2 := cli.Must(cli.LastJSONLine(*s2))
	var rb map[string]any
	if *base != "" {
		rb = cli.Must(cli.LastJSONLine(*base))
	}
	cli.Check(Write(os.Stdout, r1, r2, rb, *secs))
}

// Write prints the summary of the three results (rb may be nil) and the
// final JSON line; seconds < 0 leaves the time out.
func Write(w io.Writer, r1, r2, rb map[string]any, seconds float64) error {
	f := func(v any) string {
		if x, ok := v.(float64); ok {
			return fmt.Sprintf("%.4f", x)
		}
		return "n/a"
	}
	out := map[string]any{"knn_top1": r1["knn_top1"], "best_knn_top1": r1["best_knn_top1"], "epoch": r2["epoch"], "head": r2["head"], "head_by": r2["head_by"],
		"best_head_test_acc": r2["best_head_test_acc"], "mean_heads_test_acc": r2["mean_heads_test_acc"], "kmeans_pixels_test_acc": nil}
	for _, k := range []string{"acc", "nmi", "ari", "test_acc", "test_nmi", "test_ari"} {
		out[k] = r2[k]
	}
	fmt.Fprintf(w, "stage 1: kNN top-1 %s on the test set (best over the run %s)\n", f(r1["knn_top1"]), f(r1["best_knn_top1"]))
	why := "the lowest training loss"
	if r2["head_by"] == "agreement" {
		why = "the most agreement with the other heads"
	}
	fmt.Fprintf(w, "stage 2 (head %v with %s, epoch %v): accuracy %s  NMI %s  ARI %s on the training images\n",
		r2["head"], why, r2["epoch"], f(r2["acc"]), f(r2["nmi"]), f(r2["ari"]))
	fmt.Fprintf(w, "stage 2 on the test set: accuracy %s  NMI %s  ARI %s  (best head %s, mean of the heads %s)\n",
		f(r2["test_acc"]), f(r2["test_nmi"]), f(r2["test_ari"]), f(r2["best_head_test_acc"]), f(r2["mean_heads_test_acc"]))
	if list, ok := r2["restarts"].([]any); ok && len(list) > 0 {
		kept, ags := "?", []string{}
		for i, e := range list {
			m, _ := e.(map[string]any)
			if m["kept"] == true {
				kept = fmt.Sprint(i + 1)
			}
			ags = append(ags, f(m["agreement"]))
		}
		fmt.Fprintf(w, "stage 2 restarts: %d, restart %s kept (agreement of the heads after the trial epochs: %s)\n", len(list), kept, strings.Join(ags, ", "))
	}
	if rb != nil {
		out["kmeans_pixels_test_acc"], out["kmeans_pixels_test_nmi"] = rb["test_acc"], rb["test_nmi"]
		verdict := "above"
		if a, b := r2["test_acc"], rb["test_acc"]; a == nil || b == nil || a.(float64) <= b.(float64) {
			verdict = "NOT above"
		}
		fmt.Fprintf(w, "method %s vs k-means on pixels %s (test accuracy): %s the baseline\n", f(r2["test_acc"]), f(rb["test_acc"]), verdict)
	}
	if seconds >= 0 {
		out["seconds"] = seconds
		fmt.Fprintf(w, "total %d min %d s\n", int(seconds)/60, int(seconds)%60)
	}
	return cli.FinalJSON(w, out)
}
