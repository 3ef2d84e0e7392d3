package nn

import (
	"math/rand/v2"

	"twostage/autograd"
	"twostage/tensor"
)

// EncoderConfig sizes the encoder.
type EncoderConfig struct {
	Network    string // NetworkResNet18 (also "") or NetworkWRN28_2 (network.go)
	Width      int    // base width of the ResNet18 towers (the paper: 64); WRN-28-2 has fixed widths
	LowDim     int    // embedding size (the paper: 128)
	InChannels int    // 3 for colour images, 1 for grey ones
	ImageSize  int    // input height = width (32 for CIFAR, 28 for Fashion-MNIST)
}

// Encoder is the reference's ResNet18withSobel: an image tower and a tower
// over the Sobel gradients of the grey image, their pooled features
// concatenated, a linear projection to LowDim, and L2 normalisation.
//
//	sobel(x) = conv(conv(x, grey), sob, pad 1)   grey: 1/C each, sob: the
//	                                              fixed x and y Sobel filters
//	y = normalise(linear(concat(tower(x), tower_sobel(sobel(x)))))
//
// With Cfg.Network = NetworkWRN28_2 the trunk is one WideResNet-28-2 on the
// image alone (no Sobel tower: wrn.go, network.go) and the same head embeds
// its pooled 128 features:
//
//	y = normalise(linear(wrn(x)))
type Encoder struct {
	Cfg    EncoderConfig
	Image  *Tower      // resnet18 only (nil for wrn28_2)
	Sobel  *Tower      // resnet18 only
	WRN    *WideResNet // wrn28_2 only (nil for resnet18)
	Linear *Linear

	Sob *Sobel // resnet18 only
}

// FeatureSize is the length of one tower's pooled output for a square input
// of side s: the side after the three stride-2 stages, then the 4×4 pool.
func featureSide(s int) int {
	for i := 0; i < 3; i++ {
		s = (s+2-3)/2 + 1
	}
	return s / 4
}

// NewEncoder builds the encoder with PyTorch's default initialisation, drawing
// from rng in the reference's module order.
func NewEncoder(be tensor.Backend, rng *rand.Rand, cfg EncoderConfig) *Encoder {
	if cfg.ImageSize == 0 {
		cfg.ImageSize = 32
	}
	if cfg.Network == "" {
		cfg.Network = NetworkResNet18
	}
	if cfg.Network == NetworkWRN28_2 {
		return newWRNEncoder(be, rng, cfg)
	}
	if cfg.Network != NetworkResNet18 {
		panic("nn: encoder: unknown network " + cfg.Network + " (validate it with CheckNetwork)")
	}
	side := featureSide(cfg.ImageSize)
	if side < 1 {
		panic("nn: encoder input too small for the 4×4 pool")
	}
	e := &Encoder{Cfg: cfg}
	e.Image = NewTower(be, rng, cfg.InChannels, cfg.Width, "")
	e.Sobel = NewTower(be, rng, 2, cfg.Width, "_sobel")
	e.Linear = NewLinear(be, rng, 2*8*cfg.Width*side*side, cfg.LowDim, true)
	e.Sob = NewSobel(be, cfg.InChannels)
	return e
}

// Sobel is the encoder's fixed front end of the second tower: the grey
// level (mean of the channels, a 1×1 conv with weights 1/C) and its x and y
// Sobel gradients (a 3×3 conv, padding 1). Its filters are constants: not
// trained, not in the state.
type Sobel struct{ grey, sob *autograd.Var }

// NewSobel makes the filters for images of c channels.
func NewSobel(be tensor.Backend, c int) *Sobel {
	grey := make([]float32, c)
	for i := range grey {
		grey[i] = 1 / float32(c)
	}
	return &Sobel{
		grey: autograd.Const(tensor.FromFloat32(be, tensor.Shape{1, c, 1, 1}, grey)),
		sob: autograd.Const(tensor.FromFloat32(be, tensor.Shape{2, 1, 3, 3}, []float32{
			1, 0, -1, 2, 0, -2, 1, 0, -1, // x gradient
			1, 2, 1, 0, 0, 0, -1, -2, -1, // y gradient
		})),
	}
}

// Forward returns the two gradient planes [N,2,H,W] of x [N,C,H,W].
func (s *Sobel) Forward(x *autograd.Var) *autograd.Var {
	return autograd.Conv2D(autograd.Conv2D(x, s.grey, 1, 0), s.sob, 1, 1)
}

func (e *Encoder) State(prefix string) []Entry {
	var es []Entry
	if e.WRN != nil {
		es = append(es, e.WRN.State(prefix)...)
		return append(es, e.Linear.State(join(prefix, "linear"))...)
	}
	es = append(es, e.Image.State(prefix)...)
	es = append(es, e.Sobel.State(prefix)...)
	es = append(es, e.Linear.State(join(prefix, "linear"))...)
	return es
}

// Forward embeds x [N,C,H,W] into L2-normalised rows [N, LowDim].
func (e *Encoder) Forward(x *autograd.Var, train bool) *autograd.Var {
	if e.WRN != nil {
		return autograd.L2Normalize(e.Linear.Forward(e.WRN.Forward(x, train)), 1)
	}
	f := autograd.Concat(1, e.Image.Forward(x, train), e.Sobel.Forward(e.Sob.Forward(x), train))
	return autograd.L2Normalize(e.Linear.Forward(f), 1)
}

// Embed returns the evaluation-mode embeddings [n, LowDim] of n images
// given on the host as normalised [n, C, S, S] float32, with no graph
// recorded, in a backend scope (call it outside any other scope).
func (e *Encoder) Embed(be tensor.Backend, x []float32, n, size int) []float32 {
	var out []float32
	be.BeginScope()
	defer be.EndScope()
	autograd.NoGrad(func() {
		xt := tensor.FromFloat32(be, tensor.Shape{n, e.Cfg.InChannels, size, size}, x[:n*e.Cfg.InChannels*size*size])
		out = e.Forward(autograd.Const(xt), false).Val.Float32s()
	})
	return out
}
