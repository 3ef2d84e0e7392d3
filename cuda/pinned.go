//go:build cuda

package cuda

// #cgo LDFLAGS: -lcuda
// #include <cuda.h>
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// This file is the backend's only cgo of its own: page-locked ("pinned")
// host memory, which gorgonia.org/cu v0.9.6 does not wrap. A copy from
// pinned memory runs as DMA, asynchronously on the stream, at full PCIe or
// NVLink speed; from pageable Go memory the driver would stage it through a
// bounce buffer and block.

// hostAlloc returns bytes of pinned host memory (cuMemHostAlloc, flags 0:
// portable to this context only, not mapped). Worker thread only.
func hostAlloc(bytes int64) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if r := C.cuMemHostAlloc(&p, C.size_t(bytes), 0); r != C.CUDA_SUCCESS {
		return nil, fmt.Errorf("cuMemHostAlloc(%d bytes): CUresult %d", bytes, int(r))
	}
	return p, nil
}

// hostFree releases memory from hostAlloc. Worker thread only.
func hostFree(p unsafe.Pointer) error {
	if r := C.cuMemFreeHost(p); r != C.CUDA_SUCCESS {
		return fmt.Errorf("cuMemFreeHost: CUresult %d", int(r))
	}
	return nil
}

// stageBuf is one pinned upload buffer and the event recorded after the
// copy out of it.
type stageBuf struct {
	ptr   unsafe.Pointer
	size  int64
	ev    cu.Event
	state int // stageFree, stageHeld (the caller is filling it) or stageCopying
}

const (
	stageFree = iota
	stageHeld
	stageCopying
)

// stager hands out pinned buffers for Upload: a buffer whose copy has
// finished (its event has completed) is reused, else a new one is allocated
// (rounded to a size class), so a training loop's batch uploads reach a
// steady state with a few buffers and no allocation. Worker thread only.
type stager struct {
	bufs []*stageBuf
}

// acquire returns a buffer of at least bytes bytes that no copy is using,
// marked held.
func (s *stager) acquire(bytes int64) (*stageBuf, error) {
	for _, sb := range s.bufs {
		if sb.size < bytes || sb.state == stageHeld {
			continue
		}
		if sb.state == stageCopying {
			if err := sb.ev.Query(); err != nil {
				if err == cu.NotReady { // cu's errors are its bare CUresult values
					continue
				}
				return nil, err
			}
		}
		sb.state = stageHeld
		return sb, nil
	}
	size := sizeClass(bytes)
	p, err := hostAlloc(size)
	if err != nil {
		return nil, err
	}
	ev, err := cu.MakeEvent(cu.DisableTiming)
	if err != nil {
		hostFree(p)
		return nil, err
	}
	sb := &stageBuf{ptr: p, size: size, ev: ev, state: stageHeld}
	s.bufs = append(s.bufs, sb)
	return sb, nil
}

// freeAll releases every buffer (Close, after the stream has finished).
func (s *stager) freeAll() error {
	var errs []error
	for _, sb := range s.bufs {
		errs = append(errs, hostFree(sb.ptr), cu.DestroyEvent(&sb.ev))
	}
	s.bufs = nil
	return errors.Join(errs...)
}
