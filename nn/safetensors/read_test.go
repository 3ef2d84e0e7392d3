package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/nn/safetensors"
)

// TestReadPyTorchLayout loads a file laid out byte for byte as the reference
// writer lays out a PyTorch state dict holding several dtypes: "__metadata__"
// first, then tensors by descending dtype alignment (I64 > F64 > F32 > BF16 >
// F16 > BOOL), then name; header padded with spaces to a multiple of 8.
func TestReadPyTorchLayout(t *testing.T) {
	header := `{"__metadata__":{"format":"pt"},` +
		`"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
		`"d":{"dtype":"F64","shape":[2],"data_offsets":[8,24]},` +
		`"conv.weight":{"dtype":"F32","shape":[2,1,1,1],"data_offsets":[24,32]},` +
		`"b":{"dtype":"BF16","shape":[3],"data_offsets":[32,38]},` +
		`"h":{"dtype":"F16","shape":[1,3],"data_offsets":[38,44]},` +
		`"mask":{"dtype":"BOOL","shape":[2],"data_offsets":[44,46]}}`
	data := le(int64(3), // bn.num_batches_tracked
		float64(0.25), float64(-1e300), // d
		float32(0.5), float32(-2), // conv.weight
		uint16(0x3F80), uint16(0xC2F7), uint16(0x7F80), // b: 1, -123.5, +Inf
		uint16(0x3C00), uint16(0x0001), uint16(0xFC00), // h: 1, 2^-24, -Inf
		uint8(1), uint8(0)) // mask
	got, meta, err := readBytes(file(pad(header), data))
	if err != nil {
		t.Fatal(err)
	}
	inf := float32(math.Inf(1))
	want := map[string]safetensors.Tensor{
		"bn.num_batches_tracked": {DType: "I64", Shape: []int{}, I64: []int64{3}},
		"d":                      {DType: "F32", Shape: []int{2}, F32: []float32{0.25, -inf}},
		"conv.weight":            {DType: "F32", Shape: []int{2, 1, 1, 1}, F32: []float32{0.5, -2}},
		"b":                      {DType: "F32", Shape: []int{3}, F32: []float32{1, -123.5, inf}},
		"h":                      {DType: "F32", Shape: []int{1, 3}, F32: []float32{1, 1.0 / (1 << 24), -inf}},
		"mask":                   {DType: "I64", Shape: []int{2}, I64: []int64{1, 0}},
	}
	if d := diffTensors(want, got); d != "" {
		t.Fatal(d)
	}
	fileTypes := map[string]string{"bn.num_batches_tracked": "I64", "d": "F64", "conv.weight": "F32", "b": "BF16", "h": "F16", "mask": "BOOL"}
	for name, dt := range fileTypes {
		if got[name].FileDType != dt {
			t.Errorf("tensor %q: FileDType %q, want %q", name, got[name].FileDType, dt)
		}
	}
	if len(meta) != 1 || meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
}

// TestReadTolerated: inputs the reference reader accepts and so must we.
func TestReadTolerated(t *testing.T) {
	one := le(float32(1))
	cases := map[string][]byte{
		"no padding":          file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, one),
		"whitespace":          file(" \n{ \"a\" : {\"data_offsets\":[0,4],\"shape\":[ 1 ],\"dtype\":\"F32\"} }\t\r\n  ", one),
		"unknown field":       file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":{"x":[1,{}]}}}`, one),
		"null metadata":       file(`{"__metadata__":null,"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, one),
		"metadata last":       file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{}}`, one),
		"escaped name":        file(`{"\u0061":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, one),
		"empty between":       file(`{"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, one),
		"empty huge dims":     file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e":{"dtype":"I8","shape":[0,1099511627776,1048576],"data_offsets":[4,4]}}`, one),
		"unaligned offsets":   file(`{"u":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"I32","shape":[],"data_offsets":[1,5]}}`, append([]byte{7}, le(int32(-2))...)),
		"reversed name order": file(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, le(float32(1), float32(2))),
	}
	for name, b := range cases {
		if _, _, err := readBytes(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestReadErrors: every malformed input gives an error naming the file, the
// tensor where there is one, and the problem.
func TestReadErrors(t *testing.T) {
	one := le(float32(1))
	entry := func(name, dtype, shape, offs string) string {
		return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	cases := []struct {
		name string
		b    []byte
		want []string
	}{
		{"empty file", nil, []string{"file is 0 bytes, too short"}},
		{"7 bytes", []byte{8, 0, 0, 0, 0, 0, 0}, []string{"file is 7 bytes"}},
		{"absurd header length", binary.LittleEndian.AppendUint64(nil, 1<<40), []string{"header length 1099511627776 exceeds the 100000000-byte limit"}},
		{"max uint64 length", binary.LittleEndian.AppendUint64(nil, math.MaxUint64), []string{"exceeds"}},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), []string{"header length 100 runs past the end of the 10-byte file"}},
		{"not UTF-8", file("{\"\xff\":1}", nil), []string{"not valid UTF-8"}},
		{"not JSON", file("hello", nil), []string{"not a JSON object"}},
		{"array", file("[]", nil), []string{"not a JSON object"}},
		{"string", file(`"x"`, nil), []string{"not a JSON object"}},
		{"empty header", file("", nil), []string{"not a JSON object"}},
		{"truncated JSON", file(`{"a":`, nil), []string{`tensor "a"`, "entry is not a JSON object"}},
		{"unclosed object", file(`{`, nil), []string{"not valid JSON"}},
		{"two objects", file(`{}{}`, nil), []string{"data after the JSON object"}},
		{"NUL padding", file("{}\x00\x00", nil), []string{"data after the JSON object"}},
		{"duplicate tensor", file(`{`+entry("a", "F32", "[1]", "[0,4]")+`,`+entry("a", "F32", "[1]", "[4,8]")+`}`, le(float32(1), float32(2))), []string{`key "a" twice`}},
		{"metadata not object", file(`{"__metadata__":[1]}`, nil), []string{`"__metadata__" is not a JSON object`}},
		{"metadata value number", file(`{"__metadata__":{"k":1}}`, nil), []string{`key "k": value is not a string`}},
		{"metadata value object", file(`{"__metadata__":{"k":{}}}`, nil), []string{`key "k": value is not a string`}},
		{"metadata duplicate key", file(`{"__metadata__":{"k":"1","k":"2"}}`, nil), []string{`"__metadata__" has key "k" twice`}},
		{"entry not object", file(`{"w":[1]}`, nil), []string{`tensor "w"`, "entry is not a JSON object"}},
		{"missing dtype", file(`{"w":{"shape":[1],"data_offsets":[0,4]}}`, one), []string{`tensor "w"`, `missing "dtype"`}},
		{"missing shape", file(`{"w":{"dtype":"F32","data_offsets":[0,4]}}`, one), []string{`tensor "w"`, `missing "shape"`}},
		{"missing offsets", file(`{"w":{"dtype":"F32","shape":[1]}}`, one), []string{`tensor "w"`, `missing "data_offsets"`}},
		{"duplicate field", file(`{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, one), []string{`tensor "w"`, `"dtype" appears twice`}},
		{"dtype not string", file(`{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, one), []string{`tensor "w"`, `"dtype" is not a dtype name`}},
		{"unknown dtype", file(`{`+entry("w", "F8_E4M3", "[4]", "[0,4]")+`}`, one), []string{`tensor "w"`, `unsupported dtype "F8_E4M3"`}},
		{"lowercase dtype", file(`{`+entry("w", "f32", "[1]", "[0,4]")+`}`, one), []string{`tensor "w"`, `unsupported dtype "f32"`}},
		{"shape not array", file(`{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}`, one), []string{`tensor "w"`, `"shape" is not an array of integers`}},
		{"shape nested", file(`{`+entry("w", "F32", "[[1]]", "[0,4]")+`}`, one), []string{`tensor "w"`, `"shape" is not an array of integers`}},
		{"negative dim", file(`{`+entry("w", "F32", "[-1,2]", "[0,4]")+`}`, one), []string{`tensor "w"`, "shape [-1 2] has a negative dim"}},
		{"fractional dim", file(`{`+entry("w", "F32", "[1.0]", "[0,4]")+`}`, one), []string{`tensor "w"`, `"shape" element 1.0 is not an integer`}},
		{"exponent dim", file(`{`+entry("w", "F32", "[1e0]", "[0,4]")+`}`, one), []string{`tensor "w"`, `element 1e0 is not an integer`}},
		{"huge dim", file(`{`+entry("w", "F32", "[99999999999999999999]", "[0,4]")+`}`, one), []string{`tensor "w"`, "not an integer in int64 range"}},
		{"numel overflow", file(`{`+entry("w", "F32", "[4294967296,4294967296]", "[0,4]")+`}`, one), []string{`tensor "w"`, "element count overflows"}},
		{"numel overflow with zero", file(`{`+entry("w", "F32", "[0,4294967296,4294967296]", "[0,0]")+`}`, nil), []string{`tensor "w"`, "element count overflows"}},
		{"one offset", file(`{`+entry("w", "F32", "[1]", "[4]")+`}`, one), []string{`tensor "w"`, "has 1 values, want 2"}},
		{"offsets not array", file(`{`+entry("w", "F32", "[1]", `"0-4"`)+`}`, one), []string{`tensor "w"`, `"data_offsets" is not an array of integers`}},
		{"negative offset", file(`{`+entry("w", "F32", "[1]", "[-4,0]")+`}`, one), []string{`tensor "w"`, "[-4, 0] are negative"}},
		{"end before begin", file(`{`+entry("w", "F32", "[1]", "[4,0]")+`}`, one), []string{`tensor "w"`, "[4, 0] end before they begin"}},
		{"past data end", file(`{`+entry("w", "F32", "[2]", "[0,8]")+`}`, one), []string{`tensor "w"`, "[0, 8] run past the end of the 4-byte data section"}},
		{"huge offset", file(`{`+entry("w", "F32", "[1]", "[0,9223372036854775807]")+`}`, one), []string{`tensor "w"`, "run past the end"}},
		{"size mismatch", file(`{`+entry("layer1.0.conv1.weight", "F32", "[64,3,3,3]", "[0,100]")+`}`, make([]byte, 100)),
			[]string{`safetensors: test.safetensors: tensor "layer1.0.conv1.weight": data_offsets [0, 100] hold 100 bytes, shape [64 3 3 3] F32 needs 6912`}},
		{"size not multiple", file(`{`+entry("w", "F16", "[1]", "[0,3]")+`}`, make([]byte, 3)), []string{`tensor "w"`, "hold 3 bytes, shape [1] F16 needs 2"}},
		{"scalar size", file(`{`+entry("w", "I64", "[]", "[0,4]")+`}`, one), []string{`tensor "w"`, "hold 4 bytes, shape [] I64 needs 8"}},
		{"overlap", file(`{`+entry("a", "F32", "[2]", "[0,8]")+`,`+entry("b", "F32", "[2]", "[4,12]")+`}`, make([]byte, 12)),
			[]string{`tensor "b": data_offsets [4, 12] overlap tensor "a" [0, 8]`}},
		{"same range", file(`{`+entry("a", "F32", "[1]", "[0,4]")+`,`+entry("b", "F32", "[1]", "[0,4]")+`}`, one), []string{`tensor "b"`, `overlap tensor "a"`}},
		{"empty inside other", file(`{`+entry("a", "F32", "[2]", "[0,8]")+`,`+entry("e", "F32", "[0]", "[4,4]")+`}`, make([]byte, 8)), []string{`tensor "e"`, `overlap tensor "a"`}},
		{"gap at start", file(`{`+entry("a", "F32", "[1]", "[4,8]")+`}`, make([]byte, 8)), []string{"bytes [0, 4) belong to no tensor", `"a"`}},
		{"gap between", file(`{`+entry("a", "F32", "[1]", "[0,4]")+`,`+entry("b", "F32", "[1]", "[8,12]")+`}`, make([]byte, 12)), []string{"bytes [4, 8) belong to no tensor", `"b"`}},
		{"trailing data", file(`{`+entry("a", "F32", "[1]", "[0,4]")+`}`, make([]byte, 5)), []string{"data section is 5 bytes but the tensors end at byte 4: 1 trailing bytes"}},
		{"data without tensors", file(`{}`, one), []string{"4 trailing bytes"}},
		{"BOOL 2", file(`{`+entry("m", "BOOL", "[3]", "[0,3]")+`}`, []byte{0, 1, 2}), []string{`tensor "m"`, "BOOL element 2 is byte 2, want 0 or 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, meta, err := readBytes(c.b)
			wantErr(t, err, append([]string{"safetensors: " + testName + ": "}, c.want...)...)
			if ts != nil || meta != nil {
				t.Fatal("returned data with an error")
			}
		})
	}
}

// TestReadTruncated: a valid file cut at every length is an error, never a
// panic; so is one extra byte.
func TestReadTruncated(t *testing.T) {
	ts := map[string]safetensors.Tensor{
		"a": {DType: "F32", Shape: []int{2, 3}, F32: []float32{1, 2, 3, 4, 5, 6}},
		"n": {DType: "I64", Shape: []int{}, I64: []int64{42}},
		"e": {DType: "F32", Shape: []int{0}, F32: []float32{}},
	}
	b := writeBytes(t, ts, map[string]string{"format": "pt"})
	if _, _, err := readBytes(b); err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, _, err := readBytes(b[:n]); err == nil {
			t.Fatalf("file cut to %d of %d bytes read without error", n, len(b))
		}
	}
	wantErr(t, second(readBytes(append(b, 0))), "1 trailing bytes")
}

func second[A, B any](_ A, _ B, err error) error { return err }

// TestReadCorrupted overwrites each header byte (and the length) with bytes that
// break JSON structure, numbers or names: every result is an error or a file
// that survives a write/read round trip; never a panic.
func TestReadCorrupted(t *testing.T) {
	ts := map[string]safetensors.Tensor{
		"w": {DType: "F32", Shape: []int{2, 2}, F32: []float32{1, -2, 3, 0.5}},
		"n": {DType: "I64", Shape: []int{1}, I64: []int64{-7}},
	}
	b := writeBytes(t, ts, map[string]string{"k": "v"})
	n := int(binary.LittleEndian.Uint64(b))
	accepted, rejected := 0, 0
	for i := range 8 + n {
		for _, c := range []byte{0, ' ', '"', '{', '}', '[', ',', ':', '-', '0', '9', 'x', 0x80, 0xff, b[i] ^ 1} {
			if c == b[i] {
				continue
			}
			m := bytes.Clone(b)
			m[i] = c
			got, meta, err := readBytes(m)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "safetensors: "+testName+": ") {
					t.Fatalf("byte %d = %#x: error %q does not name the file", i, c, err)
				}
				rejected++
				continue
			}
			if i < 8 {
				t.Fatalf("corrupted length byte %d = %#x accepted", i, c)
			}
			accepted++ // e.g. a changed letter in a name, or a space in the padding
			if back, meta2, err := readBytes(writeBytes(t, got, meta)); err != nil || diffTensors(got, back) != "" || !mapsEqual(meta, meta2) {
				t.Fatalf("byte %d = %#x: accepted file does not round-trip (err %v)", i, c, err)
			}
		}
	}
	t.Logf("%d corrupted files rejected, %d accepted and round-tripped", rejected, accepted)
	if rejected < 10*accepted {
		t.Fatalf("only %d of %d corruptions rejected", rejected, rejected+accepted)
	}
}

// TestReadFile covers the path layer: a missing file and a directory.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.safetensors")
	wantErr(t, second(safetensors.Read(missing)), "safetensors: ", missing)
	wantErr(t, second(safetensors.Read(dir)), "safetensors: ", dir, "not a regular file")
	short := filepath.Join(dir, "short.safetensors")
	if err := os.WriteFile(short, []byte{1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, second(safetensors.Read(short)), "safetensors: "+short+": file is 3 bytes")
}
