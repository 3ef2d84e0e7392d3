package nn

import (
	"math"
	"math/rand/v2"
	"sort"

	"twostage/autograd"
	"twostage/tensor"
)

// Entry is one named item of a module's state: a trainable parameter, a
// float32 buffer (BN running statistics) or an integer counter
// (num_batches_tracked).
type Entry struct {
	Name    string
	Param   *autograd.Var  // trainable (nil otherwise)
	Buffer  *tensor.Tensor // non-trainable state (nil otherwise)
	Counter *int64         // int64 scalar state (nil otherwise)
}

// Tensor returns the entry's float32 value (parameter or buffer), or nil for
// a counter.
func (e Entry) Tensor() *tensor.Tensor {
	if e.Param != nil {
		return e.Param.Val
	}
	return e.Buffer
}

// Module is anything with named state.
type Module interface {
	// State lists the module's entries with names prefixed by prefix, in
	// PyTorch's registration order.
	State(prefix string) []Entry
}

// Params returns the trainable parameters of m in state order.
func Params(m Module) []*autograd.Var {
	var ps []*autograd.Var
	for _, e := range m.State("") {
		if e.Param != nil {
			ps = append(ps, e.Param)
		}
	}
	return ps
}

// StateMap indexes m's entries by name.
func StateMap(m Module) map[string]Entry {
	out := map[string]Entry{}
	for _, e := range m.State("") {
		out[e.Name] = e
	}
	return out
}

// StateNames lists the entry names of m, sorted.
func StateNames(m Module) []string {
	var names []string
	for _, e := range m.State("") {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return names
}

// CountParams is the number of trainable scalars.
func CountParams(m Module) int {
	n := 0
	for _, p := range Params(m) {
		n += p.Val.Numel()
	}
	return n
}

// ZeroGrad zeroes every parameter gradient of m.
func ZeroGrad(m Module) {
	for _, p := range Params(m) {
		p.ZeroGrad()
	}
}

// uniform returns a tensor drawn U(-bound, bound) from rng.
func uniform(be tensor.Backend, rng *rand.Rand, bound float64, s ...int) *tensor.Tensor {
	sh := tensor.Shape(s)
	h := make([]float32, sh.Numel())
	for i := range h {
		h[i] = float32((rng.Float64()*2 - 1) * bound)
	}
	return tensor.FromFloat32(be, sh, h)
}

// kaimingBound is PyTorch's default weight bound for Conv2d and Linear:
// kaiming_uniform_(a=√5) gives gain √(2/(1+5)) and bound gain·√(3/fan_in) =
// 1/√fan_in; the bias bound is 1/√fan_in too.
func kaimingBound(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
