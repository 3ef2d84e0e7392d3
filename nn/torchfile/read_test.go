package torchfile

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtures is the folder scripts/torch_fixtures.py writes.
const fixtures = "../testdata/torch"

// loadDict loads a fixture whose object is a dict.
func loadDict(t *testing.T, name string) *Dict {
	t.Helper()
	v, err := Load(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := v.(*Dict)
	if !ok {
		t.Fatalf("%s: top-level object is a %s, want a dict", name, typeName(v))
	}
	return d
}

// get returns d[k], failing the test when it is absent.
func get(t *testing.T, d *Dict, k string) any {
	t.Helper()
	v, ok := d.Get(k)
	if !ok {
		t.Fatalf("key %q missing (keys %v)", k, d.Keys())
	}
	return v
}

// TestTiny reads the tiny state dict of every storage type in the three
// encodings torch.save produced (scripts/torch_fixtures.py, tiny_state).
func TestTiny(t *testing.T) {
	f32 := []struct {
		key   string
		shape []int
		want  []float32
	}{
		{"f32_t", []int{3, 2}, []float32{0, 3, 1, 4, 2, 5}},
		{"f32_slice", []int{3}, []float32{2, 4, 6}},
		{"f32_base", []int{10}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"f64", []int{2}, []float32{1.5, -2.25}},
		{"f16", []int{3}, []float32{0.5, -65504, 0x1p-24}}, // the largest half and the smallest subnormal
		{"bf16", []int{2}, []float32{1, -3}},
	}
	i64 := []struct {
		key   string
		shape []int
		want  []int64
	}{
		{"i64", []int{}, []int64{3}},
		{"i32", []int{2}, []int64{-7, 70000}},
		{"i16", []int{1}, []int64{-300}},
		{"i8", []int{2}, []int64{-128, 127}},
		{"u8", []int{2}, []int64{0, 255}},
		{"bool", []int{2}, []int64{1, 0}},
		{"empty", []int{0, 4}, []int64{}},
	}
	for _, file := range []string{"tiny_legacy.t7", "tiny_zip.t7", "tiny_zip_p4.t7"} {
		t.Run(file, func(t *testing.T) {
			d := loadDict(t, file)
			st, ok := get(t, d, "state").(*Dict)
			if !ok || st.Len() != len(f32)+len(i64) {
				t.Fatalf("state is %v, want an OrderedDict of %d tensors", typeName(st), len(f32)+len(i64))
			}
			for _, c := range f32 {
				x := get(t, st, c.key).(*Tensor)
				if x.DType != "F32" || !slices.Equal(x.Shape, c.shape) || !slices.Equal(x.F32, c.want) {
					t.Errorf("%s: %s %v %v, want F32 %v %v", c.key, x.DType, x.Shape, x.F32, c.shape, c.want)
				}
			}
			for _, c := range i64 {
				x := get(t, st, c.key).(*Tensor)
				if x.DType != "I64" || !slices.Equal(x.Shape, c.shape) || !slices.Equal(x.I64, c.want) {
					t.Errorf("%s: %s %v %v, want I64 %v %v", c.key, x.DType, x.Shape, x.I64, c.shape, c.want)
				}
			}
			if keys := st.Keys(); keys[0] != "f32_t" || keys[len(keys)-1] != "empty" {
				t.Errorf("keys out of insertion order: %v", keys)
			}
			if n := get(t, d, "n"); n != int64(7) {
				t.Errorf("n = %v, want 7", n)
			}
			if x := get(t, d, "x"); x != -0.5 {
				t.Errorf("x = %v, want -0.5", x)
			}
			if s := get(t, d, "s"); s != "text" {
				t.Errorf("s = %v, want text", s)
			}
			l, ok := get(t, d, "l").(*List)
			if !ok || len(l.Items) != 4 || l.Items[0] != int64(1) || l.Items[1] != 2.5 || l.Items[2] != nil || l.Items[3] != true {
				t.Errorf("l = %v, want [1 2.5 None True]", l)
			}
		})
	}
}

// TestCheckpointFixtures reads the authors' checkpoint layouts: the same
// tensors from the legacy file with CUDA storages and "module." keys as
// from the zip file with host storages and plain keys.
func TestCheckpointFixtures(t *testing.T) {
	legacy, zipped := loadDict(t, "stage1_legacy_cuda.t7"), loadDict(t, "stage1_zip.t7")
	ln, zn := get(t, legacy, "net").(*Dict), get(t, zipped, "net").(*Dict)
	if ln.Len() != zn.Len() || ln.Len() < 100 {
		t.Fatalf("net has %d and %d entries", ln.Len(), zn.Len())
	}
	for _, k := range zn.Keys() {
		a := get(t, ln, "module."+k.(string)).(*Tensor)
		b := get(t, zn, k.(string)).(*Tensor)
		if !slices.Equal(a.Shape, b.Shape) || !slices.Equal(a.F32, b.F32) || !slices.Equal(a.I64, b.I64) {
			t.Fatalf("%s differs between the legacy and the zip file", k)
		}
		if a.DType == "F32" && (a.Storage != "torch.cuda.FloatStorage" || a.Device != "cuda:0") {
			t.Errorf("legacy %s: storage %s on %s, want torch.cuda.FloatStorage on cuda:0", k, a.Storage, a.Device)
		}
		if b.Device != "cpu" || strings.Contains(b.Storage, "cuda") {
			t.Errorf("zip %s: storage %s on %s, want a host storage", k, b.Storage, b.Device)
		}
	}
	if w := get(t, zn, "conv1.weight").(*Tensor); !slices.Equal(w.Shape, []int{2, 3, 3, 3}) {
		t.Errorf("conv1.weight shape %v, want [2 3 3 3] (width 2)", w.Shape)
	}
	if n := get(t, zn, "bn1.num_batches_tracked").(*Tensor); n.DType != "I64" || len(n.Shape) != 0 || n.I64[0] != 7 {
		t.Errorf("bn1.num_batches_tracked = %v %v, want the I64 scalar 7", n.Shape, n.I64)
	}
	ans := get(t, legacy, "ANs_discovery").(*Dict)
	if s := get(t, ans, "samples_num").(*Tensor); s.I64[0] != 256 {
		t.Errorf("samples_num = %v, want 256", s.I64)
	}
	if nb := get(t, ans, "neighbours").(*Tensor); !slices.Equal(nb.Shape, []int{64, 1}) {
		t.Errorf("neighbours shape %v, want [64 1]", nb.Shape)
	}
	mem := get(t, get(t, legacy, "npc").(*Dict), "memory").(*Tensor)
	if !slices.Equal(mem.Shape, []int{256, 16}) {
		t.Fatalf("npc.memory shape %v, want [256 16]", mem.Shape)
	}
	for r := 0; r < 256; r++ { // the bank holds L2-normalised embeddings
		var s float64
		for _, v := range mem.F32[r*16 : (r+1)*16] {
			s += float64(v) * float64(v)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Fatalf("bank row %d has squared norm %v", r, s)
		}
	}
	if r, e := get(t, legacy, "round"), get(t, legacy, "epoch"); r != int64(1) || e != int64(4) {
		t.Errorf("round, epoch = %v, %v, want 1, 4", r, e)
	}
	fc := get(t, loadDict(t, "stage2_zip_cuda.t7"), "fc").(*Dict)
	for h := 0; h < 5; h++ {
		w := get(t, fc, "heads."+string(rune('0'+h))+".weight").(*Tensor)
		if !slices.Equal(w.Shape, []int{16, 10}) {
			t.Errorf("head %d weight shape %v, want [16 10] (low_dim × classes)", h, w.Shape)
		}
	}
}

// TestRejects feeds streams a state dict never holds: each must be an error
// (naming what was refused), never a panic or a call.
func TestRejects(t *testing.T) {
	zipData, err := os.ReadFile(filepath.Join(fixtures, "tiny_zip.t7"))
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := os.ReadFile(filepath.Join(fixtures, "tiny_legacy.t7"))
	if err != nil {
		t.Fatal(err)
	}
	pk := func(body string) []byte { return append([]byte{opProto, 2}, body...) }
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"os.system", pk("cos\nsystem\n(X\x02\x00\x00\x00lstR."), "class os.system"},
		{"builtins.eval via STACK_GLOBAL", append([]byte{opProto, 4}, "\x8c\x08builtins\x8c\x04eval\x93."...), "builtins.eval"},
		{"INST", pk("(ios\nsystem\n."), "opcode 0x69"},
		{"NEWOBJ", pk("ccollections\nOrderedDict\n)\x81."), "opcode 0x81"},
		{"storage called", pk("ctorch\nFloatStorage\n)R."), "cannot be called"},
		{"OrderedDict with args", pk("ccollections\nOrderedDict\n]\x85R."), "want ()"},
		{"BUILD on a list", pk("]}b."), "BUILD on a list"},
		{"string past the end", pk("X\xff\xff\xff\x7f."), "runs past the end"},
		{"no STOP", pk("K\x01"), "without a STOP"},
		{"two items at STOP", pk("K\x01K\x02."), "STOP with"},
		{"GET of nothing", pk("h\x05."), "never stored"},
		{"protocol 1", []byte{opProto, 1, '.', '.'}, "neither"},
		{"not torch", []byte("hello"), "neither"},
		{"plain pickle", pk("K\x01."), "legacy magic number"},
		{"truncated legacy", legacy[:len(legacy)-3], "past the end"},
		{"legacy with a trailing byte", append(slices.Clone(legacy), 0), "after the last storage"},
		{"truncated zip", zipData[:len(zipData)/2], "zip"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.data, "test.t7")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "test.t7") {
				t.Fatalf("err = %v, want one naming test.t7 and containing %q", err, c.want)
			}
		})
	}
}

// TestTensorGeometry checks the storage-bound and budget checks of a
// tensor's size, stride and offset.
func TestTensorGeometry(t *testing.T) {
	st := &storage{class: Class{"torch", "FloatStorage"}, elem: storageTypes["FloatStorage"], key: "0", numel: 6}
	tup := func(v ...int64) Tuple {
		t := Tuple{}
		for _, x := range v {
			t = append(t, x)
		}
		return t
	}
	for _, c := range []struct {
		off          int64
		size, stride Tuple
		ok           bool
	}{
		{0, tup(2, 3), tup(3, 1), true},
		{0, tup(3, 2), tup(1, 3), true},
		{5, tup(), tup(), true},
		{6, tup(), tup(), false},
		{0, tup(2, 4), tup(3, 1), false},
		{1, tup(2, 3), tup(3, 1), false},
		{0, tup(0, 1<<40), tup(1, 1), true},  // empty: geometry does not matter
		{0, tup(1<<62, 2), tup(0, 1), false}, // more than maxNumel
		{0, tup(2), tup(-1), false},
		{0, tup(1<<62, 1<<62), tup(1<<62, 1), false}, // the products would overflow
	} {
		_, err := newTensor(Tuple{st, c.off, c.size, c.stride, false, NewDict()})
		if (err == nil) != c.ok {
			t.Errorf("offset %d size %v stride %v: err = %v, want ok=%v", c.off, c.size, c.stride, err, c.ok)
		}
	}
	// Views repeating one element more often than the file has bytes are
	// refused before anything is allocated.
	x, err := newTensor(Tuple{st, int64(0), tup(1 << 30), tup(0), false, NewDict()})
	if err != nil {
		t.Fatal(err)
	}
	if err := resolveAll(x, 1000, "test.t7"); err == nil || !strings.Contains(err.Error(), "more elements than the file has bytes") {
		t.Errorf("err = %v, want the element budget", err)
	}
}

// TestIsTorchFile tells torch.save files from safetensors ones by their
// first bytes, including a safetensors header length whose low bytes look
// like a pickle's PROTO (640 = 0x0280: "\x80\x02" then zeros).
func TestIsTorchFile(t *testing.T) {
	for _, name := range []string{"tiny_legacy.t7", "tiny_zip.t7", "stage1_legacy_cuda.t7"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		if !IsTorchFile(b[:8]) {
			t.Errorf("%s: not recognised", name)
		}
	}
	for _, head := range [][]byte{
		{0x80, 0x02, 0, 0, 0, 0, 0, 0}, // a safetensors header of 640 bytes
		{0x80, 0x02, 0x8a},             // too short to tell
		[]byte("PK\x05\x06"),           // an empty zip archive
		{},
	} {
		if IsTorchFile(head) {
			t.Errorf("% x recognised as a torch file", head)
		}
	}
}
