package safetensors

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"unicode/utf8"
)

// Write stores tensors and metadata at path in the safetensors format,
// atomically: it validates everything first, writes a temporary file
// ".<name>.tmp-*" in the same directory, fsyncs it, renames it over path and
// fsyncs the directory. On any error the temporary file is removed and an
// existing file at path is left as it was. A replaced file keeps its
// permission bits; a new one gets 0644. metadata may be nil.
//
// Each tensor must have DType "F32" with len(F32) = numel(Shape) and no I64
// data, or DType "I64" likewise; FileDType is ignored. The bytes are
// deterministic (see the package doc for the order).
func Write(path string, tensors map[string]Tensor, metadata map[string]string) error {
	// Validate and lay out everything first: a bad tensor never touches the disk.
	p, err := newPlan(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	// The temporary file lives beside the target, on the same filesystem, so
	// that the final rename is atomic. Until the rename succeeds, every exit
	// path closes and removes it.
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close() // may already be closed; only the removal matters
			os.Remove(tmp)
		}
	}()
	perm := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm = st.Mode().Perm()
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	// Data, then fsync: the bytes must be on disk before the name points at them,
	// or a crash could leave a complete-looking but empty checkpoint.
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := p.encode(bw); err != nil {
		return fmt.Errorf("safetensors: %s: writing %s: %w", path, tmp, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: %s: writing %s: %w", path, tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("safetensors: %s: syncing %s: %w", path, tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("safetensors: %s: closing %s: %w", path, tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	done = true
	// The rename is durable only once the directory entry is on disk.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("safetensors: %s: written, but syncing directory %s failed: %w", path, dir, err)
	}
	return nil
}

// WriteTo is Write's encoder without the file: it validates tensors and
// metadata, then writes the safetensors bytes to w. Nothing is written when
// validation fails.
func WriteTo(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	p, err := newPlan(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := p.encode(bw); err != nil {
		return fmt.Errorf("safetensors: writing: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: writing: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory. Filesystems that cannot sync directories
// (EINVAL, unsupported) are not an error: there is nothing more to do there.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// plan is a validated file: the padded header and the tensor order.
type plan struct {
	header  []byte   // JSON header, padded with spaces to a multiple of 8
	order   []string // tensor names in data-section order
	tensors map[string]Tensor
}

// newPlan validates the tensors and metadata and lays them out as the
// reference writer does: sorted by descending element size (I64 before F32,
// which keeps every tensor naturally aligned), then by name; the header lists
// "__metadata__" first (keys sorted), then the tensors in data order.
func newPlan(tensors map[string]Tensor, metadata map[string]string) (*plan, error) {
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("metadata %q: %q: not valid UTF-8", k, v)
		}
	}
	order := make([]string, 0, len(tensors))
	for name, t := range tensors {
		if err := checkTensor(name, t); err != nil {
			return nil, err
		}
		order = append(order, name)
	}
	slices.SortFunc(order, func(a, b string) int {
		return cmp.Or(cmp.Compare(elemSize(tensors[b]), elemSize(tensors[a])), cmp.Compare(a, b))
	})

	// The header: compact JSON with no spaces, fields in the order serde
	// serializes the reference's structs, offsets assigned in data order so the
	// tensors tile the data section with no hole:
	//   {"__metadata__":{"k":"v"},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},...}
	h := []byte{'{'}
	if len(metadata) > 0 {
		h = appendJSONString(h, metadataKey)
		h = append(h, ":{"...)
		for i, k := range slices.Sorted(maps.Keys(metadata)) {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendJSONString(h, k)
			h = append(h, ':')
			h = appendJSONString(h, metadata[k])
		}
		h = append(h, '}')
		if len(order) > 0 {
			h = append(h, ',')
		}
	}
	var off int64
	for i, name := range order {
		t := tensors[name]
		if i > 0 {
			h = append(h, ',')
		}
		h = appendJSONString(h, name)
		h = append(h, `:{"dtype":`...)
		h = appendJSONString(h, t.DType)
		h = append(h, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		n := int64(max(len(t.F32), len(t.I64)) * elemSize(t))
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendInt(h, off, 10)
		h = append(h, ',')
		h = strconv.AppendInt(h, off+n, 10)
		h = append(h, "]}"...)
		off += n
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ') // the reference pads so the data section is 8-byte aligned
	}
	if len(h) > maxHeader {
		return nil, fmt.Errorf("header would be %d bytes, over the %d-byte limit readers accept", len(h), maxHeader)
	}
	return &plan{header: h, order: order, tensors: tensors}, nil
}

// checkTensor validates one tensor for writing.
func checkTensor(name string, t Tensor) error {
	switch {
	case name == metadataKey:
		return fmt.Errorf("tensor name %q is reserved for the metadata", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("tensor %q: name is not valid UTF-8", name)
	}
	n, ok := numel(t.Shape)
	if !ok {
		return fmt.Errorf("tensor %q: shape %v has a negative dim or too many elements", name, t.Shape)
	}
	var have, other int
	switch t.DType {
	case "F32":
		have, other = len(t.F32), len(t.I64)
	case "I64":
		have, other = len(t.I64), len(t.F32)
	default:
		return fmt.Errorf("tensor %q: dtype %q cannot be written (want F32 or I64)", name, t.DType)
	}
	if have != n {
		return fmt.Errorf("tensor %q: shape %v needs %d %s elements, the tensor holds %d", name, t.Shape, n, t.DType, have)
	}
	if other != 0 {
		return fmt.Errorf("tensor %q: dtype %s but the other data slice holds %d elements", name, t.DType, other)
	}
	return nil
}

// elemSize is the bytes per element of a validated tensor: 8 for I64, 4 for F32.
func elemSize(t Tensor) int {
	if t.DType == "I64" {
		return 8
	}
	return 4
}

// encode writes the length, header and data. Tensors are converted to
// little-endian bytes 64 KiB at a time.
func (p *plan) encode(w io.Writer) error {
	var buf [1 << 16]byte
	binary.LittleEndian.PutUint64(buf[:8], uint64(len(p.header)))
	if _, err := w.Write(buf[:8]); err != nil {
		return err
	}
	if _, err := w.Write(p.header); err != nil {
		return err
	}
	le := binary.LittleEndian
	for _, name := range p.order {
		t := p.tensors[name]
		for i := 0; i < len(t.F32); i += len(buf) / 4 {
			k := min(len(buf)/4, len(t.F32)-i)
			for j, v := range t.F32[i : i+k] {
				le.PutUint32(buf[4*j:], math.Float32bits(v)) // bit-exact: NaN payloads, -0
			}
			if _, err := w.Write(buf[:4*k]); err != nil {
				return err
			}
		}
		for i := 0; i < len(t.I64); i += len(buf) / 8 {
			k := min(len(buf)/8, len(t.I64)-i)
			for j, v := range t.I64[i : i+k] {
				le.PutUint64(buf[8*j:], uint64(v))
			}
			if _, err := w.Write(buf[:8*k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendJSONString appends s (valid UTF-8) as a JSON string, escaping exactly
// what serde_json escapes: '"', '\\' and control bytes < 0x20 (\b \t \n \f \r
// by name, others as \u00xx). Go's encoding/json would also escape <, >, & and
// U+2028/9, making names differ byte-wise from the reference writer's.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}
