package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"twostage/autograd"
	"twostage/tensor"
)

// The encoder's trunks, as --network names them.
//
// NetworkWRN28_2 has no Sobel tower. Table 4 of the paper compares each
// method started from the two-stage pretraining against the same method
// from scratch, and its from-scratch rows are the literature's WRN-28-2
// numbers (Oliver et al. 2018: 79.7 / 83.8 / 84.2 % on CIFAR-10 with 4,000
// labels); only the plain network, with its 1.47 M parameters, keeps that
// comparison about the pretraining rather than about a second tower of
// another 1.47 M parameters on the Sobel gradients. The paper does not
// describe a two-tower WRN either.
const (
	NetworkResNet18 = "resnet18" // the paper's two-tower ResNet18withSobel (the default)
	NetworkWRN28_2  = "wrn28_2"  // WideResNet-28-2, one tower on the image (wrn.go)
)

// Networks lists the valid --network values.
var Networks = []string{NetworkResNet18, NetworkWRN28_2}

// CheckNetwork returns an error naming the value and the valid ones unless
// name is one of Networks.
func CheckNetwork(name string) error {
	for _, n := range Networks {
		if name == n {
			return nil
		}
	}
	return fmt.Errorf("--network %q: must be one of %s", name, strings.Join(Networks, ", "))
}

// newWRNEncoder is NewEncoder for NetworkWRN28_2: the trunk, then the
// embedding head Linear(128, LowDim) initialised as the reference's fc
// (xavier-normal weight, zero bias).
func newWRNEncoder(be tensor.Backend, rng *rand.Rand, cfg EncoderConfig) *Encoder {
	w := NewWideResNet(be, rng, cfg.InChannels, 28, 2)
	in, out := w.Features(), cfg.LowDim
	std := math.Sqrt(2 / float64(in+out))
	h := make([]float32, out*in)
	for i := range h {
		h[i] = float32(rng.NormFloat64() * std)
	}
	b := be.Empty(tensor.Float32, tensor.Shape{out})
	be.Fill(b, 0)
	lin := &Linear{
		Weight: autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{out, in}, h), "weight"),
		Bias:   autograd.Leaf(b, "bias"),
	}
	return &Encoder{Cfg: cfg, WRN: w, Linear: lin}
}

// Network is the encoder's network name (resnet18 or wrn28_2).
func (e *Encoder) Network() string {
	if e.WRN != nil {
		return NetworkWRN28_2
	}
	return NetworkResNet18
}

// NetworkOf is the network a checkpoint holds: its "network" metadata
// (PutEncoder), or resnet18 for files without it (checkpoints saved before
// --network existed and the authors' .t7 files, which are all ResNet18).
func NetworkOf(c *Checkpoint) string {
	if n, ok := c.Meta["network"]; ok && n != "" {
		return n
	}
	return NetworkResNet18
}

// PutEncoder stores e's entries (PutModule) and records its network in the
// metadata, so that GetEncoder can refuse the file for another network.
func (c *Checkpoint) PutEncoder(e *Encoder) {
	c.PutModule("", e)
	c.Meta["network"] = e.Network()
}

// checkNetwork returns an error naming both networks when c holds another
// network than e.
func (c *Checkpoint) checkNetwork(e *Encoder) error {
	if got, want := NetworkOf(c), e.Network(); got != want {
		return fmt.Errorf("checkpoint: %s: holds a %s network, the model is a %s one (HINT: --network %s)", c.Path, got, want, got)
	}
	return nil
}
