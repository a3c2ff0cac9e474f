package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plextray/plextray/internal/plextv"
)

// Shell completion: the scripts come from the command tree (cobra), and
// ask the binary itself (`plextray __complete …`) for live values: the
// account's server names and Home profiles, read with the token the
// command would use and plex.tv within completeTimeout. Completing never
// prints anything but candidates: any failure offers nothing.

// completeTimeout bounds everything one completion may wait for (the
// keychain and plex.tv).
const completeTimeout = 2 * time.Second

// shells are the shells `completion` writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// safeProg reports whether prog is a program name safe to put into a
// shell script: 1 to 64 ASCII letters, digits and "_.+-", not starting
// with one of ".+-". (A loop: a regular expression would be compiled at
// every start of every command.)
func safeProg(prog string) bool {
	if len(prog) == 0 || len(prog) > 64 {
		return false
	}
	for i := 0; i < len(prog); i++ {
		c := prog[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case (c == '.' || c == '+' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

func completionCmd(root *cobra.Command, io *IO, code *int) *cobra.Command {
	prog := io.Prog
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "print a shell completion script",
		Long: strings.ReplaceAll(`Print a completion script for bash, zsh, fish or PowerShell. It
completes commands and flags, and offers your server names (uri, token
--server) and Plex Home profiles (switch, token --user), asking plex.tv
with the stored token for at most 2 seconds. The packages install the
bash, zsh and fish scripts where those shells find them.`, "PROG", prog),
		Example: examples(prog,
			"source <(PROG completion bash)", "bash, now",
			"source <(PROG completion zsh)", "zsh, now",
			"PROG completion fish | source", "fish, now",
			"PROG completion powershell | Out-String | Invoke-Expression", "",
		),
		ValidArgs: shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(cmd, "name one shell: %s", strings.Join(shells, ", "))
			}
			for _, s := range shells {
				if args[0] == s {
					return nil
				}
			}
			return usagef(cmd, "no completion for %q (%s)", args[0], strings.Join(shells, ", "))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !safeProg(prog) {
				fmt.Fprintf(io.Stderr, "%s completion: can't write a script for a program named %q; rename it (letters, digits, '_', '.', '+', '-')\n", prog, prog)
				*code = ExitFailure
				return nil
			}
			if err := writeCompletion(root, io.Stdout, args[0]); err != nil {
				*code = ExitFailure
			}
			return nil
		},
	}
}

// WriteCompletion writes shell's completion script for a program named
// prog: what `prog completion SHELL` prints, and what the packages install.
func WriteCompletion(w io.Writer, shell, prog string) error {
	if !safeProg(prog) {
		return fmt.Errorf("no completion script for a program named %q", prog)
	}
	if !slices.Contains(shells, shell) {
		return fmt.Errorf("no completion for %q (%s)", shell, strings.Join(shells, ", "))
	}
	code := 0
	cio := IO{Prog: prog}
	return writeCompletion(newRoot(&cio, &code), w, shell)
}

// writeCompletion writes shell's script for root.
func writeCompletion(root *cobra.Command, w io.Writer, shell string) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	}
	return root.GenPowerShellCompletionWithDesc(w)
}

// completeServers offers the server names plex.tv lists for the token
// `uri` would use, each described by its owner.
func (io *IO) completeServers(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	if cmd.Name() == "uri" && len(args) > 0 {
		return nil, none
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	tok := plextv.Token(io.Settings.Token)
	if tok.IsZero() {
		t := localServices(*io).Read(ctx)
		tok = t.Token
		if t.Profile != nil {
			tok = t.ProfileToken
		}
		if tok.IsZero() {
			return nil, none
		}
	}
	env, err := io.Setup(io.Settings)
	if err != nil {
		return nil, none
	}
	rs, err := env.PlexTV.Resources(ctx, tok)
	if err != nil {
		return nil, none
	}
	var out []cobra.Completion
	for _, r := range plextv.Servers(rs) {
		n := name(r.Name)
		if n == "" || !hasPrefixFold(n, toComplete) {
			continue
		}
		desc := "yours"
		if !r.Owned {
			desc = "shared"
			if o := name(r.SourceTitle); o != "" {
				desc = "shared by " + o
			}
		}
		out = append(out, cobra.CompletionWithDesc(n, desc))
	}
	return out, none
}

// completeProfiles offers the Plex Home's profile titles, read with the
// account's stored token.
func (io *IO) completeProfiles(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	if cmd.Name() == "switch" && len(args) > 0 {
		return nil, none
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	tok := localServices(*io).Read(ctx).Token
	if tok.IsZero() {
		return nil, none
	}
	env, err := io.Setup(io.Settings)
	if err != nil {
		return nil, none
	}
	sv := services(*io, env)
	u, err := sv.Verify(ctx, tok)
	if err != nil {
		return nil, none
	}
	h, err := sv.Home(ctx, tok, u)
	if err != nil || h == nil {
		return nil, none
	}
	var out []cobra.Completion
	for _, p := range h.Users {
		n := name(p.Title)
		if n == "" || !hasPrefixFold(n, toComplete) {
			continue
		}
		desc := profileKind(p)
		if p.Protected {
			desc += ", PIN"
		}
		out = append(out, cobra.CompletionWithDesc(n, desc))
	}
	return out, none
}

// hasPrefixFold is strings.HasPrefix ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
