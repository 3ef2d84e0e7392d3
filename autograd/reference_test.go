package autograd_test

import "math"

// Float64 textbook forward references of the differentiable ops, over flat
// row-major slices. The gradient check (gradcheck_test.go) differentiates
// them numerically with fd.Central, so only the forward math lives here: a
// reference backward would be a second thing to get wrong. Shapes are plain
// []int; a dim may be negative (counted from the end), as in the Var API.

// along splits shape s around dim into [outer, d, inner]: element (o, j, i)
// sits at (o*d+j)*inner+i (tensor.DimShape, rewritten here on purpose).
func along(s []int, dim int) (outer, d, inner int) {
	if dim < 0 {
		dim += len(s)
	}
	outer, inner = 1, 1
	for _, n := range s[:dim] {
		outer *= n
	}
	for _, n := range s[dim+1:] {
		inner *= n
	}
	return outer, s[dim], inner
}

// numel is the product of the sizes of s.
func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// refMap is y[i] = f(x[i]).
func refMap(x []float64, f func(float64) float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = f(v)
	}
	return y
}

// refZip is y[i] = f(a[i], b[i]).
func refZip(a, b []float64, f func(a, b float64) float64) []float64 {
	y := make([]float64, len(a))
	for i := range a {
		y[i] = f(a[i], b[i])
	}
	return y
}

// refMatMul is y [M,N] = op(a)·op(b), a stored as as=[rows,cols] and read
// transposed when ta (likewise b, tb).
func refMatMul(a, b []float64, as, bs []int, ta, tb bool) []float64 {
	m, k := as[0], as[1]
	if ta {
		m, k = k, m
	}
	n := bs[1]
	if tb {
		n = bs[0]
	}
	// at(i,p) = op(a)[i,p] and bt(p,j) = op(b)[p,j], read straight from the
	// stored layout rather than by materializing a transpose.
	at := func(i, p int) float64 {
		if ta {
			return a[p*as[1]+i]
		}
		return a[i*as[1]+p]
	}
	bt := func(p, j int) float64 {
		if tb {
			return b[j*bs[1]+p]
		}
		return b[p*bs[1]+j]
	}
	y := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += at(i, p) * bt(p, j)
			}
			y[i*n+j] = s
		}
	}
	return y
}

// refBiasAdd is y[n,c,i] = x[n,c,i] + b[c] for x [N,C] or [N,C,H,W].
func refBiasAdd(x, b []float64, s []int) []float64 {
	c := s[1]
	hw := numel(s[2:])
	y := make([]float64, len(x))
	// Element i of [N,C,HW] is in channel (i/HW) mod C.
	for i, v := range x {
		y[i] = v + b[(i/hw)%c]
	}
	return y
}

// refConv2D is PyTorch's conv2d without bias: x [N,C,H,W], w [K,C,R,S],
//
//	y[n,k,p,q] = Σ_{c,r,s} w[k,c,r,s] · x[n,c,p·stride−pad+r, q·stride−pad+s]
//
// with x read as zero outside the image.
func refConv2D(x, w []float64, xs, ws []int, stride, pad int) []float64 {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	k, r, s := ws[0], ws[2], ws[3]
	oh, ow := (h+2*pad-r)/stride+1, (wd+2*pad-s)/stride+1
	y := make([]float64, n*k*oh*ow)
	// Direct seven-deep loop: slow and obviously right (no im2col), which is
	// the point of a reference.
	for b := range n {
		for o := range k {
			for p := range oh {
				for q := range ow {
					var acc float64
					for ch := range c {
						for i := range r {
							for j := range s {
								// input row and column under tap (i, j) of window (p, q)
								hi, wi := p*stride-pad+i, q*stride-pad+j
								if hi < 0 || hi >= h || wi < 0 || wi >= wd {
									continue
								}
								acc += w[((o*c+ch)*r+i)*s+j] * x[((b*c+ch)*h+hi)*wd+wi]
							}
						}
					}
					y[((b*k+o)*oh+p)*ow+q] = acc
				}
			}
		}
	}
	return y
}

// refAvgPool2D is avg_pool2d(x, k): the mean of each k×k window at stride k,
// x [N,C,H,W] -> [N,C,H/k,W/k] (floor: trailing rows and columns unused).
func refAvgPool2D(x []float64, xs []int, k int) []float64 {
	nc, h, w := xs[0]*xs[1], xs[2], xs[3]
	oh, ow := h/k, w/k
	y := make([]float64, nc*oh*ow)
	for m := range nc {
		for p := range oh {
			for q := range ow {
				var s float64
				for i := range k {
					for j := range k {
						s += x[(m*h+p*k+i)*w+q*k+j]
					}
				}
				y[(m*oh+p)*ow+q] = s / float64(k*k)
			}
		}
	}
	return y
}

// refBatchNorm is y = (x−μ)/√(σ²+eps)·γ + β per channel of x [N,C] or
// [N,C,H,W]. With mean and variance nil, μ and σ² are the batch mean and
// biased variance over N·H·W (training); otherwise the given running values
// (evaluation).
func refBatchNorm(x, gamma, beta, mean, variance []float64, s []int, eps float64) []float64 {
	n, c, hw := s[0], s[1], numel(s[2:])
	m := float64(n * hw)
	y := make([]float64, len(x))
	for ch := range c {
		// Two passes (mean, then squared deviations) rather than E[x²]−μ²,
		// so the reference itself does not cancel.
		var mu, v float64
		if mean != nil {
			mu, v = mean[ch], variance[ch]
		} else {
			for b := range n {
				for i := range hw {
					mu += x[(b*c+ch)*hw+i]
				}
			}
			mu /= m
			for b := range n {
				for i := range hw {
					d := x[(b*c+ch)*hw+i] - mu
					v += d * d
				}
			}
			v /= m
		}
		rstd := 1 / math.Sqrt(v+eps)
		for b := range n {
			for i := range hw {
				j := (b*c+ch)*hw + i
				y[j] = (x[j]-mu)*rstd*gamma[ch] + beta[ch]
			}
		}
	}
	return y
}

// refSum is y[o,i] = Σ_j x[o,j,i] along dim.
func refSum(x []float64, s []int, dim int) []float64 {
	outer, d, inner := along(s, dim)
	y := make([]float64, outer*inner)
	for o := range outer {
		for j := range d {
			for i := range inner {
				y[o*inner+i] += x[(o*d+j)*inner+i]
			}
		}
	}
	return y
}

// refExpand inserts a dimension of size n at dim of x (shape s) and repeats x
// along it: y[o,j,i] = x[o,i] with o over s[:dim] and i over s[dim:].
func refExpand(x []float64, s []int, dim, n int) []float64 {
	if dim < 0 {
		dim += len(s) + 1
	}
	// The new dimension splits x into outer blocks of inner contiguous
	// values; each block is written n times in a row.
	outer, inner := numel(s[:dim]), numel(s[dim:])
	y := make([]float64, outer*n*inner)
	for o := range outer {
		for j := range n {
			copy(y[(o*n+j)*inner:], x[o*inner:(o+1)*inner])
		}
	}
	return y
}

// refSoftmax is exp(x)/Σ_j exp(x) along dim, or its log (x − log Σ_j exp x),
// both shifted by the maximum.
func refSoftmax(x []float64, s []int, dim int, log bool) []float64 {
	outer, d, inner := along(s, dim)
	y := make([]float64, len(x))
	for o := range outer {
		for i := range inner {
			at := func(j int) int { return (o*d+j)*inner + i }
			mx := math.Inf(-1)
			for j := range d {
				mx = math.Max(mx, x[at(j)])
			}
			var z float64
			for j := range d {
				z += math.Exp(x[at(j)] - mx)
			}
			for j := range d {
				if log {
					y[at(j)] = x[at(j)] - mx - math.Log(z)
				} else {
					y[at(j)] = math.Exp(x[at(j)]-mx) / z
				}
			}
		}
	}
	return y
}

// refL2Normalize is x/‖x‖₂ along dim (no epsilon).
func refL2Normalize(x []float64, s []int, dim int) []float64 {
	outer, d, inner := along(s, dim)
	y := make([]float64, len(x))
	for o := range outer {
		for i := range inner {
			var ss float64
			for j := range d {
				v := x[(o*d+j)*inner+i]
				ss += v * v
			}
			nrm := math.Sqrt(ss)
			for j := range d {
				y[(o*d+j)*inner+i] = x[(o*d+j)*inner+i] / nrm
			}
		}
	}
	return y
}

// refConcat joins parts (shapes ss, equal outside dim) along dim.
func refConcat(parts [][]float64, ss [][]int, dim int) []float64 {
	// For each outer index, every part contributes one contiguous run of
	// d_p·inner values, in operand order.
	outer, _, inner := along(ss[0], dim)
	var y []float64
	for o := range outer {
		for p, x := range parts {
			_, d, _ := along(ss[p], dim)
			y = append(y, x[o*d*inner:(o+1)*d*inner]...)
		}
	}
	return y
}

// refNarrow is x[..., start:start+n, ...] along dim.
func refNarrow(x []float64, s []int, dim, start, n int) []float64 {
	outer, d, inner := along(s, dim)
	var y []float64
	for o := range outer {
		y = append(y, x[(o*d+start)*inner:(o*d+start+n)*inner]...)
	}
	return y
}

// refIndexSelect is y[r,:] = x[idx[r],:] for x with rows of length cols.
func refIndexSelect(x []float64, cols int, idx []int64) []float64 {
	var y []float64
	for _, r := range idx {
		y = append(y, x[int(r)*cols:int(r+1)*cols]...)
	}
	return y
}

// refGather is y[r,j] = x[r, idx[r,j]] for x [R,cols] and idx [R,J].
func refGather(x []float64, cols int, idx []int64, j int) []float64 {
	y := make([]float64, len(idx))
	for i, c := range idx {
		y[i] = x[(i/j)*cols+int(c)]
	}
	return y
}

// refTranspose is y [N,M] = xᵀ for x [M,N].
func refTranspose(x []float64, m, n int) []float64 {
	y := make([]float64, m*n)
	for i := range m {
		for j := range n {
			y[j*m+i] = x[i*n+j]
		}
	}
	return y
}
