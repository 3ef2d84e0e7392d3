package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxHeader is the largest header accepted, in bytes: the reference
// implementation's MAX_HEADER_SIZE. Real headers are well under 10 MB.
const maxHeader = 100_000_000

// metadataKey is the reserved header key holding the string → string metadata.
const metadataKey = "__metadata__"

// Tensor is one named array of a checkpoint. Exactly one of F32 and I64 holds
// the data, len = product of Shape (1 for the scalar Shape []), row-major.
type Tensor struct {
	DType     string    // "F32" (data in F32) or "I64" (data in I64)
	FileDType string    // dtype stored in the file, e.g. "F16"; set by Read, ignored by Write
	Shape     []int     // outermost first; [] is a scalar
	F32       []float32 // the data when DType is "F32"
	I64       []int64   // the data when DType is "I64"
}

// entry is one tensor's header entry after parsing and validation.
type entry struct {
	name       string
	dtype      string
	info       dtypeInfo
	shape      []int
	numel      int
	begin, end int64 // byte range in the data section
}

// Read loads every tensor and the metadata of the safetensors file at path.
// Floating-point data comes back as F32 and integer/bool data as I64 (see the
// dtype table in the package doc). The metadata map is never nil. Any
// malformed file gives an error naming path and, where there is one, the tensor.
func Read(path string) (map[string]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err) // the *PathError names path
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, errf(path, "not a regular file (mode %v)", st.Mode())
	}
	return ReadFrom(f, st.Size(), path)
}

// ReadFrom is Read on size bytes of r; name labels the errors (a path, say).
// It reads the header, validates all of it against size, and only then
// allocates and reads the tensor data.
func ReadFrom(r io.ReaderAt, size int64, name string) (map[string]Tensor, map[string]string, error) {
	// 1. The 8-byte header length N, checked against the reference limit and
	//    the file size before the header is allocated.
	if size < 8 {
		return nil, nil, errf(name, "file is %d bytes, too short for the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if err := readFull(r, lenBuf[:], 0); err != nil {
		return nil, nil, errf(name, "reading the header length: %v", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeader {
		return nil, nil, errf(name, "header length %d exceeds the %d-byte limit (not a safetensors file?)", n, maxHeader)
	}
	if n > uint64(size-8) {
		return nil, nil, errf(name, "header length %d runs past the end of the %d-byte file (truncated?)", n, size)
	}
	// 2. The header: parsed and validated in full (see parseHeader) before any
	//    tensor memory exists.
	hdr := make([]byte, n) // n ≤ size-8: bounded by the real file
	if err := readFull(r, hdr, 8); err != nil {
		return nil, nil, errf(name, "reading the %d-byte header: %v", n, err)
	}
	dataStart := 8 + int64(n)
	entries, meta, err := parseHeader(hdr, size-dataStart)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %s: %w", name, err)
	}

	// 3. The data, tensor by tensor in file order, through one scratch buffer.
	// All sizes are checked: each tensor holds numel·size(dtype) bytes inside the
	// data section, so the allocations below total at most 8× the file size.
	maxBytes := int64(0)
	for _, e := range entries {
		maxBytes = max(maxBytes, e.end-e.begin)
	}
	buf := make([]byte, min(maxBytes, 1<<20)) // scratch: read at most 1 MiB at a time
	tensors := make(map[string]Tensor, len(entries))
	for _, e := range entries {
		t := Tensor{DType: "I64", FileDType: e.dtype, Shape: e.shape}
		if e.info.float {
			t.DType, t.F32 = "F32", make([]float32, e.numel)
		} else {
			t.I64 = make([]int64, e.numel)
		}
		per := len(buf) / e.info.size // whole elements per chunk (≥ 1 when numel > 0)
		for i := 0; i < e.numel; i += per {
			k := min(per, e.numel-i)
			b := buf[:k*e.info.size]
			off := dataStart + e.begin + int64(i)*int64(e.info.size)
			if err := readFull(r, b, off); err != nil {
				return nil, nil, errf(name, "tensor %q: reading data: %v", e.name, err)
			}
			if e.info.float {
				decodeF32(t.F32[i:i+k], b, e.dtype)
			} else if bad := decodeI64(t.I64[i:i+k], b, e.dtype); bad >= 0 {
				return nil, nil, errf(name, "tensor %q: BOOL element %d is byte %d, want 0 or 1", e.name, i+bad, b[bad])
			}
		}
		tensors[e.name] = t
	}
	return tensors, meta, nil
}

// errf returns "safetensors: name: " + the formatted message.
func errf(name, format string, args ...any) error {
	return fmt.Errorf("safetensors: %s: %s", name, fmt.Sprintf(format, args...))
}

// readFull reads exactly len(p) bytes at off; a short read is io.ErrUnexpectedEOF.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil // io.ReaderAt may report io.EOF with a full read at the end
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// parseHeader parses the JSON header hdr and validates every entry against a
// data section of dataLen bytes: known dtype, valid shape, offsets inside the
// section holding exactly numel·size bytes, and the ranges tiling the section
// with no gap, overlap or trailing byte. Entries come back sorted by offset.
func parseHeader(hdr []byte, dataLen int64) ([]entry, map[string]string, error) {
	if !utf8.Valid(hdr) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	// The header is walked token by token rather than unmarshalled into a
	// map, so that duplicate keys are caught (a map would keep the last one),
	// numbers stay exact (UseNumber: no float64 rounding of offsets) and every
	// error can name its tensor.
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("header is not a JSON object")
	}
	var entries []entry
	meta := map[string]string{}
	seen := map[string]bool{}
	// One key per iteration: "__metadata__" or a tensor name.
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header is not valid JSON: %v", err)
		}
		key := tok.(string) // the decoder only yields string keys inside an object
		if seen[key] {
			return nil, nil, fmt.Errorf("header has key %q twice", key)
		}
		seen[key] = true
		if key == metadataKey {
			if err := parseMetadata(dec, meta); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(dec, key, dataLen)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	if tok, err := dec.Token(); err != io.EOF { // only whitespace may follow
		return nil, nil, fmt.Errorf("header has data after the JSON object (token %v, error %v)", tok, err)
	}
	return entries, meta, checkLayout(entries, dataLen)
}

// parseMetadata reads the value of "__metadata__" into meta: an object of
// string → string, or null for none (serde's Option, as the reference reads it).
func parseMetadata(dec *json.Decoder, meta map[string]string) error {
	tok, err := dec.Token()
	if err == nil && tok == nil {
		return nil
	}
	if err != nil || tok != json.Delim('{') {
		return errors.New(`header "__metadata__" is not a JSON object`)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fmt.Errorf("header is not valid JSON: %v", err)
		}
		v, err := dec.Token()
		s, ok := v.(string)
		if err != nil || !ok {
			return fmt.Errorf(`header "__metadata__" key %q: value is not a string`, k)
		}
		if _, dup := meta[k.(string)]; dup {
			return fmt.Errorf(`header "__metadata__" has key %q twice`, k)
		}
		meta[k.(string)] = s
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("header is not valid JSON: %v", err)
	}
	return nil
}

// parseEntry reads one tensor entry {"dtype": s, "shape": [..], "data_offsets":
// [b, e]} and checks it on its own against a data section of dataLen bytes.
// Unknown fields are skipped, as the reference reader does.
func parseEntry(dec *json.Decoder, name string, dataLen int64) (entry, error) {
	e := entry{name: name}
	// First collect the fields (any order, each at most once), then check them.
	var dims, offs []int64 // nil: field absent
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return e, errors.New("entry is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return e, fmt.Errorf("header is not valid JSON: %v", err)
		}
		field := tok.(string)
		switch field {
		case "dtype":
			if e.dtype != "" {
				return e, errors.New(`field "dtype" appears twice`)
			}
			tok, err := dec.Token()
			s, ok := tok.(string)
			if err != nil || !ok || s == "" {
				return e, errors.New(`"dtype" is not a dtype name`)
			}
			e.dtype = s
		case "shape", "data_offsets":
			dst := &dims
			if field == "data_offsets" {
				dst = &offs
			}
			if *dst != nil {
				return e, fmt.Errorf("field %q appears twice", field)
			}
			if *dst, err = readIntArray(dec, field); err != nil {
				return e, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return e, fmt.Errorf("header is not valid JSON: %v", err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return e, fmt.Errorf("header is not valid JSON: %v", err)
	}

	// All three fields are required; dtype must be one of the known names.
	var ok bool
	switch {
	case e.dtype == "":
		return e, errors.New(`missing "dtype"`)
	case dims == nil:
		return e, errors.New(`missing "shape"`)
	case offs == nil:
		return e, errors.New(`missing "data_offsets"`)
	}
	if e.info, ok = dtypes[e.dtype]; !ok {
		return e, fmt.Errorf("unsupported dtype %q (want one of %s)", e.dtype, dtypeList)
	}

	// shape: non-negative dims whose product fits in an int.
	e.shape = make([]int, len(dims))
	for i, d := range dims {
		if d < 0 {
			return e, fmt.Errorf("shape %v has a negative dim", dims)
		}
		e.shape[i] = int(d) // lossy only where int is 32-bit: caught below
		if int64(e.shape[i]) != d {
			return e, fmt.Errorf("shape %v has a dim that does not fit in an int", dims)
		}
	}
	if e.numel, ok = numel(e.shape); !ok {
		return e, fmt.Errorf("shape %v: element count overflows", e.shape)
	}

	// data_offsets: [begin, end] inside the data section, holding numel·size bytes.
	if len(offs) != 2 {
		return e, fmt.Errorf("data_offsets %v has %d values, want 2", offs, len(offs))
	}
	e.begin, e.end = offs[0], offs[1]
	switch {
	case e.begin < 0 || e.end < 0:
		return e, fmt.Errorf("data_offsets [%d, %d] are negative", e.begin, e.end)
	case e.end < e.begin:
		return e, fmt.Errorf("data_offsets [%d, %d] end before they begin", e.begin, e.end)
	case e.end > dataLen:
		return e, fmt.Errorf("data_offsets [%d, %d] run past the end of the %d-byte data section", e.begin, e.end, dataLen)
	}
	// have = numel·size, tested by division so that nothing overflows.
	have := e.end - e.begin
	if have%int64(e.info.size) != 0 || have/int64(e.info.size) != int64(e.numel) {
		return e, fmt.Errorf("data_offsets [%d, %d] hold %d bytes, shape %v %s needs %s",
			e.begin, e.end, have, e.shape, e.dtype, needBytes(e.numel, e.info.size))
	}
	return e, nil
}

// needBytes formats numel·size without overflowing.
func needBytes(numel, size int) string {
	if numel > math.MaxInt/size {
		return fmt.Sprintf("%d×%d", numel, size)
	}
	return strconv.Itoa(numel * size)
}

// readIntArray reads a JSON array of integers (written without fraction or
// exponent, in int64 range), e.g. a shape or data_offsets. It returns a
// non-nil slice, empty for [].
func readIntArray(dec *json.Decoder, field string) ([]int64, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%q is not an array of integers", field)
	}
	out := []int64{}
	for dec.More() {
		tok, err := dec.Token()
		num, ok := tok.(json.Number)
		if err != nil || !ok {
			return nil, fmt.Errorf("%q is not an array of integers", field)
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q element %s is not an integer in int64 range", field, num)
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	return out, nil
}

// checkLayout sorts entries by offset and checks that they tile the data
// section [0, dataLen) exactly: no gap, no overlap, no trailing bytes.
func checkLayout(entries []entry, dataLen int64) error {
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	// pos is the end of the bytes covered so far, by entries[prev]. Sorted by
	// begin, a tensor starting before pos overlaps entries[prev]; one starting
	// after it leaves a hole.
	pos, prev := int64(0), -1
	for i, e := range entries {
		switch {
		case e.begin > pos:
			return fmt.Errorf("data section bytes [%d, %d) belong to no tensor (the format forbids holes); the next tensor is %q", pos, e.begin, e.name)
		case e.begin < pos:
			p := entries[prev]
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q [%d, %d]", e.name, e.begin, e.end, p.name, p.begin, p.end)
		}
		pos, prev = e.end, i
	}
	if pos != dataLen {
		return fmt.Errorf("data section is %d bytes but the tensors end at byte %d: %d trailing bytes", dataLen, pos, dataLen-pos)
	}
	return nil
}
