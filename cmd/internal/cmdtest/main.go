package cmdtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"twostage/data"
	"twostage/kernels"
	"twostage/superand"
)

// Main runs a command's tests: it makes a temporary directory, calls setup
// with it (to build the command and write its fixtures), runs the tests and
// removes the directory; a failing setup exits 1 with its error.
func Main(m *testing.M, prefix string, setup func(dir string) error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := setup(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Stage1 trains a width-2, 8-d stage-1 encoder one epoch (batches of 8) on
// train, the "folder" data set in dataDir, in-process, and saves its
// checkpoint to path: the start of the stage-2 and predict tests.
func Stage1(path, dataDir string, train *data.Dataset) error {
	cfg := superand.DefaultConfig()
	cfg.Dataset, cfg.DataDir = "folder", dataDir
	cfg.Width, cfg.LowDim, cfg.BatchSize, cfg.Rounds, cfg.Epochs, cfg.Workers = 2, 8, 8, 1, 1, 1
	tr := superand.NewTrainer(&kernels.CPU{}, cfg, train, nil)
	if _, err := tr.RunEpoch(context.Background(), nil); err != nil {
		return err
	}
	ck, err := tr.Checkpoint()
	if err != nil {
		return err
	}
	return ck.Save(path)
}

// BlobsAndStage1 writes the command tests' usual fixtures under dir: the
// blobs data set (WriteBlobs: 16 training and 4 test images per class, 28×28)
// in dir/blobs, and a stage-1 checkpoint trained on its training split
// (Stage1) in dir/superand.safetensors; it returns both paths.
func BlobsAndStage1(dir string) (blobs, stage1 string, err error) {
	blobs = filepath.Join(dir, "blobs")
	if err := WriteBlobs(blobs, "train", 16, 1); err != nil {
		return "", "", err
	}
	if err := WriteBlobs(blobs, "test", 4, 2); err != nil {
		return "", "", err
	}
	train, err := data.Load("folder", blobs, "train")
	if err != nil {
		return "", "", err
	}
	stage1 = filepath.Join(dir, "superand.safetensors")
	return blobs, stage1, Stage1(stage1, blobs, train)
}
