package nn_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"twostage/kernels"
	"twostage/tensor"
)

// timedBackend wraps a backend and adds up the wall time of its heavy
// calls, keyed by call and shape: the per-op profile of a training step
// (BenchmarkTrainStepOps).
type timedBackend struct {
	tensor.Backend
	t map[string]time.Duration
	n map[string]int
}

// Empty and Zeros make tensors that name the wrapper as their backend, so
// that the ops on them come through it.
func (b *timedBackend) Empty(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	t := b.Backend.Empty(dt, s)
	return tensor.New(b, t.Storage(), s)
}
func (b *timedBackend) Zeros(dt tensor.DType, s tensor.Shape) *tensor.Tensor {
	t := b.Backend.Zeros(dt, s)
	return tensor.New(b, t.Storage(), s)
}

func (b *timedBackend) rec(k string, t0 time.Time) { b.t[k] += time.Since(t0); b.n[k]++ }

func cs(s tensor.ConvShape) string {
	return fmt.Sprintf("%d→%d %dx%d s%d @%d", s.C, s.K, s.R, s.S, s.Stride, s.H)
}

func (b *timedBackend) Conv2DForward(y, x, w *tensor.Tensor, s tensor.ConvShape) {
	defer b.rec("convF "+cs(s), time.Now())
	b.Backend.Conv2DForward(y, x, w, s)
}
func (b *timedBackend) Conv2DForwardBN(y, x, w, g, be, m, v *tensor.Tensor, s tensor.ConvShape, eps float32, act tensor.BNAct) {
	defer b.rec("convBN "+cs(s), time.Now())
	b.Backend.Conv2DForwardBN(y, x, w, g, be, m, v, s, eps, act)
}
func (b *timedBackend) Conv2DBackwardData(dx, dy, w *tensor.Tensor, s tensor.ConvShape, acc bool) {
	defer b.rec("convBD "+cs(s), time.Now())
	b.Backend.Conv2DBackwardData(dx, dy, w, s, acc)
}
func (b *timedBackend) Conv2DBackwardFilter(dw, dy, x *tensor.Tensor, s tensor.ConvShape) {
	defer b.rec("convBF "+cs(s), time.Now())
	b.Backend.Conv2DBackwardFilter(dw, dy, x, s)
}
func (b *timedBackend) BatchNormForward(y, m, v, x, g, be *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	defer b.rec(fmt.Sprintf("bnF c%d hw%d", s.C, s.HW), time.Now())
	b.Backend.BatchNormForward(y, m, v, x, g, be, s, eps, act)
}
func (b *timedBackend) BatchNormBackward(dx, dg, db, dy, x, g, m, v *tensor.Tensor, s tensor.ChanShape, eps float32, train bool, act tensor.BNAct) {
	defer b.rec(fmt.Sprintf("bnB c%d hw%d", s.C, s.HW), time.Now())
	b.Backend.BatchNormBackward(dx, dg, db, dy, x, g, m, v, s, eps, train, act)
}
func (b *timedBackend) Binary(op tensor.BinaryOp, dst, x, y *tensor.Tensor) {
	defer b.rec(fmt.Sprintf("binary %v", op), time.Now())
	b.Backend.Binary(op, dst, x, y)
}
func (b *timedBackend) Unary(op tensor.UnaryOp, dst, x *tensor.Tensor) {
	defer b.rec(fmt.Sprintf("unary %v", op), time.Now())
	b.Backend.Unary(op, dst, x)
}
func (b *timedBackend) Axpy(a float32, x, y *tensor.Tensor) {
	defer b.rec("axpy", time.Now())
	b.Backend.Axpy(a, x, y)
}
func (b *timedBackend) Scale(dst, x *tensor.Tensor, a, be float32) {
	defer b.rec("scale", time.Now())
	b.Backend.Scale(dst, x, a, be)
}
func (b *timedBackend) Copy(dst, src *tensor.Tensor) {
	defer b.rec("copy", time.Now())
	b.Backend.Copy(dst, src)
}
func (b *timedBackend) Gemm(ta, tb bool, al float32, x, y *tensor.Tensor, be float32, c *tensor.Tensor) {
	defer b.rec("gemm", time.Now())
	b.Backend.Gemm(ta, tb, al, x, y, be, c)
}
func (b *timedBackend) AvgPool2DForward(y, x *tensor.Tensor, s tensor.PoolShape) {
	defer b.rec("poolF", time.Now())
	b.Backend.AvgPool2DForward(y, x, s)
}
func (b *timedBackend) AvgPool2DBackward(dx, dy *tensor.Tensor, s tensor.PoolShape) {
	defer b.rec("poolB", time.Now())
	b.Backend.AvgPool2DBackward(dx, dy, s)
}
func (b *timedBackend) SGDStep(p, g, buf *tensor.Tensor, lr, m, wd float32, nest, first bool) {
	defer b.rec("sgd", time.Now())
	b.Backend.SGDStep(p, g, buf, lr, m, wd, nest, first)
}
func (b *timedBackend) Sum(dst, x *tensor.Tensor, s tensor.DimShape, acc bool) {
	defer b.rec("sum", time.Now())
	b.Backend.Sum(dst, x, s, acc)
}
func (b *timedBackend) SliceCopy(dst *tensor.Tensor, dD, dOff int, src *tensor.Tensor, sD, sOff, n int, outer, inner int, acc bool) {
	defer b.rec("slicecopy", time.Now())
	b.Backend.SliceCopy(dst, dD, dOff, src, sD, sOff, n, outer, inner, acc)
}

// BenchmarkTrainStepOps is BenchmarkTrainStep's step with the wall time of
// each heavy backend call added up by call and shape, printed as a table
// (slowest first) after the run: which layers a step spends its time in, and,
// run at -cpu 1,2, which of them do not scale with the threads.
//
//	go test ./nn -run '^$' -bench 'TrainStepOps/model=cpu' -cpu 1,2 -benchtime 5x
func BenchmarkTrainStepOps(b *testing.B) {
	for _, sc := range stepCases {
		b.Run(sc.name, func(b *testing.B) { benchStepOps(b, sc) })
	}
}

func benchStepOps(b *testing.B, sc stepCase) {
	tb := &timedBackend{Backend: &kernels.CPU{}, t: map[string]time.Duration{}, n: map[string]int{}}
	step := stepFunc(tb, sc, true)
	step() // fills the buffer pool; not counted
	clear(tb.t)
	clear(tb.n)
	for b.Loop() {
		step()
	}
	steps := b.N // set once b.Loop has finished
	b.ReportMetric(float64(sc.n)*float64(steps)/b.Elapsed().Seconds(), "img/s")
	keys := make([]string, 0, len(tb.t))
	var sum time.Duration
	for k, d := range tb.t {
		keys = append(keys, k)
		sum += d
	}
	sort.Slice(keys, func(i, j int) bool { return tb.t[keys[i]] > tb.t[keys[j]] })
	var w strings.Builder
	per := func(d time.Duration) float64 { return float64(d) / 1e6 / float64(steps) }
	fmt.Fprintf(&w, "step %.1f ms, of which the calls below %.1f ms\n", float64(b.Elapsed())/1e6/float64(steps), per(sum))
	for _, k := range keys {
		fmt.Fprintf(&w, "%9.2f ms %4d× %s\n", per(tb.t[k]), tb.n[k]/steps, k)
	}
	b.Log("\n" + w.String())
}
