package cli

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one line of a PlotLines chart: the points (X[i], Y[i]) joined in
// order. A point with a NaN or infinite coordinate is left out and breaks the
// line there. Axis picks the panel: 0 the upper one (losses), 1 the lower
// one (accuracies).
type Series struct {
	Name string
	X, Y []float64
	Axis int
}

// Size of a PlotLines image in pixels.
const (
	PlotW = 900
	PlotH = 560
)

// PlotLines draws series as a PlotW×PlotH PNG line chart (gonum/plot) and
// writes it to path atomically. Series on axis 0 go to one panel, those on
// axis 1 to a second panel below it with the same x range, so that a loss
// and an accuracy each get their own scale; a chart with one kind has one
// panel. Each panel is scaled to the finite points of its series and has a
// legend; the chart has a title and the x axis is labelled xlabel. Points
// are marked when a series has few of them or one stands alone between
// gaps. Series with no finite point, or no series at all, give an empty
// chart marked "no data", not an error; X and Y of different lengths, or an
// Axis other than 0 or 1, are errors.
func PlotLines(path, title, xlabel string, series []Series) error {
	c, err := renderLines(title, xlabel, series)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return savePNG(path, c)
}

// finite reports whether a point can be drawn.
func finite(x, y float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0)
}

// runs splits a series into its pieces of consecutive finite points.
func runs(s Series) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range s.X {
		if !finite(s.X[i], s.Y[i]) {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: s.X[i], Y: s.Y[i]})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// markMax is the number of points up to which every point of a series is
// marked with a dot (a short run is easier to read with its points shown).
const markMax = 60

// renderLines draws the chart of PlotLines.
func renderLines(title, xlabel string, series []Series) (*vgimg.Canvas, error) {
	var used [2]bool
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("series %d (%q): %d x values but %d y values", i, s.Name, len(s.X), len(s.Y))
		}
		if s.Axis != 0 && s.Axis != 1 {
			return nil, fmt.Errorf("series %d (%q): axis %d, want 0 (upper panel) or 1 (lower panel)", i, s.Name, s.Axis)
		}
		used[s.Axis] = true
	}
	var axes []int
	for a := range used {
		if used[a] {
			axes = append(axes, a)
		}
	}
	if len(axes) == 0 {
		axes = []int{0}
	}

	// One plot per panel; every panel spans the x extent of all points.
	xlo, xhi, ints := math.Inf(1), math.Inf(-1), true
	plots := make([][]*plot.Plot, len(axes))
	any := false
	for row, a := range axes {
		p := newPlot("")
		if row == 0 {
			p.Title.Text = title
		}
		if row == len(axes)-1 {
			p.X.Label.Text = xlabel
		}
		p.Add(plotter.NewGrid())
		var names []string
		for i, s := range series {
			if s.Axis != a {
				continue
			}
			names = append(names, s.Name)
			style := draw.LineStyle{Color: paletteColor(i), Width: vg.Points(1.6)}
			pieces := runs(s)
			n := 0
			for _, xy := range pieces {
				n += len(xy)
			}
			for k, xy := range pieces {
				for _, pt := range xy {
					xlo, xhi = min(xlo, pt.X), max(xhi, pt.X)
					ints = ints && pt.X == math.Trunc(pt.X)
				}
				any = true
				l, err := plotter.NewLine(xy)
				if err != nil {
					return nil, fmt.Errorf("series %d (%q): %w", i, s.Name, err)
				}
				l.LineStyle = style
				p.Add(l)
				if n <= markMax || len(xy) == 1 {
					sc, err := plotter.NewScatter(xy)
					if err != nil {
						return nil, fmt.Errorf("series %d (%q): %w", i, s.Name, err)
					}
					sc.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
					p.Add(sc)
				}
				if k == 0 {
					p.Legend.Add(s.Name, l)
				}
			}
		}
		if len(names) == 1 {
			p.Y.Label.Text = names[0]
		}
		// Headroom above the highest point, where the legend goes.
		if lo, hi, ok := yExtent(series, a); ok {
			span := hi - lo
			if span == 0 {
				span = max(math.Abs(hi), 1) * 0.1
			}
			p.Y.Min, p.Y.Max = lo-0.04*span, hi+0.08*span*float64(2+len(names))
		}
		// Losses fall, accuracies rise: the legend goes in the top corner
		// the curves usually leave free (right for losses, left for
		// accuracies).
		p.Legend.Top, p.Legend.Left = true, a == 1
		plots[row] = []*plot.Plot{p}
	}
	for _, row := range plots {
		p := row[0]
		if any {
			p.X.Min, p.X.Max = xlo, xhi
		} else {
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
			p.Title.Text = strings.TrimSpace(p.Title.Text + " (no data)")
		}
		if ints {
			p.X.Tick.Marker = intTicks{}
		}
	}

	c := newCanvas(PlotW, PlotH)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadX: px(8), PadY: px(10), PadTop: px(8), PadBottom: px(8),
		PadLeft: px(8), PadRight: px(16)}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		plots[r][0].Draw(canvases[r][0])
	}
	return c, nil
}

// yExtent is the range of the finite points of the series on axis a.
func yExtent(series []Series, a int) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		if s.Axis != a {
			continue
		}
		for i := range s.X {
			if finite(s.X[i], s.Y[i]) {
				lo, hi, ok = min(lo, s.Y[i]), max(hi, s.Y[i]), true
			}
		}
	}
	return lo, hi, ok
}

// intTicks are gonum's default ticks for an axis of integers (epochs): only
// whole-number ticks are kept, and a short range gets one tick per integer.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	if hi-lo <= 10 {
		var ts []plot.Tick
		for v := math.Ceil(lo); v <= hi; v++ {
			ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprint(v)})
		}
		return ts
	}
	var ts []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value == math.Trunc(t.Value) {
			ts = append(ts, t)
		} else {
			ts = append(ts, plot.Tick{Value: t.Value}) // a minor tick, unlabelled
		}
	}
	return ts
}

// LastRun returns the index at which the last run of strictly increasing
// x values starts: a metrics.jsonl that a new run (from scratch, in the same
// --model_dir) appended to holds the old run's epochs first, and a chart
// shows only the latest one.
func LastRun(x []float64) int {
	start := 0
	for i := 1; i < len(x); i++ {
		if !(x[i] > x[i-1]) {
			start = i
		}
	}
	return start
}

// MeasuredPoints returns the points (x[i], y[i]) whose y is a measurement,
// leaving out the placeholders for "not measured" (a negative value, as the
// commands log an epoch without evaluation, or NaN): a chart then joins the
// measured points instead of breaking its line at every placeholder.
func MeasuredPoints(x, y []float64) (mx, my []float64) {
	for i := range y {
		if y[i] >= 0 && !math.IsNaN(y[i]) {
			mx, my = append(mx, x[i]), append(my, y[i])
		}
	}
	return mx, my
}
