package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Dataset is a set of uint8 images, CHW per image, contiguous.
type Dataset struct {
	Name       string
	N, C, H, W int
	// Pixels holds N*C*H*W bytes: image i at Pixels[i*C*H*W:(i+1)*C*H*W],
	// its planes in CHW order, each plane row-major (pixel (y,x) of plane c at
	// c*H*W + y*W + x).
	Pixels []uint8
	// Labels has length N; -1 where the label is unknown (STL-10's unlabeled
	// images, a flat folder of images).
	Labels []int
	// Classes names the labels: Classes[l] is the name of label l.
	Classes []string
	// Mean and Std are the per-channel normalisation constants of this data
	// set (length C), in units of the [0,1] pixel scale.
	Mean, Std []float32
}

// ImageSize is the number of bytes of one image, C*H*W.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// Image returns image i (a view into Pixels, CHW).
func (d *Dataset) Image(i int) []uint8 {
	s := d.ImageSize()
	return d.Pixels[i*s : (i+1)*s : (i+1)*s]
}

// Subset returns the first n images (n is clamped to [0, N]). The result
// shares Pixels and Labels with d.
func (d *Dataset) Subset(n int) *Dataset {
	n = max(0, min(n, d.N))
	s := *d
	s.N = n
	s.Pixels = d.Pixels[:n*d.ImageSize()]
	s.Labels = d.Labels[:n]
	return &s
}

// ClassCounts returns how many images carry each label (len(Classes)
// entries); images with label -1 are not counted.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		if l >= 0 && l < len(c) {
			c[l]++
		}
	}
	return c
}

// Names lists the data set names Load accepts. "folder" reads a directory of
// images (dir is its root).
func Names() []string {
	return []string{"cifar10", "cifar100", "cifar20", "stl10", "svhn", "fashion-mnist", "mnist", "folder"}
}

// DefaultDir is where a data set is looked for when no directory is given:
// Debian's dataset-fashion-mnist package for Fashion-MNIST, ./data/<name>
// otherwise (cifar20 shares the CIFAR-100 files in ./data/cifar100). A folder
// data set has no default ("").
func DefaultDir(name string) string {
	switch name {
	case "fashion-mnist":
		return "/usr/share/datasets/fashion-mnist"
	case "cifar20":
		return filepath.Join("data", "cifar100")
	case "folder":
		return ""
	}
	return filepath.Join("data", name)
}

// norm holds the per-channel constants of each named data set. Sources:
// CIFAR-10 as in the paper's and Super-AND's code and the issue; CIFAR-100
// from Super-AND's main.py (the same per-image-std convention as CIFAR-10's
// 0.2023); STL-10 the constants commonly used for it (pixel mean/std of the
// training images); Fashion-MNIST as in ../shared/reference/twostage_ref.py;
// MNIST torchvision's example values; SVHN the constants commonly used for
// it (pixel mean/std of its training images, e.g. in many torchvision SVHN
// pipelines).
var norm = map[string][2][]float32{
	"cifar10":       {{0.4914, 0.4822, 0.4465}, {0.2023, 0.1994, 0.2010}},
	"cifar100":      {{0.5071, 0.4866, 0.4409}, {0.2009, 0.1984, 0.2023}},
	"cifar20":       {{0.5071, 0.4866, 0.4409}, {0.2009, 0.1984, 0.2023}},
	"stl10":         {{0.4467, 0.4398, 0.4066}, {0.2603, 0.2566, 0.2713}},
	"svhn":          {{0.4377, 0.4438, 0.4728}, {0.1980, 0.2010, 0.1970}},
	"fashion-mnist": {{0.2860}, {0.3530}},
	"mnist":         {{0.1307}, {0.3081}},
}

// Load reads split of the named data set from dir (DefaultDir(name) when dir
// is ""). Splits: "train" and "test" for every data set; STL-10 also has
// "unlabeled" and "train+unlabeled" (the 5,000 labelled training images
// followed by the 100,000 unlabelled ones, stage 1's training set). A folder
// data set reads dir/<split> when that directory exists and dir otherwise.
func Load(name, dir, split string) (*Dataset, error) {
	if dir == "" {
		dir = DefaultDir(name)
		if dir == "" {
			return nil, fmt.Errorf("data: %s: no directory given (HINT: pass --data_dir)", name)
		}
	}
	var (
		d   *Dataset
		err error
	)
	switch name {
	case "cifar10":
		d, err = loadCIFAR10(dir, split)
	case "cifar100":
		d, err = loadCIFAR100(dir, split, false)
	case "cifar20":
		d, err = loadCIFAR100(dir, split, true)
	case "stl10":
		d, err = loadSTL10(dir, split)
	case "svhn":
		d, err = loadSVHN(dir, split)
	case "fashion-mnist", "mnist":
		d, err = loadIDX(name, dir, split)
	case "folder":
		d, err = loadFolder(dir, split)
	default:
		return nil, fmt.Errorf("data: unknown data set %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	if err != nil {
		return nil, err
	}
	d.Name = name
	if c, ok := norm[name]; ok {
		d.Mean, d.Std = append([]float32(nil), c[0]...), append([]float32(nil), c[1]...)
	} else {
		d.Mean, d.Std = meanStd(d)
	}
	return d, nil
}

// checkSplit returns an error unless split is one of ok.
func checkSplit(name, split string, ok ...string) error {
	for _, s := range ok {
		if s == split {
			return nil
		}
	}
	return fmt.Errorf("data: %s: unknown split %q (known: %s)", name, split, strings.Join(ok, ", "))
}

// findDir returns dir, or dir/sub when dir lacks file but dir/sub has it (the
// layout an official archive unpacks to, e.g. cifar-10-batches-bin/).
func findDir(dir, sub, file string) string {
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, sub, file)); err2 == nil {
			return filepath.Join(dir, sub)
		}
	}
	return dir
}

// readNames reads a class-name file (one name per line, surrounding blank
// lines ignored) and checks it names exactly want classes. A missing file gives
// the built-in names.
func readNames(path string, builtin []string) ([]string, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return append([]string(nil), builtin...), nil
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")), "\n")
	if len(lines) != len(builtin) {
		return nil, fmt.Errorf("data: %s: %d class names, want %d", path, len(lines), len(builtin))
	}
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
		if lines[i] == "" {
			return nil, fmt.Errorf("data: %s: line %d: empty class name", path, i+1)
		}
	}
	return lines, nil
}

// meanStd computes the per-channel mean and standard deviation of every
// pixel of d on the [0,1] scale (float64 accumulation; for data sets without
// published constants).
func meanStd(d *Dataset) (mean, std []float32) {
	mean, std = make([]float32, d.C), make([]float32, d.C)
	hw := d.H * d.W
	for c := 0; c < d.C; c++ {
		var hist [256]int64 // a histogram makes the sums exact and order-free
		for i := 0; i < d.N; i++ {
			for _, v := range d.Pixels[(i*d.C+c)*hw : (i*d.C+c+1)*hw] {
				hist[v]++
			}
		}
		var n, s, s2 float64
		for v, k := range hist {
			x := float64(v) / 255
			n += float64(k)
			s += float64(k) * x
			s2 += float64(k) * x * x
		}
		if n == 0 {
			mean[c], std[c] = 0, 1
			continue
		}
		m := s / n
		v := max(s2/n-m*m, 0)
		mean[c], std[c] = float32(m), float32(math.Sqrt(v))
		if std[c] == 0 {
			std[c] = 1 // a constant channel: avoid dividing by zero in Normalize
		}
	}
	return mean, std
}
