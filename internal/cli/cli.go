// Package cli is plextray's command line (users.go: Plex Home profiles): a thin front end of the core
// (internal/core's Services), sharing the tray's keychain entry, client
// identifier and settings. main decides between the tray and this.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	// Ask, when stdin is a terminal, prints a question on Stderr and
	// reads the answer (a line). Unset: nothing may be asked.
	Ask func(question string) (string, error)

	// Cmd is the command running ("uri", "tokens new"), for messages.
	Cmd string
	// Verbose (--verbose) adds the technical detail to a failure's
	// message.
	Verbose bool
	// Log, when set, records a failure's technical detail in the log
	// file: cmd is the command as run ("plextray uri"), words what the
	// user was told. It is called only on a failure, so a command that
	// succeeds opens no log.
	Log func(cmd, words, detail string)

	// Now is the clock for "last seen 3 days ago" and the age of the
	// tray's last check (nil: time.Now).
	Now func() time.Time

	// OneProcessor, when set, limits the process to one processor; uri
	// calls it before it probes (see launch).
	OneProcessor func()

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

// Run runs one command (args without the program name) and returns the
// exit code.
func Run(args []string, io IO) int {
	if io.Prog == "" {
		io.Prog = "plextray"
	}
	out := &checkedWriter{w: io.Stdout}
	io.Stdout = out
	code := execute(args, io)
	if out.err != nil {
		fmt.Fprintf(io.Stderr, "%s: %s\n", io.Prog, stdoutWords(out.err))
		if code == ExitOK {
			code = ExitFailure
		}
	}
	return code
}

// execute parses args with the command tree and runs the command.
func execute(args []string, io IO) int {
	code := ExitOK
	root := newRoot(&io, &code)
	root.SetArgs(args)
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	if io.Stdin != nil {
		root.SetIn(io.Stdin)
	}
	cmd, err := root.ExecuteC()
	if err != nil {
		usageFailed(io, root, cmd, args, err)
		return ExitUsage
	}
	return code
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

// truth reads what the keychain and the config folder hold (exit code
// ExitOK), or says why it can't (a keychain failure: ExitFailure).
func truth(ctx context.Context, io IO, cmd string) (core.Truth, int) {
	t := localServices(io).Read(ctx)
	if t.Err != nil {
		io.failed(keychainWords(t.Err, io.Prog), t.Err)
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
		io.failed(fmt.Sprintf("not signed in (no token in the keychain) — run '%s login'", io.Prog), nil)
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
// side, and a context cancelled by Ctrl-C or SIGTERM.
func withEnv(io IO, run func(context.Context, *app.Env) int) int {
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
func withToken(io IO, allowEnv bool, run func(context.Context, *app.Env, plextv.Token, IO) int) int {
	ctx, stop := signalContext()
	defer stop()
	io, tok, code := storedToken(ctx, io, io.Cmd, allowEnv)
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
		io.failed(failWords(err), err)
		return nil, false
	}
	if r := env.Replaced; r != nil {
		fmt.Fprintf(io.Stderr, "%s: note: %s was damaged; it is kept as %s and this install has a new client identifier (Plex will list it once more under Authorized Devices).\n", io.path(), r.Path, r.SetAside)
	}
	return env, true
}

// failed prints "plextray CMD: words" and, after --verbose, the error
// behind them.
func (io IO) failed(words string, err error) {
	fmt.Fprintf(io.Stderr, "%s: %s\n", io.path(), words)
	io.detail(words, err)
}

// detail shows err's technical detail after --verbose and records it in
// the log.
func (io IO) detail(words string, err error) {
	if err == nil {
		return
	}
	if io.Verbose {
		fmt.Fprintf(io.Stderr, "  detail: %s\n", detailWords(err))
	}
	if io.Log != nil {
		io.Log(io.path(), words, detailWords(err))
	}
}

// path is the command as run, "plextray uri", for messages.
func (io IO) path() string {
	if io.Cmd == "" {
		return io.Prog
	}
	return io.Prog + " " + io.Cmd
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
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the active profile %s's token (revoked or expired), and it could not be forgotten: %s\n", io.path(), profileName(p.Title), clean(ferr))
		case !newer.IsZero():
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the active profile %s's token, but a newer one was stored meanwhile; run the command again.\n", io.path(), profileName(p.Title))
		default:
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the active profile %s's token (revoked or expired); your own account's token is active again. Run '%s switch %s' to use the profile once more.\n", io.path(), profileName(p.Title), io.Prog, name(p.UUID))
		}
		return ExitRejected
	case rejected && !io.used.IsZero():
		newer, ferr := localServices(io).Rejected(context.Background(), io.account, io.used)
		switch {
		case ferr != nil:
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the token (revoked or expired), and it could not be removed: %s. Run '%s login'.\n", io.path(), keychainWords(ferr, io.Prog), io.Prog)
		case !newer.IsZero():
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the token, but a newer one was stored meanwhile (signed in again elsewhere); run the command again.\n", io.path())
		default:
			fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the token (revoked or expired); it was removed from the keychain. Run '%s login'.\n", io.path(), io.Prog)
		}
		return ExitRejected
	case rejected:
		fmt.Fprintf(io.Stderr, "%s: plex.tv rejected the token (revoked or expired). Run '%s login'.\n", io.path(), io.Prog)
		return ExitRejected
	default:
		io.failed(failWords(err), fmt.Errorf("%s: %w", what, err))
		return ExitFailure
	}
}
