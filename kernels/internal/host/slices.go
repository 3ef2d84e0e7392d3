package host

// At is &x[i], or nil for a nil slice (an absent optional operand).
func At(x []float32, i int) *float32 {
	if x == nil {
		return nil
	}
	return &x[i]
}

// From is x[i:], or nil for a nil slice.
func From(x []float32, i int) []float32 {
	if x == nil {
		return nil
	}
	return x[i:]
}
