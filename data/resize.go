package data

import (
	"math"
	"sync"
)

// Bilinear resampling with PIL's coefficients (Imaging/Resample.c,
// precompute_coeffs with the triangle filter), which torchvision uses on PIL
// images:
//
//	scale  = in/out                       (in = crop length, out = output length)
//	fs     = max(scale, 1)                (widen the filter when downscaling: antialias)
//	centre = (o + 0.5) * scale            (half-pixel centres)
//	taps   = input pixels j with |j + 0.5 - centre| < fs, clipped to [0, in)
//	w_j    = max(0, 1 - |j + 0.5 - centre| / fs), normalised to sum 1
//
// For every upscale (scale <= 1, the only case of RandomResizedCrop on images
// no larger than the output) these are exactly torch's bilinear weights with
// align_corners=False and antialias=False, clamping at the border included:
// that is the golden resized_crop. The 2-D resize is separable: rows first
// (horizontal taps), then columns.

// resampleTaps holds, for each output coordinate o, n[o] weights
// w[o*k : o*k+n[o]] applied to inputs start[o], start[o]+1, ...
type resampleTaps struct {
	k        int // weights stored per output (2*ceil(fs)+1)
	start, n []int32
	w        []float32
	two      bool // every output has exactly 2 taps (padded with a 0 weight): the upscale fast path
}

// compute fills t for a resize of in samples to out samples.
func (t *resampleTaps) compute(in, out int) {
	scale := float64(in) / float64(out)
	fs := max(scale, 1)
	support := fs // the triangle filter has support 1
	t.k = int(math.Ceil(support))*2 + 1
	t.start = grow(t.start, out)
	t.n = grow(t.n, out)
	t.w = grow(t.w, out*t.k)
	var ww [64]float64
	wk := ww[:]
	if t.k > len(ww) {
		wk = make([]float64, t.k)
	}
	for o := 0; o < out; o++ {
		centre := (float64(o) + 0.5) * scale
		lo := max(int(centre-support+0.5), 0) // C's (int) truncation; negatives clamp to 0 either way
		hi := min(int(centre+support+0.5), in)
		sum := 0.0
		for j := lo; j < hi; j++ {
			d := math.Abs((float64(j) - centre + 0.5) / fs)
			wj := 0.0
			if d < 1 {
				wj = 1 - d
			}
			wk[j-lo] = wj
			sum += wj
		}
		t.start[o], t.n[o] = int32(lo), int32(hi-lo)
		for j := lo; j < hi; j++ {
			v := wk[j-lo]
			if sum != 0 {
				v /= sum
			}
			t.w[o*t.k+j-lo] = float32(v)
		}
	}
	// Upscales have 1 or 2 taps per output; pad the single ones with a zero
	// weight on the inner side so the loops below can assume 2.
	t.two = in >= 2 && t.k >= 2
	for o := 0; o < out && t.two; o++ {
		switch t.n[o] {
		case 1:
			if int(t.start[o])+1 < in {
				t.w[o*t.k+1] = 0
			} else {
				t.start[o]--
				t.w[o*t.k+1], t.w[o*t.k] = t.w[o*t.k], 0
			}
			t.n[o] = 2
		case 2:
		default:
			t.two = false
		}
	}
}

// grow returns s resized to n elements, reusing its storage when it can.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// resampler holds the taps and the intermediate rows of one resize; a pool
// keeps Augment.Apply free of allocations when called from many goroutines.
type resampler struct {
	tx, ty resampleTaps
	tmp    []float32
}

var resamplers = sync.Pool{New: func() any { return new(resampler) }}

// resizeCrop writes the crop [top, top+ch) × [left, left+cw) of src [c,h,w],
// resized to oh×ow, into dst [c,oh,ow], multiplying by mul (1/255 turns
// uint8 pixels into [0,1]). T is uint8 or float32.
func resizeCrop[T uint8 | float32](dst []float32, src []T, c, h, w, top, left, ch, cw, oh, ow int, mul float32) {
	if top < 0 || left < 0 || ch <= 0 || cw <= 0 || top+ch > h || left+cw > w {
		panic("data: crop outside the image")
	}
	if len(src) != c*h*w || len(dst) != c*oh*ow || oh <= 0 || ow <= 0 {
		panic("data: resize: buffer length does not match its shape")
	}
	rs := resamplers.Get().(*resampler)
	defer resamplers.Put(rs)
	rs.tx.compute(cw, ow)
	rs.ty.compute(ch, oh)
	rs.tmp = grow(rs.tmp, ch*ow)
	tmp := rs.tmp
	tx, ty := &rs.tx, &rs.ty
	for p := 0; p < c; p++ {
		plane := src[p*h*w : (p+1)*h*w]
		// Rows: tmp[y, ox] = Σ_j wx[ox, j] · src[top+y, left+start+j].
		for y := 0; y < ch; y++ {
			row := plane[(top+y)*w+left : (top+y)*w+left+cw]
			out := tmp[y*ow : (y+1)*ow]
			if tx.two {
				for ox := range out {
					s0, wo := int(tx.start[ox]), tx.w[ox*tx.k:ox*tx.k+2]
					out[ox] = wo[0]*float32(row[s0]) + wo[1]*float32(row[s0+1])
				}
				continue
			}
			for ox := range out {
				s0, n := int(tx.start[ox]), int(tx.n[ox])
				wts := tx.w[ox*tx.k : ox*tx.k+n]
				in := row[s0 : s0+n]
				var acc float32
				for j, wj := range wts {
					acc += wj * float32(in[j])
				}
				out[ox] = acc
			}
		}
		// Columns: dst[oy, ox] = mul · Σ_j wy[oy, j] · tmp[start+j, ox].
		dp := dst[p*oh*ow : (p+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			s0, n := int(ty.start[oy]), int(ty.n[oy])
			wts := ty.w[oy*ty.k : oy*ty.k+n]
			out := dp[oy*ow : (oy+1)*ow]
			if n == 2 { // every upscale: two rows, one fused pass
				w0, w1 := wts[0]*mul, wts[1]*mul
				r0, r1 := tmp[s0*ow:(s0+1)*ow], tmp[(s0+1)*ow:(s0+2)*ow]
				for ox := range out {
					out[ox] = w0*r0[ox] + w1*r1[ox]
				}
				continue
			}
			for ox := range out {
				out[ox] = 0
			}
			for j, wj := range wts {
				r := tmp[(s0+j)*ow : (s0+j+1)*ow]
				for ox := range out {
					out[ox] += wj * r[ox]
				}
			}
			for ox := range out {
				out[ox] *= mul
			}
		}
	}
}

// ResizedCrop crops x [c,h,w] to rows [top, top+height) and columns [left,
// left+width), then resizes the crop to size×size with bilinear
// interpolation (half-pixel centres; antialiased as PIL when the crop is
// larger than the output): torchvision's resized_crop. Returns [c,size,size].
func ResizedCrop(x []float32, c, h, w, top, left, height, width, size int) []float32 {
	checkImage(x, c, h, w)
	y := make([]float32, c*size*size)
	resizeCrop(y, x, c, h, w, top, left, height, width, size, size, 1)
	return y
}

// HFlip returns x [c,h,w] mirrored left to right: y[c,i,j] = x[c,i,w-1-j].
func HFlip(x []float32, c, h, w int) []float32 {
	checkImage(x, c, h, w)
	y := append([]float32(nil), x...)
	hflip(y, c*h, w)
	return y
}

// hflip mirrors each of the rows rows of length w in place.
func hflip(x []float32, rows, w int) {
	for r := 0; r < rows; r++ {
		row := x[r*w : (r+1)*w]
		for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
			row[i], row[j] = row[j], row[i]
		}
	}
}

// Normalize returns (x - mean[c]) / std[c] per channel of x [c,h,w].
func Normalize(x []float32, c, h, w int, mean, std []float32) []float32 {
	checkImage(x, c, h, w)
	y := append([]float32(nil), x...)
	normalize(y, c, h*w, mean, std)
	return y
}

// normalize is Normalize in place on x [c, hw].
func normalize(x []float32, c, hw int, mean, std []float32) {
	if len(mean) != c || len(std) != c {
		panic("data: normalize: mean and std need one value per channel")
	}
	for p := 0; p < c; p++ {
		m, s := mean[p], std[p]
		pl := x[p*hw : (p+1)*hw]
		for i, v := range pl {
			pl[i] = (v - m) / s
		}
	}
}
