package safetensors_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/nn/safetensors"
)

// specials are float32 bit patterns that a lossy path would change: quiet and
// signalling NaNs with payloads, both zeros and infinities, subnormals, extremes.
var specials = []uint32{
	0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, 0xff800fff, // NaNs (quiet, payload, signalling)
	0x00000000, 0x80000000, 0x7f800000, 0xff800000, // ±0, ±Inf
	0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x3f800000, // subnormals, min normal, max, 1
}

// sample returns a checkpoint exercising every edge Write must keep bit-exact.
func sample() map[string]safetensors.Tensor {
	sp := make([]float32, len(specials))
	for i, b := range specials {
		sp[i] = math.Float32frombits(b)
	}
	// big spans several 64 KiB write chunks and several 1 MiB read chunks.
	rng := rand.New(rand.NewPCG(1, 1))
	big := make([]float32, 300_001)
	for i := range big {
		big[i] = float32(rng.NormFloat64())
	}
	return map[string]safetensors.Tensor{
		"specials":               {DType: "F32", Shape: []int{len(sp)}, F32: sp},
		"layer1.0.conv1.weight":  {DType: "F32", Shape: []int{7, 3, 3}, F32: big[:63]},
		"big":                    {DType: "F32", Shape: []int{300_001}, F32: big},
		"scalar":                 {DType: "F32", Shape: []int{}, F32: []float32{-0.5}},
		"empty":                  {DType: "F32", Shape: []int{0, 3}, F32: []float32{}},
		"empty3":                 {DType: "I64", Shape: []int{3, 0, 2}, I64: []int64{}},
		"bn.num_batches_tracked": {DType: "I64", Shape: []int{}, I64: []int64{12345}},
		"ints":                   {DType: "I64", Shape: []int{2, 2}, I64: []int64{math.MinInt64, -1, 0, math.MaxInt64}},
		// Names with bytes that JSON must escape, and non-ASCII.
		"odd \"name\"\\\n\x01\x1f<&>\u2028é": {DType: "F32", Shape: []int{1}, F32: []float32{2}},
	}
}

// sampleMeta is metadata with characters JSON must escape.
var sampleMeta = map[string]string{"format": "pt", "epoch": "12", "note": "a \"quoted\"\tline\n\x00<&>\u2029ü", "": ""}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	want := sample()
	if err := safetensors.Write(path, want, sampleMeta); err != nil {
		t.Fatal(err)
	}
	got, meta, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffTensors(want, got); d != "" {
		t.Fatal(d)
	}
	for name, g := range got {
		if g.FileDType != want[name].DType {
			t.Errorf("tensor %q: FileDType %q, want %q", name, g.FileDType, want[name].DType)
		}
		if g.Shape == nil {
			t.Errorf("tensor %q: nil Shape, want non-nil (a scalar is [])", name)
		}
	}
	if !mapsEqual(meta, sampleMeta) {
		t.Fatalf("metadata %q, want %q", meta, sampleMeta)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestMetadataAbsent: nil and empty metadata both write no "__metadata__" key
// and read back as an empty, non-nil map.
func TestMetadataAbsent(t *testing.T) {
	for _, meta := range []map[string]string{nil, {}} {
		b := writeBytes(t, nil, meta)
		if want := file(pad("{}"), nil); !bytes.Equal(b, want) {
			t.Fatalf("WriteTo(no tensors, %v) = %q, want %q", meta, b, want)
		}
		_, got, err := readBytes(b)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("metadata %v, err %v; want empty non-nil map", got, err)
		}
	}
}

// TestDeterministic: the same checkpoint always gives the same bytes, whatever
// the map iteration order, through both Write and WriteTo.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	first := writeBytes(t, sample(), sampleMeta)
	for i := range 4 {
		path := filepath.Join(dir, "ckpt.safetensors")
		if err := safetensors.Write(path, sample(), sampleMeta); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, first) {
			t.Fatalf("write %d differs from the first", i)
		}
	}
}

// TestReferenceBytes checks Write's bytes against files laid out by hand exactly
// as the reference writer (safetensors.torch.save_file, Rust `prepare`) lays
// them out: tensors sorted by descending dtype alignment, then name; compact
// JSON with "__metadata__" first and fields dtype, shape, data_offsets; header
// padded with spaces to a multiple of 8.
func TestReferenceBytes(t *testing.T) {
	// The two empty-file vectors of the reference's own test suite (test_empty).
	if got := writeBytes(t, nil, nil); !bytes.Equal(got, []byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      ")) {
		t.Errorf("empty file: %q", got)
	}
	want := file(`{"__metadata__":{"framework":"pt"}}     `, nil) // 35 bytes + 5 spaces = 40
	if got := writeBytes(t, nil, map[string]string{"framework": "pt"}); !bytes.Equal(got, want) {
		t.Errorf("metadata-only file:\n got %q\nwant %q", got, want)
	}

	// A small BatchNorm-style state dict as PyTorch saves it.
	ts := map[string]safetensors.Tensor{
		"fc.weight":              {DType: "F32", Shape: []int{2, 2}, F32: []float32{1, 2, 3, 4}},
		"fc.bias":                {DType: "F32", Shape: []int{2}, F32: []float32{-1, 0.5}},
		"bn.num_batches_tracked": {DType: "I64", Shape: []int{}, I64: []int64{7}},
		"bn.bias":                {DType: "F32", Shape: []int{1}, F32: []float32{0.25}},
	}
	// I64 comes first although "bn.bias" sorts before it by name.
	header := `{"__metadata__":{"format":"pt"},` +
		`"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
		`"bn.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},` +
		`"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},` +
		`"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[20,36]}}`
	want = file(pad(header), le(int64(7), float32(0.25), float32(-1), float32(0.5), float32(1), float32(2), float32(3), float32(4)))
	if len(pad(header))%8 != 0 || len(pad(header)) == len(header) {
		t.Fatalf("fixture header should need padding: %d bytes", len(header))
	}
	got := writeBytes(t, ts, map[string]string{"format": "pt"})
	if !bytes.Equal(got, want) {
		t.Fatalf("bytes differ from the reference layout:\n got %q\nwant %q", got, want)
	}
	back, meta, err := readBytes(want)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffTensors(ts, back); d != "" || meta["format"] != "pt" || len(meta) != 1 {
		t.Fatalf("%s; metadata %v", d, meta)
	}
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// TestWriteAtomic: every failing Write leaves the previous file byte-identical
// and no temporary file behind; a successful one replaces it and keeps its mode.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	v1 := map[string]safetensors.Tensor{"w": {DType: "F32", Shape: []int{2}, F32: []float32{1, 2}}}
	if err := safetensors.Write(path, v1, map[string]string{"v": "1"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, old) {
			t.Fatalf("previous file changed (err %v)", err)
		}
		if names := listDir(t, dir); !slices.Equal(names, []string{"ckpt.safetensors", "sub"}) {
			t.Fatalf("directory holds %q, want only the checkpoint and sub/", names)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub", "full"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("invalid tensor", func(t *testing.T) {
		bad := map[string]safetensors.Tensor{
			"w":   {DType: "F32", Shape: []int{2}, F32: []float32{1, 2}},
			"bad": {DType: "F32", Shape: []int{3, 3}, F32: []float32{1}},
		}
		err := safetensors.Write(path, bad, nil)
		wantErr(t, err, path, `tensor "bad"`, "needs 9 F32 elements, the tensor holds 1")
		unchanged(t)
	})
	t.Run("rename fails", func(t *testing.T) {
		// Renaming a file over a non-empty directory fails after all data was
		// written and synced: the temporary file must still go.
		target := filepath.Join(dir, "sub")
		wantErr(t, safetensors.Write(target, v1, nil), target)
		unchanged(t)
		if names := listDir(t, target); !slices.Equal(names, []string{"full"}) {
			t.Fatalf("sub/ holds %q", names)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		target := filepath.Join(dir, "nope", "ckpt.safetensors")
		wantErr(t, safetensors.Write(target, v1, nil), target)
		unchanged(t)
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: permission bits do not stop writes (the rename-fails case covers cleanup)")
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		v2 := map[string]safetensors.Tensor{"w": {DType: "F32", Shape: []int{1}, F32: []float32{9}}}
		wantErr(t, safetensors.Write(path, v2, nil), path)
		unchanged(t)
	})
	t.Run("replace keeps mode", func(t *testing.T) {
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		v2 := map[string]safetensors.Tensor{"w": {DType: "F32", Shape: []int{1}, F32: []float32{9}}}
		if err := safetensors.Write(path, v2, nil); err != nil {
			t.Fatal(err)
		}
		got, _, err := safetensors.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffTensors(v2, got); d != "" {
			t.Fatal(d)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v (err %v), want 0600", st.Mode(), err)
		}
		if names := listDir(t, dir); !slices.Equal(names, []string{"ckpt.safetensors", "sub"}) {
			t.Fatalf("directory holds %q", names)
		}
	})
}

// wantErr fails unless err is non-nil and its text contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

// TestWriteErrors: each invalid input is refused before anything is written.
func TestWriteErrors(t *testing.T) {
	f32 := func(shape []int, n int) safetensors.Tensor {
		return safetensors.Tensor{DType: "F32", Shape: shape, F32: make([]float32, n)}
	}
	cases := []struct {
		name    string
		tensors map[string]safetensors.Tensor
		meta    map[string]string
		want    []string
	}{
		{"reserved name", map[string]safetensors.Tensor{"__metadata__": f32(nil, 1)}, nil, []string{`"__metadata__" is reserved`}},
		{"dtype F16", map[string]safetensors.Tensor{"h": {DType: "F16", Shape: []int{1}, F32: []float32{1}}}, nil, []string{`tensor "h"`, `dtype "F16" cannot be written`}},
		{"no dtype", map[string]safetensors.Tensor{"h": {Shape: []int{1}, F32: []float32{1}}}, nil, []string{`tensor "h"`, `dtype "" cannot be written`}},
		{"negative dim", map[string]safetensors.Tensor{"n": f32([]int{2, -1}, 0)}, nil, []string{`tensor "n"`, "negative dim"}},
		{"overflow", map[string]safetensors.Tensor{"o": f32([]int{1 << 32, 1 << 32}, 0)}, nil, []string{`tensor "o"`, "too many elements"}},
		{"short data", map[string]safetensors.Tensor{"s": f32([]int{2, 3}, 5)}, nil, []string{`tensor "s"`, "needs 6 F32 elements, the tensor holds 5"}},
		{"scalar without data", map[string]safetensors.Tensor{"s": f32([]int{}, 0)}, nil, []string{`tensor "s"`, "needs 1 F32"}},
		{"both slices", map[string]safetensors.Tensor{"b": {DType: "I64", Shape: []int{1}, I64: []int64{1}, F32: []float32{1}}}, nil, []string{`tensor "b"`, "other data slice holds 1"}},
		{"bad UTF-8 name", map[string]safetensors.Tensor{"\xff": f32(nil, 1)}, nil, []string{"not valid UTF-8"}},
		{"bad UTF-8 metadata", nil, map[string]string{"k": "\xc3"}, []string{`metadata "k"`, "not valid UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := safetensors.WriteTo(&buf, c.tensors, c.meta)
			wantErr(t, err, append([]string{"safetensors: "}, c.want...)...)
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}
