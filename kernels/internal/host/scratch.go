package host

import "sync"

// Pool is a free list of float32 work buffers (im2col matrices,
// per-chunk partial sums) shared by every CPU kernel that needs temporary
// memory. A kernel takes one buffer per goroutine with Get and returns it with
// Put when the call ends, so once the largest layer has run, calls allocate
// nothing.
//
// Unlike sync.Pool, the list survives garbage collections: a training step
// would otherwise re-allocate (and re-zero) tens of megabytes after each GC.
// The memory held is bounded by the peak number of buffers in use at once
// (a few per thread) times the largest size asked for; maxFree caps the list.
type Pool struct {
	mu   sync.Mutex
	free [][]float32
}

// MaxFree bounds the free list: enough for three buffers per thread on a
// large machine; beyond it the smallest buffers are dropped.
const MaxFree = 64

// Scratch is the pool every kernel family shares.
var Scratch Pool

// Get returns a buffer of length n with undefined contents: the smallest free
// buffer that is large enough, or a new one.
func (p *Pool) Get(n int) []float32 {
	p.mu.Lock()
	best := -1
	for i, b := range p.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := p.free[best]
		last := len(p.free) - 1
		p.free[best] = p.free[last]
		p.free[last] = nil
		p.free = p.free[:last]
		p.mu.Unlock()
		return b[:n]
	}
	p.mu.Unlock()
	return make([]float32, n)
}

// Put hands b back for reuse. When the list is full the smallest buffer
// (b or a listed one) is dropped for the garbage collector.
func (p *Pool) Put(b []float32) {
	if cap(b) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < MaxFree {
		p.free = append(p.free, b)
		return
	}
	small := 0
	for i, f := range p.free {
		if cap(f) < cap(p.free[small]) {
			small = i
		}
	}
	if cap(p.free[small]) < cap(b) {
		p.free[small] = b
	}
}
