package golden_test

import (
	"fmt"

	"twostage/data"
	"twostage/golden"
)

// The augmentation ops: torchvision's functional transforms on one float
// image x [C,H,W] in [0,1], recomputed with package data. The case
// tolerances allow a pipeline that rounds to uint8 between steps; data's
// functions are float32 throughout.

func init() {
	register("adjust_brightness", checkAdjust(data.AdjustBrightness))
	register("adjust_contrast", checkAdjust(data.AdjustContrast))
	register("adjust_saturation", checkAdjust(data.AdjustSaturation))
	register("adjust_hue", checkAdjust(data.AdjustHue))
	register("color_jitter", checkColorJitter)
	register("rgb_to_grayscale", checkGrayscale)
	register("resized_crop", checkResizedCrop)
	register("hflip", checkHFlip)
	register("normalize", checkNormalize)
}

// image returns the case's input x as a CHW image.
func image(c *golden.Case) (x []float32, ch, h, w int, err error) {
	t, err := c.Want("inputs", "x")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	if t.DType != "float32" || len(t.Shape) != 3 {
		return nil, 0, 0, 0, fmt.Errorf("inputs.x: want a float32 [C,H,W] image, got %s %v", t.DType, t.Shape)
	}
	return t.F32, t.Shape[0], t.Shape[1], t.Shape[2], nil
}

// checkAdjust checks one of the four colour adjustments with attrs.factor.
func checkAdjust(f func(x []float32, c, h, w int, factor float32) []float32) func(*golden.Case) error {
	return func(c *golden.Case) error {
		x, ch, h, w, err := image(c)
		if err != nil {
			return err
		}
		factor, err := c.Float("factor")
		if err != nil {
			return err
		}
		return c.CheckF32("outputs", "y", f(x, ch, h, w, float32(factor)))
	}
}

func checkColorJitter(c *golden.Case) error {
	x, ch, h, w, err := image(c)
	if err != nil {
		return err
	}
	ord, err := c.Floats("order")
	if err != nil {
		return err
	}
	if len(ord) != 4 {
		return fmt.Errorf("attrs.order: %d entries, want 4", len(ord))
	}
	var order [4]int
	for i, o := range ord {
		order[i] = int(o)
	}
	var factor [4]float32
	for k, name := range []string{"brightness", "contrast", "saturation", "hue"} {
		v, err := c.Float(name)
		if err != nil {
			return err
		}
		factor[k] = float32(v)
	}
	y := append([]float32(nil), x...)
	data.ColorJitter(y, ch, h, w, order, factor)
	return c.CheckF32("outputs", "y", y)
}

func checkGrayscale(c *golden.Case) error {
	x, ch, h, w, err := image(c)
	if err != nil {
		return err
	}
	out, err := c.Int("channels")
	if err != nil {
		return err
	}
	return c.CheckF32("outputs", "y", data.RGBToGrayscale(x, ch, h, w, out))
}

func checkResizedCrop(c *golden.Case) error {
	x, ch, h, w, err := image(c)
	if err != nil {
		return err
	}
	var p [5]int
	for i, name := range []string{"top", "left", "height", "width", "size"} {
		if p[i], err = c.Int(name); err != nil {
			return err
		}
	}
	return c.CheckF32("outputs", "y", data.ResizedCrop(x, ch, h, w, p[0], p[1], p[2], p[3], p[4]))
}

func checkHFlip(c *golden.Case) error {
	x, ch, h, w, err := image(c)
	if err != nil {
		return err
	}
	return c.CheckF32("outputs", "y", data.HFlip(x, ch, h, w))
}

func checkNormalize(c *golden.Case) error {
	x, ch, h, w, err := image(c)
	if err != nil {
		return err
	}
	m, err := c.Floats("mean")
	if err != nil {
		return err
	}
	s, err := c.Floats("std")
	if err != nil {
		return err
	}
	mean, std := make([]float32, len(m)), make([]float32, len(s))
	for i := range m {
		mean[i] = float32(m[i])
	}
	for i := range s {
		std[i] = float32(s[i])
	}
	if len(mean) != ch || len(std) != ch {
		return fmt.Errorf("attrs: %d means and %d stds for %d channels", len(mean), len(std), ch)
	}
	return c.CheckF32("outputs", "y", data.Normalize(x, ch, h, w, mean, std))
}
