// Package launch is plextray's wiring: it picks the front end (the tray
// with no arguments, otherwise the command line) and builds it from one
// Settings struct; the tray's wiring (core, desktop adapters, change
// feeds, the menu's Publisher) is tray.go. cmd/tray and cmd/plextray are the same program: two
// five-line mains (so `go install …/cmd/plextray@latest` gives a binary
// named plextray) that hand Main what only main reads: the arguments, the
// environment and the version.
package launch

import (
	"bufio"
	"fmt"
	"golang.org/x/term"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/cli"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/logging"
	// A command line maps its code in one call before the other packages
	// initialise (it imports nothing but unsafe, so Go initialises it among the
	// first): see the package.
	_ "github.com/plextray/plextray/internal/prefault"
)

// Process is what main knows: its version (set at build time), its
// arguments (os.Args), its environment (os.Getenv) and the user's cache
// folder (os.UserCacheDir; "" if unknown).
type Process struct {
	Version  string
	Args     []string
	Getenv   func(string) string
	CacheDir string
}

// Main runs the program and returns its exit code.
func Main(p Process) int {
	prog := progName(p.Args[0])
	version := p.Version
	settings, err := app.ParseSettings(p.Getenv)
	if len(p.Args) < 2 {
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
			return cli.ExitUsage
		}
		return runTray(version, settings, p.CacheDir)
	}
	// One processor for a short command: a second one costs it more than
	// it gives (threads started and parked, schedulers spinning for work;
	// measured, about a tenth of `plextray uri`'s CPU, see
	// docs/benchmarks.md). Goroutines still run concurrently. Not for
	// `servers`, whose many TLS handshakes use every processor; and `uri`
	// asks for it only when it probes (cli.IO.OneProcessor): its answer
	// from the tray's last check needs no second processor, and changing
	// the number stops the world, which costs that answer about 1 ms of
	// its ~15 here.
	oneProcessor := func() { runtime.GOMAXPROCS(1) }
	if cmd := commandOf(p.Args[1:]); cmd != "servers" && cmd != "uri" {
		oneProcessor()
	}
	terminal := false
	if fi, serr := os.Stderr.Stat(); serr == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0
	}
	var readSecret func() (string, error)
	var ask func(string) (string, error)
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		readSecret = func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		}
		ask = func(question string) (string, error) {
			fmt.Fprint(os.Stderr, question)
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && line != "" {
				err = nil // a last line without a newline
			}
			return line, err
		}
	}
	return cli.Run(p.Args[1:], cli.IO{
		Prog:        prog,
		Version:     version,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Terminal:    terminal,
		Settings:    settings,
		SettingsErr: err,
		Keychain:    app.Keychain(settings),
		Setup:       func(s app.Settings) (*app.Env, error) { return app.Setup(version, s) },
		OpenBrowser: desktop.NewBrowser().Open,

		ConfigDir:  settings.ConfigDir, // "" when there is none: profiles are not kept
		Stdin:      os.Stdin,
		ReadSecret: readSecret,
		Ask:        ask,
		Log:        failureLog(settings),

		OneProcessor: oneProcessor,
	})
}

// failureLog records a command's failure in plextray's log file (the
// tray's, in the OS's log folder), opened only when a command fails. A
// log that can't be opened is skipped: the user has the message already.
func failureLog(settings app.Settings) func(cmd, words, detail string) {
	return func(cmd, words, detail string) {
		if settings.LogDirErr != nil {
			return
		}
		log, closer, err := logging.Open(settings.LogDir)
		if err != nil {
			return
		}
		defer closer.Close()
		log.Warn("command failed", "command", cmd, "told", words, "detail", detail)
	}
}

// progName is the name the binary was invoked by, without ".exe".
func progName(arg0 string) string {
	n := strings.TrimSuffix(filepath.Base(arg0), ".exe")
	if n == "" || n == "." || n == string(filepath.Separator) {
		return "plextray"
	}
	return n
}

// commandOf is the command args name: the first argument that is not a
// flag (the only flag before it can be the root's --verbose, which takes
// no value); "" for none.
func commandOf(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}
