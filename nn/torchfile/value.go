package torchfile

import (
	"fmt"
	"math/big"
)

// The Go values a pickle becomes:
//
//	Python           Go
//	None             nil
//	bool             bool
//	int              int64 (*big.Int when it does not fit, as the legacy magic number)
//	float            float64
//	str              string
//	bytes            []byte
//	tuple            Tuple
//	list             *List
//	dict, OrderedDict *Dict
//	a known class    Class (only as the callable of a REDUCE or in a persistent id)
//	torch.Tensor     *Tensor

// Tuple is a Python tuple.
type Tuple []any

// List is a Python list (a pointer, because APPEND mutates it in place).
type List struct{ Items []any }

// Class is a global named by the pickle (module and qualified name).
type Class struct{ Module, Name string }

func (c Class) String() string { return c.Module + "." + c.Name }

// Dict is a Python dict or OrderedDict with string or integer keys, in
// insertion order.
type Dict struct {
	keys  []any // string or int64
	vals  []any
	index map[any]int
}

// NewDict returns an empty Dict.
func NewDict() *Dict { return &Dict{index: map[any]int{}} }

// Set stores v under k (a later Set of the same key replaces the value and
// keeps the key's first position, as Python does). Keys other than strings
// and integers are an error: a state dict has none.
func (d *Dict) Set(k, v any) error {
	switch k.(type) {
	case string, int64:
	default:
		return fmt.Errorf("dict key of type %s (only str and int keys are read)", typeName(k))
	}
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return nil
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// Get returns the value under the string key k.
func (d *Dict) Get(k string) (any, bool) {
	i, ok := d.index[k]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []any { return d.keys }

// Len is the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

// Tensor is a tensor copied out of its storage: contiguous, row-major.
// Exactly one of F32 and I64 holds the data, len = product of Shape (1 for
// the scalar shape []).
type Tensor struct {
	DType   string    // "F32" (data in F32) or "I64" (data in I64)
	Storage string    // the storage class as saved, e.g. "torch.cuda.FloatStorage"
	Device  string    // the saved location, e.g. "cpu" or "cuda:0"
	Shape   []int     // outermost first
	F32     []float32 // the data when DType is "F32"
	I64     []int64   // the data when DType is "I64"

	// Set by REDUCE, resolved into the data once the storages are read.
	st     *storage
	offset int64
	stride []int64
}

// Numel is the number of elements: the product of Shape.
func (t *Tensor) Numel() int {
	n := 1
	for _, s := range t.Shape {
		n *= s
	}
	return n
}

// typeName names the Python type of a value, for errors.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case Tuple:
		return "tuple"
	case *List:
		return "list"
	case *Dict:
		return "dict"
	case Class:
		return "class " + v.String()
	case *Tensor:
		return "tensor"
	case *storage:
		return "storage"
	}
	return fmt.Sprintf("%T", v)
}
