package data

// Colour adjustments with torchvision's semantics (transforms.functional on a
// float tensor; torchvision 0.14, the version of the golden cases), on one
// float32 image x [C,H,W] with values in [0,1], C = 1 or 3. Each exported
// function returns a new image; the lower-case kernels work in place and are
// what Augment.Apply composes.
//
// blend(a, b, f) = clamp(f*a + (1-f)*b, 0, 1) is torchvision's _blend: every
// adjustment but hue blends the image with a "degenerate" image.
//
// One-channel images follow torchvision on an 'L' image: brightness and
// contrast apply, saturation and hue leave the image unchanged (PIL's
// ImageEnhance.Color and torchvision's adjust_hue return an 'L' image as is).

// Luma weights of ITU-R 601-2 as torchvision's rgb_to_grayscale writes them
// (0.2989, not PIL's 0.299).
const (
	lumaR = 0.2989
	lumaG = 0.587
	lumaB = 0.114
)

// checkImage panics unless x holds c*h*w values with c = 1 or 3.
func checkImage(x []float32, c, h, w int) {
	if c != 1 && c != 3 {
		panic("data: image must have 1 or 3 channels")
	}
	if h <= 0 || w <= 0 || len(x) != c*h*w {
		panic("data: image length is not c*h*w")
	}
}

// clamp01 limits v to [0,1]. Plain comparisons: the min/max builtins order
// NaNs and signed zeros, which costs several times more in these loops.
func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// AdjustBrightness returns blend(x, 0, f) = clamp(f*x, 0, 1); f >= 0.
func AdjustBrightness(x []float32, c, h, w int, f float32) []float32 {
	checkImage(x, c, h, w)
	y := append([]float32(nil), x...)
	brightness(y, f)
	return y
}

// brightness sets x = clamp(f*x, 0, 1) in place.
func brightness(x []float32, f float32) {
	for i, v := range x {
		x[i] = clamp01(f * v)
	}
}

// AdjustContrast returns blend(x, m, f), m the mean grey level of the whole
// image (grey = 0.2989 R + 0.587 G + 0.114 B; the mean of the one channel
// when c = 1); f >= 0.
func AdjustContrast(x []float32, c, h, w int, f float32) []float32 {
	checkImage(x, c, h, w)
	y := append([]float32(nil), x...)
	contrast(y, c, h*w, f)
	return y
}

// contrast is AdjustContrast in place on x [c, hw]. The mean is accumulated
// in float64, which differs from torch's float32 mean by far less than one
// uint8 step.
func contrast(x []float32, c, hw int, f float32) {
	var s float64
	if c == 3 {
		r, g, b := x[:hw], x[hw:2*hw], x[2*hw:3*hw]
		for i := range r {
			s += float64(lumaR*r[i] + lumaG*g[i] + lumaB*b[i])
		}
	} else {
		for _, v := range x[:hw] {
			s += float64(v)
		}
	}
	m := (1 - f) * float32(s/float64(hw))
	for i, v := range x {
		x[i] = clamp01(f*v + m)
	}
}

// AdjustSaturation returns blend(x, grey(x), f) per pixel: f = 0 gives the
// grey image, 1 the image, 2 doubles the saturation. Identity when c = 1.
func AdjustSaturation(x []float32, c, h, w int, f float32) []float32 {
	checkImage(x, c, h, w)
	y := append([]float32(nil), x...)
	saturation(y, c, h*w, f)
	return y
}

// saturation is AdjustSaturation in place on x [c, hw].
func saturation(x []float32, c, hw int, f float32) {
	if c != 3 {
		return
	}
	r, g, b := x[:hw], x[hw:2*hw], x[2*hw:3*hw]
	for i := range r {
		m := (1 - f) * (lumaR*r[i] + lumaG*g[i] + lumaB*b[i])
		r[i] = clamp01(f*r[i] + m)
		g[i] = clamp01(f*g[i] + m)
		b[i] = clamp01(f*b[i] + m)
	}
}

// AdjustHue converts each pixel to HSV, sets h = (h + f) mod 1 and converts
// back (torchvision's _rgb2hsv/_hsv2rgb); f in [-0.5, 0.5]. Identity when
// c = 1.
func AdjustHue(x []float32, c, h, w int, f float32) []float32 {
	checkImage(x, c, h, w)
	if f < -0.5 || f > 0.5 {
		panic("data: AdjustHue: factor outside [-0.5, 0.5]")
	}
	y := append([]float32(nil), x...)
	hue(y, c, h*w, f)
	return y
}

// hue is AdjustHue in place on x [c, hw].
func hue(x []float32, c, hw int, f float32) {
	if c != 3 {
		return
	}
	r, g, b := x[:hw], x[hw:2*hw], x[2*hw:3*hw]
	for i := range r {
		hh, s, v := rgbToHSV(r[i], g[i], b[i])
		hh += f // in (-0.5, 1.5): Python's % 1.0 is one conditional step
		if hh < 0 {
			hh++
		} else if hh >= 1 {
			hh--
		}
		r[i], g[i], b[i] = hsvToRGB(hh, s, v)
	}
}

// rgbToHSV is torchvision's _rgb2hsv for one pixel: v = max, s = (max-min)/max,
// h in [0,1) from the sector of the largest component (R wins ties, then G).
func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc := max(r, g, b)
	minc := min(r, g, b)
	cr := maxc - minc
	if cr == 0 { // grey (also black): torchvision divides by 1 here, giving h = s = 0
		return 0, 0, maxc
	}
	s = cr / maxc
	rc := (maxc - r) / cr
	gc := (maxc - g) / cr
	bc := (maxc - b) / cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	h = h/6 + 1            // in [5/6, 11/6]
	h -= float32(int32(h)) // torch.fmod(h, 1): a positive value, so truncation is floor
	return h, s, maxc
}

// hsvToRGB is torchvision's _hsv2rgb for one pixel.
func hsvToRGB(h, s, v float32) (r, g, b float32) {
	h6 := h * 6
	fi := float32(int32(h6)) // h >= 0: truncation is floor
	f := h6 - fi
	i := int(fi) % 6
	if i < 0 {
		i += 6
	}
	p := clamp01(v * (1 - s))
	q := clamp01(v * (1 - s*f))
	t := clamp01(v * (1 - s*(1-f)))
	switch i {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}

// RGBToGrayscale returns the luma 0.2989 R + 0.587 G + 0.114 B of x
// [3,H,W], repeated to outChannels (1 or 3) planes: [outChannels,H,W]. A
// one-channel x is repeated as is.
func RGBToGrayscale(x []float32, c, h, w, outChannels int) []float32 {
	checkImage(x, c, h, w)
	if outChannels != 1 && outChannels != 3 {
		panic("data: RGBToGrayscale: outChannels must be 1 or 3")
	}
	hw := h * w
	y := make([]float32, outChannels*hw)
	if c == 3 {
		for i := 0; i < hw; i++ {
			y[i] = lumaR*x[i] + lumaG*x[hw+i] + lumaB*x[2*hw+i]
		}
	} else {
		copy(y, x)
	}
	for k := 1; k < outChannels; k++ {
		copy(y[k*hw:(k+1)*hw], y[:hw])
	}
	return y
}

// grayscale replaces every channel of x [c, hw] by the luma, in place (the
// RandomGrayscale of the training transform: as many output channels as
// input ones). Identity when c = 1.
func grayscale(x []float32, c, hw int) {
	if c != 3 {
		return
	}
	r, g, b := x[:hw], x[hw:2*hw], x[2*hw:3*hw]
	for i := range r {
		l := lumaR*r[i] + lumaG*g[i] + lumaB*b[i]
		r[i], g[i], b[i] = l, l, l
	}
}
