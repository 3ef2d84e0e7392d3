package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/nn"
)

// bin is the command built once by TestMain; data the blob data set
// (cmdtest.WriteBlobs: 16 training and 4 test images per class, 28×28).
var bin, data string

func TestMain(m *testing.M) {
	cmdtest.Main(m, "superand-test-", func(dir string) (err error) {
		if bin, err = cmdtest.Build(dir, "superand"); err != nil {
			return err
		}
		data = filepath.Join(dir, "blobs")
		for _, s := range []struct {
			split string
			n     int
			seed  uint64
		}{{"train", 16, 1}, {"test", 4, 2}} {
			if err := cmdtest.WriteBlobs(data, s.split, s.n, s.seed); err != nil {
				return err
			}
		}
		return nil
	})
}

// tiny are the flags of a run that takes about a second: width 2, 8-d
// embedding, 6 batches of 8 per epoch, one round.
func tiny(modelDir string, more ...string) []string {
	return append([]string{"--dataset", "folder", "--data_dir", data, "--width", "2", "--low_dim", "8",
		"--batch_size", "8", "--knn_k", "5", "--rounds", "1", "--model_dir", modelDir}, more...)
}

// resultKeys are the keys of stage 1's last stdout line (the issue).
var resultKeys = []string{"stage", "dataset", "knn_top1", "best_knn_top1", "epochs", "seconds", "checkpoint"}

func epochsOf(t *testing.T, res map[string]any) int {
	t.Helper()
	e, ok := res["epochs"].(float64)
	if !ok {
		t.Fatalf("epochs %v is not a number", res["epochs"])
	}
	return int(e)
}

// TestTrainResumeTestOnly: a one-epoch run writes its outputs and result;
// --resume with a second round continues from there (epoch counter and
// metrics.jsonl grow by one); --test_only with a bare checkpoint name
// (looked up in --model_dir) evaluates without training.
func TestTrainResumeTestOnly(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--epochs", "1")...)
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, resultKeys...)
	ck := filepath.Join(dir, "superand.safetensors")
	if res["stage"] != 1.0 || res["dataset"] != "folder" || epochsOf(t, res) != 1 || res["checkpoint"] != ck {
		t.Errorf("result %v", res)
	}
	if k, ok := res["knn_top1"].(float64); !ok || k < 0 || k > 1 || res["best_knn_top1"].(float64) < k {
		t.Errorf("knn_top1 %v best %v", res["knn_top1"], res["best_knn_top1"])
	}
	if !strings.Contains(r.Stdout, "| width") {
		t.Error("no parameter table on stdout")
	}
	for _, f := range []string{"superand.safetensors", "superand_best.safetensors"} {
		if _, err := nn.LoadCheckpoint(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	cmdtest.IsPNG(t, filepath.Join(dir, "superand.png"))
	if rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl")); len(rows) != 1 || rows[0]["epoch"] != 0.0 {
		t.Fatalf("metrics.jsonl after one epoch: %v", rows)
	}

	r = cmdtest.Run(t, bin, "--resume", ck, "--rounds", "2")
	cmdtest.MustSucceed(t, r)
	if !strings.Contains(r.Stderr, "resumed "+ck+" at round 1, epoch 0") {
		t.Errorf("stderr does not say where it resumed:\n%s", r.Stderr)
	}
	if res := cmdtest.LastJSON(t, r, resultKeys...); epochsOf(t, res) != 2 {
		t.Errorf("resumed result %v, want epochs 2", res)
	}
	rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))
	if len(rows) != 2 || rows[1]["round"] != 1.0 {
		t.Fatalf("metrics.jsonl after resuming: %v", rows)
	}

	r = cmdtest.Run(t, bin, "--resume", "superand.safetensors", "--model_dir", dir, "--test_only")
	cmdtest.MustSucceed(t, r)
	res = cmdtest.LastJSON(t, r, resultKeys...)
	if k, ok := res["knn_top1"].(float64); !ok || k < 0 || k > 1 || epochsOf(t, res) != 2 {
		t.Errorf("--test_only result %v", res)
	}
	if n := len(cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))); n != 2 {
		t.Errorf("--test_only trained: metrics.jsonl has %d lines", n)
	}
}

// TestInterruptResume: Ctrl-C during training saves a checkpoint and exits
// 0 with a result line; resuming from it finishes the run with the same
// weights, memory bank and optimiser state as an uninterrupted run.
func TestInterruptResume(t *testing.T) {
	straight, cut := t.TempDir(), t.TempDir()
	r := cmdtest.Run(t, bin, tiny(straight, "--epochs", "3")...)
	cmdtest.MustSucceed(t, r)
	want := cmdtest.LastJSON(t, r, resultKeys...)

	// The first progress line of the first epoch: "round 0 epoch 1/3 2/6 (33%) ...".
	r = cmdtest.RunInterrupt(t, bin, "epoch 1/3 ", tiny(cut, "--epochs", "3")...)
	cmdtest.MustSucceed(t, r)
	ck := filepath.Join(cut, "superand.safetensors")
	if !strings.Contains(r.Stderr, "interrupted: saved "+ck) {
		t.Fatalf("no save message on stderr:\n%s", r.Stderr)
	}
	res := cmdtest.LastJSON(t, r, resultKeys...)
	if epochsOf(t, res) >= 3 || res["checkpoint"] != ck {
		t.Fatalf("interrupted result %v: the run was not cut short", res)
	}
	r = cmdtest.Run(t, bin, "--resume", ck)
	cmdtest.MustSucceed(t, r)
	got := cmdtest.LastJSON(t, r, resultKeys...)
	if epochsOf(t, got) != 3 || got["knn_top1"] != want["knn_top1"] {
		t.Errorf("resumed result %v, straight run %v", got, want)
	}
	if rows := cmdtest.ReadJSONL(t, filepath.Join(cut, "metrics.jsonl")); len(rows) != 3 {
		t.Errorf("metrics.jsonl has %d lines, want 3 (one per finished epoch)", len(rows))
	}
	cmdtest.SameTensors(t, filepath.Join(straight, "superand.safetensors"), ck)
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
		{[]string{"--device", "tpu"}, []string{"--device tpu"}},
		{[]string{"--device", "cuda"}, []string{"--device cuda", "built without CUDA", "-tags cuda"}},
		{[]string{"--preset", "nope"}, []string{"nope", "cpu, paper"}},
		{[]string{"--lr", "-1"}, []string{"--lr -1"}},
		{[]string{"--nope"}, []string{"-nope", "-h"}},
		{[]string{"--width", "abc"}, []string{"abc", "-width"}},
		{[]string{"stray"}, []string{`"stray"`}},
		{[]string{"--batch_size", "100"}, []string{"--batch_size 100", "48 training images"}},
		{[]string{"--train_subset", "1000"}, []string{"--train_subset 1000"}},
		{[]string{"--data_dir", filepath.Join(dir, "nothing")}, []string{filepath.Join(dir, "nothing")}},
		{[]string{"--resume", corrupt}, []string{corrupt}},
		{[]string{"--resume", filepath.Join(dir, "missing.safetensors")}, []string{"missing.safetensors"}},
		{[]string{"--test_only"}, []string{"--test_only", "--resume"}},
		{[]string{"--epochs", "0"}, []string{"--epochs 0", "at least 1"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append(tiny(filepath.Join(dir, "run"), "--epochs", "1"), c.args...)
			cmdtest.CleanError(t, cmdtest.Run(t, bin, args...), c.want...)
		})
	}
}

// TestHelp: -h lists the flags and exits 0.
func TestHelp(t *testing.T) {
	r := cmdtest.Run(t, bin, "-h")
	cmdtest.MustSucceed(t, r)
	for _, f := range []string{"-ANs_select_rate", "-lr_decay_start", "-preset", "-device"} {
		if !strings.Contains(r.Stderr, f) {
			t.Errorf("-h does not list %s", f)
		}
	}
}

// TestUnlabelledTest: a test split without labels (a flat folder) has no
// kNN accuracy: the result says -1, not 0.
func TestUnlabelledTest(t *testing.T) {
	root := t.TempDir()
	if err := cmdtest.WriteBlobs(root, "train", 16, 1); err != nil {
		t.Fatal(err)
	}
	if err := cmdtest.WriteBlobs(root, "flat", 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmdtest.Classes {
		src := filepath.Join(root, "flat", c, "000.png")
		if err := os.Rename(src, filepath.Join(root, "test", c+".png")); err != nil {
			t.Fatal(err)
		}
	}
	args := append(tiny(t.TempDir(), "--epochs", "1"), "--data_dir", root)
	r := cmdtest.Run(t, bin, args...)
	cmdtest.MustSucceed(t, r)
	if res := cmdtest.LastJSON(t, r, resultKeys...); res["knn_top1"] != -1.0 {
		t.Errorf("kNN accuracy %v on unlabelled test images, want -1", res["knn_top1"])
	}
}
