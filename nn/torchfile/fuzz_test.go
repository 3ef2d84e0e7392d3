package torchfile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with the tiny fixtures in
// both formats: it must return a value or an error, never panic, hang or
// allocate beyond the input's bound (the fuzzer's memory limit enforces
// that last one).
//
//	go test ./nn/torchfile -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	for _, name := range []string{"tiny_legacy.t7", "tiny_zip.t7", "tiny_zip_p4.t7"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{opProto, 2, opEmptyDict, opStop})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, "fuzz.t7")
		if err != nil {
			return
		}
		// A value that parsed must be walkable, its tensors filled. (Each
		// dict once: the memo can share one many times.)
		seen := map[*Dict]bool{}
		var check func(v any, depth int)
		check = func(v any, depth int) {
			if depth > 70 {
				return
			}
			switch v := v.(type) {
			case *Tensor:
				if n := v.Numel(); (v.DType == "F32" && len(v.F32) != n) || (v.DType == "I64" && len(v.I64) != n) {
					t.Fatalf("tensor %v holds %d/%d elements", v.Shape, len(v.F32), len(v.I64))
				}
			case *Dict:
				if seen[v] {
					return
				}
				seen[v] = true
				for _, x := range v.vals {
					check(x, depth+1)
				}
			}
		}
		check(v, 0)
	})
}
