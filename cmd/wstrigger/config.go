package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// The --config file of load, contract and check is not a second set of
// options: its keys are the commands' flag names, and each value goes
// through the flag's own Set, as if it had been given on the command
// line, to every flag the command line left out. So the file fills the
// same option structs with the same checks, and a flag added to one of
// these commands can be set from a file at once.

const configHelp = `
Prints an example --config file: every flag of load, contract and check
(or of the one command named) with its help and its default, commented
out. Uncomment what a run needs and keep the file in the repository:

  wstrigger config example > wstrigger.yaml
  wstrigger load --config wstrigger.yaml --duration 1m

The file is YAML; its keys are the flag names without dashes and its
values are written as on the command line (10s, 99.99%, true); a
repeatable flag (slo, header) takes a list; quote a lone - ("-", standard
output), which YAML would read as a list. A flag given on the command
line wins over the file, and the file wins over the defaults and over
the environment ($WSTRIGGER_TARGET, ...). A key that is a flag of
another of the three commands only is left to it, so that one file
serves them all; any other key is an error, which names the file and
line.`

// configCommands are the commands that take --config; a config file's
// keys are their flags.
var configCommands = []string{"check", "contract", "load"}

// configFlag defines --config on fs.
func configFlag(fs *flag.FlagSet) {
	fs.String("config", "", "YAML `FILE` of flag values, keys the flag names (see 'wstrigger config example'); the command line wins over it")
}

// applyConfigFlag fills the flags of fs not given on the command line
// from the file --config names, when fs has that flag and it is set.
func applyConfigFlag(fs *flag.FlagSet) error {
	f := fs.Lookup("config")
	if f == nil || f.Value.String() == "" {
		return nil
	}
	return applyConfig(fs, f.Value.String())
}

// applyConfig sets, from the config file at path, every flag of fs that
// was not set yet.
func applyConfig(fs *flag.FlagSet, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("--config %s: %v", path, err)
	}
	if len(doc.Content) == 0 { // empty, or comments only
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want flag names and their values (key: value lines)", path, root.Line)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	known := configKeys()
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name, at := k.Value, fmt.Sprintf("%s:%d", path, k.Line)
		f := fs.Lookup(name)
		switch {
		case seen[name] > 0:
			return fmt.Errorf("%s: %s is set twice (first on line %d)", at, name, seen[name])
		case name == "config":
			return fmt.Errorf("%s: a config file cannot name another", at)
		case f == nil && slices.Contains(known, name):
			continue // a flag of another command that takes the file
		case f == nil:
			msg := fmt.Sprintf("%s: unknown key %q", at, name)
			if near := suggest(name, known); near != "" {
				msg += "; did you mean " + near + "?"
			}
			return fmt.Errorf("%s (the keys are the flags of %s)", msg, strings.Join(configCommands, ", "))
		}
		seen[name] = k.Line
		if given[name] {
			continue
		}
		values, err := configValues(f, v)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", at, name, err)
		}
		for _, s := range values {
			if err := fs.Set(name, s); err != nil {
				return fmt.Errorf("%s: %s", at, badValue(f, name, s, err.Error()))
			}
		}
	}
	return nil
}

// configValues are the values a config file gives flag f: one for a
// scalar; for a repeatable flag, one per item of a list, or a "Name:
// value" per pair of a mapping (header).
func configValues(f *flag.Flag, v *yaml.Node) ([]string, error) {
	for v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	pair := func(m *yaml.Node) ([]string, error) {
		var out []string
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i+1].Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("want a list of values")
			}
			out = append(out, m.Content[i].Value+": "+m.Content[i+1].Value)
		}
		return out, nil
	}
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return nil, fmt.Errorf("no value: give one or leave the key out")
	case v.Kind == yaml.ScalarNode:
		return []string{v.Value}, nil
	case !isRepeatable(f):
		return nil, fmt.Errorf("takes one value, not a list (only repeatable flags, such as slo, take lists)")
	case v.Kind == yaml.MappingNode:
		return pair(v)
	case v.Kind == yaml.SequenceNode:
		var out []string
		for _, item := range v.Content {
			switch item.Kind {
			case yaml.ScalarNode:
				out = append(out, item.Value)
			case yaml.MappingNode: // - X-Env: staging, unquoted
				p, err := pair(item)
				if err != nil {
					return nil, err
				}
				out = append(out, p...)
			default:
				return nil, fmt.Errorf("line %d: want a value, not a nested list", item.Line)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a value or a list of values")
}

// configFlagSets are the flag sets of the commands that take --config,
// by name.
func configFlagSets() map[string]*flag.FlagSet {
	var paths [][]string
	for _, c := range configCommands {
		paths = append(paths, []string{c})
	}
	return collectFlagSets(paths)
}

// configKeys are the keys a config file may hold: the flags of the
// commands that take one, but --config, sorted.
func configKeys() []string {
	var keys []string
	for _, fs := range configFlagSets() {
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "config" && !slices.Contains(keys, f.Name) {
				keys = append(keys, f.Name)
			}
		})
	}
	slices.Sort(keys)
	return keys
}

func runConfig(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "config", "config example [check|contract|load]", configHelp)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) == 0 || pos[0] != "example" || len(pos) > 2 || len(pos) == 2 && !slices.Contains(configCommands, pos[1]) {
		fmt.Fprintln(e.stderr, "wstrigger config: want 'config example' or 'config example check|contract|load'")
		fmt.Fprintln(e.stderr, "Run 'wstrigger config -h' for help.")
		return exitUsage
	}
	only := configCommands
	if len(pos) == 2 {
		only = pos[1:]
	}
	if err := configExample(e.stdout, only); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger config: %v\n", err)
		return exitFail
	}
	return exitOK
}

// configExample writes a config file holding every flag of the given
// commands, each commented out at its default under its help.
func configExample(w io.Writer, cmds []string) error {
	sets := configFlagSets()
	type entry struct {
		cmds []string
		defs []string // per command, where they differ
		f    *flag.Flag
	}
	entries := map[string]*entry{}
	for _, c := range cmds {
		sets[c].VisitAll(func(f *flag.Flag) {
			if f.Name == "config" {
				return
			}
			en := entries[f.Name]
			if en == nil {
				en = &entry{f: f}
				entries[f.Name] = en
			}
			en.cmds = append(en.cmds, c)
			en.defs = append(en.defs, f.DefValue)
		})
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	fmt.Fprintf(&b, "# wstrigger config file: wstrigger %s --config FILE\n", strings.Join(cmds, "|"))
	b.WriteString(`#
# Keys are flag names, values as on the command line; a repeatable flag
# takes a list, and a lone - (standard output) is quoted: json: "-".
# The command line wins over this file, and this file over
# the defaults and the environment. A key that another of these commands
# takes is left to it. Every key below is at its default, commented out:
# uncomment what you set. Keep credentials out of it: pass them in
# $WSTRIGGER_ACCESS_TOKEN and $WSTRIGGER_SECRET_KEY.
`)
	for _, n := range names {
		en := entries[n]
		_, usage := flag.UnquoteUsage(en.f)
		b.WriteString("\n")
		for _, line := range strings.Split(usage, "\n") {
			fmt.Fprintf(&b, "# %s\n", line)
		}
		if len(cmds) > 1 {
			fmt.Fprintf(&b, "# (%s", strings.Join(en.cmds, ", "))
			if slices.ContainsFunc(en.defs, func(d string) bool { return d != en.defs[0] }) {
				for i, c := range en.cmds {
					fmt.Fprintf(&b, "; %s default %s", c, en.defs[i])
				}
			}
			b.WriteString(")\n")
		}
		fmt.Fprintf(&b, "#%s: %s\n", n, yamlDefault(en.f))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// yamlDefault is f's default as a YAML value: a list for a repeatable
// flag, bare for a number, a boolean or a duration, quoted otherwise.
func yamlDefault(f *flag.Flag) string {
	if isRepeatable(f) {
		return "[]"
	}
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool, int, int64, uint, uint64, float64, time.Duration:
			return f.DefValue
		}
	}
	out, err := yaml.Marshal(f.DefValue)
	if err != nil {
		return `""`
	}
	return strings.TrimSpace(string(out))
}
