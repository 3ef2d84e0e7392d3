package torchfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
)

// legacyMagic is the first pickle of a legacy file; legacyProtocol the second.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

const legacyProtocol = 1001

// Load reads the torch.save file at path (legacy or zip format) and returns
// the saved object (see value.go for the Go types). Errors name the file.
func Load(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("torchfile: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("torchfile: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("torchfile: %s: not a regular file (mode %v)", path, st.Mode())
	}
	data := make([]byte, st.Size()) // the file's own size: the one allocation not derived from its content
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("torchfile: %s: %w", path, err)
	}
	return Parse(data, path)
}

// IsTorchFile reports whether head, the first 4 or more bytes of a file,
// starts a torch.save file: a zip archive ("PK\x03\x04") or a legacy file,
// whose first pickle is PROTO 2..5 then LONG1 of 10 bytes (the magic
// number). A safetensors file cannot start so: its first 8 bytes are a
// header length, which these would make 67 MB (zip) or over 2^40 bytes.
func IsTorchFile(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) ||
		len(head) >= 4 && head[0] == opProto && head[1] >= 2 && head[1] <= 5 && head[2] == opLong1 && head[3] == 10
}

// Parse reads a torch.save file held in data; name labels the errors.
func Parse(data []byte, name string) (any, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseZip(data, name)
	case len(data) >= 2 && data[0] == opProto && data[1] >= 2 && data[1] <= 5:
		return parseLegacy(data, name) // which names a pickle without the magic number
	}
	return nil, fmt.Errorf("torchfile: %s: neither a zip archive nor a pickle: not a torch.save file", name)
}

// parseLegacy reads the legacy format (package doc).
func parseLegacy(data []byte, name string) (any, error) {
	pos := 0
	next := func(part string, persid func(any) (any, error)) (any, error) {
		v, n, err := unpickle(data[pos:], name+" ("+part+")", persid)
		pos += n
		return v, err
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return nil, fmt.Errorf("torchfile: %s: first pickle is %v, not the legacy magic number (a plain pickle, not a torch.save file?)", name, magic)
	}
	proto, err := next("protocol version", nil)
	if err != nil {
		return nil, err
	}
	if proto != int64(legacyProtocol) {
		return nil, fmt.Errorf("torchfile: %s: legacy protocol version %v, want %d", name, proto, legacyProtocol)
	}
	info, err := next("sys_info", nil)
	if err != nil {
		return nil, err
	}
	d, ok := info.(*Dict)
	if !ok {
		return nil, fmt.Errorf("torchfile: %s: sys_info is a %s, want a dict", name, typeName(info))
	}
	if le, _ := d.Get("little_endian"); le != true {
		return nil, fmt.Errorf("torchfile: %s: sys_info little_endian = %v: only little-endian files are read", name, le)
	}
	sts := &storages{byKey: map[string]*storage{}, legacy: true}
	obj, err := next("object", sts.persid)
	if err != nil {
		return nil, err
	}
	keysV, err := next("storage keys", nil)
	if err != nil {
		return nil, err
	}
	keys, ok := keysV.(*List)
	if !ok {
		return nil, fmt.Errorf("torchfile: %s: storage keys are a %s, want a list", name, typeName(keysV))
	}
	for _, kv := range keys.Items {
		key, _ := kv.(string)
		st, ok := sts.byKey[key]
		if !ok || st.data != nil {
			return nil, fmt.Errorf("torchfile: %s: storage key %v listed but not used by the object, or listed twice", name, kv)
		}
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("torchfile: %s: storage %q: its size runs past the end of the file (truncated?)", name, key)
		}
		n := int64(binary.LittleEndian.Uint64(data[pos:]))
		pos += 8
		if n != st.numel {
			return nil, fmt.Errorf("torchfile: %s: storage %q holds %d elements, its id says %d", name, key, n, st.numel)
		}
		bytes := uint64(n) * uint64(st.elem.size) // n = numel was bounded by the pickle's int64; checked against the file next
		if n < 0 || uint64(n) > uint64(len(data)) || bytes > uint64(len(data)-pos) {
			return nil, fmt.Errorf("torchfile: %s: storage %q of %d elements runs past the end of the file (truncated?)", name, key, n)
		}
		st.data = data[pos : pos+int(bytes)]
		pos += int(bytes)
	}
	if pos != len(data) {
		return nil, fmt.Errorf("torchfile: %s: %d bytes after the last storage", name, len(data)-pos)
	}
	return obj, resolveAll(obj, len(data), name)
}

// parseZip reads the zip format (package doc).
func parseZip(data []byte, name string) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("torchfile: %s: %w", name, err)
	}
	files := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		if files[f.Name] != nil {
			return nil, fmt.Errorf("torchfile: %s: zip entry %q appears twice", name, f.Name)
		}
		files[f.Name] = f
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && !strings.Contains(dir, "/") {
			if prefix != "" {
				return nil, fmt.Errorf("torchfile: %s: two data.pkl entries (%s/, %s/)", name, prefix, dir)
			}
			prefix = dir
		}
	}
	if prefix == "" {
		return nil, fmt.Errorf("torchfile: %s: a zip archive without <folder>/data.pkl: not a torch.save file", name)
	}
	read := func(f *zip.File) ([]byte, error) {
		if f.Method != zip.Store {
			return nil, fmt.Errorf("torchfile: %s: zip entry %q is compressed (method %d); torch.save stores entries uncompressed", name, f.Name, f.Method)
		}
		if f.UncompressedSize64 > uint64(len(data)) {
			return nil, fmt.Errorf("torchfile: %s: zip entry %q claims %d bytes in a %d-byte file", name, f.Name, f.UncompressedSize64, len(data))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("torchfile: %s: zip entry %q: %w", name, f.Name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		if err == nil && uint64(len(b)) != f.UncompressedSize64 {
			err = fmt.Errorf("%d bytes, its header says %d", len(b), f.UncompressedSize64)
		}
		if err != nil {
			return nil, fmt.Errorf("torchfile: %s: zip entry %q: %v", name, f.Name, err)
		}
		return b, nil
	}
	if f := files[prefix+"/byteorder"]; f != nil {
		b, err := read(f)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, fmt.Errorf("torchfile: %s: byteorder %q: only little-endian files are read", name, b)
		}
	}
	pkl, err := read(files[prefix+"/data.pkl"])
	if err != nil {
		return nil, err
	}
	sts := &storages{byKey: map[string]*storage{}}
	obj, n, err := unpickle(pkl, name+" ("+prefix+"/data.pkl)", sts.persid)
	if err != nil {
		return nil, err
	}
	if n != len(pkl) {
		return nil, fmt.Errorf("torchfile: %s: %d bytes after the STOP of %s/data.pkl", name, len(pkl)-n, prefix)
	}
	copied := uint64(0) // storage bytes copied so far: at most the file's size, even if entries share their data
	for _, st := range sts.order {
		f := files[prefix+"/data/"+st.key]
		if f == nil {
			return nil, fmt.Errorf("torchfile: %s: storage %q has no entry %s/data/%s", name, st.key, prefix, st.key)
		}
		if want := uint64(st.numel) * uint64(st.elem.size); uint64(st.numel) > uint64(len(data)) || f.UncompressedSize64 != want {
			return nil, fmt.Errorf("torchfile: %s: storage %q: entry holds %d bytes, %d elements of %s need %d",
				name, st.key, f.UncompressedSize64, st.numel, st.class, uint64(st.numel)*uint64(st.elem.size))
		}
		if copied += f.UncompressedSize64; copied > uint64(len(data)) {
			return nil, fmt.Errorf("torchfile: %s: the storage entries hold more bytes than the file (entries sharing their data?)", name)
		}
		if st.data, err = read(f); err != nil {
			return nil, err
		}
	}
	return obj, resolveAll(obj, len(data), name)
}

// resolveAll copies every tensor reachable from obj out of its storage,
// after checking that together they hold at most one element per byte of
// the file (views can repeat a storage's elements; this bounds the memory).
func resolveAll(obj any, fileSize int, name string) error {
	var ts []*Tensor
	seen := map[any]bool{}
	var walk func(v any, depth int) error
	walk = func(v any, depth int) error {
		if depth > 64 {
			return fmt.Errorf("torchfile: %s: objects nested more than 64 deep", name)
		}
		switch v := v.(type) {
		case *Tensor:
			if !seen[v] {
				seen[v] = true
				ts = append(ts, v)
			}
		case *Dict:
			if seen[v] {
				return nil
			}
			seen[v] = true
			for _, x := range v.vals {
				if err := walk(x, depth+1); err != nil {
					return err
				}
			}
		case *List:
			if seen[v] {
				return nil
			}
			seen[v] = true
			for _, x := range v.Items {
				if err := walk(x, depth+1); err != nil {
					return err
				}
			}
		case Tuple:
			// Tuples are values, but the memo lets a pickle share one many
			// times (a DAG that would take exponential time to walk as a tree).
			if len(v) == 0 || seen[&v[0]] {
				return nil
			}
			seen[&v[0]] = true
			for _, x := range v {
				if err := walk(x, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(obj, 0); err != nil {
		return err
	}
	total := 0
	for _, t := range ts {
		total += t.Numel()
		if total > fileSize {
			return fmt.Errorf("torchfile: %s: the tensors hold more elements than the file has bytes (views repeating a storage?); refusing to expand them", name)
		}
	}
	for _, t := range ts {
		if err := t.resolve(); err != nil {
			return fmt.Errorf("torchfile: %s: %v", name, err)
		}
	}
	return nil
}
