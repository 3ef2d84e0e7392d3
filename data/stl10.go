package data

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// STL-10 binary format (https://cs.stanford.edu/~acoates/stl10/): *_X.bin
// holds images of 3×96×96 bytes, each plane in column-major order (byte
// x*96 + y of a plane is pixel (y, x)), nothing between images; *_y.bin holds
// one byte per image, the label 1..10. Splits: train 5,000, test 8,000,
// unlabeled 100,000 images.
const (
	stlSide   = 96
	stlPlane  = stlSide * stlSide
	stlPixels = 3 * stlPlane
)

var stl10Classes = []string{"airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"}

// stlCount checks an image file size and returns its image count.
func stlCount(size int64, name string) (int, error) {
	if size <= 0 || size%stlPixels != 0 {
		return 0, fmt.Errorf("data: %s: size %d bytes is not a positive multiple of the %d-byte STL-10 image "+
			"(%d whole images and %d bytes left; HINT: truncated or not an STL-10 *_X.bin file, re-download)",
			name, size, stlPixels, size/stlPixels, size%stlPixels)
	}
	return int(size / stlPixels), nil
}

// readSTLImages reads n images from r into dst (n*27648 bytes, CHW
// row-major), transposing each column-major plane.
func readSTLImages(r io.Reader, n int, name string, dst []uint8) error {
	if len(dst) != n*stlPixels {
		panic("data: readSTLImages: dst length is not n*27648")
	}
	// Read a chunk of images at a time rather than the whole file: the
	// 2.7 GB unlabeled split then needs no second copy in memory.
	const chunk = 64 // images per read: 1.7 MB
	buf := make([]uint8, chunk*stlPixels)
	for at := 0; at < n; {
		k := min(chunk, n-at)
		if _, err := io.ReadFull(r, buf[:k*stlPixels]); err != nil {
			return fmt.Errorf("data: %s: image %d of %d: %w (HINT: truncated file, re-download)", name, at, n, err)
		}
		for i := 0; i < k; i++ {
			for c := 0; c < 3; c++ {
				src := buf[i*stlPixels+c*stlPlane : i*stlPixels+(c+1)*stlPlane]
				out := dst[(at+i)*stlPixels+c*stlPlane : (at+i)*stlPixels+(c+1)*stlPlane]
				transpose96(out, src)
			}
		}
		at += k
	}
	return nil
}

// transpose96 sets out[y*96+x] = src[x*96+y] (one 96×96 plane), in 8×8 tiles
// so both sides stay in cache lines.
func transpose96(out, src []uint8) {
	_ = out[stlPlane-1]
	_ = src[stlPlane-1]
	for y0 := 0; y0 < stlSide; y0 += 8 {
		for x0 := 0; x0 < stlSide; x0 += 8 {
			for y := y0; y < y0+8; y++ {
				for x := x0; x < x0+8; x++ {
					out[y*stlSide+x] = src[x*stlSide+y]
				}
			}
		}
	}
}

// parseSTLLabels decodes a *_y.bin file: one byte 1..10 per image, returned
// as 0..9; want is the image count of the matching *_X.bin.
func parseSTLLabels(b []byte, name string, want int) ([]int, error) {
	if len(b) != want {
		return nil, fmt.Errorf("data: %s: %d labels, want %d (one per image of the matching _X.bin file)", name, len(b), want)
	}
	labels := make([]int, len(b))
	for i, v := range b {
		if v < 1 || v > 10 {
			return nil, fmt.Errorf("data: %s: label %d of image %d out of range, want 1..10", name, v, i)
		}
		labels[i] = int(v) - 1
	}
	return labels, nil
}

// loadSTL10 reads one split (or train+unlabeled, the 105,000 images of
// stage 1, or train+test, the 13,000 labelled ones of stage 2) from dir or
// dir/stl10_binary.
func loadSTL10(dir, split string) (*Dataset, error) {
	if err := checkSplit("stl10", split, "train", "test", "unlabeled", "train+unlabeled", "train+test"); err != nil {
		return nil, err
	}
	dir = findDir(dir, "stl10_binary", "test_X.bin")
	parts := map[string][]string{
		"train": {"train"}, "test": {"test"}, "unlabeled": {"unlabeled"}, "train+unlabeled": {"train", "unlabeled"},
		"train+test": {"train", "test"}, // the 13,000 labelled images (stage 2, as the paper)
	}[split]
	// Sizes first, so the pixels are allocated once: train+unlabeled is 2.9 GB
	// and must not be built by appending.
	counts := make([]int, len(parts))
	total := 0
	for i, p := range parts {
		path := filepath.Join(dir, p+"_X.bin")
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("data: %w (HINT: fetch STL-10 with --download, or point --data_dir at stl10_binary)", err)
		}
		if counts[i], err = stlCount(st.Size(), path); err != nil {
			return nil, err
		}
		total += counts[i]
	}
	d := &Dataset{N: total, C: 3, H: stlSide, W: stlSide, Pixels: make([]uint8, total*stlPixels), Labels: make([]int, 0, total)}
	at := 0
	for i, p := range parts {
		path := filepath.Join(dir, p+"_X.bin")
		if err := readSTLFile(path, counts[i], d.Pixels[at*stlPixels:(at+counts[i])*stlPixels]); err != nil {
			return nil, err
		}
		if p == "unlabeled" { // no _y.bin: unknown labels
			for range counts[i] {
				d.Labels = append(d.Labels, -1)
			}
		} else {
			yp := filepath.Join(dir, p+"_y.bin")
			b, err := readFileExact(yp)
			if err != nil {
				return nil, err
			}
			l, err := parseSTLLabels(b, yp, counts[i])
			if err != nil {
				return nil, err
			}
			d.Labels = append(d.Labels, l...)
		}
		at += counts[i]
	}
	var err error
	if d.Classes, err = readNames(filepath.Join(dir, "class_names.txt"), stl10Classes); err != nil {
		return nil, err
	}
	return d, nil
}

// readSTLFile streams n images of path into dst and checks nothing follows.
func readSTLFile(path string, n int, dst []uint8) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	if err := readSTLImages(r, n, path, dst); err != nil {
		return err
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return fmt.Errorf("data: %s: longer than the %d images it had when opened", path, n)
	}
	return nil
}
