package kernels

import "twostage/kernels/sgemm"

// ReLUv and ReLUGradAccv expose reluv and reluGradAccv on a path (as
// CPU.Unary and CPU.Binary run them on one chunk); a path the process
// cannot run falls back as Path.Resolve does.
func ReLUv(p sgemm.Path, dst, x []float32) { reluv(p.Resolve(), dst, x) }

func ReLUGradAccv(p sgemm.Path, dst, dy, y []float32) { reluGradAccv(p.Resolve(), dst, dy, y) }
