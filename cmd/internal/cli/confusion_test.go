package cli

import (
	"image"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
)

var fashionNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

func TestPlotConfusion10x10(t *testing.T) {
	m := make([][]int, 10)
	for i := range m {
		m[i] = make([]int, 10)
		for j := range m[i] {
			m[i][j] = (i*7 + j*13) % 40
		}
		m[i][i] = 600 + 30*i
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "confusion.png")
	if err := PlotConfusion(path, m, fashionNames, fashionNames, "stage 2: fmnist, head 3"); err != nil {
		t.Fatal(err)
	}
	b := decodePNG(t, path).Bounds()
	// 10 cells of 56 px (560/10), plus the margins: wider and taller than the grid.
	if b.Dx() < 560 || b.Dy() < 560 || b.Dx() > 1000 || b.Dy() > 1000 {
		t.Errorf("10x10 confusion image is %v, want between 560 and 1000 pixels a side", b)
	}
	onlyFile(t, dir, "confusion.png")
}

// centroid is the mean position of the pixels of exactly colour c, and how
// many there are.
func centroid(img image.Image, c color.RGBA) (x, y float64, n int) {
	b := img.Bounds()
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			if color.RGBAModel.Convert(img.At(px, py)) == c {
				x, y, n = x+float64(px), y+float64(py), n+1
			}
		}
	}
	if n > 0 {
		x, y = x/float64(n), y/float64(n)
	}
	return x, y, n
}

// Each cell is shaded by its fraction of the row, and the cells sit where
// their row and column say.
func TestPlotConfusionCells(t *testing.T) {
	m := [][]int{{9, 1}, {0, 10}} // fractions 0.9 0.1 / 0 1
	c, err := renderConfusion(m, []string{"cat", "dog"}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	img := c.Image()
	var cx, cy [4]float64
	for k, frac := range []float64{0.9, 0.1, 0, 1} {
		var n int
		cx[k], cy[k], n = centroid(img, shade(frac))
		if n < 20*20 { // a cell is at least 28×28, less its digits
			t.Fatalf("cell %d (fraction %g): %d pixels of its shade, want a whole cell", k, frac, n)
		}
	}
	// [0][0] left of [0][1], above [1][0]; [1][1] right of [1][0], below [0][1].
	if !(cx[0] < cx[1] && cy[0] < cy[2] && cx[2] < cx[3] && cy[1] < cy[3]) {
		t.Errorf("cell centroids x %v y %v are not laid out as the matrix", cx, cy)
	}
	if d := cy[1] - cy[0]; d*d > 4 {
		t.Errorf("cells of row 0 are at heights %g and %g", cy[0], cy[1])
	}
}

func TestPlotConfusionErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		m          [][]int
		rows, cols []string
		want       string
	}{
		{nil, nil, nil, "empty"},
		{[][]int{{1, 2}, {3}}, nil, nil, "row 1 has 1 columns"},
		{[][]int{{1, -2}}, nil, nil, "[0][1] = -2"},
		{[][]int{{1, 2}}, []string{"a", "b"}, nil, "2 row names for 1 rows"},
		{[][]int{{1, 2}}, nil, []string{"a"}, "1 column names for 2 columns"},
	} {
		path := filepath.Join(dir, "c.png")
		err := PlotConfusion(path, c.m, c.rows, c.cols, "t")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("PlotConfusion(%v) error = %v, want one naming %s and containing %q", c.m, err, path, c.want)
		}
	}
}
