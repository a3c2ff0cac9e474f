// Package cli is plextray's command line: the same binary as the tray,
// sharing its keychain entry and client identifier. With no subcommand the
// binary starts the tray.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Exit codes.
const (
	ExitOK          = 0 // success
	ExitFailure     = 1 // plex.tv unreachable, keychain unavailable, other failures
	ExitUsage       = 2 // bad command line
	ExitNotSignedIn = 3 // no token stored (and PLEXTRAY_TOKEN unset where it applies)
	ExitRejected    = 4 // plex.tv rejected the token (401)
	ExitNoSignIn    = 5 // sign-in did not complete: timed out, expired, cancelled
)

// EnvToken supplies a token to `status` and `servers` instead of the
// keychain (for scripts and headless boxes).
const EnvToken = "PLEXTRAY_TOKEN"

// IO is where a command reads and writes.
type IO struct {
	Stdout, Stderr io.Writer
	// Terminal reports whether Stderr is a terminal (live countdown).
	Terminal bool
	// Setup builds the environment; tests swap it.
	Setup func() (*app.Env, error)
	// OpenBrowser opens a URL (nil: never).
	OpenBrowser func(url string) error
}

// Tray starts the tray; set by main.
type Tray func() int

const usage = `plextray — sign in to Plex from the tray, and from scripts

Usage:
  tray                  start the tray app
  tray login [flags]    sign in with a code in this terminal, store the token
  tray token            print the stored token
  tray status           who is signed in, and whether plex.tv accepts the token
  tray logout           sign out at plex.tv and remove the stored token
  tray servers [flags]  list the account's servers and which connections answer
  tray --version        print the version

Run 'tray <command> --help' for a command's flags.

Environment:
  PLEXTRAY_PLEXTV_URL   plex.tv base URL (default https://plex.tv; http only on loopback)
  PLEXTRAY_APP_URL      Plex web app base for one-click sign-in (default https://app.plex.tv)
  PLEXTRAY_TOKEN        token for 'status' and 'servers' instead of the keychain
  SSL_CERT_FILE         extra CA certificates (e.g. the simulator's)

Exit codes:
  0 success · 1 failure (plex.tv unreachable, keychain unavailable) · 2 usage
  3 not signed in · 4 token rejected by plex.tv · 5 sign-in did not complete
`

// Main runs the command line and returns the exit code.
func Main(args []string, version string, io IO, tray Tray) int {
	if len(args) == 0 {
		return tray()
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(io.Stdout, usage)
		return ExitOK
	case "-v", "--version", "-version", "version":
		fmt.Fprintf(io.Stdout, "plextray %s\n", version)
		return ExitOK
	}
	cmds := map[string]func([]string, IO) int{
		"login":   login,
		"token":   token,
		"status":  status,
		"logout":  logout,
		"servers": serversCmd,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.Stderr, "tray: unknown command %q\n\n%s", args[0], usage)
		return ExitUsage
	}
	return cmd(args[1:], io)
}

// flags returns a FlagSet that prints its help to stdout for --help and
// to stderr for mistakes.
func flags(name, synopsis string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tray %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; done is true when the command should stop with code.
func parse(fs *flag.FlagSet, args []string, io IO) (code int, done bool) {
	fs.SetOutput(io.Stderr)
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
		fmt.Fprintf(io.Stderr, "tray %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ExitUsage, true
	}
	return 0, false
}

// storedToken reads the keychain, or PLEXTRAY_TOKEN when allowEnv.
func storedToken(ctx context.Context, env *app.Env, allowEnv bool, io IO) (plextv.Token, int) {
	if allowEnv {
		if v := strings.TrimSpace(os.Getenv(EnvToken)); v != "" {
			return plextv.Token(v), ExitOK
		}
	}
	tok, err := env.Keychain.Get(ctx)
	switch {
	case err == nil:
		return tok, ExitOK
	case errors.Is(err, keychain.ErrNotFound):
		fmt.Fprintln(io.Stderr, "tray: not signed in (no token in the keychain). Run 'tray login'.")
		return "", ExitNotSignedIn
	default:
		fmt.Fprintf(io.Stderr, "tray: %v\n%s\n", err, keychain.Hint(err))
		return "", ExitFailure
	}
}

// withEnv is the start every command shares: flags, the environment, and
// a context cancelled by Ctrl-C or SIGTERM.
func withEnv(fs *flag.FlagSet, args []string, io IO, run func(context.Context, *app.Env) int) int {
	if code, done := parse(fs, args, io); done {
		return code
	}
	env, err := io.Setup()
	if err != nil {
		fmt.Fprintf(io.Stderr, "tray: %v\n", err)
		return ExitFailure
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, env)
}

// withToken is withEnv for commands that need the stored token (or
// PLEXTRAY_TOKEN when allowEnv).
func withToken(fs *flag.FlagSet, args []string, io IO, allowEnv bool, run func(context.Context, *app.Env, plextv.Token) int) int {
	return withEnv(fs, args, io, func(ctx context.Context, env *app.Env) int {
		tok, code := storedToken(ctx, env, allowEnv, io)
		if tok.IsZero() {
			return code
		}
		return run(ctx, env, tok)
	})
}

// explain maps a plex.tv error to a message and exit code.
func explain(io IO, what string, err error) int {
	switch {
	case errors.Is(err, plextv.ErrTokenInvalid):
		fmt.Fprintf(io.Stderr, "tray: %s: plex.tv rejected the token (revoked or expired). Run 'tray login'.\n", what)
		return ExitRejected
	default:
		fmt.Fprintf(io.Stderr, "tray: %s: %v\n", what, err)
		return ExitFailure
	}
}

func callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 20*time.Second)
}
