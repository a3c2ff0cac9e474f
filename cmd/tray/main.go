// Command tray is plextray: with no arguments the tray app, otherwise the
// command line (login, token, status, logout, servers, users, switch). See
// README.md.
//
// main is the wiring: it is the only place that reads the environment
// (one Settings struct), and it picks the front end.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/cli"
	"github.com/plextray/plextray/internal/config"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/keychain"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

func main() {
	prog := progName(os.Args[0])
	settings, err := app.ParseSettings(os.Getenv)
	if len(os.Args) < 2 {
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
			os.Exit(cli.ExitUsage)
		}
		os.Exit(runTray(settings))
	}
	terminal := false
	if fi, serr := os.Stderr.Stat(); serr == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0
	}
	var readSecret func() (string, error)
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		readSecret = func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		}
	}
	dir, _ := config.Dir() // no config folder: profiles are not kept
	os.Exit(cli.Run(os.Args[1:], cli.IO{
		Prog:        prog,
		Version:     version,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Terminal:    terminal,
		Settings:    settings,
		SettingsErr: err,
		Keychain:    keychain.OS{},
		Setup:       func(s app.Settings) (*app.Env, error) { return app.Setup(version, s) },
		OpenBrowser: desktop.NewBrowser().Open,

		ConfigDir:       dir,
		ProfileKeychain: app.ProfileKeychain,
		Stdin:           os.Stdin,
		ReadSecret:      readSecret,
	}))
}

// progName is the name the binary was invoked by, without ".exe".
func progName(arg0 string) string {
	n := strings.TrimSuffix(filepath.Base(arg0), ".exe")
	if n == "" || n == "." || n == string(filepath.Separator) {
		return "plextray"
	}
	return n
}
