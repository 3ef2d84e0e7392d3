package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// LastJSONLine reads the last non-empty line of path (a command's saved
// standard output, whose last line is its result, see FinalJSON) as a JSON
// object. Errors name the file.
func LastJSONLine(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	last := bytes.TrimSpace(lines[len(lines)-1])
	var v map[string]any
	if err := json.Unmarshal(last, &v); err != nil {
		return nil, fmt.Errorf("%s: the last line is not a JSON result (%v): %.80q", path, err, last)
	}
	return v, nil
}
