package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// SVHN, the cropped digits (http://ufldl.stanford.edu/housenumbers/, format
// 2): train_32x32.mat (73,257 images) and test_32x32.mat (26,032), MATLAB
// v5 files (mat.go) with two variables:
//
//	X  uint8 [32, 32, 3, N]: X(y, x, c, i) column-major, so the byte of
//	   pixel (y, x) of channel c of image i is at y + 32·(x + 32·(c + 3·i))
//	y  double [N, 1]: the digit, 1..10, where 10 stands for 0
//
// Labels are mapped to 0..9 (10 → 0), as torchvision's SVHN does.
var svhnFiles = map[string]string{"train": "train_32x32.mat", "test": "test_32x32.mat"}

var svhnClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

func loadSVHN(dir, split string) (*Dataset, error) {
	if err := checkSplit("svhn", split, "train", "test"); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, svhnFiles[split])
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: svhn: %w (HINT: --download fetches it, or put %s in --data_dir)", err, svhnFiles[split])
	}
	return parseSVHN(b, path)
}

// parseSVHN decodes one SVHN .mat file's bytes into a Dataset (CHW images).
func parseSVHN(b []byte, name string) (*Dataset, error) {
	arrays, skipped, err := readMAT(b, name)
	if err != nil {
		return nil, err
	}
	get := func(v string) (*matArray, error) {
		if a, ok := arrays[v]; ok {
			return a, nil
		}
		if why, ok := skipped[v]; ok {
			return nil, fmt.Errorf("data: %s: variable %s is %s, want a numeric array", name, v, why)
		}
		var have []string
		for k := range arrays {
			have = append(have, k)
		}
		return nil, fmt.Errorf("data: %s: no variable %s (has: %s; HINT: not an SVHN *_32x32.mat file)", name, v, strings.Join(have, ", "))
	}
	x, err := get("X")
	if err != nil {
		return nil, err
	}
	y, err := get("y")
	if err != nil {
		return nil, err
	}
	if len(x.Dims) != 4 || x.Dims[0] != 32 || x.Dims[1] != 32 || x.Dims[2] != 3 || x.Type != miUINT8 {
		return nil, fmt.Errorf("data: %s: X is %v of element type %d, want uint8 [32 32 3 N]", name, x.Dims, x.Type)
	}
	n := x.Dims[3]
	if y.Numel() != n || len(y.Dims) != 2 || (y.Dims[0] != n && y.Dims[1] != n) {
		return nil, fmt.Errorf("data: %s: y is %v for %d images, want [%d 1]", name, y.Dims, n, n)
	}
	d := &Dataset{N: n, C: 3, H: 32, W: 32, Pixels: make([]uint8, n*3*32*32), Labels: make([]int, n), Classes: svhnClasses}
	for i := 0; i < n; i++ {
		v := y.Float64(i)
		if v != math.Trunc(v) || v < 1 || v > 10 {
			return nil, fmt.Errorf("data: %s: y(%d) = %v, want a digit label 1..10", name, i+1, v)
		}
		d.Labels[i] = int(v) % 10
	}
	// Column-major [32,32,3,N] → CHW per image: each 32×32 plane is stored
	// with x as the slow index, so transpose it.
	const plane = 32 * 32
	for p := 0; p < n*3; p++ {
		src := x.Data[p*plane : (p+1)*plane]
		dst := d.Pixels[p*plane : (p+1)*plane]
		for xx := 0; xx < 32; xx++ {
			for yy := 0; yy < 32; yy++ {
				dst[yy*32+xx] = src[xx*32+yy]
			}
		}
	}
	return d, nil
}
