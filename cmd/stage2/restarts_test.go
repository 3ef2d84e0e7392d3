package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/stage2"
)

// TestRestarts: --restarts 3 --restart_epochs 1 runs each restart one
// epoch (restarts.jsonl), keeps the one with the highest agreement (or, with
// --restart_by loss, the lowest trial loss) and finishes it; the kept run is
// a single run with its seed bit for bit (result, metrics.jsonl and
// checkpoint), and the result lists every restart.
func TestRestarts(t *testing.T) {
	for _, by := range []string{"agreement", "loss"} {
		t.Run(by, func(t *testing.T) { testRestarts(t, by) })
	}
}

func testRestarts(t *testing.T, by string) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--epochs", "2", "--restarts", "3", "--restart_epochs", "1", "--seed", "5", "--restart_by", by)...)
	cmdtest.MustSucceed(t, r)
	got := cmdtest.LastJSON(t, r, append(resultKeys, "restarts")...)
	checkResult(t, got, true)
	list, ok := got["restarts"].([]any)
	if !ok || len(list) != 3 {
		t.Fatalf("restarts %v, want 3 entries", got["restarts"])
	}
	kept, best := -1, math.Inf(-1)
	score := func(m map[string]any) float64 { // higher is better
		if by == "loss" {
			return -m["trial_loss"].(float64)
		}
		return m["agreement"].(float64)
	}
	for i, e := range list {
		m := e.(map[string]any)
		if m["seed"] != float64(stage2.RestartSeed(5, i)) {
			t.Errorf("restart %d: seed %v, want %d", i, m["seed"], stage2.RestartSeed(5, i))
		}
		if a, ok := m["agreement"].(float64); !ok || a < 0 || a > 1+1e-9 {
			t.Errorf("restart %d: agreement %v", i, m["agreement"])
		}
		if m["kept"] == true {
			if kept >= 0 {
				t.Errorf("restarts %d and %d both kept", kept, i)
			}
			kept = i
		}
		best = math.Max(best, score(m))
	}
	if kept < 0 || score(list[kept].(map[string]any)) != best {
		t.Fatalf("kept restart %d is not the best by %s (%v): %v", kept, by, best, list)
	}
	if !strings.Contains(r.Stderr, fmt.Sprintf("restart %d of 3 kept by %s", kept+1, by)) || !strings.Contains(r.Stderr, "stage 2 restart 3/3 epoch 1/1") {
		t.Errorf("stderr does not show the restarts:\n%s", r.Stderr)
	}
	trials := cmdtest.ReadJSONL(t, filepath.Join(dir, "restarts.jsonl"))
	if len(trials) != 3 || trials[2]["restart"] != 2.0 || trials[2]["epoch"] != 0.0 {
		t.Errorf("restarts.jsonl: %v, want one epoch-0 row per restart", trials)
	}
	rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))
	if len(rows) != 2 || rows[0]["loss"] != trials[kept]["loss"] {
		t.Errorf("metrics.jsonl %v: want the kept restart's two epochs", rows)
	}

	single := t.TempDir()
	r = cmdtest.Run(t, bin, tiny(single, "--epochs", "2", "--seed", fmt.Sprint(stage2.RestartSeed(5, kept)))...)
	cmdtest.MustSucceed(t, r)
	want := cmdtest.LastJSON(t, r, resultKeys...)
	for _, k := range []string{"acc", "test_acc", "head", "nmi"} {
		if got[k] != want[k] {
			t.Errorf("%s: %v with restarts, %v from a single run with the kept seed", k, got[k], want[k])
		}
	}
	if w := cmdtest.ReadJSONL(t, filepath.Join(single, "metrics.jsonl")); len(w) != 2 || w[1]["loss"] != rows[1]["loss"] {
		t.Errorf("metrics.jsonl: %v, single run %v", rows, w)
	}
	cmdtest.SameTensors(t, filepath.Join(single, "stage2.safetensors"), filepath.Join(dir, "stage2.safetensors"))
}
