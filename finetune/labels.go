package finetune

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"twostage/data"
)

// LabelsFile is the name, in --model_dir, of the list of labelled images.
const LabelsFile = "labels.csv"

// Labelled is one labelled training image: its index in the training set
// and its label.
type Labelled struct{ Index, Label int }

// SelectLabels chooses n labelled images of ds, balanced per class: each of
// the C classes gets ⌊n/C⌋ images, and n mod C classes (drawn from the seed)
// one more; within a class, the images are the first of a seeded shuffle of
// that class's images. The result is sorted by index and depends only on
// (ds's labels, n, seed). Images with label -1 are never chosen. An error
// names the class that has too few images.
func SelectLabels(ds *data.Dataset, n int, seed uint64) ([]Labelled, error) {
	classes := len(ds.Classes)
	for _, l := range ds.Labels {
		classes = max(classes, l+1)
	}
	if classes == 0 {
		return nil, fmt.Errorf("--labels %d: the %s training images have no labels", n, ds.Name)
	}
	byClass := make([][]int, classes)
	for i, l := range ds.Labels {
		if l >= 0 {
			byClass[l] = append(byClass[l], i)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x1abe1))
	quota := make([]int, classes)
	for c := range quota {
		quota[c] = n / classes
	}
	for _, c := range rng.Perm(classes)[:n%classes] {
		quota[c]++
	}
	var out []Labelled
	for c, idx := range byClass {
		if len(idx) < quota[c] {
			return nil, fmt.Errorf("--labels %d: class %d has %d training images, the balanced choice needs %d; HINT: fewer --labels or a larger --train_subset",
				n, c, len(idx), quota[c])
		}
		p := rng.Perm(len(idx))
		for _, k := range p[:quota[c]] {
			out = append(out, Labelled{Index: idx[k], Label: c})
		}
	}
	slices.SortFunc(out, func(a, b Labelled) int { return a.Index - b.Index })
	return out, nil
}

// WriteLabels writes labels.csv into dir: a header "index,label", then one
// row per labelled image. It is written whole to a temporary file and
// renamed, so a crash leaves the previous file or none.
func WriteLabels(dir string, ls []Labelled) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"index", "label"})
	for _, l := range ls {
		w.Write([]string{strconv.Itoa(l.Index), strconv.Itoa(l.Label)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	path := filepath.Join(dir, LabelsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadLabels reads labels.csv from dir.
func ReadLabels(dir string) ([]Labelled, error) {
	path := filepath.Join(dir, LabelsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"index", "label"}) {
		return nil, fmt.Errorf("%s: no \"index,label\" header", path)
	}
	out := make([]Labelled, 0, len(rows)-1)
	for i, r := range rows[1:] {
		idx, err1 := strconv.Atoi(r[0])
		lab, err2 := strconv.Atoi(r[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: line %d: %q is not two integers", path, i+2, r)
		}
		out = append(out, Labelled{Index: idx, Label: lab})
	}
	return out, nil
}

// CheckLabels compares the labels.csv of dir with the images a run uses: a
// resumed run must train on the labelled images it started with. A missing
// file is an error too (the run's record of its labels is gone).
func CheckLabels(dir string, want []Labelled) error {
	got, err := ReadLabels(dir)
	if err != nil {
		return fmt.Errorf("checking the labelled images: %w", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("%s: %d labelled images, this run has %d; HINT: resume with the --model_dir, --labels and --seed of the saved run",
			filepath.Join(dir, LabelsFile), len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("%s: row %d is image %d with label %d, this run has image %d with label %d; HINT: resume with the --model_dir, --labels and --seed of the saved run",
				filepath.Join(dir, LabelsFile), i+1, got[i].Index, got[i].Label, want[i].Index, want[i].Label)
		}
	}
	return nil
}
