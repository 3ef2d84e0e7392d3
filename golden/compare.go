package golden

import (
	"fmt"
	"math"
)

// Close reports whether got is within atol + rtol*|want| of want. NaN matches
// only NaN; infinities must be equal.
func Close(got, want, atol, rtol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

// Want returns the expected tensor of a section ("outputs", "grads",
// "after") or an error naming what is missing.
func (c *Case) Want(section, name string) (Tensor, error) {
	var m map[string]Tensor
	switch section {
	case "outputs":
		m = c.Outputs
	case "grads":
		m = c.Grads
	case "after":
		m = c.After
	case "inputs":
		m = c.Inputs
	case "grad_outputs":
		m = c.GradOutputs
	default:
		panic("golden: unknown section " + section)
	}
	t, ok := m[name]
	if !ok {
		return t, fmt.Errorf("%s.%s: missing in the case file", section, name)
	}
	return t, nil
}

// CheckF32 compares got with section.name under the case's tolerances. The
// error names the first mismatching element and counts the others.
func (c *Case) CheckF32(section, name string, got []float32) error {
	want, err := c.Want(section, name)
	if err != nil {
		return err
	}
	if want.DType != "float32" {
		return fmt.Errorf("%s.%s: expected dtype %s, compared as float32", section, name, want.DType)
	}
	if len(got) != len(want.F32) {
		return fmt.Errorf("%s.%s: got %d values, want %d (shape %v)", section, name, len(got), len(want.F32), want.Shape)
	}
	bad, first := 0, -1
	for i := range got {
		if !Close(float64(got[i]), float64(want.F32[i]), c.ATol, c.RTol) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s.%s[%d]: got %.6g, want %.6g (%d of %d values off)", section, name, first, got[first], want.F32[first], bad, len(got))
	}
	return nil
}

// CheckI64 compares integer results exactly.
func (c *Case) CheckI64(section, name string, got []int64) error {
	want, err := c.Want(section, name)
	if err != nil {
		return err
	}
	if want.DType != "int64" {
		return fmt.Errorf("%s.%s: expected dtype %s, compared as int64", section, name, want.DType)
	}
	if len(got) != len(want.I64) {
		return fmt.Errorf("%s.%s: got %d values, want %d (shape %v)", section, name, len(got), len(want.I64), want.Shape)
	}
	for i := range got {
		if got[i] != want.I64[i] {
			return fmt.Errorf("%s.%s[%d]: got %d, want %d", section, name, i, got[i], want.I64[i])
		}
	}
	return nil
}

// Float returns a numeric attribute.
func (c *Case) Float(name string) (float64, error) {
	v, ok := c.Attrs[name]
	if !ok {
		return 0, fmt.Errorf("attrs.%s: missing", name)
	}
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("attrs.%s: %v is not a number", name, v)
	}
	return f, nil
}

// Int returns an integer attribute.
func (c *Case) Int(name string) (int, error) {
	f, err := c.Float(name)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, fmt.Errorf("attrs.%s: %v is not an integer", name, f)
	}
	return int(f), nil
}

// Floats returns a list-of-numbers attribute.
func (c *Case) Floats(name string) ([]float64, error) {
	v, ok := c.Attrs[name]
	if !ok {
		return nil, fmt.Errorf("attrs.%s: missing", name)
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("attrs.%s: %v is not a list", name, v)
	}
	out := make([]float64, len(l))
	for i, e := range l {
		f, ok := e.(float64)
		if !ok {
			return nil, fmt.Errorf("attrs.%s[%d]: %v is not a number", name, i, e)
		}
		out[i] = f
	}
	return out, nil
}

// String returns a string attribute.
func (c *Case) String(name string) (string, error) {
	v, ok := c.Attrs[name]
	if !ok {
		return "", fmt.Errorf("attrs.%s: missing", name)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("attrs.%s: %v is not a string", name, v)
	}
	return s, nil
}
