package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// IDX format (http://yann.lecun.com/exdb/mnist/), the files of MNIST and
// Fashion-MNIST, each optionally gzipped:
//
//	magic: 0x00 0x00 <type> <ndims>   type 0x08 = unsigned byte
//	ndims big-endian uint32 sizes
//	the data, row-major, nothing after it
//
// Images are idx3 (N, H, W), labels idx1 (N).
const idxUbyte = 0x08

var fashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

var mnistClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// parseIDX decodes an (uncompressed) IDX file of unsigned bytes with ndims
// dimensions, returning its sizes and its data (a sub-slice of b).
func parseIDX(b []byte, name string, ndims int) (dims []int, data []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("data: %s: %d bytes, too short for an IDX header (HINT: truncated file)", name, len(b))
	}
	if b[0] != 0 || b[1] != 0 || b[2] != idxUbyte || int(b[3]) != ndims {
		return nil, nil, fmt.Errorf("data: %s: magic number %02x %02x %02x %02x, want 00 00 08 %02x (an IDX file of bytes with %d dimensions)",
			name, b[0], b[1], b[2], b[3], ndims, ndims)
	}
	head := 4 + 4*ndims
	if len(b) < head {
		return nil, nil, fmt.Errorf("data: %s: %d bytes, too short for an IDX header of %d dimensions (HINT: truncated file)", name, len(b), ndims)
	}
	// Multiply the sizes while checking against the bytes present, so a
	// header announcing 2^32 × 2^32 × 2^32 bytes neither overflows nor makes
	// the caller allocate for it.
	data = b[head:]
	dims = make([]int, ndims)
	n := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
		if dims[i] == 0 {
			return nil, nil, fmt.Errorf("data: %s: dimension %d is 0", name, i)
		}
		if n > len(data)/dims[i] { // more than the file holds (and no overflow below)
			return nil, nil, fmt.Errorf("data: %s: header sizes %v need more than the %d data bytes present (HINT: truncated file)",
				name, sizes(b, ndims), len(data))
		}
		n *= dims[i]
	}
	if n != len(data) {
		return nil, nil, fmt.Errorf("data: %s: header sizes %v need %d data bytes, file has %d", name, dims, n, len(data))
	}
	return dims, data, nil
}

// sizes reads the header sizes for an error message.
func sizes(b []byte, ndims int) []uint32 {
	s := make([]uint32, ndims)
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[4+4*i:])
	}
	return s
}

// maybeGunzip returns the decompressed content when b starts with the gzip
// magic number, b itself otherwise.
func maybeGunzip(b []byte, name string) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	// ReadAll grows with the data actually decompressed; the IDX header is
	// only trusted after parseIDX has compared it with this length.
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("data: %s: gzip: %w (HINT: truncated download)", name, err)
	}
	return out, nil
}

// parseIDXPair decodes an image file (idx3, N×H×W) and a label file (idx1, N,
// labels < classes) into a one-channel data set.
func parseIDXPair(imgB, labB []byte, imgName, labName string, classes int) (*Dataset, error) {
	imgB, err := maybeGunzip(imgB, imgName)
	if err != nil {
		return nil, err
	}
	labB, err = maybeGunzip(labB, labName)
	if err != nil {
		return nil, err
	}
	// The pixels of an idx3 file are already N planes of H×W: the CHW layout
	// with C = 1, used in place.
	dims, pix, err := parseIDX(imgB, imgName, 3)
	if err != nil {
		return nil, err
	}
	ldims, lab, err := parseIDX(labB, labName, 1)
	if err != nil {
		return nil, err
	}
	if ldims[0] != dims[0] {
		return nil, fmt.Errorf("data: %s: %d labels, but %s has %d images", labName, ldims[0], imgName, dims[0])
	}
	labels := make([]int, len(lab))
	for i, v := range lab {
		if int(v) >= classes {
			return nil, fmt.Errorf("data: %s: label %d of image %d out of range, want 0..%d", labName, v, i, classes-1)
		}
		labels[i] = int(v)
	}
	return &Dataset{N: dims[0], C: 1, H: dims[1], W: dims[2], Pixels: pix, Labels: labels}, nil
}

// loadIDX reads <prefix>-images-idx3-ubyte[.gz] and
// <prefix>-labels-idx1-ubyte[.gz], prefix "train" or "t10k".
func loadIDX(name, dir, split string) (*Dataset, error) {
	if err := checkSplit(name, split, "train", "test"); err != nil {
		return nil, err
	}
	prefix := map[string]string{"train": "train", "test": "t10k"}[split]
	// read finds base.gz or base (the Debian package ships the .gz files,
	// other mirrors the unpacked ones) and returns its bytes and path.
	read := func(base string) ([]byte, string, error) {
		p := filepath.Join(dir, base)
		for _, q := range []string{p + ".gz", p} {
			if _, err := os.Stat(q); err == nil {
				b, err := readFileExact(q)
				return b, q, err
			}
		}
		hint := "point --data_dir at the directory holding the IDX files"
		if name == "fashion-mnist" {
			hint = "apt-get install dataset-fashion-mnist, or " + hint
		}
		return nil, p, fmt.Errorf("data: %s: neither %s nor %s.gz exists (HINT: %s)", name, p, p, hint)
	}
	imgB, imgName, err := read(prefix + "-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labB, labName, err := read(prefix + "-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	d, err := parseIDXPair(imgB, labB, imgName, labName, 10)
	if err != nil {
		return nil, err
	}
	d.Classes = append([]string(nil), mnistClasses...)
	if name == "fashion-mnist" {
		d.Classes = append([]string(nil), fashionClasses...)
	}
	return d, nil
}
