package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// Sizes of the pictures for the 28×28 blob images (cmd/internal/cli's
// layout): the gallery is 12 + 200 (text) + 8 thumbnails of 84+4 pixels +
// 18 (gap) + 4 more + 12 wide when a cluster has at least 12 images; the
// embedding map is 560×560 per panel plus its 170-pixel legend column,
// under a 36-pixel title band.
const (
	galleryW  = 12 + 200 + 8*88 + 18 + 4*88 + 12
	mapPanelW = 560 + 170
	mapH      = 560 + 36
)

// flatFolder copies the 48 training blobs into one folder without classes.
func flatFolder(t *testing.T) string {
	flat := t.TempDir()
	for _, c := range cmdtest.Classes {
		for i := range 16 {
			b, err := os.ReadFile(filepath.Join(blobs, "train", c, fmt.Sprintf("%03d.png", i)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(flat, fmt.Sprintf("%s-%03d.png", c, i)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return flat
}

// sizesOf checks that cluster_sizes has k entries summing to n.
func sizesOf(t *testing.T, res map[string]any, k, n int) {
	t.Helper()
	sizes, ok := res["cluster_sizes"].([]any)
	sum := 0.0
	for _, s := range sizes {
		sum += s.(float64)
	}
	if !ok || len(sizes) != k || sum != float64(n) {
		t.Errorf("cluster_sizes %v, want %d counts summing to %d", res["cluster_sizes"], k, n)
	}
}

// TestClustersUnlabelled: images without labels (a flat folder) train with
// --clusters K; the result has cluster sizes and no scores, the gallery
// and a one-panel embedding map are drawn (no confusion matrix), and
// --test_only draws them again.
func TestClustersUnlabelled(t *testing.T) {
	flat, dir := flatFolder(t), t.TempDir()
	args := append(tiny(dir, "--epochs", "1"), "--data_dir", flat, "--clusters", "3")
	r := cmdtest.Run(t, bin, args...)
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, resultKeys...)
	for _, k := range []string{"acc", "nmi", "ari", "test_acc"} {
		if res[k] != nil {
			t.Errorf("%s %v for images without labels, want null", k, res[k])
		}
	}
	sizesOf(t, res, 3, 48)
	if w, _ := cmdtest.PNGSize(t, filepath.Join(dir, "clusters.png")); w != galleryW {
		t.Errorf("clusters.png is %d pixels wide, want %d", w, galleryW)
	}
	if w, h := cmdtest.PNGSize(t, filepath.Join(dir, "embedding.png")); w != mapPanelW || h != mapH {
		t.Errorf("embedding.png is %d×%d, want one panel, %d×%d", w, h, mapPanelW, mapH)
	}
	if _, err := os.Stat(filepath.Join(dir, "confusion.png")); err == nil {
		t.Error("confusion.png drawn without labels")
	}
	cmdtest.IsPNG(t, filepath.Join(dir, "stage2.png"))

	// --test_only on the checkpoint redraws the pictures.
	os.Remove(filepath.Join(dir, "clusters.png"))
	r = cmdtest.Run(t, bin, "--resume", filepath.Join(dir, "stage2.safetensors"), "--test_only")
	cmdtest.MustSucceed(t, r)
	cmdtest.IsPNG(t, filepath.Join(dir, "clusters.png"))
}

// TestClustersLabelled: --clusters may differ from the number of classes
// of labelled data: 4 clusters of 3 classes are scored (one cluster left
// unmapped), and both panels of the embedding map are drawn.
func TestClustersLabelled(t *testing.T) {
	dir := t.TempDir()
	r := cmdtest.Run(t, bin, tiny(dir, "--epochs", "1", "--clusters", "4")...)
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, resultKeys...)
	if a, ok := res["acc"].(float64); !ok || a <= 0 || a > 1 {
		t.Errorf("acc %v", res["acc"])
	}
	sizesOf(t, res, 4, 48)
	if w, h := cmdtest.PNGSize(t, filepath.Join(dir, "embedding.png")); w != 2*mapPanelW || h != mapH {
		t.Errorf("embedding.png is %d×%d, want two panels, %d×%d", w, h, 2*mapPanelW, mapH)
	}
	cmdtest.IsPNG(t, filepath.Join(dir, "clusters.png"))
	cmdtest.IsPNG(t, filepath.Join(dir, "confusion.png"))
}
