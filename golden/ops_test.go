package golden_test

// Checkers for the engine ops: each rebuilds the op from the case's inputs
// with autograd on the CPU backend, runs backward with the case's upstream
// gradient, and compares outputs, gradients and state.

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"twostage/autograd"
	"twostage/golden"
	"twostage/kernels"
	"twostage/nn"
	"twostage/tensor"
)

var cpu tensor.Backend = &kernels.CPU{}

func init() {
	register("matmul", checkMatmul)
	register("linear", checkLinear)
	register("conv2d", checkConv2d)
	register("batchnorm2d_train", checkBatchNorm)
	register("batchnorm2d_eval", checkBatchNorm)
	register("relu", unaryChecker(autograd.ReLU))
	register("softmax", dimChecker(autograd.Softmax))
	register("log_softmax", dimChecker(autograd.LogSoftmax))
	register("l2_normalize", dimChecker(autograd.L2Normalize))
	register("concat", checkConcat)
	register("avg_pool2d", checkAvgPool)
	register("sgd_nesterov", checkSGD)
	register("sobel", checkSobel)
	register("encoder", checkEncoder)
}

// in returns input name as a tensor on the CPU backend.
func in(c *golden.Case, name string) (*tensor.Tensor, error) {
	t, err := c.Want("inputs", name)
	if err != nil {
		return nil, err
	}
	if t.DType == "int64" {
		return tensor.FromInt64(cpu, tensor.Shape(t.Shape), t.I64), nil
	}
	return tensor.FromFloat32(cpu, tensor.Shape(t.Shape), t.F32), nil
}

// leaves loads the named inputs as trainable Vars.
func leaves(c *golden.Case, names ...string) (map[string]*autograd.Var, error) {
	out := map[string]*autograd.Var{}
	for _, n := range names {
		t, err := in(c, n)
		if err != nil {
			return nil, err
		}
		out[n] = autograd.Leaf(t, n)
	}
	return out, nil
}

// backward seeds y with grad_outputs.name when present, else with 1 for a
// scalar.
func backward(c *golden.Case, name string, y *autograd.Var) error {
	if g, ok := c.GradOutputs[name]; ok {
		y.BackwardWith(tensor.FromFloat32(cpu, tensor.Shape(g.Shape), g.F32))
		return nil
	}
	if y.Val.Numel() == 1 {
		y.Backward()
		return nil
	}
	return fmt.Errorf("grad_outputs.%s missing for a non-scalar output", name)
}

// checkGrads compares every grads.<name> present in the case with vs[name].
func checkGrads(c *golden.Case, vs map[string]*autograd.Var) error {
	for name := range c.Grads {
		v, ok := vs[name]
		if !ok {
			return fmt.Errorf("grads.%s: no such input", name)
		}
		if err := c.CheckF32("grads", name, v.Grad().Float32s()); err != nil {
			return err
		}
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func checkMatmul(c *golden.Case) error {
	vs, err := leaves(c, "a", "b")
	if err != nil {
		return err
	}
	y := autograd.MatMul(vs["a"], vs["b"], false, false)
	return firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs))
}

func checkLinear(c *golden.Case) error {
	names := []string{"x", "weight"}
	if _, ok := c.Inputs["bias"]; ok {
		names = append(names, "bias")
	}
	vs, err := leaves(c, names...)
	if err != nil {
		return err
	}
	y := autograd.Linear(vs["x"], vs["weight"], vs["bias"])
	return firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs))
}

func checkConv2d(c *golden.Case) error {
	names := []string{"x", "weight"}
	if _, ok := c.Inputs["bias"]; ok {
		names = append(names, "bias")
	}
	vs, err := leaves(c, names...)
	if err != nil {
		return err
	}
	stride, err1 := c.Int("stride")
	pad, err2 := c.Int("padding")
	if err := firstErr(err1, err2); err != nil {
		return err
	}
	y := autograd.Conv2D(vs["x"], vs["weight"], stride, pad)
	if b := vs["bias"]; b != nil {
		y = autograd.BiasAdd(y, b)
	}
	return firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs))
}

func checkBatchNorm(c *golden.Case) error {
	vs, err := leaves(c, "x", "weight", "bias")
	if err != nil {
		return err
	}
	rm, err1 := in(c, "running_mean")
	rv, err2 := in(c, "running_var")
	eps, err3 := c.Float("eps")
	if err := firstErr(err1, err2, err3); err != nil {
		return err
	}
	bn := &nn.BatchNorm2d{Weight: vs["weight"], Bias: vs["bias"], RunningMean: rm, RunningVar: rv,
		Momentum: 0.1, Eps: float32(eps)}
	train := c.Op == "batchnorm2d_train"
	if train {
		m, err := c.Float("momentum")
		if err != nil {
			return err
		}
		bn.Momentum = float32(m)
	}
	y := bn.Forward(vs["x"], train)
	if err := firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs)); err != nil {
		return err
	}
	if train {
		return firstErr(c.CheckF32("after", "running_mean", rm.Float32s()), c.CheckF32("after", "running_var", rv.Float32s()))
	}
	return nil
}

func unaryChecker(f func(*autograd.Var) *autograd.Var) func(*golden.Case) error {
	return func(c *golden.Case) error {
		vs, err := leaves(c, "x")
		if err != nil {
			return err
		}
		y := f(vs["x"])
		return firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs))
	}
}

func dimChecker(f func(*autograd.Var, int) *autograd.Var) func(*golden.Case) error {
	return func(c *golden.Case) error {
		dim, err := c.Int("dim")
		if err != nil {
			return err
		}
		return unaryChecker(func(x *autograd.Var) *autograd.Var { return f(x, dim) })(c)
	}
}

func checkConcat(c *golden.Case) error {
	vs, err := leaves(c, "a", "b")
	if err != nil {
		return err
	}
	dim, err := c.Int("dim")
	if err != nil {
		return err
	}
	y := autograd.Concat(dim, vs["a"], vs["b"])
	return firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y), checkGrads(c, vs))
}

func checkAvgPool(c *golden.Case) error {
	k, err := c.Int("kernel")
	if err != nil {
		return err
	}
	return unaryChecker(func(x *autograd.Var) *autograd.Var { return autograd.AvgPool2D(x, k) })(c)
}

func checkSGD(c *golden.Case) error {
	lr, e1 := c.Float("lr")
	mom, e2 := c.Float("momentum")
	wd, e3 := c.Float("weight_decay")
	steps, e4 := c.Int("steps")
	p, e5 := in(c, "param")
	if err := firstErr(e1, e2, e3, e4, e5); err != nil {
		return err
	}
	v := autograd.Leaf(p, "param")
	opt := nn.NewSGD([]*autograd.Var{v}, float32(lr), float32(mom), float32(wd), true)
	for k := 0; k < steps; k++ {
		g, err := in(c, fmt.Sprintf("grad_%d", k))
		if err != nil {
			return err
		}
		v.ZeroGrad()
		cpu.Axpy(1, g, v.Grad())
		opt.Step()
		if err := c.CheckF32("outputs", fmt.Sprintf("param_%d", k), p.Float32s()); err != nil {
			return err
		}
	}
	return nil
}

func checkSobel(c *golden.Case) error {
	x, err := in(c, "x")
	if err != nil {
		return err
	}
	y := nn.NewSobel(cpu, x.Dim(1)).Forward(autograd.Const(x))
	return c.CheckF32("outputs", "y", y.Val.Float32s())
}

func checkEncoder(c *golden.Case) error {
	width, e1 := c.Int("width")
	lowDim, e2 := c.Int("low_dim")
	inCh, e3 := c.Int("in_channels")
	mode, e4 := c.String("mode")
	x, e5 := in(c, "x")
	if err := firstErr(e1, e2, e3, e4, e5); err != nil {
		return err
	}
	enc := nn.NewEncoder(cpu, rand.New(rand.NewPCG(1, 1)), nn.EncoderConfig{Width: width, LowDim: lowDim, InChannels: inCh, ImageSize: x.Dim(2)})
	// Load every "param:" input into the encoder's state.
	state := map[string]golden.Tensor{}
	for k, t := range c.Inputs {
		if name, ok := strings.CutPrefix(k, "param:"); ok {
			state[name] = t
		}
	}
	if err := loadState(enc, state); err != nil {
		return err
	}
	xv := autograd.Leaf(x, "x")
	y := enc.Forward(xv, mode == "train")
	if err := firstErr(c.CheckF32("outputs", "y", y.Val.Float32s()), backward(c, "y", y)); err != nil {
		return err
	}
	sm := nn.StateMap(enc)
	for k := range c.Grads {
		var got []float32
		if k == "x" {
			got = xv.Grad().Float32s()
		} else {
			e, ok := sm[strings.TrimPrefix(k, "param:")]
			if !ok || e.Param == nil {
				return fmt.Errorf("grads.%s: no such parameter in the encoder", k)
			}
			got = e.Param.Grad().Float32s()
		}
		if err := c.CheckF32("grads", k, got); err != nil {
			return err
		}
	}
	for k := range c.After {
		e, ok := sm[strings.TrimPrefix(k, "param:")]
		if !ok || e.Buffer == nil {
			return fmt.Errorf("after.%s: no such buffer in the encoder", k)
		}
		if err := c.CheckF32("after", k, e.Buffer.Float32s()); err != nil {
			return err
		}
	}
	return nil
}

// loadState copies fixture tensors into a module's entries; every entry must
// be present and shaped alike, and no fixture tensor may be left over.
func loadState(m nn.Module, state map[string]golden.Tensor) error {
	seen := map[string]bool{}
	for _, e := range m.State("") {
		t, ok := state[e.Name]
		if !ok {
			return fmt.Errorf("state %s: missing in the case", e.Name)
		}
		seen[e.Name] = true
		if e.Counter != nil {
			if len(t.I64) != 1 {
				return fmt.Errorf("state %s: want one int64", e.Name)
			}
			*e.Counter = t.I64[0]
			continue
		}
		dst := e.Tensor()
		if !tensor.Shape(t.Shape).Equal(dst.Shape()) {
			return fmt.Errorf("state %s: shape %v, model has %v", e.Name, t.Shape, dst.Shape())
		}
		cpu.Upload(dst, t.F32)
	}
	for k := range state {
		if !seen[k] {
			return fmt.Errorf("state %s: not in the model", k)
		}
	}
	return nil
}
