package finetune

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/data/datatest"
)

// TestSelectLabelsBalanced: every class gets ⌊n/C⌋ or one more, the
// labels are the images' own, the indices distinct and sorted; the same
// seed gives the same choice and another seed another one.
func TestSelectLabelsBalanced(t *testing.T) {
	ds := datatest.Bands(60, 1) // 20 images per class
	for _, n := range []int{3, 9, 10, 11, 60} {
		ls, err := SelectLabels(ds, n, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != n {
			t.Fatalf("n=%d: %d chosen", n, len(ls))
		}
		count := make([]int, 3)
		for i, l := range ls {
			if l.Label != ds.Labels[l.Index] {
				t.Errorf("n=%d: image %d has label %d, chosen with %d", n, l.Index, ds.Labels[l.Index], l.Label)
			}
			if i > 0 && ls[i-1].Index >= l.Index {
				t.Errorf("n=%d: indices not strictly increasing at %d", n, i)
			}
			count[l.Label]++
		}
		for c, k := range count {
			if k != n/3 && k != n/3+1 {
				t.Errorf("n=%d: class %d has %d, want %d or %d", n, c, k, n/3, n/3+1)
			}
		}
		again, _ := SelectLabels(ds, n, 7)
		if !slices.Equal(ls, again) {
			t.Errorf("n=%d: the same seed chose differently", n)
		}
	}
	a, _ := SelectLabels(ds, 9, 1)
	b, _ := SelectLabels(ds, 9, 2)
	if slices.Equal(a, b) {
		t.Error("seeds 1 and 2 chose the same 9 images")
	}
}

// TestSelectLabelsTooFew: a class with too few images is an error naming
// it; images with label -1 are never chosen.
func TestSelectLabelsTooFew(t *testing.T) {
	ds := datatest.Bands(9, 1)
	if _, err := SelectLabels(ds, 12, 1); err == nil || !strings.Contains(err.Error(), "class 0 has 3") {
		t.Errorf("12 labels of 9 images: %v", err)
	}
	for i := 0; i < 6; i++ {
		ds.Labels[i] = -1
	}
	ls, err := SelectLabels(ds, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Index < 6 {
			t.Errorf("chose unlabelled image %d", l.Index)
		}
	}
}

// TestLabelsFile: labels.csv round-trips, CheckLabels accepts the same list
// and refuses another one or a missing file, naming the file.
func TestLabelsFile(t *testing.T) {
	dir := t.TempDir()
	ds := datatest.Bands(30, 1)
	ls, _ := SelectLabels(ds, 6, 3)
	if err := WriteLabels(dir, ls); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, LabelsFile))
	if !strings.HasPrefix(string(b), "index,label\n") || strings.Count(string(b), "\n") != 7 {
		t.Errorf("labels.csv:\n%s", b)
	}
	got, err := ReadLabels(dir)
	if err != nil || !slices.Equal(got, ls) {
		t.Fatalf("read back %v (%v), wrote %v", got, err, ls)
	}
	if err := CheckLabels(dir, ls); err != nil {
		t.Error(err)
	}
	other, _ := SelectLabels(ds, 6, 4)
	if err := CheckLabels(dir, other); err == nil || !strings.Contains(err.Error(), LabelsFile) {
		t.Errorf("another seed's labels: %v", err)
	}
	if err := CheckLabels(dir, ls[:5]); err == nil || !strings.Contains(err.Error(), "6 labelled images") {
		t.Errorf("fewer labels: %v", err)
	}
	if err := CheckLabels(t.TempDir(), ls); err == nil {
		t.Error("a missing labels.csv passed")
	}
}
