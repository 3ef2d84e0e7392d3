package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// MATLAB Level 5 MAT-files (MathWorks, "MAT-File Format", the v5/v7 layout
// save writes), only as far as SVHN's files need: numeric, real, full
// arrays, uncompressed or inside miCOMPRESSED (zlib) elements.
//
//	header   128 bytes: 116 text, 8 subsystem offset, 2 version (0x0100),
//	         2 endian indicator "IM" (little-endian) or "MI" (big-endian)
//	element  tag: uint32 type, uint32 byte count, then the data, padded to
//	         8 bytes; or the small format: one uint32 with the count in its
//	         upper and the type in its lower 16 bits, then 4 bytes of data
//	miMATRIX (14) sub-elements: array flags (miUINT32 ×2: class in the low
//	         byte of the first, complex 0x0800), dimensions (miINT32 ×ndims),
//	         name (miINT8), real part (any numeric type, whatever the class:
//	         save may store a double array as miUINT8 when its values fit)
//	miCOMPRESSED (15): a zlib stream holding one element; no padding
//
// The data of an array is stored column-major (first index fastest).
// Every length is checked against the bytes that hold it, so a truncated
// or foreign file is an error, never a panic or an allocation beyond the
// file's size (or, for zlib, 1032 times it: deflate's largest expansion).

// MAT element types (miXXX) and array classes (mxXXX_CLASS) read here.
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15

	mxCELL   = 1
	mxSTRUCT = 2
	mxOBJECT = 3
	mxCHAR   = 4
	mxSPARSE = 5
	mxDOUBLE = 6
	mxUINT64 = 15

	matHeader  = 128
	matComplex = 0x0800
	// zlibMaxRatio bounds a decompressed element: deflate's stored output
	// is at most about 1032 times its input (258-byte matches in 2-bit codes).
	zlibMaxRatio = 1032
)

// matSize is the byte size of one value of each numeric element type.
var matSize = map[uint32]int{
	miINT8: 1, miUINT8: 1, miINT16: 2, miUINT16: 2, miINT32: 4, miUINT32: 4,
	miSINGLE: 4, miDOUBLE: 8, miINT64: 8, miUINT64: 8,
}

// matArray is one variable of a MAT file: a real numeric array.
type matArray struct {
	Name  string
	Class int   // mxXXX_CLASS
	Dims  []int // MATLAB's dimensions (column-major)
	Type  uint32
	Data  []byte // Numel values of Type, in the file's byte order
	order binary.ByteOrder
}

// Numel is the product of the dimensions.
func (a *matArray) Numel() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// Float64 returns value i converted to float64.
func (a *matArray) Float64(i int) float64 {
	b := a.Data[i*matSize[a.Type]:]
	o := a.order
	switch a.Type {
	case miINT8:
		return float64(int8(b[0]))
	case miUINT8:
		return float64(b[0])
	case miINT16:
		return float64(int16(o.Uint16(b)))
	case miUINT16:
		return float64(o.Uint16(b))
	case miINT32:
		return float64(int32(o.Uint32(b)))
	case miUINT32:
		return float64(o.Uint32(b))
	case miSINGLE:
		return float64(math.Float32frombits(o.Uint32(b)))
	case miDOUBLE:
		return math.Float64frombits(o.Uint64(b))
	case miINT64:
		return float64(int64(o.Uint64(b)))
	}
	return float64(o.Uint64(b)) // miUINT64
}

// readMAT returns the numeric arrays of a MAT v5 file b by name; name (the
// file's path) is for errors. Variables of other kinds (cells, structs,
// strings, sparse or complex arrays) are returned in skipped with their
// class, so that a caller can say why a wanted one is unusable.
func readMAT(b []byte, name string) (arrays map[string]*matArray, skipped map[string]string, err error) {
	if len(b) < matHeader {
		return nil, nil, fmt.Errorf("data: %s: %d bytes, shorter than the 128-byte MAT-file header (HINT: truncated or not a .mat file)", name, len(b))
	}
	var order binary.ByteOrder
	switch string(b[126:128]) {
	case "IM":
		order = binary.LittleEndian
	case "MI":
		order = binary.BigEndian
	default:
		hint := "not a MATLAB v5/v7 file"
		if bytes.HasPrefix(b, []byte("\x89HDF")) || bytes.Contains(b[:min(len(b), 1024)], []byte("HDF")) {
			hint = "a v7.3 (HDF5) file: re-save it with save(..., '-v7')"
		}
		return nil, nil, fmt.Errorf("data: %s: no MAT v5 endian indicator at byte 126 (found %q; HINT: %s)", name, b[126:128], hint)
	}
	if v := order.Uint16(b[124:126]); v != 0x0100 {
		return nil, nil, fmt.Errorf("data: %s: MAT-file version %#04x, want 0x0100 (v5)", name, v)
	}
	r := &matReader{order: order, name: name, arrays: map[string]*matArray{}, skipped: map[string]string{}}
	if err := r.elements(b[matHeader:], matHeader, true); err != nil {
		return nil, nil, err
	}
	return r.arrays, r.skipped, nil
}

type matReader struct {
	order   binary.ByteOrder
	name    string
	arrays  map[string]*matArray
	skipped map[string]string
}

func (r *matReader) fail(at int, format string, args ...any) error {
	return fmt.Errorf("data: %s: byte %d: %s", r.name, at, fmt.Sprintf(format, args...))
}

// tag decodes the element tag at b[0:], returning the type, the data and
// the bytes the element takes (tag, data and padding). at is b's offset in
// the file (or in the decompressed stream) for errors.
func (r *matReader) tag(b []byte, at int) (typ uint32, data []byte, size int, err error) {
	if len(b) < 8 { // a small element takes 8 bytes too
		return 0, nil, 0, r.fail(at, "%d bytes left, want an 8-byte element tag (HINT: truncated file)", len(b))
	}
	w := r.order.Uint32(b)
	if n := w >> 16; n != 0 { // small data element: up to 4 bytes of data in the tag
		if n > 4 {
			return 0, nil, 0, r.fail(at, "small element of %d bytes, at most 4 fit", n)
		}
		return w & 0xffff, b[4 : 4+n], 8, nil
	}
	n := uint64(r.order.Uint32(b[4:]))
	if n > uint64(len(b)-8) {
		return 0, nil, 0, r.fail(at, "element of type %d holds %d bytes, only %d are left (HINT: truncated file, re-download)", w, n, len(b)-8)
	}
	size = 8 + int(n)
	if w != miCOMPRESSED { // compressed elements are not padded
		size = min(len(b), (size+7)&^7)
	}
	return w, b[8 : 8+n], size, nil
}

// elements reads the top-level elements of b: matrices, compressed
// matrices (top only: a compressed element inside one is refused).
func (r *matReader) elements(b []byte, at int, top bool) error {
	for len(b) > 0 {
		if top && len(b) < 8 && allZero(b) { // trailing padding
			return nil
		}
		typ, data, size, err := r.tag(b, at)
		if err != nil {
			return err
		}
		switch {
		case typ == miMATRIX:
			if err := r.matrix(data, at+8); err != nil {
				return err
			}
		case typ == miCOMPRESSED && top:
			raw, err := inflate(data, len(data)*zlibMaxRatio)
			if err != nil {
				return r.fail(at, "compressed element: %v (HINT: corrupted file)", err)
			}
			if err := r.elements(raw, 0, false); err != nil {
				return err
			}
		default:
			return r.fail(at, "element of type %d where a variable (miMATRIX %d or miCOMPRESSED %d) should be", typ, miMATRIX, miCOMPRESSED)
		}
		b, at = b[size:], at+size
	}
	return nil
}

// inflate decompresses a zlib stream of at most limit bytes.
func inflate(b []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(limit) {
		return nil, errors.New("decompresses to more than 1032 times its size")
	}
	return out.Bytes(), nil
}

// matrix reads one miMATRIX element's sub-elements.
func (r *matReader) matrix(b []byte, at int) error {
	if len(b) == 0 {
		return nil // an empty element (save writes some for empty values)
	}
	// flags, dimensions, name; what follows depends on the class.
	var sub [3][]byte
	var types [3]uint32
	for i := range sub {
		typ, data, size, err := r.tag(b, at)
		if err != nil {
			return err
		}
		sub[i], types[i] = data, typ
		b, at = b[size:], at+size
	}
	if types[0] != miUINT32 || len(sub[0]) != 8 {
		return r.fail(at, "array flags are type %d of %d bytes, want miUINT32 of 8", types[0], len(sub[0]))
	}
	flags := r.order.Uint32(sub[0])
	class := int(flags & 0xff)
	if types[1] != miINT32 || len(sub[1]) < 8 || len(sub[1])%4 != 0 {
		return r.fail(at, "dimensions are type %d of %d bytes, want miINT32, at least 2 of them", types[1], len(sub[1]))
	}
	dims := make([]int, len(sub[1])/4)
	const huge = 1 << 50 // more values than any file holds: fails the size check below
	numel := uint64(1)
	for i := range dims {
		d := int32(r.order.Uint32(sub[1][4*i:]))
		if d < 0 {
			return r.fail(at, "dimension %d is %d", i, d)
		}
		dims[i] = int(d)
		if numel != 0 && uint64(d) > huge/numel {
			numel = huge
		} else {
			numel *= uint64(d)
		}
	}
	if types[2] != miINT8 {
		return r.fail(at, "array name is type %d, want miINT8", types[2])
	}
	varName := string(sub[2])
	switch {
	case class == mxCELL, class == mxSTRUCT, class == mxOBJECT, class == mxCHAR, class == mxSPARSE:
		r.skipped[varName] = map[int]string{mxCELL: "a cell array", mxSTRUCT: "a struct", mxOBJECT: "an object",
			mxCHAR: "a char array", mxSPARSE: "a sparse array"}[class]
		return nil
	case class < mxDOUBLE || class > mxUINT64:
		r.skipped[varName] = fmt.Sprintf("of array class %d", class)
		return nil
	case flags&matComplex != 0:
		r.skipped[varName] = "complex"
		return nil
	}
	if numel == 0 {
		r.arrays[varName] = &matArray{Name: varName, Class: class, Dims: dims, Type: miUINT8, order: r.order}
		return nil
	}
	typ, data, _, err := r.tag(b, at)
	if err != nil {
		return err
	}
	sz, ok := matSize[typ]
	if !ok {
		return r.fail(at, "variable %q: real part of element type %d, want a numeric type", varName, typ)
	}
	if uint64(len(data)) != numel*uint64(sz) {
		return r.fail(at, "variable %q: %d bytes of data for %v values of %d bytes (HINT: truncated or corrupted file)", varName, len(data), dims, sz)
	}
	r.arrays[varName] = &matArray{Name: varName, Class: class, Dims: dims, Type: typ, Data: data, order: r.order}
	return nil
}

func allZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
