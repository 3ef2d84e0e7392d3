// Package tensor defines the engine's data model: dense, contiguous, row-major
// (NCHW for images) tensors of float32 or int64, their shapes, and the Backend
// interface that every compute device implements.
//
// Tensors are dumb on purpose (see STYLE.md §2.3): no general strides, no
// broadcasting. A transpose is a GEMM flag, and the only view is Reshape, which
// shares storage. Every tensor's storage is owned by exactly one Backend; ops
// are methods of that Backend and never touch another backend's memory.
//
// Errors: shape mismatches are programmer bugs and panic with a constant
// "tensor: ..." or "kernels: ..." text. Device failures are sticky: a backend
// keeps its first error and reports it at Sync (like bufio.Scanner.Err), so the
// hot path never checks an error per op.
//
// Accumulation rule (shared with autograd): forward ops write their outputs
// (=); backward ops add into gradients (+=), so fan-out needs no special case.
package tensor
