package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/nn"
)

// bin is the command built once by TestMain; blobs the data set
// (cmdtest.WriteBlobs: 16 training and 4 test images per class, 28×28) and
// stage1 a stage-1 checkpoint of a width-2, 8-d encoder trained one epoch
// on it, made in-process with superand.
var bin, blobs, stage1 string

func TestMain(m *testing.M) { cmdtest.Main(m, "stage2-test-", setup) }

func setup(dir string) (err error) {
	if bin, err = cmdtest.Build(dir, "stage2"); err != nil {
		return err
	}
	blobs, stage1, err = cmdtest.BlobsAndStage1(dir)
	return err
}

// tiny are the flags of a stage-2 run from the stage-1 checkpoint that takes
// about a second: width and embedding size come from the checkpoint, 6
// batches of 8 per epoch.
func tiny(modelDir string, more ...string) []string {
	return append([]string{"--resume", stage1, "--data_dir", blobs, "--batch_size", "8", "--model_dir", modelDir}, more...)
}

// resultKeys are the keys of stage 2's last stdout line (the issue).
var resultKeys = []string{"stage", "dataset", "head", "acc", "nmi", "ari", "test_acc", "heads", "seconds"}

// checkResult checks the documented shape of the result: five heads, each
// with an accuracy (and a loss when withLoss), scores within their ranges.
func checkResult(t *testing.T, res map[string]any, withLoss bool) {
	t.Helper()
	if res["stage"] != 2.0 || res["dataset"] != "folder" {
		t.Errorf("result %v", res)
	}
	heads, ok := res["heads"].([]any)
	if !ok || len(heads) != 5 {
		t.Fatalf("heads %v, want 5 entries", res["heads"])
	}
	for i, h := range heads {
		m := h.(map[string]any)
		if a, ok := m["acc"].(float64); !ok || a < 1.0/3-1e-9 || a > 1 {
			t.Errorf("head %d: acc %v", i, m["acc"])
		}
		if _, ok := m["loss"].(float64); withLoss && !ok {
			t.Errorf("head %d: loss %v", i, m["loss"])
		}
	}
	h, ok := res["head"].(float64)
	if !ok || h < 0 || h >= 5 || res["acc"] != heads[int(h)].(map[string]any)["acc"] {
		t.Errorf("head %v with acc %v does not match its entry", res["head"], res["acc"])
	}
	for _, k := range []string{"nmi", "ari", "test_acc"} {
		if v, ok := res[k].(float64); !ok || v < -1 || v > 1 {
			t.Errorf("%s %v", k, res[k])
		}
	}
}

// TestTrainResumeTestOnly: a one-epoch run from the stage-1 checkpoint
// writes every documented output; --resume of its stage-2 checkpoint with
// --epochs 2 runs one more epoch; --test_only evaluates without training.
func TestTrainResumeTestOnly(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--epochs", "1")...)
	cmdtest.MustSucceed(t, r)
	if !strings.Contains(r.Stderr, "stage-1 encoder from "+stage1) {
		t.Errorf("stderr does not name the stage-1 checkpoint:\n%s", r.Stderr)
	}
	checkResult(t, cmdtest.LastJSON(t, r, resultKeys...), true)
	cmdtest.IsPNG(t, filepath.Join(dir, "stage2.png"))
	cmdtest.IsPNG(t, filepath.Join(dir, "confusion.png"))
	for split, n := range map[string]int{"train": 48, "test": 12} {
		b, err := os.ReadFile(filepath.Join(dir, "predictions_"+split+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != n+1 || lines[0] != "index,cluster,mapped_class,label" || !strings.HasPrefix(lines[1], "0,") {
			t.Errorf("predictions_%s.csv: %d lines, header %q", split, len(lines), lines[0])
		}
	}
	emb, err := nn.LoadWeights(filepath.Join(dir, "embeddings.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for name, shape := range map[string][]int{"train.embeddings": {48, 8}, "test.embeddings": {12, 8}, "train.labels": {48}, "test.clusters": {12}} {
		if got := emb.Tensors[name].Shape; fmt.Sprint(got) != fmt.Sprint(shape) {
			t.Errorf("embeddings.safetensors: %s has shape %v, want %v", name, got, shape)
		}
	}
	ck := filepath.Join(dir, "stage2.safetensors")
	for _, f := range []string{ck, filepath.Join(dir, "stage2_best.safetensors")} {
		if c, err := nn.LoadCheckpoint(f); err != nil || c.Kind() != "stage2" {
			t.Errorf("%s: %v", f, err)
		}
	}
	if rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl")); len(rows) != 1 || rows[0]["epoch"] != 0.0 {
		t.Fatalf("metrics.jsonl after one epoch: %v", rows)
	}

	r = cmdtest.Run(t, bin, "--resume", ck, "--epochs", "2")
	cmdtest.MustSucceed(t, r)
	if !strings.Contains(r.Stderr, "resumed stage 2 from "+ck+" at epoch 1, batch 0") {
		t.Errorf("stderr does not say where it resumed:\n%s", r.Stderr)
	}
	checkResult(t, cmdtest.LastJSON(t, r, resultKeys...), true)
	rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))
	if len(rows) != 2 || rows[1]["epoch"] != 1.0 {
		t.Fatalf("metrics.jsonl after resuming: %v", rows)
	}

	r = cmdtest.Run(t, bin, "--resume", "stage2.safetensors", "--model_dir", dir, "--test_only")
	cmdtest.MustSucceed(t, r)
	checkResult(t, cmdtest.LastJSON(t, r, resultKeys...), true)
	if n := len(cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))); n != 2 {
		t.Errorf("--test_only trained: metrics.jsonl has %d lines", n)
	}
}

// TestInterruptResume: Ctrl-C during training saves a checkpoint and exits
// 0 with a JSON result line; resuming from it finishes with the weights and
// optimiser state of an uninterrupted run, bit for bit.
func TestInterruptResume(t *testing.T) {
	straight, cut := t.TempDir(), t.TempDir()
	r := cmdtest.Run(t, bin, tiny(straight, "--epochs", "3")...)
	cmdtest.MustSucceed(t, r)
	want := cmdtest.LastJSON(t, r, resultKeys...)

	r = cmdtest.RunInterrupt(t, bin, "stage 2 epoch 1/3 ", tiny(cut, "--epochs", "3")...)
	cmdtest.MustSucceed(t, r)
	ck := filepath.Join(cut, "stage2.safetensors")
	if !strings.Contains(r.Stderr, "interrupted: saved "+ck) {
		t.Fatalf("no save message on stderr:\n%s", r.Stderr)
	}
	cmdtest.LastJSON(t, r, "stage", "dataset")
	c, err := nn.LoadCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta["epoch"] == "3" {
		t.Fatal("the interrupted run finished all epochs: the interrupt came too late")
	}
	r = cmdtest.Run(t, bin, "--resume", ck)
	cmdtest.MustSucceed(t, r)
	got := cmdtest.LastJSON(t, r, resultKeys...)
	checkResult(t, got, true)
	if got["acc"] != want["acc"] || got["head"] != want["head"] || got["test_acc"] != want["test_acc"] {
		t.Errorf("resumed result %v, straight run %v", got, want)
	}
	if rows := cmdtest.ReadJSONL(t, filepath.Join(cut, "metrics.jsonl")); len(rows) != 3 {
		t.Errorf("metrics.jsonl has %d lines, want 3 (one per finished epoch)", len(rows))
	}
	cmdtest.SameTensors(t, filepath.Join(straight, "stage2.safetensors"), ck)
}

// TestBadInput: every mistake ends with one error line naming the flag,
// value or file (and maybe a HINT), a non-zero status and no panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.safetensors")
	if err := os.WriteFile(corrupt, []byte("not a checkpoint at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--width", "0"}, []string{"--width 0"}},
		{[]string{"--low_dim", "0"}, []string{"--low_dim 0"}},
		{[]string{"--width", "4"}, []string{stage1}}, // a real width, not the checkpoint's
		{[]string{"--device", "tpu"}, []string{"--device tpu"}},
		{[]string{"--device", "cuda"}, []string{"--device cuda", "built without CUDA", "-tags cuda"}},
		{[]string{"--preset", "nope"}, []string{"nope", "cpu, paper"}},
		{[]string{"--lr", "-1"}, []string{"--lr -1"}},
		{[]string{"--heads", "0"}, []string{"--heads 0"}},
		{[]string{"--restarts", "0"}, []string{"--restarts 0"}},
		{[]string{"--restarts", "2", "--restart_epochs", "0"}, []string{"--restart_epochs 0"}},
		{[]string{"--restart_by", "luck"}, []string{"--restart_by luck"}},
		{[]string{"--assign", "magic"}, []string{"--assign magic"}},
		{[]string{"--nope"}, []string{"-nope", "-h"}},
		{[]string{"--epochs", "two"}, []string{"two", "-epochs"}},
		{[]string{"--batch_size", "100"}, []string{"--batch_size 100", "48 training images"}},
		{[]string{"--resume", corrupt}, []string{corrupt}},
		{[]string{"--resume", filepath.Join(dir, "missing.safetensors")}, []string{"missing.safetensors"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append(tiny(filepath.Join(dir, "run"), "--epochs", "1"), c.args...)
			cmdtest.CleanError(t, cmdtest.Run(t, bin, args...), c.want...)
		})
	}
}

// TestNeedsStage1: without --resume the command says it needs a stage-1
// checkpoint and how to make one.
func TestNeedsStage1(t *testing.T) {
	r := cmdtest.Run(t, bin, "--data_dir", blobs, "--model_dir", t.TempDir())
	cmdtest.CleanError(t, r, "--resume is required", "stage-1 checkpoint", "cmd/superand")
}

// TestUnlabelled: a test split without labels (a flat folder) trains and
// reports its test scores as null (JSON has no NaN); a training split
// without classes is refused with an error, not a panic.
func TestUnlabelled(t *testing.T) {
	root := t.TempDir()
	if err := os.Symlink(filepath.Join(blobs, "train"), filepath.Join(root, "train")); err != nil {
		t.Fatal(err)
	}
	flat := filepath.Join(root, "test")
	if err := os.MkdirAll(flat, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmdtest.Classes {
		b, err := os.ReadFile(filepath.Join(blobs, "test", c, "000.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(flat, c+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := append(tiny(t.TempDir(), "--epochs", "1"), "--data_dir", root)
	r := cmdtest.Run(t, bin, args...)
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, resultKeys...)
	if res["test_acc"] != nil || res["acc"] == nil {
		t.Errorf("acc %v test_acc %v, want a number and null", res["acc"], res["test_acc"])
	}

	// The flat folder as the training split: no classes.
	args = append(tiny(t.TempDir(), "--epochs", "1"), "--data_dir", flat)
	cmdtest.CleanError(t, cmdtest.Run(t, bin, args...), "no classes", "sub-folder per class")
}

// TestKMeans: --assign kmeans clusters the stage-1 embeddings and reports
// the baseline's scores with its predictions.
func TestKMeans(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--assign", "kmeans", "--kmeans_restarts", "2")...)
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, "stage", "assign", "dataset", "acc", "nmi", "ari", "seconds")
	if a, ok := res["acc"].(float64); !ok || a < 1.0/3-1e-9 || a > 1 || res["assign"] != "kmeans" {
		t.Errorf("result %v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "predictions_kmeans.csv")); err != nil {
		t.Error(err)
	}
}
