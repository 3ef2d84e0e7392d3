package data_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/data"
)

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err is non-nil and mentions every fragment.
func wantErr(t *testing.T, what string, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("%s: error %q does not mention %q", what, err, f)
		}
	}
}

// cifarPixel is the synthetic value of byte p of image i.
func cifarPixel(i, p int) uint8 { return uint8(i*7 + p*13 + p/1024) }

// cifarRecords returns n records starting at image first, with labelBytes
// label bytes from label(i).
func cifarRecords(first, n int, label func(i int) []byte) []byte {
	var b []byte
	for i := first; i < first+n; i++ {
		b = append(b, label(i)...)
		for p := 0; p < 3072; p++ {
			b = append(b, cifarPixel(i, p))
		}
	}
	return b
}

// writeCIFAR10 writes 5 training files of k records and a test file of k.
func writeCIFAR10(t *testing.T, dir string, k int) {
	lab := func(i int) []byte { return []byte{byte(i % 10)} }
	for f := 1; f <= 5; f++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", f)), cifarRecords((f-1)*k, k, lab))
	}
	writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecords(1000, k, lab))
}

func TestCIFAR10Reader(t *testing.T) {
	dir := t.TempDir()
	writeCIFAR10(t, filepath.Join(dir, "cifar-10-batches-bin"), 3) // the layout the archive unpacks to
	writeFile(t, filepath.Join(dir, "cifar-10-batches-bin", "batches.meta.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"))
	ds, err := data.Load("cifar10", dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 15 || ds.C != 3 || ds.H != 32 || ds.W != 32 || len(ds.Pixels) != 15*3072 {
		t.Fatalf("train: N %d, shape %d×%d×%d, %d bytes", ds.N, ds.C, ds.H, ds.W, len(ds.Pixels))
	}
	for i := 0; i < 15; i++ {
		if ds.Labels[i] != i%10 {
			t.Fatalf("label %d = %d, want %d", i, ds.Labels[i], i%10)
		}
		for _, p := range []int{0, 1, 1023, 1024, 2047, 2048, 3071} {
			if got := ds.Image(i)[p]; got != cifarPixel(i, p) {
				t.Fatalf("image %d byte %d = %d, want %d", i, p, got, cifarPixel(i, p))
			}
		}
	}
	if !slices.Equal(ds.Classes, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
		t.Fatalf("classes from batches.meta.txt: %v", ds.Classes)
	}
	if ds.Name != "cifar10" || !slices.Equal(ds.Mean, []float32{0.4914, 0.4822, 0.4465}) || !slices.Equal(ds.Std, []float32{0.2023, 0.1994, 0.2010}) {
		t.Fatalf("name %q mean %v std %v", ds.Name, ds.Mean, ds.Std)
	}
	te, err := data.Load("cifar10", dir, "test")
	if err != nil || te.N != 3 || te.Image(0)[5] != cifarPixel(1000, 5) {
		t.Fatalf("test split: %v", err)
	}
}

func TestCIFAR10BadInput(t *testing.T) {
	lab := func(i int) []byte { return []byte{byte(i % 10)} }
	dir := t.TempDir()
	writeCIFAR10(t, dir, 2)
	os.Remove(filepath.Join(dir, "data_batch_3.bin"))
	_, err := data.Load("cifar10", dir, "train")
	wantErr(t, "missing file", err, "data_batch_3.bin", "--download")

	dir = t.TempDir()
	writeCIFAR10(t, dir, 2)
	writeFile(t, filepath.Join(dir, "test_batch.bin"), append(cifarRecords(0, 2, lab), 1, 2, 3))
	_, err = data.Load("cifar10", dir, "test")
	wantErr(t, "wrong size", err, "test_batch.bin", "6149 bytes", "3073-byte", "2 whole records and 3 bytes left")

	writeFile(t, filepath.Join(dir, "test_batch.bin"), nil)
	_, err = data.Load("cifar10", dir, "test")
	wantErr(t, "empty file", err, "test_batch.bin", "size 0")

	writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecords(0, 3, func(i int) []byte { return []byte{byte(8 + i)} }))
	_, err = data.Load("cifar10", dir, "test")
	wantErr(t, "label out of range", err, "test_batch.bin", "record 2", "label 10", "0..9")

	writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecords(0, 1, lab))
	writeFile(t, filepath.Join(dir, "batches.meta.txt"), []byte("only\nnine\n3\n4\n5\n6\n7\n8\n9\n"))
	_, err = data.Load("cifar10", dir, "test")
	wantErr(t, "short class list", err, "batches.meta.txt", "9 class names, want 10")

	_, err = data.Load("cifar10", dir, "validation")
	wantErr(t, "unknown split", err, "validation", "train, test")
	_, err = data.Load("imagenet", dir, "train")
	wantErr(t, "unknown data set", err, "imagenet", "cifar10")
}

func TestCIFAR100Reader(t *testing.T) {
	dir := t.TempDir()
	lab := func(i int) []byte { return []byte{byte(i % 20), byte((i * 3) % 100)} }
	writeFile(t, filepath.Join(dir, "train.bin"), cifarRecords(0, 7, lab))
	writeFile(t, filepath.Join(dir, "test.bin"), cifarRecords(50, 4, lab))
	fine, err := data.Load("cifar100", dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	coarse, err := data.Load("cifar20", dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if fine.N != 7 || coarse.N != 7 || len(fine.Classes) != 100 || len(coarse.Classes) != 20 {
		t.Fatalf("N %d/%d, classes %d/%d", fine.N, coarse.N, len(fine.Classes), len(coarse.Classes))
	}
	if fine.Classes[0] != "apple" || fine.Classes[99] != "worm" || coarse.Classes[19] != "vehicles_2" {
		t.Fatalf("built-in class names: %q %q %q", fine.Classes[0], fine.Classes[99], coarse.Classes[19])
	}
	for i := 0; i < 7; i++ {
		if fine.Labels[i] != (i*3)%100 || coarse.Labels[i] != i%20 || fine.Image(i)[100] != cifarPixel(i, 100) {
			t.Fatalf("image %d: fine %d coarse %d", i, fine.Labels[i], coarse.Labels[i])
		}
	}
	te, err := data.Load("cifar20", dir, "test")
	if err != nil || te.N != 4 || te.Labels[0] != 50%20 {
		t.Fatalf("cifar20 test: %v", err)
	}
	writeFile(t, filepath.Join(dir, "test.bin"), cifarRecords(0, 2, func(i int) []byte { return []byte{byte(19 + i), 0} }))
	_, err = data.Load("cifar20", dir, "test")
	wantErr(t, "coarse label 20", err, "test.bin", "label 20", "0..19")
	writeFile(t, filepath.Join(dir, "test.bin"), cifarRecords(0, 1, func(int) []byte { return []byte{0, 100} }))
	_, err = data.Load("cifar100", dir, "test")
	wantErr(t, "fine label 100", err, "test.bin", "label 100", "0..99")
	writeFile(t, filepath.Join(dir, "test.bin"), cifarRecords(0, 1, func(int) []byte { return []byte{0} })) // a CIFAR-10 record
	_, err = data.Load("cifar100", dir, "test")
	wantErr(t, "CIFAR-10 record in CIFAR-100", err, "test.bin", "3074-byte")
}

// stlValue is the synthetic pixel (c, y, x) of image i.
func stlValue(i, c, y, x int) uint8 { return uint8(c*31 + y*7 + x*3 + i*11) }

// stlImages encodes n images starting at first, planes column-major.
func stlImages(first, n int) []byte {
	b := make([]byte, n*27648)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			for y := 0; y < 96; y++ {
				for x := 0; x < 96; x++ {
					b[i*27648+c*9216+x*96+y] = stlValue(first+i, c, y, x)
				}
			}
		}
	}
	return b
}

func TestSTL10Reader(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "stl10_binary")
	writeFile(t, filepath.Join(dir, "train_X.bin"), stlImages(0, 3))
	writeFile(t, filepath.Join(dir, "train_y.bin"), []byte{1, 10, 4})
	writeFile(t, filepath.Join(dir, "test_X.bin"), stlImages(10, 2))
	writeFile(t, filepath.Join(dir, "test_y.bin"), []byte{2, 3})
	writeFile(t, filepath.Join(dir, "unlabeled_X.bin"), stlImages(20, 2))
	ds, err := data.Load("stl10", root, "train+unlabeled")
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 5 || ds.C != 3 || ds.H != 96 || ds.W != 96 || !slices.Equal(ds.Labels, []int{0, 9, 3, -1, -1}) {
		t.Fatalf("train+unlabeled: N %d labels %v", ds.N, ds.Labels)
	}
	lab, err := data.Load("stl10", root, "train+test")
	if err != nil {
		t.Fatal(err)
	}
	if lab.N != 5 || !slices.Equal(lab.Labels, []int{0, 9, 3, 1, 2}) || lab.Image(3)[0] != stlValue(10, 0, 0, 0) {
		t.Fatalf("train+test: N %d labels %v", lab.N, lab.Labels)
	}
	first := []int{0, 1, 2, 20, 21}
	for i := 0; i < 5; i++ {
		for _, p := range [][3]int{{0, 0, 0}, {0, 0, 1}, {1, 5, 90}, {2, 95, 3}, {2, 95, 95}} {
			got := ds.Image(i)[p[0]*9216+p[1]*96+p[2]]
			if want := stlValue(first[i], p[0], p[1], p[2]); got != want {
				t.Fatalf("image %d pixel %v = %d, want %d (column-major planes not transposed?)", i, p, got, want)
			}
		}
	}
	if ds.Classes[7] != "monkey" {
		t.Fatalf("classes %v", ds.Classes)
	}
	te, err := data.Load("stl10", dir, "test")
	if err != nil || te.N != 2 || !slices.Equal(te.Labels, []int{1, 2}) {
		t.Fatalf("test split: %v", err)
	}
	un, err := data.Load("stl10", dir, "unlabeled")
	if err != nil || un.N != 2 || un.Labels[0] != -1 {
		t.Fatalf("unlabeled split: %v", err)
	}
	// Bad input.
	writeFile(t, filepath.Join(dir, "test_y.bin"), []byte{2, 3, 4})
	_, err = data.Load("stl10", dir, "test")
	wantErr(t, "label count", err, "test_y.bin", "3 labels, want 2")
	writeFile(t, filepath.Join(dir, "test_y.bin"), []byte{2, 11})
	_, err = data.Load("stl10", dir, "test")
	wantErr(t, "label 11", err, "test_y.bin", "label 11", "1..10")
	writeFile(t, filepath.Join(dir, "test_y.bin"), []byte{0, 1})
	_, err = data.Load("stl10", dir, "test")
	wantErr(t, "label 0", err, "test_y.bin", "label 0")
	writeFile(t, filepath.Join(dir, "test_X.bin"), stlImages(0, 2)[:27648+100])
	_, err = data.Load("stl10", dir, "test")
	wantErr(t, "truncated images", err, "test_X.bin", "27748 bytes", "1 whole images and 100 bytes left")
	os.Remove(filepath.Join(dir, "unlabeled_X.bin"))
	_, err = data.Load("stl10", dir, "unlabeled")
	wantErr(t, "missing unlabeled", err, "unlabeled_X.bin", "--download")
}

// idxFile encodes an IDX file of bytes.
func idxFile(dims []int, payload []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, payload...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestIDXReader(t *testing.T) {
	pix := make([]byte, 4*5*6)
	for i := range pix {
		pix[i] = byte(i * 3)
	}
	labels := []byte{9, 0, 3, 3}
	for _, zip := range []bool{true, false} {
		dir := t.TempDir()
		img, lab, suffix := idxFile([]int{4, 5, 6}, pix), idxFile([]int{4}, labels), ""
		if zip {
			img, lab, suffix = gz(img), gz(lab), ".gz"
		}
		writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte"+suffix), img)
		writeFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"+suffix), lab)
		ds, err := data.Load("fashion-mnist", dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		if ds.N != 4 || ds.C != 1 || ds.H != 5 || ds.W != 6 || !bytes.Equal(ds.Pixels, pix) || !slices.Equal(ds.Labels, []int{9, 0, 3, 3}) {
			t.Fatalf("gzip %v: N %d %dx%dx%d labels %v", zip, ds.N, ds.C, ds.H, ds.W, ds.Labels)
		}
		if ds.Classes[9] != "Ankle boot" || ds.Mean[0] != 0.2860 || ds.Std[0] != 0.3530 {
			t.Fatalf("classes %v mean %v std %v", ds.Classes, ds.Mean, ds.Std)
		}
		mn, err := data.Load("mnist", dir, "test")
		if err != nil || mn.Classes[9] != "9" || mn.Mean[0] != 0.1307 {
			t.Fatalf("mnist: %v", err)
		}
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "train-images-idx3-ubyte")
	lab := filepath.Join(dir, "train-labels-idx1-ubyte")
	_, err := data.Load("fashion-mnist", dir, "train")
	wantErr(t, "missing", err, "train-images-idx3-ubyte", "apt-get install dataset-fashion-mnist")
	cases := []struct {
		name     string
		img, lab []byte
		frags    []string
	}{
		{"bad magic", append([]byte{0, 0, 8, 1}, idxFile([]int{4, 5, 6}, pix)[4:]...), idxFile([]int{4}, labels), []string{"magic number 00 00 08 01", "want 00 00 08 03"}},
		{"wrong type", append([]byte{0, 0, 0x0d, 3}, idxFile([]int{4, 5, 6}, pix)[4:]...), idxFile([]int{4}, labels), []string{"magic number 00 00 0d 03"}},
		{"truncated data", idxFile([]int{4, 5, 6}, pix[:100]), idxFile([]int{4}, labels), []string{"train-images-idx3-ubyte", "need more than the 100 data bytes"}},
		{"extra data", idxFile([]int{4, 5, 6}, append(pix, 1)), idxFile([]int{4}, labels), []string{"need 120 data bytes, file has 121"}},
		{"short header", []byte{0, 0, 8, 3, 0, 0}, idxFile([]int{4}, labels), []string{"too short for an IDX header of 3"}},
		{"huge dims", idxFile([]int{1 << 30, 1 << 30, 1 << 30}, pix), idxFile([]int{4}, labels), []string{"need more than the 120 data bytes"}},
		{"count mismatch", idxFile([]int{4, 5, 6}, pix), idxFile([]int{3}, labels[:3]), []string{"3 labels", "has 4 images"}},
		{"label 10", idxFile([]int{4, 5, 6}, pix), idxFile([]int{4}, []byte{1, 2, 10, 3}), []string{"train-labels-idx1-ubyte", "label 10 of image 2", "0..9"}},
		{"truncated gzip", gz(idxFile([]int{4, 5, 6}, pix))[:40], idxFile([]int{4}, labels), []string{"train-images-idx3-ubyte", "gzip"}},
	}
	for _, c := range cases {
		writeFile(t, img, c.img)
		writeFile(t, lab, c.lab)
		_, err := data.Load("fashion-mnist", dir, "train")
		wantErr(t, c.name, err, c.frags...)
	}
}

// pngBytes encodes img as PNG.
func pngBytes(t *testing.T, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFolderReader(t *testing.T) {
	root := t.TempDir()
	// Class "b_cats": an NRGBA image whose pixel (y,x) = (10y+x, 100+x, 200-y, alpha 128).
	nrgba := image.NewNRGBA(image.Rect(0, 0, 5, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 5; x++ {
			nrgba.SetNRGBA(x, y, color.NRGBA{uint8(10*y + x), uint8(100 + x), uint8(200 - y), 128})
		}
	}
	writeFile(t, filepath.Join(root, "b_cats", "1.png"), pngBytes(t, nrgba))
	// Class "a_dogs": a grey PNG and a JPEG, both 5×4; a PNG of 10×8 (fitted by resizing);
	// a text file that is ignored.
	gray := image.NewGray(image.Rect(0, 0, 5, 4))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 9)
	}
	writeFile(t, filepath.Join(root, "a_dogs", "g.PNG"), pngBytes(t, gray))
	opaque := image.NewNRGBA(nrgba.Rect) // JPEG has no alpha; its encoder would premultiply
	copy(opaque.Pix, nrgba.Pix)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, opaque, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "a_dogs", "j.jpg"), jb.Bytes())
	big := image.NewNRGBA(image.Rect(0, 0, 10, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 10; x++ {
			big.SetNRGBA(x, y, color.NRGBA{77, 88, 99, 255}) // constant: survives resizing exactly
		}
	}
	writeFile(t, filepath.Join(root, "a_dogs", "z_big.png"), pngBytes(t, big))
	writeFile(t, filepath.Join(root, "a_dogs", "notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(root, "stray.png"), pngBytes(t, gray)) // ignored: class folders exist

	ds, err := data.Load("folder", root, "train")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes, []string{"a_dogs", "b_cats"}) || !slices.Equal(ds.Labels, []int{0, 0, 0, 1}) {
		t.Fatalf("classes %v labels %v", ds.Classes, ds.Labels)
	}
	if ds.N != 4 || ds.C != 3 || ds.H != 4 || ds.W != 5 {
		t.Fatalf("N %d shape %dx%dx%d", ds.N, ds.C, ds.H, ds.W)
	}
	g := ds.Image(0)
	for i := 0; i < 20; i++ {
		if g[i] != uint8(i*9) || g[20+i] != uint8(i*9) || g[40+i] != uint8(i*9) {
			t.Fatalf("grey image pixel %d: %d %d %d, want %d repeated", i, g[i], g[20+i], g[40+i], i*9)
		}
	}
	c := ds.Image(3)
	for y := 0; y < 4; y++ {
		for x := 0; x < 5; x++ {
			if c[y*5+x] != uint8(10*y+x) || c[20+y*5+x] != uint8(100+x) || c[40+y*5+x] != uint8(200-y) {
				t.Fatalf("NRGBA pixel (%d,%d): alpha must be dropped, colour kept", y, x)
			}
		}
	}
	j := ds.Image(1)
	if d := int(j[20+3]) - (100 + 3); d < -12 || d > 12 { // JPEG is lossy: near the source
		t.Fatalf("JPEG green (0,3) = %d, want about 103", j[23])
	}
	b := ds.Image(2)
	for i := 0; i < 20; i++ {
		if b[i] != 77 || b[20+i] != 88 || b[40+i] != 99 {
			t.Fatalf("resized constant image pixel %d: %d %d %d", i, b[i], b[20+i], b[40+i])
		}
	}
	if len(ds.Mean) != 3 || len(ds.Std) != 3 || ds.Std[0] <= 0 {
		t.Fatalf("computed mean %v std %v", ds.Mean, ds.Std)
	}

	// A flat folder: unlabeled.
	flat := t.TempDir()
	writeFile(t, filepath.Join(flat, "a.png"), pngBytes(t, gray))
	writeFile(t, filepath.Join(flat, "b.png"), pngBytes(t, nrgba))
	fd, err := data.Load("folder", flat, "test")
	if err != nil || fd.N != 2 || !slices.Equal(fd.Labels, []int{-1, -1}) || len(fd.Classes) != 0 {
		t.Fatalf("flat folder: %v %+v", err, fd)
	}
	// root/<split> is used when present.
	split := t.TempDir()
	writeFile(t, filepath.Join(split, "train", "x", "a.png"), pngBytes(t, gray))
	writeFile(t, filepath.Join(split, "test", "x", "a.png"), pngBytes(t, gray))
	writeFile(t, filepath.Join(split, "test", "y", "a.png"), pngBytes(t, gray))
	sd, err := data.Load("folder", split, "test")
	if err != nil || sd.N != 2 || !slices.Equal(sd.Classes, []string{"x", "y"}) {
		t.Fatalf("split folder: %v", err)
	}
	// Bad input.
	_, err = data.Load("folder", t.TempDir(), "train")
	wantErr(t, "empty folder", err, "no *.png")
	_, err = data.Load("folder", "", "train")
	wantErr(t, "no dir", err, "--data_dir")
	writeFile(t, filepath.Join(flat, "c.png"), []byte("\x89PNG garbage"))
	_, err = data.Load("folder", flat, "train")
	wantErr(t, "corrupt image", err, "c.png")
}

// TestSharedCIFAR10 loads the real CIFAR-10 of ../shared/data/cifar10 and
// checks the facts its README publishes.
func TestSharedCIFAR10(t *testing.T) {
	dir := filepath.Join(sharedDir(), "data", "cifar10")
	needPath(t, filepath.Join(dir, "test_batch.bin"), "CIFAR-10 in ../shared/data/cifar10")
	tr, err := data.Load("cifar10", dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	te, err := data.Load("cifar10", dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 50000 || te.N != 10000 {
		t.Fatalf("%d train, %d test images", tr.N, te.N)
	}
	for l, n := range tr.ClassCounts() {
		if n != 5000 {
			t.Errorf("train class %d (%s): %d images, want 5000", l, tr.Classes[l], n)
		}
	}
	for l, n := range te.ClassCounts() {
		if n != 1000 {
			t.Errorf("test class %d: %d images, want 1000", l, n)
		}
	}
	// README: data_batch_1 record 0 (label 6, R starts 59 43 50, B ends 140 84 72), record
	// 9999 (R starts 62 61 60, B ends 130 130 131), test record 0 (label 3, R 158 159 165,
	// B ends 124 129 110).
	for _, k := range []struct {
		ds           *data.Dataset
		i, label     int
		rHead, bTail []uint8
	}{
		{tr, 0, 6, []uint8{59, 43, 50}, []uint8{140, 84, 72}},
		{tr, 9999, -1, []uint8{62, 61, 60}, []uint8{130, 130, 131}},
		{te, 0, 3, []uint8{158, 159, 165}, []uint8{124, 129, 110}},
	} {
		img := k.ds.Image(k.i)
		if !bytes.Equal(img[:3], k.rHead) || !bytes.Equal(img[3069:], k.bTail) || (k.label >= 0 && k.ds.Labels[k.i] != k.label) {
			t.Errorf("image %d: R head %v, B tail %v, label %d", k.i, img[:3], img[3069:], k.ds.Labels[k.i])
		}
	}
	if tr.Classes[0] != "airplane" || tr.Classes[9] != "truck" {
		t.Errorf("classes %v", tr.Classes)
	}
	// The published mean (0.4914, 0.4822, 0.4465) is the pixel mean of the training set:
	// it holds only when the planes are read in R, G, B order.
	for c, want := range []float64{0.4914, 0.4822, 0.4465} {
		s := 0.0
		for i := 0; i < tr.N; i++ {
			for _, v := range tr.Image(i)[c*1024 : (c+1)*1024] {
				s += float64(v)
			}
		}
		if m := s / float64(tr.N*1024) / 255; m < want-5e-4 || m > want+5e-4 {
			t.Errorf("channel %d mean %.4f, want %.4f", c, m, want)
		}
	}
}

// TestSystemFashionMNIST loads Fashion-MNIST from Debian's
// dataset-fashion-mnist package, the default place.
func TestSystemFashionMNIST(t *testing.T) {
	dir := data.DefaultDir("fashion-mnist")
	needPath(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), "Fashion-MNIST (apt-get install dataset-fashion-mnist)")
	tr, err := data.Load("fashion-mnist", "", "train")
	if err != nil {
		t.Fatal(err)
	}
	te, err := data.Load("fashion-mnist", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 60000 || te.N != 10000 || tr.C != 1 || tr.H != 28 || tr.W != 28 {
		t.Fatalf("%d train, %d test, %dx%dx%d", tr.N, te.N, tr.C, tr.H, tr.W)
	}
	for l, n := range tr.ClassCounts() {
		if n != 6000 {
			t.Errorf("train class %d: %d images, want 6000", l, n)
		}
	}
	for l, n := range te.ClassCounts() {
		if n != 1000 {
			t.Errorf("test class %d: %d images, want 1000", l, n)
		}
	}
	// The first training and test images are both ankle boots (label 9).
	if tr.Labels[0] != 9 || te.Labels[0] != 9 {
		t.Errorf("first labels %d, %d, want 9, 9", tr.Labels[0], te.Labels[0])
	}
	// The normalisation constants 0.2860 / 0.3530 are the pixel mean / std of the training set.
	s, s2 := 0.0, 0.0
	for _, v := range tr.Pixels {
		x := float64(v) / 255
		s += x
		s2 += x * x
	}
	n := float64(len(tr.Pixels))
	m := s / n
	sd := s2/n - m*m
	if m < 0.2860-5e-4 || m > 0.2860+5e-4 || sd < 0.3530*0.3530-1e-3 || sd > 0.3530*0.3530+1e-3 {
		t.Errorf("pixel mean %.4f, variance %.4f; want 0.2860, 0.3530²", m, sd)
	}
}
