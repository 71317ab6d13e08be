package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

const completionHelp = `
Prints a shell completion script for wstrigger, made from the commands'
own flags: commands, subcommands and flags complete, and a flag's value
completes as a file name.

  bash   source <(wstrigger completion bash), or save it as
         /etc/bash_completion.d/wstrigger
  zsh    save it as _wstrigger in a folder of $fpath, then compinit
  fish   save it as ~/.config/fish/completions/wstrigger.fish`

// shells are the shells "completion" writes a script for.
var shells = []string{"bash", "fish", "zsh"}

func runCompletion(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "completion", "completion bash|zsh|fish", completionHelp)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 || !slices.Contains(shells, pos[0]) {
		fmt.Fprintln(e.stderr, "wstrigger completion: want one shell: bash, zsh or fish")
		fmt.Fprintln(e.stderr, "Run 'wstrigger completion -h' for help.")
		return exitUsage
	}
	tree := completionTree()
	var script string
	switch pos[0] {
	case "bash":
		script = bashCompletion(tree)
	case "zsh":
		script = zshCompletion(tree)
	case "fish":
		script = fishCompletion(tree)
	}
	if _, err := io.WriteString(e.stdout, script); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger completion: %v\n", err)
		return exitFail
	}
	return exitOK
}

// completionNode is what completes after a command path: "" (nothing
// typed yet), "load", "report merge".
type completionNode struct {
	path  string
	words []string     // the subcommands, or the choices of an argument
	flags []*flag.Flag // its flags, sorted by name
	about map[string]string
}

// completionTree lists every command path with its words and flags,
// from the flag sets the commands make (flagSets).
func completionTree() []completionNode {
	sets := flagSets()
	cmds := commands()
	top := completionNode{words: append(sortedCommands(), "help"), about: map[string]string{"help": "help on a command"}}
	for n, c := range cmds {
		top.about[n] = c.summary
	}
	nodes := []completionNode{top, {path: "help", words: sortedCommands()}}
	for _, p := range commandPaths() {
		n := completionNode{path: strings.Join(p, " ")}
		if len(p) == 1 {
			n.words = subcommands(p[0])
		}
		if fs := pathFlags(sets, p); fs != nil {
			fs.VisitAll(func(f *flag.Flag) { n.flags = append(n.flags, f) })
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// pathFlags is the flag set of a command path: its own, or that of its
// command ("spec openapi" takes the flags of "spec"), or that of its
// only subcommand ("pattern" takes those of "pattern test").
func pathFlags(sets map[string]*flag.FlagSet, p []string) *flag.FlagSet {
	if fs := sets[strings.Join(p, " ")]; fs != nil {
		return fs
	}
	if subs := subcommands(p[0]); len(p) == 1 && len(subs) == 1 {
		return sets[p[0]+" "+subs[0]]
	}
	return sets[p[0]]
}

// dashed is a flag as typed: -o for a one-letter name, --name otherwise.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// completionFunctions are the shell functions bash and zsh share: the
// words, the flags and the flags that take a value, of each path.
func completionFunctions(tree []completionNode) string {
	var words, flags, values strings.Builder
	for _, n := range tree {
		if len(n.words) > 0 {
			fmt.Fprintf(&words, "    %q) echo %q ;;\n", n.path, strings.Join(n.words, " "))
		}
		var all, takes []string
		for _, f := range n.flags {
			all = append(all, dashed(f.Name))
			if !isBoolFlag(f) {
				takes = append(takes, f.Name)
			}
		}
		if n.path == "" {
			all = append(all, "--help", "--version")
		}
		if len(all) > 0 {
			fmt.Fprintf(&flags, "    %q) echo %q ;;\n", n.path, strings.Join(all, " "))
		}
		if len(takes) > 0 {
			fmt.Fprintf(&values, "    %q) echo %q ;;\n", n.path, strings.Join(takes, " "))
		}
	}
	return fmt.Sprintf(`__wstrigger_words() {
    case "$1" in
%s    esac
}

__wstrigger_flags() {
    case "$1" in
%s    esac
}

__wstrigger_value_flags() {
    case "$1" in
%s    esac
}

# __wstrigger_path sets cmdpath to the command words among the $1 - 1
# words after the command name (the rest of the arguments, from the
# command name on), and skip to 1 when the last of them is a flag that
# awaits its value. It runs in bash and zsh alike.
__wstrigger_path() {
    local n=$1 w f i=1
    shift 2
    cmdpath="" skip=0
    while ((i < n && $# > 0)); do
        w="$1"
        shift
        i=$((i + 1))
        if ((skip)); then
            skip=0
            continue
        fi
        case "$w" in
        -*=*) continue ;;
        -*)
            f="${w#-}"
            f="${f#-}"
            [[ " $(__wstrigger_value_flags "$cmdpath") " == *" $f "* ]] && skip=1
            continue
            ;;
        esac
        [[ " $(__wstrigger_words "$cmdpath") " == *" $w "* ]] && cmdpath="${cmdpath:+$cmdpath }$w"
    done
}
`, words.String(), flags.String(), values.String())
}

func bashCompletion(tree []completionNode) string {
	return "# bash completion for wstrigger, generated by 'wstrigger completion bash'.\n\n" +
		completionFunctions(tree) + `
_wstrigger() {
    local cur="${COMP_WORDS[COMP_CWORD]}" cmdpath skip words
    __wstrigger_path "$COMP_CWORD" "${COMP_WORDS[@]}"
    if ((skip)); then
        COMPREPLY=($(compgen -f -- "$cur"))
        return
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(__wstrigger_flags "$cmdpath")" -- "$cur"))
        return
    fi
    words="$(__wstrigger_words "$cmdpath")"
    if [[ -n "$words" ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

complete -o default -F _wstrigger wstrigger
`
}

func zshCompletion(tree []completionNode) string {
	return "#compdef wstrigger\n# zsh completion for wstrigger, generated by 'wstrigger completion zsh'.\n\n" +
		completionFunctions(tree) + `
_wstrigger() {
    local cmdpath skip ws
    __wstrigger_path "$((CURRENT - 1))" "${words[@]}"
    if ((skip)); then
        _files
        return
    fi
    if [[ "${words[CURRENT]}" == -* ]]; then
        compadd -- ${=$(__wstrigger_flags "$cmdpath")}
        return
    fi
    ws="$(__wstrigger_words "$cmdpath")"
    if [[ -n "$ws" ]]; then
        compadd -- ${=ws}
    else
        _files
    fi
}

if [[ "${funcstack[1]}" == "_wstrigger" ]]; then
    _wstrigger "$@"
else
    compdef _wstrigger wstrigger
fi
`
}

func fishCompletion(tree []completionNode) string {
	var b strings.Builder
	b.WriteString("# fish completion for wstrigger, generated by 'wstrigger completion fish'.\n\ncomplete -c wstrigger -f\n")
	b.WriteString("complete -c wstrigger -n __fish_use_subcommand -l help -d 'the commands'\ncomplete -c wstrigger -n __fish_use_subcommand -l version -d 'the version'\n")
	all := map[string]completionNode{}
	for _, n := range tree {
		all[n.path] = n
	}
	for _, n := range tree {
		cond := "__fish_use_subcommand"
		if n.path != "" {
			p := strings.Fields(n.path)
			cond = "__fish_seen_subcommand_from " + p[0]
			if len(p) == 2 {
				cond += "; and __fish_seen_subcommand_from " + p[1]
			} else if subs := all[n.path].words; len(subs) > 0 && n.path != "help" {
				cond += "; and not __fish_seen_subcommand_from " + strings.Join(subs, " ")
			}
		}
		for _, w := range n.words {
			fmt.Fprintf(&b, "complete -c wstrigger -n %s -a %s", fishQuote(cond), w)
			if d := n.about[w]; d != "" {
				fmt.Fprintf(&b, " -d %s", fishQuote(d))
			}
			b.WriteString("\n")
		}
		for _, f := range n.flags {
			opt := "-l " + f.Name
			if len(f.Name) == 1 {
				opt = "-s " + f.Name
			}
			if !isBoolFlag(f) {
				opt += " -r -F"
			}
			_, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(&b, "complete -c wstrigger -n %s %s -d %s\n", fishQuote(cond), opt, fishQuote(usageLine(usage)))
		}
	}
	return b.String()
}

// fishQuote quotes s for fish, in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
