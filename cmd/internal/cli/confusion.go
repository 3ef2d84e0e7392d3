package cli

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotConfusion draws the confusion matrix m as a PNG heatmap (gonum/plot)
// and writes it to path atomically. m[i][j] counts the images of true class
// i assigned to column j (a cluster, mapped to a class by the Hungarian
// matching), so that a perfect clustering is diagonal; row 0 is at the top.
// rowNames and colNames label the rows and columns (nil: their indexes).
// Each cell shows its count; its shade is the count's fraction of its row
// (the per-class recall), so classes of different sizes read alike. The
// image grows with the matrix: cells are 28 to 64 pixels.
func PlotConfusion(path string, m [][]int, rowNames, colNames []string, title string) error {
	c, err := renderConfusion(m, rowNames, colNames, title)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return savePNG(path, c)
}

// Shades of the heatmap: a fraction 0 of the row is white, 1 is dark blue.
var (
	cellLight = color.RGBA{247, 251, 255, 255}
	cellDark  = color.RGBA{8, 48, 107, 255}
)

// shade interpolates between cellLight (t = 0) and cellDark (t = 1).
func shade(t float64) color.RGBA {
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + t*(float64(b)-float64(a)) + 0.5) }
	return color.RGBA{mix(cellLight.R, cellDark.R), mix(cellLight.G, cellDark.G), mix(cellLight.B, cellDark.B), 255}
}

// shades is the heatmap's palette.Palette: shadeSteps+1 colours from
// shade(0) to shade(1), so a fraction f gets shade(round(f·shadeSteps)/shadeSteps).
type shades struct{}

const shadeSteps = 100

func (shades) Colors() []color.Color {
	cs := make([]color.Color, shadeSteps+1)
	for i := range cs {
		cs[i] = shade(float64(i) / shadeSteps)
	}
	return cs
}

// fractionGrid is m as a plotter.GridXYZ of row fractions: column c at x =
// c, row r at y = R-1-r (row 0 on top).
type fractionGrid struct {
	m      [][]int
	rowSum []int
}

func (g fractionGrid) Dims() (c, r int) { return len(g.m[0]), len(g.m) }
func (g fractionGrid) X(c int) float64  { return float64(c) }
func (g fractionGrid) Y(r int) float64  { return float64(len(g.m) - 1 - r) }
func (g fractionGrid) Z(c, r int) float64 {
	if g.rowSum[r] == 0 {
		return 0
	}
	return float64(g.m[r][c]) / float64(g.rowSum[r])
}

// renderConfusion draws the heatmap of PlotConfusion.
func renderConfusion(m [][]int, rowNames, colNames []string, title string) (*vgimg.Canvas, error) {
	R := len(m)
	if R == 0 || len(m[0]) == 0 {
		return nil, fmt.Errorf("confusion matrix is empty (%d rows)", R)
	}
	C := len(m[0])
	rowSum := make([]int, R)
	for i, row := range m {
		if len(row) != C {
			return nil, fmt.Errorf("confusion matrix row %d has %d columns, row 0 has %d", i, len(row), C)
		}
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("confusion matrix [%d][%d] = %d is negative", i, j, v)
			}
			rowSum[i] += v
		}
	}
	// Labels default to the indexes; given ones must match the matrix.
	names := func(given []string, n int, what string) ([]string, error) {
		if given == nil {
			given = make([]string, n)
			for i := range given {
				given[i] = strconv.Itoa(i)
			}
		}
		if len(given) != n {
			return nil, fmt.Errorf("%d %s names for %d %ss", len(given), what, n, what)
		}
		return given, nil
	}
	rowNames, err := names(rowNames, R, "row")
	if err != nil {
		return nil, err
	}
	colNames, err = names(colNames, C, "column")
	if err != nil {
		return nil, err
	}

	g := fractionGrid{m, rowSum}
	hm := plotter.NewHeatMap(g, shades{})
	hm.Min, hm.Max = 0, 1
	p := newPlot(title + "\nshade: fraction of the row")
	p.Add(hm)
	// The counts, white on the darker half of the scale.
	var xys plotter.XYs
	var labels []string
	for r := range R {
		for c := range C {
			xys = append(xys, plotter.XY{X: g.X(c), Y: g.Y(r)})
			labels = append(labels, strconv.Itoa(m[r][c]))
		}
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, err
	}
	for k := range lab.TextStyle {
		ink := color.Color(color.Black)
		if g.Z(k%C, k/C) > 0.5 {
			ink = color.White
		}
		lab.TextStyle[k] = textStyle(9, false, ink, draw.XCenter, draw.YCenter)
	}
	p.Add(lab)

	// Axes: the names at the cell centres, no padding around the cells.
	ticks := func(ns []string, pos func(int) float64) plot.ConstantTicks {
		ts := make(plot.ConstantTicks, len(ns))
		for i, n := range ns {
			ts[i] = plot.Tick{Value: pos(i), Label: n}
		}
		return ts
	}
	p.X.Tick.Marker = ticks(colNames, g.X)
	p.Y.Tick.Marker = ticks(rowNames, g.Y)
	p.X.Min, p.X.Max = -0.5, float64(C)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(R)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Label.Text, p.Y.Label.Text = "cluster (mapped to class)", "true class"
	cell := min(64, max(28, 560/max(R, C)))
	longest := 0
	for _, n := range colNames {
		longest = max(longest, len(n))
	}
	if float64(longest)*6.5 > float64(cell) { // names wider than a cell are turned
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YTop
	}

	// The image: the grid plus room for the names, measured in the font.
	wide := func(ns []string, st text.Style) vg.Length {
		w := vg.Length(0)
		for _, n := range ns {
			w = max(w, st.Width(n))
		}
		return w
	}
	colH := p.X.Tick.Label.Height(colNames[0])
	if p.X.Tick.Label.Rotation != 0 {
		colH = wide(colNames, p.X.Tick.Label) * 0.75
	}
	W := C*cell + int(math.Ceil(float64(wide(rowNames, p.Y.Tick.Label)/px(1)))) + 80
	H := R*cell + int(math.Ceil(float64(colH/px(1)))) + 120
	W = max(W, int(math.Ceil(float64(p.Title.TextStyle.Width(title)/px(1))))+40)
	c := newCanvas(W, H)
	p.Draw(draw.Crop(draw.New(c), px(10), -px(16), px(8), -px(8)))
	return c, nil
}
