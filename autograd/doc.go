// Package autograd is reverse-mode automatic differentiation over
// tensor.Tensor values (micrograd's closures behind teenygrad's seam, STYLE.md
// §2.2).
//
// A Var holds a value, a lazily allocated gradient, its parents and a backward
// closure. Each op checks its inputs, runs the forward kernel of the values'
// backend, and records a closure that adds (+=) into its parents' gradients;
// fan-out therefore needs no special case. The first contribution to a
// gradient not yet allocated is written (=) into an uninitialised buffer
// instead, where the backend has a write mode for the op (gradSlot:
// activation grads =, parameter grads +=, as llm.c and PyTorch), with the
// same bits as += into zeros. Var.Backward walks the recorded graph in
// reverse topological order and then drops it.
//
// Nothing here knows which backend runs: every kernel call goes through
// tensor.Backend. Ops that have no gradient (TopK, Argmax) work on tensors.
//
// NoGrad(f) runs f without recording; Detach cuts a value out of the graph;
// Custom lets a caller define an op with its own backward (the
// non-parametric classifier of stage 1 uses it).
package autograd
