package tensor

import "fmt"

// DType is the element type of a tensor.
type DType uint8

const (
	Float32 DType = iota // model values, activations, gradients
	Int64                // indexes (labels, gather/index_select indexes, topk results)
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Int64:
		return "int64"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Size is the number of bytes of one element.
func (d DType) Size() int {
	if d == Int64 {
		return 8
	}
	return 4
}

// Storage is a block of memory owned by one Backend: a Go slice for the CPU, a
// device pointer for a GPU. Only its backend looks inside.
type Storage interface {
	// Len is the number of elements of DType the block holds.
	Len() int
	DType() DType
}

// Tensor is a shape over a backend's storage. Several tensors may share one
// storage (Reshape); none of them owns a sub-range, so every tensor covers the
// whole storage.
type Tensor struct {
	shape Shape
	st    Storage
	be    Backend
}

// New wraps storage from be as a tensor of the given shape. Backends call it
// from Empty; users call Backend.Empty (or the helpers in this package).
func New(be Backend, st Storage, s Shape) *Tensor {
	if st.Len() != s.Numel() {
		panic("tensor: storage length does not match shape")
	}
	return &Tensor{shape: s.Clone(), st: st, be: be}
}

// Shape returns the tensor's shape; the caller must not modify it.
func (t *Tensor) Shape() Shape     { return t.shape }
func (t *Tensor) Numel() int       { return t.st.Len() }
func (t *Tensor) DType() DType     { return t.st.DType() }
func (t *Tensor) Storage() Storage { return t.st }
func (t *Tensor) Backend() Backend { return t.be }
func (t *Tensor) Dim(i int) int    { return t.shape[i] }
func (t *Tensor) Rank() int        { return len(t.shape) }
func (t *Tensor) String() string {
	return fmt.Sprintf("Tensor(%s %s on %s)", t.shape, t.DType(), t.be.Name())
}
func (t *Tensor) SameShape(o *Tensor) bool { return t.shape.Equal(o.shape) }

// Reshape returns a view with another shape over the same storage. One size
// may be -1 and is then inferred.
func (t *Tensor) Reshape(s ...int) *Tensor {
	ns := Shape(append([]int(nil), s...))
	infer, known := -1, 1
	for i, d := range ns {
		if d == -1 {
			if infer >= 0 {
				panic("tensor: reshape with more than one -1")
			}
			infer = i
		} else {
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || t.Numel()%known != 0 {
			panic("tensor: reshape cannot infer the size")
		}
		ns[infer] = t.Numel() / known
	}
	if ns.Numel() != t.Numel() {
		panic(fmt.Sprintf("tensor: cannot reshape %s to %s", t.shape, ns))
	}
	return &Tensor{shape: ns, st: t.st, be: t.be}
}

// FromFloat32 allocates a float32 tensor on be and copies data into it.
func FromFloat32(be Backend, s Shape, data []float32) *Tensor {
	if len(data) != s.Numel() {
		panic("tensor: FromFloat32 data length does not match shape")
	}
	t := be.Empty(Float32, s)
	be.Upload(t, data)
	return t
}

// FromInt64 allocates an int64 tensor on be and copies data into it.
func FromInt64(be Backend, s Shape, data []int64) *Tensor {
	if len(data) != s.Numel() {
		panic("tensor: FromInt64 data length does not match shape")
	}
	t := be.Empty(Int64, s)
	be.UploadInt64(t, data)
	return t
}

// Zeros allocates a float32 tensor of zeros on be.
func Zeros(be Backend, s ...int) *Tensor {
	t := be.Empty(Float32, Shape(s))
	be.Fill(t, 0)
	return t
}

// Float32s copies a float32 tensor to a new host slice (a sync point on a
// device backend).
func (t *Tensor) Float32s() []float32 {
	out := make([]float32, t.Numel())
	t.be.Download(out, t)
	return out
}

// Int64s copies an int64 tensor to a new host slice.
func (t *Tensor) Int64s() []int64 {
	out := make([]int64, t.Numel())
	t.be.DownloadInt64(out, t)
	return out
}

// Item returns the single value of a one-element float32 tensor.
func (t *Tensor) Item() float32 {
	if t.Numel() != 1 {
		panic("tensor: Item of a tensor with more than one element")
	}
	return t.Float32s()[0]
}

// Clone returns a copy of t on the same backend, with its own storage.
func (t *Tensor) Clone() *Tensor {
	c := t.be.Empty(t.DType(), t.shape)
	t.be.Copy(c, t)
	return c
}
