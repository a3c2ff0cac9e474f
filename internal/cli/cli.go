// Package cli is plextray's command line (users.go: Plex Home profiles): a thin front end of the core
// (internal/core's Services), sharing the tray's keychain entry, client
// identifier and settings. main decides between the tray and this.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/plextray/plextray/internal/completion"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Exit codes.
const (
	ExitOK          = 0 // success
	ExitFailure     = 1 // plex.tv unreachable, keychain unavailable, other failures
	ExitUsage       = 2 // bad command line or setting
	ExitNotSignedIn = 3 // no token stored (and PLEXTRAY_TOKEN unset where it applies)
	ExitRejected    = 4 // plex.tv rejected the token (401)
	ExitNoSignIn    = 5 // sign-in did not complete: timed out, expired, cancelled
)

// IO is what main hands the command line.
type IO struct {
	Prog    string // the name the binary was invoked by ("plextray")
	Version string
	Stdout  io.Writer
	Stderr  io.Writer
	// Terminal reports whether Stderr is a terminal (live countdown).
	Terminal bool
	// Settings from the environment; SettingsErr if one was bad.
	Settings    app.Settings
	SettingsErr error
	// Keychain holds the tokens (every plextray entry); commands that only
	// read it (token) need nothing else.
	Keychain keychain.Keyring
	// Setup builds the plex.tv side (client identifier, client) for the
	// commands that talk to plex.tv.
	Setup func(app.Settings) (*app.Env, error)
	// OpenBrowser opens a URL (nil: never).
	OpenBrowser func(url string) error

	// ConfigDir holds profiles.json: the signed-in account and its Plex
	// Home profiles (users.go). "": the commands work on the account's
	// token only.
	ConfigDir string
	// Stdin gives a profile's PIN when it is not a terminal; ReadSecret,
	// when set, reads it from the terminal without echo.
	Stdin      io.Reader
	ReadSecret func() (string, error)

	// Now is the clock for "last seen 3 days ago" (nil: time.Now).
	Now func() time.Time

	// The stored token the command uses and whose it is (set by
	// withToken and withServerToken): the account (its uuid) and the
	// active Plex Home profile (nil: the account's own token). If plex.tv
	// rejects it, explain deals with it as the tray does (compare before
	// delete).
	account string
	used    plextv.Token
	profile *home.Active
}

func (io IO) now() time.Time {
	if io.Now != nil {
		return io.Now()
	}
	return time.Now()
}

const usage = `PROG — sign in to Plex from the tray, and from scripts

Usage:
  PROG                  start the tray app
  PROG login [flags]    sign in with a code in this terminal, store the token
  PROG token [--user P] print the token: the active profile's, or profile P's
  PROG token --server S print server S's own token (name or clientIdentifier)
  PROG status           who is signed in, whether plex.tv accepts the token, the active profile
  PROG users [--json]   list the Plex Home's profiles (admin/managed, PIN, active)
  PROG switch PROFILE   use a Plex Home profile's token (PIN from the terminal or stdin)
  PROG logout           sign out at plex.tv and remove the stored token
  PROG servers [flags]  list the account's servers and which connections answer
  PROG uri [SERVER]     print a server's best URI as soon as it is known (--json, --timeout)
  PROG tokens new NAME  make a token of its own for another program, print it once (--user, --format)
  PROG tokens [--json]  list the tools' tokens and whether plex.tv still accepts them (never a token)
  PROG tokens revoke NAME
                        revoke one tool's token at plex.tv, and only that one
  PROG claim            print a claim token for a new Plex Media Server (PLEX_CLAIM, 4 minutes)
  PROG completion SHELL print a shell completion script (bash, zsh or fish)
  PROG --version        print the version

Run 'PROG <command> --help' for a command's flags.

Environment (the same for the tray and every command):
  PLEXTRAY_PLEXTV_URL      plex.tv base URL (default https://plex.tv; http only on loopback)
  PLEXTRAY_APP_URL         Plex web app base for one-click sign-in (default https://app.plex.tv)
  PLEXTRAY_TOKEN           token for 'status', 'servers', 'uri', 'token --server', 'tokens', 'claim' instead of the keychain
  PLEXTRAY_SIGNIN_TIMEOUT  how long a sign-in waits (default 5m)
  PLEXTRAY_PROBE_TIMEOUT   per-connection timeout of the server check (default 3s)
  PLEXTRAY_RECHECK_INTERVAL how long the tray's server list may sit idle before it is checked again (default 10m)
  PLEXTRAY_CLEAR_CLIPBOARD when the tray clears a copied token (default 30s; off)
  SSL_CERT_FILE            extra CA certificates (e.g. the simulator's)

Exit codes:
  0 success · 1 failure (plex.tv unreachable, keychain unavailable) · 2 usage
  (also a profile name that matches none or several) · 3 not signed in
  4 token rejected by plex.tv, or a wrong profile PIN · 5 sign-in did not complete
`

// Run runs one command (args without the program name) and returns the
// exit code.
func Run(args []string, io IO) int {
	if io.Prog == "" {
		io.Prog = "plextray"
	}
	out := &checkedWriter{w: io.Stdout}
	io.Stdout = out
	code := run(args, io)
	if out.err != nil {
		fmt.Fprintf(io.Stderr, "%s: writing to stdout: %v\n", io.Prog, out.err)
		if code == ExitOK {
			code = ExitFailure
		}
	}
	return code
}

func run(args []string, io IO) int {
	if len(args) == 0 {
		fmt.Fprint(io.Stderr, strings.ReplaceAll(usage, "PROG", io.Prog))
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(io.Stdout, strings.ReplaceAll(usage, "PROG", io.Prog))
		return ExitOK
	case "-v", "--version", "-version", "version":
		fmt.Fprintf(io.Stdout, "plextray %s\n", io.Version)
		return ExitOK
	}
	cmds := map[string]func([]string, IO) int{
		"login":   login,
		"token":   token,
		"status":  status,
		"logout":  logout,
		"servers": serversCmd,
		"uri":     uriCmd,
		"completion": func(args []string, io IO) int {
			return completion.Run(args, io.Stdout, io.Stderr, io.Prog)
		},
		"users":  users,
		"switch": switchCmd,
		"tokens": tokensCmd,
		"claim":  claimCmd,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.Stderr, "%s: unknown command %q\n\n%s", io.Prog, args[0], strings.ReplaceAll(usage, "PROG", io.Prog))
		return ExitUsage
	}
	return cmd(args[1:], io)
}

// checkedWriter remembers the first write error, so a command whose
// output was lost (a full disk, a closed pipe) does not exit 0.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// flags returns a FlagSet that prints its help to stdout for --help and
// to stderr for mistakes.
func flags(name, synopsis string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s %s\n\n", io.Prog, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; done is true when the command should stop with code.
// A bad setting in the environment is a usage error too.
func parse(fs *flag.FlagSet, args []string, io IO) (code int, done bool) {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(io.Stdout)
			fs.Usage()
			return ExitOK, true
		}
	}
	if err := fs.Parse(args); err != nil {
		return ExitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.Stderr, "%s %s: unexpected argument %q\n", io.Prog, fs.Name(), fs.Arg(0))
		return ExitUsage, true
	}
	if io.SettingsErr != nil {
		fmt.Fprintf(io.Stderr, "%s: %v\n", io.Prog, io.SettingsErr)
		return ExitUsage, true
	}
	return 0, false
}

// truth reads what the keychain and the config folder hold (exit code
// ExitOK), or says why it can't (a keychain failure: ExitFailure).
func truth(ctx context.Context, io IO, cmd string) (core.Truth, int) {
	t := localServices(io).Read(ctx)
	if t.Err != nil {
		fmt.Fprintf(io.Stderr, "%s %s: %s\n", io.Prog, cmd, keychainWords(t.Err, io.Prog))
		return t, ExitFailure
	}
	return t, ExitOK
}

// storedToken reads the account's stored token, or PLEXTRAY_TOKEN when
// allowEnv; io comes back with the token noted (for explain).
func storedToken(ctx context.Context, io IO, cmd string, allowEnv bool) (IO, plextv.Token, int) {
	if allowEnv && io.Settings.Token != "" {
		return io, plextv.Token(io.Settings.Token), ExitOK
	}
	t, code := truth(ctx, io, cmd)
	switch {
	case code != ExitOK:
		return io, "", code
	case t.Token.IsZero():
		fmt.Fprintf(io.Stderr, "%s: not signed in (no token in the keychain). Run '%s login'.\n", io.Prog, io.Prog)
		return io, "", ExitNotSignedIn
	}
	io.account, io.used = t.Account, t.Token
	return io, t.Token, ExitOK
}

// signalContext is cancelled by Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// withEnv is the start the plex.tv commands share: flags, the plex.tv
// side, and a context cancelled by Ctrl-C or SIGTERM. check (if non-nil)
// vets the flags' values before anything is set up: a code other than
// ExitOK ends the command with it.
func withEnv(fs *flag.FlagSet, args []string, io IO, check func() int, run func(context.Context, *app.Env) int) int {
	if code, done := parse(fs, args, io); done {
		return code
	}
	if check != nil {
		if code := check(); code != ExitOK {
			return code
		}
	}
	env, ok := setup(io)
	if !ok {
		return ExitFailure
	}
	ctx, stop := signalContext()
	defer stop()
	return run(ctx, env)
}

// withToken is withEnv for commands that need the stored token (or
// PLEXTRAY_TOKEN when allowEnv). The token is read before the plex.tv
// side is set up.
func withToken(fs *flag.FlagSet, args []string, io IO, allowEnv bool, run func(context.Context, *app.Env, plextv.Token, IO) int) int {
	if code, done := parse(fs, args, io); done {
		return code
	}
	ctx, stop := signalContext()
	defer stop()
	io, tok, code := storedToken(ctx, io, fs.Name(), allowEnv)
	if tok.IsZero() {
		return code
	}
	env, ok := setup(io)
	if !ok {
		return ExitFailure
	}
	return run(ctx, env, tok, io)
}

// setup builds the plex.tv side, saying so when a damaged client-id file
// had to be replaced.
func setup(io IO) (*app.Env, bool) {
	env, err := io.Setup(io.Settings)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s: %s\n", io.Prog, clean(err))
		return nil, false
	}
	if r := env.Replaced; r != nil {
		fmt.Fprintf(io.Stderr, "%s: %s was damaged; it is kept as %s and this install has a new client identifier (Plex will list it once more under Authorized Devices).\n", io.Prog, r.Path, r.SetAside)
	}
	return env, true
}

// explain maps a plex.tv error to a message and exit code. When plex.tv
// rejects the stored token the command used, the keychain decides
// (compare before delete): the token is removed only if it is still the
// one stored; a newer one there (signed in or switched again elsewhere)
// is kept, and the command can simply run again.
func explain(io IO, what string, err error) int {
	rejected := errors.Is(err, plextv.ErrTokenInvalid)
	switch {
	case rejected && io.profile != nil && !io.used.IsZero():
		// The active profile's token, not the account's: 'login' would
		// not help, and 'switch' to the same profile says "already".
		p := io.profile
		newer, ferr := localServices(io).ProfileRejected(context.Background(), io.account, p.UUID, io.used)
		switch {
		case ferr != nil:
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the active profile %s's token (revoked or expired), and it could not be forgotten: %s\n", io.Prog, what, profileName(p.Title), clean(ferr))
		case !newer.IsZero():
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the active profile %s's token, but a newer one was stored meanwhile; run the command again.\n", io.Prog, what, profileName(p.Title))
		default:
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the active profile %s's token (revoked or expired); your own account's token is active again. Run '%s switch %s' to use the profile once more.\n", io.Prog, what, profileName(p.Title), io.Prog, name(p.UUID))
		}
		return ExitRejected
	case rejected && !io.used.IsZero():
		newer, ferr := localServices(io).Rejected(context.Background(), io.account, io.used)
		switch {
		case ferr != nil:
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the token (revoked or expired), and it could not be removed: %s. Run '%s login'.\n", io.Prog, what, keychainWords(ferr, io.Prog), io.Prog)
		case !newer.IsZero():
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the token, but a newer one was stored meanwhile (signed in again elsewhere); run the command again.\n", io.Prog, what)
		default:
			fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the token (revoked or expired); it was removed from the keychain. Run '%s login'.\n", io.Prog, what, io.Prog)
		}
		return ExitRejected
	case rejected:
		fmt.Fprintf(io.Stderr, "%s: %s: plex.tv rejected the token (revoked or expired). Run '%s login'.\n", io.Prog, what, io.Prog)
		return ExitRejected
	default:
		fmt.Fprintf(io.Stderr, "%s: %s: %s\n", io.Prog, what, clean(err))
		return ExitFailure
	}
}
