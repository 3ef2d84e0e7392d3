package data

import (
	"math"
	"math/rand/v2"
)

// Augment is the training transform of the paper (and of Super-AND), in
// torchvision's order:
//
//	RandomResizedCrop(Size, scale=(ScaleMin, ScaleMax), ratio=(3/4, 4/3), bilinear)
//	ColorJitter(Jitter[0], Jitter[1], Jitter[2], Jitter[3])  brightness, contrast, saturation, hue; random order
//	RandomGrayscale(GrayP)
//	RandomHorizontalFlip(FlipP), or RandomAffine (Affine, affine.go) when Affine is set
//	ToTensor, Normalize(Mean, Std)
//
// Apply works in float32 from the crop on (see the package doc for how this
// compares with PIL's uint8 pipeline). An Augment is read-only during Apply,
// so one value serves many goroutines.
type Augment struct {
	Size               int     // output side: images come out [C, Size, Size]
	ScaleMin, ScaleMax float64 // crop area as a fraction of the image area
	// Jitter holds the strengths of brightness, contrast, saturation and hue:
	// factors are drawn from [max(0,1-s), 1+s] (hue: [-s, s], s <= 0.5); a
	// strength of 0 turns that adjustment off.
	Jitter       [4]float32
	GrayP, FlipP float64   // probabilities of greying and of mirroring
	Mean, Std    []float32 // per-channel normalisation (len C)
	// Affine, when set, replaces the flip by a random affine transform
	// (SVHN: digits are not mirrored); FlipP is then unused.
	Affine *Affine
}

// PaperCropMin is the paper's smallest RandomResizedCrop area fraction, the
// default of the stages' --crop_min.
const PaperCropMin = 0.2

// Aspect ratio range of RandomResizedCrop (torchvision's default, kept by the
// paper).
const (
	ratioMin = 3.0 / 4.0
	ratioMax = 4.0 / 3.0
)

// DefaultAugment returns the paper's training transform for ds: crops of 20%
// to 100% of the area resized to the image side (min(H, W)), ColorJitter(0.4,
// 0.4, 0.4, 0.4), RandomGrayscale(0.2), a horizontal flip with probability
// 0.5 and ds's normalisation constants. For SVHN the flip is replaced by the
// random affine transform SVHNAffine, as the paper's supplementary §B does.
func DefaultAugment(ds *Dataset) *Augment {
	a := &Augment{
		Size:     min(ds.H, ds.W),
		ScaleMin: PaperCropMin, ScaleMax: 1,
		Jitter: [4]float32{0.4, 0.4, 0.4, 0.4},
		GrayP:  0.2, FlipP: 0.5,
		Mean: append([]float32(nil), ds.Mean...), Std: append([]float32(nil), ds.Std...),
	}
	if ds.Name == "svhn" {
		af := SVHNAffine
		a.Affine, a.FlipP = &af, 0
	}
	return a
}

// CropParams draws a RandomResizedCrop box (top, left, height, width) for an
// h×w image, as torchvision's RandomResizedCrop.get_params: up to ten tries
// of an area fraction uniform in [ScaleMin, ScaleMax] and a log-uniform
// aspect ratio in [3/4, 4/3], sides rounded half to even (Python's round);
// a box that fits wins, its corner uniform. After ten misses, the largest
// centred box whose ratio is within [3/4, 4/3].
func (a *Augment) CropParams(h, w int, rng *rand.Rand) (top, left, height, width int) {
	area := float64(h * w)
	lr0, lr1 := math.Log(ratioMin), math.Log(ratioMax)
	for range 10 {
		target := area * uniform(rng, a.ScaleMin, a.ScaleMax)
		ratio := math.Exp(uniform(rng, lr0, lr1))
		cw := int(math.RoundToEven(math.Sqrt(target * ratio)))
		ch := int(math.RoundToEven(math.Sqrt(target / ratio)))
		if 0 < cw && cw <= w && 0 < ch && ch <= h {
			top = intN(rng, h-ch+1)
			left = intN(rng, w-cw+1)
			return top, left, ch, cw
		}
	}
	// Fallback: centre crop.
	in := float64(w) / float64(h)
	switch {
	case in < ratioMin:
		width = w
		height = int(math.RoundToEven(float64(width) / ratioMin))
	case in > ratioMax:
		height = h
		width = int(math.RoundToEven(float64(height) * ratioMax))
	default:
		width, height = w, h
	}
	return (h - height) / 2, (w - width) / 2, height, width
}

// jitterParams is one draw of ColorJitter: the order of the four adjustments
// and their factors; on[k] is false for an adjustment of strength 0.
type jitterParams struct {
	order  [4]int
	factor [4]float32
	on     [4]bool
}

// drawJitter draws the order (a uniform permutation of 0..3, torchvision's
// randperm(4)) and then the factors in the fixed order brightness, contrast,
// saturation, hue.
func (a *Augment) drawJitter(rng *rand.Rand) jitterParams {
	var j jitterParams
	j.order = [4]int{0, 1, 2, 3}
	for i := 3; i > 0; i-- {
		k := intN(rng, i+1)
		j.order[i], j.order[k] = j.order[k], j.order[i]
	}
	for k, s := range a.Jitter {
		if s <= 0 {
			continue
		}
		j.on[k] = true
		if k == 3 {
			j.factor[k] = float32(uniform(rng, -float64(s), float64(s)))
		} else {
			j.factor[k] = float32(uniform(rng, max(0, 1-float64(s)), 1+float64(s)))
		}
	}
	return j
}

// ColorJitter applies adjustment order[i] (0 brightness, 1 contrast,
// 2 saturation, 3 hue) with factor[order[i]] for i = 0..3, in place on x
// [c,h,w]: the deterministic core of torchvision's ColorJitter.
func ColorJitter(x []float32, c, h, w int, order [4]int, factor [4]float32) {
	checkImage(x, c, h, w)
	applyJitter(x, c, h*w, jitterParams{order: order, factor: factor, on: [4]bool{true, true, true, true}})
}

func applyJitter(x []float32, c, hw int, j jitterParams) {
	for _, k := range j.order {
		if !j.on[k] {
			continue
		}
		f := j.factor[k]
		switch k {
		case 0:
			brightness(x, f)
		case 1:
			contrast(x, c, hw, f)
		case 2:
			saturation(x, c, hw, f)
		case 3:
			if f < -0.5 || f > 0.5 {
				panic("data: hue factor outside [-0.5, 0.5]")
			}
			hue(x, c, hw, f)
		}
	}
}

// Apply writes one augmented view of img (uint8 [c,h,w]) into dst
// [c, Size, Size], normalised. The draws, in order: the crop, the jitter
// order and factors, one uniform for grayscale and one for the flip (always
// both, so the stream does not depend on the outcomes), or with Affine set
// the affine parameters instead of the flip's uniform.
func (a *Augment) Apply(dst []float32, img []uint8, c, h, w int, rng *rand.Rand) {
	s := a.Size
	if len(dst) != c*s*s {
		panic("data: Augment.Apply: dst length is not c*Size*Size")
	}
	if len(img) != c*h*w || (c != 1 && c != 3) {
		panic("data: Augment.Apply: img length is not c*h*w or c is not 1 or 3")
	}
	top, left, ch, cw := a.CropParams(h, w, rng)
	resizeCrop(dst, img, c, h, w, top, left, ch, cw, s, s, 1.0/255)
	applyJitter(dst, c, s*s, a.drawJitter(rng))
	if uniform(rng, 0, 1) < a.GrayP {
		grayscale(dst, c, s*s)
	}
	switch {
	case a.Affine != nil:
		src := append([]float32(nil), dst...)
		AffineTransform(dst, src, c, s, s, a.Affine.Draw(s, s, rng))
	case uniform(rng, 0, 1) < a.FlipP:
		hflip(dst, c*s, s)
	}
	normalize(dst, c, s*s, a.Mean, a.Std)
}

// TestTransform writes the evaluation view of img (uint8 [c,h,w]) into dst
// [c,size,size]: torchvision's Resize(size) (shorter side to size, the other
// to int(size*long/short); bilinear, antialiased when shrinking) then
// CenterCrop(size) (corner round((side-size)/2)), ToTensor and Normalize.
// An image already size×size is only scaled to [0,1] and normalised.
func TestTransform(dst []float32, img []uint8, c, h, w, size int, mean, std []float32) {
	if len(dst) != c*size*size {
		panic("data: TestTransform: dst length is not c*size*size")
	}
	if len(img) != c*h*w {
		panic("data: TestTransform: img length is not c*h*w")
	}
	if h == size && w == size {
		for i, v := range img {
			dst[i] = float32(v) * (1.0 / 255)
		}
		normalize(dst, c, size*size, mean, std)
		return
	}
	nh, nw := resizedShape(h, w, size)
	tmp := make([]float32, c*nh*nw)
	resizeCrop(tmp, img, c, h, w, 0, 0, h, w, nh, nw, 1.0/255)
	centerCrop(dst, tmp, c, nh, nw, size)
	normalize(dst, c, size*size, mean, std)
}

// resizedShape is torchvision's Resize(size) output shape for an h×w image.
func resizedShape(h, w, size int) (nh, nw int) {
	if w <= h {
		return int(float64(size*h) / float64(w)), size
	}
	return size, int(float64(size*w) / float64(h))
}

// centerCrop copies the centred size×size window of src [c,h,w] (h, w >=
// size) into dst [c,size,size]; corners as torchvision's CenterCrop.
func centerCrop[T uint8 | float32](dst, src []T, c, h, w, size int) {
	top := int(math.RoundToEven(float64(h-size) / 2))
	left := int(math.RoundToEven(float64(w-size) / 2))
	for p := 0; p < c; p++ {
		for y := 0; y < size; y++ {
			copy(dst[(p*size+y)*size:(p*size+y+1)*size], src[(p*h+top+y)*w+left:])
		}
	}
}
