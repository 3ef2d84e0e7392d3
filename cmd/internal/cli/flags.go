package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ApplyPreset sets the values of preset name on every flag of fs that was
// not given on the command line, so that explicit flags override a preset.
// Call it after fs.Parse. presets maps a preset name to flag name → value;
// an unknown name is an error listing the known ones, and a value a flag
// rejects is an error naming the preset, flag and value.
func ApplyPreset(fs *flag.FlagSet, name string, presets map[string]map[string]string) error {
	p, ok := presets[name]
	if !ok {
		names := make([]string, 0, len(presets))
		for k := range presets {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("--preset %q: unknown preset; HINT: use one of %s", name, strings.Join(names, ", "))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a deterministic order, for errors
	for _, k := range keys {
		if given[k] {
			continue
		}
		if err := fs.Set(k, p[k]); err != nil {
			return fmt.Errorf("--preset %s: %s=%s: %w", name, k, p[k], err)
		}
	}
	return nil
}

// PrintFlags writes the parameter table of a run: every flag of fs with its
// value, in name order, as a boxed table (llm.c prints one at start), with
// a '*' after the values that differ from the flag's default.
//
//	+------------+----------------+
//	| parameter  | value          |
//	+------------+----------------+
//	| batch_size | 128            |
//	| dataset    | fashion-mnist* |
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ name, value string }
	rows := []row{{"parameter", "value"}}
	fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if v != f.DefValue {
			v += "*"
		}
		rows = append(rows, row{f.Name, v})
	})
	wn, wv := 0, 0
	for _, r := range rows {
		wn, wv = max(wn, len(r.name)), max(wv, len(r.value))
	}
	rule := "+" + strings.Repeat("-", wn+2) + "+" + strings.Repeat("-", wv+2) + "+\n"
	var b strings.Builder
	b.WriteString(rule)
	for i, r := range rows {
		fmt.Fprintf(&b, "| %-*s | %-*s |\n", wn, r.name, wv, r.value)
		if i == 0 {
			b.WriteString(rule)
		}
	}
	b.WriteString(rule)
	io.WriteString(w, b.String())
}
