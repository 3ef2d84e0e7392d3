package safetensors_test

import (
	"math"
	"strconv"
	"testing"
)

// slowHalf64 is the textbook value of a binary16 (exp bits e, bias 15) or
// bfloat16 (8 exp bits, bias 127) pattern, in float64 straight from the
// definition: (-1)^s · 2^(1-bias) · m/2^mbits for e = 0, (-1)^s · 2^(e-bias) ·
// (1 + m/2^mbits) otherwise. It returns ok=false for Inf/NaN (e all ones).
func slowHalf64(h uint16, ebits, mbits int) (v float64, ok bool) {
	bias := 1<<(ebits-1) - 1
	s := int(h >> 15)
	e := int(h>>mbits) & (1<<ebits - 1)
	m := float64(int(h) & (1<<mbits - 1))
	if e == 1<<ebits-1 {
		return 0, false
	}
	if e == 0 {
		v = math.Ldexp(m/math.Ldexp(1, mbits), 1-bias)
	} else {
		v = math.Ldexp(1+m/math.Ldexp(1, mbits), e-bias)
	}
	if s == 1 {
		v = -v
	}
	return v, true
}

// TestHalfAllValues reads every one of the 65536 F16 and BF16 bit patterns and
// compares with slowHalf64. Both formats are subsets of float32, so the match
// must be exact (bitwise, -0 included); Inf keeps its sign and NaN its sign and
// payload (shifted to the top of the float32 mantissa).
func TestHalfAllValues(t *testing.T) {
	for _, f := range []struct {
		dtype        string
		ebits, mbits int
	}{{"F16", 5, 10}, {"BF16", 8, 7}} {
		data := make([]uint16, 1<<16)
		for i := range data {
			data[i] = uint16(i)
		}
		got, _, err := readBytes(file(pad(`{"h":{"dtype":"`+f.dtype+`","shape":[65536],"data_offsets":[0,131072]}}`), le(data)))
		if err != nil {
			t.Fatal(err)
		}
		out := got["h"].F32
		for i, h := range data {
			gb := math.Float32bits(out[i])
			ref, finite := slowHalf64(h, f.ebits, f.mbits)
			if finite {
				if wb := math.Float32bits(float32(ref)); gb != wb || float64(out[i]) != ref {
					t.Fatalf("%s %#04x: got bits %#08x (%g), want %#08x (%g)", f.dtype, h, gb, out[i], wb, ref)
				}
				continue
			}
			man := uint32(h) & (1<<f.mbits - 1)
			wb := uint32(h>>15)<<31 | 0x7f800000 | man<<(23-f.mbits)
			if gb != wb {
				t.Fatalf("%s %#04x (Inf/NaN): got bits %#08x, want %#08x", f.dtype, h, gb, wb)
			}
		}
	}
}

// TestKnownValues pins conversions to values computed by hand.
func TestKnownValues(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		dtype string
		raw   []byte
		want  []float64 // compared as float32 bits; NaN means "any NaN"
	}{
		{"F16", le([]uint16{0x3C00, 0xC000, 0x7BFF, 0x0400, 0x0001, 0x03FF, 0x3555}),
			[]float64{1, -2, 65504, 1.0 / (1 << 14), 1.0 / (1 << 24), 1023.0 / (1 << 24), 0.333251953125}},
		{"F16", le([]uint16{0x7C00, 0xFC00, 0x8000, 0x0000, 0x7E00}), []float64{inf, -inf, math.Copysign(0, -1), 0, math.NaN()}},
		{"BF16", le([]uint16{0x3F80, 0xC2F7, 0x7F7F, 0x0080, 0x0001, 0x8000, 0xFF80, 0x7FC0}),
			[]float64{1, -123.5, 0x1.FEp127, 0x1p-126, 0x1p-133, math.Copysign(0, -1), -inf, math.NaN()}},
		{"F64", le([]float64{1, 0.1, 1e300, -1e-300, math.Copysign(0, -1), 0x1p-149, 0x1.000001p0, math.NaN()}),
			[]float64{1, float64(float32(0.1)), inf, math.Copysign(0, -1), math.Copysign(0, -1), 0x1p-149, 1, math.NaN()}},
	}
	for _, c := range cases {
		n := len(c.want)
		header := `{"x":{"dtype":"` + c.dtype + `","shape":[` + strconv.Itoa(n) + `],"data_offsets":[0,` + strconv.Itoa(len(c.raw)) + `]}}`
		got, _, err := readBytes(file(pad(header), c.raw))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			g := got["x"].F32[i]
			if math.IsNaN(w) {
				if !math.IsNaN(float64(g)) {
					t.Errorf("%s[%d] = %g, want NaN", c.dtype, i, g)
				}
				continue
			}
			if math.Float32bits(g) != math.Float32bits(float32(w)) {
				t.Errorf("%s[%d] = %g (bits %#08x), want %g", c.dtype, i, g, math.Float32bits(g), w)
			}
		}
	}
}

// TestIntConversions: integer and BOOL dtypes widen to int64, signed ones with
// sign extension, unsigned ones without.
func TestIntConversions(t *testing.T) {
	cases := []struct {
		dtype string
		raw   []byte
		want  []int64
	}{
		{"I64", le([]int64{math.MinInt64, -1, math.MaxInt64}), []int64{math.MinInt64, -1, math.MaxInt64}},
		{"I32", le([]int32{math.MinInt32, -1, math.MaxInt32}), []int64{math.MinInt32, -1, math.MaxInt32}},
		{"I16", le([]int16{math.MinInt16, -1, math.MaxInt16}), []int64{math.MinInt16, -1, math.MaxInt16}},
		{"I8", le([]int8{math.MinInt8, -1, math.MaxInt8}), []int64{math.MinInt8, -1, math.MaxInt8}},
		{"U32", le([]uint32{0, 1, math.MaxUint32}), []int64{0, 1, math.MaxUint32}},
		{"U16", le([]uint16{0, 1, math.MaxUint16}), []int64{0, 1, math.MaxUint16}},
		{"U8", []byte{0, 0x80, 0xff}, []int64{0, 128, 255}},
		{"BOOL", []byte{1, 0, 1}, []int64{1, 0, 1}},
	}
	for _, c := range cases {
		header := `{"x":{"dtype":"` + c.dtype + `","shape":[3],"data_offsets":[0,` + strconv.Itoa(len(c.raw)) + `]}}`
		got, _, err := readBytes(file(pad(header), c.raw))
		if err != nil {
			t.Fatalf("%s: %v", c.dtype, err)
		}
		x := got["x"]
		if x.DType != "I64" || x.FileDType != c.dtype || x.F32 != nil {
			t.Fatalf("%s: DType %q FileDType %q F32 %v", c.dtype, x.DType, x.FileDType, x.F32)
		}
		for i := range c.want {
			if x.I64[i] != c.want[i] {
				t.Errorf("%s[%d] = %d, want %d", c.dtype, i, x.I64[i], c.want[i])
			}
		}
	}
}
