package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// Tensor is one fixture tensor: row-major data of a shape, float32 or int64.
type Tensor struct {
	Shape []int
	DType string    // "float32" or "int64"
	F32   []float32 // the data when DType is float32
	I64   []int64   // the data when DType is int64
}

// Numel is the element count implied by the shape.
func (t Tensor) Numel() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

type rawTensor struct {
	Shape []int             `json:"shape"`
	DType string            `json:"dtype"`
	Data  []json.RawMessage `json:"data"`
}

// Case is one fixture file.
type Case struct {
	Path        string
	Name        string
	Op          string
	Attrs       map[string]any
	Inputs      map[string]Tensor
	Outputs     map[string]Tensor
	GradOutputs map[string]Tensor
	Grads       map[string]Tensor
	After       map[string]Tensor
	RTol, ATol  float64
	Note        string
}

// Load reads and validates one case file. Errors name the file.
func Load(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	var raw struct {
		Name        string               `json:"name"`
		Op          string               `json:"op"`
		Attrs       map[string]any       `json:"attrs"`
		Inputs      map[string]rawTensor `json:"inputs"`
		Outputs     map[string]rawTensor `json:"outputs"`
		GradOutputs map[string]rawTensor `json:"grad_outputs"`
		Grads       map[string]rawTensor `json:"grads"`
		After       map[string]rawTensor `json:"after"`
		RTol        float64              `json:"rtol"`
		ATol        float64              `json:"atol"`
		Note        string               `json:"note"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("golden: %s: %w", path, err)
	}
	if raw.Op == "" {
		return nil, fmt.Errorf("golden: %s: no \"op\" field", path)
	}
	c := &Case{Path: path, Name: raw.Name, Op: raw.Op, Attrs: raw.Attrs, RTol: raw.RTol, ATol: raw.ATol, Note: raw.Note}
	if c.Name == "" {
		c.Name = filepath.Base(path)
	}
	for _, sec := range []struct {
		name string
		in   map[string]rawTensor
		out  *map[string]Tensor
	}{{"inputs", raw.Inputs, &c.Inputs}, {"outputs", raw.Outputs, &c.Outputs},
		{"grad_outputs", raw.GradOutputs, &c.GradOutputs}, {"grads", raw.Grads, &c.Grads}, {"after", raw.After, &c.After}} {
		m := map[string]Tensor{}
		for k, rt := range sec.in {
			t, err := decode(rt)
			if err != nil {
				return nil, fmt.Errorf("golden: %s: %s.%s: %w", path, sec.name, k, err)
			}
			m[k] = t
		}
		*sec.out = m
	}
	return c, nil
}

func decode(rt rawTensor) (Tensor, error) {
	t := Tensor{Shape: rt.Shape, DType: rt.DType}
	if t.Shape == nil {
		t.Shape = []int{}
	}
	if len(rt.Data) != t.Numel() {
		return t, fmt.Errorf("shape %v needs %d values, file has %d", rt.Shape, t.Numel(), len(rt.Data))
	}
	switch rt.DType {
	case "float32":
		t.F32 = make([]float32, len(rt.Data))
		for i, r := range rt.Data {
			v, err := parseFloat(r)
			if err != nil {
				return t, fmt.Errorf("value %d: %w", i, err)
			}
			t.F32[i] = float32(v)
		}
	case "int64":
		t.I64 = make([]int64, len(rt.Data))
		for i, r := range rt.Data {
			if err := json.Unmarshal(r, &t.I64[i]); err != nil {
				return t, fmt.Errorf("value %d: %w", i, err)
			}
		}
	default:
		return t, fmt.Errorf("unknown dtype %q", rt.DType)
	}
	return t, nil
}

// parseFloat accepts JSON numbers and the strings/bare words NaN, Infinity
// and -Infinity that Python's json module writes.
func parseFloat(r json.RawMessage) (float64, error) {
	switch string(r) {
	case "NaN", `"NaN"`, `"nan"`:
		return math.NaN(), nil
	case "Infinity", `"Infinity"`, `"inf"`:
		return math.Inf(1), nil
	case "-Infinity", `"-Infinity"`, `"-inf"`:
		return math.Inf(-1), nil
	}
	var v float64
	err := json.Unmarshal(r, &v)
	return v, err
}

// Files lists the *.json cases of dir in name order.
func Files(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(m)
	return m, nil
}
