package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/data"
	"twostage/kernels"
	"twostage/nn"
	"twostage/stage2"
)

// bin is the command built once by TestMain; blobs the data set of
// cmdtest.WriteBlobs (16 training images per class); model a stage-2
// checkpoint trained one epoch on it (in-process, with the data description
// and assignment the command saves), and wantCluster the cluster its chosen
// head gives each training image in stage 2's own evaluation.
var (
	bin, blobs, model, unlabelled, stage1 string
	train                                 *data.Dataset
	wantCluster                           []int
	head                                  int
)

func TestMain(m *testing.M) { cmdtest.Main(m, "predict-test-", setup) }

func setup(dir string) (err error) {
	if bin, err = cmdtest.Build(dir, "predict"); err != nil {
		return err
	}
	blobs = filepath.Join(dir, "blobs")
	if err := cmdtest.WriteBlobs(blobs, "train", 16, 1); err != nil {
		return err
	}
	if train, err = data.Load("folder", blobs, "train"); err != nil {
		return err
	}
	be := &kernels.CPU{}
	stage1 = filepath.Join(dir, "superand.safetensors")
	if err := cmdtest.Stage1(stage1, blobs, train); err != nil {
		return err
	}
	ck1, err := nn.LoadCheckpoint(stage1)
	if err != nil {
		return err
	}
	c2 := stage2.DefaultConfig()
	c2.Dataset, c2.DataDir = "folder", blobs
	c2.Width, c2.LowDim, c2.BatchSize, c2.Epochs, c2.Workers = 2, 8, 8, 1, 1
	t2 := stage2.NewTrainer(be, c2, len(train.Classes), train, train)
	if err := t2.FromStage1(ck1); err != nil {
		return err
	}
	if _, err := t2.RunEpoch(context.Background(), nil); err != nil {
		return err
	}
	ev := t2.Evaluate(train)
	head = stage2.BestHead(t2.LastHeadLoss)
	wantCluster = ev.Preds[head]
	ck, err := t2.Checkpoint()
	if err != nil {
		return err
	}
	if err := stage2.PutInference(ck, stage2.DataInfoOf("folder", train), &stage2.Assignment{Head: head, Mapping: ev.Scores[head].Mapping}); err != nil {
		return err
	}
	model = filepath.Join(dir, "stage2.safetensors")
	if err := ck.Save(model); err != nil {
		return err
	}
	// The same model as trained on images without labels: no class names.
	info := stage2.DataInfoOf("folder", train)
	info.Classes, info.HasLabels = nil, false
	if err := stage2.PutInference(ck, info, &stage2.Assignment{Head: head}); err != nil {
		return err
	}
	unlabelled = filepath.Join(dir, "unlabelled.safetensors")
	return ck.Save(unlabelled)
}

// readCSV reads the predictions, checking the header.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "path,cluster,confidence,class" {
		t.Fatalf("%s: header %v", path, recs)
	}
	return recs[1:]
}

// TestPredictTrainingImages: the training images, given as files, get the
// clusters stage 2's own evaluation gave them (the same transform and head),
// confidences in (0, 1] and the class names of the mapped clusters; the
// JSON line counts the images and the clusters.
func TestPredictTrainingImages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "predictions.csv")
	r := cmdtest.Run(t, bin, "--resume", model, "--images", filepath.Join(blobs, "train"), "--out", out, "--batch_size", "5")
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, "images", "clusters", "seconds")
	recs := readCSV(t, out)
	if len(recs) != train.N || res["images"] != float64(train.N) {
		t.Fatalf("%d rows, JSON images %v, want %d", len(recs), res["images"], train.N)
	}
	sizes := map[string]float64{}
	for i, rec := range recs { // sorted paths: class folders, then file names, as the data set
		want := filepath.Join(blobs, "train", cmdtest.Classes[i/16], fmt.Sprintf("%03d.png", i%16))
		if rec[0] != want {
			t.Fatalf("row %d: path %q, want %q", i, rec[0], want)
		}
		if rec[1] != strconv.Itoa(wantCluster[i]) {
			t.Errorf("%s: cluster %s, stage 2's evaluation gave %d", rec[0], rec[1], wantCluster[i])
		}
		if c, err := strconv.ParseFloat(rec[2], 64); err != nil || c <= 0 || c > 1 {
			t.Errorf("%s: confidence %q", rec[0], rec[2])
		}
		if !strings.Contains(strings.Join(cmdtest.Classes, ","), rec[3]) || rec[3] == "" {
			t.Errorf("%s: class %q, want one of %v", rec[0], rec[3], cmdtest.Classes)
		}
		sizes[rec[1]]++
	}
	if fmt.Sprint(res["clusters"]) != fmt.Sprint(sizes) {
		t.Errorf("JSON clusters %v, CSV counts %v", res["clusters"], sizes)
	}
}

// writeImage encodes img as PNG or JPEG (by the extension) at path.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// mixedDir holds images of other sizes and kinds: a large colour PNG, a
// small non-square JPEG in a sub-folder, and a text file (ignored).
func mixedDir(t *testing.T) string {
	dir := t.TempDir()
	big := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			big.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	writeImage(t, filepath.Join(dir, "big.png"), big)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	writeImage(t, filepath.Join(dir, "sub", "small.JPG"), image.NewGray(image.Rect(0, 0, 20, 35)))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	return dir
}

// TestPredictAnySizeUnlabelled: images of any size and kind are read; a
// model without class names leaves the class column empty.
func TestPredictAnySizeUnlabelled(t *testing.T) {
	dir := mixedDir(t)
	out := filepath.Join(t.TempDir(), "p.csv")
	r := cmdtest.Run(t, bin, "--resume", unlabelled, "--images", dir, "--out", out)
	cmdtest.MustSucceed(t, r)
	recs := readCSV(t, out)
	if len(recs) != 2 || cmdtest.LastJSON(t, r, "images")["images"] != 2.0 {
		t.Fatalf("rows %v, want big.png and sub/small.JPG", recs)
	}
	for _, rec := range recs {
		if rec[3] != "" {
			t.Errorf("%s: class %q from a model without class names", rec[0], rec[3])
		}
	}
}

// TestPredictBadImages: a file that is not an image stops the run with an
// error naming it; --skip_bad reports it, predicts the rest and lists it
// in the JSON line.
func TestPredictBadImages(t *testing.T) {
	dir := mixedDir(t)
	bad := filepath.Join(dir, "broken.png")
	os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\n but then nothing"), 0o644)
	out := filepath.Join(t.TempDir(), "p.csv")
	cmdtest.CleanError(t, cmdtest.Run(t, bin, "--resume", model, "--images", dir, "--out", out), bad, "--skip_bad")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed run wrote %s", out)
	}
	r := cmdtest.Run(t, bin, "--resume", model, "--images", dir, "--out", out, "--skip_bad")
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, "images", "clusters", "seconds", "skipped")
	if res["images"] != 2.0 || fmt.Sprint(res["skipped"]) != fmt.Sprint([]any{bad}) || !strings.Contains(r.Stderr, "skipped: ") {
		t.Errorf("images %v skipped %v; stderr:\n%s", res["images"], res["skipped"], r.Stderr)
	}
	if n := len(readCSV(t, out)); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
}

// TestPredictBadInput: every mistake is one error line naming the flag,
// value or file.
func TestPredictBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--images", blobs}, []string{"--resume is required"}},
		{[]string{"--resume", model}, []string{"--images is required"}},
		{[]string{"--resume", model, "--images", filepath.Join(dir, "nope")}, []string{"--images", "nope"}},
		{[]string{"--resume", model, "--images", empty}, []string{empty, "no *.png"}},
		{[]string{"--resume", stage1, "--images", blobs}, []string{stage1, "superand", "stage-2"}},
		{[]string{"--resume", filepath.Join(dir, "missing.safetensors"), "--images", blobs}, []string{"missing.safetensors"}},
		{[]string{"--resume", model, "--images", blobs, "--batch_size", "0"}, []string{"--batch_size 0"}},
		{[]string{"--resume", model, "--images", blobs, "--device", "tpu"}, []string{"--device", "tpu"}},
		{[]string{"--resume", model, "--images", blobs, "--out", filepath.Join(dir, "no", "dir.csv")}, []string{"dir.csv"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			cmdtest.CleanError(t, cmdtest.Run(t, bin, c.args...), c.want...)
		})
	}
}
