//go:build cuda

package cuda

import (
	"math"
	"unsafe"

	"gorgonia.org/cu"

	"twostage/tensor"
)

// This file holds the host transfers and the plain elementwise ops (Fill,
// Copy, Axpy, Scale). Every method checks its arguments in the caller's
// goroutine (a mismatch panics with constant text) and then queues the
// driver work on the worker thread; only the downloads wait.

// Upload copies host data into t: t (float32 [n]) = src (len n). It returns
// once src has been copied out (into a pinned staging buffer), so the caller
// may reuse src at once; the copy to the device runs asynchronously on the
// stream, in order with the kernels.
func (b *Backend) Upload(t *tensor.Tensor, src []float32) {
	s := b.storage(t)
	if s.dt != tensor.Float32 {
		panic("cuda: Upload to a tensor that is not float32")
	}
	if len(src) != s.n {
		panic("cuda: Upload length mismatch")
	}
	if s.n > 0 {
		b.hostToDevice("Upload", s, unsafe.Pointer(&src[0]))
	}
}

// UploadInt64 copies host indexes into t: t (int64 [n]) = src (len n).
func (b *Backend) UploadInt64(t *tensor.Tensor, src []int64) {
	s := b.storage(t)
	if s.dt != tensor.Int64 {
		panic("cuda: UploadInt64 to a tensor that is not int64")
	}
	if len(src) != s.n {
		panic("cuda: UploadInt64 length mismatch")
	}
	if s.n > 0 {
		b.hostToDevice("UploadInt64", s, unsafe.Pointer(&src[0]))
	}
}

// hostToDevice copies s's bytes from host memory at src: a pinned buffer
// from the stager (one round trip to the worker, which may wait for an old
// copy out of that buffer to finish), a host memcpy into it here, then the
// queued cuMemcpyHtoDAsync and the buffer's event.
func (b *Backend) hostToDevice(op string, s *devStorage, src unsafe.Pointer) {
	bytes := int64(s.n) * int64(s.dt.Size())
	var sb *stageBuf
	b.do(func() {
		if b.failed() {
			return
		}
		var err error
		sb, err = b.stage.acquire(bytes)
		b.setErr(op, err)
	})
	if sb == nil {
		return // an error is kept
	}
	copy(unsafe.Slice((*byte)(sb.ptr), bytes), unsafe.Slice((*byte)(src), bytes))
	b.enqueue(func() {
		sb.state = stageCopying
		if b.failed() {
			return
		}
		b.setErr(op, cu.MemcpyHtoDAsync(s.ptr, sb.ptr, bytes, b.stream))
		b.setErr(op, sb.ev.Record(b.stream))
	})
}

// Download copies t (float32 [n]) to dst (len n) after all queued work (a
// sync point). If an error is kept, before or by this copy, dst is filled
// with NaN instead: the numbers would be wrong, and NaN says so even to a
// caller that does not check Err.
func (b *Backend) Download(dst []float32, t *tensor.Tensor) {
	s := b.storage(t)
	if s.dt != tensor.Float32 {
		panic("cuda: Download of a tensor that is not float32")
	}
	if len(dst) != s.n {
		panic("cuda: Download length mismatch")
	}
	if s.n > 0 && !b.deviceToHost("Download", s, unsafe.Pointer(&dst[0])) {
		nan := float32(math.NaN())
		for i := range dst {
			dst[i] = nan
		}
	}
}

// DownloadInt64 copies t (int64 [n]) to dst (len n), a sync point. After an
// error dst is filled with -1, an index no tensor has.
func (b *Backend) DownloadInt64(dst []int64, t *tensor.Tensor) {
	s := b.storage(t)
	if s.dt != tensor.Int64 {
		panic("cuda: DownloadInt64 of a tensor that is not int64")
	}
	if len(dst) != s.n {
		panic("cuda: DownloadInt64 length mismatch")
	}
	if s.n > 0 && !b.deviceToHost("DownloadInt64", s, unsafe.Pointer(&dst[0])) {
		for i := range dst {
			dst[i] = -1
		}
	}
}

// deviceToHost waits for the stream (and its index-fault word), then copies
// s's bytes to host memory at dst, and reports whether the data is good (no
// error kept). The stream is idle when the synchronous copy runs, so the
// copy on the legacy stream cannot overtake a kernel of ours.
func (b *Backend) deviceToHost(op string, s *devStorage, dst unsafe.Pointer) bool {
	b.do(func() {
		b.syncStream(op)
		if !b.failed() {
			b.setErr(op, cu.MemcpyDtoH(dst, s.ptr, int64(s.n)*int64(s.dt.Size())))
		}
	})
	return !b.failed()
}

// Fill: t[i] = v for every element; for an int64 tensor, t[i] = int64(v)
// (truncated toward zero, as the CPU backend does). Kernels fill_f32 and
// fill_i64 (kernels/gpu/fill.cu).
func (b *Backend) Fill(t *tensor.Tensor, v float32) {
	s := b.storage(t)
	if s.dt == tensor.Int64 {
		b.launch("Fill", kFillI64, s.n, s, int64(v), s.n)
		return
	}
	b.launch("Fill", kFillF32, s.n, s, v, s.n)
}

// Copy: dst = src, device to device on the stream; the same dtype and
// element count (shapes may differ). Copying a storage onto itself does
// nothing.
func (b *Backend) Copy(dst, src *tensor.Tensor) {
	d, s := b.storage(dst), b.storage(src)
	if d.dt != s.dt {
		panic("cuda: Copy: dst and src dtypes differ")
	}
	if d.n != s.n {
		panic("cuda: Copy: dst and src sizes differ")
	}
	if d == s || d.n == 0 {
		return
	}
	b.enqueue(func() {
		if !b.failed() {
			b.setErr("Copy", cu.MemcpyDtoDAsync(d.ptr, s.ptr, int64(d.n)*int64(d.dt.Size()), b.stream))
		}
	})
}

// Axpy: y[i] += alpha*x[i], x and y float32 of equal size (y may be x).
// Kernel axpy_f32 (kernels/gpu/axpy.cu); it fuses the multiply-add.
func (b *Backend) Axpy(alpha float32, x, y *tensor.Tensor) {
	xs, ys := b.storage(x), b.storage(y)
	if xs.dt != tensor.Float32 || ys.dt != tensor.Float32 {
		panic("cuda: Axpy of a tensor that is not float32")
	}
	if xs.n != ys.n {
		panic("cuda: Axpy: x and y sizes differ")
	}
	b.launch("Axpy", kAxpyF32, ys.n, ys, xs, alpha, ys.n)
}

// Scale: dst[i] = alpha*x[i] + beta, float32 of equal size (dst may be x).
// Kernel scale_f32 (kernels/gpu/axpy.cu).
func (b *Backend) Scale(dst, x *tensor.Tensor, alpha, beta float32) {
	ds, xs := b.storage(dst), b.storage(x)
	if ds.dt != tensor.Float32 || xs.dt != tensor.Float32 {
		panic("cuda: Scale of a tensor that is not float32")
	}
	if ds.n != xs.n {
		panic("cuda: Scale: dst and x sizes differ")
	}
	b.launch("Scale", kScaleF32, ds.n, ds, xs, alpha, beta, ds.n)
}
