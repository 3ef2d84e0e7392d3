package tensor

import (
	"fmt"
	"strings"
)

// Shape is a list of dimension sizes, outermost first. A scalar has Shape{}.
type Shape []int

// Numel is the number of elements: the product of the sizes (1 for a scalar).
func (s Shape) Numel() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether two shapes have the same rank and sizes.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy that does not alias s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// DimShape views a tensor as [Outer, D, Inner] around one dimension: the layout
// every "along a dim" kernel (sum, softmax, L2 normalise, concat, narrow) uses.
// Element (o, d, i) lives at (o*D+d)*Inner+i.
type DimShape struct{ Outer, D, Inner int }

// DimShapeOf splits s around dimension dim (negative counts from the end).
func DimShapeOf(s Shape, dim int) DimShape {
	if dim < 0 {
		dim += len(s)
	}
	if dim < 0 || dim >= len(s) {
		panic("tensor: dimension out of range")
	}
	ds := DimShape{Outer: 1, D: s[dim], Inner: 1}
	for _, d := range s[:dim] {
		ds.Outer *= d
	}
	for _, d := range s[dim+1:] {
		ds.Inner *= d
	}
	return ds
}

// ConvShape describes a 2-D cross-correlation (PyTorch's conv2d, groups=1,
// dilation=1): x [N,C,H,W] * w [K,C,R,S] -> y [N,K,OH,OW] with
// OH = (H+2*Pad-R)/Stride+1 and OW = (W+2*Pad-S)/Stride+1.
type ConvShape struct {
	N, C, H, W  int // input
	K, R, S     int // output channels, kernel height, kernel width
	Stride, Pad int // the same in both spatial directions
	OH, OW      int // output spatial size
}

// ConvShapeOf derives a ConvShape from the input and weight shapes. It panics
// when they do not fit together (a bug in the caller).
func ConvShapeOf(x, w Shape, stride, pad int) ConvShape {
	if len(x) != 4 || len(w) != 4 {
		panic("tensor: conv2d needs x [N,C,H,W] and w [K,C,R,S]")
	}
	if x[1] != w[1] {
		panic("tensor: conv2d channel mismatch between x and w")
	}
	if stride < 1 || pad < 0 {
		panic("tensor: conv2d needs stride >= 1 and pad >= 0")
	}
	s := ConvShape{N: x[0], C: x[1], H: x[2], W: x[3], K: w[0], R: w[2], S: w[3], Stride: stride, Pad: pad}
	s.OH = (s.H+2*pad-s.R)/stride + 1
	s.OW = (s.W+2*pad-s.S)/stride + 1
	if s.OH < 1 || s.OW < 1 {
		panic("tensor: conv2d output would be empty")
	}
	return s
}

// XShape, WShape and YShape are the input, weight and output shapes.
func (s ConvShape) XShape() Shape { return Shape{s.N, s.C, s.H, s.W} }
func (s ConvShape) WShape() Shape { return Shape{s.K, s.C, s.R, s.S} }
func (s ConvShape) YShape() Shape { return Shape{s.N, s.K, s.OH, s.OW} }

// FLOPs is the multiply-add count of the forward pass times two.
func (s ConvShape) FLOPs() float64 {
	return 2 * float64(s.N) * float64(s.K) * float64(s.OH*s.OW) * float64(s.C*s.R*s.S)
}

// ChanShape views a tensor as [N, C, HW]: per-channel kernels (batch norm,
// bias add, channel sums). A 2-D [N, C] tensor is ChanShape{N, C, 1}.
type ChanShape struct{ N, C, HW int }

// ChanShapeOf reads [N,C,H,W] or [N,C] as a ChanShape.
func ChanShapeOf(s Shape) ChanShape {
	switch len(s) {
	case 2:
		return ChanShape{s[0], s[1], 1}
	case 4:
		return ChanShape{s[0], s[1], s[2] * s[3]}
	}
	panic("tensor: per-channel op needs [N,C] or [N,C,H,W]")
}

// PoolShape describes a square average pooling with kernel K and stride
// K (PyTorch's avg_pool2d(x, K) default), no padding: x [N,C,H,W] -> y
// [N,C,H/K,W/K] (floor).
type PoolShape struct{ N, C, H, W, K, OH, OW int }

// PoolShapeOf derives a PoolShape for kernel (and stride) k.
func PoolShapeOf(x Shape, k int) PoolShape {
	if len(x) != 4 || k < 1 || x[2] < k || x[3] < k {
		panic("tensor: avg_pool2d needs [N,C,H,W] with H,W >= kernel")
	}
	return PoolShape{x[0], x[1], x[2], x[3], k, x[2] / k, x[3] / k}
}
