package data_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/data"
)

// TestCropParams checks RandomResizedCrop's boxes: inside the image, area
// fraction and aspect ratio within range (up to the rounding of the sides),
// corners spread over the image, and the centre-crop fallback.
func TestCropParams(t *testing.T) {
	a := &data.Augment{ScaleMin: 0.2, ScaleMax: 1}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hw := range [][2]int{{32, 32}, {28, 28}, {96, 96}, {20, 50}} {
		h, w := hw[0], hw[1]
		var sumFrac float64
		tops := map[int]bool{}
		const n = 4000
		for range n {
			top, left, ch, cw := a.CropParams(h, w, rng)
			if top < 0 || left < 0 || ch < 1 || cw < 1 || top+ch > h || left+cw > w {
				t.Fatalf("%dx%d: box %d,%d %dx%d outside the image", h, w, top, left, ch, cw)
			}
			frac := float64(ch*cw) / float64(h*w)
			// Rounding each side by up to 0.5 pixel moves the area by up to ~(h+w)/2 pixels.
			slack := float64(h+w)/2/float64(h*w) + 1e-9
			if frac < 0.2-slack || frac > 1+slack {
				t.Fatalf("%dx%d: area fraction %.3f outside [0.2, 1]", h, w, frac)
			}
			r := float64(cw) / float64(ch)
			if ch == h && cw == w {
				r = 1 // the fallback may return the whole image
			}
			lo, hi := (float64(cw)-0.5)/(float64(ch)+0.5), (float64(cw)+0.5)/(float64(ch)-0.5)
			if hi < 3.0/4 || lo > 4.0/3 {
				t.Fatalf("%dx%d: aspect %.3f (%dx%d) cannot come from [3/4, 4/3]", h, w, r, ch, cw)
			}
			sumFrac += frac
			tops[top] = true
		}
		if h != w {
			continue // a 20×50 box of ratio <= 4/3 covers at most 53% of the image: no simple law
		}
		// Accepted draws are uniform in [0.2,1] minus rejections of the large ones: mean well inside (0.4, 0.65).
		if m := sumFrac / n; m < 0.4 || m > 0.65 {
			t.Errorf("%dx%d: mean area fraction %.3f, want about 0.5", h, w, m)
		}
		if len(tops) < h/2 {
			t.Errorf("%dx%d: only %d distinct top rows in %d draws", h, w, len(tops), n)
		}
	}
	// Fallback: no box of a 1×100 strip fits a ratio in [3/4, 4/3] at 20%+ of the area,
	// so every draw falls back to the largest centred box of ratio 4/3: 1×1 (round(4/3) = 1).
	for range 10 {
		top, left, ch, cw := a.CropParams(1, 100, rng)
		if top != 0 || ch != 1 || cw != 1 || left != 49 {
			t.Fatalf("1x100 fallback: got %d,%d %dx%d, want 0,49 1x1", top, left, ch, cw)
		}
	}
	// 100×1: ratio below 3/4: width 1, height round(1/(3/4)) = 1, centred at row 49.
	if top, left, ch, cw := a.CropParams(100, 1, rng); top != 49 || left != 0 || ch != 1 || cw != 1 {
		t.Fatalf("100x1 fallback: got %d,%d %dx%d, want 49,0 1x1", top, left, ch, cw)
	}
}

// TestApplyComposition checks Apply against the public functional transforms
// with the same crop, with jitter off and greying/flipping forced on or off.
func TestApplyComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, c := range []int{1, 3} {
		ds := randomDataset(rng, 4, c, 19, 23)
		for _, gp := range []float64{0, 1} {
			for _, fp := range []float64{0, 1} {
				a := data.DefaultAugment(ds)
				a.Size = 16
				a.Jitter = [4]float32{}
				a.GrayP, a.FlipP = gp, fp
				img := ds.Image(2)
				got := make([]float32, c*16*16)
				a.Apply(got, img, c, 19, 23, rand.New(rand.NewPCG(9, 9)))
				top, left, ch, cw := a.CropParams(19, 23, rand.New(rand.NewPCG(9, 9)))
				x := make([]float32, len(img))
				for i, v := range img {
					x[i] = float32(v) / 255
				}
				y := data.ResizedCrop(x, c, 19, 23, top, left, ch, cw, 16)
				if gp == 1 {
					y = data.RGBToGrayscale(y, c, 16, 16, c)
				}
				if fp == 1 {
					y = data.HFlip(y, c, 16, 16)
				}
				y = data.Normalize(y, c, 16, 16, ds.Mean, ds.Std)
				check(t, "apply", got, ref64(y))
			}
		}
	}
}

// TestApplyRandomness checks the full transform: a pure function of the
// random stream, values inside the normalised range of [0,1], different
// streams giving different views, and on one-channel images only brightness
// and contrast acting.
func TestApplyRandomness(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, c := range []int{1, 3} {
		ds := randomDataset(rng, 2, c, 32, 32)
		a := data.DefaultAugment(ds)
		if a.Size != 32 || a.ScaleMin != 0.2 || a.GrayP != 0.2 || a.FlipP != 0.5 || a.Jitter != [4]float32{0.4, 0.4, 0.4, 0.4} {
			t.Fatalf("DefaultAugment = %+v, want the paper's transform", a)
		}
		v1, v2, v3 := make([]float32, c*32*32), make([]float32, c*32*32), make([]float32, c*32*32)
		a.Apply(v1, ds.Image(0), c, 32, 32, rand.New(rand.NewPCG(1, 2)))
		a.Apply(v2, ds.Image(0), c, 32, 32, rand.New(rand.NewPCG(1, 2)))
		a.Apply(v3, ds.Image(0), c, 32, 32, rand.New(rand.NewPCG(1, 3)))
		for i := range v1 {
			if math.Float32bits(v1[i]) != math.Float32bits(v2[i]) {
				t.Fatalf("c=%d: same stream, different views at %d", c, i)
			}
			p := i / (32 * 32)
			lo, hi := (0-ds.Mean[p])/ds.Std[p], (1-ds.Mean[p])/ds.Std[p]
			if v1[i] < lo-1e-5 || v1[i] > hi+1e-5 || math.IsNaN(float64(v1[i])) {
				t.Fatalf("c=%d: value %v at %d outside [%v, %v]", c, v1[i], i, lo, hi)
			}
		}
		if maxAbsDiff(v1, ref64(v3)) == 0 {
			t.Errorf("c=%d: different streams gave the same view", c)
		}
	}
	// One channel: saturation and hue are identities, so an augment with only
	// those two on is the plain crop.
	ds := randomDataset(rng, 1, 1, 12, 12)
	a := data.DefaultAugment(ds)
	a.Jitter = [4]float32{0, 0, 0.4, 0.4}
	a.GrayP, a.FlipP = 0, 0
	got := make([]float32, 144)
	a.Apply(got, ds.Image(0), 1, 12, 12, rand.New(rand.NewPCG(5, 5)))
	top, left, ch, cw := a.CropParams(12, 12, rand.New(rand.NewPCG(5, 5)))
	x := make([]float32, 144)
	for i, v := range ds.Image(0) {
		x[i] = float32(v) / 255
	}
	check(t, "one-channel saturation/hue", got, ref64(data.Normalize(data.ResizedCrop(x, 1, 12, 12, top, left, ch, cw, 12), 1, 12, 12, ds.Mean, ds.Std)))
}

// TestTestTransform checks the evaluation view: identity geometry at the
// native size, torchvision's Resize + CenterCrop otherwise.
func TestTestTransform(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	mean, std := []float32{0.4, 0.5, 0.6}, []float32{0.2, 0.25, 0.3}
	img := make([]uint8, 3*20*30)
	for i := range img {
		img[i] = uint8(rng.Uint32())
	}
	x := make([]float32, len(img))
	for i, v := range img {
		x[i] = float32(v) / 255
	}
	// Native size: plain normalisation.
	sq := img[:3*20*20]
	got := make([]float32, 3*20*20)
	data.TestTransform(got, sq, 3, 20, 20, 20, mean, std)
	check(t, "test transform native", got, ref64(data.Normalize(x[:3*20*20], 3, 20, 20, mean, std)))
	// 20×30 to 10: Resize(10) gives 10×15 (int(10*30/20)), CenterCrop(10) starts at column round(2.5) = 2.
	got = make([]float32, 3*10*10)
	data.TestTransform(got, img, 3, 20, 30, 10, mean, std)
	full := slowPILBilinear(ref64(x), 3, 20, 30, 10, 15)
	want := make([]float64, 3*10*10)
	for p := 0; p < 3; p++ {
		for y := 0; y < 10; y++ {
			for xx := 0; xx < 10; xx++ {
				want[(p*10+y)*10+xx] = (full[(p*10+y)*15+xx+2] - float64(mean[p])) / float64(std[p])
			}
		}
	}
	check(t, "test transform 20x30 -> 10", got, want)
}
