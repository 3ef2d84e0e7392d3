package safetensors

import (
	"encoding/binary"
	"math"
)

// dtypeInfo describes one file dtype: the bytes per element and whether it
// reads into Tensor.F32 (float) or Tensor.I64 (integer).
type dtypeInfo struct {
	size  int
	float bool
}

// dtypes lists every dtype Read accepts (see the table in doc.go).
var dtypes = map[string]dtypeInfo{
	"F64":  {8, true},
	"F32":  {4, true},
	"F16":  {2, true},
	"BF16": {2, true},
	"I64":  {8, false},
	"I32":  {4, false},
	"I16":  {2, false},
	"I8":   {1, false},
	"U32":  {4, false},
	"U16":  {2, false},
	"U8":   {1, false},
	"BOOL": {1, false},
}

// dtypeList is the accepted dtypes, for error messages.
const dtypeList = "F64 F32 F16 BF16 I64 I32 I16 I8 U32 U16 U8 BOOL"

// decodeF32 converts len(dst) little-endian elements of float dtype dt from b
// (len(b) = len(dst)·size(dt)) into dst: dst[i] = float32(element i).
func decodeF32(dst []float32, b []byte, dt string) {
	le := binary.LittleEndian
	switch dt {
	case "F32":
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case "F64":
		// Rounds to nearest; magnitudes beyond float32 become ±Inf.
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case "F16":
		for i := range dst {
			dst[i] = f16ToF32(le.Uint16(b[2*i:]))
		}
	case "BF16":
		for i := range dst {
			dst[i] = bf16ToF32(le.Uint16(b[2*i:]))
		}
	default:
		panic("safetensors: decodeF32 on a non-float dtype")
	}
}

// decodeI64 converts len(dst) little-endian elements of integer dtype dt from b
// into dst: dst[i] = int64(element i), signed types sign-extended. For BOOL
// every byte must be 0 or 1; decodeI64 returns the index of the first element
// that is not, or -1 when all are valid.
func decodeI64(dst []int64, b []byte, dt string) int {
	le := binary.LittleEndian
	switch dt {
	case "I64":
		for i := range dst {
			dst[i] = int64(le.Uint64(b[8*i:]))
		}
	case "I32":
		for i := range dst {
			dst[i] = int64(int32(le.Uint32(b[4*i:])))
		}
	case "I16":
		for i := range dst {
			dst[i] = int64(int16(le.Uint16(b[2*i:])))
		}
	case "I8":
		for i := range dst {
			dst[i] = int64(int8(b[i]))
		}
	case "U32":
		for i := range dst {
			dst[i] = int64(le.Uint32(b[4*i:]))
		}
	case "U16":
		for i := range dst {
			dst[i] = int64(le.Uint16(b[2*i:]))
		}
	case "U8":
		for i := range dst {
			dst[i] = int64(b[i])
		}
	case "BOOL":
		for i := range dst {
			if b[i] > 1 {
				return i
			}
			dst[i] = int64(b[i])
		}
	default:
		panic("safetensors: decodeI64 on a non-integer dtype")
	}
	return -1
}

// f16ToF32 widens an IEEE 754 binary16 value (1 sign, 5 exponent bits with
// bias 15, 10 mantissa bits) to float32 exactly:
//
//	exp = 0:      (-1)^s · m · 2^-24        (zero and subnormals)
//	0 < exp < 31: (-1)^s · (1 + m/1024) · 2^(exp-15)
//	exp = 31:     ±Inf (m = 0), NaN (m ≠ 0; payload kept in the top mantissa bits)
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	default: // ±0 or subnormal: m·2^-24 is exact in float32 (m < 2^10)
		v := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v // also gives -0 for h = 0x8000
		}
		return v
	}
}

// bf16ToF32 widens a bfloat16 value, which is the top 16 bits of a float32
// (1 sign, 8 exponent, 7 mantissa bits), exactly: bits << 16.
func bf16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// numel returns the element count of shape (1 for a scalar) and whether it is
// valid: no negative dim, and the product of the non-zero dims fits in an int,
// so a shape such as [0, 2^62, 2^62] is rejected although it has no elements.
func numel(shape []int) (int, bool) {
	n, zero := 1, false
	for _, d := range shape {
		switch {
		case d < 0:
			return 0, false
		case d == 0:
			zero = true
		case n > math.MaxInt/d:
			return 0, false
		default:
			n *= d
		}
	}
	if zero {
		return 0, true
	}
	return n, true
}
