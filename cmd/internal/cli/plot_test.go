package cli

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
)

// decodePNG reads a PNG file back (cmdtest.Image).
var decodePNG = cmdtest.Image

// onlyFile fails unless dir holds exactly the file name (no temporary left).
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != name {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want only %s", dir, names, name)
	}
}

func epochs(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

func TestPlotLinesWritesPNG(t *testing.T) {
	dir := t.TempDir()
	loss := []float64{18, 16, math.NaN(), 12, 11, 10.5}
	acc := []float64{0.25, 0.3, 0.42, math.Inf(1), 0.55, 0.6}
	for name, series := range map[string][]Series{
		"full.png":   {{Name: "loss", X: epochs(6), Y: loss}, {Name: "kNN top1", X: epochs(6), Y: acc, Axis: 1}},
		"right.png":  {{Name: "acc", X: epochs(6), Y: acc, Axis: 1}},
		"allnan.png": {{Name: "loss", X: []float64{0, 1}, Y: []float64{math.NaN(), math.NaN()}}},
		"empty.png":  {{Name: "loss"}},
		"none.png":   nil,
		"flat.png":   {{Name: "loss", X: []float64{3}, Y: []float64{2}}},
	} {
		sub := filepath.Join(dir, strings.TrimSuffix(name, ".png"))
		os.Mkdir(sub, 0o755)
		path := filepath.Join(sub, name)
		if err := PlotLines(path, "stage 1", "epoch", series); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := decodePNG(t, path).Bounds(); b.Dx() != PlotW || b.Dy() != PlotH {
			t.Errorf("%s is %v, want %dx%d", name, b, PlotW, PlotH)
		}
		onlyFile(t, sub, name)
	}
}

func TestPlotLinesErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		path   string
		series []Series
		want   string
	}{
		{filepath.Join(dir, "a.png"), []Series{{Name: "loss", X: []float64{1, 2}, Y: []float64{1}}}, "2 x values but 1 y values"},
		{filepath.Join(dir, "b.png"), []Series{{Name: "loss", Axis: 2}}, "axis 2"},
		{filepath.Join(dir, "no", "such", "dir.png"), nil, "dir.png"},
	} {
		err := PlotLines(c.path, "t", "x", c.series)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PlotLines(%s) error = %v, want one containing %q", c.path, err, c.want)
		}
	}
}

// isBlue reports whether c is close to the first palette colour (or its
// anti-aliased blend with white), and not grey or black text.
func isBlue(c color.Color) bool {
	r, _, b, _ := c.RGBA()
	return int(b>>8)-int(r>>8) > 60
}

// blueRuns counts the runs of pixel columns, below the legend, holding a
// pixel of the first series' colour.
func blueRuns(img image.Image) int {
	runs, in := 0, false
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		has := false
		for y := 70; y < b.Max.Y && !has; y++ { // the legend ends above row 70
			has = isBlue(img.At(x, y))
		}
		if has && !in {
			runs++
		}
		in = has
	}
	return runs
}

// A NaN breaks a line in two; without it the line is one piece. This checks
// that the series is drawn at all, and where.
func TestPlotLinesNaNGap(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	c, err := renderLines("t", "x", []Series{{Name: "s", X: epochs(8), Y: y}})
	if err != nil {
		t.Fatal(err)
	}
	if n := blueRuns(c.Image()); n != 1 {
		t.Errorf("unbroken series: %d runs of columns, want 1", n)
	}
	y[4] = math.NaN()
	c, _ = renderLines("t", "x", []Series{{Name: "s", X: epochs(8), Y: y}})
	if n := blueRuns(c.Image()); n != 2 {
		t.Errorf("series with a NaN: %d runs of columns, want 2", n)
	}
}
