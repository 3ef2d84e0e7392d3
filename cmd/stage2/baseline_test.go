package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// TestKMeansPixels: --assign kmeans --features pixels needs no checkpoint,
// clusters the raw pixels of each split and scores both; the blob images
// (one colour per class, cmdtest.WriteBlobs) are separable in pixel space,
// so it must find their classes.
func TestKMeansPixels(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, "--assign", "kmeans", "--features", "pixels", "--dataset", "folder", "--data_dir", blobs,
		"--model_dir", dir, "--kmeans_restarts", "3")
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, "assign", "features", "acc", "nmi", "ari", "test_acc", "test_nmi", "test_ari", "seconds")
	if res["features"] != "pixels" {
		t.Errorf("features %v", res["features"])
	}
	for _, k := range []string{"acc", "test_acc"} {
		if a, ok := res[k].(float64); !ok || a < 0.9 {
			t.Errorf("%s %v: k-means on the pixels of blob images should find their classes", k, res[k])
		}
	}
	if !strings.Contains(r.Stderr, "k-means on the raw pixels") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	for _, f := range []string{"predictions_kmeans_pixels.csv", "predictions_kmeans_pixels_test.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// --features pixels is a k-means option, and an unknown feature is an error.
	cmdtest.CleanError(t, cmdtest.Run(t, bin, "--features", "pixels", "--dataset", "folder", "--data_dir", blobs, "--model_dir", dir),
		"--resume is required")
	cmdtest.CleanError(t, cmdtest.Run(t, bin, tiny(dir, "--assign", "kmeans", "--features", "edges")...), "--features edges")
}
