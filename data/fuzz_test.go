package data

// Fuzz tests of every binary parser: on any input they return an error or a
// well-formed result, never panic or allocate without bound. Run one with
//
//	go test ./data -run '^$' -fuzz '^FuzzCIFAR$' -fuzztime 30s
//
// The f.Add calls are the seed corpus: a valid file and near misses.

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func FuzzCIFAR(f *testing.F) {
	rec10 := make([]byte, 3073)
	rec10[0] = 9
	rec100 := make([]byte, 2*3074)
	rec100[0], rec100[1], rec100[3074], rec100[3075] = 19, 99, 3, 42
	f.Add(rec10, false)
	f.Add(rec100, true)
	f.Add(rec10[:3072], false)
	f.Add(append([]byte{10}, rec10[1:]...), false)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, b []byte, hundred bool) {
		lb, classes := 1, 10
		if hundred {
			lb, classes = 2, 100
		}
		pix, labels, err := parseCIFAR(b, "fuzz.bin", lb, lb-1, classes)
		if err != nil {
			return
		}
		rec := lb + 3072
		if len(b)%rec != 0 || len(labels) != len(b)/rec || len(pix) != len(labels)*3072 {
			t.Fatalf("%d bytes gave %d labels, %d pixels", len(b), len(labels), len(pix))
		}
		for i, l := range labels {
			if l < 0 || l >= classes || int(b[i*rec+lb-1]) != l {
				t.Fatalf("label %d of record %d", l, i)
			}
			if !bytes.Equal(pix[i*3072:(i+1)*3072], b[i*rec+lb:(i+1)*rec]) {
				t.Fatalf("record %d pixels not copied", i)
			}
		}
	})
}

// idxBytes builds an IDX file of bytes for the seed corpus.
func idxBytes(dims []int, payload []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, payload...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func FuzzIDX(f *testing.F) {
	img := idxBytes([]int{2, 3, 4}, make([]byte, 24))
	lab := idxBytes([]int{2}, []byte{1, 9})
	f.Add(img, lab)
	f.Add(gzipped(img), gzipped(lab))
	f.Add(img[:20], lab)
	f.Add(idxBytes([]int{1 << 31, 1 << 31, 2}, nil), lab)
	f.Add(img, idxBytes([]int{2}, []byte{1, 10}))
	f.Add([]byte{0x1f, 0x8b, 8, 0}, lab)
	f.Fuzz(func(t *testing.T, imgB, labB []byte) {
		d, err := parseIDXPair(imgB, labB, "img", "lab", 10)
		if err != nil {
			return
		}
		if d.N <= 0 || d.C != 1 || d.H <= 0 || d.W <= 0 || len(d.Pixels) != d.N*d.H*d.W || len(d.Labels) != d.N {
			t.Fatalf("inconsistent data set: N %d %dx%d, %d pixels, %d labels", d.N, d.H, d.W, len(d.Pixels), len(d.Labels))
		}
		for _, l := range d.Labels {
			if l < 0 || l >= 10 {
				t.Fatalf("label %d", l)
			}
		}
	})
}

// FuzzSTL10 builds the *_X.bin bytes from a short pattern (images whole
// images plus extra bytes, the pattern repeated) so the mutator works on
// small inputs while the parser still sees 27,648-byte images.
func FuzzSTL10(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint8(1), int16(0), []byte{1})
	f.Add([]byte{7}, uint8(2), int16(0), []byte{10, 3})
	f.Add([]byte{}, uint8(1), int16(5), []byte{1})
	f.Add([]byte{9, 9}, uint8(1), int16(-1), []byte{0})
	f.Add([]byte{}, uint8(0), int16(0), []byte{})
	f.Fuzz(func(t *testing.T, pattern []byte, images uint8, extra int16, yb []byte) {
		size := max(int(images%4)*stlPixels+int(extra), 0)
		xb := make([]byte, size)
		for i := range xb {
			if len(pattern) > 0 {
				xb[i] = pattern[i%len(pattern)] + byte(i/len(pattern))
			}
		}
		n, err := stlCount(int64(len(xb)), "x.bin")
		if err != nil {
			if size > 0 && size%stlPixels == 0 {
				t.Fatalf("%d bytes (whole images) refused: %v", size, err)
			}
			return
		}
		dst := make([]uint8, n*stlPixels)
		if err := readSTLImages(bytes.NewReader(xb), n, "x.bin", dst); err != nil {
			t.Fatalf("a whole number of images failed to read: %v", err)
		}
		if n > 0 && readSTLImages(bytes.NewReader(xb[:len(xb)-1]), n, "x.bin", dst) == nil {
			t.Fatal("a truncated file read without error")
		}
		// Spot-check the transposition: pixel (y, x) of plane c is byte x*96 + y.
		for _, p := range [][3]int{{0, 0, 0}, {0, 3, 90}, {2, 95, 1}} {
			if dst[p[0]*stlPlane+p[1]*96+p[2]] != xb[p[0]*stlPlane+p[2]*96+p[1]] {
				t.Fatalf("pixel %v not transposed", p)
			}
		}
		labels, err := parseSTLLabels(yb, "y.bin", n)
		if err != nil {
			return
		}
		for i, l := range labels {
			if l < 0 || l > 9 || int(yb[i]) != l+1 {
				t.Fatalf("label %d from byte %d", l, yb[i])
			}
		}
	})
}

func FuzzImage(f *testing.F) {
	m := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	m.Set(1, 1, color.NRGBA{1, 2, 3, 4})
	var buf bytes.Buffer
	png.Encode(&buf, m)
	f.Add(buf.Bytes())
	g := image.NewGray(image.Rect(0, 0, 2, 5))
	buf.Reset()
	png.Encode(&buf, g)
	f.Add(buf.Bytes())
	f.Add([]byte("\xff\xd8\xff\xe0 not really a jpeg"))
	maxImagePixels = 1 << 16 // keep each execution small
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := decodeImage(b, "fuzz.png")
		if err != nil {
			return
		}
		r := img.Bounds()
		if r.Dx() <= 0 || r.Dy() <= 0 {
			t.Fatalf("empty image %v decoded without error", r)
		}
		dst := make([]uint8, 3*r.Dx()*r.Dy())
		toCHW(dst, img)
		small := make([]uint8, 3*2*3)
		fit(small, img, 2, 3) // resizing any decoded image works too
	})
}
