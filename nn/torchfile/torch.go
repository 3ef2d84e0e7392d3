package torchfile

import (
	"encoding/binary"
	"fmt"
	"math"
)

// elemType is one storage class's element type.
type elemType struct {
	size  int  // bytes per element
	float bool // decoded to F32 (else I64)
}

// storageTypes are the typed storage classes of torch (and of torch.cuda)
// by name; their elements are little-endian in the file.
var storageTypes = map[string]elemType{
	"FloatStorage": {4, true}, "DoubleStorage": {8, true}, "HalfStorage": {2, true}, "BFloat16Storage": {2, true},
	"LongStorage": {8, false}, "IntStorage": {4, false}, "ShortStorage": {2, false},
	"CharStorage": {1, false}, "ByteStorage": {1, false}, "BoolStorage": {1, false},
}

// The callables REDUCE may apply.
var (
	classOrderedDict   = Class{"collections", "OrderedDict"}
	classRebuildV2     = Class{"torch._utils", "_rebuild_tensor_v2"}
	classRebuild       = Class{"torch._utils", "_rebuild_tensor"}
	classRebuildParam  = Class{"torch._utils", "_rebuild_parameter"}
	reducibleClasses   = map[Class]bool{classOrderedDict: true, classRebuildV2: true, classRebuild: true, classRebuildParam: true}
	storageModulePaths = map[string]bool{"torch": true, "torch.cuda": true}
)

// global admits the classes of the package doc's list and refuses the rest.
func global(mod, name string) (Class, error) {
	c := Class{mod, name}
	if reducibleClasses[c] {
		return c, nil
	}
	if _, ok := storageTypes[name]; ok && storageModulePaths[mod] {
		return c, nil
	}
	return Class{}, fmt.Errorf("class %s is not one a state dict needs; refusing it (only OrderedDict, tensors and storages are read)", c)
}

// storage is one saved storage: its element type, and its bytes once read.
type storage struct {
	class    Class
	elem     elemType
	key      string
	location string
	numel    int64
	data     []byte // numel·elem.size bytes, a slice of the file; nil until read
	// A legacy view of a root storage: elements [viewOffset, viewOffset+numel) of root.
	root       *storage
	viewOffset int64
}

// storages collects the storages a pickle's persistent ids name, by key.
type storages struct {
	byKey  map[string]*storage
	order  []*storage
	legacy bool // persistent ids carry a sixth item, the view metadata
}

// persid turns a persistent id ('storage', class, key, location, numel[,
// view]) into its storage; the same key gives the same storage.
func (s *storages) persid(id any) (any, error) {
	t, ok := id.(Tuple)
	want := 5
	if s.legacy {
		want = 6
	}
	if !ok || len(t) != want {
		return nil, fmt.Errorf("a %s of %d items, want a %d-tuple ('storage', class, key, location, numel%s)",
			typeName(id), tupleLen(id), want, map[bool]string{true: ", view", false: ""}[s.legacy])
	}
	if tag, _ := t[0].(string); tag != "storage" {
		return nil, fmt.Errorf("persistent id of kind %v, want 'storage'", t[0])
	}
	c, ok1 := t[1].(Class)
	key, ok2 := t[2].(string)
	loc, ok3 := t[3].(string)
	numel, ok4 := t[4].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 || numel < 0 {
		return nil, fmt.Errorf("storage id (%s, %s, %s, %s) is not (class, key, location, numel ≥ 0)",
			typeName(t[1]), typeName(t[2]), typeName(t[3]), typeName(t[4]))
	}
	elem, isStorage := storageTypes[c.Name]
	if !isStorage || !storageModulePaths[c.Module] {
		return nil, fmt.Errorf("storage class %s is not a typed torch storage", c)
	}
	st, seen := s.byKey[key]
	if seen {
		if st.class.Name != c.Name || st.numel != numel {
			return nil, fmt.Errorf("storage %q named twice with different types or sizes", key)
		}
	} else {
		st = &storage{class: c, elem: elem, key: key, location: loc, numel: numel}
		s.byKey[key] = st
		s.order = append(s.order, st)
	}
	if !s.legacy || t[5] == nil {
		return st, nil
	}
	// Legacy view metadata (view_key, offset, view_size): a storage that is a
	// slice of the root storage just named.
	v, ok := t[5].(Tuple)
	if !ok || len(v) != 3 {
		return nil, fmt.Errorf("storage %q: view metadata is a %s, want (key, offset, size)", key, typeName(t[5]))
	}
	off, ok1 := v[1].(int64)
	size, ok2 := v[2].(int64)
	if !ok1 || !ok2 || off < 0 || size < 0 || off > numel || size > numel-off {
		return nil, fmt.Errorf("storage %q: view (%v, %v) outside its %d elements", key, v[1], v[2], numel)
	}
	return &storage{class: c, elem: elem, key: key, location: loc, numel: size, root: st, viewOffset: off}, nil
}

func tupleLen(v any) int {
	if t, ok := v.(Tuple); ok {
		return len(t)
	}
	return 0
}

// reduce applies one of the admitted callables to its arguments.
func reduce(c Class, args Tuple) (any, error) {
	switch c {
	case classOrderedDict:
		if len(args) != 0 {
			return nil, fmt.Errorf("OrderedDict with %d arguments, want ()", len(args))
		}
		return NewDict(), nil
	case classRebuildParam: // (data, requires_grad, backward_hooks): the tensor itself
		if len(args) != 3 {
			return nil, fmt.Errorf("%s with %d arguments, want 3", c, len(args))
		}
		t, ok := args[0].(*Tensor)
		if !ok {
			return nil, fmt.Errorf("%s of a %s, want a tensor", c, typeName(args[0]))
		}
		return t, nil
	case classRebuildV2, classRebuild:
		// (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
		if c == classRebuildV2 && len(args) != 6 && len(args) != 7 || c == classRebuild && len(args) != 4 {
			return nil, fmt.Errorf("%s with %d arguments", c, len(args))
		}
		return newTensor(args)
	}
	return nil, fmt.Errorf("class %s cannot be called", c)
}

// maxNumel bounds one tensor's element count before the file's own budget
// (one element per byte, checked when the tensors are copied) applies.
const maxNumel = 1 << 40

// newTensor checks a tensor's geometry against its storage (whose bytes
// come later in a legacy file) and records it; resolve copies the data.
func newTensor(args Tuple) (*Tensor, error) {
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("tensor of a %s, want a storage", typeName(args[0]))
	}
	off, ok := args[1].(int64)
	if !ok || off < 0 {
		return nil, fmt.Errorf("tensor storage offset %v, want an int ≥ 0", args[1])
	}
	size, ok1 := intTuple(args[2])
	stride, ok2 := intTuple(args[3])
	if !ok1 || !ok2 || len(size) != len(stride) {
		return nil, fmt.Errorf("tensor size %v and stride %v, want int tuples of one length", args[2], args[3])
	}
	if len(args) == 7 && args[6] != nil { // metadata (PyTorch ≥ 1.12): a dict, used for quantised/conj flags
		if d, isDict := args[6].(*Dict); !isDict || d.Len() != 0 {
			return nil, fmt.Errorf("tensor metadata %s is not empty (quantised or special tensors are not read)", typeName(args[6]))
		}
	}
	t := &Tensor{DType: "I64", Storage: st.class.String(), Device: st.location, st: st, offset: off, stride: stride}
	if st.elem.float {
		t.DType = "F32"
	}
	// The last element's index, offset + Σ (size_i − 1)·stride_i, must lie
	// in the storage; each step is checked before it is taken, so nothing
	// overflows.
	empty := false
	for i, n := range size {
		if n < 0 || stride[i] < 0 {
			return nil, fmt.Errorf("tensor size %v, stride %v: negative entries", size, stride)
		}
		empty = empty || n == 0
	}
	last, numel := off, int64(1)
	for i, n := range size {
		if empty {
			numel = 0
			break
		}
		if n > 1 && stride[i] > 0 && n-1 > (st.numel-last)/stride[i] {
			return nil, fmt.Errorf("tensor size %v, stride %v, offset %d: outside its storage of %d elements", size, stride, off, st.numel)
		}
		last += (n - 1) * stride[i]
		if n > maxNumel/numel {
			return nil, fmt.Errorf("tensor size %v: more than %d elements", size, int64(maxNumel))
		}
		numel *= n
	}
	if numel > 0 && last >= st.numel {
		return nil, fmt.Errorf("tensor size %v, stride %v, offset %d: outside its storage of %d elements", size, stride, off, st.numel)
	}
	for _, n := range size {
		t.Shape = append(t.Shape, int(n))
	}
	return t, nil
}

// intTuple reads a tuple of ints.
func intTuple(v any) ([]int64, bool) {
	t, ok := v.(Tuple)
	if !ok {
		return nil, false
	}
	out := make([]int64, len(t))
	for i, x := range t {
		if out[i], ok = x.(int64); !ok {
			return nil, false
		}
	}
	return out, true
}

// resolve copies t's elements out of its (now read) storage, row-major.
func (t *Tensor) resolve() error {
	st := t.st
	base := t.offset
	for st.root != nil {
		base += st.viewOffset
		st = st.root
	}
	if st.data == nil {
		return fmt.Errorf("storage %q has no data in the file", t.st.key)
	}
	n := t.Numel()
	if t.DType == "F32" {
		t.F32 = make([]float32, n)
	} else {
		t.I64 = make([]int64, n)
	}
	idx := make([]int, len(t.Shape)) // the current multi-index, last fastest
	for i := 0; i < n; i++ {
		e := base
		for d, k := range idx {
			e += int64(k) * t.stride[d]
		}
		b := st.data[e*int64(st.elem.size):]
		if t.DType == "F32" {
			t.F32[i] = decodeFloat(b, st.class.Name)
		} else {
			v, ok := decodeInt(b, st.class.Name)
			if !ok {
				return fmt.Errorf("storage %q: bool element %d is byte %d, want 0 or 1", t.st.key, e, b[0])
			}
			t.I64[i] = v
		}
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < t.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	t.st, t.stride = nil, nil
	return nil
}

// decodeFloat reads one little-endian element of a floating storage.
func decodeFloat(b []byte, class string) float32 {
	switch class {
	case "FloatStorage":
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case "DoubleStorage":
		return float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case "BFloat16Storage":
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
	}
	return halfToFloat(binary.LittleEndian.Uint16(b))
}

// decodeInt reads one little-endian element of an integer or bool storage.
func decodeInt(b []byte, class string) (int64, bool) {
	switch class {
	case "LongStorage":
		return int64(binary.LittleEndian.Uint64(b)), true
	case "IntStorage":
		return int64(int32(binary.LittleEndian.Uint32(b))), true
	case "ShortStorage":
		return int64(int16(binary.LittleEndian.Uint16(b))), true
	case "CharStorage":
		return int64(int8(b[0])), true
	case "ByteStorage":
		return int64(b[0]), true
	}
	return int64(b[0]), b[0] <= 1 // BoolStorage
}

// halfToFloat converts IEEE binary16 to float32 (exact).
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac·2^−24
		v := float32(frac) * float32(1.0/(1<<24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
