// Package completion writes shell completion scripts (bash, zsh, fish) for
// plextray's command line, as printed by `plextray completion SHELL` and
// installed by the packages under the shells' standard directories.
//
// Run is the whole `completion` command, for the command line to call;
// Write is the script alone.
//
// The scripts are static: they complete command names, each command's
// flags and fixed argument values (the shells of `completion`). They never
// run plextray, so completing cannot reach plex.tv or the keychain.
package completion

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Flag is one command-line flag, written --Name.
type Flag struct {
	Name string
	// Value names the flag's value ("duration"); empty for a boolean flag.
	Value string
	Help  string
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Flags   []Flag
	// Choices are the fixed values of the first argument, if any.
	Choices []string
	// Arg names a free first argument ("server"), if the command takes one.
	Arg string
}

// Shells are the shells Write supports.
var Shells = []string{"bash", "zsh", "fish"}

var timeoutFlag = Flag{Name: "timeout", Value: "duration", Help: "give up after this long"}

// Commands is plextray's command set. Keep it in step with internal/cli;
// e2e's TestCompletionMatchesHelp checks it against the built binary's
// help.
var Commands = []Command{
	{Name: "login", Summary: "sign in with a code in this terminal, store the token", Flags: []Flag{
		{Name: "print", Help: "also write the token alone to stdout"},
		{Name: "no-browser", Help: "don't open the browser; just print the link"},
		{Name: "browser", Help: "one-click sign-in instead of a code"},
		timeoutFlag,
	}},
	{Name: "token", Summary: "print the stored token", Flags: []Flag{
		{Name: "user", Value: "profile", Help: "print this Plex Home profile's token"},
		{Name: "server", Value: "server", Help: "print this server's access token"},
	}},
	{Name: "status", Summary: "who is signed in, and whether plex.tv accepts the token"},
	{Name: "logout", Summary: "sign out at plex.tv and remove the stored token"},
	{Name: "servers", Summary: "list the servers and which connections answer", Flags: []Flag{
		{Name: "json", Help: "print JSON"},
		timeoutFlag,
	}},
	{Name: "uri", Summary: "print the best URI of a server", Arg: "server", Flags: []Flag{
		{Name: "json", Help: "print JSON with the connection's class and latency"},
		timeoutFlag,
	}},
	{Name: "users", Summary: "list the Plex Home profiles", Flags: []Flag{
		{Name: "json", Help: "print JSON"},
	}},
	{Name: "switch", Summary: "switch to a Plex Home profile", Arg: "profile"},
	// tokens new NAME [--user P] [--format F] | tokens [list] [--json] | tokens revoke NAME
	{Name: "tokens", Summary: "make, list and revoke tokens for other programs", Choices: []string{"new", "list", "revoke"}, Flags: []Flag{
		{Name: "json", Help: "list: print JSON"},
		{Name: "user", Value: "profile", Help: "new: make the token for this Plex Home profile"},
		{Name: "format", Value: "token|env|json|compose", Help: "new: how to print the token"},
	}},
	{Name: "claim", Summary: "print a claim token for a new Plex Media Server"},
	{Name: "completion", Summary: "print a shell completion script", Choices: Shells},
}

// GlobalFlags are the flags accepted before a command.
var GlobalFlags = []Flag{
	{Name: "help", Help: "show help"},
	{Name: "version", Help: "print the version"},
}

// ErrUnknownShell is returned by Write for a shell it has no script for.
var ErrUnknownShell = errors.New("completion: unknown shell")

// ErrBadProg is returned by Write for a program name that cannot be used
// safely in a script.
var ErrBadProg = errors.New("completion: bad program name")

var progRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)

// Write writes the completion script for shell ("bash", "zsh" or "fish")
// for the command named prog (usually "plextray": the name it is invoked
// by, without a directory).
func Write(w io.Writer, shell, prog string) error {
	if !progRE.MatchString(prog) || len(prog) > 64 {
		return fmt.Errorf("%w: %q (letters, digits, '_', '.', '+', '-' only)", ErrBadProg, prog)
	}
	var script string
	switch shell {
	case "bash":
		script = bash(prog)
	case "zsh":
		script = zsh(prog)
	case "fish":
		script = fish(prog)
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownShell, shell, strings.Join(Shells, ", "))
	}
	if _, err := io.WriteString(w, script); err != nil {
		return fmt.Errorf("completion: writing the %s script: %w", shell, err)
	}
	return nil
}

// funcName is prog as a shell function name.
func funcName(prog string) string {
	return "_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, prog)
}

func flagWords(fs []Flag) []string {
	var words []string
	for _, f := range fs {
		words = append(words, "--"+f.Name)
	}
	return words
}

func bash(prog string) string {
	fn := funcName(prog)
	var b strings.Builder
	var names []string
	for _, c := range Commands {
		names = append(names, c.Name)
	}
	fmt.Fprintf(&b, "# bash completion for %s                                -*- shell-script -*-\n", prog)
	fmt.Fprintf(&b, "# Source it (source <(%s completion bash)) or install it as\n", prog)
	fmt.Fprintf(&b, "# /usr/share/bash-completion/completions/%s.\n", prog)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n")
	b.WriteString("\tlocal cmd='' i\n")
	b.WriteString("\tfor ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("\t\tcase ${COMP_WORDS[i]} in\n\t\t-*) ;;\n\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n\t\tesac\n\tdone\n")
	b.WriteString("\tCOMPREPLY=()\n")
	fmt.Fprintf(&b, "\tif [[ -z $cmd ]]; then\n\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n\t\treturn 0\n\tfi\n",
		strings.Join(append(names, flagWords(GlobalFlags)...), " "))
	b.WriteString("\tcase $cmd in\n")
	for _, c := range Commands {
		fmt.Fprintf(&b, "\t%s)\n", c.Name)
		var valued []string
		for _, f := range c.Flags {
			if f.Value != "" {
				valued = append(valued, "--"+f.Name)
			}
		}
		if len(valued) > 0 {
			// The value of a flag: nothing to offer.
			fmt.Fprintf(&b, "\t\tcase $prev in %s) return 0 ;; esac\n", strings.Join(valued, "|"))
		}
		words := append(flagWords(c.Flags), "--help")
		if len(c.Choices) > 0 {
			fmt.Fprintf(&b, "\t\tif [[ $cur != -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n\t\t\treturn 0\n\t\tfi\n",
				strings.Join(c.Choices, " "))
		}
		fmt.Fprintf(&b, "\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n\t\tfi\n\t\t;;\n",
			strings.Join(words, " "))
	}
	b.WriteString("\tesac\n\treturn 0\n}\n")
	fmt.Fprintf(&b, "complete -F %s %s\n", fn, prog)
	return b.String()
}

// zshQuote escapes a description for _arguments and _describe specs inside
// single quotes.
func zshQuote(s string) string {
	s = strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
	return s
}

func zsh(prog string) string {
	fn := funcName(prog)
	var b strings.Builder
	fmt.Fprintf(&b, "#compdef %s\n", prog)
	fmt.Fprintf(&b, "# zsh completion for %s. Source it (source <(%s completion zsh)) or\n", prog, prog)
	fmt.Fprintf(&b, "# install it as _%s in a directory on $fpath\n", prog)
	fmt.Fprintf(&b, "# (/usr/share/zsh/vendor-completions).\n\n")
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("\tlocal curcontext=$curcontext state line ret=1\n")
	b.WriteString("\tlocal -a commands\n\tcommands=(\n")
	for _, c := range Commands {
		fmt.Fprintf(&b, "\t\t'%s:%s'\n", c.Name, zshQuote(c.Summary))
	}
	b.WriteString("\t)\n")
	b.WriteString("\t_arguments -C \\\n")
	for _, f := range GlobalFlags {
		fmt.Fprintf(&b, "\t\t'(- *)--%s[%s]' \\\n", f.Name, zshQuote(f.Help))
	}
	b.WriteString("\t\t'1: :->command' \\\n\t\t'*:: :->args' && ret=0\n")
	b.WriteString("\tcase $state in\n")
	fmt.Fprintf(&b, "\tcommand)\n\t\t_describe -t commands '%s command' commands && ret=0\n\t\t;;\n", prog)
	b.WriteString("\targs)\n\t\tcase $words[1] in\n")
	for _, c := range Commands {
		fmt.Fprintf(&b, "\t\t%s)\n\t\t\t_arguments \\\n", c.Name)
		b.WriteString("\t\t\t\t'(- *)--help[show help]' \\\n")
		for _, f := range c.Flags {
			if f.Value != "" {
				fmt.Fprintf(&b, "\t\t\t\t'--%s[%s]:%s: ' \\\n", f.Name, zshQuote(f.Help), zshQuote(f.Value))
			} else {
				fmt.Fprintf(&b, "\t\t\t\t'--%s[%s]' \\\n", f.Name, zshQuote(f.Help))
			}
		}
		switch {
		case len(c.Choices) > 0:
			fmt.Fprintf(&b, "\t\t\t\t'1:value:(%s)' \\\n", strings.Join(c.Choices, " "))
		case c.Arg != "":
			fmt.Fprintf(&b, "\t\t\t\t'1::%s: ' \\\n", zshQuote(c.Arg))
		}
		b.WriteString("\t\t\t\t&& ret=0\n\t\t\t;;\n")
	}
	b.WriteString("\t\tesac\n\t\t;;\n\tesac\n\treturn ret\n}\n\n")
	fmt.Fprintf(&b, "if [ \"$funcstack[1]\" = %q ]; then\n\t%s \"$@\"\nelse\n\tcompdef %s %s\nfi\n", fn, fn, fn, prog)
	return b.String()
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fish(prog string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# fish completion for %s. Source it (%s completion fish | source) or\n", prog, prog)
	fmt.Fprintf(&b, "# install it as %s.fish in a completions directory\n", prog)
	fmt.Fprintf(&b, "# (/usr/share/fish/vendor_completions.d).\n")
	fmt.Fprintf(&b, "complete -c %s -f\n", prog)
	for _, f := range GlobalFlags {
		fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -l %s -d %s\n", prog, f.Name, fishQuote(f.Help))
	}
	for _, c := range Commands {
		fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -a %s -d %s\n", prog, c.Name, fishQuote(c.Summary))
	}
	for _, c := range Commands {
		cond := fishQuote("__fish_seen_subcommand_from " + c.Name)
		fmt.Fprintf(&b, "complete -c %s -n %s -l help -d 'show help'\n", prog, cond)
		for _, f := range c.Flags {
			req := ""
			if f.Value != "" {
				req = " -r"
			}
			fmt.Fprintf(&b, "complete -c %s -n %s -l %s%s -d %s\n", prog, cond, f.Name, req, fishQuote(f.Help))
		}
		if len(c.Choices) > 0 {
			fmt.Fprintf(&b, "complete -c %s -n %s -a %s\n", prog, cond, fishQuote(strings.Join(c.Choices, " ")))
		}
	}
	return b.String()
}
