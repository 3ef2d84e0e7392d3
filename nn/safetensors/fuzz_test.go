package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"twostage/nn/safetensors"
)

// FuzzRead feeds arbitrary bytes to ReadFrom. Properties: no panic; an error
// names the file; an accepted file re-writes without error, re-reads to the
// same tensors and metadata, and re-writes to the same bytes (a fixed point).
// Allocation is bounded by the input size (see the package doc), so the
// fuzzer's memory limit also catches huge allocations from lying headers.
func FuzzRead(f *testing.F) {
	valid := [][]byte{
		writeBytes(f, nil, nil),
		writeBytes(f, map[string]safetensors.Tensor{
			"w": {DType: "F32", Shape: []int{2, 2}, F32: []float32{1, float32(math.NaN()), float32(math.Inf(-1)), 0}},
			"n": {DType: "I64", Shape: []int{}, I64: []int64{-3}},
			"e": {DType: "F32", Shape: []int{0, 5}, F32: []float32{}},
		}, map[string]string{"format": "pt", "q": "\"\\\n"}),
		file(pad(`{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},`+
			`"h":{"dtype":"F16","shape":[2],"data_offsets":[4,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},`+
			`"i":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},"s":{"dtype":"I16","shape":[1],"data_offsets":[20,22]},`+
			`"c":{"dtype":"I8","shape":[1],"data_offsets":[22,23]},"u":{"dtype":"U8","shape":[1],"data_offsets":[23,24]},`+
			`"m":{"dtype":"BOOL","shape":[1],"data_offsets":[24,25]},"v":{"dtype":"U16","shape":[1],"data_offsets":[25,27]},`+
			`"x":{"dtype":"U32","shape":[1],"data_offsets":[27,31]}}`),
			le(uint16(0x3F80), uint16(0x7FC1), uint16(0x3C00), uint16(0x7C01), float64(-0.1), int32(-9), int16(-2), int8(-1), uint8(200), uint8(1), uint16(65535), uint32(1<<31))),
	}
	for _, b := range valid {
		f.Add(b)
		f.Add(b[:len(b)/2])                                    // truncated
		f.Add(append(bytes.Clone(b), 0))                       // trailing byte
		f.Add(bytes.Replace(b, []byte("]"), []byte(",1]"), 1)) // extra dim, offsets now off
		m := bytes.Clone(b)
		binary.LittleEndian.PutUint64(m, binary.LittleEndian.Uint64(m)+8) // length covers data
		f.Add(m)
	}
	f.Add([]byte{})
	f.Add(file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil))
	f.Add(file(`{"a":{"dtype":"U8","shape":[0,99999999999],"data_offsets":[0,0]},"b":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{1}))

	f.Fuzz(func(t *testing.T, b []byte) {
		ts, meta, err := safetensors.ReadFrom(bytes.NewReader(b), int64(len(b)), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "safetensors: fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		var w1 bytes.Buffer
		if err := safetensors.WriteTo(&w1, ts, meta); err != nil {
			t.Fatalf("accepted file does not re-write: %v", err)
		}
		ts2, meta2, err := safetensors.ReadFrom(bytes.NewReader(w1.Bytes()), int64(w1.Len()), "fuzz")
		if err != nil {
			t.Fatalf("re-written file does not re-read: %v", err)
		}
		if d := diffTensors(ts, ts2); d != "" {
			t.Fatalf("re-read differs: %s", d)
		}
		if !mapsEqual(meta, meta2) {
			t.Fatalf("metadata %q re-read as %q", meta, meta2)
		}
		var w2 bytes.Buffer
		if err := safetensors.WriteTo(&w2, ts2, meta2); err != nil || !bytes.Equal(w1.Bytes(), w2.Bytes()) {
			t.Fatalf("second re-write differs (err %v)", err)
		}
	})
}
