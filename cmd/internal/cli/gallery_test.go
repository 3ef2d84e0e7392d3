package cli

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"twostage/data"
)

// A gallery's size follows its layout, and each image lands where its row
// and column say, scaled up with sharp edges.
func TestPlotGallery(t *testing.T) {
	img := func(v uint8) image.Image {
		g := image.NewGray(image.Rect(0, 0, 28, 28))
		for i := range g.Pix {
			g.Pix[i] = v
		}
		return g
	}
	rows := []GalleryRow{
		{Text: []string{"cluster 0", "3 images"}, Images: []image.Image{img(255), img(0), img(128)}, Notes: []string{"0.9", "0.8", "0.1"}, Split: 2},
		{Text: []string{"2 empty clusters", "1, 2"}},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "clusters.png")
	if err := PlotGallery(path, "t", [2]string{"most confident", "random"}, rows, ThumbSize(28)); err != nil {
		t.Fatal(err)
	}
	got := decodePNG(t, path)
	cell := ThumbSize(28) + 4 // 84 + 4
	wantW := galleryPad + galleryText + 2*cell + galleryGap + 1*cell + galleryPad
	wantH := galleryHeader + (cell + galleryNoteH + 8) + (2*14 + 8) + galleryPad
	if b := got.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Fatalf("gallery is %v, want %d×%d", b, wantW, wantH)
	}
	onlyFile(t, dir, "clusters.png")
	// The centre of each thumbnail has its image's grey.
	y := galleryHeader + 2 + 84/2
	for k, want := range []uint8{255, 0, 128} {
		x := galleryPad + galleryText + k*cell + 2 + 84/2
		if k == 2 {
			x += galleryGap
		}
		if g := color.GrayModel.Convert(got.At(x, y)).(color.Gray).Y; int(g)-int(want) > 2 || int(want)-int(g) > 2 {
			t.Errorf("thumbnail %d at (%d, %d) has grey %d, want %d", k, x, y, g, want)
		}
	}
}

func TestPlotGalleryErrors(t *testing.T) {
	dir := t.TempDir()
	one := []image.Image{image.NewGray(image.Rect(0, 0, 4, 4))}
	for _, c := range []struct {
		rows  []GalleryRow
		thumb int
		want  string
	}{
		{nil, 56, "no rows"},
		{[]GalleryRow{{Images: one, Split: 2}}, 56, "split 2 of 1"},
		{[]GalleryRow{{Images: one, Notes: []string{"a", "b"}}}, 56, "2 notes for 1"},
		{[]GalleryRow{{Images: one}}, 4, "4 pixels"},
	} {
		path := filepath.Join(dir, "g.png")
		err := PlotGallery(path, "t", [2]string{}, c.rows, c.thumb)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v, want one naming %s and containing %q", err, path, c.want)
		}
	}
}

// DatasetImage shows the data set's pixels: grey planes as grey, RGB as RGB.
func TestDatasetImage(t *testing.T) {
	ds := &data.Dataset{N: 1, C: 3, H: 1, W: 2, Pixels: []uint8{10, 20, 30, 40, 50, 60}}
	if c := color.RGBAModel.Convert(DatasetImage(ds, 0).At(1, 0)).(color.RGBA); c != (color.RGBA{20, 40, 60, 255}) {
		t.Errorf("pixel (1, 0) = %v, want {20 40 60 255}", c)
	}
	ds = &data.Dataset{N: 2, C: 1, H: 1, W: 2, Pixels: []uint8{1, 2, 3, 4}}
	if g := DatasetImage(ds, 1).(*image.Gray); g.Pix[0] != 3 || g.Pix[1] != 4 {
		t.Errorf("image 1 = %v, want [3 4]", g.Pix)
	}
}

// PCA2 finds the direction of largest spread: points on a line along
// (1, 2, 0)/√5 plus small noise project onto PC 1 with their positions
// along the line (up to sign), and PC 1 explains nearly all the variance.
func TestPCA2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 200
	emb := make([]float32, 3*n)
	pos := make([]float64, n)
	for i := range n {
		pos[i] = rng.NormFloat64()
		emb[3*i] = float32(pos[i]/math.Sqrt(5) + 0.01*rng.NormFloat64())
		emb[3*i+1] = float32(2*pos[i]/math.Sqrt(5) + 0.01*rng.NormFloat64())
		emb[3*i+2] = float32(0.01 * rng.NormFloat64())
	}
	x, y, ex, err := PCA2(emb, n, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != n || len(y) != n || ex[0] < 0.99 || ex[1] > 0.01 {
		t.Fatalf("%d, %d coordinates, explained %v", len(x), len(y), ex)
	}
	mean := 0.0
	for _, p := range pos {
		mean += p / n
	}
	sign := math.Copysign(1, x[0]*(pos[0]-mean))
	for i := range n {
		if d := sign*x[i] - (pos[i] - mean); math.Abs(d) > 0.05 {
			t.Fatalf("point %d: PC 1 %g, position along the line %g", i, x[i], pos[i]-mean)
		}
	}
	if _, _, _, err := PCA2(make([]float32, 6), 3, 2); err == nil || !strings.Contains(err.Error(), "same point") {
		t.Errorf("identical points: error %v", err)
	}
	if _, _, _, err := PCA2(emb, 1, 3); err == nil {
		t.Error("one point: no error")
	}
}

// A scatter picture has one panel and legend column per panel; its points
// are drawn in their groups' colours.
func TestPlotScatter(t *testing.T) {
	dir := t.TempDir()
	pn := ScatterPanel{Title: "by cluster", X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 0, 1}, Group: []int{0, 0, 1, 1}, Names: []string{"a", "b"}}
	for _, k := range []int{1, 2} {
		path := filepath.Join(dir, "e.png")
		if err := PlotScatter(path, "t", []ScatterPanel{pn, pn}[:k]); err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, path)
		if b := img.Bounds(); b.Dx() != k*(ScatterW+scatterLegend) || b.Dy() != ScatterH+36 {
			t.Errorf("%d panels: %v", k, b)
		}
		// Some pixels of the panel area carry the second group's colour
		// (tab10 orange, blended with white by its transparency).
		n := 0
		for y := 40; y < ScatterH; y++ {
			for x := 0; x < ScatterW; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if r>>8 > 200 && g>>8 > 100 && g>>8 < 180 && b>>8 < 90 {
					n++
				}
			}
		}
		if n < 10 {
			t.Errorf("%d panels: %d orange pixels in the first panel, want the two points of group 1", k, n)
		}
	}
	for _, c := range []struct {
		p    []ScatterPanel
		want string
	}{
		{nil, "no panels"},
		{[]ScatterPanel{{X: []float64{1}, Y: []float64{1}, Group: []int{2}, Names: []string{"a"}}}, "group 2 of 1"},
		{[]ScatterPanel{{X: []float64{1}, Y: []float64{}, Group: []int{0}}}, "1 x, 0 y"},
		{[]ScatterPanel{{X: []float64{math.NaN()}, Y: []float64{1}, Group: []int{0}, Names: []string{"a"}}}, "point 0"},
	} {
		if err := PlotScatter(filepath.Join(dir, "bad.png"), "t", c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}
