package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// bin is the command built once by TestMain; blobs the data set
// (cmdtest.WriteBlobs: 16 training and 4 test images per class, 28×28) and
// stage1 a stage-1 checkpoint of a width-2, 8-d encoder trained one epoch
// on it.
var bin, blobs, stage1 string

func TestMain(m *testing.M) { cmdtest.Main(m, "finetune-test-", setup) }

func setup(dir string) (err error) {
	if bin, err = cmdtest.Build(dir, "finetune"); err != nil {
		return err
	}
	blobs, stage1, err = cmdtest.BlobsAndStage1(dir)
	return err
}

// tiny are the flags of a one-epoch run: 6 labelled images, 8 steps of 2
// labelled + 6 unlabelled images; from is scratch or a checkpoint.
func tiny(modelDir, from, method string, more ...string) []string {
	args := []string{"--from", from, "--method", method, "--dataset", "folder", "--data_dir", blobs, "--labels", "6",
		"--batch_size", "8", "--labeled_batch_size", "2", "--epochs", "1", "--workers", "1", "--lr", "0.05",
		"--rampup", "1", "--consistency", "10", "--model_dir", modelDir}
	if from == "scratch" {
		args = append(args, "--width", "2", "--low_dim", "8")
	}
	return append(args, more...)
}

// resultKeys are the keys of the last stdout line.
var resultKeys = []string{"stage", "dataset", "method", "from", "labels", "epoch", "test_acc", "student_test_acc", "teacher_test_acc", "seconds", "checkpoint"}

// TestMethods: each method runs one epoch from scratch and from the
// stage-1 checkpoint, ending with the JSON line (the teacher's accuracy
// the result for meanteacher), labels.csv, metrics.jsonl and the plot.
func TestMethods(t *testing.T) {
	for _, m := range []string{"supervised", "pi", "meanteacher"} {
		for _, from := range []string{"scratch", stage1} {
			dir := t.TempDir()
			r := cmdtest.Run(t, bin, tiny(dir, from, m)...)
			cmdtest.MustSucceed(t, r)
			res := cmdtest.LastJSON(t, r, resultKeys...)
			acc, ok := res["test_acc"].(float64)
			if !ok || acc < 0 || acc > 1 || res["method"] != m || res["labels"] != 6.0 || res["stage"] != 3.0 {
				t.Errorf("%s from %s: result %v", m, from, res)
			}
			if m == "meanteacher" && res["test_acc"] != res["teacher_test_acc"] {
				t.Errorf("meanteacher: test_acc %v is not the teacher's %v", res["test_acc"], res["teacher_test_acc"])
			}
			if m != "meanteacher" && (res["teacher_test_acc"] != nil || res["test_acc"] != res["student_test_acc"]) {
				t.Errorf("%s: result %v", m, res)
			}
			if from != "scratch" && !strings.Contains(r.Stderr, "encoder from "+stage1) {
				t.Errorf("%s: no word of the stage-1 encoder:\n%s", m, r.Stderr)
			}
			rows := cmdtest.ReadJSONL(t, filepath.Join(dir, "metrics.jsonl"))
			if len(rows) != 1 || rows[0]["test_acc"] != res["test_acc"] || rows[0]["method"] != m {
				t.Errorf("%s: metrics.jsonl %v", m, rows)
			}
			b, err := os.ReadFile(filepath.Join(dir, "labels.csv"))
			if err != nil || strings.Count(string(b), "\n") != 7 {
				t.Errorf("%s: labels.csv %q (%v)", m, b, err)
			}
			cmdtest.IsPNG(t, filepath.Join(dir, "finetune.png"))
		}
	}
}

// TestResumeExtends: a finished one-epoch run resumed with --epochs 2 ends
// bit for bit as a two-epoch run (student, teacher, momentum buffers), and
// the parameter table shows the saved settings.
func TestResumeExtends(t *testing.T) {
	straight, short := t.TempDir(), t.TempDir()
	cmdtest.MustSucceed(t, cmdtest.Run(t, bin, tiny(straight, stage1, "meanteacher", "--epochs", "2")...))
	cmdtest.MustSucceed(t, cmdtest.Run(t, bin, tiny(short, stage1, "meanteacher")...))
	ck := filepath.Join(short, "finetune.safetensors")
	r := cmdtest.Run(t, bin, "--resume", ck, "--epochs", "2")
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, resultKeys...)
	if res["epoch"] != 2.0 || !strings.Contains(r.Stderr, "epoch 2/2") || !strings.Contains(r.Stdout, "meanteacher") {
		t.Errorf("resumed run: %v\n%s", res, r.Stderr)
	}
	cmdtest.SameTensors(t, filepath.Join(straight, "finetune.safetensors"), ck)
	if n := len(cmdtest.ReadJSONL(t, filepath.Join(short, "metrics.jsonl"))); n != 2 {
		t.Errorf("metrics.jsonl has %d rows, want 2", n)
	}
}

// TestLabelsMismatch: a resumed run whose labels.csv is not the saved
// run's stops with an error naming the file.
func TestLabelsMismatch(t *testing.T) {
	dir := t.TempDir()
	cmdtest.MustSucceed(t, cmdtest.Run(t, bin, tiny(dir, "scratch", "supervised")...))
	path := filepath.Join(dir, "labels.csv")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	lines[1], lines[2] = lines[2], lines[1] // two rows swapped: another list
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	cmdtest.CleanError(t, cmdtest.Run(t, bin, "--resume", filepath.Join(dir, "finetune.safetensors"), "--epochs", "2"), "labels.csv", "row 1")
}

// TestBadFlags: settings that cannot run stop before training with one
// error line naming the flag.
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	cmdtest.MustSucceed(t, cmdtest.Run(t, bin, tiny(dir, "scratch", "pi")...))
	ck := filepath.Join(dir, "finetune.safetensors")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{tiny(t.TempDir(), "scratch", "vat"), []string{"--method vat"}},
		{tiny(t.TempDir(), "scratch", "pi", "--labels", "0"), []string{"--labels 0"}},
		{tiny(t.TempDir(), "scratch", "pi", "--labels", "60"), []string{"--labels 60", "class"}},
		{tiny(t.TempDir(), "scratch", "pi", "--batch_size", "2"), []string{"--batch_size 2", "--labeled_batch_size"}},
		{tiny(t.TempDir(), "scratch", "pi", "--ema_decay", "1"), []string{"--ema_decay 1"}},
		{tiny(t.TempDir(), "scratch", "pi", "--network", "vgg"), []string{"--network", "vgg"}},
		{tiny(t.TempDir(), "scratch", "pi", "--lr", "-1"), []string{"--lr -1"}},
		{tiny(t.TempDir(), "scratch", "pi", "--batch_size", "100"), []string{"--batch_size 100", "training images"}},
		{tiny(t.TempDir(), "scratch", "pi")[2:], []string{"--from is required"}},
		{tiny(t.TempDir(), ck, "pi"), []string{"fine-tuning checkpoint", "--resume"}},
		{tiny(t.TempDir(), filepath.Join(dir, "none.safetensors"), "pi"), []string{"none.safetensors"}},
		{[]string{"--resume", ck, "--method", "supervised"}, []string{"--method", "resumed run"}},
		{[]string{"--resume", stage1}, []string{"not a fine-tuning one"}},
		{tiny(t.TempDir(), "scratch", "pi", "extra"), []string{"unexpected argument"}},
	} {
		cmdtest.CleanError(t, cmdtest.Run(t, bin, c.args...), c.want...)
	}
}

// TestNaNStops: a learning rate that makes the loss diverge stops with an
// error naming the epoch and batch, and no checkpoint is written.
func TestNaNStops(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "scratch", "supervised", "--lr", "1e30")...)
	cmdtest.CleanError(t, r, "loss is", "epoch 0, batch")
	if _, err := os.Stat(filepath.Join(dir, "finetune.safetensors")); err == nil {
		t.Error("a diverged run saved a checkpoint")
	}
}
