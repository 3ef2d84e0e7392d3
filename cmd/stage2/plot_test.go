package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// TestPlotOwnRecords (issue 14): with stage 1 and stage 2 sharing
// --model_dir, metrics.jsonl holds stage 1's epochs (loss 18 → 11) before
// stage 2's, and an earlier stage-2 run's before the latest; stage2.png
// shows only the latest stage-2 run, at epochs 1…4, and leaves out the
// accuracies logged as -1 (not evaluated) rather than drawing them.
func TestPlotOwnRecords(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for e := range 10 { // stage 1, as cmd/superand logs it
		fmt.Fprintf(&b, `{"stage":1,"round":0,"epoch":%d,"loss":%g,"knn":-1,"best_knn":0}`+"\n", e, 18-0.7*float64(e))
	}
	for e := range 2 { // an earlier stage-2 run
		fmt.Fprintf(&b, `{"stage":2,"epoch":%d,"loss":9,"acc":0.9,"test_acc":0.9}`+"\n", e)
	}
	for e := range 4 { // the latest: evaluated at the last epoch only
		acc := -1.0
		if e == 3 {
			acc = 0.45
		}
		fmt.Fprintf(&b, `{"stage":2,"epoch":%d,"loss":%g,"acc":%g,"test_acc":%g}`+"\n", e, 3-0.5*float64(e), acc, acc)
	}
	jsonl := filepath.Join(dir, "metrics.jsonl")
	if err := os.WriteFile(jsonl, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := readRows(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	series := plotSeries(rows)
	if len(series) != 3 {
		t.Fatalf("%d series, want loss, train acc, test acc", len(series))
	}
	want := map[string][2]string{ // x, y
		"loss":                  {"[1 2 3 4]", "[3 2.5 2 1.5]"},
		"train acc (best head)": {"[4]", "[0.45]"}, // epochs 1-3 were not evaluated
		"test acc":              {"[4]", "[0.45]"},
	}
	for _, s := range series {
		if got := [2]string{fmt.Sprint(s.X), fmt.Sprint(s.Y)}; got != want[s.Name] {
			t.Errorf("%s: x, y %v, want %v", s.Name, got, want[s.Name])
		}
	}
	if err := plot(dir, jsonl); err != nil {
		t.Fatal(err)
	}
	cmdtest.IsPNG(t, filepath.Join(dir, "stage2.png"))
}
