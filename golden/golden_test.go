package golden_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"twostage/golden"
)

// checkers maps a case's op to the function that recomputes it with the
// engine and compares. Each family registers itself from its own file
// (ops_test.go, aug_test.go, metrics_test.go, losses_test.go) in init.
var checkers = map[string]func(c *golden.Case) error{}

func register(op string, f func(c *golden.Case) error) {
	if _, dup := checkers[op]; dup {
		panic("golden: op registered twice: " + op)
	}
	checkers[op] = f
}

// TestGolden checks every case of GOLDEN_DIR (default testdata/golden).
func TestGolden(t *testing.T) {
	dir := os.Getenv("GOLDEN_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "golden")
	}
	files, err := golden.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("golden: no *.json cases in %s", dir)
	}
	passed, failed := 0, 0
	for _, f := range files {
		name, err := runCase(f)
		if err != nil {
			failed++
			fmt.Printf("golden: FAIL %s: %v\n", name, err)
			t.Errorf("golden: FAIL %s: %v", name, err)
			continue
		}
		passed++
		fmt.Printf("golden: ok %s\n", name)
	}
	fmt.Printf("golden: %d passed, %d failed\n", passed, failed)
}

func runCase(path string) (name string, err error) {
	name = filepath.Base(path)
	c, err := golden.Load(path)
	if err != nil {
		return name, err
	}
	name = c.Name
	check, ok := checkers[c.Op]
	if !ok {
		return name, fmt.Errorf("unknown op %q: no checker registered for it", c.Op)
	}
	defer func() { // an engine panic on a case's shapes is a failure of that case, not of the run
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return name, check(c)
}
