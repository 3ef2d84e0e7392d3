package nn

import (
	"fmt"
	"math"
	"sort"

	"twostage/nn/safetensors"
	"twostage/tensor"
)

// Checkpoint files are safetensors files (nn/safetensors): tensors named by
// PyTorch's state_dict names (plus prefixed training state such as
// "optim.momentum_buffer.<param>" or "memory.bank"), and string metadata
// with a format tag and version, so a file from another program is refused
// with a clear error rather than misread.
const (
	CheckpointFormat  = "twostage-checkpoint"
	CheckpointVersion = "1"
)

// Checkpoint is the content of one checkpoint file.
type Checkpoint struct {
	Path    string
	Meta    map[string]string
	Tensors map[string]safetensors.Tensor
}

// NewCheckpoint starts an empty checkpoint of the given kind ("superand",
// "stage2", ...).
func NewCheckpoint(kind string) *Checkpoint {
	return &Checkpoint{
		Meta:    map[string]string{"format": CheckpointFormat, "version": CheckpointVersion, "kind": kind},
		Tensors: map[string]safetensors.Tensor{},
	}
}

// Kind is the kind recorded at save time.
func (c *Checkpoint) Kind() string { return c.Meta["kind"] }

// Save writes the checkpoint atomically (temporary file, fsync, rename): a
// crash never leaves a torn file and never loses the previous one.
func (c *Checkpoint) Save(path string) error {
	c.Path = path
	return safetensors.Write(path, c.Tensors, c.Meta)
}

// LoadCheckpoint reads a checkpoint written by Save. A file that is not one
// (wrong format tag, newer version) is an error naming the file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	ts, meta, err := safetensors.Read(path)
	if err != nil {
		return nil, err
	}
	if meta["format"] != CheckpointFormat {
		return nil, fmt.Errorf("checkpoint: %s: not a %s file (metadata format %q); HINT: weights-only safetensors files load with LoadWeights",
			path, CheckpointFormat, meta["format"])
	}
	if meta["version"] != CheckpointVersion {
		return nil, fmt.Errorf("checkpoint: %s: version %q, this program reads version %s", path, meta["version"], CheckpointVersion)
	}
	return &Checkpoint{Path: path, Meta: meta, Tensors: ts}, nil
}

// LoadWeights reads any safetensors file (for example one saved from
// PyTorch with the same state_dict names) as a checkpoint without training
// state.
func LoadWeights(path string) (*Checkpoint, error) {
	ts, meta, err := safetensors.Read(path)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Path: path, Meta: meta, Tensors: ts}, nil
}

// PutTensor stores a backend tensor (copied to the host) under name.
func (c *Checkpoint) PutTensor(name string, t *tensor.Tensor) {
	shape := append([]int{}, t.Shape()...)
	if t.DType() == tensor.Int64 {
		c.Tensors[name] = safetensors.Tensor{DType: "I64", Shape: shape, I64: t.Int64s()}
		return
	}
	c.Tensors[name] = safetensors.Tensor{DType: "F32", Shape: shape, F32: t.Float32s()}
}

// PutInts stores a host int64 vector.
func (c *Checkpoint) PutInts(name string, v []int64) {
	c.Tensors[name] = safetensors.Tensor{DType: "I64", Shape: []int{len(v)}, I64: append([]int64{}, v...)}
}

// PutFloats stores a host float32 vector.
func (c *Checkpoint) PutFloats(name string, v []float32) {
	c.Tensors[name] = safetensors.Tensor{DType: "F32", Shape: []int{len(v)}, F32: append([]float32{}, v...)}
}

// Ints returns an int64 vector stored by PutInts (or any integer tensor).
func (c *Checkpoint) Ints(name string) ([]int64, error) {
	t, ok := c.Tensors[name]
	if !ok {
		return nil, fmt.Errorf("checkpoint: %s: tensor %q missing", c.Path, name)
	}
	if t.DType != "I64" {
		return nil, fmt.Errorf("checkpoint: %s: tensor %q is %s, want an integer tensor", c.Path, name, t.FileDType)
	}
	return t.I64, nil
}

// GetTensor copies the stored tensor name into dst, which must have the same
// shape and kind. Errors name the file and the tensor.
func (c *Checkpoint) GetTensor(name string, dst *tensor.Tensor) error {
	t, ok := c.Tensors[name]
	if !ok {
		return fmt.Errorf("checkpoint: %s: tensor %q missing", c.Path, name)
	}
	if !tensor.Shape(t.Shape).Equal(dst.Shape()) {
		return fmt.Errorf("checkpoint: %s: tensor %q has shape %v, the model needs %v", c.Path, name, t.Shape, dst.Shape())
	}
	be := dst.Backend()
	switch {
	case dst.DType() == tensor.Float32 && t.DType == "F32":
		be.Upload(dst, t.F32)
	case dst.DType() == tensor.Int64 && t.DType == "I64":
		be.UploadInt64(dst, t.I64)
	default:
		return fmt.Errorf("checkpoint: %s: tensor %q is %s, the model needs %s", c.Path, name, t.FileDType, dst.DType())
	}
	return nil
}

// PutModule stores every entry of m under prefix+name.
func (c *Checkpoint) PutModule(prefix string, m Module) {
	for _, e := range m.State(prefix) {
		if e.Counter != nil {
			c.Tensors[e.Name] = safetensors.Tensor{DType: "I64", Shape: []int{}, I64: []int64{*e.Counter}}
			continue
		}
		c.PutTensor(e.Name, e.Tensor())
	}
}

// GetModule loads every entry of m from prefix+name. Every entry must be
// present with the model's shape; with strict set, tensors under prefix
// that the model does not have are an error too (a mismatched
// architecture), except the names in ignore (constant buffers such as the
// reference's "grey" and "sob").
func (c *Checkpoint) GetModule(prefix string, m Module, strict bool, ignore ...string) error {
	want := map[string]bool{}
	for _, e := range m.State(prefix) {
		want[e.Name] = true
		if e.Counter != nil {
			v, err := c.Ints(e.Name)
			if err != nil {
				return err
			}
			if len(v) != 1 {
				return fmt.Errorf("checkpoint: %s: tensor %q holds %d values, want 1", c.Path, e.Name, len(v))
			}
			*e.Counter = v[0]
			continue
		}
		if err := c.GetTensor(e.Name, e.Tensor()); err != nil {
			return err
		}
	}
	if !strict {
		return nil
	}
	skip := map[string]bool{}
	for _, n := range ignore {
		skip[prefix+n] = true
	}
	var extra []string
	for name := range c.Tensors {
		if len(name) >= len(prefix) && name[:len(prefix)] == prefix && !want[name] && !skip[name] && !isTrainingState(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("checkpoint: %s: %d tensor(s) the model does not have, first %q (a different architecture or width?)", c.Path, len(extra), extra[0])
	}
	return nil
}

// isTrainingState tells the trainer's own tensors from model entries.
func isTrainingState(name string) bool {
	for _, p := range []string{"optim.", "memory.", "ans.", "heads."} {
		if len(name) >= len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}

// PutSGD stores the optimiser's momentum buffers as
// "optim.momentum_buffer.<param name>" (names from the module state, in
// o.Params order).
func (c *Checkpoint) PutSGD(o *SGD, names []string) {
	for i, b := range o.Buf {
		if o.Started[i] {
			c.PutTensor("optim.momentum_buffer."+names[i], b)
		}
	}
}

// GetSGD restores the momentum buffers saved by PutSGD; a missing buffer
// means the parameter had not stepped yet.
func (c *Checkpoint) GetSGD(o *SGD, names []string) error {
	for i, p := range o.Params {
		name := "optim.momentum_buffer." + names[i]
		if _, ok := c.Tensors[name]; !ok {
			o.Started[i] = false
			p.Backend().Fill(o.Buf[i], 0)
			continue
		}
		if err := c.GetTensor(name, o.Buf[i]); err != nil {
			return err
		}
		o.Started[i] = true
	}
	return nil
}

// ParamNames returns the state names of m's parameters, in Params(m) order.
func ParamNames(m Module) []string {
	var names []string
	for _, e := range m.State("") {
		if e.Param != nil {
			names = append(names, e.Name)
		}
	}
	return names
}

// CheckFinite returns an error naming the first tensor of m holding a NaN or
// an infinity (a diverged run must not be saved over a good checkpoint).
func CheckFinite(m Module) error {
	for _, e := range m.State("") {
		if e.Counter != nil {
			continue
		}
		for i, v := range e.Tensor().Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s[%d] is %v", e.Name, i, v)
			}
		}
	}
	return nil
}
