package data_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"twostage/data"
)

// ramp is a [c,h,w] image with distinct values in (0, 1].
func ramp(c, h, w int) []float32 {
	x := make([]float32, c*h*w)
	for i := range x {
		x[i] = float32(i+1) / float32(len(x))
	}
	return x
}

// TestAffineIdentity: angle 0, no shift, scale 1, no shear is the identity,
// bit for bit (every sample falls on a pixel centre with weight 1).
func TestAffineIdentity(t *testing.T) {
	for _, s := range [][3]int{{3, 32, 32}, {1, 28, 28}, {3, 5, 7}} {
		src := ramp(s[0], s[1], s[2])
		dst := make([]float32, len(src))
		data.AffineTransform(dst, src, s[0], s[1], s[2], data.AffineParams{Scale: 1})
		if !slices.Equal(dst, src) {
			t.Errorf("%v: the identity changed the image", s)
		}
	}
}

// TestAffineTranslate: an integer shift moves every pixel by it exactly,
// zeros coming in from outside.
func TestAffineTranslate(t *testing.T) {
	const c, h, w = 3, 6, 9
	src := ramp(c, h, w)
	dst := make([]float32, len(src))
	tx, ty := 2, -1
	data.AffineTransform(dst, src, c, h, w, data.AffineParams{TX: float64(tx), TY: float64(ty), Scale: 1})
	for ch := 0; ch < c; ch++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				want := float32(0)
				if si, sj := i-ty, j-tx; si >= 0 && si < h && sj >= 0 && sj < w {
					want = src[ch*h*w+si*w+sj]
				}
				if got := dst[ch*h*w+i*w+j]; got != want {
					t.Fatalf("channel %d pixel (%d,%d) = %v, want %v", ch, i, j, got, want)
				}
			}
		}
	}
}

// TestAffineRotate90: a rotation by 90° of a square image turns it
// counter-clockwise on screen: output (i, j) is input (j, w−1−i), so the
// top-right corner comes to the top left (up to cos 90° ≈ 6e-17 in the
// weights); by −90° the other way.
func TestAffineRotate90(t *testing.T) {
	const c, n = 1, 8
	src := ramp(c, n, n)
	dst := make([]float32, len(src))
	for _, c := range []struct {
		angle float64
		at    func(i, j int) int
	}{{90, func(i, j int) int { return j*n + n - 1 - i }}, {-90, func(i, j int) int { return (n-1-j)*n + i }}} {
		data.AffineTransform(dst, src, 1, n, n, data.AffineParams{Angle: c.angle, Scale: 1})
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if got, want := dst[i*n+j], src[c.at(i, j)]; math.Abs(float64(got-want)) > 1e-6 {
					t.Fatalf("angle %v: pixel (%d,%d) = %v, want %v", c.angle, i, j, got, want)
				}
			}
		}
	}
}

// TestAffineBounds: random draws stay within their ranges (shifts whole
// pixels within ±round(fraction·side)), and every output value is a convex
// combination of input values and the zero fill, so within [0, max].
func TestAffineBounds(t *testing.T) {
	a := data.SVHNAffine
	a.Shear = 15
	rng := rand.New(rand.NewPCG(3, 4))
	const c, h, w = 3, 32, 32
	src := ramp(c, h, w)
	dst := make([]float32, len(src))
	for k := 0; k < 200; k++ {
		p := a.Draw(h, w, rng)
		if math.Abs(p.Angle) > a.Degrees || math.Abs(p.TX) > math.Round(a.Translate[0]*w) || math.Abs(p.TY) > math.Round(a.Translate[1]*h) ||
			p.TX != math.Trunc(p.TX) || p.Scale < a.ScaleMin || p.Scale > a.ScaleMax || math.Abs(p.Shear) > a.Shear {
			t.Fatalf("draw %d out of range: %+v", k, p)
		}
		data.AffineTransform(dst, src, c, h, w, p)
		for i, v := range dst {
			if !(v >= 0 && v <= 1+1e-6) {
				t.Fatalf("draw %+v: output %d = %v outside [0, 1]", p, i, v)
			}
		}
	}
}

// TestSVHNAugment: DefaultAugment replaces the flip by SVHNAffine for SVHN
// only, and the affine path is deterministic in the stream.
func TestSVHNAugment(t *testing.T) {
	ds := &data.Dataset{Name: "svhn", N: 1, C: 3, H: 32, W: 32, Pixels: make([]uint8, 3*32*32),
		Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.25, 0.25, 0.25}}
	for i := range ds.Pixels {
		ds.Pixels[i] = uint8(i * 7)
	}
	a := data.DefaultAugment(ds)
	if a.Affine == nil || *a.Affine != data.SVHNAffine || a.FlipP != 0 {
		t.Fatalf("svhn augment: affine %v, flip %v", a.Affine, a.FlipP)
	}
	ds.Name = "cifar10"
	if b := data.DefaultAugment(ds); b.Affine != nil || b.FlipP != 0.5 {
		t.Fatalf("cifar10 augment: affine %v, flip %v", b.Affine, b.FlipP)
	}
	x, y := make([]float32, 3*32*32), make([]float32, 3*32*32)
	a.Apply(x, ds.Image(0), 3, 32, 32, rand.New(rand.NewPCG(1, 1)))
	a.Apply(y, ds.Image(0), 3, 32, 32, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(x, y) {
		t.Error("the same stream gave two views")
	}
}
