package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

// The command tree (github.com/spf13/cobra): parsing, help, typos,
// completion and the man page all come from it. Each command's RunE only
// calls the command's body (login, status, uriCmd, …) with the parsed
// flags and stores the body's exit code.

func init() {
	// cobra would stop a command started from Explorer with a "this is a
	// command line tool" prompt; plextray started from Explorer is the
	// tray (no arguments) and never gets here, and a GUI-subsystem build
	// has no console to show the prompt in.
	cobra.MousetrapHelpText = ""
}

// helpWidth is the width every --help fits in.
const helpWidth = 80

// usageError is a mistake on the command line: exit 2, with the
// command's name and a pointer to its help.
type usageError struct {
	cmd *cobra.Command
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd *cobra.Command, format string, a ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, a...)}
}

// newRoot builds the tree. Each command's body sees *io as it is when the
// command runs (after the persistent flags are parsed) and stores its exit
// code in *code.
func newRoot(io *IO, code *int) *cobra.Command {
	prog := io.Prog
	root := &cobra.Command{
		Use:   prog,
		Short: wordRootShort,
		Long:  strings.ReplaceAll(wordRootLong, "PROG", prog),
		Example: examples(prog,
			"PROG login", "sign in with a code, store the token in the keychain",
			"PROG uri", "the best URI of your server",
			`curl -H "X-Plex-Token: $(PROG token)" "$(PROG uri)/identity"`, "",
		),
		Version:                    io.Version,
		SuggestionsMinimumDistance: 2,
		// The tray starts without arguments (see internal/launch); here,
		// no command is a mistake.
		RunE: func(cmd *cobra.Command, args []string) error {
			return usagef(cmd, "name a command; '%s --help' lists them", prog)
		},
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if cmd != cmd.Root() {
				io.Cmd = strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
			}
			if cmd.Name() == "completion" || strings.HasPrefix(cmd.Name(), "__") {
				return nil
			}
			if io.SettingsErr != nil {
				return &usageError{cmd: cmd, msg: io.SettingsErr.Error()}
			}
			return nil
		},
	}
	root.SetVersionTemplate(`plextray {{.Version}}{{"\n"}}`)
	root.PersistentFlags().BoolVar(&io.Verbose, "verbose", false, "also print the technical detail of a failure, and where uri's answer came from")
	root.Flags().BoolP("version", "v", false, "print the version")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmd: cmd, msg: flagWords(err)}
	})
	root.SetHelpTemplate(helpTemplate)
	root.SetUsageTemplate(usageTemplate)
	cobra.AddTemplateFunc("flagUsages", func(fs *pflag.FlagSet) string {
		return strings.TrimRight(fs.FlagUsagesWrapped(helpWidth), " \n")
	})
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "help about a command",
		Example: examples(prog,
			"PROG help uri", "the same as 'PROG uri --help'",
		),
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, s := range root.Commands() {
					if s.IsAvailableCommand() {
						names = append(names, cobra.CompletionWithDesc(s.Name(), s.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		Run: func(c *cobra.Command, args []string) {
			target, _, err := root.Find(args)
			if err != nil || target == nil {
				target = root
			}
			target.InitDefaultHelpFlag()
			_ = target.Help()
		},
	})

	run := func(body func() int) func(*cobra.Command, []string) error {
		return func(*cobra.Command, []string) error {
			*code = body()
			return nil
		}
	}

	// login
	var lo loginOpts
	login := &cobra.Command{
		Use:   "login",
		Short: "sign in with a code in this terminal, store the token",
		Long: `Sign in to Plex: plextray asks plex.tv for a 4-character code, opens
plex.tv/link in your browser and waits until you have entered the code
there (on any device). With --browser it is one click instead, if you are
already signed into plex.tv in your browser. The token goes into the
keychain, where the tray finds it too.

Signing in again replaces the token the earlier sign-in got (plex.tv keeps
one per install), so while signed in it asks first, or needs --force.`,
		Example: examples(prog,
			"PROG login", "a code to enter at plex.tv/link",
			"PROG login --browser", "one click, if signed into plex.tv in a browser",
			"export PLEX_TOKEN=$(PROG login --print)", "the token for a script",
		),
		Args:    noArgs,
		PreRunE: positive(&lo.timeout),
		RunE:    run(func() int { return login(*io, lo) }),
	}
	login.Flags().BoolVar(&lo.print, "print", false, "also write the token alone to stdout (all other text goes to stderr)")
	login.Flags().BoolVar(&lo.noBrowser, "no-browser", false, "don't open the browser; just print the link")
	login.Flags().BoolVar(&lo.oneClick, "browser", false, "one-click sign-in, for people signed into plex.tv in their browser (no code to type)")
	login.Flags().BoolVar(&lo.force, "force", false, "sign in again even when signed in (replaces the stored token)")
	def := io.Settings.SigninTimeout
	if def <= 0 {
		def = signin.DefaultTimeout
	}
	durationFlag(login, &lo.timeout, def, "give up after this long", "PLEXTRAY_SIGNIN_TIMEOUT", signin.DefaultTimeout)

	// token
	var user, server string
	token := &cobra.Command{
		Use:   "token [--user PROFILE | --server SERVER]",
		Short: "print the token (the active profile's, a profile's, a server's)",
		Long: `Print the stored token: the active Plex Home profile's (the account's
own when none is active), PROFILE's with --user (without making it the
active one), or with --server the server's own token as plex.tv lists it
for the active profile (a shared server answers only to it).`,
		Example: examples(prog,
			`curl -H "X-Plex-Token: $(PROG token)" https://plex.tv/api/v2/user`, "",
			"PROG token --user Kid", "Kid's token, asking for a PIN if needed",
			`PROG token --server "Dad's Plex"`, "a shared server's own token",
		),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if user != "" && server != "" {
				return usagef(cmd, "use --user or --server, not both (switch to the profile first for its server tokens)")
			}
			*code = token(*io, user, server)
			return nil
		},
	}
	token.Flags().StringVar(&user, "user", "", "print this Plex Home `PROFILE`'s token (title or uuid)")
	token.Flags().StringVar(&server, "server", "", "print this `SERVER`'s own token (name or clientIdentifier)")
	_ = token.RegisterFlagCompletionFunc("user", io.completeProfiles)
	_ = token.RegisterFlagCompletionFunc("server", io.completeServers)

	status := &cobra.Command{
		Use:   "status",
		Short: "who is signed in, and whether plex.tv accepts the token",
		Long: `Say who is signed in, whether plex.tv still accepts the token, and which
Plex Home profile is active. Exits 3 when not signed in, 4 when plex.tv
rejects the token.`,
		Example: examples(prog,
			"PROG status", "",
			"PROG status >/dev/null || PROG login", "sign in when needed",
		),
		Args: noArgs,
		RunE: run(func() int { return status(*io) }),
	}

	var usersJSON bool
	users := &cobra.Command{
		Use:   "users",
		Short: "list the Plex Home's profiles",
		Long: `List the account's Plex Home profiles: title, admin or managed, whether
it has a PIN, which one is active, and its uuid.`,
		Example: examples(prog,
			"PROG users", "",
			"PROG users --json | jq -r '.[].title'", "",
		),
		Args: noArgs,
		RunE: run(func() int { return users(*io, usersJSON) }),
	}
	users.Flags().BoolVar(&usersJSON, "json", false, "print JSON: uuid, title, username, admin, managed, guest, protected, restricted, active")

	switchC := &cobra.Command{
		Use:   "switch PROFILE",
		Short: "make a Plex Home profile's token the active one",
		Long: `Make PROFILE's token the active one: 'token' prints it, and 'servers' and
'uri' use it. PROFILE is a title (case-insensitive), a uuid, or the
admin's username (back to the account's own token). A profile's PIN is
read from the terminal without echo (three tries), or else from the
first line of stdin.`,
		Example: examples(prog,
			"PROG switch Kid", "",
			"echo 1234 | PROG switch Teen", "the PIN from stdin",
			"PROG switch demo", "back to the account's own token",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
				return usagef(cmd, "name one profile (its title or uuid); see '%s users'", prog)
			}
			return nil
		},
		ValidArgsFunction: io.completeProfiles,
		RunE:              func(cmd *cobra.Command, args []string) error { *code = switchCmd(*io, args[0]); return nil },
	}

	logout := &cobra.Command{
		Use:   "logout",
		Short: "sign out at plex.tv and remove the stored token",
		Long: `Sign out: invalidate the token at plex.tv and remove it, and every Plex
Home profile's token, from the keychain. If plex.tv can't be reached the
tokens are still removed here.`,
		Example: examples(prog, "PROG logout", ""),
		Args:    noArgs,
		RunE:    run(func() int { return logout(*io) }),
	}

	var so serversOpts
	serversC := &cobra.Command{
		Use:   "servers",
		Short: "list the servers and which connections answer",
		Long: `List every server, owned or shared, as the active profile sees it: its
best URI, and each connection's state and latency. Every connection is
tried at once; the whole check ends at the timeout + 0.5 s.`,
		Example: examples(prog,
			"PROG servers", "",
			`PROG servers --json | jq -r '.[] | select(.best) | "\(.name)\t\(.best)"'`, "",
		),
		Args:    noArgs,
		PreRunE: positive(&so.timeout),
		RunE:    run(func() int { return serversCmd(*io, so) }),
	}
	serversC.Flags().BoolVar(&so.json, "json", false, "print JSON: every server with its best URI and each connection's state")
	probeDef := io.Settings.Probe()
	durationFlag(serversC, &so.timeout, probeDef, "how long plex.tv may take to list the servers, and each connection to answer", "PLEXTRAY_PROBE_TIMEOUT", servers.DefaultTimeout)

	var uo uriOpts
	uriC := &cobra.Command{
		Use:   "uri [SERVER]",
		Short: "print a server's best URI as soon as it is known",
		Long: `Print SERVER's best URI alone, the moment it is known (never waiting for
a hung connection). SERVER is a name (case-insensitive) or a
clientIdentifier; without it, the only server, else the first one you own
(named on stderr).

While the tray runs, signed in to the same account and profile, its last
check answers at once: the tray checks again whenever the network changes,
the machine wakes, or the list sits idle (PLEXTRAY_RECHECK_INTERVAL), and
its answer is used only on the network it was found on, and only if it is
that recent. Otherwise (or with --check, or PLEXTRAY_TOKEN set) uri asks
plex.tv for the servers and probes their connections itself; if plex.tv
is down or limiting requests then, the running tray's check answers
however old it is (as the tray's menu still shows it), said on stderr.`,
		Example: examples(prog,
			"PROG uri", "",
			`PROG uri "Living Room"`, "",
			"PROG uri --check", "probe now, even while the tray runs",
			`PROG uri --json "Dad's Plex"`, "with class, protocol and latency",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef(cmd, "name at most one server (its name or clientIdentifier); see '%s servers'", prog)
			}
			return nil
		},
		ValidArgsFunction: io.completeServers,
		PreRunE:           positive(&uo.timeout),
		RunE: func(cmd *cobra.Command, args []string) error {
			query := ""
			if len(args) == 1 {
				query = args[0]
			}
			*code = uriCmd(*io, query, uo)
			return nil
		},
	}
	uriC.Flags().BoolVar(&uo.json, "json", false, "print JSON: name, clientIdentifier, uri, kind, class, protocol, latencyMs, decidedMs, checkedAt")
	uriC.Flags().BoolVar(&uo.check, "check", false, "ask plex.tv and probe now, instead of using the running tray's last check")
	durationFlag(uriC, &uo.timeout, probeDef, "give up when plex.tv has not listed the servers, or no connection has answered, within this long", "PLEXTRAY_PROBE_TIMEOUT", servers.DefaultTimeout)

	// tokens: tokens for other programs.
	var listJSON bool
	list := func(cmd *cobra.Command, args []string) error {
		*code = tokensList(*io, &listJSON)
		return nil
	}
	tokens := &cobra.Command{
		Use:   "tokens [new|list|revoke]",
		Short: "make, list and revoke tokens for other programs",
		Long: `A token of its own for each program you give one to (Kometa, Tautulli,
Home Assistant, …): plex.tv lists it as a device of its own, signing in to
plextray again leaves it working, and revoking it touches nothing else.
'tokens new' prints it once and keeps it nowhere; 'tokens' lists the tools
and whether plex.tv still accepts their tokens (never a token).`,
		Example: examples(prog,
			"PROG tokens new Kometa", "",
			"PROG tokens", "",
			"PROG tokens revoke Kometa", "",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				msg := fmt.Sprintf("unknown subcommand %q (want new, list or revoke)", args[0])
				if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
					msg += fmt.Sprintf("; did you mean '%s %s'?", cmd.CommandPath(), sug[0])
				}
				return usagef(cmd, "%s", msg)
			}
			return nil
		},
		RunE:                       list,
		SuggestionsMinimumDistance: 2,
	}
	tokens.Flags().BoolVar(&listJSON, "json", false, "print JSON: name, clientIdentifier, profile, createdAt, state, lastSeenAt")
	tokensListC := &cobra.Command{
		Use:   "list",
		Short: "list the tools' tokens and whether plex.tv still accepts them",
		Long: `List the tools that have a token of their own, for which profile, whether
plex.tv still accepts it and when it was last used. Never prints a token.`,
		Example: examples(prog,
			"PROG tokens list", "",
			"PROG tokens list --json | jq -r '.[].name'", "",
		),
		Args: noArgs,
		RunE: list,
	}
	tokensListC.Flags().BoolVar(&listJSON, "json", false, "print JSON: name, clientIdentifier, profile, createdAt, state (authorized, revoked, unknown), lastSeenAt")
	var toolUser, toolFormat string
	tokensNew := &cobra.Command{
		Use:   "new NAME",
		Short: "make a token of its own for another program, print it once",
		Long: `Make a token of its own for the program NAME (plex.tv lists it under
Authorized Devices) and print it once, alone on stdout, or in --format
env, json or compose. It is kept nowhere; the config folder lists only
the tool.`,
		Example: examples(prog,
			"PROG tokens new Kometa", "",
			`PROG tokens new "Home Assistant" --format env`, "PLEX_TOKEN=…",
			"PROG tokens new Kids --user Kid", "for a Plex Home profile",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(cmd, "name one tool, e.g. Kometa (quote a name with spaces)")
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = tokensNew(*io, args[0], &toolUser, &toolFormat)
			return nil
		},
	}
	tokensNew.Flags().StringVar(&toolUser, "user", "", "make the token for this Plex Home `PROFILE` (title or uuid) instead of the account")
	tokensNew.Flags().StringVar(&toolFormat, "format", "token", "print the token alone (token), as PLEX_TOKEN=… (env), as a JSON object (json) or as a compose environment line (compose)")
	_ = tokensNew.RegisterFlagCompletionFunc("user", io.completeProfiles)
	_ = tokensNew.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(toolFormats, cobra.ShellCompDirectiveNoFileComp))
	tokensRevokeC := &cobra.Command{
		Use:   "revoke NAME",
		Short: "revoke one tool's token at plex.tv, and only that one",
		Long: `Revoke the token 'tokens new' made for NAME: plex.tv forgets that device
alone; your own sign-in and every other tool's token keep working.`,
		Example: examples(prog, "PROG tokens revoke Kometa", ""),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
				return usagef(cmd, "name one tool; see '%s tokens'", prog)
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = tokensRevoke(*io, args[0])
			return nil
		},
	}
	tokens.AddCommand(tokensNew, tokensListC, tokensRevokeC)

	claim := &cobra.Command{
		Use:   "claim",
		Short: "print a claim token for a new Plex Media Server",
		Long: `Print a claim token, which signs a new Plex Media Server into your
account when it starts (PLEX_CLAIM for the official container). It lives
4 minutes.`,
		Example: examples(prog,
			`docker run -e PLEX_CLAIM="$(PROG claim)" plexinc/pms-docker`, "",
		),
		Args: noArgs,
		RunE: run(func() int { return claimCmd(*io) }),
	}

	version := &cobra.Command{
		Use:    "version",
		Short:  "print the version",
		Hidden: true,
		Args:   noArgs,
		Run:    func(cmd *cobra.Command, args []string) { fmt.Fprintf(io.Stdout, "plextray %s\n", io.Version) },
	}

	root.AddCommand(login, token, status, users, switchC, logout, serversC, uriC, tokens, claim, completionCmd(root, io, code), version)
	for _, c := range append(root.Commands(), tokens.Commands()...) {
		c.Flags().SortFlags = false
	}
	return root
}

// noArgs refuses arguments in the command line's words.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "unexpected argument %q", args[0])
	}
	return nil
}

// positive refuses a --timeout of zero or less.
func positive(d *time.Duration) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if *d <= 0 {
			return usagef(cmd, "--timeout %s: want a positive duration like 30s or 5m", *d)
		}
		return nil
	}
}

// durationFlag defines --timeout with its default from the environment,
// worded once: "(default: $VAR, else 5m)".
func durationFlag(cmd *cobra.Command, p *time.Duration, value time.Duration, usage, env string, builtin time.Duration) {
	cmd.Flags().DurationVar(p, "timeout", value, fmt.Sprintf("%s (default: $%s, else %s)", usage, env, shortDuration(builtin)))
	cmd.Flags().Lookup("timeout").DefValue = "0s" // worded above; pflag would add "(default 5m0s)"
}

// shortDuration: 5m, 3s, 1m30s (not 5m0s).
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// examples formats pairs of (command, comment) for a command's Example,
// each comment on the line above its command; PROG stands for the
// program's name.
func examples(prog string, pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := pairs[i+1]; c != "" {
			b.WriteString("  # " + strings.ReplaceAll(c, "PROG", prog) + "\n")
		}
		b.WriteString("  " + strings.ReplaceAll(pairs[i], "PROG", prog) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// flagWords rewords pflag's errors: "--timeout 5: want a duration like
// 30s or 5m" rather than `time: missing unit in duration "5"`.
func flagWords(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "time: ") && strings.HasPrefix(msg, "invalid argument ") {
		// invalid argument "5" for "--timeout" flag: time: missing unit …
		var val, flag string
		if _, serr := fmt.Sscanf(msg, "invalid argument %q for %q flag", &val, &flag); serr == nil {
			return fmt.Sprintf("%s %s: want a duration like 30s or 5m", flag, val)
		}
	}
	return msg
}

// unknownCommand is the message for `plextray statsu`: short, with the
// nearest commands.
func unknownCommand(root *cobra.Command, arg string) string {
	msg := fmt.Sprintf("unknown command %q", arg)
	if s := root.SuggestionsFor(arg); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean '%s %s'?", root.Name(), strings.Join(s, "' or '"+root.Name()+" "))
	} else {
		msg += fmt.Sprintf("; '%s --help' lists the commands", root.Name())
	}
	return msg
}

// usageFailed prints a usage error as "plextray COMMAND: message" and a
// pointer to the command's help.
func usageFailed(io IO, root, cmd *cobra.Command, args []string, err error) {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		cmd = ue.cmd
		fmt.Fprintf(io.Stderr, "%s: %s\n", cmd.CommandPath(), ue.msg)
	case cmd == root && len(args) > 0 && strings.HasPrefix(err.Error(), "unknown command "):
		fmt.Fprintf(io.Stderr, "%s: %s\n", root.Name(), unknownCommand(root, args[0]))
		return
	default:
		fmt.Fprintf(io.Stderr, "%s: %s\n", cmd.CommandPath(), err)
	}
	if cmd != root {
		fmt.Fprintf(io.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}

const helpTemplate = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`

const usageTemplate = `Usage:{{if and .Runnable .HasParent}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMMAND [flags]{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{flagUsages .LocalFlags}}{{end}}{{if .HasAvailableInheritedFlags}}

Global flags:
{{flagUsages .InheritedFlags}}{{end}}{{if .HasAvailableSubCommands}}

Run '{{.CommandPath}} COMMAND --help' for a command's flags and examples.{{end}}
`
