package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MetricsFile is the name of the per-epoch log inside --model_dir.
const MetricsFile = "metrics.jsonl"

// JSONL appends JSON objects to a file, one per line (JSON Lines). The file
// is opened in append mode, so a resumed run continues the log of the run it
// resumes. Each Write is a single write(2) of one whole line: nothing is
// buffered in the process, so a crash loses at most the line being written.
type JSONL struct {
	f    *os.File
	path string
}

// OpenJSONL opens path for appending, creating it and its directory if
// needed. A last line without its newline (a write cut short by a crash) is
// cut off, so that the next line starts on a line of its own and every line
// of the file stays a complete JSON value.
func OpenJSONL(path string) (*JSONL, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := dropTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("metrics: %s: %w", path, err)
	}
	return &JSONL{f: f, path: path}, nil
}

// dropTornLine truncates f after its last newline, if its last byte is not
// one. Only the tail is read: a torn line is at most one record long, and
// a file whose final 1 MiB holds no newline at all is not ours to cut.
func dropTornLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	const maxTail = 1 << 20
	n := min(size, maxTail)
	tail := make([]byte, n)
	if _, err := f.ReadAt(tail, size-n); err != nil {
		return err
	}
	if tail[n-1] == '\n' {
		return nil
	}
	i := bytes.LastIndexByte(tail, '\n')
	if i < 0 && n < size {
		return errors.New("last line is over 1 MiB long and has no newline: not a JSON Lines file")
	}
	return f.Truncate(size - n + int64(i+1)) // i = -1: the whole file was one torn line
}

// Path is the file being written.
func (j *JSONL) Path() string { return j.path }

// Write appends v as one line of JSON. JSON has no NaN or infinity, so a
// value holding one is an error (nothing is written).
func (j *JSONL) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("metrics: %s: %w", j.path, err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// Close closes the file.
func (j *JSONL) Close() error {
	if err := j.f.Close(); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// ReadJSONL decodes every line of a JSON Lines file into a T, in order, for
// redrawing the plots of a resumed run from its whole history. Blank lines
// are skipped; a line that does not decode is an error naming path and line.
// A missing file gives no records and no error.
func ReadJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer f.Close()
	var out []T
	r := bufio.NewReader(f)
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var v T
			if jerr := json.Unmarshal(b, &v); jerr != nil {
				return out, fmt.Errorf("metrics: %s:%d: %w", path, line, jerr)
			}
			out = append(out, v)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("metrics: %s: %w", path, err)
		}
	}
}
