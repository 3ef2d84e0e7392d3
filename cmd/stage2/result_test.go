package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// checkHeadSummary: best_head_acc is the largest head accuracy and
// mean_heads_acc their mean, on both splits, and the chosen head's accuracy
// lies between them and the best.
func checkHeadSummary(t *testing.T, res map[string]any) {
	t.Helper()
	heads := res["heads"].([]any)
	for _, split := range []struct{ key, best, mean string }{
		{"acc", "best_head_acc", "mean_heads_acc"}, {"test_acc", "best_head_test_acc", "mean_heads_test_acc"},
	} {
		mx, sum := -1.0, 0.0
		for _, h := range heads {
			a := h.(map[string]any)[split.key].(float64)
			mx, sum = max(mx, a), sum+a
		}
		if res[split.best] != mx {
			t.Errorf("%s %v, the heads' largest %s is %v", split.best, res[split.best], split.key, mx)
		}
		if m, ok := res[split.mean].(float64); !ok || m < sum/float64(len(heads))-1e-12 || m > sum/float64(len(heads))+1e-12 {
			t.Errorf("%s %v, the heads' mean %s is %v", split.mean, res[split.mean], split.key, sum/float64(len(heads)))
		}
		if a := res[split.key].(float64); a > mx {
			t.Errorf("%s %v above the best head's %v", split.key, a, mx)
		}
	}
}

// TestResultIsLowestLoss: the result is the evaluation of the checkpoint
// with the lowest training loss (the authors' "Final best accuracy"), the
// last epoch's is under "last", and both carry their epoch. When the
// lowest-loss checkpoint is an earlier epoch's, the command evaluates it
// and reports its numbers, not the last epoch's.
func TestResultIsLowestLoss(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--epochs", "1")...)
	cmdtest.MustSucceed(t, r)
	one := cmdtest.LastJSON(t, r, append(resultKeys, "epoch", "last", "best_head_acc", "mean_heads_acc")...)
	checkResult(t, one, true)
	checkHeadSummary(t, one)
	if one["epoch"] != 1.0 || one["last"].(map[string]any)["epoch"] != 1.0 || one["last"].(map[string]any)["acc"] != one["acc"] {
		t.Fatalf("one epoch: epoch %v, last %v", one["epoch"], one["last"])
	}
	best := filepath.Join(dir, "stage2_best.safetensors")
	kept := filepath.Join(t.TempDir(), "epoch1.safetensors")
	copyFile(t, best, kept)

	r = cmdtest.Run(t, bin, "--resume", filepath.Join(dir, "stage2.safetensors"), "--epochs", "2")
	cmdtest.MustSucceed(t, r)
	two := cmdtest.LastJSON(t, r, "epoch", "last")
	last := two["last"].(map[string]any)
	if last["epoch"] != 2.0 {
		t.Fatalf("after two epochs: last %v", last)
	}
	if !strings.Contains(r.Stderr, "stage 2 epoch 2/2") || !strings.Contains(r.Stderr, "best head") {
		t.Errorf("the epoch line does not show the heads' summary:\n%s", r.Stderr)
	}

	// Make epoch 1's checkpoint the lowest-loss one: the finished run then
	// reports epoch 1's evaluation, with epoch 2's under "last".
	copyFile(t, kept, best)
	r = cmdtest.Run(t, bin, "--resume", filepath.Join(dir, "stage2.safetensors"), "--epochs", "2")
	cmdtest.MustSucceed(t, r)
	got := cmdtest.LastJSON(t, r, resultKeys...)
	if got["epoch"] != 1.0 || got["acc"] != one["acc"] || got["test_acc"] != one["test_acc"] || got["head"] != one["head"] {
		t.Errorf("result epoch %v acc %v test_acc %v head %v, want epoch 1's %v %v %v", got["epoch"], got["acc"], got["test_acc"], got["head"],
			one["acc"], one["test_acc"], one["head"])
	}
	if l := got["last"].(map[string]any); l["epoch"] != 2.0 || l["acc"] != last["acc"] || l["test_acc"] != last["test_acc"] {
		t.Errorf("last %v, want epoch 2's %v", l, last)
	}
	if !strings.Contains(r.Stderr, "was epoch 1's") {
		t.Errorf("stderr does not say which epoch is the result:\n%s", r.Stderr)
	}
}

// TestNotEvaluatedLine: an epoch without evaluation says so instead of
// printing NaN scores.
func TestNotEvaluatedLine(t *testing.T) {
	r := cmdtest.Run(t, bin, tiny(t.TempDir(), "--epochs", "2", "--eval_every", "2")...)
	cmdtest.MustSucceed(t, r)
	if !strings.Contains(r.Stderr, "not evaluated this epoch") || strings.Contains(r.Stderr, "NaN") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHeadBy: --head_by loss answers with the head of the lowest training
// loss, --head_by agreement with the head whose clusters agree most with the
// others' (the first on ties); the training is the same, so both runs list
// the same heads, and the result's scores are the chosen head's.
func TestHeadBy(t *testing.T) {
	res := map[string]map[string]any{}
	for _, by := range []string{"loss", "agreement"} {
		r := cmdtest.Run(t, bin, tiny(t.TempDir(), "--epochs", "1", "--seed", "3", "--head_by", by)...)
		cmdtest.MustSucceed(t, r)
		got := cmdtest.LastJSON(t, r, append(resultKeys, "head_by")...)
		checkResult(t, got, true)
		if got["head_by"] != by {
			t.Errorf("head_by %v, want %s", got["head_by"], by)
		}
		key, sign := "loss", 1.0
		if by == "agreement" {
			key, sign = "agreement", -1
		}
		heads := got["heads"].([]any)
		want := 0
		for h, e := range heads {
			v, ok := e.(map[string]any)[key].(float64)
			if !ok {
				t.Fatalf("head %d has no %s: %v", h, key, e)
			}
			if sign*v < sign*heads[want].(map[string]any)[key].(float64) {
				want = h
			}
		}
		if got["head"] != float64(want) {
			t.Errorf("by %s: head %v, want %d (heads %v)", by, got["head"], want, heads)
		}
		h := heads[want].(map[string]any)
		if got["acc"] != h["acc"] || got["test_acc"] != h["test_acc"] {
			t.Errorf("by %s: acc %v test_acc %v, head %d's %v %v", by, got["acc"], got["test_acc"], want, h["acc"], h["test_acc"])
		}
		res[by] = got
	}
	for h, e := range res["loss"]["heads"].([]any) {
		a, b := e.(map[string]any), res["agreement"]["heads"].([]any)[h].(map[string]any)
		if a["loss"] != b["loss"] || a["acc"] != b["acc"] || a["agreement"] != b["agreement"] {
			t.Errorf("head %d: %v by loss, %v by agreement: the training differs", h, a, b)
		}
	}
}
