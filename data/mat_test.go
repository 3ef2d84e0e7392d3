package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// The MAT v5 writer of these tests: enough of MATLAB's save to build the
// files readMAT and parseSVHN must read (both byte orders, small elements,
// compressed variables, numeric data of another type than the class).

// matOrder is a byte order that can append (binary.LittleEndian, BigEndian).
type matOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// matElem is one element: tag, data, zero padding to 8 bytes. Data of at
// most 4 bytes takes the small format when small is set, as save writes
// short names.
func matElem(o matOrder, typ uint32, data []byte, small bool) []byte {
	if small && len(data) <= 4 {
		b := o.AppendUint32(nil, uint32(len(data))<<16|typ)
		return append(b, append(data, make([]byte, 4-len(data))...)...)
	}
	b := o.AppendUint32(nil, typ)
	b = o.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return append(b, make([]byte, (8-len(b)%8)%8)...)
}

// matVar is a miMATRIX element of the given class, dimensions and real
// part (element type typ, bytes data), its flags word or'ed with flags.
func matVar(o matOrder, name string, class, flags uint32, dims []int, typ uint32, data []byte) []byte {
	var body []byte
	body = append(body, matElem(o, miUINT32, o.AppendUint32(o.AppendUint32(nil, class|flags), 0), false)...)
	var d []byte
	for _, v := range dims {
		d = o.AppendUint32(d, uint32(int32(v)))
	}
	body = append(body, matElem(o, miINT32, d, false)...)
	body = append(body, matElem(o, miINT8, []byte(name), true)...)
	body = append(body, matElem(o, typ, data, false)...)
	return matElem(o, miMATRIX, body, false)
}

// matCompressed wraps an element in a miCOMPRESSED one (no padding).
func matCompressed(o matOrder, elem []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(elem)
	zw.Close()
	b := o.AppendUint32(nil, miCOMPRESSED)
	b = o.AppendUint32(b, uint32(z.Len()))
	return append(b, z.Bytes()...)
}

// matFile is the 128-byte header, then the elements.
func matFile(o matOrder, elems ...[]byte) []byte {
	h := make([]byte, matHeader)
	copy(h, "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test")
	for i := 56; i < 116; i++ {
		h[i] = ' '
	}
	o.PutUint16(h[124:], 0x0100)
	if o == matOrder(binary.LittleEndian) {
		copy(h[126:], "IM")
	} else {
		copy(h[126:], "MI")
	}
	for _, e := range elems {
		h = append(h, e...)
	}
	return h
}

// svhnPixel is the value of pixel (y, x) of channel c of image i in the
// synthetic files.
func svhnPixel(i, c, y, x int) uint8 { return uint8(i*7 + c*50 + y*3 + x) }

// svhnMAT builds an SVHN-like file of the labels (1..10) as save writes it:
// X uint8 [32,32,3,N] column-major, y double [N,1] stored as yType
// (miDOUBLE, or miUINT8 as save does for small integers), optionally each
// variable compressed.
func svhnMAT(o matOrder, labels []float64, yType uint32, compressed bool) []byte {
	n := len(labels)
	x := make([]byte, 32*32*3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			for xx := 0; xx < 32; xx++ {
				for y := 0; y < 32; y++ {
					x[y+32*(xx+32*(c+3*i))] = svhnPixel(i, c, y, xx)
				}
			}
		}
	}
	var yb []byte
	for _, v := range labels {
		if yType == miUINT8 {
			yb = append(yb, byte(v))
		} else {
			yb = o.AppendUint64(yb, math.Float64bits(v))
		}
	}
	vx := matVar(o, "X", 9 /* mxUINT8 */, 0, []int{32, 32, 3, n}, miUINT8, x)
	vy := matVar(o, "y", mxDOUBLE, 0, []int{n, 1}, yType, yb)
	if compressed {
		vx, vy = matCompressed(o, vx), matCompressed(o, vy)
	}
	return matFile(o, vx, vy)
}

// TestParseSVHN reads synthetic files in both byte orders, compressed or
// not, with y as doubles or as uint8: every pixel lands at its CHW place and
// label 10 becomes 0.
func TestParseSVHN(t *testing.T) {
	labels := []float64{10, 1, 5}
	for _, c := range []struct {
		name       string
		o          matOrder
		yType      uint32
		compressed bool
	}{
		{"le", binary.LittleEndian, miDOUBLE, false},
		{"be", binary.BigEndian, miDOUBLE, false},
		{"le-compressed-uint8", binary.LittleEndian, miUINT8, true},
		{"be-compressed", binary.BigEndian, miDOUBLE, true},
	} {
		d, err := parseSVHN(svhnMAT(c.o, labels, c.yType, c.compressed), c.name+".mat")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.N != 3 || d.C != 3 || d.H != 32 || d.W != 32 || len(d.Classes) != 10 {
			t.Fatalf("%s: %d×%d×%d×%d, %d classes", c.name, d.N, d.C, d.H, d.W, len(d.Classes))
		}
		if want := []int{0, 1, 5}; d.Labels[0] != want[0] || d.Labels[1] != want[1] || d.Labels[2] != want[2] {
			t.Errorf("%s: labels %v, want %v", c.name, d.Labels, want)
		}
		for i := 0; i < 3; i++ {
			img := d.Image(i)
			for ch := 0; ch < 3; ch++ {
				for y := 0; y < 32; y++ {
					for x := 0; x < 32; x++ {
						if got, want := img[ch*1024+y*32+x], svhnPixel(i, ch, y, x); got != want {
							t.Fatalf("%s: image %d channel %d pixel (%d,%d) = %d, want %d", c.name, i, ch, y, x, got, want)
						}
					}
				}
			}
		}
	}
}

// TestParseSVHNErrors: truncation at every length, foreign files and wrong
// variables are errors naming the file, never panics.
func TestParseSVHNErrors(t *testing.T) {
	o := binary.LittleEndian
	good := svhnMAT(o, []float64{1, 2}, miDOUBLE, false)
	for n := 0; n < len(good); n += 1 + n/64 {
		if _, err := parseSVHN(good[:n], "cut.mat"); err == nil || !strings.Contains(err.Error(), "cut.mat") {
			t.Fatalf("first %d of %d bytes: %v", n, len(good), err)
		}
	}
	comp := svhnMAT(o, []float64{1, 2}, miDOUBLE, true)
	for n := matHeader; n < len(comp); n++ {
		if _, err := parseSVHN(comp[:n], "cut.mat"); err == nil {
			t.Fatalf("compressed, first %d of %d bytes: no error", n, len(comp))
		}
	}
	n := 2
	x := make([]byte, 32*32*3*n)
	yb := o.AppendUint64(o.AppendUint64(nil, math.Float64bits(3)), math.Float64bits(11))
	vx := matVar(o, "X", 9, 0, []int{32, 32, 3, n}, miUINT8, x)
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"text", []byte(strings.Repeat("not a mat file ", 20)), "endian indicator"},
		{"hdf5", append([]byte("\x89HDF\r\n\x1a\n"), make([]byte, 200)...), "v7.3"},
		{"no y", matFile(o, vx), "no variable y"},
		{"label 11", matFile(o, vx, matVar(o, "y", mxDOUBLE, 0, []int{n, 1}, miDOUBLE, yb)), "y(2) = 11"},
		{"y count", matFile(o, vx, matVar(o, "y", mxDOUBLE, 0, []int{1, 1}, miDOUBLE, yb[:8])), "for 2 images"},
		{"X dims", matFile(o, matVar(o, "X", 9, 0, []int{32, 96, n}, miUINT8, x), matVar(o, "y", mxDOUBLE, 0, []int{n, 1}, miDOUBLE, yb)), "want uint8 [32 32 3 N]"},
		{"X cell", matFile(o, matVar(o, "X", mxCELL, 0, []int{1, 1}, miUINT8, []byte{0}), matVar(o, "y", mxDOUBLE, 0, []int{n, 1}, miDOUBLE, yb)), "X is a cell array"},
		{"complex y", matFile(o, vx, matVar(o, "y", mxDOUBLE, matComplex, []int{n, 1}, miDOUBLE, yb)), "y is complex"},
		{"data size", matFile(o, vx, matVar(o, "y", mxDOUBLE, 0, []int{n, 1}, miDOUBLE, yb[:12])), "12 bytes of data"},
		{"bad element", matFile(o, matElem(o, miDOUBLE, yb, false)), "where a variable"},
		{"huge dims", matFile(o, matVar(o, "X", 9, 0, []int{1 << 30, 1 << 30, 1 << 30, 1 << 30}, miUINT8, x)), "bytes of data"},
		{"bad zlib", matFile(o, append(o.AppendUint32(o.AppendUint32(nil, miCOMPRESSED), 4), 1, 2, 3, 4)), "compressed element"},
	} {
		_, err := parseSVHN(c.file, c.name+".mat")
		if err == nil || !strings.Contains(err.Error(), c.name+".mat") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.name, err, c.want)
		}
	}
}

// FuzzMAT: on any input readMAT and parseSVHN return an error or a
// well-formed result, never panic, and every array's data holds exactly its
// values. Run with go test ./data -run '^$' -fuzz '^FuzzMAT$' -fuzztime 30s.
func FuzzMAT(f *testing.F) {
	f.Add(svhnMAT(binary.LittleEndian, []float64{10, 3}, miDOUBLE, false))
	f.Add(svhnMAT(binary.BigEndian, []float64{1}, miUINT8, true))
	f.Add(matFile(binary.LittleEndian, matVar(binary.LittleEndian, "v", 7, 0, []int{1, 1}, miSINGLE, []byte{0, 0, 128, 63})))
	f.Add(make([]byte, matHeader))
	f.Fuzz(func(t *testing.T, b []byte) {
		arrays, _, err := readMAT(b, "fuzz.mat")
		if err == nil {
			for name, a := range arrays {
				if len(a.Data) != a.Numel()*matSize[a.Type] && a.Numel() != 0 {
					t.Fatalf("%s: %d bytes for %v of type %d", name, len(a.Data), a.Dims, a.Type)
				}
				for i := 0; i < min(a.Numel(), 4) && len(a.Data) > 0; i++ {
					a.Float64(i)
				}
			}
		}
		d, err := parseSVHN(b, "fuzz.mat")
		if err != nil {
			return
		}
		if len(d.Pixels) != d.N*3*32*32 || len(d.Labels) != d.N {
			t.Fatalf("%d images: %d pixels, %d labels", d.N, len(d.Pixels), len(d.Labels))
		}
		for _, l := range d.Labels {
			if l < 0 || l > 9 {
				t.Fatalf("label %d", l)
			}
		}
	})
}
