package tensor

// UnaryOp selects an elementwise function for Backend.Unary.
type UnaryOp uint8

const (
	Exp    UnaryOp = iota // y = exp(x)
	Log                   // y = log(x)
	ReLU                  // y = max(x, 0)
	Neg                   // y = -x
	Square                // y = x*x
	Sqrt                  // y = sqrt(x)
	Recip                 // y = 1/x
	Abs                   // y = |x|
)

// BinaryOp selects an elementwise function of two same-shaped tensors for
// Backend.Binary. The ...Acc variants add into dst instead of writing it, which
// is what backward passes need.
type BinaryOp uint8

const (
	Add         BinaryOp = iota // dst = a + b
	Sub                         // dst = a - b
	Mul                         // dst = a * b
	Div                         // dst = a / b
	MulAcc                      // dst += a * b
	DivAcc                      // dst += a / b
	ReLUGradAcc                 // dst += a * (b > 0): ReLU backward with a = dy, b = y
	MaskAcc                     // dst += a * (b == 0): masked-fill backward with b = mask
)

// Backend owns storage and runs every op of the engine. The CPU backend lives
// in package kernels, the CUDA backend in package cuda (build tag cuda).
//
// Contract for every op:
//   - all tensor arguments belong to this backend; shapes are checked and a
//     mismatch panics (a bug, not user input);
//   - outputs are written (=) unless the doc says += ("Acc", "Backward");
//   - an output never aliases an input unless the doc allows it;
//   - ops may run asynchronously: results are visible to the host after
//     Download or Sync, and device errors are sticky, reported by Sync/Err.
//
// Shapes in the docs use the letters of STYLE.md: N batch, C channels, H, W,
// K output channels, D embedding, M memory rows.
type Backend interface {
	// Name is a short identifier such as "cpu" or "cuda:0".
	Name() string

	// --- memory ---

	// Empty allocates a tensor whose contents are undefined. Device backends
	// serve it from a caching allocator, so it is cheap in the hot path.
	Empty(dt DType, s Shape) *Tensor
	// Zeros allocates a tensor filled with zeros.
	Zeros(dt DType, s Shape) *Tensor
	// BeginScope opens a step scope: every tensor allocated from now until
	// EndScope is handed back to the allocator by EndScope, so a training
	// step that allocates the same shapes every time reuses the same
	// buffers and allocates nothing in steady state. Tensors allocated in
	// the scope must not be used after EndScope (the CPU backend panics if
	// they are); state that outlives a step (parameters, their gradients,
	// optimiser buffers, running statistics, the memory bank) is allocated
	// outside. Scopes do not nest.
	BeginScope()
	// EndScope closes the scope opened by BeginScope.
	EndScope()
	// Release hands t's storage back to the allocator. t (and every view of
	// it) must not be used afterwards. Optional: unreleased storage is
	// reclaimed by the garbage collector (CPU) or at Close (device).
	Release(t *Tensor)
	// Upload copies host data into t (float32); len(src) == t.Numel().
	Upload(t *Tensor, src []float32)
	// UploadInt64 copies host indexes into an int64 tensor.
	UploadInt64(t *Tensor, src []int64)
	// Download copies t (float32) to host memory; a sync point.
	Download(dst []float32, t *Tensor)
	// DownloadInt64 copies an int64 tensor to host memory; a sync point.
	DownloadInt64(dst []int64, t *Tensor)
	// Sync waits for queued work and returns the first error since the
	// backend was opened (sticky), or nil.
	Sync() error
	// Err returns the sticky error without waiting.
	Err() error

	// --- elementwise (dst may alias an input) ---

	// Fill sets every element of t (float32 or int64) to v.
	Fill(t *Tensor, v float32)
	// Copy: dst = src (same dtype and element count; shapes may differ).
	Copy(dst, src *Tensor)
	// Axpy: y += alpha*x.
	Axpy(alpha float32, x, y *Tensor)
	// Scale: dst = alpha*x + beta.
	Scale(dst, x *Tensor, alpha, beta float32)
	// Unary: dst = op(x).
	Unary(op UnaryOp, dst, x *Tensor)
	// Binary: dst = a op b (or += for the Acc ops); a, b, dst of equal size.
	Binary(op BinaryOp, dst, a, b *Tensor)
	// MaskedFill: dst = mask != 0 ? v : x; mask is float32 of x's size.
	MaskedFill(dst, x, mask *Tensor, v float32)

	// --- linear algebra ---

	// Gemm: c = alpha*op(a)*op(b) + beta*c for 2-D tensors, op(m) = mᵀ when
	// the flag is set. c must not alias a or b.
	Gemm(transA, transB bool, alpha float32, a, b *Tensor, beta float32, c *Tensor)

	// --- convolution and pooling ---

	// Conv2DForward: y [N,K,OH,OW] = x [N,C,H,W] ⋆ w [K,C,R,S] (cross-
	// correlation, zero padding), no bias.
	Conv2DForward(y, x, w *Tensor, s ConvShape)
	// Conv2DForwardBN: y = act((x ⋆ w − mean)/sqrt(var+eps)*gamma + beta),
	// the convolution followed by an evaluation-mode batch norm with the
	// given statistics ([K] each) and its fused tail (BNAct: Res, ReLU),
	// as BatchNormInference after Conv2DForward, up to rounding: a backend
	// may fold the per-channel scale into the kernel and apply the rest as
	// it stores y.
	Conv2DForwardBN(y, x, w, gamma, beta, mean, variance *Tensor, s ConvShape, eps float32, act BNAct)
	// Conv2DBackwardData: dx (+)= dy ⋆ᵀ w; acc selects += over =. With acc
	// false dx's old contents are ignored and the result is bit for bit
	// what += into a zeroed dx gives (autograd's first gradient of x).
	Conv2DBackwardData(dx, dy, w *Tensor, s ConvShape, acc bool)
	// Conv2DBackwardFilter: dw += Σ_n dy ⋆ x.
	Conv2DBackwardFilter(dw, dy, x *Tensor, s ConvShape)
	// AvgPool2DForward: y = mean over each K×K window (stride K).
	AvgPool2DForward(y, x *Tensor, s PoolShape)
	// AvgPool2DBackward: dx += dy spread evenly over each window.
	AvgPool2DBackward(dx, dy *Tensor, s PoolShape)

	// --- per-channel ops over [N,C,HW] ---

	// BiasAdd: y[n,c,i] += b[c].
	BiasAdd(y, b *Tensor, s ChanShape)
	// ChannelSum: dst[c] += Σ_{n,i} x[n,c,i] (bias gradient).
	ChannelSum(dst, x *Tensor, s ChanShape)
	// BatchNormForward (training): mean[c] and var[c] (biased) of x over
	// N and HW, y = act((x-mean)/sqrt(var+eps)*gamma + beta) (see BNAct).
	// mean and var are outputs the caller keeps for the backward pass and
	// the running stats.
	BatchNormForward(y, mean, variance, x, gamma, beta *Tensor, s ChanShape, eps float32, act BNAct)
	// BatchNormInference: y = act((x-mean)/sqrt(var+eps)*gamma + beta) with
	// the given (running) statistics.
	BatchNormInference(y, x, gamma, beta, mean, variance *Tensor, s ChanShape, eps float32, act BNAct)
	// BatchNormBackward: dx += ∂L/∂x, dgamma += Σ g·x̂, dbeta += Σ g, with g
	// the gradient reaching the normalisation (dy gated by act.Y > 0 under
	// act.ReLU; act.DRes += g; act.SetDX and act.SetDRes turn the += of dx
	// and act.DRes into =, as acc false does for Conv2DBackwardData). With
	// train set the statistics are the batch's (their gradient flows into
	// dx); otherwise they are constants. Any of dx, dgamma, dbeta may be nil.
	BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *Tensor, s ChanShape, eps float32, train bool, act BNAct)

	// --- along one dimension, viewed as [Outer, D, Inner] ---

	// Sum: dst[o,i] (+)= Σ_d x[o,d,i]; acc selects += over =.
	Sum(dst, x *Tensor, s DimShape, acc bool)
	// BroadcastAcc: dst[o,d,i] += alpha*src[o,i] (the backward of Sum).
	BroadcastAcc(dst, src *Tensor, s DimShape, alpha float32)
	// SoftmaxForward: y = softmax(x) (or log_softmax when log) along D.
	SoftmaxForward(y, x *Tensor, s DimShape, log bool)
	// SoftmaxBackward: dx += the vector-Jacobian product, from the output y.
	SoftmaxBackward(dx, dy, y *Tensor, s DimShape, log bool)
	// L2NormForward: norm[o,i] = ‖x[o,:,i]‖, y = x/norm (no epsilon, as the
	// reference's Normalize).
	L2NormForward(y, norm, x *Tensor, s DimShape)
	// L2NormBackward: dx += (dy - y·⟨dy,y⟩)/norm.
	L2NormBackward(dx, dy, y, norm *Tensor, s DimShape)
	// SliceCopy copies a block along D: for every o, i and j < n,
	// dst[o, dOff+j, i] (+)= src[o, sOff+j, i], with dst viewed as
	// [Outer, dD, Inner] and src as [Outer, sD, Inner]. It is concat's
	// forward and narrow's backward (acc), and narrow's forward.
	SliceCopy(dst *Tensor, dD, dOff int, src *Tensor, sD, sOff, n int, outer, inner int, acc bool)

	// --- indexing ---

	// IndexSelect: dst[r,:] = src[idx[r],:] for 2-D src [M,D] and int64 idx [R].
	IndexSelect(dst, src, idx *Tensor)
	// IndexAdd: dst[idx[r],:] += alpha*src[r,:] (IndexSelect's backward).
	IndexAdd(dst, idx, src *Tensor, alpha float32)
	// IndexCopy: dst[idx[r],:] = src[r,:], rows in order (a later duplicate
	// index wins, as PyTorch's index assignment on the CPU).
	IndexCopy(dst, idx, src *Tensor)
	// Gather: dst[r,j] = src[r, idx[r,j]] for 2-D src and int64 idx [R,J].
	Gather(dst, src, idx *Tensor)
	// ScatterAdd: dst[r, idx[r,j]] += src[r,j] (Gather's backward).
	ScatterAdd(dst, idx, src *Tensor)
	// TopK: the k largest values of each row of x [R,Cols], in descending
	// order (ties keep the lower index first), into vals [R,k] (float32)
	// and idx [R,k] (int64).
	TopK(vals, idx, x *Tensor, k int)
	// Argmax: idx[r] = the index of the largest value of row r (the first
	// one on ties), idx int64 [R].
	Argmax(idx, x *Tensor)

	// --- optimiser ---

	// SGDStep is one torch.optim.SGD step for one parameter (dampening 0):
	//   g = grad + weightDecay*param
	//   buf = first ? g : momentum*buf + g
	//   param -= lr * (nesterov ? g + momentum*buf : buf)
	SGDStep(param, grad, buf *Tensor, lr, momentum, weightDecay float32, nesterov, first bool)
}

// BNAct is what a batch-norm op fuses after its affine map: the tail of a
// ResNet block, y = relu(bn(x) + res), in one pass over the data.
//
// Forward: Res (nil for none, else x's shape) is added, then ReLU applies
// max(·, 0). Backward: the gradient reaching the normalisation is
// g = ReLU ? (Y > 0 ? dy : 0) : dy, with Y the forward's output; DRes (nil
// for none) receives += g, the residual's gradient. The zero value is a
// plain batch norm.
//
// SetDX and SetDRes make the backward write (=) dx and DRes instead of
// adding into them, for a caller whose gradient buffer is new and
// uninitialised (autograd's first gradient of a value): the result is bit
// for bit what += into a zeroed buffer gives.
type BNAct struct {
	ReLU bool
	Res  *Tensor // forward: the residual
	Y    *Tensor // backward with ReLU: the forward's output
	DRes *Tensor // backward: the residual's gradient (+=, or = with SetDRes)

	SetDX, SetDRes bool // backward: write dx, DRes (=) rather than add (+=)
}
