package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"twostage/nn/safetensors"
)

// testName labels in-memory files; every error must name it.
const testName = "test.safetensors"

// file hand-builds a safetensors file: 8-byte little-endian len(header), the
// header exactly as given (no padding added), then data.
func file(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// pad appends spaces until len is a multiple of 8, as the reference writer does.
func pad(header string) string {
	return header + strings.Repeat(" ", (8-len(header)%8)%8)
}

// readBytes reads an in-memory file.
func readBytes(b []byte) (map[string]safetensors.Tensor, map[string]string, error) {
	return safetensors.ReadFrom(bytes.NewReader(b), int64(len(b)), testName)
}

// writeBytes encodes to memory and fails the test on error.
func writeBytes(t testing.TB, ts map[string]safetensors.Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := safetensors.WriteTo(&buf, ts, meta); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	return buf.Bytes()
}

// le concatenates little-endian encodings of uint16/uint32/uint64/int64/float32/
// float64/int8/uint8 values: a compact way to write raw tensor data by hand.
func le(vals ...any) []byte {
	var b []byte
	for _, v := range vals {
		b = must(binary.Append(b, binary.LittleEndian, v))
	}
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// diffTensors describes the first difference between two tensor maps, or ""
// when equal. Floats compare by bits (NaN payloads, -0); FileDType is ignored.
func diffTensors(want, got map[string]safetensors.Tensor) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			return fmt.Sprintf("tensor %q missing", name)
		case g.DType != w.DType:
			return fmt.Sprintf("tensor %q: dtype %s, want %s", name, g.DType, w.DType)
		case !slices.Equal(g.Shape, w.Shape):
			return fmt.Sprintf("tensor %q: shape %v, want %v", name, g.Shape, w.Shape)
		case len(g.F32) != len(w.F32) || len(g.I64) != len(w.I64):
			return fmt.Sprintf("tensor %q: %d+%d elements, want %d+%d", name, len(g.F32), len(g.I64), len(w.F32), len(w.I64))
		case !slices.Equal(g.I64, w.I64):
			return fmt.Sprintf("tensor %q: I64 %v, want %v", name, g.I64, w.I64)
		}
		for i := range w.F32 {
			if gb, wb := math.Float32bits(g.F32[i]), math.Float32bits(w.F32[i]); gb != wb {
				return fmt.Sprintf("tensor %q: F32[%d] bits %#08x, want %#08x", name, i, gb, wb)
			}
		}
	}
	return ""
}
