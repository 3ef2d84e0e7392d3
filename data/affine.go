package data

import (
	"math"
	"math/rand/v2"
)

// Affine is a random affine transform in the manner of torchvision's
// RandomAffine(degrees, translate, scale, shear) with bilinear sampling and
// zero fill: the augmentation that replaces the horizontal flip for SVHN
// (the paper's supplementary §B: digits must not be mirrored). The paper
// gives no parameters; SVHNAffine holds ours.
//
// One draw (AffineParams):
//
//	angle ~ U[-Degrees, Degrees]           degrees, counter-clockwise on screen
//	tx    = round(U[-Translate[0]·w, +Translate[0]·w]), ty likewise with h
//	scale ~ U[ScaleMin, ScaleMax]          (1 when both are 0)
//	shear ~ U[-Shear, Shear]               degrees, along x
//
// and the image is mapped about its centre by A = scale·R(angle)·S(shear),
// then shifted by (tx, ty): each output pixel samples the input at
// A⁻¹·(p − c − t) + c, p and c pixel centres (p = (j+½, i+½), c = (w/2, h/2)),
// as torchvision's affine grid (align_corners=False) does.
type Affine struct {
	Degrees            float64
	Translate          [2]float64 // fractions of the width and the height
	ScaleMin, ScaleMax float64
	Shear              float64
}

// SVHNAffine is the transform DefaultAugment uses for SVHN: small rotations,
// shifts of up to 10% (3 pixels, the literature's ±2 px translation and a
// little more) and ±10% zoom, no shear.
var SVHNAffine = Affine{Degrees: 10, Translate: [2]float64{0.1, 0.1}, ScaleMin: 0.9, ScaleMax: 1.1}

// AffineParams is one draw of an Affine.
type AffineParams struct {
	Angle, TX, TY, Scale, Shear float64
}

// Draw draws the parameters for an h×w image, in torchvision's order
// (angle, translation, scale, shear).
func (a *Affine) Draw(h, w int, rng *rand.Rand) AffineParams {
	p := AffineParams{Angle: uniform(rng, -a.Degrees, a.Degrees), Scale: 1}
	mx, my := a.Translate[0]*float64(w), a.Translate[1]*float64(h)
	p.TX = math.RoundToEven(uniform(rng, -mx, mx))
	p.TY = math.RoundToEven(uniform(rng, -my, my))
	if a.ScaleMin != 0 || a.ScaleMax != 0 {
		p.Scale = uniform(rng, a.ScaleMin, a.ScaleMax)
	}
	p.Shear = uniform(rng, -a.Shear, a.Shear)
	return p
}

// AffineTransform writes src [c,h,w] transformed by p into dst [c,h,w]
// (=): bilinear interpolation, zero outside the image. dst and src must not
// overlap.
func AffineTransform(dst, src []float32, c, h, w int, p AffineParams) {
	checkImage(src, c, h, w)
	checkImage(dst, c, h, w)
	// A = scale·R·S with R(θ) = [[cos, sin], [−sin, cos]] (counter-clockwise
	// on a screen whose y axis points down) and S = [[1, tan φ], [0, 1]].
	th, sh := p.Angle*math.Pi/180, p.Shear*math.Pi/180
	cs, sn, t := math.Cos(th), math.Sin(th), math.Tan(sh)
	a00, a01 := p.Scale*cs, p.Scale*(cs*t+sn)
	a10, a11 := -p.Scale*sn, p.Scale*(-sn*t+cs)
	det := a00*a11 - a01*a10
	i00, i01, i10, i11 := a11/det, -a01/det, -a10/det, a00/det
	cx, cy := float64(w)/2, float64(h)/2
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			x, y := float64(j)+0.5-cx-p.TX, float64(i)+0.5-cy-p.TY
			sx := i00*x + i01*y + cx - 0.5 // source pixel index coordinates
			sy := i10*x + i11*y + cy - 0.5
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := float32(sx-x0), float32(sy-y0)
			ix, iy := int(x0), int(y0)
			for ch := 0; ch < c; ch++ {
				plane := src[ch*h*w : (ch+1)*h*w]
				at := func(yy, xx int) float32 {
					if yy < 0 || yy >= h || xx < 0 || xx >= w {
						return 0
					}
					return plane[yy*w+xx]
				}
				v := (1-fy)*((1-fx)*at(iy, ix)+fx*at(iy, ix+1)) + fy*((1-fx)*at(iy+1, ix)+fx*at(iy+1, ix+1))
				dst[ch*h*w+i*w+j] = v
			}
		}
	}
}
